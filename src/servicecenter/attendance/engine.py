"""The attendance engine: one staff member's day from their shifts, punches and absences — pure functions, no ORM.

Inputs are plain values (the roster's ScheduledShift and the leave app's Absence records, or anything shaped like
them; punches as `PunchIn`; the parameter values in force as `Rules`), so the same inputs always give the same
`DayResult` (reproducibility) and `inputs_fingerprint` tells whether an input changed.

Rules (each result names the clause that produced it):
- no working shift: a rest day of the roster → rest (ATT-08); a statutory holiday → rest; only on-call duty → not
  scheduled, never a violation (C-24); else not scheduled;
- the shift's periods minus approved absences are the *required* time; nothing required → on leave, or business
  trip for an official outing (LEV-09, LEV-14);
- no punch at all → absent, counted in absenteeism days (ATT-05, LEV-08) and fined per day where the center fines
  (ATT-24); one of the two punches missing → missing punch (ATT-03);
- clock-in after required start + grace → late, clock-out before required end → early leave (ATT-04); punches are
  compared to the minute (08:00:59 counts as 08:00);
- clock-in not late but later than start − early-arrival minutes → flag `not_early` (ATT-18);
- a center with sign-in: no clock-in inside the sign-in window → missed sign-in, fined (ATT-22, ATT-23).
A split day (two periods) needs a clock-in before the first period and a clock-out after the last one; punches
at the lunch break are allowed and ignored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from servicecenter.core.policy import implements

# A punch counts for a shift from this long before its first period to this long after its last one.
PUNCH_LEAD = timedelta(hours=4)
PUNCH_TAIL = timedelta(hours=6)

ON_TIME, LATE, EARLY_LEAVE, ABSENT = "on_time", "late", "early_leave", "absent"
ON_LEAVE, BUSINESS_TRIP, REST, MISSING_PUNCH = "on_leave", "business_trip", "rest", "missing_punch"
NOT_SCHEDULED, PENDING = "not_scheduled", "pending"
OFFICIAL_OUTING = "official_outing"


class ShiftLike(Protocol):
    staff_id: int
    day: date
    shift_code: str
    shift_label: str
    periods: tuple[tuple[datetime, datetime], ...]
    sign_in_window: tuple[datetime, datetime] | None
    early_arrival_minutes: int
    on_call: bool
    citation: str


class AbsenceLike(Protocol):
    staff_id: int
    kind: str
    kind_label: str
    starts_at: datetime
    ends_at: datetime
    request_id: int
    deducted: bool
    citation: str


@dataclass(frozen=True)
class PunchIn:
    at: datetime
    kind: str  # "in" | "out"


@dataclass(frozen=True)
class Rules:
    """Parameter values in force for the center on the day, with their citations (PolicyValue.citation)."""

    late_grace_minutes: int = 0
    sign_in_required: bool = False
    fine_missed_sign_in: Decimal = Decimal("0")
    fine_absent_per_day: Decimal = Decimal("0")
    citations: dict[str, str] = field(default_factory=dict)

    def cite(self, key: str) -> str:
        return self.citations.get(key, "")

    def canonical(self) -> dict[str, Any]:
        return {
            "grace": self.late_grace_minutes,
            "sign_in": self.sign_in_required,
            "fine_sign_in": str(self.fine_missed_sign_in),
            "fine_absent": str(self.fine_absent_per_day),
        }


@dataclass(frozen=True)
class DayInput:
    staff_id: int
    day: date
    shifts: tuple[ShiftLike, ...] = ()
    punches: tuple[PunchIn, ...] = ()
    absences: tuple[AbsenceLike, ...] = ()
    rest_day: bool = False
    holiday_name: str = ""  # the statutory holiday of the day, if any (workcalendar day_kind)


@dataclass(frozen=True)
class Fine:
    amount: Decimal
    reason: str
    clause: str
    citation: str

    def as_json(self) -> dict[str, str]:
        return {"amount": str(self.amount), "reason": self.reason, "clause": self.clause, "citation": self.citation}


@dataclass(frozen=True)
class DayResult:
    staff_id: int
    day: date
    status: str
    clause: str
    citation: str
    shift_code: str = ""
    shift_label: str = ""
    scheduled_start: datetime | None = None
    scheduled_end: datetime | None = None
    first_in: datetime | None = None
    last_out: datetime | None = None
    minutes_late: int = 0
    minutes_early: int = 0
    not_early: bool = False
    missed_sign_in: bool = False
    missing_punch: bool = False
    absent_days: Decimal = Decimal("0")
    leave_kind: str = ""
    fines: tuple[Fine, ...] = ()

    @property
    def fine_cny(self) -> Decimal:
        return sum((f.amount for f in self.fines), Decimal("0"))


# --- helpers ------------------------------------------------------------------------------------------------------


def _minute(value: datetime) -> datetime:
    return value.replace(second=0, microsecond=0)


def _ceil_minutes(delta: timedelta) -> int:
    seconds = int(delta.total_seconds())
    return max(0, -(-seconds // 60))


def _subtract(
    periods: Iterable[tuple[datetime, datetime]], holes: Iterable[tuple[datetime, datetime]]
) -> list[tuple[datetime, datetime]]:
    """The parts of `periods` not covered by `holes` (intervals are half-open)."""
    result = list(periods)
    for h_start, h_end in holes:
        next_result: list[tuple[datetime, datetime]] = []
        for start, end in result:
            if h_end <= start or h_start >= end:
                next_result.append((start, end))
                continue
            if h_start > start:
                next_result.append((start, h_start))
            if h_end < end:
                next_result.append((h_end, end))
        result = next_result
    return result


def _fmt(value: datetime | None, tz: Any) -> str:
    return value.astimezone(tz).strftime("%H:%M") if value is not None else "—"


# --- rules --------------------------------------------------------------------------------------------------------


@implements("ATT-04")
def lateness(*, clock_in: datetime, start: datetime, grace_minutes: int) -> int:
    """ATT-04: minutes late (0 when on time): clock-in, to the minute, after start + grace."""
    limit = start + timedelta(minutes=grace_minutes)
    punched = _minute(clock_in)
    return _ceil_minutes(punched - start) if punched > limit else 0


def early_leaving(*, clock_out: datetime, end: datetime) -> int:
    """ATT-04: minutes left early (0 when the clock-out, to the minute, is at or after the end)."""
    punched = _minute(clock_out)
    return _ceil_minutes(end - punched) if punched < end else 0


@implements("ATT-18")
def not_early(*, clock_in: datetime, start: datetime, early_minutes: int) -> bool:
    """ATT-18: a clock-in that is not late but inside the last `early_minutes` before the start is "not early"
    (shift 08:00, 10 minutes: 07:50 is fine, 07:55 is flagged, 08:01 is late)."""
    if early_minutes <= 0:
        return False
    punched = _minute(clock_in)
    return start - timedelta(minutes=early_minutes) < punched <= start


@implements("ATT-22")
def signed_in(*, window: tuple[datetime, datetime], punches: Sequence[PunchIn]) -> bool:
    """ATT-22: a clock-in inside the sign-in window [start, end] (to the minute) counts as the day's sign-in."""
    start, end = window
    return any(p.kind == "in" and start <= _minute(p.at) <= end for p in punches)


