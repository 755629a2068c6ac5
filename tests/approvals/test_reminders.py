"""Reminders (催办): after approvals.reminder_hours, then every interval; idempotent per run and per retry."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from servicecenter.approvals import services
from servicecenter.approvals.tasks import approvals_send_reminders_task
from servicecenter.core.models import AuditEvent
from servicecenter.notifications.models import Notification
from servicecenter.org.services import delegation_create

from .conftest import pending_step

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 4, 1, 9, 0, tzinfo=SH)


def reminders_to(user):
    return Notification.objects.filter(recipient=user, verb="approvals.step.reminded")


@pytest.fixture
def waiting(submit, clerk_a, manager_a):
    with time_machine.travel(T0, tick=False):
        return submit(clerk_a, now=T0)


def test_reminder_after_interval_and_not_twice(waiting, manager_a):
    # before 24 h: nothing
    assert services.approvals_send_reminders(now=T0 + timedelta(hours=23, minutes=59)) == 0
    # at 24 h: one reminder
    at = T0 + timedelta(hours=24)
    with time_machine.travel(at, tick=False):
        assert services.approvals_send_reminders(now=at) == 1
        # the same run again (a retried task) sends nothing
        assert services.approvals_send_reminders(now=at) == 0
    assert reminders_to(manager_a.user).count() == 1
    step = pending_step(waiting)
    assert (step.reminder_count, step.last_reminded_at) == (1, at)
    event = AuditEvent.objects.for_target(waiting).get(verb="approvals.step.reminded")
    assert event.actor is None and event.note == "approvals_send_reminders：第 1 步"
    assert event.changes["reminder_count"] == [0, 1]
    # one more interval later: a second reminder
    assert services.approvals_send_reminders(now=at + timedelta(hours=12)) == 0
    assert services.approvals_send_reminders(now=at + timedelta(hours=24)) == 1
    assert reminders_to(manager_a.user).count() == 2


def test_decided_steps_are_not_reminded(waiting, manager_a):
    services.step_decide(actor=manager_a.user, step_id=pending_step(waiting).pk, decision="approve")
    assert services.approvals_send_reminders(now=T0 + timedelta(days=3)) == 0
    assert not reminders_to(manager_a.user).exists()


def test_reminder_also_reaches_current_delegate(waiting, manager_a, deputy_a):
    # given the manager went away after the step became theirs
    at = T0 + timedelta(hours=30)
    delegation_create(
        actor=manager_a.user,
        principal=manager_a.user,
        delegate=deputy_a.user,
        starts_at=T0 + timedelta(hours=25),
        ends_at=T0 + timedelta(days=5),
    )
    # when
    assert services.approvals_send_reminders(now=at) == 1
    # then both are reminded
    assert reminders_to(manager_a.user).count() == 1
    assert reminders_to(deputy_a.user).count() == 1


def test_reminder_hours_come_from_the_parameter(tree, waiting, manager_a):
    from django.utils import timezone

    from servicecenter.policy.models import ParameterValue

    ParameterValue.objects.create(
        key="approvals.reminder_hours",
        organization=tree["a"],
        value=4,
        effective_from=timezone.localdate(T0) - timedelta(days=1),
        reason="加快催办",
    )
    assert services.approvals_send_reminders(now=T0 + timedelta(hours=3)) == 0
    assert services.approvals_send_reminders(now=T0 + timedelta(hours=4)) == 1


def test_task_runs_the_sweep_at_the_current_time(waiting, manager_a):
    with time_machine.travel(T0 + timedelta(hours=25), tick=False):
        assert approvals_send_reminders_task() == 1
        assert approvals_send_reminders_task() == 0
    assert reminders_to(manager_a.user).count() == 1


def test_resubmitted_step_gets_fresh_reminders(waiting, clerk_a, manager_a):
    # given a reminded step that was returned and resubmitted
    services.approvals_send_reminders(now=T0 + timedelta(hours=24))
    step = pending_step(waiting)
    services.step_decide(
        actor=manager_a.user, step_id=step.pk, decision="return", comment="补充", now=T0 + timedelta(hours=25)
    )
    services.request_resubmit(actor=clerk_a.user, request_id=waiting.pk, now=T0 + timedelta(hours=26))
    # when a full interval passes again
    assert services.approvals_send_reminders(now=T0 + timedelta(hours=49)) == 0
    assert services.approvals_send_reminders(now=T0 + timedelta(hours=50)) == 1
    # then the new reminder was sent (not swallowed by the first one's dedupe key)
    assert reminders_to(manager_a.user).count() == 2
