"""Reads of the business calendar: a center's calendar, the public working-time API, and what the pages list.

Other apps call `add_working_minutes` (`add_working_minutes_many`: several spans from one start, one calendar
look-up), `working_minutes_between`, `is_working_time` (each returns the value and its citation) or `calendar_for`
(the engine calendar, for loops). Every one reads the calendar of the organization given — a team or window
inherits its center's (ORG-21) — as in force at the instant asked about.

Cost of `center_calendar_for` (documented in docs/calendar.md, tested in tests/workcalendar/test_selectors.py):
3 queries when the calendar is cached in this process — the organization chain and the parameter rows
(policy.values.resolve_many), and ONE version query over the seasons, overrides and statutory days of the chain —
plus 3 more to load those rows when the configuration changed (or on first use). The cache key holds the resolved
parameter values and the version (row count, active count and newest `updated_at` of each table), so a new
parameter value, season, override or holiday — written in any process — changes the key.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Generic, TypeVar

from django.db.models import Count, Max, Q, QuerySet, Value
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, pgettext_lazy

from servicecenter.core.access import has_permission_in, organizations_where, scope
from servicecenter.core.policy import implements
from servicecenter.org.choices import CENTER_KINDS
from servicecenter.org.models import Organization
from servicecenter.policy.registry import get_spec
from servicecenter.policy.values import PolicyValue, local_today, resolve_many, zone_of

from . import policies
from .choices import DAY_KIND_LABELS
from .engine import (
    COVERAGE_WARNING_MESSAGE,
    ROUND_THE_CLOCK,
    BusinessCalendar,
    DateOverride,
    DayKind,
    Period,
    Season,
    StatutoryDay,
)
from .models import DateOverride as DateOverrideRow
from .models import Season as SeasonRow
from .models import StatutoryHoliday

logger = logging.getLogger(__name__)
# The engine holds no Django: this puts its user-facing warning (same text, checked by tests/core/test_i18n.py) into
# the message catalogue.
COVERAGE_WARNING_MSGID = gettext_noop("%(year)s 的法定节假日未知，按周末+管理员录入的节假日计算")
T = TypeVar("T")

VIEW_CALENDAR = "workcalendar.view_calendar"
CHANGE_CALENDAR = "workcalendar.change_calendar"

HOURS = "attendance.business_hours"
OPEN_DAYS = "attendance.open_days"
ROUND_THE_CLOCK_KEY = "attendance.round_the_clock"
RTC_IN_SEASON = "attendance.round_the_clock_in_season"
HEATING_SEASON = "attendance.heating_season"
CALENDAR_PARAMETERS = (HOURS, OPEN_DAYS, ROUND_THE_CLOCK_KEY, RTC_IN_SEASON, HEATING_SEASON)

WEEKDAY_LABELS = (
    gettext_lazy("周一"),
    gettext_lazy("周二"),
    gettext_lazy("周三"),
    gettext_lazy("周四"),
    gettext_lazy("周五"),
    gettext_lazy("周六"),
    gettext_lazy("周日"),
)

# One character under a day number in month grids (rosters, attendance sheets): 一 … 日 / M … S.
WEEKDAY_SHORT = (
    pgettext_lazy("short weekday", "一"),
    pgettext_lazy("short weekday", "二"),
    pgettext_lazy("short weekday", "三"),
    pgettext_lazy("short weekday", "四"),
    pgettext_lazy("short weekday", "五"),
    pgettext_lazy("short weekday", "六"),
    pgettext_lazy("short weekday", "日"),
)

CACHE_SIZE = 512
"""Calendars kept per process (LRU). One per (organization, configuration): a few KB each plus cached days."""

_CACHE: OrderedDict[tuple, policies.AssembledCalendar] = OrderedDict()
_CACHE_LOCK = threading.Lock()


def clear_calendar_cache() -> None:
    """Forget every cached calendar of this process (apps.py calls it when a calendar row is saved)."""
    with _CACHE_LOCK:
        _CACHE.clear()


# --------------------------------------------------------------------------------------------- building


@dataclass(frozen=True)
class CenterCalendar:
    """One organization's calendar as in force on a date, with the parameter values it was built from.

    `calendar` is the engine calendar (shared between calls while the configuration is unchanged: reuse it in
    loops); `parameters` are the PolicyValues read (with their origins, for citations); `key` is equal for two
    instances exactly when they describe the same configuration.
    """

    organization: Organization
    assembled: policies.AssembledCalendar
    parameters: dict[str, PolicyValue]
    values: dict[str, Any]
    key: tuple = field(repr=False)

    @property
    def calendar(self) -> BusinessCalendar:
        return self.assembled.calendar

    @property
    def profile_source(self) -> policies.ProfileSource:
        return policies.ProfileSource(
            business_hours=self.values[HOURS],
            open_days=self.values[OPEN_DAYS],
            round_the_clock=self.values[ROUND_THE_CLOCK_KEY],
            hours_origin=self.parameters[HOURS].origin,
            open_days_origin=self.parameters[OPEN_DAYS].origin,
            round_the_clock_origin=self.parameters[ROUND_THE_CLOCK_KEY].origin,
        )

    @property
    def profile_citation(self) -> str:
        """«依据 C-01/ATT-01：营业时间 08:30–20:00，每天营业（制度默认值（D01））»."""
        return policies.profile_citation(self.profile_source)

    @property
    def heating_origin(self) -> str:
        return self.parameters[HEATING_SEASON].origin

    def day_note(self, day: date) -> str | None:
        return policies.day_note(self.assembled, day, own_tag=self.organization.pk, heating_origin=self.heating_origin)

    def day_citation(self, day: date) -> str:
        """The regular-hours citation plus why `day` is special (holiday, season, override), if it is."""
        note = self.day_note(day)
        parts = [self.profile_citation, *([note] if note else [])]
        warning = self.calendar.coverage_warning(day.year)
        if warning:
            parts.append(_(COVERAGE_WARNING_MESSAGE) % {"year": day.year})
        return "；".join(parts)

    def span_citation(self, start: date, end: date) -> str:
        """The regular-hours citation plus the special days between two local dates (at most a few, then «等»)."""
        notes = policies.span_notes(
            self.assembled, start, end, own_tag=self.organization.pk, heating_origin=self.heating_origin
        )
        parts = [self.profile_citation, *notes]
        for year in range(start.year, end.year + 1):
            if self.calendar.coverage_warning(year):
                parts.append(_(COVERAGE_WARNING_MESSAGE) % {"year": year})
        return "；".join(parts)


def _clean_value(pv: PolicyValue) -> Any:
    """The parameter value, validated by its type; an invalid stored value falls back to the seed default."""
    try:
        return pv.spec.clean(pv.value)
    except (TypeError, ValueError):
        logger.warning("invalid value %r of %s (row %s); using the default", pv.value, pv.key, pv.row_id)
        return get_spec(pv.key).default


def _rows_version(paths: list[str]) -> tuple:
    """ONE query: (table, rows, active rows, newest updated_at) for the seasons, overrides and statutory days that
    can affect an organization with these ancestor paths. Changes whenever a row is added or changed."""

    def stats(qs: QuerySet, tag: str) -> QuerySet:
        return (
            qs.order_by()
            .annotate(t=Value(tag))
            .values("t")
            .annotate(n=Count("id"), a=Count("id", filter=Q(is_active=True)), m=Max("updated_at"))
            .values_list("t", "n", "a", "m")
        )

    seasons = stats(SeasonRow.objects.filter(organization__path__in=paths), "s")
    overrides = stats(DateOverrideRow.objects.filter(organization__path__in=paths), "o")
    holidays = stats(
        StatutoryHoliday.objects.filter(Q(organization__isnull=True) | Q(organization__path__in=paths)), "h"
    )
    return tuple(
        sorted((t, n, a, m.isoformat() if m else "") for t, n, a, m in seasons.union(overrides, holidays, all=True))
    )


def _layers(rows: Iterable[dict], build: Any) -> list[list[tuple[Any, Hashable]]]:
    """Group rows into layers by organization depth, nearest (deepest) first; installation-wide rows last."""
    by_depth: dict[int, list[tuple[Any, Hashable]]] = {}
    for row in rows:
        try:
            item = build(row)
        except (TypeError, ValueError) as exc:  # a row written around the services: skip it, never fail every SLA
            logger.warning("skipping invalid calendar row %s: %s", row, exc)
            continue
        depth = row["organization__depth"]
        by_depth.setdefault(-1 if depth is None else depth, []).append((item, row["organization_id"]))
    return [by_depth[d] for d in sorted(by_depth, reverse=True)]


def _season(row: dict) -> Season:
    return Season(
        row["name"],
        row["start_date"],
        row["end_date"],
        periods=() if row["round_the_clock"] else policies.periods_from_ranges(row["periods"] or []),
        round_the_clock=row["round_the_clock"],
        open_on=row["open_on"] or None,
    )


def _override(row: dict) -> DateOverride:
    periods = policies.periods_from_ranges(row["periods"]) if row["periods"] else None
    return DateOverride(row["date"], row["is_open"], periods if row["is_open"] else None, row["name"])


def _statutory(row: dict) -> StatutoryDay:
    return StatutoryDay(row["date"], row["name"], row["is_workday"])


def _assemble(organization: Organization, values: dict[str, Any]) -> policies.AssembledCalendar:
    """Load the chain's active rows (3 queries) and assemble the engine calendar."""
    paths = organization.ancestor_paths()
    common = ("organization_id", "organization__depth")
    season_rows = SeasonRow.objects.filter(organization__path__in=paths, is_active=True).values(
        *common, "name", "start_date", "end_date", "periods", "round_the_clock", "open_on"
    )
    override_rows = DateOverrideRow.objects.filter(organization__path__in=paths, is_active=True).values(
        *common, "date", "is_open", "periods", "name"
    )
    holiday_rows = StatutoryHoliday.objects.filter(
        Q(organization__isnull=True) | Q(organization__path__in=paths), is_active=True
    ).values(*common, "date", "name", "is_workday")
    profile = policies.regular_profile(
        business_hours=values[HOURS], open_days=values[OPEN_DAYS], round_the_clock=values[ROUND_THE_CLOCK_KEY]
    )
    heating = policies.heating_season(
        date_range=values[HEATING_SEASON], round_the_clock_in_season=values[RTC_IN_SEASON]
    )
    return policies.assemble_calendar(
        tz=zone_of(organization),
        profile=profile,
        season_layers=_layers(season_rows, _season),
        heating=heating,
        override_layers=_layers(override_rows, _override),
        statutory_layers=_layers(holiday_rows, _statutory),
    )


