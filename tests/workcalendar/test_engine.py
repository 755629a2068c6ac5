"""Concrete cases for the business-calendar engine (C-01, C-02, ATT-01, ATT-21, ATT-17, ATT-34, WO-03, C-09).

Statutory facts used below were checked against chinesecalendar 1.11 itself (see the two ``*_facts`` tests):

* 2025 National Day + Mid-Autumn: holidays Wed 2025-10-01 .. Wed 2025-10-08 (10-06 is 中秋),
  make-up workdays Sun 2025-09-28 and Sat 2025-10-11. Note 2025-09-30 is a Tuesday.
* 2026 New Year: holidays Thu 2026-01-01 .. Sat 2026-01-03, make-up workday Sun 2026-01-04.
* 2026 Spring Festival: holidays Sun 2026-02-15 .. Mon 2026-02-23 (9 days), make-up workdays Sat 2026-02-14 and
  Sat 2026-02-28.
* 2026 National Day: holidays 2026-10-01 .. 2026-10-07, make-up workdays Sun 2026-09-20 and Sat 2026-10-10.
* chinesecalendar 1.11 covers 2004..2026 and raises NotImplementedError for 2027.
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import chinese_calendar  # type: ignore[import-untyped]
import pytest

from servicecenter.workcalendar.engine import (
    ROUND_THE_CLOCK,
    BusinessCalendar,
    DateOverride,
    DayKind,
    DayProfile,
    NoWorkingTimeError,
    OpenOn,
    Period,
    Season,
    StatutoryDay,
    coverage_warning_text,
    statutory_covered_years,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")

STATION = DayProfile((Period.of("08:30", "20:00"),), OpenOn.ALL_DAYS)  # ATT-01, D01
GOV_HALL = DayProfile((Period.of("08:30", "11:30"), Period.of("14:30", "17:30")), OpenOn.WORKDAYS)  # ATT-21, D19
CALL_CENTER = DayProfile((Period.of("08:30", "17:30"),), OpenOn.WORKDAYS)  # D02 outside the heating season
HEATING_2025 = Season(
    "供暖期", date(2025, 11, 15), date(2026, 3, 15), round_the_clock=True, open_on=OpenOn.ALL_DAYS
)  # ATT-17


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, tz: ZoneInfo = SHANGHAI) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=tz)


def station() -> BusinessCalendar:
    return BusinessCalendar(SHANGHAI, STATION)


def gov_hall(
    *, overrides: tuple[DateOverride, ...] = (), extra_holidays: tuple[StatutoryDay, ...] = ()
) -> BusinessCalendar:
    return BusinessCalendar(SHANGHAI, GOV_HALL, overrides=overrides, extra_holidays=extra_holidays)


# ---------------------------------------------------------------- statutory facts (verified, not guessed)


@pytest.mark.clause("C-01")
def test_chinesecalendar_facts_2025_national_day() -> None:
    # given / when / then: the library's own data for the 2025 National Day + Mid-Autumn holiday
    holidays = [date(2025, 10, d) for d in range(1, 9)]
    assert all(chinese_calendar.is_holiday(d) for d in holidays)
    assert chinese_calendar.get_holiday_detail(date(2025, 10, 6)) == (True, "Mid-autumn Festival")
    assert chinese_calendar.is_workday(date(2025, 9, 28)) and date(2025, 9, 28).weekday() == 6
    assert chinese_calendar.is_workday(date(2025, 10, 11)) and date(2025, 10, 11).weekday() == 5
    assert chinese_calendar.is_workday(date(2025, 10, 9))
    assert date(2025, 9, 30).weekday() == 1  # a Tuesday


@pytest.mark.clause("C-01")
def test_chinesecalendar_facts_2026() -> None:
    # given / when / then: the library's 2026 data (New Year, Spring Festival, National Day)
    assert [chinese_calendar.is_holiday(date(2026, 1, d)) for d in (1, 2, 3)] == [True, True, True]
    assert chinese_calendar.get_holiday_detail(date(2026, 1, 4)) == (False, "New Year's Day")
    spring = [date(2026, 2, 15) + timedelta(days=i) for i in range(9)]
    assert spring[-1] == date(2026, 2, 23)
    assert all(chinese_calendar.get_holiday_detail(d) == (True, "Spring Festival") for d in spring)
    assert chinese_calendar.is_workday(date(2026, 2, 24))
    for makeup in (date(2026, 2, 14), date(2026, 2, 28)):
        assert makeup.weekday() == 5
        assert chinese_calendar.get_holiday_detail(makeup) == (False, "Spring Festival")
    assert all(chinese_calendar.is_holiday(date(2026, 10, d)) for d in range(1, 8))
    assert chinese_calendar.is_workday(date(2026, 9, 20)) and chinese_calendar.is_workday(date(2026, 10, 10))
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 1, 4))


# ---------------------------------------------------------------- day kinds and periods


@pytest.mark.clause("C-01")
@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 10, 1), (DayKind.HOLIDAY, "国庆节")),
        (date(2025, 10, 6), (DayKind.HOLIDAY, "中秋")),
        (date(2025, 10, 4), (DayKind.HOLIDAY, "国庆节")),  # a Saturday inside the holiday is a holiday
        (date(2025, 9, 28), (DayKind.MAKEUP_WORKDAY, "国庆节")),
        (date(2025, 10, 11), (DayKind.MAKEUP_WORKDAY, "国庆节")),
        (date(2025, 10, 18), (DayKind.WEEKEND, None)),
        (date(2025, 10, 9), (DayKind.WORKDAY, None)),
        (date(2026, 2, 17), (DayKind.HOLIDAY, "春节")),
        (date(2026, 2, 14), (DayKind.MAKEUP_WORKDAY, "春节")),
        (date(2026, 1, 4), (DayKind.MAKEUP_WORKDAY, "元旦")),
    ],
)
def test_day_kind_follows_chinesecalendar(day: date, expected: tuple[DayKind, str | None]) -> None:
    # given
    calendar = gov_hall()

    # when
    kind = calendar.day_kind(day)

    # then
    assert kind == expected
    assert kind[0] == expected[0].value  # StrEnum: plain strings compare equal


@pytest.mark.clause("ATT-21", "C-01")
def test_makeup_saturday_is_open_for_the_gov_hall_and_an_ordinary_saturday_is_not() -> None:
    # given
    calendar = gov_hall()

    # when
    makeup = calendar.working_intervals(date(2025, 10, 11))
    ordinary = calendar.working_intervals(date(2025, 10, 18))

    # then
    assert makeup == [
        (at(2025, 10, 11, 8, 30), at(2025, 10, 11, 11, 30)),
        (at(2025, 10, 11, 14, 30), at(2025, 10, 11, 17, 30)),
    ]
    assert ordinary == []
    assert calendar.working_intervals(date(2025, 9, 28)) != []  # make-up Sunday
    assert calendar.working_intervals(date(2025, 10, 1)) == []  # National Day


@pytest.mark.clause("ATT-01", "C-01")
def test_service_station_is_open_every_day_including_holidays() -> None:
    # given
    calendar = station()

    # when / then
    for day in (date(2025, 10, 1), date(2025, 10, 4), date(2025, 10, 18), date(2026, 2, 17)):
        assert calendar.working_intervals(day) == [
            (datetime.combine(day, time(8, 30), SHANGHAI), datetime.combine(day, time(20), SHANGHAI))
        ]
    assert calendar.add_working_minutes(at(2025, 10, 1, 19), 240) == at(2025, 10, 2, 11, 30)


@pytest.mark.clause("WO-03", "ATT-01")
def test_work_order_sla_example_from_the_requirements() -> None:
    # given: a D01 station, an order created 09:00 on the National Day holiday
    calendar = station()
    created = at(2025, 10, 1, 9)

    # when
    response_due = calendar.add_working_minutes(created, 30)
    resolution_due = calendar.add_working_minutes(created, 240)

    # then
    assert response_due == at(2025, 10, 1, 9, 30)
    assert resolution_due == at(2025, 10, 1, 13)


@pytest.mark.clause("C-01")
def test_weekday_specific_periods() -> None:
    # given: a station with short Sunday hours and closed Mondays (all days, holidays ignored)
    profile = DayProfile.build(
        [Period.of("08:30", "20:00")], open_on="all_days", by_weekday={6: [Period.of("09:00", "17:00")], 0: []}
    )
    calendar = BusinessCalendar(SHANGHAI, profile)

    # when / then: Sun 2025-10-05 is a holiday but the station ignores holidays
    assert calendar.day_periods(date(2025, 10, 5)) == (Period.of("09:00", "17:00"),)
    assert calendar.day_periods(date(2025, 10, 6)) == ()
    assert calendar.add_working_minutes(at(2025, 10, 5, 16), 120) == at(2025, 10, 7, 9, 30)


@pytest.mark.clause("C-01", "ATT-21")
def test_makeup_day_of_a_workdays_profile_uses_default_periods_not_weekend_entries() -> None:
    # given: a hall whose Saturday entry is empty (ordinary Saturdays are closed anyway)
    profile = DayProfile.build(GOV_HALL.periods, open_on="workdays", by_weekday={5: [], 6: []})
    calendar = BusinessCalendar(SHANGHAI, profile)

    # when
    periods = calendar.day_periods(date(2025, 10, 11))

    # then
    assert periods == GOV_HALL.periods


# ---------------------------------------------------------------- gov hall arithmetic (ATT-21, WO-03, C-09)


@pytest.mark.clause("ATT-21", "WO-03", "C-09")
def test_gov_hall_order_before_national_day_lands_after_the_holiday() -> None:
    # given: Tue 2025-09-30 16:00, 90 minutes left that day, then Oct 1..8 closed
    calendar = gov_hall()
    received = at(2025, 9, 30, 16)

    # when
    due = calendar.add_working_minutes(received, 240)

    # then: remaining 150 minutes on Thu 2025-10-09 from 08:30
    assert due == at(2025, 10, 9, 11)
    assert calendar.working_minutes_between(received, due) == 240


@pytest.mark.clause("ATT-21", "C-01")
def test_gov_hall_spring_festival_2026_makeup_saturday_then_holiday() -> None:
    # given
    calendar = gov_hall()

    # when
    friday = calendar.add_working_minutes(at(2026, 2, 13, 16), 240)
    saturday = calendar.add_working_minutes(at(2026, 2, 14, 16), 240)

    # then: Fri → make-up Sat 02-14; Sat → after the 9-day holiday, Tue 02-24
    assert friday == at(2026, 2, 14, 11)
    assert saturday == at(2026, 2, 24, 11)


@pytest.mark.clause("ATT-21")
def test_gov_hall_afternoon_order_lands_next_working_morning() -> None:
    # given
    calendar = gov_hall()

    # when
    wednesday = calendar.add_working_minutes(at(2025, 11, 12, 16), 240)
    friday = calendar.add_working_minutes(at(2025, 11, 14, 16), 240)

    # then
    assert wednesday == at(2025, 11, 13, 11)
    assert friday == at(2025, 11, 17, 11)  # weekend skipped


@pytest.mark.clause("ATT-21")
def test_lunch_break_is_skipped() -> None:
    # given
    calendar = gov_hall()

    # when
    due = calendar.add_working_minutes(at(2025, 11, 12, 10), 120)

    # then: 90 minutes until 11:30, 30 more from 14:30
    assert due == at(2025, 11, 12, 15)
    assert not calendar.is_working_time(at(2025, 11, 12, 12))
    assert calendar.working_minutes_between(at(2025, 11, 12, 11), at(2025, 11, 12, 15)) == 60


@pytest.mark.clause("ATT-21")
def test_start_before_opening_starts_the_clock_at_opening() -> None:
    # given
    calendar = gov_hall()

    # when
    due = calendar.add_working_minutes(at(2025, 11, 12, 7), 60)

    # then
    assert due == at(2025, 11, 12, 9, 30)
    assert calendar.next_working_instant(at(2025, 11, 12, 7)) == at(2025, 11, 12, 8, 30)


@pytest.mark.clause("ATT-21")
def test_closing_instant_is_not_working_time_and_starts_at_next_opening() -> None:
    # given: Wed 17:30 is exactly closing time
    calendar = gov_hall()
    closing = at(2025, 11, 12, 17, 30)

    # when / then
    assert not calendar.is_working_time(closing)
    assert calendar.is_working_time(at(2025, 11, 12, 8, 30))
    assert calendar.add_working_minutes(closing, 0) == at(2025, 11, 13, 8, 30)
    assert calendar.add_working_minutes(closing, 30) == at(2025, 11, 13, 9)
    assert calendar.add_working_minutes(at(2025, 11, 12, 11, 30), 30) == at(2025, 11, 12, 15)


@pytest.mark.clause("ATT-21", "WO-03")
def test_work_finishing_at_closing_time_is_due_at_closing_time() -> None:
    # given
    calendar = gov_hall()

    # when
    due = calendar.add_working_minutes(at(2025, 11, 12, 16, 30), 60)

    # then: the earliest instant with 60 working minutes, not the next morning
    assert due == at(2025, 11, 12, 17, 30)
    assert calendar.add_working_minutes(at(2025, 11, 12, 10, 30), 60) == at(2025, 11, 12, 11, 30)


@pytest.mark.clause("C-01", "C-09")
def test_adding_back_the_working_time_up_to_an_opening_returns_the_previous_closing() -> None:
    # given: from Wed 16:00 to Thu 08:30 (an opening instant) there are 90 working minutes
    calendar = gov_hall()
    start, opening = at(2025, 11, 12, 16), at(2025, 11, 13, 8, 30)
    worked = calendar.working_minutes_between(start, opening)

    # when
    back = calendar.add_working_minutes(start, worked)

    # then: the earliest instant with 90 minutes is Wed 17:30, not Thu 08:30
    assert worked == 90
    assert back == at(2025, 11, 12, 17, 30)
    assert calendar.working_minutes_between(back, opening) == 0


@pytest.mark.clause("C-01")
def test_zero_minutes_inside_working_time_is_the_start_itself() -> None:
    # given
    calendar = gov_hall()
    start = at(2025, 11, 12, 9, 15)

    # when / then
    assert calendar.add_working_minutes(start, 0) == start
    assert calendar.next_working_instant(start) == start


# ---------------------------------------------------------------- seasons (ATT-17, ATT-34, C-02)


@pytest.mark.clause("ATT-17", "C-02")
def test_heating_season_switches_to_round_the_clock_and_back() -> None:
    # given: a call center on workdays 08:30–17:30, 24-hour duty every day in the heating season
    calendar = BusinessCalendar(SHANGHAI, CALL_CENTER, seasons=(HEATING_2025,))

    # when
    entering = calendar.add_working_minutes(at(2025, 11, 14, 17), 240)
    inside = calendar.add_working_minutes(at(2026, 2, 17, 22), 240)  # Spring Festival holiday
    leaving = calendar.add_working_minutes(at(2026, 3, 15, 23), 120)

    # then
    assert entering == at(2025, 11, 15, 3, 30)  # 30 min Friday, then Saturday from 00:00
    assert inside == at(2026, 2, 18, 2)
    assert leaving == at(2026, 3, 16, 9, 30)  # 60 min until midnight, then Monday 08:30
    assert calendar.is_working_time(at(2025, 11, 15))
    assert not calendar.is_working_time(at(2026, 3, 16))
    assert calendar.working_minutes_between(at(2025, 11, 15), at(2025, 11, 16)) == 1440
    assert calendar.season_for(date(2026, 1, 1)) == HEATING_2025
    assert calendar.season_for(date(2026, 3, 16)) is None


@pytest.mark.clause("ATT-34")
def test_seven_by_twenty_four_hotline() -> None:
    # given
    calendar = BusinessCalendar(SHANGHAI, DayProfile(ROUND_THE_CLOCK, OpenOn.ALL_DAYS))

    # when
    due = calendar.add_working_minutes(at(2025, 10, 1, 23), 240)

    # then
    assert due == at(2025, 10, 2, 3)
    assert calendar.working_minutes_between(at(2025, 10, 1), at(2025, 10, 8)) == 7 * 1440
    assert calendar.working_intervals(date(2025, 10, 1)) == [(at(2025, 10, 1), at(2025, 10, 2))]


@pytest.mark.clause("C-02")
def test_summer_and_winter_merchant_hours() -> None:
    # given: MER-17 summer 06:30–22:30, winter 07:00–22:00 as two seasons
    seasons = (
        Season("夏季", date(2025, 5, 1), date(2025, 9, 30), periods=(Period.of("06:30", "22:30"),)),
        Season("冬季", date(2025, 10, 1), date(2026, 4, 30), periods=(Period.of("07:00", "22:00"),)),
    )
    calendar = BusinessCalendar(SHANGHAI, STATION, seasons=seasons)

    # when / then
    assert calendar.day_periods(date(2025, 7, 1)) == (Period.of("06:30", "22:30"),)
    assert calendar.day_periods(date(2025, 12, 1)) == (Period.of("07:00", "22:00"),)
    assert calendar.day_periods(date(2026, 5, 1)) == STATION.periods  # no season = default profile
    assert calendar.add_working_minutes(at(2025, 9, 30, 22), 60) == at(2025, 10, 1, 7, 30)


# ---------------------------------------------------------------- overrides


@pytest.mark.clause("C-01")
def test_override_closes_a_date() -> None:
    # given
    calendar = BusinessCalendar(
        SHANGHAI, STATION, overrides=(DateOverride(date(2025, 12, 24), False, name="停电检修"),)
    )

    # when
    due = calendar.add_working_minutes(at(2025, 12, 23, 19), 120)

    # then
    assert due == at(2025, 12, 25, 9, 30)
    assert calendar.working_intervals(date(2025, 12, 24)) == []
    assert calendar.day_kind(date(2025, 12, 24)) == (DayKind.WORKDAY, None)  # overrides don't change the kind


@pytest.mark.clause("C-01")
def test_override_opens_a_holiday_with_given_or_normal_periods() -> None:
    # given: the hall opens on National Day morning, and on an ordinary Saturday with normal hours
    calendar = gov_hall(
        overrides=(
            DateOverride(date(2025, 10, 3), True, (Period.of("09:00", "12:00"),), "国庆值班"),
            DateOverride(date(2025, 10, 18), True, None, "集中办理日"),
        )
    )

    # when
    due = calendar.add_working_minutes(at(2025, 9, 30, 16), 240)

    # then
    assert due == at(2025, 10, 3, 11, 30)
    assert calendar.day_periods(date(2025, 10, 18)) == GOV_HALL.periods


# ---------------------------------------------------------------- years without statutory data


@pytest.mark.clause("C-01")
def test_coverage_range_and_warning_text() -> None:
    # given
    calendar = gov_hall()

    # when / then
    assert calendar.covered_years() == statutory_covered_years() == range(2004, 2027)
    assert calendar.coverage_warning(2026) is None
    assert calendar.coverage_warning(2027) == "2027 的法定节假日未知，按周末+管理员录入的节假日计算"
    assert coverage_warning_text(2003) == "2003 的法定节假日未知，按周末+管理员录入的节假日计算"


@pytest.mark.clause("C-01")
def test_2027_falls_back_to_weekends_and_admin_holidays() -> None:
    # given: an admin entered 元旦 2027 (a Friday) and a make-up Saturday
    extras = (StatutoryDay(date(2027, 1, 1), "元旦"), StatutoryDay(date(2027, 2, 20), "春节", workday=True))
    calendar = gov_hall(extra_holidays=extras)

    # when
    new_year = calendar.add_working_minutes(at(2026, 12, 31, 16), 240)
    march = calendar.add_working_minutes(at(2027, 3, 5, 16), 240)

    # then
    assert new_year == at(2027, 1, 4, 11)  # Fri holiday + weekend skipped
    assert march == at(2027, 3, 8, 11)  # Friday → Monday
    assert calendar.day_kind(date(2027, 1, 1)) == (DayKind.HOLIDAY, "元旦")
    assert calendar.day_kind(date(2027, 2, 20)) == (DayKind.MAKEUP_WORKDAY, "春节")
    assert calendar.day_kind(date(2027, 2, 6)) == (DayKind.WEEKEND, None)
    assert calendar.working_intervals(date(2027, 2, 20)) != []
    assert gov_hall().day_kind(date(2027, 1, 1)) == (DayKind.WORKDAY, None)  # unknown without admin entry
    assert gov_hall().day_kind(date(2003, 1, 1)) == (DayKind.WORKDAY, None)  # before the library's range too


# ---------------------------------------------------------------- conventions and validation


@pytest.mark.clause("C-01")
def test_naive_datetimes_are_rejected() -> None:
    # given
    calendar = gov_hall()
    naive = datetime(2025, 11, 12, 10)

    # when / then
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.add_working_minutes(naive, 10)
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.working_minutes_between(naive, at(2025, 11, 12, 12))
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.is_working_time(naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.next_working_instant(naive)


@pytest.mark.clause("C-01")
@pytest.mark.parametrize("minutes", [-1, -0.5, float("nan"), float("inf"), Decimal("-2")])
def test_invalid_minute_counts_are_rejected(minutes: float | Decimal) -> None:
    with pytest.raises(ValueError):
        gov_hall().add_working_minutes(at(2025, 11, 12, 10), minutes)


@pytest.mark.clause("C-01")
def test_fractional_minutes_are_exact_to_the_microsecond() -> None:
    # given
    calendar = gov_hall()
    start = at(2025, 11, 12, 11, 29)

    # when / then
    assert calendar.add_working_minutes(start, 0.5) == start + timedelta(seconds=30)
    assert calendar.add_working_minutes(start, Decimal("1.5")) == at(2025, 11, 12, 14, 30) + timedelta(seconds=30)
    assert calendar.working_time_between(start, at(2025, 11, 12, 14, 31)) == timedelta(minutes=2)
    assert calendar.add_working_time(start, timedelta(seconds=90)) == at(2025, 11, 12, 14, 30) + timedelta(seconds=30)


@pytest.mark.clause("C-01")
def test_reverse_span_is_negative() -> None:
    # given
    calendar = gov_hall()
    a, b = at(2025, 11, 12, 10), at(2025, 11, 12, 15)

    # when / then
    assert calendar.working_minutes_between(a, b) == 120
    assert calendar.working_minutes_between(b, a) == -120
    assert calendar.working_minutes_between(a, a) == 0


@pytest.mark.clause("C-01")
def test_results_are_in_the_calendar_tz_whatever_the_input_tz() -> None:
    # given: 08:00 UTC = 16:00 Shanghai
    calendar = gov_hall()
    received = datetime(2025, 11, 12, 8, tzinfo=UTC)

    # when
    due = calendar.add_working_minutes(received, 240)

    # then
    assert due.tzinfo is SHANGHAI
    assert due == at(2025, 11, 13, 11)
    assert (due.hour, due.minute) == (11, 0)


@pytest.mark.clause("C-01")
def test_dst_days_have_their_real_length() -> None:
    # given: a round-the-clock calendar in a tz with DST (Shanghai has none)
    calendar = BusinessCalendar(BERLIN, DayProfile(ROUND_THE_CLOCK, OpenOn.ALL_DAYS))
    day_hours = BusinessCalendar(BERLIN, DayProfile((Period.of("08:00", "20:00"),), OpenOn.ALL_DAYS))

    # when / then
    assert calendar.working_minutes_between(at(2025, 3, 30, tz=BERLIN), at(2025, 3, 31, tz=BERLIN)) == 23 * 60
    assert calendar.working_minutes_between(at(2025, 10, 26, tz=BERLIN), at(2025, 10, 27, tz=BERLIN)) == 25 * 60
    assert day_hours.add_working_minutes(at(2025, 3, 29, 19, tz=BERLIN), 120) == at(2025, 3, 30, 9, tz=BERLIN)
    assert day_hours.working_minutes_between(at(2025, 3, 30, tz=BERLIN), at(2025, 3, 31, tz=BERLIN)) == 720
    # 180 minutes after midnight on the fall-back day is the *second* 02:00 (CET), i.e. 01:00 UTC
    fall_back = calendar.add_working_minutes(at(2025, 10, 26, tz=BERLIN), 180)
    assert fall_back.astimezone(UTC) == datetime(2025, 10, 26, 1, tzinfo=UTC)
    assert (fall_back.hour, fall_back.fold) == (2, 1)


@pytest.mark.clause("C-01")
def test_period_conventions() -> None:
    # given / when / then
    assert Period.of("00:00", "24:00") == Period(time(0), time(0)) == ROUND_THE_CLOCK[0]
    assert Period.of("20:00", "24:00").end_us == 86_400_000_000
    assert str(Period.of("08:30", "24:00")) == "08:30–24:00"
    with pytest.raises(ValueError):
        Period.of("11:30", "08:30")
    with pytest.raises(ValueError):
        Period(time(8, tzinfo=UTC), time(9))


@pytest.mark.clause("C-01", "C-02")
def test_invalid_configurations_are_rejected() -> None:
    with pytest.raises(ValueError, match="overlap"):
        DayProfile((Period.of("08:00", "12:00"), Period.of("11:00", "13:00")))
    with pytest.raises(ValueError, match="overlap"):
        BusinessCalendar(SHANGHAI, STATION, seasons=(HEATING_2025, Season("冬季", date(2026, 3, 1), date(2026, 4, 1))))
    with pytest.raises(ValueError, match="not both"):
        Season("x", date(2025, 1, 1), date(2025, 2, 1), periods=(Period.of("08:00", "09:00"),), round_the_clock=True)
    with pytest.raises(ValueError):
        Season("x", date(2025, 2, 1), date(2025, 1, 1))
    with pytest.raises(ValueError, match="Two overrides"):
        BusinessCalendar(SHANGHAI, STATION, overrides=(DateOverride(date(2025, 1, 1), False),) * 2)
    with pytest.raises(ValueError):
        DateOverride(date(2025, 1, 1), False, (Period.of("08:00", "09:00"),))
    with pytest.raises(TypeError):
        DateOverride(datetime(2025, 1, 1, tzinfo=UTC), False)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no periods"):
        BusinessCalendar(SHANGHAI, DayProfile((), OpenOn.ALL_DAYS), overrides=(DateOverride(date(2025, 1, 1), True),))
    with pytest.raises(ValueError):
        DayProfile((), "sometimes")  # type: ignore[arg-type]


@pytest.mark.clause("C-01")
def test_a_calendar_that_never_opens_raises_instead_of_looping() -> None:
    # given
    calendar = BusinessCalendar(SHANGHAI, DayProfile((), OpenOn.ALL_DAYS))

    # when / then
    with pytest.raises(NoWorkingTimeError):
        calendar.add_working_minutes(at(2025, 1, 1), 10)
    assert calendar.working_minutes_between(at(2025, 1, 1), at(2025, 2, 1)) == 0


@pytest.mark.clause("C-01")
def test_calendar_is_hashable_and_comparable() -> None:
    assert gov_hall() == gov_hall()
    assert hash(gov_hall()) == hash(gov_hall())
    assert gov_hall() != station()


# ---------------------------------------------------------------- performance


def _average_seconds(func: Callable[[], object], calls: int) -> float:
    func()  # warm the per-day cache
    started = clock.perf_counter()
    for _ in range(calls):
        func()
    return (clock.perf_counter() - started) / calls


@pytest.mark.clause("WO-03", "C-09")
def test_add_240_minutes_is_fast() -> None:
    # given: 16:00 before the National Day week, so the span crosses the lunch break, nights and a holiday
    calendar = gov_hall()
    start = at(2025, 9, 30, 16)

    # when
    average = _average_seconds(lambda: calendar.add_working_minutes(start, 240), 1000)

    # then: generous bound for a noisy 2-core machine (measured ≈ 3–5 µs)
    assert average < 200e-6


@pytest.mark.clause("C-09")
def test_thirty_day_span_with_a_closed_week_is_fast() -> None:
    # given: a 30-day span over the National Day week; workdays in it: Sep 22–26, Sun Sep 28 (调休), Sep 29–30,
    # Oct 9–10, Sat Oct 11 (调休), Oct 13–17 = 16 full days of 360 min, plus Mon Oct 20 08:30–10:00
    calendar = gov_hall()
    start, end = at(2025, 9, 20, 10), at(2025, 10, 20, 10)

    # when
    between = _average_seconds(lambda: calendar.working_minutes_between(start, end), 1000)
    adding = _average_seconds(lambda: calendar.add_working_minutes(start, 20 * 360), 1000)

    # then
    assert calendar.working_minutes_between(start, end) == 16 * 360 + 90
    assert between < 1e-3
    assert adding < 1e-3
