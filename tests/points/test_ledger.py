"""The points ledger through its services: entries from events (PTS-04, PTS-22, PTS-19, ATT-11/12, ATT-15/16,
PTS-10), idempotency, daily verification, reversals before and after the lock (PTS-09), instant rewards (PTS-28),
the board (PUB-01, PUB-14), the reminders (PTS-04, PTS-06, PTS-09, C-08)."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection

from servicecenter.core.errors import Conflict, NotAllowed, ValidationFailed
from servicecenter.notifications.models import Notification
from servicecenter.points import policies, selectors, services
from servicecenter.points.choices import Category, EntryStatus, MonthStatus, RequestStatus, Source
from servicecenter.points.models import DailyCheck, PointEntry, ReversalRequest
from tests import factories

from .conftest import MORNING, SH, approve_pending, returned, set_param

pytestmark = pytest.mark.django_db
DAY = MORNING.date()


@pytest.mark.clause("PTS-04")
def test_returned_order_gives_the_assignee_a_draft_work_entry(tree, clerk_a, worker_a, at_morning):
    order = returned(clerk_a, tree["a"], worker_a)
    entry = PointEntry.objects.get(source=Source.WORK_ORDER, source_id=order.pk)
    assert (entry.staff, entry.day, entry.points) == (worker_a, DAY, Decimal("1.00"))
    assert entry.status == EntryStatus.DRAFT and entry.category == Category.WORK
    assert entry.clause == "PTS-04" and "工单积分（按类别）" in entry.citation
    # the sweep finds the same order: nothing more
    assert services.collect_day(organization=tree["a"], day=DAY)["posted"] == 0
    assert PointEntry.objects.count() == 1


@pytest.mark.clause("PTS-04")
def test_points_per_kind_come_from_the_parameter(tree, clerk_a, worker_a, manager_a, at_morning):
    set_param(manager_a.user, "points.work_order", tree["a"], {"repair": 3, "installation": 5})
    returned(clerk_a, tree["a"], worker_a)
    assert PointEntry.objects.get().points == Decimal("3.00")
    assert policies.work_order_rule(kind="inquiry", kind_label="咨询", table={"inquiry": 0}, citation="") is None


@pytest.mark.clause("G-04")
def test_deductions_are_off_until_all_three_values_are_set(tree, manager_a):
    from servicecenter.policy.values import resolve_many

    d = policies.deductions_in_force(resolve_many(services.DEDUCTION_KEYS, org=tree["a"]))
    assert not d.complete and policies.attendance_rule(status="late", absent_days=Decimal(0), deductions=d) is None
    set_param(manager_a.user, "points.deduction.late", tree["a"], "2")
    d = policies.deductions_in_force(resolve_many(services.DEDUCTION_KEYS, org=tree["a"]))
    assert not d.complete  # one value is not enough: the center cannot switch deductions on half-configured


@pytest.mark.clause("PTS-19")
def test_attendance_results_cost_points_and_a_corrected_day_is_reversed(tree, deductions_a, worker_a):
    from servicecenter.attendance.models import AttendanceResult

    result = AttendanceResult.objects.create(
        staff=worker_a,
        organization=tree["team_a"],
        day=DAY,
        status="late",
        minutes_late=12,
        inputs_hash="x",
        computed_at=MORNING,
    )
    assert services.collect_day(organization=tree["a"], day=DAY) == {"posted": 1, "reversed": 0}
    entry = PointEntry.objects.get(source=Source.ATTENDANCE)
    assert entry.points == Decimal("-2.00") and entry.category == Category.PENALTY and entry.clause == "PTS-19"
    # the day is recomputed as on time (a punch correction): the entry is reversed, not edited or deleted
    AttendanceResult.objects.filter(pk=result.pk).update(status="on_time")
    assert services.collect_day(organization=tree["a"], day=DAY) == {"posted": 0, "reversed": 1}
    reversal = PointEntry.objects.get(reverses=entry)
    assert reversal.points == Decimal("2.00") and "已更正" in reversal.reason
    assert sum(e.points for e in PointEntry.objects.all()) == 0
    # absent half a day → half an absenteeism deduction
    AttendanceResult.objects.filter(pk=result.pk).update(status="absent", absent_days=Decimal("0.5"))
    services.collect_day(organization=tree["a"], day=DAY)
    assert PointEntry.objects.get(
        source=Source.ATTENDANCE, reverses__isnull=True, reversed_by__isnull=True
    ).points == Decimal("-5.00")


@pytest.mark.clause("ATT-11")
@pytest.mark.clause("ATT-12")
def test_violations_cost_their_units_of_absenteeism(tree, deductions_a, worker_a, manager_a):
    from servicecenter.attendance.models import Violation

    first = Violation.objects.create(
        staff=worker_a, organization=tree["a"], day=DAY, type="games", reporter=manager_a.user, ordinal=1, units=1
    )
    second = Violation.objects.create(
        staff=worker_a, organization=tree["a"], day=DAY, type="games", reporter=manager_a.user, ordinal=2, units=2
    )
    services.collect_day(organization=tree["a"], day=DAY)
    by_source = {e.source_id: e for e in PointEntry.objects.filter(source=Source.VIOLATION)}
    assert by_source[first.pk].points == Decimal("-10.00") and by_source[first.pk].clause == "ATT-11"
    assert by_source[second.pk].points == Decimal("-20.00") and by_source[second.pk].clause == "ATT-12"
    Violation.objects.filter(pk=second.pk).update(status="withdrawn")
    assert services.collect_day(organization=tree["a"], day=DAY)["reversed"] == 1


@pytest.mark.clause("ATT-15")
@pytest.mark.clause("ATT-16")
def test_event_lateness_and_no_show(tree, deductions_a, worker_a, worker_a2, manager_a):
    from servicecenter.attendance.models import AttendanceEvent, EventAttendance

    event = AttendanceEvent.objects.create(
        organization=tree["a"],
        kind="training",
        title="安全培训",
        starts_at=MORNING,
        ends_at=MORNING + timedelta(hours=2),
        created_by=manager_a.user,
    )
    EventAttendance.objects.create(event=event, staff=worker_a, status="late", units=1)
    EventAttendance.objects.create(event=event, staff=worker_a2, status="absent", units=1)
    services.collect_day(organization=tree["a"], day=DAY)
    points = {e.staff_id: (e.points, e.clause) for e in PointEntry.objects.filter(source=Source.EVENT)}
    assert points == {worker_a.pk: (Decimal("-2.00"), "ATT-15"), worker_a2.pk: (Decimal("-10.00"), "ATT-16")}


@pytest.mark.clause("PTS-22")
def test_callback_attitude_points_for_the_technician(tree, clerk_a, worker_a, manager_a, at_morning):
    from servicecenter.callbacks.models import CallbackTask

    set_param(manager_a.user, "points.callback", tree["a"], {"satisfied": 1, "dissatisfied": -2})
    order = returned(clerk_a, tree["a"], worker_a)
    task = CallbackTask.objects.get(order=order)
    CallbackTask.objects.filter(pk=task.pk).update(
        status="done", attitude="dissatisfied", completed_at=MORNING + timedelta(hours=1)
    )
    services.collect_day(organization=tree["a"], day=DAY)
    entry = PointEntry.objects.get(source=Source.CALLBACK)
    assert (entry.staff, entry.points, entry.category, entry.clause) == (
        worker_a,
        Decimal("-2.00"),
        Category.PENALTY,
        "PTS-22",
    )


@pytest.mark.clause("PTS-04")
def test_the_order_clerk_verifies_the_day(tree, clerk_a, worker_a, manager_b, at_morning):
    returned(clerk_a, tree["a"], worker_a)
    with pytest.raises(NotAllowed):
        services.day_verify(actor=manager_b.user, organization=tree["a"], day=DAY)
    check = services.day_verify(actor=clerk_a.user, organization=tree["a"], day=DAY)
    assert check.verified_count == 1 and check.verified_by == clerk_a.user
    entry = PointEntry.objects.get()
    assert entry.status == EntryStatus.VERIFIED and entry.verified_by == clerk_a.user
    with pytest.raises(ValidationFailed):
        services.day_verify(actor=clerk_a.user, organization=tree["a"], day=DAY + timedelta(days=1))
    # choosing an entry someone else has verified already: a clear message, nothing changed
    with pytest.raises(ValidationFailed):
        services.day_verify(actor=clerk_a.user, organization=tree["a"], day=DAY, entry_ids=[entry.pk])


@pytest.mark.clause("PUB-01")
def test_the_board_counts_verified_entries_only(tree, clerk_a, worker_a, worker_a2, at_morning):
    returned(clerk_a, tree["a"], worker_a)
    rows = {r.staff_id: r for r in selectors.board_rows(organization=tree["a"], month=DAY, day=DAY)}
    assert rows[worker_a.pk].total == 0 and worker_a2.pk in rows  # everyone of the center is on the board
    services.day_verify(actor=clerk_a.user, organization=tree["a"], day=DAY)
    rows = {r.staff_id: r for r in selectors.board_rows(organization=tree["a"], month=DAY, day=DAY)}
    assert (rows[worker_a.pk].day_points, rows[worker_a.pk].month_work, rows[worker_a.pk].total) == (1, 1, 1)


def test_reversal_in_an_open_month_is_immediate_and_only_once(tree, clerk_a, worker_a, at_morning):
    returned(clerk_a, tree["a"], worker_a)
    entry = PointEntry.objects.get()
    with pytest.raises(ValidationFailed):
        services.entry_reverse(actor=clerk_a.user, entry_id=entry.pk, reason=" ")
    reversal = services.entry_reverse(actor=clerk_a.user, entry_id=entry.pk, reason="派错人")
    assert isinstance(reversal, PointEntry) and reversal.points == -entry.points and reversal.reverses == entry
    with pytest.raises(Conflict):
        services.entry_reverse(actor=clerk_a.user, entry_id=entry.pk, reason="再来一次")
    with pytest.raises(Conflict):
        services.entry_reverse(actor=clerk_a.user, entry_id=reversal.pk, reason="冲正的冲正")


@pytest.mark.clause("PTS-09")
@pytest.mark.clause("PTS-10")
def test_month_lock_then_a_reversal_needs_the_managers_approval(tree, clerk_a, worker_a, manager_a, finance_a):
    rule = policies.Rule(Decimal(1), Category.WORK, "workorder.returned", "PTS-04", "依据 PTS-04")
    with time_machine.travel(MORNING - timedelta(days=20), tick=False):  # 11 November: an order's draft entry
        services.entries_post(
            [services.Draft(tree["a"].pk, worker_a.pk, date(2026, 11, 11), rule, Source.WORK_ORDER, 1, "WO-1", "wo:1")]
        )
    november = date(2026, 11, 1)
    entry = PointEntry.objects.get(key="wo:1")
    with time_machine.travel(MORNING, tick=False):
        with pytest.raises(ValidationFailed, match="未核对"):
            services.month_lock(actor=finance_a.user, organization=tree["a"], month=november)
        services.day_verify(actor=clerk_a.user, organization=tree["a"], day=entry.day)
        with pytest.raises(NotAllowed):
            services.month_lock(actor=clerk_a.user, organization=tree["a"], month=november)
        close = services.month_lock(actor=finance_a.user, organization=tree["a"], month=november, note="核查无误")
        assert close.status == MonthStatus.LOCKED and close.settled_at is not None
        # PTS-10: the finance clerk's fixed asset-management item was posted by the settlement
        fixed = PointEntry.objects.get(source=Source.FIXED_ITEM)
        assert (fixed.staff, fixed.points, fixed.day, fixed.clause) == (
            finance_a,
            Decimal("50.00"),
            date(2026, 11, 30),
            "PTS-10",
        )
        assert close.snapshot[str(worker_a.pk)]["total"] == "1.00"
        with pytest.raises(Conflict):
            services.month_lock(actor=finance_a.user, organization=tree["a"], month=november)
        # after the lock: the finance clerk asks, nothing changes until the manager approves
        request = services.entry_reverse(actor=finance_a.user, entry_id=entry.pk, reason="工单重复计分")
        assert isinstance(request, ReversalRequest) and request.status == RequestStatus.PENDING
        assert not PointEntry.objects.filter(reverses=entry).exists()
        with pytest.raises(Conflict):
            services.entry_reverse(actor=finance_a.user, entry_id=entry.pk, reason="重复申请")
        approve_pending(request.approval, manager_a)
        request.refresh_from_db()
        reversal = request.reversal
        assert (
            request.status == RequestStatus.APPROVED
            and reversal.after_lock
            and reversal.approval_id == request.approval_id
        )
        assert reversal.day == entry.day and reversal.points == -entry.points
        assert list(selectors.after_lock_reversals(organization=tree["a"], month=november)) == [reversal]


@pytest.mark.clause("PTS-09")
def test_events_of_a_locked_month_are_booked_on_the_next_open_day(tree, clerk_a, worker_a, finance_a):
    november = date(2026, 11, 1)
    with time_machine.travel(MORNING, tick=False):
        services.month_lock(actor=finance_a.user, organization=tree["a"], month=november)
        rule = policies.Rule(Decimal(3), Category.WORK, "x", "PTS-04", "c")
        services.entries_post(
            [
                services.Draft(
                    tree["a"].pk, worker_a.pk, date(2026, 11, 20), rule, Source.WORK_ORDER, 1, "迟到的回单", "late-1"
                )
            ]
        )
    entry = PointEntry.objects.get(key="late-1")
    assert entry.day == date(2026, 12, 1) and "已复核锁定" in entry.citation


@pytest.mark.clause("PTS-28")
def test_instant_reward_is_counted_once_approved(tree, clerk_a, worker_a, manager_a, at_morning):
    with pytest.raises(ValidationFailed):
        services.instant_reward_request(
            actor=clerk_a.user, organization=tree["a"], staff_id=worker_a.pk, day=DAY, reason="x"
        )
    reward = services.instant_reward_request(
        actor=clerk_a.user, organization=tree["a"], staff_id=worker_a.pk, day=DAY, reason="雨夜抢修", points="5"
    )
    assert not PointEntry.objects.exists()
    approve_pending(reward.approval, manager_a)
    reward.refresh_from_db()
    assert reward.status == RequestStatus.APPROVED and reward.entry.points == Decimal("5.00")
    assert reward.entry.category == Category.REWARD and reward.entry.status == EntryStatus.VERIFIED


@pytest.mark.clause("PTS-06")
@pytest.mark.clause("PTS-05")
@pytest.mark.clause("PUB-14")
def test_next_morning_summary_goes_to_the_configured_people_once(tree, clerk_a, worker_a, manager_a, at_morning):
    boss = factories.make_staff(tree["ops"], "ops_center_gm", name="张建")
    copy = factories.make_staff(tree["ops"], "ops_center_gm", name="李磊")
    set_param(
        manager_a.user,
        "points.daily_report_recipients",
        tree["a"],
        {"to": [boss.staff_no], "cc": [copy.staff_no, "NOBODY"]},
    )
    returned(clerk_a, tree["a"], worker_a)
    services.day_verify(actor=clerk_a.user, organization=tree["a"], day=DAY)
    assert services.daily_summaries(now=MORNING + timedelta(hours=10)) == 0  # same day: not yet
    next_morning = datetime(2026, 12, 2, 8, 31, tzinfo=SH)
    assert services.daily_summaries(now=next_morning) == 1
    assert services.daily_summaries(now=next_morning + timedelta(minutes=15)) == 0
    check = DailyCheck.objects.get(organization=tree["a"], day=DAY)
    assert check.summary_recipients["missing"] == ["NOBODY"] and worker_a.name in check.summary_body
    assert Notification.objects.filter(recipient=boss.user, verb="points.daily_summary").count() == 1
    assert Notification.objects.filter(recipient=copy.user, verb="points.daily_summary_cc").count() == 1
    posting = tree["a"] and selectors.postings(organization=tree["a"]).get()
    assert posting.day == DAY and posting.posted_at == next_morning


@pytest.mark.clause("PTS-04")
def test_unverified_drafts_at_closing_time_alert_once(tree, clerk_a, worker_a, at_morning):
    returned(clerk_a, tree["a"], worker_a)
    assert services.shift_end_alerts(now=MORNING + timedelta(hours=2)) == 0
    closing = datetime(2026, 12, 1, 20, 5, tzinfo=SH)
    assert services.shift_end_alerts(now=closing) == 1
    assert services.shift_end_alerts(now=closing + timedelta(minutes=15)) == 0
    assert Notification.objects.filter(recipient=clerk_a.user, verb="points.unverified").exists()


@pytest.mark.clause("PTS-09")
@pytest.mark.clause("C-08")
def test_recheck_reminders_then_overdue_alert(tree, finance_a, manager_a):
    assert policies.recheck_state(today=date(2026, 12, 5), deadline_day=5).state == "remind"
    assert policies.recheck_state(today=date(2026, 12, 6), deadline_day=5).state == "overdue"
    day1 = datetime(2026, 12, 1, 8, 5, tzinfo=SH)
    assert services.month_reminders(now=day1) >= 1
    assert Notification.objects.filter(recipient=finance_a.user, verb="points.recheck_reminder").count() == 1
    services.month_reminders(now=day1 + timedelta(hours=1))  # once a day
    assert Notification.objects.filter(recipient=finance_a.user, verb="points.recheck_reminder").count() == 1
    services.month_reminders(now=datetime(2026, 12, 6, 8, 5, tzinfo=SH))
    assert Notification.objects.filter(recipient=manager_a.user, verb="points.recheck_overdue").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_collecting_the_same_day_write_each_entry_once(tree, clerk_a, worker_a):
    if connection.vendor != "postgresql":
        pytest.skip("row-level races need PostgreSQL")
    with time_machine.travel(MORNING, tick=False):
        returned(clerk_a, tree["a"], worker_a)
    PointEntry.objects.all().delete()
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait()
            services.collect_day(organization=tree["a"], day=DAY)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and PointEntry.objects.count() == 1


@pytest.mark.clause("PTS-18")
def test_the_periodic_entry_points_run_once_each(tree, clerk_a, worker_a, finance_a, at_morning):
    from servicecenter.points import tasks

    order = returned(clerk_a, tree["a"], worker_a)
    PointEntry.objects.filter(source_id=order.pk).delete()  # as if the return hook had not run
    assert tasks.collect_task(now="2026-12-01T09:30:00+08:00") == {"posted": 1, "reversed": 0}
    assert tasks.collect_task(now="2026-12-01T09:40:00+08:00") == {"posted": 0, "reversed": 0}
    # 00:40 on the 1st: November is settled once (the finance clerk's fixed item), the next run does nothing
    assert tasks.month_end_task(now="2026-12-01T00:40:00+08:00") >= 1
    assert tasks.month_end_task(now="2026-12-01T00:50:00+08:00") == 0
    assert PointEntry.objects.filter(source=Source.FIXED_ITEM, staff=finance_a).count() == 1


@pytest.mark.clause("C-08")
def test_a_hall_closed_at_weekends_reports_saturday_on_monday(tree, manager_b):
    hall = tree["b"]  # a government hall: open on statutory working days only (ATT-21)
    staff = factories.make_staff(hall, "window_staff", name="乙窗口")
    rule = policies.Rule(Decimal(2), Category.WORK, "workorder.returned", "PTS-04", "依据 PTS-04")
    saturday = date(2026, 12, 5)
    services.entries_post(
        [services.Draft(hall.pk, staff.pk, saturday, rule, Source.WORK_ORDER, 9, "WO-9", "wo:9", status="verified")]
    )
    assert services.daily_summaries(now=datetime(2026, 12, 6, 9, 0, tzinfo=SH)) == 0  # Sunday: closed
    assert services.daily_summaries(now=datetime(2026, 12, 7, 8, 31, tzinfo=SH)) == 1  # Monday: Saturday's points
    assert DailyCheck.objects.get(organization=hall, day=saturday).summary_sent_at is not None
    assert services.daily_summaries(now=datetime(2026, 12, 7, 9, 31, tzinfo=SH)) == 0