@implements("C-01")
def center_calendar_for(
    *,
    organization: Organization,
    at: date | datetime | None = None,
    parameters: Mapping[str, PolicyValue] | None = None,
) -> CenterCalendar:
    """C-01: the business calendar of `organization` (a center; a team or window inherits its center's, ORG-21)
    as configured on the date of `at` (default: today in the organization's time zone).

    The regular hours come from the policy parameters in force on that date; seasons, overrides and statutory
    days from the rows of the organization and its ancestors. Cached per configuration in this process (see the
    module docstring for the query cost). A caller that already resolved the `CALENDAR_PARAMETERS` for the same
    organization and date (in one `resolve_many` with its own keys) passes them as `parameters`: then the only
    query is the version check.
    """
    if parameters is not None and all(key in parameters for key in CALENDAR_PARAMETERS):
        parameters = {key: parameters[key] for key in CALENDAR_PARAMETERS}
    else:
        parameters = resolve_many(list(CALENDAR_PARAMETERS), org=organization, at=at)
    values = {key: _clean_value(parameters[key]) for key in CALENDAR_PARAMETERS}
    version = _rows_version(organization.ancestor_paths())
    tz = zone_of(organization)
    key = (organization.pk, organization.path, str(tz), json.dumps(values, sort_keys=True), version)
    with _CACHE_LOCK:
        assembled = _CACHE.get(key)
        if assembled is not None:
            _CACHE.move_to_end(key)
    if assembled is None:
        assembled = _assemble(organization, values)
        with _CACHE_LOCK:
            _CACHE[key] = assembled
            while len(_CACHE) > CACHE_SIZE:
                _CACHE.popitem(last=False)
    return CenterCalendar(organization=organization, assembled=assembled, parameters=parameters, values=values, key=key)


