"""/api/v1/workorders/: scoped list and filters, create through the service (channel "api"), every transition
endpoint, 404 outside the scope, 409 conflicts, 400 field errors, and the Idempotency-Key replays."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from servicecenter.core.models import IdempotencyKey
from servicecenter.workorders.models import WorkOrder, WorkOrderEvent

from .conftest import MORNING, png_bytes

pytestmark = pytest.mark.django_db
ERROR_KEYS = {"code", "message", "fields", "clause"}


@pytest.fixture
def api():
    def login(staff):
        client = APIClient()
        client.force_authenticate(staff.user)
        return client

    return login


def body(tree, **overrides):
    data = {
        "organization": tree["a"].pk,
        "kind": "repair",
        "service_type": "C",
        "customer_name": "赵女士",
        "phone": "139-0000-1111",
        "address": "古城路 8 号",
        "problem": "热水器不出热水",
    }
    data.update(overrides)
    return data


def url(name, order=None):
    return reverse(f"api-workorders-{name}", args=[order.pk] if order is not None else [])


@pytest.mark.smoke
def test_telephony_system_creates_an_order_and_follows_it_to_the_archive(api, tree, clerk_a, worker_a, manager_a):
    # given: the telephony system logs in as the clerk
    clerk, worker, manager = api(clerk_a), api(worker_a), api(manager_a)
    # when: it creates an order (no read-back ticks for the API channel)
    resp = clerk.post(url("list"), body(tree), format="json")
    # then
    assert resp.status_code == 201, resp.json()
    created = resp.json()
    assert created["channel"] == "api" and created["status"] == "new"
    assert [d["kind"] for d in created["deadlines"]] == ["response", "resolution"]
    assert "WO-03" in created["deadlines"][0]["citation"]
    assert created["events"][0]["verb"] == "created"
    order = WorkOrder.objects.get(pk=created["id"])

    # when: every step of the lifecycle through its endpoint
    assert clerk.post(url("dispatch", order), {"assignee": worker_a.pk}, format="json").status_code == 200
    assert worker.post(url("accept", order), {}, format="json").json()["status"] == "accepted"
    assert worker.post(url("contact", order), {"note": "已电话联系"}, format="json").status_code == 200
    assert worker.post(url("arrive", order), {}, format="json").json()["status"] == "in_progress"
    paused = worker.post(url("pause", order), {"reason": "waiting_parts"}, format="json")
    assert paused.json()["status"] == "paused"
    assert worker.post(url("resume", order), {}, format="json").json()["status"] == "in_progress"
    note = worker.post(url("notes", order), {"note": "配件已到"}, format="json")
    assert note.status_code == 201 and note.json()["verb"] == "note"
    expense = clerk.post(
        url("expenses", order), {"kind": "travel", "amount": "12.50", "incurred_on": "2026-12-01"}, format="json"
    )
    assert expense.status_code == 201 and expense.json()["amount"] == "12.50"
    done = worker.post(
        url("complete", order),
        {
            "work_content": "更换温控器",
            "service_ended_at": (MORNING + timedelta(seconds=1)).isoformat(),
            "service_started_at": MORNING.isoformat(),
            "materials": [{"name": "温控器", "quantity": "1", "unit": "个"}],
            "signature": base64.b64encode(png_bytes()).decode(),
            "signer_name": "赵女士",
        },
        format="json",
    )
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "returned" and done.json()["materials"][0]["name"] == "温控器"
    assert manager.post(url("countersign", order), {}, format="json").status_code == 200
    assert manager.post(url("archive", order), {}, format="json").json()["archived_at"]
    assert clerk.post(url("close", order), {}, format="json").json()["status"] == "closed"

    # then: the timeline has every action (WO-06), paginated, oldest first
    events = clerk.get(url("events", order)).json()
    verbs = [e["verb"] for e in events["results"]]
    assert verbs[:2] == ["created", "dispatched"] and verbs[-1] == "closed"
    assert {"contacted", "paused", "resumed", "note", "expense", "completed", "countersigned", "archived"} <= set(verbs)


def test_reassign_take_back_cancel_and_log_call(api, make_order, clerk_a, worker_a, worker_a2):
    clerk = api(clerk_a)
    order = make_order()
    clerk.post(url("dispatch", order), {"assignee": worker_a.pk}, format="json")
    moved = clerk.post(
        url("reassign", order),
        {"assignee": worker_a2.pk, "reason": "原师傅请假", "expected_assignee": worker_a.pk},
        format="json",
    )
    assert moved.status_code == 200 and moved.json()["assignee_name"] == worker_a2.name
    stale = clerk.post(
        url("reassign", order),
        {"assignee": worker_a.pk, "reason": "再改", "expected_assignee": worker_a.pk},
        format="json",
    )
    assert stale.status_code == 409 and "已被改派" in stale.json()["message"]
    assert clerk.post(url("take-back", order), {"reason": "客户改约"}, format="json").json()["status"] == "new"
    call = clerk.post(url("log-call", order), {"note": "客户再次来电催促"}, format="json")
    assert call.status_code == 200 and call.json()["events"][-1]["verb"] == "call"
    assert clerk.post(url("cancel", order), {"reason": "客户取消"}, format="json").json()["status"] == "cancelled"


def test_second_dispatcher_gets_409_naming_who_won(api, make_order, clerk_a, manager_a, worker_a, worker_a2):
    order = make_order()
    assert api(clerk_a).post(url("dispatch", order), {"assignee": worker_a.pk}, format="json").status_code == 200
    lost = api(manager_a).post(url("dispatch", order), {"assignee": worker_a2.pk}, format="json")
    assert lost.status_code == 409
    assert set(lost.json()) == ERROR_KEYS
    assert lost.json()["message"] == f"该工单已被 甲内勤 派给 {worker_a.name}"


def test_another_center_sees_nothing(api, tree, make_order, manager_b, worker_a):
    order = make_order()
    other = api(manager_b)
    assert other.get(url("list")).json()["count"] == 0
    for name in ("detail", "events"):
        resp = other.get(url(name, order))
        assert resp.status_code == 404 and set(resp.json()) == ERROR_KEYS
    for name, data in (("dispatch", {"assignee": worker_a.pk}), ("cancel", {"reason": "x"}), ("accept", {})):
        assert other.post(url(name, order), data, format="json").status_code == 404
    # creating in a center outside the caller's scope: that center does not exist for them
    assert other.post(url("list"), body(tree), format="json").status_code == 404
    assert WorkOrder.objects.count() == 1


def test_serviceman_may_not_dispatch_and_only_the_assignee_may_accept(api, make_order, clerk_a, worker_a, worker_a2):
    order = make_order()
    refused = api(worker_a).post(url("dispatch", order), {"assignee": worker_a.pk}, format="json")
    assert refused.status_code == 403 and set(refused.json()) == ERROR_KEYS
    api(clerk_a).post(url("dispatch", order), {"assignee": worker_a.pk}, format="json")
    assert api(worker_a2).post(url("accept", order), {}, format="json").status_code == 403


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("customer_name", "名" * 10_000),
        ("phone", "138abc"),
        ("address", "   "),
        ("kind", "nonsense"),
        ("problem", "a\x00b"),
        ("organization", "abc"),
    ],
)
def test_bad_create_input_is_a_400_with_the_field(api, tree, clerk_a, field, bad):
    resp = api(clerk_a).post(url("list"), body(tree, **{field: bad}), format="json")
    assert resp.status_code == 400, resp.json()
    assert field in resp.json()["fields"]
    assert WorkOrder.objects.count() == 0


def test_unknown_center_is_404_and_a_team_is_400(api, tree, clerk_a):
    assert api(clerk_a).post(url("list"), body(tree, organization=999_999), format="json").status_code == 404
    resp = api(clerk_a).post(url("list"), body(tree, organization=tree["team_a"].pk), format="json")
    assert resp.status_code == 400 and "organization" in resp.json()["fields"]


def test_complete_with_a_file_that_is_not_an_image_is_refused(api, make_order, clerk_a, worker_a):
    order = make_order()
    api(clerk_a).post(url("dispatch", order), {"assignee": worker_a.pk}, format="json")
    api(worker_a).post(url("accept", order), {}, format="json")
    data = {
        "work_content": "修好了",
        "service_started_at": MORNING.isoformat(),
        "service_ended_at": (MORNING + timedelta(seconds=1)).isoformat(),
        "signer_name": "王",
    }
    for signature in (base64.b64encode(b"%PDF-1.4 not an image").decode(), "!!not base64!!"):
        resp = api(worker_a).post(url("complete", order), {**data, "signature": signature}, format="json")
        assert resp.status_code == 400 and "signature" in resp.json()["fields"], resp.json()
    order.refresh_from_db()
    assert order.status == "accepted" and not order.attachments.exists()


def test_list_filters_and_ordering(api, tree, make_order, clerk_a, worker_a, manager_a):
    first = make_order(phone="13800000001", kind="repair")
    second = make_order(phone="13900000002", kind="complaint", service_type="A", now=MORNING + timedelta(hours=1))
    api(clerk_a).post(url("dispatch", first), {"assignee": worker_a.pk}, format="json")
    client = api(manager_a)

    def numbers(**params):
        resp = client.get(url("list"), params)
        assert resp.status_code == 200, resp.json()
        return [row["number"] for row in resp.json()["results"]]

    assert numbers() == [second.number, first.number]
    assert numbers(ordering="created_at") == [first.number, second.number]
    assert numbers(state="dispatched") == [first.number]
    assert numbers(kind="complaint") == [second.number]
    assert numbers(type="A") == [second.number]
    assert numbers(assignee=worker_a.pk) == [first.number]
    assert numbers(phone="139") == [second.number]
    assert numbers(phone="139 0000") == [second.number]
    assert numbers(center=tree["a"].pk) == [second.number, first.number]
    assert numbers(center=tree["b"].pk) == []
    assert numbers(created_after="2026-12-02") == []
    assert numbers(created_before="2026-12-01", created_after="2026-12-01") == [second.number, first.number]
    for bad in ({"state": "nope"}, {"ordering": "password"}, {"created_after": "yesterday"}, {"phone": "abc"}):
        resp = client.get(url("list"), bad)
        assert resp.status_code == 400 and set(resp.json()) == ERROR_KEYS, bad


def test_list_and_detail_query_counts(api, make_order, manager_a, django_assert_max_num_queries):
    for i in range(5):
        make_order(phone=f"1380000000{i}")
    client = api(manager_a)
    with django_assert_max_num_queries(8):
        assert client.get(url("list")).json()["count"] == 5
    order = WorkOrder.objects.first()
    with django_assert_max_num_queries(8):
        assert client.get(url("detail", order)).status_code == 200


# --- Idempotency-Key ----------------------------------------------------------------------------------------------


def test_retry_with_the_same_key_replays_the_first_answer(api, tree, clerk_a):
    client = api(clerk_a)
    first = client.post(url("list"), body(tree), format="json", HTTP_IDEMPOTENCY_KEY="call-20261201-0001")
    # the same request again, keys in another order
    again = client.post(
        url("list"), dict(reversed(body(tree).items())), format="json", HTTP_IDEMPOTENCY_KEY="call-20261201-0001"
    )
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert WorkOrder.objects.count() == 1
    # another key is another order
    other = client.post(url("list"), body(tree), format="json", HTTP_IDEMPOTENCY_KEY="call-20261201-0002")
    assert other.status_code == 201 and WorkOrder.objects.count() == 2


def test_same_key_with_another_body_is_a_422(api, tree, clerk_a):
    client = api(clerk_a)
    client.post(url("list"), body(tree), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    resp = client.post(url("list"), body(tree, problem="另一个问题"), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert resp.status_code == 422
    assert set(resp.json()) == ERROR_KEYS and resp.json()["code"] == "idempotency_mismatch"
    assert "Idempotency-Key" in resp.json()["message"]
    assert WorkOrder.objects.count() == 1


def test_keys_are_per_user_and_expire_after_a_day(api, tree, clerk_a, manager_a):
    import time_machine

    api(clerk_a).post(url("list"), body(tree), format="json", HTTP_IDEMPOTENCY_KEY="shared")
    # another user with the same key: another request
    assert api(manager_a).post(url("list"), body(tree), format="json", HTTP_IDEMPOTENCY_KEY="shared").status_code == 201
    assert WorkOrder.objects.count() == 2
    # after 24 h the key names a new request
    with time_machine.travel(MORNING + timedelta(hours=25)):
        resp = api(clerk_a).post(url("list"), body(tree), format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert resp.status_code == 201 and "Idempotent-Replayed" not in resp
    assert WorkOrder.objects.count() == 3
    assert IdempotencyKey.objects.count() == 2


def test_a_failed_request_does_not_keep_its_key(api, tree, clerk_a):
    client = api(clerk_a)
    bad = client.post(url("list"), body(tree, phone="abc"), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert bad.status_code == 400
    assert not IdempotencyKey.objects.exists()
    good = client.post(url("list"), body(tree), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert good.status_code == 201


@pytest.mark.parametrize("key", ["", "with space", "x" * 256, "中文键"])
def test_malformed_key_is_a_400(api, tree, clerk_a, key):
    resp = api(clerk_a).post(
        url("list"), body(tree), format="json", HTTP_IDEMPOTENCY_KEY=key.encode().decode("latin-1")
    )
    assert resp.status_code == 400 and "Idempotency-Key" in resp.json()["fields"]
    assert WorkOrder.objects.count() == 0


def test_events_of_an_order_are_its_timeline(api, make_order, clerk_a):
    order = make_order()
    resp = api(clerk_a).get(url("events", order))
    assert resp.status_code == 200 and resp.json()["results"][0]["verb_display"] == "受理"
    assert resp.json()["count"] == WorkOrderEvent.objects.filter(order=order).count()