@implements("ATT-23")
def missed_sign_in_fine(rules: Rules) -> Fine | None:
    """ATT-23: each missed sign-in is fined `attendance.fine.missed_sign_in_cny` (¥5 in a gov hall)."""
    if rules.fine_missed_sign_in <= 0:
        return None
    return Fine(
        rules.fine_missed_sign_in,
        "缺签",
        "ATT-23",
        rules.cite("attendance.fine.missed_sign_in_cny"),
    )


@implements("ATT-24")
def absent_fine(rules: Rules, days: Decimal) -> Fine | None:
    """ATT-24: absenteeism is fined `attendance.fine.absenteeism_cny_per_day` per day (¥20 in a gov hall)."""
    if rules.fine_absent_per_day <= 0 or days <= 0:
        return None
    return Fine(
        (rules.fine_absent_per_day * days).quantize(Decimal("0.01")),
        f"旷工 {days} 天",
        "ATT-24",
        rules.cite("attendance.fine.absenteeism_cny_per_day"),
    )


@implements("ATT-03", "ATT-05", "LEV-08", "C-24")
def compute_day(inp: DayInput, rules: Rules, *, now: datetime | None = None, tz: Any = None) -> DayResult:
    """The attendance result of one staff member on one day (see the module docstring for the rules).

    `now` (optional) marks a day still in progress: nothing is missing or absent before the required end, and a
    person not yet due is `pending`. `tz` only formats the times quoted in the citation (default: the shift's).
    """
    working = [s for s in inp.shifts if not s.on_call]
    base: dict[str, Any] = {"staff_id": inp.staff_id, "day": inp.day}
    if not working:
        if inp.rest_day:
            return DayResult(**base, status=REST, clause="ATT-08", citation="依据 ATT-08：排休表中的公休日")
        if inp.holiday_name:
            return DayResult(
                **base, status=REST, clause="C-01", citation=f"依据 C-01：法定节假日（{inp.holiday_name}）"
            )
        if inp.shifts:
            shift = inp.shifts[0]
            return DayResult(
                **base,
                status=NOT_SCHEDULED,
                clause="C-24",
                citation="依据 C-24：值班（待命）不产生考勤违纪",
                shift_code=shift.shift_code,
                shift_label=shift.shift_label,
            )
        return DayResult(**base, status=NOT_SCHEDULED, clause="", citation="当日未排班")

    shift = working[0]
    periods = sorted(p for s in working for p in s.periods)
    tz = tz or periods[0][0].tzinfo
    shift_info: dict[str, Any] = {
        "shift_code": "+".join(dict.fromkeys(s.shift_code for s in working)),
        "shift_label": "+".join(dict.fromkeys(s.shift_label for s in working)),
        "scheduled_start": periods[0][0],
        "scheduled_end": periods[-1][1],
    }
    holes = [(a.starts_at, a.ends_at) for a in inp.absences]
    required = _subtract(periods, holes)
    if not required:
        absence = next(
            (a for a in inp.absences if a.starts_at < periods[-1][1] and a.ends_at > periods[0][0]), inp.absences[0]
        )
        status = BUSINESS_TRIP if absence.kind == OFFICIAL_OUTING else ON_LEAVE
        return DayResult(
            **base,
            **shift_info,
            status=status,
            clause="LEV-14" if status == BUSINESS_TRIP else "LEV-01",
            citation=absence.citation or f"{absence.kind_label}（已批准）",
            leave_kind=absence.kind,
        )

    req_start, req_end = required[0][0], required[-1][1]
    window_lo, window_hi = periods[0][0] - PUNCH_LEAD, periods[-1][1] + PUNCH_TAIL
    punches = tuple(sorted((p for p in inp.punches if window_lo <= p.at <= window_hi), key=lambda p: p.at))
    ins = [p.at for p in punches if p.kind == "in"]
    outs = [p.at for p in punches if p.kind == "out" and (not ins or p.at >= ins[0])]
    first_in = ins[0] if ins else None
    last_out = outs[-1] if outs else None
    in_progress = now is not None and now < req_end
    partial_leave = bool(inp.absences) and required != periods
    leave_kind = inp.absences[0].kind if partial_leave else ""
    info: dict[str, Any] = {**base, **shift_info, "first_in": first_in, "last_out": last_out, "leave_kind": leave_kind}

    if first_in is None and last_out is None:
        if in_progress:
            return DayResult(**info, status=PENDING, clause="", citation="尚未打卡")
        days = Decimal("0.5") if partial_leave else Decimal("1")
        fine = absent_fine(rules, days)
        return DayResult(
            **info,
            status=ABSENT,
            clause="LEV-08",
            citation=(
                f"依据 ATT-05、LEV-08：应到 {_fmt(req_start, tz)}–{_fmt(req_end, tz)} "
                "无打卡且无已批准的请假，按旷工处理"
            ),
            absent_days=days,
            fines=(fine,) if fine else (),
        )

    minutes_late = (
        lateness(clock_in=first_in, start=req_start, grace_minutes=rules.late_grace_minutes) if first_in else 0
    )
    minutes_early = early_leaving(clock_out=last_out, end=req_end) if last_out and not in_progress else 0
    flag_not_early = (
        first_in is not None
        and minutes_late == 0
        and not_early(clock_in=first_in, start=req_start, early_minutes=shift.early_arrival_minutes)
    )
    missing = first_in is None or (last_out is None and not in_progress)

    fines: list[Fine] = []
    missed_sign_in = False
    window = shift.sign_in_window
    # A morning on approved leave (the first required moment after the window) needs no sign-in.
    if rules.sign_in_required and window is not None and req_start <= window[1]:
        if not signed_in(window=window, punches=punches):
            missed_sign_in = True
            fine = missed_sign_in_fine(rules)
            if fine:
                fines.append(fine)

    parts: list[str] = []
    if missing:
        status, clause = MISSING_PUNCH, "ATT-03"
        which = "上班" if first_in is None else "下班"
        parts.append(f"依据 ATT-03：缺{which}打卡（应到 {_fmt(req_start, tz)}，应退 {_fmt(req_end, tz)}），须补卡说明")
    elif minutes_late:
        status, clause = LATE, "ATT-04"
    elif minutes_early:
        status, clause = EARLY_LEAVE, "ATT-04"
    elif in_progress:
        status, clause = PENDING, ""
    else:
        status, clause = ON_TIME, "ATT-04"
    if minutes_late:
        parts.append(
            f"依据 ATT-04：上班打卡 {_fmt(first_in, tz)}，应到 {_fmt(req_start, tz)}，"
            f"宽限 {rules.late_grace_minutes} 分钟，迟到 {minutes_late} 分钟"
            + (
                f"（{rules.cite('attendance.late_grace_minutes')}）"
                if rules.cite("attendance.late_grace_minutes")
                else ""
            )
        )
    if minutes_early:
        parts.append(f"依据 ATT-04：下班打卡 {_fmt(last_out, tz)}，应退 {_fmt(req_end, tz)}，早退 {minutes_early} 分钟")
    if status == ON_TIME:
        parts.append(f"依据 ATT-04：上班 {_fmt(first_in, tz)}、下班 {_fmt(last_out, tz)}，未迟到早退")
    if flag_not_early:
        parts.append(
            f"依据 ATT-18：须提前 {shift.early_arrival_minutes} 分钟到岗，上班打卡 {_fmt(first_in, tz)} 未提前"
        )
    if missed_sign_in and window is not None:
        parts.append(
            f"依据 ATT-22：签到时段 {_fmt(window[0], tz)}–{_fmt(window[1], tz)} 内无签到"
            + (f"，罚款 ¥{fines[0].amount}（ATT-23）" if fines else "")
        )
    if partial_leave:
        parts.append(f"{inp.absences[0].kind_label}（已批准）部分时段免考勤")
    return DayResult(
        **info,
        status=status,
        clause=clause,
        citation="；".join(parts),
        minutes_late=minutes_late,
        minutes_early=minutes_early,
        not_early=flag_not_early,
        missed_sign_in=missed_sign_in,
        missing_punch=missing,
        fines=tuple(fines),
    )


