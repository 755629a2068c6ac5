"""The contract selectors of issue 5 (approved_absences, personal_leave_days, rest_days_left) used by rosters and
attendance."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from servicecenter.approvals import services as approvals
from servicecenter.leave import selectors, services
from servicecenter.leave.choices import LeaveStatus

from .conftest import at


def approve(leave, approver, now=None):
    request = leave.approval_request
    step = request.steps.get(order=request.current_step_order)
    approvals.step_decide(actor=approver.user, step_id=step.pk, decision="approve", now=now or at(2026, 12, 1, 10))
    leave.refresh_from_db()
    return leave


@pytest.mark.smoke
@pytest.mark.django_db
def test_approved_absences_of_a_center(tree, worker_a, manager_a, ask, django_assert_max_num_queries):
    leave = approve(ask(worker_a, start=date(2026, 12, 3)), manager_a)
    pending = ask(worker_a, start=date(2026, 12, 5))
    assert leave.status == LeaveStatus.APPROVED and pending.status == LeaveStatus.SUBMITTED
    with django_assert_max_num_queries(2):
        absences = selectors.approved_absences(organization=tree["a"], start=date(2026, 12, 1), end=date(2026, 12, 31))
    assert [(a.staff_id, a.kind, a.kind_label, a.request_id, a.deducted) for a in absences] == [
        (worker_a.pk, "personal", "事假", leave.pk, True)
    ]
    absence = absences[0]
    assert absence.starts_at == at(2026, 12, 3, 0) and absence.ends_at == at(2026, 12, 4, 0)
    assert "审批单" in absence.citation
    assert selectors.approved_absences(staff_ids=[worker_a.pk], start=date(2026, 12, 4), end=date(2026, 12, 9)) == []
    assert selectors.approved_absences(organization=tree["b"], start=date(2026, 12, 1), end=date(2026, 12, 31)) == []


@pytest.mark.django_db
def test_closed_early_leave_is_cut_at_the_return(tree, worker_a, gm, ask):
    leave = approve(ask(worker_a, start=date(2026, 12, 3), end=date(2026, 12, 4)), gm)
    services.leave_close(
        actor=worker_a.user, leave_id=leave.pk, actual_return_at=at(2026, 12, 3, 14), now=at(2026, 12, 3, 14)
    )
    (absence,) = selectors.approved_absences(staff_ids=[worker_a.pk], start=date(2026, 12, 1), end=date(2026, 12, 31))
    assert absence.ends_at == at(2026, 12, 3, 14)
    assert selectors.personal_leave_days(staff_id=worker_a.pk, year=2026, month=12) == Decimal("0.5")


@pytest.mark.clause("LEV-04")
@pytest.mark.django_db
def test_personal_leave_days_and_rest_days_left(tree, worker_a, manager_a, gm, ask):
    approve(ask(worker_a, start=date(2026, 12, 30), end=date(2027, 1, 2)), gm)  # 2 days in Dec, 2 in Jan
    assert selectors.personal_leave_days(staff_id=worker_a.pk, year=2026, month=12) == Decimal("2")
    assert selectors.personal_leave_days(staff_id=worker_a.pk, year=2027, month=1) == Decimal("2")
    left = selectors.rest_days_left(worker_a, 2026, 12)
    assert left.value == Decimal("4") and left.quota == 6 and "LEV-04" in left.citation
