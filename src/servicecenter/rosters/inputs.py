"""Reads that build the solver's `Problem` for a center and month: business calendar, policy parameters,
approved leave (leave.selectors, LEV-04), shift templates, staff, and last month's overnight carry-in."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_FLOOR, Decimal

from servicecenter.leave.selectors import approved_absences, personal_leave_days
from servicecenter.org.models import Organization, Staff
from servicecenter.policy.values import resolve_many, zone_of
from servicecenter.workcalendar.selectors import calendars_for_days

from .models import RosterEntry, RosterStatus, ShiftTemplate
from .policies import min_staff_on_duty, rest_quota
from .selectors import month_days, staff_of, templates_for
from .shifts import period_offsets
from .solver import DAY, DayInput, Problem, ShiftOption, StaffInput

PARAMS = [
    "attendance.min_staff_on_duty",
    "attendance.workday_hours",
    "attendance.monthly_rest_days",
    "leave.personal_offsets_rest_days",
]


@dataclass(frozen=True)
class Planning:
    """The problem and what the pages show beside it (citations of the parameters read)."""

    problem: Problem
    staff: list[Staff]
    templates: list[ShiftTemplate]
    citations: dict[str, str]
    day_notes: dict[date, str]


def option_of(template: ShiftTemplate) -> ShiftOption:
    return ShiftOption(
        code=template.code,
        label=template.label,
        offsets=period_offsets(template.periods),
        counts_for_coverage=template.counts_for_coverage,
        check_hours=template.check_workday_hours,
        on_call=template.on_call,
    )


def _minutes(t: time, *, end: bool = False) -> int:
    value = t.hour * 60 + t.minute
    return DAY if end and value == 0 else value


def _unavailable_days(
    *, organization: Organization, staff_ids: list[int], days: list[date], business: dict[date, tuple]
) -> tuple[dict[int, set[date]], set[int]]:
    """Days a person is on approved leave for at least half of the day's business time (or 12 h of a closed day),
    and the people with approved personal leave in the span (only they need the LEV-04 offset read)."""
    tz = zone_of(organization)
    result: dict[int, set[date]] = defaultdict(set)
    personal: set[int] = set()
    if not days:
        return result, personal
    for absence in approved_absences(staff_ids=staff_ids, start=days[0], end=days[-1]):
        if absence.kind == "personal":
            personal.add(absence.staff_id)
        start = absence.starts_at.astimezone(tz)
        end = absence.ends_at.astimezone(tz)
        day = max(start.date(), days[0])
        while day <= min(end.date(), days[-1]):
            midnight = datetime.combine(day, time(0), tzinfo=tz)
            intervals = business.get(day) or ((0, DAY),)
            total = sum(b - a for a, b in intervals)
            covered = 0
            for a, b in intervals:
                lo = max(start, midnight + timedelta(minutes=a))
                hi = min(end, midnight + timedelta(minutes=b))
                if hi > lo:
                    covered += int((hi - lo).total_seconds() // 60)
            need = total / 2 if business.get(day) else 720
            if covered >= need:
                result[absence.staff_id].add(day)
            day += timedelta(days=1)
    return result, personal


def _carry_in(*, organization: Organization, month: date) -> tuple[tuple[int, int], ...]:
    """Coverage of the 1st by overnight shifts that started on the last day of the previous month (published)."""
    last = month - timedelta(days=1)
    rows = RosterEntry.objects.filter(
        roster__organization=organization,
        roster__status=RosterStatus.PUBLISHED,
        roster__month=last.replace(day=1),
        day=last,
        shift__isnull=False,
    ).select_related("shift")
    spill: list[tuple[int, int]] = []
    for entry in rows:
        assert entry.shift is not None
        if entry.shift.on_call or not entry.shift.counts_for_coverage:
            continue
        for a, b in period_offsets(entry.shift.periods):
            if b > DAY:
                spill.append((max(a, DAY) - DAY, b - DAY))
    return tuple(spill)


def planning_for(*, organization: Organization, month: date) -> Planning:
    """Everything the solver and the validation need for `organization` in `month` (first day of the month)."""
    days = month_days(month)
    calendars = calendars_for_days(organization=organization, first=days[0], last=days[-1])
    business: dict[date, tuple[tuple[int, int], ...]] = {}
    day_inputs: list[DayInput] = []
    notes: dict[date, str] = {}
    for day in days:
        center = calendars[day]
        periods = center.calendar.day_periods(day)
        intervals = tuple((_minutes(p.start), _minutes(p.end, end=True)) for p in periods)
        business[day] = intervals
        note = center.day_note(day) or ""
        notes[day] = note
        day_inputs.append(DayInput(day=day, intervals=intervals, note=note))
    values = resolve_many(PARAMS, org=organization, at=month)
    people = staff_of(organization=organization)
    ids = [p.pk for p in people]
    unavailable, with_personal = _unavailable_days(
        organization=organization, staff_ids=ids, days=days, business=business
    )
    quota_value = int(values["attendance.monthly_rest_days"].value or 0)
    offsets = bool(values["leave.personal_offsets_rest_days"].value)
    staff_inputs = []
    for person in people:
        personal = (
            personal_leave_days(staff_id=person.pk, year=month.year, month=month.month)
            if offsets and person.pk in with_personal
            else Decimal(0)
        )
        quota, note = rest_quota(quota=quota_value, personal_days=personal)
        staff_inputs.append(
            StaffInput(
                id=person.pk,
                number=person.staff_no,
                name=person.name,
                rest_quota=quota,
                unavailable=frozenset(unavailable.get(person.pk, ())),
                quota_note=note,
            )
        )
    templates = list(templates_for(organization=organization, active_only=True))
    minimum, _citation = min_staff_on_duty(values["attendance.min_staff_on_duty"])
    workday = values["attendance.workday_hours"].value
    problem = Problem(
        staff=tuple(staff_inputs),
        days=tuple(day_inputs),
        shifts=tuple(option_of(t) for t in templates),
        min_staff=minimum,
        workday_minutes=int(workday) * 60 if workday else None,
        carry_in=_carry_in(organization=organization, month=month),
    )
    citations = {key: pv.citation for key, pv in values.items()}
    return Planning(problem=problem, staff=people, templates=templates, citations=citations, day_notes=notes)


def quota_floor(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_FLOOR))
