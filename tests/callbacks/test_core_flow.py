"""The callback loop through the services: a returned order is called back (WO-10), the answers are checked
(CB-02…CB-07) and a bad result opens a follow-up for the manager (G-03), which can become a complaint."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from servicecenter.callbacks import services
from servicecenter.callbacks.models import CallbackTask, FollowUp, Opinion
from servicecenter.complaints.models import Complaint
from servicecenter.core.errors import Conflict, ValidationFailed

from .conftest import MORNING, SH

GOOD = {"a": "yes", "b": "satisfied", "c": "no", "d": "9", "e": ""}


@pytest.mark.clause("WO-10")
def test_returned_order_gets_one_callback_due_next_working_day(returned_order):
    task = CallbackTask.objects.get(order=returned_order)
    assert task.kind == "after_service"
    assert task.status == "pending"
    # D01 station opens every day 08:30–20:00: next working day's close.
    assert task.due_at == datetime(2026, 12, 2, 20, 0, tzinfo=SH)
    assert "WO-10" in task.due_citation
    # The hook running again creates nothing.
    assert services.task_for_returned_order(returned_order) is None
    assert CallbackTask.objects.filter(order=returned_order).count() == 1


@pytest.mark.clause("G-03")
def test_not_solved_opens_followup_for_manager(returned_order, clerk_a, manager_a):
    task = CallbackTask.objects.get(order=returned_order)
    services.task_claim(actor=clerk_a.user, task_id=task.pk)
    services.task_answer(actor=clerk_a.user, task_id=task.pk, answers={**GOOD, "a": "no", "e": "还是不能上网"})
    task.refresh_from_db()
    assert task.status == "done" and task.solved is False and task.score == 9
    followup = FollowUp.objects.get(task=task)
    assert followup.assigned_to == manager_a.user
    assert [r["code"] for r in followup.reasons] == ["not_solved"]
    assert Opinion.objects.filter(task=task, kind="suggestion").exists()
    done = services.followup_resolve(
        actor=manager_a.user, followup_id=followup.pk, action="complaint", note="客户要求上门复查"
    )
    complaint = Complaint.objects.get(pk=done.complaint_id)
    assert complaint.channel == "callback" and complaint.order_id == returned_order.pk
    assert complaint.status == "received"


@pytest.mark.clause("CB-05")
def test_score_out_of_range_is_refused(returned_order, clerk_a):
    task = CallbackTask.objects.get(order=returned_order)
    with pytest.raises(ValidationFailed) as caught:
        services.task_answer(actor=clerk_a.user, task_id=task.pk, answers={**GOOD, "d": "11"})
    assert "d" in caught.value.fields
    task.refresh_from_db()
    assert task.status == "pending"


@pytest.mark.clause("CB-01")
def test_not_convenient_needs_appointment_and_requeues(returned_order, clerk_a):
    task = CallbackTask.objects.get(order=returned_order)
    with pytest.raises(ValidationFailed):
        services.task_record_attempt(actor=clerk_a.user, task_id=task.pk, result="not_convenient")
    later = MORNING + timedelta(hours=6)
    services.task_record_attempt(actor=clerk_a.user, task_id=task.pk, result="not_convenient", appointment_at=later)
    task.refresh_from_db()
    assert task.next_attempt_at == later and task.status == "pending"


def test_second_clerk_cannot_claim(returned_order, clerk_a, tree):
    from tests import factories

    other = factories.make_staff(tree["a"], "order_clerk", name="甲内勤二")
    task = CallbackTask.objects.get(order=returned_order)
    services.task_claim(actor=clerk_a.user, task_id=task.pk)
    with pytest.raises(Conflict) as caught:
        services.task_claim(actor=other.user, task_id=task.pk)
    assert "甲内勤" in caught.value.message
