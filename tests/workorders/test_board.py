"""The dispatch board (WO-04, WO-05): urgency order, countdown states, counts, staff panel, actions, query counts."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from servicecenter.workorders import selectors, services
from servicecenter.workorders.models import WorkOrder
from tests import factories

from .conftest import MORNING

pytestmark = pytest.mark.django_db


def _board(client, user, **params):
    client.force_login(user)
    return client.get(reverse("workorders:board"), params)


@pytest.mark.smoke
def test_board_lists_open_orders_by_priority_then_nearest_deadline(make_order, clerk_a, worker_a, client):
    # given: a normal order taken first, a later one already dispatched, an urgent one taken last, one closed
    early = make_order(now=MORNING - timedelta(minutes=20), problem="最早的普通报修")
    dispatched = make_order(now=MORNING - timedelta(minutes=10), problem="已派单的报修")
    services.order_dispatch(actor=clerk_a.user, order_id=dispatched.pk, assignee_id=worker_a.pk, now=MORNING)
    urgent = make_order(now=MORNING, priority="urgent", problem="紧急报修")
    answered = make_order(kind="inquiry", answer="已当场答复", problem="咨询资费")
    # when
    orders, more = selectors.board_orders(centers=[clerk_a.organization])
    # then: urgent first; then by the nearest pending deadline (response deadlines, both unresponded)
    assert [o.pk for o in orders] == [urgent.pk, early.pk, dispatched.pk]
    assert answered.pk not in [o.pk for o in orders] and more is False
    # and the page shows them with their countdowns
    body = _board(client, clerk_a.user).content.decode()
    assert early.number in body and urgent.number in body and answered.number not in body
    assert "data-due=" in body and 'hx-trigger="every 15s' in body


def test_board_caps_the_list_and_says_there_are_more(make_order, clerk_a):
    for i in range(3):
        make_order(problem=f"报修{i}")
    orders, more = selectors.board_orders(centers=[clerk_a.organization], limit=2)
    assert len(orders) == 2 and more is True


@pytest.mark.clause("WO-03")
def test_clock_states_are_decided_by_the_server(make_order):
    order = make_order(now=MORNING)  # response due 09:30, warning at 09:24 (0.8)
    states = {c.kind: c.state for c in selectors.order_clocks(order, now=MORNING + timedelta(minutes=5))}
    assert states == {"response": "ok", "resolution": "ok"}
    warn = {c.kind: c.state for c in selectors.order_clocks(order, now=order.response_warn_at)}
    assert warn["response"] == "warn"
    late = {c.kind: c.state for c in selectors.order_clocks(order, now=order.response_due_at + timedelta(seconds=1))}
    assert late["response"] == "breach"


def test_counts_per_state_and_breaches_today(make_order, clerk_a, worker_a):
    a = make_order()
    make_order()
    services.order_dispatch(actor=clerk_a.user, order_id=a.pk, assignee_id=worker_a.pk, now=MORNING)
    services.sla_sweep(now=MORNING + timedelta(hours=5))
    counts = selectors.board_counts(centers=[clerk_a.organization], now=MORNING + timedelta(hours=5))
    by_state = {code: n for code, _label, n in counts["states"]}
    assert by_state["new"] == 1 and by_state["dispatched"] == 1 and counts["open"] == 2
    assert counts["breaches_today"] == 2


def test_staff_panel_shows_load_and_only_service_staff(make_order, clerk_a, worker_a, worker_a2, tree):
    order = make_order()
    services.order_dispatch(actor=clerk_a.user, order_id=order.pk, assignee_id=worker_a.pk, now=MORNING)
    rows = selectors.board_staff(center=tree["a"], at=MORNING)
    by_name = {r.staff.name: r for r in rows}
    assert set(by_name) == {worker_a.name, worker_a2.name}  # the clerk is not a serviceman
    assert by_name[worker_a.name].load == 1 and by_name[worker_a2.name].load == 0
    # equal availability: the less loaded comes first
    assert rows[0].staff == worker_a2


def test_other_center_sees_nothing_of_ours(make_order, manager_b, client):
    order = make_order()
    body = _board(client, manager_b.user).content.decode()
    assert order.number not in body


def test_person_over_several_centers_filters_by_center(make_order, gm, tree, client):
    order = make_order()
    body = _board(client, gm.user).content.decode()
    assert order.number in body and 'name="center"' in body
    body_b = _board(client, gm.user, center=tree["b"].pk).content.decode()
    assert order.number not in body_b
    body_a = _board(client, gm.user, center=tree["a"].pk).content.decode()
    assert order.number in body_a and "board-staff" in body_a


def test_board_and_fragment_query_counts_do_not_grow(tree, clerk_a, client, django_assert_max_num_queries):
    def take(i: int):
        return services.order_create(
            actor=clerk_a.user,
            organization=tree["a"],
            kind="repair",
            service_type="C",
            customer_name=f"客户{i}",
            phone=f"1380013{i:04d}",
            address=f"古城路 {i} 号",
            problem="断网",
            read_back=["problem", "address", "name", "phone"],
            now=MORNING,
        )

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, HTTP_HX_REQUEST="true").status_code == 200
        return len(ctx)

    client.force_login(clerk_a.user)
    board, fragment = reverse("workorders:board"), reverse("workorders:board_rows")
    # given: one order and one serviceman — the baseline
    first = factories.make_staff(tree["a"], "service_staff", name="师傅0")
    services.order_dispatch(actor=clerk_a.user, order_id=take(0).pk, assignee_id=first.pk, now=MORNING)
    baseline = (count(board), count(fragment))
    # when: 50 open orders and 10 service staff
    staff = [first] + [factories.make_staff(tree["a"], "service_staff", name=f"师傅{i}") for i in range(1, 10)]
    orders = [take(i) for i in range(1, 50)]
    for i, order in enumerate(orders[:20]):
        services.order_dispatch(actor=clerk_a.user, order_id=order.pk, assignee_id=staff[i % 10].pk, now=MORNING)
    # then: the same number of queries (no N+1), within a fixed bound (most are the menu's and the session's)
    assert (count(board), count(fragment)) == baseline
    with django_assert_max_num_queries(40):
        page = client.get(board)
    assert page.status_code == 200 and page.content.decode().count('id="order-row-') == 50
    with django_assert_max_num_queries(40):
        rows = client.get(fragment, HTTP_HX_REQUEST="true")
    assert rows.status_code == 200 and rows.content.decode().count("staff-row") == 10


# --- actions -------------------------------------------------------------------------------------------------------


@pytest.mark.smoke
def test_dispatch_through_htmx_refreshes_the_board(make_order, clerk_a, worker_a, client):
    order = make_order()
    client.force_login(clerk_a.user)
    url = reverse("workorders:order_dispatch", args=[order.pk])
    form = client.get(url, {"next": "board"}, HTTP_HX_REQUEST="true")
    assert form.status_code == 200 and worker_a.name in form.content.decode()
    response = client.post(url, {"assignee": worker_a.pk, "next": "board"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "board-refresh" in json.loads(response["HX-Trigger"])
    order.refresh_from_db()
    assert order.status == "dispatched" and order.assignee == worker_a


def test_second_dispatch_is_told_who_won_in_place(make_order, clerk_a, manager_a, worker_a, worker_a2, client):
    order = make_order()
    services.order_dispatch(actor=clerk_a.user, order_id=order.pk, assignee_id=worker_a.pk, now=MORNING)
    client.force_login(manager_a.user)
    url = reverse("workorders:order_dispatch", args=[order.pk])
    # htmx: 200 with the message in the modal, and the board refreshes
    response = client.post(url, {"assignee": worker_a2.pk}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and f"该工单已被 甲内勤 派给 {worker_a.name}" in body
    assert "board-refresh" in json.loads(response["HX-Trigger"])
    # plain post: 409 with the same message
    plain = client.post(url, {"assignee": worker_a2.pk})
    assert plain.status_code == 409 and f"派给 {worker_a.name}" in plain.content.decode()
    order.refresh_from_db()
    assert order.assignee == worker_a


def test_reassign_needs_a_reason_and_keeps_the_clock(make_order, clerk_a, worker_a, worker_a2, client):
    order = make_order()
    services.order_dispatch(actor=clerk_a.user, order_id=order.pk, assignee_id=worker_a.pk, now=MORNING)
    client.force_login(clerk_a.user)
    url = reverse("workorders:order_reassign", args=[order.pk])
    bad = client.post(url, {"assignee": worker_a2.pk, "reason": "", "expected_assignee": worker_a.pk})
    assert bad.status_code == 400
    ok = client.post(url, {"assignee": worker_a2.pk, "reason": "甲请假", "expected_assignee": worker_a.pk})
    assert ok.status_code == 302
    moved = WorkOrder.objects.get(pk=order.pk)
    assert moved.assignee == worker_a2 and moved.response_due_at == order.response_due_at


def test_take_back_and_cancel_with_reasons(make_order, clerk_a, worker_a, client):
    order = make_order()
    services.order_dispatch(actor=clerk_a.user, order_id=order.pk, assignee_id=worker_a.pk, now=MORNING)
    client.force_login(clerk_a.user)
    client.post(reverse("workorders:order_take_back", args=[order.pk]), {"reason": "客户改约"})
    assert WorkOrder.objects.get(pk=order.pk).status == "new"
    client.post(reverse("workorders:order_cancel", args=[order.pk]), {"reason": "客户已自行解决"})
    cancelled = WorkOrder.objects.get(pk=order.pk)
    assert cancelled.status == "cancelled" and cancelled.cancel_reason == "客户已自行解决"


def test_serviceman_may_not_open_the_dispatch_form(make_order, worker_a, client):
    order = make_order()
    client.force_login(worker_a.user)
    assert client.get(reverse("workorders:order_dispatch", args=[order.pk])).status_code == 403


def test_bad_assignee_is_a_clear_400(make_order, clerk_a, client):
    order = make_order()
    client.force_login(clerk_a.user)
    response = client.post(reverse("workorders:order_dispatch", args=[order.pk]), {"assignee": "abc"})
    assert response.status_code == 400
    assert WorkOrder.objects.get(pk=order.pk).status == "new"
