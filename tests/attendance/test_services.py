"""Attendance services: punches, corrections through approvals, results (bulk, reproducible, audited), violations
with the monthly ladder, events, the ATT-02 sweep and the nightly task."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from servicecenter.approvals import services as approval_services
from servicecenter.approvals.models import ApprovalRequest
from servicecenter.attendance import services, tasks
from servicecenter.attendance.models import AttendanceResult, Punch, PunchCorrection, Violation
from servicecenter.core.errors import NotAllowed, ValidationFailed
from servicecenter.core.models import AuditEvent
from servicecenter.notifications.models import Notification
from servicecenter.org import services as org_services
from servicecenter.policy.services import parameter_set
from tests import factories

from .fakes import Absence, at, d8, split

DAY = date(2026, 3, 10)


@pytest.fixture
def worker(tree):
    return factories.make_staff(tree["team_a"], "service_staff", role_org=tree["a"], name="甲师傅")


def punch_at(staff, kind, day, hhmm, **kw):
    with time_machine.travel(at(day, hhmm), tick=False):
        return services.punch_record(actor=staff.user, kind=kind, **kw)


# --- punches ------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.clause("ATT-03")
def test_punch_is_idempotent_on_double_tap(worker):
    first = punch_at(worker, "in", DAY, "08:20")
    with time_machine.travel(at(DAY, "08:20") + timedelta(seconds=3), tick=False):
        second = services.punch_record(actor=worker.user, kind="in")
    assert second.duplicate and second.punch.pk == first.punch.pk
    assert Punch.objects.filter(staff=worker).count() == 1
    assert not punch_at(worker, "out", DAY, "08:21").duplicate


@pytest.mark.django_db
def test_disabled_or_left_account_is_refused_and_nothing_saved(worker, manager_a):
    org_services.staff_set_status(actor=None, staff=worker, status="left", on=DAY)
    worker.refresh_from_db()
    with pytest.raises(ValidationFailed) as exc:
        services.punch_record(actor=manager_a.user, staff=worker, kind="in", source="terminal")
    assert "离职" in exc.value.message
    assert not Punch.objects.exists()


@pytest.mark.django_db
def test_punch_for_someone_else_needs_manage(worker, clerk_a):
    with pytest.raises(NotAllowed):
        services.punch_record(actor=clerk_a.user, staff=worker, kind="in", source="terminal")


@pytest.mark.django_db
def test_ip_range_and_geofence(worker, manager_a, tree):
    with time_machine.travel(at(DAY, "07:00"), tick=False):
        parameter_set(
            actor=manager_a.user,
            key="attendance.punch_ip_ranges",
            organization=tree["a"],
            value=["10.1.2.0/24"],
            effective_from=DAY,
            reason="站内网络",
        )
        parameter_set(
            actor=manager_a.user,
            key="attendance.punch_geofence",
            organization=tree["a"],
            value={"lat": 30.58, "lng": 114.27, "radius_m": 300},
            effective_from=DAY,
            reason="站点位置",
        )
    ok_ip = punch_at(worker, "in", DAY, "08:00", ip="10.1.2.33")
    assert ok_ip.accepted
    refused = punch_at(worker, "out", DAY, "17:00", ip="8.8.8.8", lat=31.0, lng=114.27)
    assert not refused.accepted and "范围" in refused.punch.refused_reason
    near = punch_at(worker, "out", DAY, "17:10", ip="8.8.8.8", lat=30.581, lng=114.271)
    assert near.accepted
    terminal = services.punch_record(
        actor=manager_a.user, staff=worker, kind="in", source="terminal", at=at(DAY, "17:20"), now=at(DAY, "17:21")
    )
    assert terminal.accepted


# --- results --------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.smoke
@pytest.mark.clause("ATT-04", "ATT-05")
def test_results_compute_and_reproducible(worker, tree, roster):
    other = factories.make_staff(tree["a"], "service_staff", name="乙")
    days = [DAY + timedelta(days=i) for i in range(3)]
    roster.shifts += [d8(s.pk, d) for s in (worker, other) for d in days]
    punch_at(worker, "in", days[0], "08:25")
    punch_at(worker, "out", days[0], "16:35")
    punch_at(worker, "in", days[1], "08:40")
    punch_at(worker, "out", days[1], "16:31")
    now = at(DAY + timedelta(days=5), "09:00")
    summary = services.results_compute(organization=tree["a"], start=days[0], end=days[-1], now=now)
    assert (summary.created, summary.changed) == (6, 0)
    by = {(r.staff_id, r.day): r for r in AttendanceResult.objects.all()}
    assert by[(worker.pk, days[0])].status == "on_time"
    late = by[(worker.pk, days[1])]
    assert late.status == "late" and late.minutes_late == 10 and late.clause == "ATT-04"
    assert by[(worker.pk, days[2])].status == "absent"
    assert by[(other.pk, days[0])].absent_days == Decimal("1")
    events_before = AuditEvent.objects.filter(verb="attendance.result.changed").count()
    # recomputing the closed period with unchanged inputs: nothing written
    again = services.results_compute(organization=tree["a"], start=days[0], end=days[-1], now=now)
    assert (again.created, again.changed, again.unchanged) == (0, 0, 6)
    assert AuditEvent.objects.filter(verb="attendance.result.changed").count() == events_before
    # an approved leave lands for day 3: that one result changes, audited
    roster.absences.append(
        Absence(worker.pk, at(days[2], "00:00"), at(days[2], "23:59"), kind="sick", kind_label="病假")
    )
    third = services.results_compute(organization=tree["a"], start=days[0], end=days[-1], now=now)
    assert (third.created, third.changed, third.unchanged) == (0, 1, 5)
    changed = AttendanceResult.objects.get(staff=worker, day=days[2])
    assert changed.status == "on_leave" and changed.leave_kind == "sick"
    event = AuditEvent.objects.get(verb="attendance.result.changed")
    assert event.changes["status"] == ["absent", "on_leave"]


@pytest.mark.django_db
def test_today_is_never_closed(worker, tree, roster):
    roster.shifts.append(d8(worker.pk, DAY))
    summary = services.results_compute(organization=tree["a"], start=DAY, end=DAY, now=at(DAY, "20:00"))
    assert summary.created == 0


@pytest.mark.django_db
@pytest.mark.clause("ATT-22", "ATT-23")
def test_gov_hall_missed_sign_in_fine(tree, roster):
    clerk = factories.make_staff(tree["b"], "window_staff", name="窗口")
    roster.shifts.append(split(clerk.pk, DAY))
    punch_at(clerk, "in", DAY, "08:35")
    punch_at(clerk, "out", DAY, "17:31")
    services.results_compute(organization=tree["b"], start=DAY, end=DAY, now=at(DAY + timedelta(days=1), "01:00"))
    result = AttendanceResult.objects.get(staff=clerk, day=DAY)
    assert result.missed_sign_in and result.fine_cny == Decimal("5") and result.status == "late"
    assert result.fines[0]["clause"] == "ATT-23"


@pytest.mark.django_db
def test_recompute_needs_manage(tree, clerk_a, manager_a, roster):
    with pytest.raises(NotAllowed):
        services.results_recompute(actor=clerk_a.user, organization=tree["a"], start=DAY, end=DAY)
    with pytest.raises(ValidationFailed):
        services.results_recompute(actor=manager_a.user, organization=tree["a"], start=DAY, end=DAY - timedelta(1))


@pytest.mark.django_db
def test_nightly_task_closes_yesterday(worker, tree, roster):
    roster.shifts.append(d8(worker.pk, DAY))
    assert tasks.attendance_close_yesterday_task(now=at(DAY + timedelta(days=1), "00:20").isoformat()) >= 1
    assert AttendanceResult.objects.get(staff=worker, day=DAY).status == "absent"
    assert tasks.attendance_close_yesterday_task(now=at(DAY + timedelta(days=1), "00:25").isoformat()) == 0


# --- corrections ----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.clause("ATT-03")
def test_correction_approved_adds_punch_and_recomputes(worker, manager_a, tree, roster):
    roster.shifts.append(d8(worker.pk, DAY))
    punch_at(worker, "in", DAY, "08:20")
    services.results_compute(organization=tree["a"], start=DAY, end=DAY, now=at(DAY + timedelta(days=1), "01:00"))
    assert AttendanceResult.objects.get(staff=worker, day=DAY).status == "missing_punch"
    with time_machine.travel(at(DAY + timedelta(days=1), "09:00"), tick=False):
        correction = services.correction_request(actor=worker.user, kind="out", at=at(DAY, "16:35"), reason="忘记打卡")
        step = correction.approval.steps.get(order=correction.approval.current_step_order)
        assert step.role_code == "center_manager"
        approval_services.step_decide(actor=manager_a.user, step_id=step.pk, decision="approve")
    correction.refresh_from_db()
    assert correction.status == "approved" and correction.punch.source == "correction"
    assert AttendanceResult.objects.get(staff=worker, day=DAY).status == "on_time"


@pytest.mark.django_db
def test_correction_monthly_limit(worker, manager_a):
    with time_machine.travel(at(DAY, "20:00"), tick=False):
        for hour in ("08:00", "09:00", "10:00"):
            services.correction_request(actor=worker.user, kind="in", at=at(DAY, hour), reason="忘记")
        with pytest.raises(ValidationFailed) as exc:
            services.correction_request(actor=worker.user, kind="in", at=at(DAY, "11:00"), reason="忘记")
    assert "上限 3" in exc.value.message
    assert PunchCorrection.objects.count() == 3


# --- violations -----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.clause("ATT-10", "ATT-11", "ATT-12", "ATT-13", "CON-14")
def test_violation_ladder_escalates_third(worker, manager_a, gm, tree):
    with time_machine.travel(at(DAY, "18:00"), tick=False):
        v = [
            services.violation_record(
                actor=manager_a.user,
                staff=worker,
                day=DAY - timedelta(days=i),
                type="games",
                description="上班玩手机游戏",
            )
            for i in (3, 2, 1)
        ]
    assert [x.units for x in v] == [1, 2, 0]
    assert [x.ordinal for x in v] == [1, 2, 3]
    assert v[2].escalated and v[2].clause == "ATT-13"
    request = ApprovalRequest.objects.get(kind="violation_escalation")
    assert request.steps.get(order=1).role_code == "ops_center_gm"
    assert request.steps.get(order=1).assignee_id == gm.user_id
    assert Notification.objects.filter(recipient=worker.user, verb="attendance.violation.recorded").count() == 3


@pytest.mark.django_db
@pytest.mark.clause("ATT-28")
def test_post_violations_and_photo(worker, manager_a):
    with time_machine.travel(at(DAY, "18:00"), tick=False):
        bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
        with pytest.raises(ValidationFailed):
            services.violation_record(
                actor=manager_a.user, staff=worker, day=DAY, type="off_post", description="脱岗", evidence_photo=bad
            )
        assert not Violation.objects.exists()
        v = services.violation_record(actor=manager_a.user, staff=worker, day=DAY, type="off_post", description="脱岗")
    assert v.units == 1 and v.clause == "ATT-28" and not v.escalated


@pytest.mark.django_db
def test_violation_needs_manage_and_valid_input(worker, clerk_a, manager_a):
    with pytest.raises(NotAllowed):
        services.violation_record(actor=clerk_a.user, staff=worker, day=DAY, type="games", description="x")
    with time_machine.travel(at(DAY, "18:00"), tick=False), pytest.raises(ValidationFailed) as exc:
        services.violation_record(actor=manager_a.user, staff=worker, day=DAY + timedelta(days=1), type="games")
    assert "day" in exc.value.fields


# --- events ---------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.clause("ATT-14", "ATT-16")
def test_event_attendance(worker, manager_a, tree, roster):
    other = factories.make_staff(tree["a"], "service_staff", name="丙")
    third = factories.make_staff(tree["a"], "service_staff", name="丁")
    roster.absences.append(Absence(third.pk, at(DAY, "13:00"), at(DAY, "18:00"), kind="event", kind_label="活动请假"))
    event = services.event_create(
        actor=manager_a.user,
        organization=tree["a"],
        kind="training",
        title="安全培训",
        starts_at=at(DAY, "14:00"),
        ends_at=at(DAY, "16:00"),
        staff_ids=[worker.pk, other.pk, third.pk],
    )
    rows = {r.staff_id: r for r in event.attendances.all()}
    services.event_check(actor=worker.user, attendance_id=rows[worker.pk].pk, action="in", now=at(DAY, "14:05"))
    with pytest.raises(ValidationFailed):
        services.event_close(actor=manager_a.user, event_id=event.pk, now=at(DAY, "15:00"))
    services.event_close(actor=manager_a.user, event_id=event.pk, now=at(DAY, "16:30"))
    statuses = {r.staff_id: (r.status, r.units) for r in event.attendances.all()}
    assert statuses[worker.pk] == ("late", 1)
    assert statuses[other.pk] == ("absent", 1)
    assert statuses[third.pk] == ("on_leave", 0)


# --- ATT-02 -------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.clause("ATT-02")
def test_coverage_sweep_alerts_manager_once(worker, manager_a, tree, roster):
    roster.shifts.append(d8(worker.pk, DAY))
    now = at(DAY, "10:00")
    alerted = services.coverage_sweep(now=now)
    assert tree["a"].pk in alerted
    services.coverage_sweep(now=now + timedelta(minutes=5))
    alerts = Notification.objects.filter(recipient=manager_a.user, verb="attendance.coverage.alert")
    assert alerts.count() == 1
    punch_at(worker, "in", DAY, "10:07")
    assert tree["a"].pk not in services.coverage_sweep(now=at(DAY, "10:10"))
    # outside business hours: no alert
    assert tree["a"].pk not in services.coverage_sweep(now=at(DAY, "22:00"))


@pytest.mark.django_db
@pytest.mark.postgres
def test_large_computation_uses_copy_and_matches(tree, roster):
    """Over 500 new results go through PostgreSQL COPY: the stored rows read back like the ORM's."""
    crew = [factories.make_staff(tree["b"], "window_staff") for _ in range(20)]
    days = [date(2026, 3, 1) + timedelta(days=i) for i in range(31)]
    roster.shifts += [split(s.pk, d) for s in crew for d in days]
    punch_at(crew[0], "in", days[1], "08:40")
    summary = services.results_compute(
        organization=tree["b"], start=days[0], end=days[-1], now=at(date(2026, 4, 2), "09:00")
    )
    assert summary.created == 620
    late = AttendanceResult.objects.get(staff=crew[0], day=days[1])
    assert late.status == "missing_punch" and late.minutes_late == 10 and late.missed_sign_in
    assert late.fines[0]["amount"] == "5" and late.fine_cny == Decimal("5.00")
    absent = AttendanceResult.objects.get(staff=crew[1], day=days[0])
    assert absent.status == "absent" and absent.fine_cny == Decimal("20.00") and absent.created_at is not None
    again = services.results_compute(
        organization=tree["b"], start=days[0], end=days[-1], now=at(date(2026, 4, 2), "09:00")
    )
    assert again.unchanged == 620


