"""Business-calendar engine: working time per service center (C-01, C-02; used by SLA clocks WO-03/C-09).

Pure Python (no Django): the configuration is a tree of frozen dataclasses that a Django layer builds from its
models, and the engine answers "when are we open?" and "how much working time lies between two instants?".

Configuration (C-01: several periods a day, seasonal profiles, holiday calendar):

* ``Period(start, end)`` — one opening period of a day in local wall time. ``end == time(0)`` means 24:00, so
  ``Period(time(0), time(0))`` is the whole day (round the clock, ATT-17/ATT-34). Overnight periods are not
  supported: a round-the-clock duty is a sequence of whole days.
* ``DayProfile(periods, open_on, weekday_periods)`` — the default hours of a center. ``open_on`` is
  ``"all_days"`` (a service station open every day 08:30–20:00, ATT-01/D01, ignoring weekends and statutory
  holidays) or ``"workdays"`` (a government hall open 08:30–11:30 and 14:30–17:30, ATT-21/D19, only on Chinese
  official workdays: Monday–Friday except statutory holidays, plus make-up workdays 调休).
* ``Season(name, start, end, ...)`` — a named date range (C-02) whose periods replace the profile's periods,
  e.g. heating season round the clock (ATT-17) or summer hours 06:30–22:30 (MER-17). No season = default
  profile.
* ``DateOverride(day, is_open, periods, name)`` — a local decision for one date (force open, or closed).
* ``StatutoryDay(day, name, workday)`` — an admin-entered statutory holiday (or make-up workday) for years that
  ``chinesecalendar`` does not know yet; it also takes precedence over ``chinesecalendar`` for covered years.

Precedence for one date: override > season > profile; then, if the effective ``open_on`` is ``"workdays"``, the
day is closed unless it is an official workday (``day_kind`` is ``workday`` or ``makeup_workday``).

Conventions (they keep the laws tested in ``tests/workcalendar/test_engine_properties.py`` true):

* Working intervals are half-open ``[opening, closing)``: an instant exactly at closing time is not working time;
  an instant exactly at opening time is.
* All public inputs must be timezone-aware (naive datetimes raise ``ValueError``); any tz is accepted, all
  computation happens in the calendar's tz, and every returned datetime is aware **in the calendar's tz**.
* Local wall times are turned into instants with zoneinfo (``datetime.combine(day, t, tzinfo=tz)`` then
  subtraction from an aware UTC epoch), so a tz with DST gets 23/25-hour days right; Asia/Shanghai has no DST.
  Callers beware: Python compares and subtracts two datetimes *sharing one tzinfo* by wall clock, so with a DST
  tz convert results to UTC before comparing them around the autumn fall-back hour.
* Arithmetic is exact: instants and durations are integer **microseconds** internally (no float drift);
  ``add_working_minutes`` converts a float/Decimal minute count to the nearest microsecond, an int exactly.
  ``working_minutes_between`` returns ``float`` (= exact microseconds / 60e6), which is an exact integer value
  whenever the working time is a whole number of minutes. Use ``working_time_between``/``add_working_time``
  (``timedelta``) for exact sub-minute work.
* ``add_working_minutes(start, m)`` with ``m > 0`` returns the *earliest* instant ``t`` with
  ``working_minutes_between(start, t) == m``; if the work finishes exactly at a closing time, the result is that
  closing time (so a 4-hour SLA that ends at 17:30 is due at 17:30, not at the next opening).
  With ``m == 0`` it returns ``next_working_instant(start)`` ("the clock starts at the next opening").
  Negative ``m`` raises ``ValueError``. Consequences: for ``m > 0`` the microsecond before the result is working
  time and the result is working time or exactly a closing instant; ``add(s, between(s, t))`` is ``t`` when the
  microsecond before ``t`` is working time, otherwise the closing that starts the closed gap before ``t`` (e.g.
  for ``t`` = Thursday 08:30 it is Wednesday 17:30), and ``next_working_instant(s)`` when ``between(s, t) == 0``.
* ``working_minutes_between(a, b)`` counts working time in ``[a, b)``; for ``b < a`` it is
  ``-working_minutes_between(b, a)`` (antisymmetric, so ``between(a, b) + between(b, c) == between(a, c)`` for
  any order of a, b, c).
* A calendar that has no working time for ``MAX_CLOSED_DAYS`` consecutive days raises ``NoWorkingTimeError``
  when asked for the next opening, instead of looping for ever.

Statutory holidays: ``chinesecalendar`` 1.11 covers 2004–2026 and raises ``NotImplementedError`` outside that
range. For other years the engine falls back to "Saturday/Sunday are weekends + admin-entered
``extra_holidays``/``overrides``"; ``coverage_warning(year)`` returns the text a page shows in that case.

Performance: per-day interval lists are cached per calendar instance (dict keyed by date ordinal) and the
arithmetic steps interval by interval, day by day — never minute by minute. Measured on the 2-core dev machine
(CPython 3.11, warm cache): ``add_working_minutes(start, 240)`` ≈ 3–5 µs per call (gov hall, also across the lunch
break, a night, or the 2025 National Day week); 9 000 working minutes (25 gov-hall days) ≈ 13 µs; a 30-day
``working_minutes_between`` ≈ 9 µs. Computing a day the first time costs ≈ 20 µs (chinesecalendar + zoneinfo),
so build one ``BusinessCalendar`` per center configuration and reuse it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Final

import chinese_calendar

__all__ = [
    "COVERAGE_WARNING_MESSAGE",
    "MAX_CLOSED_DAYS",
    "ROUND_THE_CLOCK",
    "BusinessCalendar",
    "DateOverride",
    "DayKind",
    "DayProfile",
    "NoWorkingTimeError",
    "OpenOn",
    "Period",
    "Season",
    "StatutoryDay",
    "coverage_warning_text",
    "statutory_covered_years",
]

_US_PER_MINUTE: Final = 60_000_000
_US_PER_DAY: Final = 86_400_000_000
_ONE_US: Final = timedelta(microseconds=1)
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MIDNIGHT: Final = time(0)

MAX_CLOSED_DAYS: Final = 731
"""How many consecutive closed days the forward search tolerates before raising ``NoWorkingTimeError``."""

COVERAGE_WARNING_MESSAGE: Final = "%(year)s 的法定节假日未知，按周末+管理员录入的节假日计算"
"""User-facing (zh-Hans) text for a year without statutory data; gettext-style placeholder for a Django layer."""


class NoWorkingTimeError(ValueError):
    """The calendar has no working time in the searched range (e.g. every day is closed)."""


class OpenOn(StrEnum):
    """Which days a profile or season is open on (C-01)."""

    ALL_DAYS = "all_days"  # ATT-01 service station: every day, weekends and statutory holidays included
    WORKDAYS = "workdays"  # ATT-21 gov hall: Chinese official workdays only (Mon–Fri − holidays + 调休 days)


class DayKind(StrEnum):
    """Official kind of a date, from ``chinesecalendar`` plus admin-entered ``StatutoryDay`` entries."""

    WORKDAY = "workday"
    HOLIDAY = "holiday"
    WEEKEND = "weekend"
    MAKEUP_WORKDAY = "makeup_workday"


# chinesecalendar returns English holiday names; UIs and greetings (CON-08) want the Chinese ones.
_HOLIDAY_NAMES_ZH: Final[Mapping[str, str]] = {h.value: h.chinese for h in chinese_calendar.Holiday}


def _statutory_range() -> range:
    years = {d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays}
    return range(min(years), max(years) + 1)


_COVERED_YEARS: Final = _statutory_range()


def statutory_covered_years() -> range:
    """Years for which ``chinesecalendar`` knows statutory holidays and make-up days (1.11: 2004–2026)."""
    return _COVERED_YEARS


def coverage_warning_text(year: int) -> str:
    """The zh-Hans warning for a year without statutory data (wrap ``COVERAGE_WARNING_MESSAGE`` in gettext)."""
    return COVERAGE_WARNING_MESSAGE % {"year": year}


def _require_aware(value: datetime, name: str) -> None:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")


def _require_date(value: date, name: str) -> None:
    # A datetime is a date subclass; reject it because its calendar date depends on a tz we would have to guess.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime.date, got {type(value).__name__}")


def _to_us(value: datetime) -> int:
    """Aware datetime → integer microseconds since the Unix epoch (exact)."""
    return (value - _EPOCH) // _ONE_US


def _time_us(value: time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond


def _parse_clock(text: str) -> time:
    if text.strip() == "24:00":
        return _MIDNIGHT
    return time.fromisoformat(text.strip())


@dataclass(frozen=True, slots=True)
class Period:
    """One opening period of a day in local wall time, half-open ``[start, end)``.

    ``end == time(0)`` means 24:00 (end of the day); ``Period(time(0), time(0))`` is the whole day.
    Examples: ATT-01 ``Period.of("08:30", "20:00")``; ATT-21 ``Period.of("08:30", "11:30")`` and
    ``Period.of("14:30", "17:30")``.
    """

    start: time
    end: time

    def __post_init__(self) -> None:
        for name, value in (("start", self.start), ("end", self.end)):
            if not isinstance(value, time):
                raise TypeError(f"Period.{name} must be a datetime.time")
            if value.tzinfo is not None:
                raise ValueError(f"Period.{name} must be a naive local wall time")
        if self.start_us >= self.end_us:
            raise ValueError(f"Period start {self.start} must be before its end {self.end} (use 00:00 for 24:00)")

    @classmethod
    def of(cls, start: str, end: str) -> Period:
        """Build a period from ``"HH:MM"`` strings; ``"24:00"`` is accepted as an end."""
        return cls(_parse_clock(start), _parse_clock(end))

    @property
    def start_us(self) -> int:
        """Start as microseconds after local midnight."""
        return _time_us(self.start)

    @property
    def end_us(self) -> int:
        """End as microseconds after local midnight (``_US_PER_DAY`` for 24:00)."""
        return _US_PER_DAY if self.end == _MIDNIGHT else _time_us(self.end)

    def __str__(self) -> str:
        end = "24:00" if self.end == _MIDNIGHT else self.end.strftime("%H:%M")
        return f"{self.start.strftime('%H:%M')}–{end}"


ROUND_THE_CLOCK: Final = (Period(_MIDNIGHT, _MIDNIGHT),)
"""The periods of a 24-hour duty day (ATT-17 heating season, ATT-34 7×24 hotline)."""


def _normalize_periods(periods: Iterable[Period], owner: str) -> tuple[Period, ...]:
    items = tuple(periods)
    for item in items:
        if not isinstance(item, Period):
            raise TypeError(f"{owner}: periods must be Period instances, got {type(item).__name__}")
    ordered = tuple(sorted(items, key=lambda p: p.start_us))
    for previous, current in zip(ordered, ordered[1:], strict=False):
        if current.start_us < previous.end_us:
            raise ValueError(f"{owner}: periods {previous} and {current} overlap")
    return ordered


@dataclass(frozen=True, slots=True)
class DayProfile:
    """The default opening hours of a center (C-01).

    Attributes:
        periods: the day's periods (also used on make-up workdays of a ``workdays`` profile, and when an
            override opens a day without naming periods).
        open_on: ``all_days`` (ATT-01 station) or ``workdays`` (ATT-21 gov hall).
        weekday_periods: optional ``(weekday, periods)`` pairs (Monday = 0) that replace ``periods`` on that
            weekday; an empty tuple closes that weekday. Use ``DayProfile.build`` to pass a mapping.
    """

    periods: tuple[Period, ...]
    open_on: OpenOn = OpenOn.WORKDAYS
    weekday_periods: tuple[tuple[int, tuple[Period, ...]], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "periods", _normalize_periods(self.periods, "DayProfile"))
        object.__setattr__(self, "open_on", OpenOn(self.open_on))
        pairs: dict[int, tuple[Period, ...]] = {}
        for weekday, periods in self.weekday_periods:
            if not isinstance(weekday, int) or not 0 <= weekday <= 6:
                raise ValueError(f"DayProfile: weekday must be 0 (Monday)..6 (Sunday), got {weekday!r}")
            if weekday in pairs:
                raise ValueError(f"DayProfile: weekday {weekday} given twice")
            pairs[weekday] = _normalize_periods(periods, f"DayProfile weekday {weekday}")
        object.__setattr__(self, "weekday_periods", tuple(sorted(pairs.items())))

    @classmethod
    def build(
        cls,
        periods: Iterable[Period],
        *,
        open_on: OpenOn | str = OpenOn.WORKDAYS,
        by_weekday: Mapping[int, Iterable[Period]] | None = None,
    ) -> DayProfile:
        """Convenience constructor taking a ``{weekday: periods}`` mapping."""
        pairs = tuple((weekday, tuple(ps)) for weekday, ps in (by_weekday or {}).items())
        return cls(tuple(periods), OpenOn(open_on), pairs)

    def periods_for_weekday(self, weekday: int) -> tuple[Period, ...]:
        """The periods of an ordinary day with this weekday (Monday = 0)."""
        for day_number, periods in self.weekday_periods:
            if day_number == weekday:
                return periods
        return self.periods


@dataclass(frozen=True, slots=True)
class Season:
    """A named date range whose periods replace the profile's periods (C-02), ``start``..``end`` inclusive.

    ``round_the_clock=True`` means 00:00–24:00 every day (ATT-17 heating-season 24-hour duty). A season with no
    periods and not round the clock closes the center for its duration. ``open_on`` overrides the profile's
    ``open_on`` during the season (``None`` = keep the profile's).
    """

    name: str
    start: date
    end: date
    periods: tuple[Period, ...] = ()
    round_the_clock: bool = False
    open_on: OpenOn | None = None

    def __post_init__(self) -> None:
        _require_date(self.start, "Season.start")
        _require_date(self.end, "Season.end")
        if self.end < self.start:
            raise ValueError(f"Season {self.name!r}: end {self.end} is before start {self.start}")
        object.__setattr__(self, "periods", _normalize_periods(self.periods, f"Season {self.name!r}"))
        if self.round_the_clock and self.periods:
            raise ValueError(f"Season {self.name!r}: give either periods or round_the_clock, not both")
        if self.open_on is not None:
            object.__setattr__(self, "open_on", OpenOn(self.open_on))

    def contains(self, day: date) -> bool:
        """Whether ``day`` lies in the season (inclusive bounds)."""
        return self.start <= day <= self.end

    @property
    def day_periods(self) -> tuple[Period, ...]:
        """The periods of each day of the season."""
        return ROUND_THE_CLOCK if self.round_the_clock else self.periods


@dataclass(frozen=True, slots=True)
class DateOverride:
    """A local decision for one date: closed (``is_open=False``) or open.

    An open override with ``periods=None`` uses the day's normal periods (season, then weekday, then the
    profile's default periods) even if the day is a weekend or statutory holiday.
    """

    day: date
    is_open: bool
    periods: tuple[Period, ...] | None = None
    name: str = ""

    def __post_init__(self) -> None:
        _require_date(self.day, "DateOverride.day")
        if self.periods is not None:
            if not self.is_open:
                raise ValueError(f"DateOverride {self.day}: a closed day cannot have periods")
            periods = _normalize_periods(self.periods, f"DateOverride {self.day}")
            if not periods:
                raise ValueError(f"DateOverride {self.day}: use periods=None for the day's normal periods")
            object.__setattr__(self, "periods", periods)


@dataclass(frozen=True, slots=True)
class StatutoryDay:
    """An admin-entered statutory calendar entry: a holiday (``workday=False``) or a make-up workday (调休).

    Used for years ``chinesecalendar`` does not cover; for covered years it takes precedence over the library.
    """

    day: date
    name: str = ""
    workday: bool = False

    def __post_init__(self) -> None:
        _require_date(self.day, "StatutoryDay.day")


_Intervals = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class BusinessCalendar:
    """The working-time calendar of one service center (C-01); SLA clocks (WO-03, C-09) and attendance use it.

    Build it once per center configuration and reuse it: per-day interval lists are cached on the instance.
    See the module docstring for conventions (half-open intervals, zero minutes, reverse spans, return tz).
    """

    tz: tzinfo
    profile: DayProfile
    seasons: tuple[Season, ...] = ()
    overrides: tuple[DateOverride, ...] = ()
    extra_holidays: tuple[StatutoryDay, ...] = ()
    _overrides_by_day: dict[date, DateOverride] = field(init=False, repr=False, compare=False)
    _extra_by_day: dict[date, StatutoryDay] = field(init=False, repr=False, compare=False)
    _interval_cache: dict[int, _Intervals] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.tz, tzinfo):
            raise TypeError("BusinessCalendar.tz must be a tzinfo (e.g. ZoneInfo('Asia/Shanghai'))")
        if not isinstance(self.profile, DayProfile):
            raise TypeError("BusinessCalendar.profile must be a DayProfile")
        seasons = tuple(sorted(self.seasons, key=lambda s: s.start))
        for previous, current in zip(seasons, seasons[1:], strict=False):
            if current.start <= previous.end:
                raise ValueError(f"Seasons {previous.name!r} and {current.name!r} overlap")
        object.__setattr__(self, "seasons", seasons)
        object.__setattr__(self, "overrides", tuple(self.overrides))
        object.__setattr__(self, "extra_holidays", tuple(self.extra_holidays))
        overrides: dict[date, DateOverride] = {}
        for override in self.overrides:
            if override.day in overrides:
                raise ValueError(f"Two overrides for {override.day}")
            overrides[override.day] = override
        extras: dict[date, StatutoryDay] = {}
        for extra in self.extra_holidays:
            if extra.day in extras:
                raise ValueError(f"Two statutory entries for {extra.day}")
            extras[extra.day] = extra
        object.__setattr__(self, "_overrides_by_day", overrides)
        object.__setattr__(self, "_extra_by_day", extras)
        object.__setattr__(self, "_interval_cache", {})
        for override in overrides.values():
            if override.is_open and not self.day_periods(override.day):
                raise ValueError(f"DateOverride {override.day} opens the day but no periods apply; give periods")

    # ----------------------------------------------------------------- statutory calendar and day rules

    def covered_years(self) -> range:
        """Years with statutory data from ``chinesecalendar``; other years use weekends + admin entries."""
        return _COVERED_YEARS

    def coverage_warning(self, year: int) -> str | None:
        """The warning a page shows for a year without statutory data, or ``None`` if the year is covered."""
        return None if year in _COVERED_YEARS else coverage_warning_text(year)

    def day_kind(self, day: date) -> tuple[DayKind, str | None]:
        """Official kind of ``day`` and the (Chinese) holiday name, e.g. ``("holiday", "国庆节")``.

        Admin entries win, then ``chinesecalendar`` for covered years, else weekend/workday by weekday. Local
        ``overrides`` do not change the kind (a closed-for-repairs Tuesday is still a workday).
        """
        _require_date(day, "day")
        weekend = day.weekday() >= 5
        extra = self._extra_by_day.get(day)
        if extra is not None:
            name = extra.name or None
            if not extra.workday:
                return DayKind.HOLIDAY, name
            return (DayKind.MAKEUP_WORKDAY if weekend else DayKind.WORKDAY), name
        try:
            is_rest_day, raw_name = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:  # year outside the library's data: weekends only
            return (DayKind.WEEKEND if weekend else DayKind.WORKDAY), None
        name = None if raw_name is None else _HOLIDAY_NAMES_ZH.get(raw_name, raw_name)
        if is_rest_day:
            return (DayKind.HOLIDAY if name is not None else DayKind.WEEKEND), name
        return (DayKind.MAKEUP_WORKDAY if weekend else DayKind.WORKDAY), name

    def is_official_workday(self, day: date) -> bool:
        """Chinese official workday: Mon–Fri except statutory holidays, plus make-up workdays (调休)."""
        return self.day_kind(day)[0] in (DayKind.WORKDAY, DayKind.MAKEUP_WORKDAY)

    def season_for(self, day: date) -> Season | None:
        """The season covering ``day`` (C-02), or ``None`` for the default profile."""
        for season in self.seasons:
            if season.contains(day):
                return season
        return None

    def day_periods(self, day: date) -> tuple[Period, ...]:
        """The local opening periods of ``day`` after override > season > profile and the ``open_on`` rule."""
        _require_date(day, "day")
        override = self._overrides_by_day.get(day)
        kind = self.day_kind(day)[0]
        if override is not None:
            if not override.is_open:
                return ()
            if override.periods is not None:
                return override.periods
            return self._regular_periods(day, kind, self.season_for(day)) or self.profile.periods
        season = self.season_for(day)
        open_on = self.profile.open_on if season is None or season.open_on is None else season.open_on
        if open_on is OpenOn.WORKDAYS and kind in (DayKind.HOLIDAY, DayKind.WEEKEND):
            return ()
        return self._regular_periods(day, kind, season)

    def _regular_periods(self, day: date, kind: DayKind, season: Season | None) -> tuple[Period, ...]:
        if season is not None:
            return season.day_periods
        if kind is DayKind.MAKEUP_WORKDAY and self.profile.open_on is OpenOn.WORKDAYS:
            # A make-up Saturday/Sunday works normal hours; weekday entries for Sat/Sun describe ordinary
            # weekends, which a workdays-profile never opens anyway.
            return self.profile.periods
        return self.profile.periods_for_weekday(day.weekday())

    # ----------------------------------------------------------------- per-day intervals (cached)

    def _local_instant_us(self, day: date, offset_us: int) -> int:
        if offset_us == _US_PER_DAY:
            return _to_us(datetime.combine(day + timedelta(days=1), _MIDNIGHT, tzinfo=self.tz))
        clock = time(
            offset_us // 3_600_000_000,
            offset_us // _US_PER_MINUTE % 60,
            offset_us // 1_000_000 % 60,
            offset_us % 1_000_000,
        )
        return _to_us(datetime.combine(day, clock, tzinfo=self.tz))

    def _intervals(self, ordinal: int) -> _Intervals:
        """Working intervals of one local date as sorted, disjoint ``(start_us, end_us)`` epoch pairs."""
        cached = self._interval_cache.get(ordinal)
        if cached is not None:
            return cached
        day = date.fromordinal(ordinal)
        periods = self.day_periods(day)
        result: list[tuple[int, int]] = []
        if periods:
            # Clip to the day's own [00:00, 24:00) so that days partition the time line even around DST gaps.
            day_start = self._local_instant_us(day, 0)
            day_end = self._local_instant_us(day, _US_PER_DAY)
            for period in periods:
                start = max(day_start, self._local_instant_us(day, period.start_us))
                end = min(day_end, self._local_instant_us(day, period.end_us))
                if end <= start:
                    continue
                if result and start <= result[-1][1]:  # adjacent periods, e.g. 08:00–12:00 + 12:00–18:00
                    result[-1] = (result[-1][0], max(end, result[-1][1]))
                else:
                    result.append((start, end))
        intervals = tuple(result)
        if len(self._interval_cache) > 50_000:  # bound memory for long-lived instances
            self._interval_cache.clear()
        self._interval_cache[ordinal] = intervals
        return intervals

    def _local_ordinal(self, at: datetime) -> int:
        return at.astimezone(self.tz).date().toordinal()

    def _from_us(self, instant_us: int) -> datetime:
        return (_EPOCH + timedelta(microseconds=instant_us)).astimezone(self.tz)

    def working_intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working intervals of a local date as aware ``(opening, closing)`` pairs in the calendar tz."""
        _require_date(day, "day")
        return [(self._from_us(s), self._from_us(e)) for s, e in self._intervals(day.toordinal())]

    # ----------------------------------------------------------------- working-time arithmetic

    def is_working_time(self, at: datetime) -> bool:
        """Whether ``at`` lies in a working interval ``[opening, closing)`` (closing instants are not working)."""
        _require_aware(at, "at")
        instant = _to_us(at)
        return any(s <= instant < e for s, e in self._intervals(self._local_ordinal(at)))

    def next_working_instant(self, at: datetime) -> datetime:
        """``at`` itself if it is working time, else the next opening (raises ``NoWorkingTimeError`` if none)."""
        _require_aware(at, "at")
        return self._from_us(self._advance(_to_us(at), self._local_ordinal(at), 0))

    def add_working_time(self, start: datetime, duration: timedelta) -> datetime:
        """Exact ``timedelta`` version of ``add_working_minutes`` (microsecond resolution)."""
        _require_aware(start, "start")
        if duration < timedelta(0):
            raise ValueError(f"working time to add must be >= 0, got {duration}")
        return self._from_us(self._advance(_to_us(start), self._local_ordinal(start), duration // _ONE_US))

    def add_working_minutes(self, start: datetime, minutes: int | float | Decimal) -> datetime:
        """The instant when ``minutes`` of working time have elapsed since ``start`` (WO-03 SLA due times).

        The clock starts at ``next_working_instant(start)``. For ``minutes > 0`` the result is the earliest
        instant reaching the amount, so it may be a closing instant; ``minutes == 0`` returns
        ``next_working_instant(start)``. Returns an aware datetime in the calendar tz.

        Raises:
            ValueError: naive ``start``, or negative / non-finite ``minutes``.
            NoWorkingTimeError: the calendar never opens again within ``MAX_CLOSED_DAYS``.
        """
        _require_aware(start, "start")
        return self._from_us(self._advance(_to_us(start), self._local_ordinal(start), _minutes_to_us(minutes)))

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Exact working time in ``[a, b)``; negative (``-working_time_between(b, a)``) when ``b < a``."""
        _require_aware(a, "a")
        _require_aware(b, "b")
        return timedelta(microseconds=self._between_us(a, b))

    def working_minutes_between(self, a: datetime, b: datetime) -> float:
        """Working minutes in ``[a, b)`` (C-09 business-time SLA clocks); negative when ``b < a``.

        Exact microseconds divided by 60e6, so whole minutes come back as exact integral floats.
        """
        _require_aware(a, "a")
        _require_aware(b, "b")
        return self._between_us(a, b) / _US_PER_MINUTE

    def _between_us(self, a: datetime, b: datetime) -> int:
        a_us, b_us = _to_us(a), _to_us(b)
        if b_us < a_us:
            return -self._between_us(b, a)
        total = 0
        for ordinal in range(self._local_ordinal(a), self._local_ordinal(b) + 1):
            for s, e in self._intervals(ordinal):
                low = s if s > a_us else a_us
                high = e if e < b_us else b_us
                if high > low:
                    total += high - low
        return total

    def _advance(self, cursor: int, ordinal: int, need: int) -> int:
        """Walk forward from ``cursor`` (epoch µs, local date ``ordinal``) until ``need`` µs of work elapsed."""
        closed_days = 0
        while True:
            intervals = self._intervals(ordinal)
            usable = False
            for s, e in intervals:
                if e <= cursor:
                    continue
                usable = True
                if s > cursor:
                    cursor = s
                if need == 0:
                    return cursor
                available = e - cursor
                if need <= available:
                    return cursor + need
                need -= available
                cursor = e
            closed_days = 0 if usable else closed_days + 1
            if closed_days > MAX_CLOSED_DAYS:
                raise NoWorkingTimeError(f"no working time in the {MAX_CLOSED_DAYS} days after {self._from_us(cursor)}")
            ordinal += 1


def _minutes_to_us(minutes: int | float | Decimal) -> int:
    if isinstance(minutes, bool) or not isinstance(minutes, int | float | Decimal | Fraction):
        raise TypeError(f"minutes must be a number, got {type(minutes).__name__}")
    if isinstance(minutes, int):
        amount = minutes * _US_PER_MINUTE
    else:
        if isinstance(minutes, float) and not math.isfinite(minutes):
            raise ValueError(f"minutes must be finite, got {minutes}")
        if isinstance(minutes, Decimal) and not minutes.is_finite():
            raise ValueError(f"minutes must be finite, got {minutes}")
        amount = round(Fraction(minutes) * _US_PER_MINUTE)  # nearest microsecond, exact rational arithmetic
    if amount < 0:
        raise ValueError(f"minutes must be >= 0, got {minutes}")
    return amount
