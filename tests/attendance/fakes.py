"""Stand-ins shaped like the providers' contract records (rosters.ScheduledShift, leave.Absence), for the pure
engine tests and for service tests that stub the roster/leave inputs (tests/attendance/conftest.py `roster`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SH = ZoneInfo("Asia/Shanghai")


def at(day: date, hhmm: str, *, plus_days: int = 0) -> datetime:
    h, m = (int(x) for x in hhmm.split(":"))
    return datetime.combine(day + timedelta(days=plus_days), time(h, m), tzinfo=SH)


@dataclass(frozen=True)
class Shift:
    staff_id: int
    day: date
    shift_code: str = "D8"
    shift_label: str = "白班"
    periods: tuple[tuple[datetime, datetime], ...] = ()
    sign_in_window: tuple[datetime, datetime] | None = None
    early_arrival_minutes: int = 0
    on_call: bool = False
    citation: str = "排班表"


def d8(staff_id: int, day: date, start: str = "08:30", end: str = "16:30", **kw) -> Shift:
    return Shift(staff_id=staff_id, day=day, periods=((at(day, start), at(day, end)),), **kw)


def split(staff_id: int, day: date, *, sign_in: bool = True) -> Shift:
    return Shift(
        staff_id=staff_id,
        day=day,
        shift_code="SPLIT",
        shift_label="政务大厅",
        periods=((at(day, "08:30"), at(day, "11:30")), (at(day, "14:30"), at(day, "17:30"))),
        sign_in_window=(at(day, "08:00"), at(day, "08:30")) if sign_in else None,
    )


def r24(staff_id: int, day: date, start: str = "08:00") -> Shift:
    return Shift(
        staff_id=staff_id,
        day=day,
        shift_code="R24",
        shift_label="24小时班",
        periods=((at(day, start), at(day, start, plus_days=1)),),
        early_arrival_minutes=10,
    )


@dataclass(frozen=True)
class Absence:
    staff_id: int
    starts_at: datetime
    ends_at: datetime
    kind: str = "personal"
    kind_label: str = "事假"
    request_id: int = 1
    deducted: bool = True
    citation: str = "依据 LEV-01，审批单 #1"


@dataclass
class FakeRoster:
    """What `attendance.inputs` returns while a test runs (set through the `roster` fixture)."""

    shifts: list[Shift] = field(default_factory=list)
    rests: dict[int, set[date]] = field(default_factory=dict)
    absences: list[Absence] = field(default_factory=list)

    def scheduled_shifts(self, *, start, end, organization=None, staff_ids=None):
        ids = set(staff_ids) if staff_ids is not None else None
        return [s for s in self.shifts if start <= s.day <= end and (ids is None or s.staff_id in ids)]

    def rest_days(self, *, start, end, organization=None, staff_ids=None):
        return {k: {d for d in v if start <= d <= end} for k, v in self.rests.items()}

    def approved_absences(self, *, start, end, organization=None, staff_ids=None):
        lo = datetime.combine(start, time.min, tzinfo=SH)
        hi = datetime.combine(end + timedelta(days=1), time.min, tzinfo=SH)
        return [a for a in self.absences if a.starts_at < hi and a.ends_at > lo]
