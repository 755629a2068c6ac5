"""Rules of the business calendar: how a center's parameters and admin entries become one engine calendar, and
how its answers are explained (C-01, C-02, ATT-01, ATT-17, ATT-21, ATT-34, G-12).

Pure functions over plain values and `engine` dataclasses: no database, no Django. `selectors.py` reads the
policy parameters and the rows of `models.py` and calls these; the arithmetic itself is `engine.BusinessCalendar`.

Precedence (documented in docs/calendar.md):

* regular hours: `attendance.round_the_clock` (ATT-34, 7×24) > `attendance.business_hours` on
  `attendance.open_days` (ATT-01 station every day / ATT-21 gov hall on official workdays);
* seasons (C-02): for a date, the Season row of the nearest organization (the center, then its parent, …) wins;
  the heating season of the parameters `attendance.heating_season` + `attendance.round_the_clock_in_season`
  (ATT-17) applies on the dates no Season row covers;
* one-day overrides and admin-entered statutory days: the nearest organization's entry wins for a date;
* per date the engine applies override > season > regular hours, then the official-workday rule.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo
from typing import TypeVar

from servicecenter.core.policy import implements

from .engine import (
    ROUND_THE_CLOCK,
    BusinessCalendar,
    DateOverride,
    DayKind,
    DayProfile,
    OpenOn,
    Period,
    Season,
    StatutoryDay,
)

T = TypeVar("T")

HEATING_SEASON_NAME = "供暖期"
"""The name of the season made from the `attendance.heating_season` parameter (ATT-17, D02 「供暖期间」)."""

PARAMETER_TAG = "parameter"
"""Source tag of the heating season that comes from the parameters, not from a Season row."""

NOTES_SHOWN = 6
"""How many special days a span citation lists before it says «等»: enough to explain a 4-hour SLA over a holiday."""


def periods_from_ranges(ranges: Iterable[Sequence[str]]) -> tuple[Period, ...]:
    """`[["08:30", "11:30"], ["14:30", "17:30"]]` (the policy type `time_ranges`) → engine periods."""
    return tuple(Period.of(str(start), str(end)) for start, end in ranges)


def periods_text(periods: Sequence[Period]) -> str:
    """«08:30–11:30，14:30–17:30»; «24 小时» for a whole day; «休息» for none."""
    if not periods:
        return "休息"
    if tuple(periods) == ROUND_THE_CLOCK:
        return "24 小时"
    return "，".join(str(p) for p in periods)


def ranges_of(periods: Sequence[Period]) -> list[list[str]]:
    """Engine periods → `[["08:30", "11:30"], …]` with "24:00" for the end of the day (API output)."""
    return [str(p).split("–") for p in periods]


# --------------------------------------------------------------------------------------------- regular hours


@implements("ATT-01", "ATT-21", "ATT-34")
def regular_profile(*, business_hours: Sequence[Sequence[str]], open_days: str, round_the_clock: bool) -> DayProfile:
    """The regular hours of a center from its parameters.

    ATT-34: `round_the_clock` (7×24 hotline) → every day 00:00–24:00, whatever the hours say.
    ATT-01: a station is open every day (`open_days = all_days`) 08:30–20:00 (D01 seed default).
    ATT-21: a gov hall is open 08:30–11:30 and 14:30–17:30 on official workdays only (`workdays`, D19 preset).
    """
    if round_the_clock:
        return DayProfile(ROUND_THE_CLOCK, OpenOn.ALL_DAYS)
    return DayProfile(periods_from_ranges(business_hours), OpenOn(open_days))


@implements("ATT-17")
def heating_season(*, date_range: Mapping[str, str] | None, round_the_clock_in_season: bool) -> Season | None:
    """ATT-17: during the heating season the call center runs 24-hour duty, every day.

    The season's dates are the parameter `attendance.heating_season` (entered by an admin each year, C-02);
    without dates, or with 24-hour duty switched off, there is no heating season.
    """
    if not round_the_clock_in_season or not date_range:
        return None
    return Season(
        HEATING_SEASON_NAME,
        date.fromisoformat(date_range["start"]),
        date.fromisoformat(date_range["end"]),
        round_the_clock=True,
        open_on=OpenOn.ALL_DAYS,
    )


# --------------------------------------------------------------------------------------------- seasons (C-02)


def _subtract(start: date, end: date, taken: Sequence[tuple[date, date]]) -> list[tuple[date, date]]:
    """The parts of [start, end] (inclusive) that no range of `taken` (sorted, inclusive) covers."""
    pieces: list[tuple[date, date]] = []
    cursor = start
    for low, high in taken:
        if high < cursor or low > end:
            continue
        if low > cursor:
            pieces.append((cursor, low - timedelta(days=1)))
        cursor = max(cursor, high + timedelta(days=1))
        if cursor > end:
            break
    if cursor <= end:
        pieces.append((cursor, end))
    return pieces


@implements("C-02")
def merge_seasons(layers: Sequence[Sequence[tuple[Season, Hashable]]]) -> list[tuple[Season, Hashable]]:
    """The seasons that apply to a center, clipped so that no two overlap (the engine refuses overlaps).

    C-02: seasons are named date ranges per center per year; no season = the regular hours. `layers` come nearest
    first (the center's own Season rows, then its parent's, …, then the heating season of the parameters); each
    item is `(season, source tag)`. For any date, the season of the first layer that covers it wins, so a
    parent's season applies only on the dates the center has not configured itself; within one layer the
    earlier season wins. A clipped season keeps its name, hours and tag.
    """
    taken: list[tuple[date, date]] = []
    merged: list[tuple[Season, Hashable]] = []
    for layer in layers:
        for season, tag in sorted(layer, key=lambda item: (item[0].start, item[0].end)):
            for start, end in _subtract(season.start, season.end, taken):
                piece = (
                    season
                    if (start, end) == (season.start, season.end)
                    else dataclasses.replace(season, start=start, end=end)
                )
                merged.append((piece, tag))
            taken = sorted([*taken, (season.start, season.end)])
    merged.sort(key=lambda item: item[0].start)
    return merged


def nearest_per_day(
    layers: Sequence[Sequence[tuple[T, Hashable]]], day_of: Callable[[T], date]
) -> list[tuple[T, Hashable]]:
    """One entry per date: the first layer's (nearest organization's) entry wins (ORG-21 inheritance)."""
    chosen: dict[date, tuple[T, Hashable]] = {}
    for layer in layers:
        for item, tag in layer:
            chosen.setdefault(day_of(item), (item, tag))
    return [chosen[day] for day in sorted(chosen)]


@dataclass(frozen=True)
class AssembledCalendar:
    """A center's engine calendar plus where each season and override came from (tags, e.g. organization ids)."""

    calendar: BusinessCalendar
    season_tags: Mapping[date, Hashable]  # season start → tag
    override_tags: Mapping[date, Hashable]  # override date → tag
    overrides_by_day: Mapping[date, DateOverride]