def _ts(value: datetime | None) -> int | None:
    return int(value.timestamp()) if value is not None else None


def inputs_fingerprint(inp: DayInput, rules: Rules) -> str:
    """SHA-256 of the canonical inputs of one day: equal exactly when shifts, punches, absences, rest day,
    holiday and parameter values are equal (used to prove and skip unchanged recomputations). Instants are
    compared as POSIX seconds, so the fingerprint does not depend on the time zone a value was loaded in."""
    doc = (
        inp.staff_id,
        inp.day.toordinal(),
        inp.rest_day,
        inp.holiday_name,
        sorted(
            (
                s.shift_code,
                tuple((_ts(a), _ts(b)) for a, b in s.periods),
                (_ts(s.sign_in_window[0]), _ts(s.sign_in_window[1])) if s.sign_in_window else None,
                s.early_arrival_minutes,
                s.on_call,
            )
            for s in inp.shifts
        ),
        sorted((_ts(p.at), p.kind) for p in inp.punches),
        sorted((a.kind, _ts(a.starts_at), _ts(a.ends_at), a.request_id) for a in inp.absences),
        tuple(sorted(rules.canonical().items())),
    )
    return hashlib.sha256(repr(doc).encode()).hexdigest()


# --- violations ladder (ATT-11…13, C-06) --------------------------------------------------------------------------


