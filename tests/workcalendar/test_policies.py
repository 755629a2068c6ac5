"""The pure rules that turn parameters and admin entries into a calendar (policies.py): no database."""

from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo

import pytest

from servicecenter.workcalendar import policies
from servicecenter.workcalendar.engine import ROUND_THE_CLOCK, BusinessCalendar, DayProfile, OpenOn, Period, Season

SHANGHAI = ZoneInfo("Asia/Shanghai")
STATION = DayProfile((Period.of("08:30", "20:00"),), OpenOn.ALL_DAYS)


@pytest.mark.clause("ATT-01")
def test_station_profile_is_every_day_from_the_hours_parameter():
    # given / when
    profile = policies.regular_profile(business_hours=[["08:30", "20:00"]], open_days="all_days", round_the_clock=False)
    # then
    assert profile.open_on is OpenOn.ALL_DAYS
    assert profile.periods == (Period(time(8, 30), time(20, 0)),)


@pytest.mark.clause("ATT-21")
def test_gov_hall_profile_has_two_periods_on_workdays_only():
    # given / when
    profile = policies.regular_profile(
        business_hours=[["08:30", "11:30"], ["14:30", "17:30"]], open_days="workdays", round_the_clock=False
    )
    # then
    assert profile.open_on is OpenOn.WORKDAYS
    assert [str(p) for p in profile.periods] == ["08:30–11:30", "14:30–17:30"]


@pytest.mark.clause("ATT-34")
def test_round_the_clock_wins_over_the_hours():
    # given / when
    profile = policies.regular_profile(business_hours=[["08:30", "11:30"]], open_days="workdays", round_the_clock=True)
    # then: 7×24, weekends and holidays included
    assert profile.periods == ROUND_THE_CLOCK
    assert profile.open_on is OpenOn.ALL_DAYS


@pytest.mark.clause("ATT-17")
def test_heating_season_needs_both_the_switch_and_the_dates():
    # given
    dates = {"start": "2025-11-15", "end": "2026-03-15"}
    # when
    season = policies.heating_season(date_range=dates, round_the_clock_in_season=True)
    # then
    assert season == Season("供暖期", date(2025, 11, 15), date(2026, 3, 15), round_the_clock=True, open_on="all_days")
    assert policies.heating_season(date_range=None, round_the_clock_in_season=True) is None
    assert policies.heating_season(date_range=dates, round_the_clock_in_season=False) is None


@pytest.mark.clause("C-02")
def test_nearest_layer_wins_and_a_parents_season_is_clipped_around_it():
    # given: the center's own summer inside the ops center's longer summer
    own = Season("夏季（本中心）", date(2026, 7, 1), date(2026, 7, 31), periods=(Period.of("06:30", "22:30"),))
    parent = Season("夏季", date(2026, 6, 1), date(2026, 8, 31), periods=(Period.of("07:00", "22:00"),))
    # when
    merged = policies.merge_seasons([[(own, 1)], [(parent, 2)]])
    # then: the parent's season applies only where the center has none
    assert [(s.name, s.start, s.end, tag) for s, tag in merged] == [
        ("夏季", date(2026, 6, 1), date(2026, 6, 30), 2),
        ("夏季（本中心）", date(2026, 7, 1), date(2026, 7, 31), 1),
        ("夏季", date(2026, 8, 1), date(2026, 8, 31), 2),
    ]
    # and the engine accepts the result (no overlap)
    BusinessCalendar(SHANGHAI, STATION, seasons=tuple(s for s, _ in merged))


@pytest.mark.clause("C-02")
def test_within_one_layer_the_earlier_season_wins():
    # given: two overlapping rows of one organization (only possible around the services)
    first = Season("甲", date(2026, 1, 1), date(2026, 1, 20), round_the_clock=True)
    second = Season("乙", date(2026, 1, 10), date(2026, 1, 31), round_the_clock=True)
    # when
    merged = policies.merge_seasons([[(second, 1), (first, 1)]])
    # then
    assert [(s.name, s.start, s.end) for s, _ in merged] == [
        ("甲", date(2026, 1, 1), date(2026, 1, 20)),
        ("乙", date(2026, 1, 21), date(2026, 1, 31)),
    ]


def test_a_season_fully_covered_by_a_nearer_one_disappears():
    inner = Season("内", date(2026, 1, 1), date(2026, 12, 31), round_the_clock=True)
    outer = Season("外", date(2026, 3, 1), date(2026, 3, 31), round_the_clock=True)
    assert [s.name for s, _ in policies.merge_seasons([[(inner, 1)], [(outer, 2)]])] == ["内"]


@pytest.mark.clause("G-12")
def test_holiday_periods_of_national_day_2025_and_spring_festival_2026():
    # given
    calendar = BusinessCalendar(SHANGHAI, STATION)
    # when
    october = policies.holiday_periods(calendar, date(2025, 10, 3), date(2025, 10, 3))
    spring = policies.holiday_period_around(calendar, date(2026, 2, 1))
    # then: the whole run is reported, named after its holidays
    assert october == [policies.HolidayPeriod("国庆节、中秋", date(2025, 10, 1), date(2025, 10, 8))]
    assert october[0].days == 8
    assert spring is not None and (spring.start, spring.end, spring.days) == (date(2026, 2, 15), date(2026, 2, 23), 9)
    assert spring.name == "春节"


def test_profile_citation_names_the_rule_and_its_origin():
    source = policies.ProfileSource(
        business_hours=[["08:30", "11:30"], ["14:30", "17:30"]],
        open_days="workdays",
        round_the_clock=False,
        hours_origin="中心类型预设（D19）",
        open_days_origin="中心类型预设（D19）",
        round_the_clock_origin="制度默认值（D17）",
    )
    assert policies.profile_citation(source) == (
        "依据 C-01/ATT-21：营业时间 08:30–11:30，14:30–17:30，仅法定工作日（中心类型预设（D19））"
    )


@pytest.mark.parametrize(
    ("shown", "today", "years"),
    [
        (date(2026, 12, 1), date(2026, 12, 1), [2026, 2027]),
        (date(2026, 11, 1), date(2026, 6, 1), [2026, 2027]),
        (date(2025, 10, 1), date(2026, 12, 1), [2025, 2027]),
        (date(2025, 10, 1), date(2025, 10, 1), [2025]),
    ],
)
def test_coverage_years_look_ahead_in_the_last_two_months(shown, today, years):
    assert policies.coverage_years(shown=shown, today=today) == years
