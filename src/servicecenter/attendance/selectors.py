"""Every read of the attendance app (STYLE.md §2.4): availability for dispatch, results, sheets, dashboards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from servicecenter.org.choices import StaffStatus
from servicecenter.org.models import Organization, Staff
from servicecenter.policy.values import zone_of

from . import inputs
from .choices import PunchKind
from .models import Punch

# How long before a shift's start a clock-in still belongs to it (an early arrival; ATT-18 asks for 10 minutes).
CLOCK_IN_LEAD = timedelta(hours=4)


# --- availability (contract: issue5-contracts.md, consumed by the work-order dispatch board, WO-05) -------------


@dataclass(frozen=True)
class StaffAvailability:
    staff_id: int
    state: str  # "on_duty" | "scheduled" | "on_leave" | "resting" | "off"
    label: str  # 在岗 / 应到未打卡 / 请假 / 休息 / 非当班
    until: datetime | None


ON_DUTY, SCHEDULED, ON_LEAVE, RESTING, OFF = "on_duty", "scheduled", "on_leave", "resting", "off"


def availability_labels() -> dict[str, str]:
    return {
        ON_DUTY: pgettext("availability", "在岗"),
        SCHEDULED: _("应到未打卡"),
        ON_LEAVE: _("请假"),
        RESTING: pgettext("availability", "休息"),
        OFF: _("非当班"),
    }


def _active_staff_with_last_punch(organization: Organization, since: datetime, at: datetime) -> QuerySet[Staff]:
    """Active staff of the subtree, each annotated with their last accepted punch in (since, at]: ONE query."""
    last = Punch.objects.filter(staff=OuterRef("pk"), accepted=True, at__gt=since, at__lte=at).order_by("-at", "-id")
    return (
        Staff.objects.filter(organization__path__startswith=organization.path)
        .exclude(status=StaffStatus.LEFT)
        .annotate(last_punch_kind=Subquery(last.values("kind")[:1]), last_punch_at=Subquery(last.values("at")[:1]))
        .only("id", "status", "organization_id")
        .order_by()
    )


def availability(*, organization: Organization, at: datetime) -> dict[int, StaffAvailability]:
    """Every active staff member of the organization subtree → availability at `at` (for the work-order dispatch
    board, WO-05). A constant number of queries whatever the number of staff: ONE of attendance's own (the staff
    with their last punch, through a subquery), plus the providers' reads of the published shifts, the rest days
    and the approved absences (rosters and leave selectors; 6 together as they stand).

    A shift that crossed midnight (24-h rotation) still covers `at`: shifts of the previous day are read too.
    On-call shifts (C-24) count as scheduled: the on-call person is reachable for dispatch.
    """
    tz = zone_of(organization)
    local = at.astimezone(tz)
    today = local.date()
    staff_rows = list(_active_staff_with_last_punch(organization, at - timedelta(hours=40), at))
    shifts = inputs.scheduled_shifts(start=today - timedelta(days=1), end=today, organization=organization)
    rests = inputs.rest_days(start=today, end=today, organization=organization)
    absences = inputs.approved_absences(start=today, end=today, organization=organization)
    labels = availability_labels()

    current_shift: dict[int, tuple[datetime, datetime]] = {}
    next_start: dict[int, datetime] = {}
    for shift in shifts:
        for start, end in shift.periods:
            if start <= at < end:
                current_shift[shift.staff_id] = (start, end)
            elif start > at and (shift.staff_id not in next_start or start < next_start[shift.staff_id]):
                next_start[shift.staff_id] = start
    absent_until: dict[int, datetime] = {}
    for absence in absences:
        if absence.starts_at <= at < absence.ends_at:
            absent_until[absence.staff_id] = max(absence.ends_at, absent_until.get(absence.staff_id, absence.ends_at))
    end_of_day = datetime.combine(today + timedelta(days=1), time.min, tzinfo=tz)

    result: dict[int, StaffAvailability] = {}
    for row in staff_rows:
        sid = row.pk
        if sid in absent_until:
            state, until = ON_LEAVE, absent_until[sid]
        elif sid in current_shift:
            start, end = current_shift[sid]
            kind, punched_at = getattr(row, "last_punch_kind", None), getattr(row, "last_punch_at", None)
            clocked_in = kind == PunchKind.IN and punched_at is not None and punched_at >= start - CLOCK_IN_LEAD
            state, until = (ON_DUTY if clocked_in else SCHEDULED), end
        elif today in rests.get(sid, ()):
            state, until = RESTING, end_of_day
        elif row.status == StaffStatus.ON_LEAVE:
            state, until = ON_LEAVE, None
        else:
            state, until = OFF, next_start.get(sid)
        result[sid] = StaffAvailability(staff_id=sid, state=state, label=labels[state], until=until)
    return result


def local_day_bounds(organization: Any, day: date) -> tuple[datetime, datetime]:
    """The aware instants [00:00, next 00:00) of a local day of the organization."""
    tz = zone_of(organization)
    return (
        datetime.combine(day, time.min, tzinfo=tz),
        datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz),
    )


# --- scope helpers ------------------------------------------------------------------------------------------------

VIEW = "attendance.view_results"
MANAGE = "attendance.manage_attendance"


def centers_visible_to(*, user: Any, permission: str = VIEW) -> list[Organization]:
    """Service centers in whose subtree `user` may see attendance results (for the center switcher)."""
    from servicecenter.core.access import organizations_where
    from servicecenter.org.choices import CENTER_KINDS

    return list(
        organizations_where(user=user, permission=permission)
        .filter(kind__in=CENTER_KINDS, is_active=True)
        .order_by("path")
    )


def access_center(*, user: Any, pk: Any, permission: str = VIEW) -> Organization:
    """The center `pk` if `user` may see its results (else 404); without pk, the first such center (else 404)."""
    from django.http import Http404

    centers = centers_visible_to(user=user, permission=permission)
    if pk in (None, ""):
        if centers:
            return centers[0]
        raise Http404
    for center in centers:
        if str(center.pk) == str(pk):
            return center
    raise Http404


def access_staff(*, user: Any, pk: Any, permission: str = VIEW) -> Staff:
    """A staff member whose results `user` may see: themselves, or one in their scope (else 404)."""
    from django.shortcuts import get_object_or_404

    from servicecenter.core.access import scope

    own = Staff.objects.filter(user=user, pk=pk).select_related("organization").first()
    if own is not None:
        return own
    return get_object_or_404(
        scope(Staff.objects.select_related("organization"), user=user, permission=permission), pk=pk
    )


def staff_of(user: Any) -> Staff | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Staff.objects.select_related("organization").filter(user=user).first()


# --- months, results, sheets --------------------------------------------------------------------------------------


def month_days(year: int, month: int) -> list[date]:
    first = date(year, month, 1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    return [first + timedelta(days=i) for i in range((nxt - first).days)]


def parse_month(text: str | None, *, today: date) -> tuple[int, int]:
    """ "2026-03" → (2026, 3); anything else → this month."""
    try:
        year, month = (int(x) for x in (text or "").split("-"))
        date(year, month, 1)
        return year, month
    except (TypeError, ValueError):
        return today.year, today.month


def results_of_staff(*, staff: Staff, start: date, end: date) -> QuerySet[Any]:
    from .models import AttendanceResult

    return AttendanceResult.objects.filter(staff=staff, day__gte=start, day__lte=end).order_by("day")


def results_of_center(*, organization: Organization, start: date, end: date) -> QuerySet[Any]:
    from .models import AttendanceResult

    return (
        AttendanceResult.objects.filter(
            staff__organization__path__startswith=organization.path, day__gte=start, day__lte=end
        )
        .select_related("staff")
        .order_by("staff__staff_no", "day")
    )


@dataclass
class SheetRow:
    staff: Staff
    cells: list[str]
    days_worked: int = 0
    late: int = 0
    early: int = 0
    absent_days: Any = 0
    leave_days: dict[str, int] | None = None
    missed_sign_ins: int = 0
    missing_punches: int = 0
    fines: Any = 0

    @property
    def leave_total(self) -> int:
        return sum((self.leave_days or {}).values())


@dataclass
class Sheet:
    organization: Organization
    year: int
    month: int
    days: list[date]
    rows: list[SheetRow]
    leave_kinds: list[tuple[str, str]]


LEAVE_KIND_LABELS = [
    ("personal", "事假"),
    ("sick", "病假"),
    ("annual", "年休假"),
    ("rest", "公休"),
    ("event", "活动请假"),
    ("official_outing", "因公外出"),
    ("leave_post", "临时离岗"),
]


def monthly_sheet(*, organization: Organization, year: int, month: int) -> Sheet:
    """The monthly attendance sheet (考勤表) of a center: one row per person (everyone with a result in the month
    or active now), one one-character code per day, and the totals a payroll clerk needs. Two queries."""
    from decimal import Decimal

    from .choices import SHEET_CODES, ResultStatus

    days = month_days(year, month)
    results = list(
        results_of_center(organization=organization, start=days[0], end=days[-1]).only(
            "staff_id",
            "day",
            "status",
            "minutes_late",
            "minutes_early",
            "absent_days",
            "leave_kind",
            "missed_sign_in",
            "missing_punch",
            "fine_cny",
        )
    )
    with_results = {r.staff_id for r in results}
    people = list(
        Staff.objects.filter(organization__path__startswith=organization.path)
        .filter(~Q(status=StaffStatus.LEFT) | Q(pk__in=list(with_results)))
        .select_related("organization")
        .order_by("organization__path", "staff_no")
    )
    index = {d: i for i, d in enumerate(days)}
    by_staff: dict[int, SheetRow] = {
        p.pk: SheetRow(staff=p, cells=[""] * len(days), absent_days=Decimal("0"), fines=Decimal("0"), leave_days={})
        for p in people
    }
    worked = {ResultStatus.ON_TIME, ResultStatus.LATE, ResultStatus.EARLY_LEAVE, ResultStatus.MISSING_PUNCH}
    for r in results:
        row = by_staff.get(r.staff_id)
        if row is None:
            continue
        row.cells[index[r.day]] = SHEET_CODES.get(r.status, "?")
        if r.status in worked:
            row.days_worked += 1
        row.late += 1 if r.minutes_late else 0
        row.early += 1 if r.minutes_early else 0
        row.absent_days += r.absent_days
        if r.status in (ResultStatus.ON_LEAVE, ResultStatus.BUSINESS_TRIP) and row.leave_days is not None:
            kind = r.leave_kind or "personal"
            row.leave_days[kind] = row.leave_days.get(kind, 0) + 1
        row.missed_sign_ins += 1 if r.missed_sign_in else 0
        row.missing_punches += 1 if r.missing_punch else 0
        row.fines += r.fine_cny
    return Sheet(
        organization=organization,
        year=year,
        month=month,
        days=days,
        rows=list(by_staff.values()),
        leave_kinds=LEAVE_KIND_LABELS,
    )


# --- today: my live result, the manager's dashboard -------------------------------------------------------------


@dataclass(frozen=True)
class MyToday:
    staff: Staff
    shifts: list[Any]
    punches: list[Any]
    result: Any  # engine.DayResult or None when not scheduled
    rest_day: bool


def my_today(*, staff: Staff, now: datetime) -> MyToday:
    """The clock-in page: today's shift(s), my punches and my result so far (computed live, not stored)."""
    from servicecenter.policy.values import resolve_many

    from . import engine
    from .services import RULE_KEYS, _rules_from

    tz = zone_of(staff.organization)
    today = now.astimezone(tz).date()
    shifts = [
        s
        for s in inputs.scheduled_shifts(start=today - timedelta(days=1), end=today, staff_ids=[staff.pk])
        if s.day == today or any(a <= now < b for a, b in s.periods)
    ]
    lo, hi = local_day_bounds(staff.organization, today)
    punches = list(
        Punch.objects.filter(staff=staff, at__gte=lo - engine.PUNCH_LEAD, at__lt=hi + engine.PUNCH_TAIL).order_by("at")
    )
    rests = inputs.rest_days(start=today, end=today, staff_ids=[staff.pk])
    absences = inputs.approved_absences(start=today, end=today, staff_ids=[staff.pk])
    rules = _rules_from(resolve_many(RULE_KEYS, org=staff.organization, at=today))
    day = shifts[0].day if shifts else today
    inp = engine.DayInput(
        staff_id=staff.pk,
        day=day,
        shifts=tuple(s for s in shifts if s.day == day),
        punches=tuple(engine.PunchIn(at=p.at, kind=p.kind) for p in punches if p.accepted),
        absences=tuple(a for a in absences if a.staff_id == staff.pk),
        rest_day=today in rests.get(staff.pk, set()),
    )
    result = engine.compute_day(inp, rules, now=now, tz=tz)
    return MyToday(staff=staff, shifts=list(inp.shifts), punches=punches, result=result, rest_day=inp.rest_day)


