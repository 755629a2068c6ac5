"""Query budgets of the hot paths (issue 3, Performance): one intake, one API create, an SLA sweep burst. The
numbers pin what was measured after the optimisation (bench/results.d/workorders.md) so they cannot creep back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from servicecenter.customers.models import Customer
from servicecenter.notifications.models import Notification
from servicecenter.workorders import services
from servicecenter.workorders.models import WorkOrder, WorkOrderEvent, WorkOrderSequence
from tests import factories

from .conftest import MORNING, intake

pytestmark = pytest.mark.django_db

# Before: 42 queries (service) and 53 (API create with an Idempotency-Key), plus the notification.
CREATE_QUERIES = 12
API_CREATE_QUERIES = 18
# Before: ~7 queries per flagged order plus one notify() each; now constant (40 for 800 flags over 3 centers).
SWEEP_QUERIES = 45


def api_body(center, **overrides):
    data = {
        "organization": center.pk,
        "kind": "repair",
        "service_type": "C",
        "customer_name": "赵女士",
        "phone": "139-0000-1111",
        "address": "古城路 8 号",
        "problem": "热水器不出热水",
    }
    data.update(overrides)
    return data


def test_order_create_query_budget(tree, clerk_a, django_assert_max_num_queries):
    intake(clerk_a, tree["a"])  # warm: the calendar cache and the content types
    with django_assert_max_num_queries(CREATE_QUERIES):
        order = intake(clerk_a, tree["a"], phone="13900002222")
    assert order.register_no == 2 and order.response_due_at == MORNING + timedelta(minutes=30)
    assert "WO-03" in order.sla_citation and "C-01" in order.sla_citation


def test_api_create_query_budget_and_answer_equals_the_detail(
    tree, clerk_a, manager_a, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    client = APIClient()
    client.force_authenticate(clerk_a.user)
    url = reverse("api-workorders-list")
    client.post(url, api_body(tree["a"]), format="json", HTTP_IDEMPOTENCY_KEY="warm-up")
    with django_assert_max_num_queries(API_CREATE_QUERIES):
        resp = client.post(
            url,
            api_body(tree["a"], phone="13911112222", product_model="X-1", purchase_date="2026-11-02"),
            format="json",
            HTTP_IDEMPOTENCY_KEY="k-1",
        )
    assert resp.status_code == 201, resp.json()
    # The answer built from the created order is exactly what GET …/{id}/ says (and what a replay returns).
    detail = client.get(reverse("api-workorders-detail", args=[resp.json()["id"]]))
    assert resp.json() == detail.json()
    replay = client.post(
        url,
        api_body(tree["a"], phone="13911112222", product_model="X-1", purchase_date="2026-11-02"),
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert replay.json() == detail.json() and replay["Idempotent-Replayed"] == "true"
    # The dispatchers and the manager are told after the commit (the look-up is out of the transaction).
    with django_capture_on_commit_callbacks(execute=True):
        third = client.post(url, api_body(tree["a"], phone="13922223333"), format="json")
    assert Notification.objects.filter(dedupe_key=f"wo-new-{third.json()['id']}").count() == 2


def test_a_broken_constraint_is_a_conflict_and_nothing_is_saved(tree, clerk_a):
    intake(clerk_a, tree["a"])
    WorkOrderSequence.objects.update(last_no=0)  # the next number collides with the first order's
    customers = Customer.objects.count()
    client = APIClient()
    client.force_authenticate(clerk_a.user)
    resp = client.post(reverse("api-workorders-list"), api_body(tree["a"], phone="13800009999"), format="json")
    assert resp.status_code == 409, resp.json()
    assert set(resp.json()) >= {"code", "message", "fields", "clause"}
    assert WorkOrder.objects.count() == 1 and Customer.objects.count() == customers


def test_sla_sweep_burst_is_a_bounded_number_of_queries(
    tree, clerk_a, manager_a, worker_a, settings, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_CHANNELS = ["inapp"]  # the external deliveries are the delivery worker's queries
    other = factories.org_tree(prefix="u")
    clerk_b = factories.make_staff(tree["b"], "order_clerk", name="乙内勤")
    clerk_c = factories.make_staff(other["a"], "order_clerk", name="丙内勤")
    register = {"product_model": "M", "product_spec": "S", "purchase_date": "2026-11-01", "purchase_place": "P"}
    orders = []
    for i in range(200):
        clerk, center = [(clerk_a, tree["a"]), (clerk_b, tree["b"]), (clerk_c, other["a"])][i % 3]
        orders.append(intake(clerk, center, phone=f"1390000{i:04d}", **register))
    services.order_dispatch(actor=clerk_a.user, order_id=orders[0].pk, assignee_id=worker_a.pk)
    later = MORNING + timedelta(days=3)

    with django_assert_max_num_queries(SWEEP_QUERIES), django_capture_on_commit_callbacks(execute=True):
        result = services.sla_sweep(now=later)

    assert (result.response_warnings, result.response_breaches) == (200, 200)
    assert (result.resolve_warnings, result.resolve_breaches) == (200, 200)
    assert WorkOrderEvent.objects.filter(verb__in=["sla_warning", "sla_breach"]).count() == 800
    first = Notification.objects.filter(dedupe_key=f"wo-sla-{orders[0].pk}-resolve-breach")
    # one per recipient: the clerk and the manager of center a, and the serviceman
    assert sorted(n.recipient_id for n in first) == sorted([clerk_a.user_id, manager_a.user_id, worker_a.user_id])
    assert Notification.objects.filter(dedupe_key=f"wo-sla-{orders[1].pk}-response-warning").count() == 1
    sent = Notification.objects.filter(dedupe_key__startswith="wo-sla-").count()
    watchers = {c.pk: len(services.order_supervisor_ids(c)) for c in (tree["a"], tree["b"], other["a"])}
    assert watchers == {tree["a"].pk: 2, tree["b"].pk: 1, other["a"].pk: 1}
    # four flags per order: each to the center's watchers, plus the serviceman of the dispatched order
    assert sent == 4 * sum(watchers[o.organization_id] for o in orders) + 4
    # idempotent: nothing more to flag, nothing sent twice
    with django_capture_on_commit_callbacks(execute=True):
        again = services.sla_sweep(now=later + timedelta(minutes=1))
    assert again == services.SweepResult()
    assert Notification.objects.filter(dedupe_key__startswith="wo-sla-").count() == sent