def calendar_for(*, organization: Organization, at: date | datetime | None = None) -> BusinessCalendar:
    """The engine calendar of `organization` as configured on the date of `at` (see `center_calendar_for`).

    Use it for many computations in a row (e.g. an SLA sweep over one center's orders); it is the same instance
    while the configuration does not change, and it caches per-day intervals.
    """
    return center_calendar_for(organization=organization, at=at).calendar


# --------------------------------------------------------------------------------------------- public API


@dataclass(frozen=True)
class CalendarAnswer(Generic[T]):
    """A computed answer and why, e.g. value = the due instant, citation = «依据 C-01/ATT-21：营业时间 …»."""

    value: T
    citation: str


def _local_date(calendar: BusinessCalendar, instant: datetime) -> date:
    return instant.astimezone(calendar.tz).date()


def add_working_minutes(
    *, organization: Organization, start: datetime, minutes: int | float
) -> CalendarAnswer[datetime]:
    """When `minutes` of working time of `organization` have elapsed after `start` (WO-03 / C-09 SLA due times).

    `start` must be aware; the answer is aware in the organization's time zone. The clock starts at the next
    opening (0 minutes = the next working instant); work that ends exactly at a closing time is due then.
    The calendar is the one configured on the date of `start`.

    Raises:
        ValueError: naive `start` or negative minutes (engine).
        engine.NoWorkingTimeError: the calendar never opens again.
    """
    center = center_calendar_for(organization=organization, at=start)
    due = center.calendar.add_working_minutes(start, minutes)
    citation = center.span_citation(_local_date(center.calendar, start), _local_date(center.calendar, due))
    return CalendarAnswer(due, citation)


