"""Two dispatchers dispatch the same order at the same instant: exactly one wins, the other is told who won
(«该工单已被 X 派给 Y»). PostgreSQL row locks, real threads; also through the page, and a double-clicked dispatch."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from servicecenter.core.errors import Conflict
from servicecenter.workorders import services
from servicecenter.workorders.models import WorkOrder, WorkOrderEvent

ROUNDS = 4


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locking is tested on PostgreSQL (SQLite serialises writers)")


def race(calls: list) -> list[str]:
    """Run every callable in its own thread, released together by a barrier; collect the outcomes."""
    barrier = threading.Barrier(len(calls))
    results: list[str] = []
    lock = threading.Lock()

    def run(call):
        try:
            barrier.wait(timeout=10)
            outcome = call()
        except Conflict as exc:
            outcome = f"conflict:{exc.message}"
        except Exception as exc:  # noqa: BLE001 - any other outcome fails the test
            outcome = f"error:{exc!r}"
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def _dispatch(user, order_id, staff_id):
    def call():
        services.order_dispatch(actor=user, order_id=order_id, assignee_id=staff_id)
        return "ok"

    return call


def _one_dispatch(order: WorkOrder) -> WorkOrder:
    assert WorkOrderEvent.objects.filter(order=order, verb="dispatched").count() == 1
    return WorkOrder.objects.select_related("assignee").get(pk=order.pk)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once_one_wins_the_other_is_told_who(make_order, clerk_a, manager_a, worker_a, worker_a2):
    for i in range(ROUNDS):
        # given: one new order
        order = make_order(problem=f"并发派单 {i}")
        # when: the clerk and the manager dispatch it at the same moment to different servicemen
        results = race(
            [_dispatch(clerk_a.user, order.pk, worker_a.pk), _dispatch(manager_a.user, order.pk, worker_a2.pk)]
        )
        # then: one dispatch; the loser's message names who won and to whom
        assert sorted(r.split(":")[0] for r in results) == ["conflict", "ok"], results
        won = _one_dispatch(order)
        winner = "甲内勤" if won.assignee == worker_a else "甲经理"
        loser = next(r for r in results if r.startswith("conflict:"))
        assert f"该工单已被 {winner} 派给 {won.assignee.name}" in loser


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_double_clicked_dispatch_records_one_dispatch(make_order, clerk_a, worker_a):
    order = make_order(problem="双击派单")
    results = race([_dispatch(clerk_a.user, order.pk, worker_a.pk), _dispatch(clerk_a.user, order.pk, worker_a.pk)])
    assert sorted(r.split(":")[0] for r in results) == ["conflict", "ok"], results
    assert _one_dispatch(order).assignee == worker_a


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_through_the_page_one_gets_409(make_order, clerk_a, manager_a, worker_a, worker_a2):
    order = make_order(problem="页面并发派单")
    url = reverse("workorders:order_dispatch", args=[order.pk])

    def post(user, staff):
        def call():
            client = Client()
            client.force_login(user)
            response = client.post(url, {"assignee": staff.pk})
            return f"{response.status_code}:{response.content.decode()}"

        return call

    results = race([post(clerk_a.user, worker_a), post(manager_a.user, worker_a2)])
    codes = sorted(r.split(":")[0] for r in results)
    assert codes == ["302", "409"], [r[:200] for r in results]
    won = _one_dispatch(order)
    loser = next(r for r in results if r.startswith("409:"))
    assert f"派给 {won.assignee.name}" in loser