@implements("C-01")
def assemble_calendar(
    *,
    tz: tzinfo,
    profile: DayProfile,
    season_layers: Sequence[Sequence[tuple[Season, Hashable]]] = (),
    heating: Season | None = None,
    override_layers: Sequence[Sequence[tuple[DateOverride, Hashable]]] = (),
    statutory_layers: Sequence[Sequence[tuple[StatutoryDay, Hashable]]] = (),
) -> AssembledCalendar:
    """C-01: the business calendar of one center — one or several periods a day (the regular profile), seasonal
    profiles (C-02, incl. the ATT-17 heating season), the statutory holiday calendar (chinesecalendar plus
    admin-entered days) and local one-day overrides. Layers come nearest organization first.
    """
    layers = [*season_layers, *([[(heating, PARAMETER_TAG)]] if heating is not None else [])]
    seasons = merge_seasons(layers)
    overrides = nearest_per_day(override_layers, lambda o: o.day)
    statutory = nearest_per_day(statutory_layers, lambda s: s.day)
    calendar = BusinessCalendar(
        tz,
        profile,
        seasons=tuple(s for s, _ in seasons),
        overrides=tuple(o for o, _ in overrides),
        extra_holidays=tuple(s for s, _ in statutory),
    )
    return AssembledCalendar(
        calendar=calendar,
        season_tags={s.start: tag for s, tag in seasons},
        override_tags={o.day: tag for o, tag in overrides},
        overrides_by_day={o.day: o for o, _ in overrides},
    )


# --------------------------------------------------------------------------------------------- G-12 holiday periods


@dataclass(frozen=True)
class HolidayPeriod:
    """A run of consecutive statutory holidays, e.g. 国庆节、中秋 2025-10-01 至 2025-10-08 (8 days)."""

    name: str
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


_RUN_LOOKAROUND = timedelta(days=15)  # longest statutory holiday run so far: 9 days (2026 Spring Festival)


@implements("G-12")
def holiday_periods(calendar: BusinessCalendar, start: date, end: date) -> list[HolidayPeriod]:
    """G-12: statutory holiday periods that touch [start, end] — the default window of a holiday greeting.

    A period is a run of consecutive days the calendar calls statutory holidays (weekends inside the run are part
    of it, as chinesecalendar names them); it is reported whole even when it sticks out of [start, end]. The name
    lists the holidays of the run in order («国庆节、中秋», chinesecalendar's names).
    """
    periods: list[HolidayPeriod] = []
    run_start: date | None = None
    run_end = start
    names: list[str] = []

    def flush() -> None:
        if run_start is not None and run_end >= start and run_start <= end:
            periods.append(HolidayPeriod("、".join(names) or "法定节假日", run_start, run_end))

    day = start - _RUN_LOOKAROUND
    while day <= end + _RUN_LOOKAROUND:
        kind, name = calendar.day_kind(day)
        if kind is DayKind.HOLIDAY:
            if run_start is None:
                run_start, names = day, []
            if name and name not in names:
                names.append(name)
            run_end = day
        else:
            flush()
            run_start = None
        day += timedelta(days=1)
    flush()
    return periods


