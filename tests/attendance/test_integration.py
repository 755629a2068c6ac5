"""Attendance against the real providers (issue5-contracts.md): a roster published through rosters.services and a
leave approved through leave.services feed the daily results and the availability board."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from servicecenter.approvals import services as approvals
from servicecenter.attendance import inputs, services
from servicecenter.attendance.models import AttendanceResult
from servicecenter.attendance.selectors import availability
from servicecenter.leave import services as leave_services
from servicecenter.rosters import services as roster_services
from tests import factories

from .fakes import at

MONTH = date(2026, 3, 1)


@pytest.fixture
def published(tree, manager_a):
    crew = [
        factories.make_staff(tree["team_a"], "service_staff", name=f"师傅{i}", role_org=tree["a"]) for i in range(5)
    ]
    with time_machine.travel("2026-02-20 10:00 +08:00", tick=False):
        roster_services.templates_install_presets(actor=manager_a.user, organization=tree["a"])
        draft = roster_services.roster_open_draft(actor=manager_a.user, organization=tree["a"], month=MONTH)
        roster_services.roster_propose(actor=manager_a.user, roster_id=draft.pk)
        roster_services.roster_publish(actor=manager_a.user, roster_id=draft.pk, confirm_warnings=True)
    return crew


@pytest.mark.django_db
def test_results_from_published_roster_and_approved_leave(tree, manager_a, published):
    worker = published[0]
    shifts = [
        s for s in inputs.scheduled_shifts(start=MONTH, end=date(2026, 3, 31), staff_ids=[worker.pk]) if not s.on_call
    ]
    rests = inputs.rest_days(start=MONTH, end=date(2026, 3, 31), staff_ids=[worker.pk]).get(worker.pk, set())
    assert shifts and rests
    worked, leave_day, absent_day = shifts[2], shifts[3], shifts[4]
    start, end = worked.periods[0][0], worked.periods[-1][1]
    with time_machine.travel(start - timedelta(minutes=5), tick=False):
        services.punch_record(actor=worker.user, kind="in")
    with time_machine.travel(end + timedelta(minutes=1), tick=False):
        services.punch_record(actor=worker.user, kind="out")
    with time_machine.travel("2026-03-01 09:00 +08:00", tick=False):
        leave = leave_services.leave_submit(
            actor=worker.user, kind="personal", start_date=leave_day.day, end_date=leave_day.day, reason="家中有事"
        )
        request = leave.approval_request
        step = request.steps.get(order=request.current_step_order)
        approvals.step_decide(actor=manager_a.user, step_id=step.pk, decision="approve")
    services.results_compute(
        organization=tree["a"], start=MONTH, end=date(2026, 3, 31), now=at(date(2026, 4, 1), "09:00")
    )
    by_day = {r.day: r for r in AttendanceResult.objects.filter(staff=worker)}
    assert by_day[worked.day].status == "on_time", by_day[worked.day].citation
    assert by_day[leave_day.day].status == "on_leave" and by_day[leave_day.day].leave_kind == "personal"
    assert by_day[absent_day.day].status == "absent"
    assert all(by_day[d].status == "rest" for d in rests)


@pytest.mark.django_db
def test_availability_with_real_providers(tree, published):
    worker = published[0]
    shift = next(
        s for s in inputs.scheduled_shifts(start=MONTH, end=date(2026, 3, 31), staff_ids=[worker.pk]) if not s.on_call
    )
    start = shift.periods[0][0]
    with time_machine.travel(start - timedelta(minutes=3), tick=False):
        services.punch_record(actor=worker.user, kind="in")
    with CaptureQueriesContext(connection) as queries:
        result = availability(organization=tree["a"], at=start + timedelta(hours=1))
    assert result[worker.pk].state == "on_duty"
    assert {s.pk for s in published} <= set(result)
    # The contract asks for at most 4 queries: attendance itself makes ONE (staff + last punch through a subquery);
    # rosters.scheduled_shifts takes 4 (entries, organizations, a parameter, on-call), rest_days 1 and
    # leave.approved_absences 1 — 7 in all, whatever the number of staff (reported to the lead).
    own = [q for q in queries.captured_queries if "attendance_punch" in q["sql"]]
    assert len(own) == 1
    assert len(queries) <= 7