def add_working_minutes_many(
    *,
    organization: Organization,
    start: datetime,
    minutes: Sequence[int | float],
    parameters: Mapping[str, PolicyValue] | None = None,
) -> list[CalendarAnswer[datetime]]:
    """`add_working_minutes` for several spans from one `start` (an order's response and resolution deadlines and
    their warning instants): the calendar is looked up once. Answers in the order of `minutes`, each with its
    citation. `parameters`: see `center_calendar_for`."""
    center = center_calendar_for(organization=organization, at=start, parameters=parameters)
    first = _local_date(center.calendar, start)
    citations: dict[date, str] = {}
    answers = []
    for span in minutes:
        due = center.calendar.add_working_minutes(start, span)
        last = _local_date(center.calendar, due)
        if last not in citations:
            citations[last] = center.span_citation(first, last)
        answers.append(CalendarAnswer(due, citations[last]))
    return answers


def end_of_working_days(*, organization: Organization, start: datetime, days: int) -> CalendarAnswer[datetime]:
    """The close of the `days`-th working day of `organization` after the date of `start` (a deadline given in
    working days: "回访 next working day", G-01 "acknowledge within 1 working day", a 15-working-day rectification).

    A working day is a date on which the center opens (its business hours, seasons, holidays and local
    overrides); `days = 0` is the close of the start's own day if it is one, else of the next. The answer is
    aware, in the organization's time zone, with the calendar citation. Looks at most two years ahead.

    Raises:
        ValueError: naive `start` or negative `days`.
        engine.NoWorkingTimeError: no working day within two years.
    """
    from .engine import NoWorkingTimeError

    if start.tzinfo is None or days < 0:
        raise ValueError("end_of_working_days needs an aware start and days >= 0")
    center = center_calendar_for(organization=organization, at=start)
    calendar = center.calendar
    first = _local_date(calendar, start)
    day, counted = first, 0
    for _step in range(731):
        periods = calendar.day_periods(day)
        if periods:
            if day > first:
                counted += 1
            if (day == first and days == 0) or (day > first and counted >= max(days, 1)):
                closing = (
                    max(p.end for p in periods if p.end != time(0)) if all(p.end != time(0) for p in periods) else None
                )
                if closing is None:  # open until midnight
                    due = datetime.combine(day + timedelta(days=1), time(0), tzinfo=calendar.tz)
                else:
                    due = datetime.combine(day, closing, tzinfo=calendar.tz)
                return CalendarAnswer(due, center.span_citation(first, day))
        day += timedelta(days=1)
    raise NoWorkingTimeError(f"{organization}: no working day within two years of {first}")


