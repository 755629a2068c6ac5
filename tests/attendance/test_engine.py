"""The pure attendance engine: every rule and its boundaries (midnight-crossing 24-h shifts, month end, holidays
and make-up workdays, grace 0, split day)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from servicecenter.attendance import engine
from servicecenter.attendance.engine import DayInput, PunchIn, Rules

from .fakes import Absence, at, d8, r24, split

DAY = date(2026, 3, 10)
RULES = Rules()
HALL = Rules(sign_in_required=True, fine_missed_sign_in=Decimal("5"), fine_absent_per_day=Decimal("20"))


def punches(day: date, *pairs: tuple[str, str], plus_days: int = 0) -> tuple[PunchIn, ...]:
    return tuple(PunchIn(at=at(day, t, plus_days=plus_days), kind=k) for k, t in pairs)


def run(shifts=(), ps=(), absences=(), rules=RULES, day=DAY, **kw):
    return engine.compute_day(DayInput(1, day, tuple(shifts), tuple(ps), tuple(absences), **kw), rules)


@pytest.mark.clause("ATT-04")
def test_on_time_late_and_early_with_grace_zero():
    shift = [d8(1, DAY, "08:00", "16:00")]
    ok = run(shift, punches(DAY, ("in", "08:00"), ("out", "16:00")))
    assert ok.status == "on_time" and ok.clause == "ATT-04"
    late = run(shift, punches(DAY, ("in", "08:01"), ("out", "16:00")))
    assert (late.status, late.minutes_late, late.clause) == ("late", 1, "ATT-04")
    assert "迟到 1 分钟" in late.citation
    early = run(shift, punches(DAY, ("in", "07:40"), ("out", "15:59")))
    assert (early.status, early.minutes_early) == ("early_leave", 1)


@pytest.mark.clause("ATT-04")
def test_grace_minutes_boundary():
    shift = [d8(1, DAY, "08:00", "16:00")]
    rules = Rules(late_grace_minutes=5)
    assert run(shift, punches(DAY, ("in", "08:05"), ("out", "16:00")), rules=rules).status == "on_time"
    late = run(shift, punches(DAY, ("in", "08:06"), ("out", "16:00")), rules=rules)
    assert late.status == "late" and late.minutes_late == 6


def test_seconds_inside_the_minute_are_not_late():
    shift = [d8(1, DAY, "08:00", "16:00")]
    ps = (PunchIn(at(DAY, "08:00") + timedelta(seconds=59), "in"), PunchIn(at(DAY, "16:00"), "out"))
    assert run(shift, ps).status == "on_time"


@pytest.mark.clause("ATT-18")
def test_not_early_flag():
    shift = [d8(1, DAY, "08:00", "16:00", early_arrival_minutes=10)]
    fine = run(shift, punches(DAY, ("in", "07:50"), ("out", "16:00")))
    assert fine.status == "on_time" and not fine.not_early
    flagged = run(shift, punches(DAY, ("in", "07:55"), ("out", "16:00")))
    assert flagged.status == "on_time" and flagged.not_early and "ATT-18" in flagged.citation
    late = run(shift, punches(DAY, ("in", "08:01"), ("out", "16:00")))
    assert late.status == "late" and not late.not_early


@pytest.mark.clause("ATT-05", "LEV-08", "ATT-24")
def test_absent_without_leave_and_fine():
    shift = [d8(1, DAY)]
    station = run(shift)
    assert (station.status, station.absent_days, station.fine_cny) == ("absent", Decimal("1"), Decimal("0"))
    assert station.clause == "LEV-08"
    hall = run([split(1, DAY)], rules=HALL)
    assert hall.status == "absent" and hall.fine_cny == Decimal("20")
    assert hall.fines[0].clause == "ATT-24"
    assert not hall.missed_sign_in  # the day's fine is the absence, not also a missed sign-in


@pytest.mark.clause("ATT-03")
def test_missing_punch_flagged():
    shift = [d8(1, DAY)]
    res = run(shift, punches(DAY, ("in", "08:20")))
    assert res.status == "missing_punch" and res.missing_punch and res.clause == "ATT-03"
    no_in = run(shift, punches(DAY, ("out", "16:40")))
    assert no_in.status == "missing_punch" and "缺上班打卡" in no_in.citation


@pytest.mark.clause("ATT-22", "ATT-23")
def test_sign_in_window_and_fine():
    ok = run([split(1, DAY)], punches(DAY, ("in", "08:10"), ("out", "17:30")), rules=HALL)
    assert ok.status == "on_time" and not ok.missed_sign_in and ok.fine_cny == 0
    edge = run([split(1, DAY)], punches(DAY, ("in", "08:30"), ("out", "17:30")), rules=HALL)
    assert not edge.missed_sign_in
    missed = run([split(1, DAY)], punches(DAY, ("in", "08:35"), ("out", "17:30")), rules=HALL)
    assert missed.missed_sign_in and missed.fine_cny == Decimal("5") and missed.status == "late"
    assert missed.fines[0].clause == "ATT-23"
    # a center without the sign-in rule: no missed sign-in
    assert not run([split(1, DAY)], punches(DAY, ("in", "08:35"), ("out", "17:30"))).missed_sign_in


def test_split_day_lunch_punches_are_not_early_leave():
    ps = punches(DAY, ("in", "08:20"), ("out", "11:31"), ("in", "14:25"), ("out", "17:31"))
    res = run([split(1, DAY, sign_in=False)], ps)
    assert res.status == "on_time" and res.minutes_early == 0


def test_midnight_crossing_24h_shift():
    shift = [r24(1, DAY)]
    ps = punches(DAY, ("in", "07:45")) + punches(DAY, ("out", "08:02"), plus_days=1)
    res = run(shift, ps)
    assert res.status == "on_time" and res.last_out == at(DAY, "08:02", plus_days=1)
    early = run(shift, punches(DAY, ("in", "07:45")) + punches(DAY, ("out", "06:00"), plus_days=1))
    assert early.status == "early_leave" and early.minutes_early == 120


def test_month_end_shift_crossing_into_next_month():
    last = date(2026, 3, 31)
    res = run(
        [r24(1, last, "20:00")], punches(last, ("in", "19:45")) + punches(last, ("out", "20:00"), plus_days=1), day=last
    )
    assert res.status == "on_time" and res.day == last


@pytest.mark.clause("C-24")
def test_on_call_never_a_violation():
    on_call = d8(1, DAY, on_call=True)
    res = run([on_call])
    assert res.status == "not_scheduled" and res.clause == "C-24"


def test_rest_holiday_and_makeup_workday():
    assert run(rest_day=True).status == "rest"
    holiday = run(holiday_name="国庆节")
    assert holiday.status == "rest" and "国庆节" in holiday.citation
    # a make-up workday (调休) is a normal working day when the roster schedules it
    makeup = date(2026, 2, 28)
    assert run([d8(1, makeup)], day=makeup).status == "absent"
    assert run().status == "not_scheduled"


def test_leave_covers_day_or_part():
    shift = [d8(1, DAY)]
    full = run(shift, absences=[Absence(1, at(DAY, "00:00"), at(DAY, "23:59"))])
    assert full.status == "on_leave" and full.leave_kind == "personal"
    trip = run(shift, absences=[Absence(1, at(DAY, "08:00"), at(DAY, "18:00"), kind="official_outing")])
    assert trip.status == "business_trip" and trip.clause == "LEV-14"
    # morning on leave: due at 12:30, not late at 12:25
    half = run(
        shift,
        punches(DAY, ("in", "12:25"), ("out", "16:30")),
        absences=[Absence(1, at(DAY, "08:30"), at(DAY, "12:30"))],
    )
    assert half.status == "on_time"
    half_absent = run(shift, absences=[Absence(1, at(DAY, "08:30"), at(DAY, "12:30"))])
    assert half_absent.status == "absent" and half_absent.absent_days == Decimal("0.5")


def test_in_progress_day_is_pending_not_absent():
    shift = [d8(1, DAY)]
    res = engine.compute_day(DayInput(1, DAY, tuple(shift)), RULES, now=at(DAY, "08:00"))
    assert res.status == "pending"
    late_so_far = engine.compute_day(
        DayInput(1, DAY, tuple(shift), punches(DAY, ("in", "08:40"))), RULES, now=at(DAY, "09:00")
    )
    assert late_so_far.status == "late" and not late_so_far.missing_punch


def test_fingerprint_changes_only_with_inputs():
    base = DayInput(1, DAY, (d8(1, DAY),), punches(DAY, ("in", "08:00")))
    same = DayInput(1, DAY, (d8(1, DAY),), punches(DAY, ("in", "08:00")))
    other = DayInput(1, DAY, (d8(1, DAY),), punches(DAY, ("in", "08:01")))
    assert engine.inputs_fingerprint(base, RULES) == engine.inputs_fingerprint(same, RULES)
    assert engine.inputs_fingerprint(base, RULES) != engine.inputs_fingerprint(other, RULES)
    assert engine.inputs_fingerprint(base, RULES) != engine.inputs_fingerprint(base, Rules(late_grace_minutes=1))


@pytest.mark.clause("ATT-11", "ATT-12", "ATT-13", "C-06")
def test_violation_ladder_both_countings():
    ladder = {"counting": "ordinal_multiplier", "steps": [1, 2], "escalate_at": 3}
    steps = [engine.ladder_step(ordinal=n, ladder=ladder) for n in (1, 2, 3)]
    assert [s.units for s in steps] == [1, 2, 0] and [s.escalate for s in steps] == [False, False, True]
    assert [s.clause for s in steps] == ["ATT-11", "ATT-12", "ATT-13"]
    cumulative = {**ladder, "counting": "cumulative"}
    assert [engine.ladder_step(ordinal=n, ladder=cumulative).units for n in (1, 2)] == [1, 1]


@pytest.mark.clause("ATT-14", "ATT-15", "ATT-16", "C-23")
def test_event_outcomes():
    s, e = at(DAY, "14:00"), at(DAY, "16:00")
    kw = {"starts_at": s, "ends_at": e}
    assert engine.event_outcome(**kw, checked_in_at=at(DAY, "13:55"), checked_out_at=e, absences=[]).status == "present"
    assert engine.event_outcome(**kw, checked_in_at=at(DAY, "14:01"), checked_out_at=e, absences=[]).status == "late"
    early = engine.event_outcome(**kw, checked_in_at=s, checked_out_at=at(DAY, "15:30"), absences=[])
    assert early.status == "late" and early.clause == "ATT-15"
    no_show = engine.event_outcome(**kw, checked_in_at=None, checked_out_at=None, absences=[])
    assert no_show.status == "absent" and no_show.units == 1 and no_show.clause == "ATT-16"
    leave = Absence(1, at(DAY, "13:00"), at(DAY, "17:00"), kind="event", kind_label="活动请假")
    assert engine.event_outcome(**kw, checked_in_at=None, checked_out_at=None, absences=[leave]).status == "on_leave"
