"""Two approvers on the same leave at once → one decision (PostgreSQL row locks, real threads)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from servicecenter.approvals import services as approvals
from servicecenter.core.errors import Conflict
from servicecenter.core.models import AuditEvent
from servicecenter.leave import services
from servicecenter.leave.choices import LeaveStatus
from servicecenter.org.models import Delegation
from servicecenter.policy.values import local_today
from tests import factories

from .helpers import pending_step

ROUNDS = 4


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locking is tested on PostgreSQL (SQLite serialises writers)")


def race(calls: list) -> list[str]:
    barrier = threading.Barrier(len(calls))
    results: list[str] = []
    lock = threading.Lock()

    def run(call):
        try:
            barrier.wait(timeout=10)
            call()
            outcome = "ok"
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


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_manager_and_delegate_decide_one_leave_at_once(tree, manager_a):
    worker = factories.make_staff(tree["a"], "service_staff", name="并发师傅")
    deputy = factories.make_staff(tree["a"], "order_clerk", name="代理人")
    now = timezone.now()
    Delegation.objects.create(
        principal=manager_a.user,
        delegate=deputy.user,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=1),
    )
    today = local_today(tree["a"])
    for i in range(ROUNDS):
        day = today + timedelta(days=7 + i)
        leave = services.leave_submit(actor=worker.user, kind="rest", start_date=day, end_date=day, reason=f"并发{i}")
        step = pending_step(leave)

        def decide(user, decision, step_id=step.pk):
            return lambda: approvals.step_decide(actor=user, step_id=step_id, decision=decision, comment="并发测试")

        results = race([decide(manager_a.user, "approve"), decide(deputy.user, "reject")])
        assert sorted(r.split(":")[0] for r in results) == ["conflict", "ok"], results
        assert "该审批已由" in next(r for r in results if r.startswith("conflict:"))
        leave.refresh_from_db()
        assert leave.status in (LeaveStatus.APPROVED, LeaveStatus.REJECTED)
        assert AuditEvent.objects.for_target(leave).filter(verb__in=["leave.approved", "leave.rejected"]).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_requester_withdraws_while_the_manager_approves(tree, manager_a):
    worker = factories.make_staff(tree["a"], "service_staff", name="撤回师傅")
    today = local_today(tree["a"])
    for i in range(ROUNDS):
        day = today + timedelta(days=7 + i)
        leave = services.leave_submit(actor=worker.user, kind="rest", start_date=day, end_date=day, reason=f"撤{i}")
        step = pending_step(leave)
        results = race(
            [
                lambda step_id=step.pk: approvals.step_decide(
                    actor=manager_a.user, step_id=step_id, decision="approve"
                ),
                lambda leave_id=leave.pk: services.leave_withdraw(actor=worker.user, leave_id=leave_id),
            ]
        )
        assert sorted(r.split(":")[0] for r in results) == ["conflict", "ok"], results
        leave.refresh_from_db()
        assert leave.status in (LeaveStatus.APPROVED, LeaveStatus.WITHDRAWN)
        assert leave.approval_request.status == leave.status