@dataclass
class DashboardRow:
    staff: Staff
    availability: StaffAvailability
    first_in: datetime | None
    late_minutes: int


def dashboard_today(*, organization: Organization, now: datetime) -> dict[str, Any]:
    """The manager's dashboard of today: everyone's availability now, who is late (clocked in after the start),
    who is on leave, and the ATT-02 coverage status."""
    from .services import coverage_now

    avail = availability(organization=organization, at=now)
    people = {
        s.pk: s for s in Staff.objects.filter(pk__in=list(avail)).select_related("organization").order_by("staff_no")
    }
    tz = zone_of(organization)
    today = now.astimezone(tz).date()
    shifts = {s.staff_id: s for s in inputs.scheduled_shifts(start=today, end=today, organization=organization)}
    lo, _hi = local_day_bounds(organization, today)
    first_ins: dict[int, datetime] = {}
    for sid, at in (
        Punch.objects.filter(staff_id__in=list(avail), accepted=True, kind=PunchKind.IN, at__gte=lo - CLOCK_IN_LEAD)
        .order_by("at")
        .values_list("staff_id", "at")
    ):
        first_ins.setdefault(sid, at)
    rows = []
    for sid, a in avail.items():
        staff = people[sid]
        shift = shifts.get(sid)
        first_in = first_ins.get(sid)
        late = 0
        if shift is not None and first_in is not None and shift.periods:
            start = shift.periods[0][0]
            late = max(0, int((first_in.replace(second=0, microsecond=0) - start).total_seconds() // 60))
        rows.append(DashboardRow(staff=staff, availability=a, first_in=first_in, late_minutes=late))
    rows.sort(key=lambda r: (r.availability.state, r.staff.staff_no))
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.availability.state] = counts.get(r.availability.state, 0) + 1
    absent_now = [
        r
        for r in rows
        if r.availability.state == SCHEDULED and shifts.get(r.staff.pk) is not None and r.first_in is None
    ]
    return {
        "rows": rows,
        "counts": counts,
        "late": [r for r in rows if r.late_minutes > 0],
        "not_clocked_in": absent_now,
        "on_leave": [r for r in rows if r.availability.state == ON_LEAVE],
        "coverage": coverage_now(organization=organization, at=now),
        "labels": availability_labels(),
    }


def violations_visible_to(*, user: Any, organization: Organization | None = None) -> QuerySet[Any]:
    from servicecenter.core.access import scope

    from .models import Violation

    qs = scope(
        Violation.objects.select_related("staff", "organization", "reporter__staff", "escalation"),
        user=user,
        permission=VIEW,
    )
    if organization is not None:
        qs = qs.filter(organization__path__startswith=organization.path)
    return qs.order_by("-day", "-id")


def access_violation(*, user: Any, pk: Any) -> Any:
    from django.shortcuts import get_object_or_404

    from .models import Violation

    own = Violation.objects.filter(pk=pk, staff__user=user).first()
    if own is not None:
        return own
    return get_object_or_404(violations_visible_to(user=user), pk=pk)


def events_visible_to(*, user: Any) -> QuerySet[Any]:
    from django.db.models import Count

    from servicecenter.core.access import scope

    from .models import AttendanceEvent

    mine = AttendanceEvent.objects.filter(attendances__staff__user=user).values("pk")
    scoped = scope(AttendanceEvent.objects.all(), user=user, permission=VIEW).values("pk")
    return (
        AttendanceEvent.objects.filter(Q(pk__in=scoped) | Q(pk__in=mine))
        .select_related("organization")
        .annotate(n_attendees=Count("attendances"))
        .order_by("-starts_at", "-id")
    )


def access_event(*, user: Any, pk: Any) -> Any:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(events_visible_to(user=user), pk=pk)
