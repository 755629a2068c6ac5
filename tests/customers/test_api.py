"""/api/v1/customers/: search by phone or name, detail with open orders, create, update; scoping and errors."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from servicecenter.customers import services
from servicecenter.customers.models import Customer
from servicecenter.workorders import services as order_services
from tests import factories

pytestmark = pytest.mark.django_db
ERROR_KEYS = {"code", "message", "fields", "clause"}


@pytest.fixture
def api():
    def login(staff):
        client = APIClient()
        client.force_authenticate(staff.user)
        return client

    return login


@pytest.fixture
def clerk_b(tree):
    return factories.make_staff(tree["b"], "order_clerk", name="乙内勤")


@pytest.fixture
def worker_a(tree):
    return factories.make_staff(tree["a"], "service_staff", name="甲维修工")


@pytest.fixture
def customer(tree, clerk_a):
    return services.customer_create(
        actor=clerk_a.user, organization=tree["a"], name="钱老师", phone="0571-8888 1234", address="文化路 1 号"
    )


LIST = reverse("api-customers-list")


def detail(customer):
    return reverse("api-customers-detail", args=[customer.pk])


@pytest.mark.smoke
def test_search_by_any_spelling_of_the_phone_or_by_name(api, customer, clerk_a, manager_b):
    client = api(clerk_a)
    for q in ("057188881234", "8888-1234", "88881234", "钱", "钱老师"):
        rows = client.get(LIST, {"q": q}).json()["results"]
        assert [r["id"] for r in rows] == [customer.pk], q
    assert client.get(LIST, {"q": "孙"}).json()["count"] == 0
    # another center sees nothing
    assert api(manager_b).get(LIST, {"q": "钱"}).json()["count"] == 0


def test_detail_shows_the_open_orders(api, tree, customer, clerk_a, manager_b):
    order = order_services.order_create(
        actor=clerk_a.user,
        organization=tree["a"],
        kind="repair",
        service_type="C",
        customer_name="钱老师",
        phone="0571-8888 1234",
        address="文化路 1 号",
        problem="电话无声",
        channel="api",
    )
    body = api(clerk_a).get(detail(customer)).json()
    assert [o["number"] for o in body["open_orders"]] == [order.number]
    missing = api(manager_b).get(detail(customer))
    assert missing.status_code == 404 and set(missing.json()) == ERROR_KEYS


def test_create_and_update(api, tree, clerk_a):
    client = api(clerk_a)
    created = client.post(LIST, {"organization": tree["a"].pk, "name": "孙女士", "phone": "13700001111"}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "existing" and body["open_orders"] == []
    url = reverse("api-customers-detail", args=[body["id"]])
    changed = client.patch(url, {"address": "人民路 5 号", "expected_updated_at": body["updated_at"]}, format="json")
    assert changed.status_code == 200, changed.json()
    assert changed.json()["address"] == "人民路 5 号" and changed.json()["name"] == "孙女士"
    # a stale edit is a 409, never a silent overwrite
    stale = client.patch(url, {"address": "别处", "expected_updated_at": body["updated_at"]}, format="json")
    assert stale.status_code == 409 and set(stale.json()) == ERROR_KEYS
    assert Customer.objects.get(pk=body["id"]).address == "人民路 5 号"


@pytest.mark.parametrize(
    ("field", "bad"),
    [("name", "名" * 10_000), ("phone", "13x00"), ("name", "   "), ("status", "vip"), ("notes", "\x00")],
)
def test_bad_input_is_a_400_and_saves_nothing(api, tree, clerk_a, field, bad):
    data = {"organization": tree["a"].pk, "name": "李", "phone": "13700001111", field: bad}
    resp = api(clerk_a).post(LIST, data, format="json")
    assert resp.status_code == 400 and field in resp.json()["fields"], resp.json()
    assert not Customer.objects.exists()


def test_scope_and_permissions(api, tree, customer, clerk_b, worker_a):
    # a center outside the caller's scope does not exist for them; nor does its customer
    assert (
        api(clerk_b)
        .post(LIST, {"organization": tree["a"].pk, "name": "李", "phone": "13700001111"}, format="json")
        .status_code
        == 404
    )
    assert api(clerk_b).patch(detail(customer), {"name": "改"}, format="json").status_code == 404
    # a serviceman sees the customer but may not change it
    assert api(worker_a).get(detail(customer)).status_code == 200
    refused = api(worker_a).patch(detail(customer), {"name": "改"}, format="json")
    assert refused.status_code == 403 and set(refused.json()) == ERROR_KEYS
    assert api(worker_a).patch(detail(customer), {}, format="json").status_code == 400