@dataclass(frozen=True)
class LadderStep:
    ordinal: int
    units: Decimal
    escalate: bool
    clause: str
    explanation: str


@implements("ATT-11", "ATT-12", "ATT-13", "C-06")
def ladder_step(*, ordinal: int, ladder: dict[str, Any]) -> LadderStep:
    """The sanction of the `ordinal`-th non-work violation of a person in a calendar month.

    Parameter `attendance.nonwork_violation_ladder` = {"counting": "ordinal_multiplier" | "cumulative",
    "steps": [1, 2], "escalate_at": 3, "demotion_request": true}.
    - ordinal_multiplier (C-06 default): the n-th violation is charged steps[n-1] units (1, then 2: total 3);
    - cumulative: the n-th brings the month's total to steps[n-1] (1, then +1: total 2);
    - from `escalate_at` on: no units of its own, escalation to the ops center with a demotion request (ATT-13).
    """
    steps = [Decimal(str(s)) for s in ladder.get("steps") or [1, 2]]
    escalate_at = int(ladder.get("escalate_at") or len(steps) + 1)
    counting = ladder.get("counting") or "ordinal_multiplier"
    if ordinal >= escalate_at:
        return LadderStep(
            ordinal, Decimal("0"), True, "ATT-13", f"本月第 {ordinal} 次：上报营维中心处罚并申请降职（ATT-13）"
        )
    index = min(ordinal, len(steps)) - 1
    if counting == "cumulative":
        previous = steps[index - 1] if index > 0 else Decimal("0")
        units = max(steps[index] - previous, Decimal("0"))
        how = f"累计计至 {steps[index]} 次旷工（C-06 累计口径）"
    else:
        units = steps[index]
        how = f"按 {units} 次旷工计（C-06 按次数倍数计）"
    clause = "ATT-11" if ordinal == 1 else "ATT-12"
    return LadderStep(ordinal, units, False, clause, f"本月第 {ordinal} 次：{how}（{clause}）")


