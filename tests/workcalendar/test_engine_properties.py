"""Property tests: the laws of working-time arithmetic hold for realistic calendars (C-01, C-02, WO-03, C-09).

Laws (``add`` = add_working_minutes / add_working_time, ``between`` = working_*_between, ``nwi`` =
next_working_instant; working intervals are half-open ``[opening, closing)``):

1. monotonic: ``m1 <= m2`` ⇒ ``add(s, m1) <= add(s, m2)``;
2. inverse: ``between(s, add(s, m)) == m`` exactly (integer microseconds internally);
3. round trip: for ``s <= t`` and ``r = add(s, between(s, t))``, always ``r <= nwi(t)`` and no working time lies
   between ``r`` and ``t``. If ``between(s, t) > 0``: ``r <= t`` and ``r`` is the *start of the closed gap that
   ends at t* — ``r == t`` when the microsecond before ``t`` is working time, else ``r`` is the last closing
   before ``t`` (also when ``t`` is exactly an opening: ``add`` returns the earliest instant, i.e. the previous
   closing). If ``between(s, t) == 0``: ``r == nwi(s) == nwi(t)`` (which is ``> t`` when ``t`` is closed time);
4. additive and antisymmetric: ``between(a, b) + between(b, c) == between(a, c)`` for any a, b, c;
5. landing: ``add(s, 0)`` is working time; for ``m > 0`` the microsecond before ``add(s, m)`` is working time and
   ``add(s, m)`` is either working time or exactly a closing instant.

Calendars come from a small set of realistic configurations (station, gov hall, call center with heating
season, 7×24 hotline, merchant seasons), with random overrides and admin holidays; instants lie in 2024–2027 and
are biased towards opening/closing boundaries, where the off-by-one mistakes live.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicecenter.workcalendar.engine import (
    ROUND_THE_CLOCK,
    BusinessCalendar,
    DateOverride,
    DayProfile,
    OpenOn,
    Period,
    Season,
    StatutoryDay,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
ONE_US = timedelta(microseconds=1)


def utc(value: datetime) -> datetime:
    """Compare and subtract in UTC: aware datetimes sharing a tzinfo compare by wall clock (wrong across DST)."""
    return value.astimezone(UTC)


PROFILES = (
    DayProfile((Period.of("08:30", "20:00"),), OpenOn.ALL_DAYS),  # ATT-01 station
    DayProfile((Period.of("08:30", "11:30"), Period.of("14:30", "17:30")), OpenOn.WORKDAYS),  # ATT-21 gov hall
    DayProfile((Period.of("08:30", "17:30"),), OpenOn.WORKDAYS),  # D02 call center outside heating season
    DayProfile(ROUND_THE_CLOCK, OpenOn.ALL_DAYS),  # ATT-34 7×24
    DayProfile.build(  # adjacent periods, late closing at 24:00, short Sundays, closed Mondays
        [Period.of("07:00", "12:00"), Period.of("12:00", "15:00"), Period.of("18:00", "24:00")],
        open_on=OpenOn.ALL_DAYS,
        by_weekday={6: [Period.of("10:00", "14:00")], 0: []},
    ),
)

SEASON_SETS: tuple[tuple[Season, ...], ...] = (
    (),
    (Season("供暖期", date(2025, 11, 15), date(2026, 3, 15), round_the_clock=True, open_on=OpenOn.ALL_DAYS),),
    (
        Season("供暖期", date(2024, 11, 15), date(2025, 3, 15), round_the_clock=True),
        Season("供暖期", date(2026, 11, 15), date(2027, 3, 15), round_the_clock=True, open_on=OpenOn.ALL_DAYS),
    ),
    (
        Season("夏季", date(2025, 5, 1), date(2025, 9, 30), periods=(Period.of("06:30", "22:30"),)),
        Season("冬季", date(2025, 10, 1), date(2026, 4, 30), periods=(Period.of("07:00", "22:00"),)),
    ),
    (Season("暑假闭馆", date(2026, 7, 10), date(2026, 8, 31)),),  # closed season
)

OVERRIDE_PERIODS = (
    None,
    (Period.of("09:00", "12:00"),),
    ROUND_THE_CLOCK,
    (Period.of("10:00", "11:00"), Period.of("13:00", "15:00")),
)

BOUNDARY_TIMES = tuple(
    time.fromisoformat(t)
    for t in (
        "00:00",
        "06:30",
        "07:00",
        "08:00",
        "08:30",
        "09:00",
        "10:00",
        "11:00",
        "11:30",
        "12:00",
        "14:00",
        "14:30",
        "15:00",
        "17:30",
        "18:00",
        "20:00",
        "22:00",
        "22:30",
        "23:59:59.999999",
    )
)

days_2024_2027 = st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31))

overrides = st.lists(
    st.one_of(
        st.builds(DateOverride, day=days_2024_2027, is_open=st.just(False), name=st.just("停业")),
        st.builds(DateOverride, day=days_2024_2027, is_open=st.just(True), periods=st.sampled_from(OVERRIDE_PERIODS)),
    ),
    max_size=6,
    unique_by=lambda o: o.day,
)

extra_holidays = st.lists(
    st.builds(
        StatutoryDay,
        day=st.dates(min_value=date(2026, 12, 20), max_value=date(2027, 12, 31)),
        name=st.sampled_from(["元旦", "春节", "国庆节"]),
        workday=st.booleans(),
    ),
    max_size=6,
    unique_by=lambda d: d.day,
)

calendars = st.builds(
    BusinessCalendar,
    tz=st.sampled_from([SHANGHAI, SHANGHAI, BERLIN]),  # Berlin exercises DST arithmetic
    profile=st.sampled_from(PROFILES),
    seasons=st.sampled_from(SEASON_SETS),
    overrides=overrides.map(tuple),
    extra_holidays=extra_holidays.map(tuple),
)

minutes = st.one_of(st.integers(0, 10), st.integers(0, 600), st.integers(0, 20_000))


@st.composite
def instants(draw: st.DrawFn, tz: ZoneInfo) -> datetime:
    """An aware instant in 2024–2027, half the time exactly on a typical opening/closing time of the calendar tz."""
    day = draw(days_2024_2027)
    if draw(st.booleans()):
        local = datetime.combine(day, draw(st.sampled_from(BOUNDARY_TIMES)), tzinfo=tz)
    else:
        local = datetime.combine(day, draw(st.times()), tzinfo=tz)
    # Express it in another tz half the time: only the instant matters.
    return local.astimezone(draw(st.sampled_from([tz, UTC])))


def later_instant(draw: st.DrawFn, start: datetime, calendar: BusinessCalendar) -> datetime:
    """An instant after ``start``: mostly within 60 days, sometimes a boundary of a working interval."""
    candidate = utc(start) + draw(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=60)))
    if draw(st.booleans()):
        intervals = calendar.working_intervals(candidate.astimezone(calendar.tz).date())
        if intervals:
            opening, closing = draw(st.sampled_from(intervals))
            boundary = draw(st.sampled_from([opening, closing]))
            if utc(boundary) >= utc(start):
                return boundary
    return candidate


SETTINGS = settings(max_examples=300, deadline=None)


@pytest.mark.clause("C-01", "WO-03")
@SETTINGS
@given(calendar=calendars, data=st.data(), m1=minutes, m2=minutes)
def test_add_is_monotonic_in_minutes(calendar: BusinessCalendar, data: st.DataObject, m1: int, m2: int) -> None:
    # given
    start = utc(data.draw(instants(calendar.tz)))
    low, high = sorted((m1, m2))

    # when
    first, second = (utc(calendar.add_working_minutes(start, m)) for m in (low, high))

    # then
    assert first <= second
    assert start <= first
    assert second - start >= timedelta(minutes=high)  # elapsed real time is never shorter than working time


@pytest.mark.clause("C-01", "C-09")
@SETTINGS
@given(calendar=calendars, data=st.data(), m=minutes)
def test_between_inverts_add_exactly(calendar: BusinessCalendar, data: st.DataObject, m: int) -> None:
    # given
    start = data.draw(instants(calendar.tz))

    # when
    due = calendar.add_working_minutes(start, m)

    # then
    assert calendar.working_minutes_between(start, due) == m
    assert calendar.working_time_between(start, due) == timedelta(minutes=m)
    assert due.tzinfo is calendar.tz


@pytest.mark.clause("C-01", "C-09")
@SETTINGS
@given(calendar=calendars, data=st.data())
def test_add_of_between_returns_to_the_start_of_the_closed_gap_before_t(
    calendar: BusinessCalendar, data: st.DataObject
) -> None:
    # given
    start = data.draw(instants(calendar.tz))
    t = utc(later_instant(data.draw, start, calendar))
    start = utc(start)
    worked = calendar.working_time_between(start, t)

    # when
    r = utc(calendar.add_working_time(start, worked))
    r_from_minutes = utc(calendar.add_working_minutes(start, calendar.working_minutes_between(start, t)))

    # then
    assert r_from_minutes == r  # the float minute count round-trips to the same microsecond
    assert r <= utc(calendar.next_working_instant(t))
    assert calendar.working_time_between(min(r, t), max(r, t)) == timedelta(0)
    if worked > timedelta(0):
        assert r <= t
        assert calendar.is_working_time(r - ONE_US)  # r closes a working stretch: the earliest such instant
        if t - ONE_US >= start and calendar.is_working_time(t - ONE_US):
            assert r == t
    else:
        assert r == utc(calendar.next_working_instant(t)) == utc(calendar.next_working_instant(start))


@pytest.mark.clause("C-01", "C-09")
@SETTINGS
@given(calendar=calendars, data=st.data())
def test_between_is_additive_and_antisymmetric(calendar: BusinessCalendar, data: st.DataObject) -> None:
    # given: three instants in any order
    a, b, c = (data.draw(instants(calendar.tz)) for _ in range(3))

    # when
    ab, bc, ac = (calendar.working_time_between(x, y) for x, y in ((a, b), (b, c), (a, c)))

    # then
    assert ab + bc == ac
    assert calendar.working_time_between(b, a) == -ab
    if utc(a) <= utc(b):
        assert ab >= timedelta(0)


@pytest.mark.clause("C-01", "C-09")
@SETTINGS
@given(calendar=calendars, data=st.data())
def test_minute_counts_are_additive_for_whole_minute_instants(calendar: BusinessCalendar, data: st.DataObject) -> None:
    # given: instants on whole minutes, so every count is an integral float
    a, b, c = (data.draw(instants(calendar.tz)).replace(second=0, microsecond=0) for _ in range(3))

    # when
    ab, bc, ac = (calendar.working_minutes_between(x, y) for x, y in ((a, b), (b, c), (a, c)))

    # then
    assert ab + bc == ac
    assert ab == int(ab)


@pytest.mark.clause("C-01", "WO-03")
@SETTINGS
@given(calendar=calendars, data=st.data(), m=minutes)
def test_add_lands_in_working_time_or_exactly_on_a_closing(
    calendar: BusinessCalendar, data: st.DataObject, m: int
) -> None:
    # given
    start = data.draw(instants(calendar.tz))

    # when
    r = utc(calendar.add_working_minutes(start, m))

    # then
    if m == 0:
        assert calendar.is_working_time(r)
        assert r == utc(calendar.next_working_instant(start))
    else:
        assert calendar.is_working_time(r - ONE_US)
        if not calendar.is_working_time(r):
            before = (r - ONE_US).astimezone(calendar.tz).date()
            assert r in [utc(closing) for _, closing in calendar.working_intervals(before)]


@pytest.mark.clause("C-01")
@SETTINGS
@given(calendar=calendars, data=st.data())
def test_next_working_instant_is_the_first_working_instant(calendar: BusinessCalendar, data: st.DataObject) -> None:
    # given
    t = utc(data.draw(instants(calendar.tz)))

    # when
    n = utc(calendar.next_working_instant(t))

    # then
    assert n >= t
    assert calendar.is_working_time(n)
    assert calendar.working_time_between(t, n) == timedelta(0)
    assert (n == t) == calendar.is_working_time(t)


@pytest.mark.clause("C-01", "C-02")
@SETTINGS
@given(calendar=calendars, data=st.data())
def test_between_matches_the_published_daily_intervals(calendar: BusinessCalendar, data: st.DataObject) -> None:
    # given: a span of at most ~10 days, and the intervals a UI would show for each day
    a = utc(data.draw(instants(calendar.tz)))
    b = a + data.draw(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=10)))
    first, last = a.astimezone(calendar.tz).date(), b.astimezone(calendar.tz).date()
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]

    # when
    overlap = sum(
        (
            max(timedelta(0), min(utc(closing), b) - max(utc(opening), a))
            for day in days
            for opening, closing in calendar.working_intervals(day)
        ),
        timedelta(0),
    )

    # then
    assert calendar.working_time_between(a, b) == overlap
    for day in days:
        intervals = calendar.working_intervals(day)
        day_start = utc(datetime.combine(day, time(0), tzinfo=calendar.tz))
        day_end = utc(datetime.combine(day + timedelta(days=1), time(0), tzinfo=calendar.tz))
        for opening, closing in intervals:
            assert day_start <= utc(opening) < utc(closing) <= day_end
        for (_, closing), (opening, _) in zip(intervals, intervals[1:], strict=False):
            assert utc(closing) < utc(opening)  # disjoint and merged