def holiday_period_around(calendar: BusinessCalendar, day: date) -> HolidayPeriod | None:
    """The statutory holiday period containing `day`, else the next one within a year (G-12 greeting default)."""
    for period in holiday_periods(calendar, day, day + timedelta(days=366)):
        if period.end >= day:
            return period
    return None


# --------------------------------------------------------------------------------------------- explanations


@dataclass(frozen=True)
class ProfileSource:
    """The regular-hours parameters in force and their origins in words (policy.values.PolicyValue.origin)."""

    business_hours: Sequence[Sequence[str]]
    open_days: str
    round_the_clock: bool
    hours_origin: str
    open_days_origin: str
    round_the_clock_origin: str


def profile_citation(source: ProfileSource) -> str:
    """E.g. «依据 C-01/ATT-01：营业时间 08:30–20:00，每天营业（制度默认值（D01））»."""
    if source.round_the_clock:
        return f"依据 ATT-34：全天候（7×24）营业（{source.round_the_clock_origin}）"
    hours = "，".join(f"{a}–{b}" for a, b in source.business_hours)
    if source.hours_origin == source.open_days_origin:
        origin = source.hours_origin
    else:
        origin = f"营业时间：{source.hours_origin}；营业日：{source.open_days_origin}"
    if source.open_days == OpenOn.WORKDAYS:
        return f"依据 C-01/ATT-21：营业时间 {hours}，仅法定工作日（{origin}）"
    return f"依据 C-01/ATT-01：营业时间 {hours}，每天营业（{origin}）"


def _source_words(tag: Hashable, own_tag: Hashable, heating_origin: str) -> str:
    if tag == PARAMETER_TAG:
        return heating_origin
    return "本级设定" if tag == own_tag else "上级组织设定"


def day_note(assembled: AssembledCalendar, day: date, *, own_tag: Hashable, heating_origin: str = "") -> str | None:
    """Why `day` differs from the regular hours, in one sentence with its clause; None for an ordinary day."""
    calendar = assembled.calendar
    iso = f"{day:%Y-%m-%d}"
    override = assembled.overrides_by_day.get(day)
    if override is not None:
        words = _source_words(assembled.override_tags.get(day), own_tag, heating_origin)
        what = f"营业 {periods_text(calendar.day_periods(day))}" if override.is_open else "休息"
        return f"依据 C-01：{iso} 特殊安排「{override.name}」：{what}（{words}）"
    season = calendar.season_for(day)
    kind, name = calendar.day_kind(day)
    if season is not None:
        tag = assembled.season_tags.get(season.start)
        span = f"{season.start:%Y-%m-%d} 至 {season.end:%Y-%m-%d}"
        if tag == PARAMETER_TAG:
            return f"依据 ATT-17：{season.name} {span} 24 小时值班（{heating_origin}）"
        words = _source_words(tag, own_tag, heating_origin)
        periods = calendar.day_periods(day)
        return f"依据 C-02：季节「{season.name}」{span}：{iso} {periods_text(periods)}（{words}）"
    if calendar.profile.open_on is OpenOn.WORKDAYS:
        if kind is DayKind.HOLIDAY:
            return f"{iso} 为法定节假日（{name or '节假日'}），不营业"
        if kind is DayKind.WEEKEND:
            return f"{iso} 为周末，不营业"
        if kind is DayKind.MAKEUP_WORKDAY:
            return f"{iso} 为调休上班日（{name or '调休'}），照常营业"
    return None


def span_notes(
    assembled: AssembledCalendar, start: date, end: date, *, own_tag: Hashable, heating_origin: str = ""
) -> list[str]:
    """The notes of the special days in [start, end] (at most NOTES_SHOWN, then «等»); a season is named once."""
    notes: list[str] = []
    seen_seasons: set[date] = set()
    day = start
    more = False
    while day <= end:
        season = assembled.calendar.season_for(day)
        if season is not None and day not in assembled.overrides_by_day:
            if season.start in seen_seasons:
                day += timedelta(days=1)
                continue
            seen_seasons.add(season.start)
        note = day_note(assembled, day, own_tag=own_tag, heating_origin=heating_origin)
        if note is not None:
            if len(notes) == NOTES_SHOWN:
                more = True
                break
            notes.append(note)
        day += timedelta(days=1)
    if more:
        notes.append("等")
    return notes


def coverage_years(*, shown: date, today: date) -> list[int]:
    """Years whose statutory coverage the calendar page checks: the shown month's year, and the next year when
    the shown month or today is in the last two months of a year (in December 2026, 2027 must be prepared)."""
    years = {shown.year}
    for day in (shown, today):
        if day.month >= 11:
            years.add(day.year + 1)
    return sorted(years)