def working_minutes_between(*, organization: Organization, start: datetime, end: datetime) -> CalendarAnswer[float]:
    """Working minutes of `organization` in [start, end) (negative when end < start), with the citation.

    Whole minutes come back as integral floats (the engine counts exact microseconds). The calendar is the one
    configured on the date of `start`.
    """
    center = center_calendar_for(organization=organization, at=start)
    minutes = center.calendar.working_minutes_between(start, end)
    low, high = sorted((start, end))
    citation = center.span_citation(_local_date(center.calendar, low), _local_date(center.calendar, high))
    return CalendarAnswer(minutes, citation)


def is_working_time(*, organization: Organization, at: datetime) -> CalendarAnswer[bool]:
    """Whether `at` lies in a working period of `organization` ([opening, closing): closing time is not working)."""
    info = describe_instant(organization=organization, at=at)
    return CalendarAnswer(info.working, info.citation)


def holiday_period_around(*, organization: Organization, day: date) -> policies.HolidayPeriod | None:
    """G-12: the statutory holiday period containing `day`, or the next one within a year, from the calendar of
    `organization` (admin-entered days included) — the default window of a holiday greeting notice."""
    return policies.holiday_period_around(calendar_for(organization=organization, at=day), day)


def holiday_periods_in(*, organization: Organization, start: date, end: date) -> list[policies.HolidayPeriod]:
    """G-12: the statutory holiday periods that touch [start, end] for `organization`."""
    return policies.holiday_periods(calendar_for(organization=organization, at=start), start, end)


# --------------------------------------------------------------------------------------------- days and months


@dataclass(frozen=True)
class CalendarDay:
    """One date as the calendar page and the days API show it."""

    day: date
    kind: DayKind
    holiday_name: str | None
    periods: tuple[Period, ...]
    season: str | None
    override: DateOverride | None
    in_month: bool = True
    is_today: bool = False

    @property
    def kind_label(self) -> str:
        return str(DAY_KIND_LABELS[self.kind])

    @property
    def weekday_label(self) -> str:
        return str(WEEKDAY_LABELS[self.day.weekday()])

    @property
    def is_open(self) -> bool:
        return bool(self.periods)

    @property
    def round_the_clock(self) -> bool:
        return self.periods == ROUND_THE_CLOCK

    @property
    def periods_text(self) -> str:
        return policies.periods_text(self.periods)

    @property
    def period_ranges(self) -> list[list[str]]:
        return policies.ranges_of(self.periods)


def describe_day(
    center: CenterCalendar, day: date, *, month: int | None = None, today: date | None = None
) -> CalendarDay:
    """Kind, holiday name, periods, season and override of one date."""
    calendar = center.calendar
    kind, name = calendar.day_kind(day)
    season = calendar.season_for(day)
    override = center.assembled.overrides_by_day.get(day)
    return CalendarDay(
        day=day,
        kind=kind,
        holiday_name=name,
        periods=calendar.day_periods(day),
        season=season.name if season is not None else None,
        override=override,
        in_month=month is None or day.month == month,
        is_today=day == today,
    )


@dataclass(frozen=True)
class InstantInfo:
    """An instant at an organization: working or not, its local time, the day it falls on, and why."""

    working: bool
    local: datetime
    day: CalendarDay
    citation: str