@pytest.mark.django_db
def test_company_wide_computation_uses_each_centers_rules(tree, roster):
    """Staff who all sit in teams still get their center's preset (the hall's sign-in rule), computed from the top."""
    window = factories.make_staff(tree["b"], "window_staff")
    org_services.staff_update(
        actor=None,
        staff=window,
        organization=org_services.organization_create(
            actor=None, name="窗口", code="win-x", kind="window", parent=tree["b"]
        ),
    )
    roster.shifts.append(split(window.pk, DAY))
    punch_at(window, "in", DAY, "08:35")
    punch_at(window, "out", DAY, "17:31")
    services.results_compute(organization=tree["company"], start=DAY, end=DAY, now=at(DAY + timedelta(days=1), "09:00"))
    result = AttendanceResult.objects.get(staff=window, day=DAY)
    assert result.missed_sign_in and result.organization_id == tree["b"].pk


@pytest.mark.django_db
def test_holidays_and_makeup_workdays_on_the_center_calendar(worker, tree, roster):
    """A statutory holiday without a shift is a rest day named after the holiday (the center's calendar); a make-up
    workday (调休, Saturday 2026-02-28) with a shift is an ordinary working day."""
    new_year, makeup, saturday = date(2026, 1, 1), date(2026, 2, 28), date(2026, 3, 7)
    roster.shifts.append(d8(worker.pk, makeup))
    punch_at(worker, "in", makeup, "08:31")
    punch_at(worker, "out", makeup, "16:30")
    for day in (new_year, makeup, saturday):
        services.results_compute(organization=tree["a"], start=day, end=day, now=at(date(2026, 3, 20), "09:00"))
    by_day = {r.day: r for r in AttendanceResult.objects.filter(staff=worker)}
    assert by_day[new_year].status == "rest" and "元旦" in by_day[new_year].citation
    assert by_day[makeup].status == "late" and by_day[makeup].minutes_late == 1
    assert by_day[saturday].status == "not_scheduled"