# --- events (ATT-14…16, C-23) -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventOutcome:
    status: str  # present | late | on_leave | absent
    units: Decimal
    clause: str
    explanation: str


@implements("ATT-14", "ATT-15", "ATT-16", "C-23")
def event_outcome(
    *,
    starts_at: datetime,
    ends_at: datetime,
    checked_in_at: datetime | None,
    checked_out_at: datetime | None,
    absences: Sequence[AbsenceLike],
) -> EventOutcome:
    """ATT-15: check-in after the start or check-out before the end counts as late; ATT-16: a no-show not covered
    by an approved leave (ATT-14: requested before the event; C-23 event leave is a leave type) is absenteeism."""
    covered = any(a.starts_at <= starts_at and a.ends_at >= ends_at for a in absences) or any(
        a.starts_at < ends_at and a.ends_at > starts_at for a in absences if a.kind == "event"
    )
    if checked_in_at is None:
        if covered:
            return EventOutcome("on_leave", Decimal("0"), "ATT-14", "已批准请假，不计缺席（ATT-14）")
        return EventOutcome("absent", Decimal("1"), "ATT-16", "未经批准擅自不参加，按旷工处理（ATT-16）")
    if _minute(checked_in_at) > starts_at or (checked_out_at is not None and _minute(checked_out_at) < ends_at):
        return EventOutcome("late", Decimal("1"), "ATT-15", "规定时间内未到或早退，按迟到处理（ATT-15）")
    return EventOutcome("present", Decimal("0"), "ATT-15", "按时参加")