def describe_instant(*, organization: Organization, at: datetime) -> InstantInfo:
    """`is_working_time` with the day's details (the is-working API)."""
    center = center_calendar_for(organization=organization, at=at)
    working = center.calendar.is_working_time(at)
    local = at.astimezone(center.calendar.tz)
    return InstantInfo(working, local, describe_day(center, local.date()), center.day_citation(local.date()))


def calendars_for_days(*, organization: Organization, first: date, last: date) -> dict[date, CenterCalendar]:
    """The calendar in force on each date of [first, last] (parameters have effective dates).

    Two builds when nothing changes inside the range (first and last day); when they differ, the range is split
    in halves until each part has one configuration: about 2·log2(days) builds per change.
    """
    result: dict[date, CenterCalendar] = {}

    def fill(low: date, high: date, at_low: CenterCalendar, at_high: CenterCalendar) -> None:
        if at_low.key == at_high.key:
            for offset in range((high - low).days + 1):
                result[low + timedelta(days=offset)] = at_low
            return
        if (high - low).days <= 1:
            result[low], result[high] = at_low, at_high
            return
        middle = low + timedelta(days=(high - low).days // 2)
        at_middle = center_calendar_for(organization=organization, at=middle)
        fill(low, middle, at_low, at_middle)
        fill(middle, high, at_middle, at_high)

    start_calendar = center_calendar_for(organization=organization, at=first)
    end_calendar = start_calendar if first == last else center_calendar_for(organization=organization, at=last)
    fill(first, last, start_calendar, end_calendar)
    return result


@dataclass(frozen=True)
class MonthView:
    """A month of one organization's calendar: weeks (Monday first) of days, and coverage warnings."""

    organization: Organization
    year: int
    month: int
    weeks: list[list[CalendarDay]]
    center: CenterCalendar  # the calendar in force on the first day of the month
    warnings: list[tuple[int, str]]

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def days(self) -> list[CalendarDay]:
        return [d for week in self.weeks for d in week if d.in_month]


def month_view(*, organization: Organization, year: int, month: int, today: date | None = None) -> MonthView:
    """The month grid of the calendar page and of `GET /api/v1/calendar/{id}/days/`.

    Warns (engine.coverage_warning) for the shown year and, in the last two months of a year (shown or today),
    for the next year: a manager in December 2026 must see that 2027's statutory holidays are not known yet.
    """
    today = today or local_today(organization)
    first = date(year, month, 1)
    grid_start = first - timedelta(days=first.weekday())
    next_month = date(year + month // 12, month % 12 + 1, 1)
    last = next_month - timedelta(days=1)
    grid_end = last + timedelta(days=6 - last.weekday())
    calendars = calendars_for_days(organization=organization, first=grid_start, last=grid_end)
    days = [
        describe_day(
            calendars[grid_start + timedelta(days=i)], grid_start + timedelta(days=i), month=month, today=today
        )
        for i in range((grid_end - grid_start).days + 1)
    ]
    weeks = [days[i : i + 7] for i in range(0, len(days), 7)]
    center = calendars[first]
    warnings = [
        (y, _(COVERAGE_WARNING_MESSAGE) % {"year": y})
        for y in policies.coverage_years(shown=first, today=today)
        if center.calendar.coverage_warning(y)
    ]
    return MonthView(organization, year, month, weeks, center, warnings)


# --------------------------------------------------------------------------------------------- pages: scoping


def calendar_organizations_for(*, user: Any) -> QuerySet[Organization]:
    """Active organizations whose calendar `user` may view (ORG-04 scoping), tree order."""
    return organizations_where(user=user, permission=VIEW_CALENDAR).filter(is_active=True).order_by("path")


def calendar_switcher_choices(*, user: Any, current: Organization) -> list[Organization]:
    """The centers (and sub-centers) a user may switch between, plus the organization shown now."""
    orgs = list(calendar_organizations_for(user=user).filter(kind__in=CENTER_KINDS)[:500])
    if all(o.pk != current.pk for o in orgs):
        orgs.append(current)
        orgs.sort(key=lambda o: o.path)
    return orgs


def access_calendar_organization(*, user: Any, pk: Any, permission: str = VIEW_CALENDAR) -> Organization:
    """The organization `pk` if `user` may view its calendar (and holds `permission` over it); else 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    organization = get_object_or_404(calendar_organizations_for(user=user), pk=pk)
    if permission != VIEW_CALENDAR and not has_permission_in(
        user=user, permission=permission, organization=organization
    ):
        raise Http404
    return organization


def default_calendar_organization(*, user: Any) -> Organization | None:
    """The calendar a user sees first: their own center (staff record), else the first visible center, else the
    first visible organization; None when they may view no calendar."""
    visible = calendar_organizations_for(user=user)
    staff = getattr(user, "staff", None) if hasattr(user, "staff") else None
    if staff is not None:
        center = staff.organization.service_center() or staff.organization
        if visible.filter(pk=center.pk).exists():
            return center
    return visible.filter(kind__in=CENTER_KINDS).first() or visible.first()


def root_of(organization: Organization) -> Organization:
    """The root (company) of an organization's tree; statutory days entered there apply to the whole tree."""
    if organization.parent_id is None:
        return organization
    return Organization.objects.get(path=organization.ancestor_paths()[-1])


def can_change_calendar(*, user: Any, organization: Organization) -> bool:
    return has_permission_in(user=user, permission=CHANGE_CALENDAR, organization=organization)


def can_change_holidays(*, user: Any, organization: Organization) -> bool:
    """Statutory days are entered at the root of the tree: change_calendar over the root (docs/calendar.md)."""
    return has_permission_in(user=user, permission=CHANGE_CALENDAR, organization=root_of(organization))


# --------------------------------------------------------------------------------------------- pages: lists


def season_list_for(*, organization: Organization, since: date | None = None) -> QuerySet[SeasonRow]:
    """Active seasons of the organization and its ancestors (they apply to it, ORG-21), by start date."""
    qs = SeasonRow.objects.filter(organization__path__in=organization.ancestor_paths(), is_active=True)
    if since is not None:
        qs = qs.filter(end_date__gte=since)
    return qs.select_related("organization").order_by("start_date", "organization__depth", "id")


def override_list_for(*, organization: Organization, start: date, end: date) -> QuerySet[DateOverrideRow]:
    """Active one-day overrides of the organization and its ancestors between two dates."""
    return (
        DateOverrideRow.objects.filter(
            organization__path__in=organization.ancestor_paths(), is_active=True, date__gte=start, date__lte=end
        )
        .select_related("organization")
        .order_by("date", "-organization__depth", "id")
    )


def holiday_list_for(*, organization: Organization, since: date) -> QuerySet[StatutoryHoliday]:
    """Active admin-entered statutory days that apply to the organization (its tree's root, or installation-wide)."""
    return (
        StatutoryHoliday.objects.filter(
            Q(organization__isnull=True) | Q(organization__path__in=organization.ancestor_paths()),
            is_active=True,
            date__gte=since,
        )
        .select_related("organization")
        .order_by("date", "id")
    )


def access_season(*, user: Any, pk: Any) -> SeasonRow:
    """An active season `user` may change (change_calendar over its organization); else 404."""
    qs = scope(SeasonRow.objects.filter(is_active=True), user=user, permission=CHANGE_CALENDAR)
    return get_object_or_404(qs.select_related("organization"), pk=pk)


def access_override(*, user: Any, pk: Any) -> DateOverrideRow:
    """An active override `user` may change; else 404."""
    qs = scope(DateOverrideRow.objects.filter(is_active=True), user=user, permission=CHANGE_CALENDAR)
    return get_object_or_404(qs.select_related("organization"), pk=pk)


def access_holiday(*, user: Any, pk: Any) -> StatutoryHoliday:
    """An active statutory day `user` may change (change_calendar over its root; installation-wide: superuser)."""
    holiday = get_object_or_404(StatutoryHoliday.objects.select_related("organization"), pk=pk, is_active=True)
    if holiday.organization is None:
        if not getattr(user, "is_superuser", False):
            raise Http404
    elif not has_permission_in(user=user, permission=CHANGE_CALENDAR, organization=holiday.organization):
        raise Http404
    return holiday
