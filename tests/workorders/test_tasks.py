"""The periodic jobs of the work-order app: SLA sweep (WO-03), next-day priority (SVC-12), re-escalation (WO-15)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from servicecenter.celery import app
from servicecenter.notifications.models import Notification
from servicecenter.policy.services import parameter_set
from servicecenter.workorders.models import WorkOrder, WorkOrderEvent
from servicecenter.workorders.tasks import reescalate_task, rollover_task, sla_sweep_task

from .conftest import MORNING

pytestmark = pytest.mark.django_db


def _sla_notices(user, kind: str):
    return Notification.objects.filter(recipient=user, verb__startswith=f"workorders.sla.response.{kind}")


@pytest.mark.smoke
@pytest.mark.clause("WO-03")
def test_sweep_warns_then_flags_the_breach_once_and_the_order_page_says_why(
    make_order, clerk_a, manager_a, client, django_capture_on_commit_callbacks
):
    # given: an order taken at 09:00, response due 09:30 (warning at 0.8 → 09:24)
    order = make_order()
    warn_at = order.response_warn_at
    # when: the sweep runs at the warning instant, twice (a retried or overlapping run)
    with django_capture_on_commit_callbacks(execute=True):
        first = sla_sweep_task(now=warn_at.isoformat())
    with django_capture_on_commit_callbacks(execute=True):
        again = sla_sweep_task(now=(warn_at + timedelta(seconds=30)).isoformat())
    # then: one warning each for the dispatcher and the manager
    assert first["response_warnings"] == 1 and again["response_warnings"] == 0
    assert _sla_notices(clerk_a.user, "warning").count() == 1
    assert _sla_notices(manager_a.user, "warning").count() == 1

    # when: time travels past the deadline and the sweep runs every minute
    late = order.response_due_at + timedelta(minutes=1)
    with time_machine.travel(late, tick=False):
        for minute in range(3):
            with django_capture_on_commit_callbacks(execute=True):
                sla_sweep_task(now=(late + timedelta(minutes=minute)).isoformat())
        # then: the breach is flagged and notified once, recorded on the timeline with its clause
        assert _sla_notices(clerk_a.user, "breach").count() == 1
        assert _sla_notices(manager_a.user, "breach").count() == 1
        breached = WorkOrder.objects.get(pk=order.pk)
        assert breached.response_breached_at == late
        event = WorkOrderEvent.objects.get(order=order, verb="sla_breach")
        assert event.clause == "WO-03" and "WO-03" in event.note
        # and the order page shows the breach and why
        client.force_login(clerk_a.user)
        body = client.get(reverse("workorders:order_detail", args=[order.pk])).content.decode()
        assert 'id="sla-events"' in body and "依据 WO-03" in body
        assert "sla-breach" in body and "超时标记于" in body


@pytest.mark.clause("SVC-12")
def test_rollover_flags_yesterdays_undispatched_requests_once(make_order):
    # given: one request from yesterday evening, one from this morning — both undispatched
    yesterday = make_order(now=MORNING - timedelta(hours=14), problem="昨天的报修")
    today = make_order(now=MORNING, problem="今天的报修")
    WorkOrder.objects.filter(pk=yesterday.pk).update(created_at=MORNING - timedelta(hours=14))
    # when: the 00:05 job runs, then the hourly one again
    assert rollover_task(now=MORNING.isoformat()) == 1
    assert rollover_task(now=(MORNING + timedelta(hours=1)).isoformat()) == 0
    # then: yesterday's request is on top with the reason; today's untouched
    rolled = WorkOrder.objects.get(pk=yesterday.pk)
    assert rolled.priority == "high" and rolled.rolled_over_at is not None and "SVC-12" in rolled.priority_reason
    assert WorkOrder.objects.get(pk=today.pk).rolled_over_at is None
    assert WorkOrderEvent.objects.filter(order=yesterday, verb="rolled_over").count() == 1


@pytest.mark.clause("WO-15")
def test_facility_issue_is_reescalated_at_the_interval(make_order, manager_a, tree):
    parameter_set(
        actor=manager_a.user,
        organization=tree["a"],
        key="workorders.issue_reescalation_interval_minutes",
        value=60,
        effective_from=MORNING.date(),
        reason="设施问题每小时再次上报",
    )
    issue = make_order(is_facility_issue=True, problem="电梯故障")
    assert reescalate_task(now=(MORNING + timedelta(minutes=30)).isoformat()) == 0
    assert reescalate_task(now=(MORNING + timedelta(minutes=61)).isoformat()) == 1
    assert reescalate_task(now=(MORNING + timedelta(minutes=62)).isoformat()) == 0
    assert reescalate_task(now=(MORNING + timedelta(minutes=122)).isoformat()) == 1
    assert WorkOrder.objects.get(pk=issue.pk).reescalation_count == 2


def test_the_jobs_are_on_the_beat_schedule():
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {
        "servicecenter.workorders.tasks.sla_sweep_task",
        "servicecenter.workorders.tasks.rollover_task",
        "servicecenter.workorders.tasks.reescalate_task",
    } <= tasks
    assert all(name in app.tasks for name in tasks if name.startswith("servicecenter.workorders"))


def test_bad_now_is_refused():
    with pytest.raises(ValueError):
        sla_sweep_task(now="yesterday")
