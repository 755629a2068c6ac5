"""Two people deciding the same step at the same instant: exactly one decision is recorded (PostgreSQL row locks)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from servicecenter.approvals import services
from servicecenter.core.errors import Conflict
from servicecenter.core.models import AuditEvent
from servicecenter.org.models import Delegation

from .conftest import pending_step

ROUNDS = 5  # several races per test: each must end with one winner, whichever thread gets the lock first


def race(step_id: int, actors: list, decisions: list[str]) -> list[str]:
    """Run `step_decide` for every actor in its own thread, released together by a barrier."""
    barrier = threading.Barrier(len(actors))
    results: list[str] = []
    lock = threading.Lock()

    def run(actor, decision):
        try:
            barrier.wait(timeout=10)
            services.step_decide(actor=actor, step_id=step_id, decision=decision, comment="并发测试")
            outcome = "ok"
        except Conflict as exc:
            outcome = f"conflict:{exc.message}"
        except Exception as exc:  # noqa: BLE001 - any other outcome fails the test below
            outcome = f"error:{exc!r}"
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=pair) for pair in zip(actors, decisions, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def assert_one_winner(request, results: list[str]) -> None:
    assert sorted(r.split(":")[0] for r in results) == ["conflict", "ok"], results
    loser = next(r for r in results if r.startswith("conflict:"))
    assert "该审批已由" in loser and "处理" in loser
    decided = AuditEvent.objects.for_target(request).filter(
        verb__in=["approvals.step.approved", "approvals.step.rejected"]
    )
    assert decided.count() == 1
    request.refresh_from_db()
    assert request.status in ("approved", "rejected")


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locking is tested on PostgreSQL (SQLite serialises writers)")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_double_click_from_two_tabs_records_one_decision(submit, clerk_a, manager_a):
    for i in range(ROUNDS):
        # given one pending step
        req = submit(clerk_a, title=f"并发{i}")
        step = pending_step(req)
        # when the approver approves from two tabs at once
        results = race(step.pk, [manager_a.user, manager_a.user], ["approve", "approve"])
        # then exactly one approval
        assert_one_winner(req, results)
        assert AuditEvent.objects.for_target(req).filter(verb="approvals.step.approved").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.clause("ORG-13")
def test_principal_and_delegate_at_once_record_one_decision(submit, clerk_a, manager_a, deputy_a):
    # given the manager delegated to the deputy, but is back at the desk
    now = timezone.now()
    Delegation.objects.create(
        principal=manager_a.user,
        delegate=deputy_a.user,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=1),
    )
    for i in range(ROUNDS):
        req = submit(clerk_a, title=f"委托并发{i}")
        step = pending_step(req)
        assert (step.assignee, step.acting_for) == (deputy_a.user, manager_a.user)
        # when both decide at the same instant (one approves, the other rejects)
        results = race(step.pk, [manager_a.user, deputy_a.user], ["approve", "reject"])
        # then one decision stands, the other person is told who decided
        assert_one_winner(req, results)
