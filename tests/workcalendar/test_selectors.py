"""A center's calendar built from parameters and rows (selectors.py): D01, D19, D02, seasons, overrides,
inheritance, the 2027 fallback, caching and query counts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine

from servicecenter.org import services as org_services
from servicecenter.org.choices import OrganizationKind
from servicecenter.policy import services as policy_services
from servicecenter.workcalendar import selectors, services
from servicecenter.workcalendar.engine import DayKind
from servicecenter.workcalendar.models import DateOverride, Season, StatutoryHoliday

from .conftest import at, configured_on, set_parameter

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------------------------- D01 station


@pytest.mark.smoke
@pytest.mark.clause("C-01", "ATT-01")
def test_station_is_open_every_day_0830_to_2000_by_default(station):
    # given: a D01 station with no parameter rows (seed default)
    # when
    calendar = selectors.calendar_for(organization=station, at=date(2025, 10, 1))
    # then: open on National Day and on a Sunday, closed at 20:00 (half-open)
    assert calendar.is_working_time(at(2025, 10, 1, 8, 30))
    assert calendar.is_working_time(at(2025, 10, 5, 19, 59))
    assert not calendar.is_working_time(at(2025, 10, 5, 20, 0))
    assert not calendar.is_working_time(at(2025, 10, 5, 8, 29))


@pytest.mark.clause("C-01", "ATT-01")
def test_station_answer_cites_the_default_hours(station):
    # when
    answer = selectors.is_working_time(organization=station, at=at(2025, 10, 1, 10))
    # then
    assert answer.value is True
    assert answer.citation == "依据 C-01/ATT-01：营业时间 08:30–20:00，每天营业（制度默认值（D01））"


# --------------------------------------------------------------------------------------------- D19 gov hall


@pytest.mark.smoke
@pytest.mark.clause("C-01", "ATT-21")
def test_gov_hall_closed_on_national_day_open_on_makeup_days(hall):
    # given: the D19 preset (two periods, official workdays only)
    calendar = selectors.calendar_for(organization=hall, at=date(2025, 9, 28))
    # then: holidays 2025-10-01..10-08 closed; make-up Sun 09-28 and Sat 10-11 open; lunch break closed
    for day in range(1, 9):
        assert calendar.day_periods(date(2025, 10, day)) == ()
    assert [str(p) for p in calendar.day_periods(date(2025, 9, 28))] == ["08:30–11:30", "14:30–17:30"]
    assert calendar.day_kind(date(2025, 9, 28)) == (DayKind.MAKEUP_WORKDAY, "国庆节")
    assert calendar.is_working_time(at(2025, 10, 11, 9))
    assert not calendar.is_working_time(at(2025, 9, 29, 12))
    assert not calendar.is_working_time(at(2025, 10, 12, 9))  # an ordinary Sunday


@pytest.mark.clause("ATT-21")
def test_gov_hall_due_time_skips_the_national_day_week(hall):
    # when: 240 working minutes from Tuesday 2025-09-30 15:00 (150 min that day, then 90 after the holidays)
    answer = selectors.add_working_minutes(organization=hall, start=at(2025, 9, 30, 15), minutes=240)
    # then
    assert answer.value == at(2025, 10, 9, 10, 0)
    assert answer.value.tzinfo is not None
    assert answer.citation.startswith(
        "依据 C-01/ATT-21：营业时间 08:30–11:30，14:30–17:30，仅法定工作日（中心类型预设（D19））"
    )
    assert "2025-10-01 为法定节假日（国庆节），不营业" in answer.citation
    # and the way back: the working minutes between the two instants are the 240 added
    between = selectors.working_minutes_between(organization=hall, start=at(2025, 9, 30, 15), end=answer.value)
    assert between.value == 240


# --------------------------------------------------------------------------------------------- D02 heating season


@pytest.mark.clause("ATT-17", "C-02")
def test_call_center_runs_round_the_clock_in_the_heating_season(call_center):
    # given: the D02 preset switches 24-hour duty on; the admin enters this winter's dates
    set_parameter("attendance.heating_season", call_center, {"start": "2025-11-15", "end": "2026-03-15"})
    # when
    calendar = selectors.calendar_for(organization=call_center, at=date(2025, 12, 1))
    # then: 03:00 on Christmas and on New Year's Day is working time; before the season it is not
    assert calendar.is_working_time(at(2025, 12, 25, 3))
    assert calendar.is_working_time(at(2026, 1, 1, 3))
    assert not calendar.is_working_time(at(2025, 11, 14, 3))
    assert calendar.is_working_time(at(2025, 11, 14, 9))  # regular hours (seed default) outside the season
    answer = selectors.is_working_time(organization=call_center, at=at(2025, 12, 25, 3))
    assert "依据 ATT-17：供暖期 2025-11-15 至 2026-03-15 24 小时值班" in answer.citation


@pytest.mark.clause("ATT-17")
def test_call_center_without_season_dates_has_no_heating_season(call_center):
    calendar = selectors.calendar_for(organization=call_center, at=date(2025, 12, 1))
    assert calendar.seasons == ()
    assert not calendar.is_working_time(at(2025, 12, 25, 3))


@pytest.mark.clause("ATT-34")
def test_round_the_clock_parameter_means_every_minute(station):
    # given: a 7×24 hotline
    set_parameter("attendance.round_the_clock", station, True)
    # when
    answer = selectors.is_working_time(organization=station, at=at(2025, 10, 1, 3))
    # then
    assert answer.value is True
    assert answer.citation.startswith("依据 ATT-34：全天候（7×24）营业")
    assert (
        selectors.working_minutes_between(organization=station, start=at(2025, 10, 1), end=at(2025, 10, 2)).value
        == 24 * 60
    )


# --------------------------------------------------------------------------------------------- rows


@pytest.mark.clause("C-02")
def test_a_season_row_replaces_the_hours_for_its_dates(station):
    # given: summer hours 06:30–22:30 (MER-17 style) entered for 2026
    with configured_on(date(2026, 5, 1)):
        services.season_create(
            actor=None,
            organization=station,
            name="夏季",
            start_date=date(2026, 6, 1),
            end_date=date(2026, 8, 31),
            periods=[["06:30", "22:30"]],
        )
    # when
    calendar = selectors.calendar_for(organization=station, at=date(2026, 7, 1))
    # then
    assert calendar.is_working_time(at(2026, 7, 1, 6, 45))
    assert not calendar.is_working_time(at(2026, 9, 1, 6, 45))
    answer = selectors.is_working_time(organization=station, at=at(2026, 7, 1, 6, 45))
    assert "依据 C-02：季节「夏季」2026-06-01 至 2026-08-31：2026-07-01 06:30–22:30（本级设定）" in answer.citation


@pytest.mark.clause("C-02")
def test_season_rows_win_over_the_heating_season_parameter(call_center):
    # given: the parameter says 24 h from 11-15; the center entered its own short-hours week in it
    set_parameter("attendance.heating_season", call_center, {"start": "2025-11-15", "end": "2026-03-15"})
    with configured_on(date(2026, 1, 1)):
        services.season_create(
            actor=None,
            organization=call_center,
            name="春节值班",
            start_date=date(2026, 2, 15),
            end_date=date(2026, 2, 23),
            periods=[["09:00", "17:00"]],
        )
    # when
    calendar = selectors.calendar_for(organization=call_center, at=date(2026, 1, 1))
    # then
    assert not calendar.is_working_time(at(2026, 2, 17, 3))
    assert calendar.is_working_time(at(2026, 2, 24, 3))
    assert [s.name for s in calendar.seasons] == ["供暖期", "春节值班", "供暖期"]


@pytest.mark.clause("C-01")
def test_an_override_closes_a_day(station):
    # given
    with configured_on(date(2025, 10, 1)):
        services.override_set(actor=None, organization=station, date=date(2025, 10, 15), is_open=False, name="设备检修")
    # when
    answer = selectors.is_working_time(organization=station, at=at(2025, 10, 15, 10))
    # then
    assert answer.value is False
    assert "依据 C-01：2025-10-15 特殊安排「设备检修」：休息（本级设定）" in answer.citation


@pytest.mark.clause("C-01")
def test_an_override_opens_a_holiday_with_its_own_hours(hall):
    with configured_on(date(2025, 9, 30)):
        services.override_set(
            actor=None,
            organization=hall,
            date=date(2025, 10, 3),
            is_open=True,
            name="加班办证",
            periods=[["09:00", "12:00"]],
        )
    calendar = selectors.calendar_for(organization=hall, at=date(2025, 10, 3))
    assert calendar.is_working_time(at(2025, 10, 3, 9))
    assert not calendar.is_working_time(at(2025, 10, 3, 14, 30))


@pytest.mark.clause("ORG-21", "C-02")
def test_teams_and_windows_inherit_their_centers_calendar_nearest_wins(tree, station):
    # given: the ops center closes 10-15 for all its centers; the center has its own summer, the team none
    window = org_services.organization_create(
        actor=None, name="一号窗口", code=f"w{station.pk}", kind=OrganizationKind.WINDOW, parent=station
    )
    with configured_on(date(2025, 10, 1)):
        services.override_set(
            actor=None, organization=tree["ops"], date=date(2025, 10, 15), is_open=False, name="全员培训"
        )
        services.override_set(actor=None, organization=station, date=date(2025, 10, 16), is_open=False, name="中心盘点")
        services.season_create(
            actor=None,
            organization=tree["ops"],
            name="冬季",
            start_date=date(2025, 11, 1),
            end_date=date(2025, 12, 31),
            periods=[["09:00", "17:00"]],
        )
        services.season_create(
            actor=None,
            organization=station,
            name="冬季（本中心）",
            start_date=date(2025, 12, 1),
            end_date=date(2025, 12, 31),
            periods=[["08:00", "18:00"]],
        )
    # when
    for org in (tree["team_a"], window):
        calendar = selectors.calendar_for(organization=org, at=date(2025, 10, 1))
        # then: both the ancestors' and the center's entries apply; the center's season wins in December
        assert calendar.day_periods(date(2025, 10, 15)) == ()
        assert calendar.day_periods(date(2025, 10, 16)) == ()
        assert [str(p) for p in calendar.day_periods(date(2025, 11, 10))] == ["09:00–17:00"]
        assert [str(p) for p in calendar.day_periods(date(2025, 12, 10))] == ["08:00–18:00"]
    # and the other center sees only the ops center's entries
    other = selectors.calendar_for(organization=tree["b"], at=date(2025, 10, 1))
    assert other.day_periods(date(2025, 10, 15)) == ()
    assert other.day_periods(date(2025, 10, 16)) != ()
    answer = selectors.is_working_time(organization=tree["team_a"], at=at(2025, 10, 15, 10))
    assert "（上级组织设定）" in answer.citation


@pytest.mark.clause("C-01")
def test_a_nearer_override_wins_over_a_parents(tree, station):
    with configured_on(date(2025, 10, 1)):
        services.override_set(actor=None, organization=tree["ops"], date=date(2025, 10, 15), is_open=False, name="培训")
        services.override_set(
            actor=None, organization=station, date=date(2025, 10, 15), is_open=True, name="照常营业", periods=None
        )
    calendar = selectors.calendar_for(organization=station, at=date(2025, 10, 15))
    assert calendar.is_working_time(at(2025, 10, 15, 10))


# --------------------------------------------------------------------------------------------- 2027 fallback


@pytest.mark.clause("C-01")
def test_2027_falls_back_to_weekends_plus_admin_entered_holidays(tree, hall):
    # given: chinesecalendar 1.11 does not know 2027; 2027-01-01 is a Friday
    before = selectors.calendar_for(organization=hall, at=date(2027, 1, 1))
    assert before.coverage_warning(2027) == "2027 的法定节假日未知，按周末+管理员录入的节假日计算"
    assert before.day_kind(date(2027, 1, 1)) == (DayKind.WORKDAY, None)
    assert before.is_working_time(at(2027, 1, 1, 9))
    # when: the company's admin enters New Year's Day and a make-up Saturday
    with configured_on(date(2026, 12, 1)):
        services.holiday_add(actor=None, organization=tree["company"], date=date(2027, 1, 1), name="元旦")
        services.holiday_add(
            actor=None, organization=tree["company"], date=date(2027, 1, 9), name="元旦调休", is_workday=True
        )
    # then
    answer = selectors.is_working_time(organization=hall, at=at(2027, 1, 1, 9))
    assert answer.value is False
    assert "2027-01-01 为法定节假日（元旦），不营业" in answer.citation
    assert "2027 的法定节假日未知" in answer.citation
    assert selectors.is_working_time(organization=hall, at=at(2027, 1, 9, 9)).value is True


def test_installation_wide_holidays_apply_and_the_trees_own_entry_wins(tree, hall):
    StatutoryHoliday.objects.create(organization=None, date=date(2027, 1, 1), name="元旦")
    calendar = selectors.calendar_for(organization=hall, at=date(2027, 1, 1))
    assert calendar.day_kind(date(2027, 1, 1)) == (DayKind.HOLIDAY, "元旦")
    StatutoryHoliday.objects.create(organization=tree["company"], date=date(2027, 1, 1), name="新年")
    calendar = selectors.calendar_for(organization=hall, at=date(2027, 1, 1))
    assert calendar.day_kind(date(2027, 1, 1)) == (DayKind.HOLIDAY, "新年")


# --------------------------------------------------------------------------------------------- cache and queries


@pytest.mark.clause("C-01")
def test_the_calendar_is_reused_until_a_row_or_parameter_changes(station):
    # given
    first = selectors.calendar_for(organization=station, at=date(2025, 10, 15))
    assert selectors.calendar_for(organization=station, at=date(2025, 10, 15)) is first
    # when: a new override
    with configured_on(date(2025, 10, 1)):
        services.override_set(actor=None, organization=station, date=date(2025, 10, 15), is_open=False, name="停电")
    # then: a new calendar with the new answer
    second = selectors.calendar_for(organization=station, at=date(2025, 10, 15))
    assert second is not first
    assert not second.is_working_time(at(2025, 10, 15, 10))
    # when: a parameter change (a new ParameterValue row)
    set_parameter("attendance.business_hours", station, [["09:00", "18:00"]], effective_from=date(2025, 10, 1))
    third = selectors.calendar_for(organization=station, at=date(2025, 10, 16))
    # then
    assert third is not second
    assert not third.is_working_time(at(2025, 10, 16, 8, 45))
    assert third.is_working_time(at(2025, 10, 16, 17, 45))


def test_the_version_key_sees_a_change_made_by_another_process(station):
    # given: a cached calendar
    selectors.calendar_for(organization=station, at=date(2025, 10, 15))
    # when: a row written elsewhere (no post_save in this process: simulated with a queryset update)
    DateOverride.objects.create(organization=station, date=date(2025, 10, 15), is_open=False, name="停电")
    selectors._CACHE.clear()  # the receiver ran; pretend it did not by re-filling the old entry
    old_calendar = selectors.calendar_for(organization=station, at=date(2025, 10, 14))
    DateOverride.objects.filter(date=date(2025, 10, 15)).update(is_active=False)
    # then: the count of active rows changed, so the key changed
    new_calendar = selectors.calendar_for(organization=station, at=date(2025, 10, 14))
    assert new_calendar is not old_calendar
    assert new_calendar.is_working_time(at(2025, 10, 15, 10))


def test_a_parameter_set_through_the_policy_service_changes_the_answer(station, manager_a):
    # given: today is 2026-12-01; the manager sets new hours from 2026-12-15
    with time_machine.travel(at(2026, 12, 1, 9), tick=False):
        assert selectors.is_working_time(organization=station, at=at(2026, 12, 20, 8, 45)).value is True
        policy_services.parameter_set(
            actor=manager_a,
            key="attendance.business_hours",
            organization=station,
            value=[["09:00", "18:00"]],
            effective_from=date(2026, 12, 15),
            reason="冬季调整",
        )
        # then: instants from 12-15 on use the new hours, earlier ones the old
        after = selectors.is_working_time(organization=station, at=at(2026, 12, 20, 8, 45))
        assert after.value is False
        assert "甲服务中心" in after.citation
        assert selectors.is_working_time(organization=station, at=at(2026, 12, 10, 8, 45)).value is True
        # and the month view switches hours on the 15th
        view = selectors.month_view(organization=station, year=2026, month=12)
        hours = {d.day: d.periods_text for d in view.days}
        assert hours[date(2026, 12, 14)] == "08:30–20:00"
        assert hours[date(2026, 12, 15)] == "09:00–18:00"


@pytest.mark.clause("C-01")
def test_calendar_for_costs_six_queries_cold_and_three_warm(station, django_assert_num_queries):
    # given: rows on the chain
    with configured_on(date(2026, 5, 1)):
        services.season_create(
            actor=None,
            organization=station,
            name="夏季",
            start_date=date(2026, 6, 1),
            end_date=date(2026, 8, 31),
            periods=[["06:30", "22:30"]],
        )
        selectors.clear_calendar_cache()
    # when / then: ancestors + parameter rows + version, then seasons, overrides, holidays
    with django_assert_num_queries(6):
        selectors.calendar_for(organization=station, at=date(2026, 7, 1))
    with django_assert_num_queries(3):
        selectors.calendar_for(organization=station, at=date(2026, 7, 1))
    with django_assert_num_queries(3):
        selectors.add_working_minutes(organization=station, start=at(2026, 7, 1, 9), minutes=240)


def test_month_view_of_an_unchanged_month_builds_two_calendars(hall, django_assert_max_num_queries):
    selectors.calendar_for(organization=hall, at=date(2025, 10, 1))
    with django_assert_max_num_queries(6):
        view = selectors.month_view(organization=hall, year=2025, month=10, today=date(2025, 10, 1))
    assert len(view.days) == 31
    assert view.weeks[0][0].day == date(2025, 9, 29)  # Monday-first grid


# --------------------------------------------------------------------------------------------- G-12 and errors


@pytest.mark.clause("G-12")
def test_holiday_period_for_a_greeting_window(station):
    period = selectors.holiday_period_around(organization=station, day=date(2025, 9, 20))
    assert period is not None
    assert (period.start, period.end) == (date(2025, 10, 1), date(2025, 10, 8))
    periods = selectors.holiday_periods_in(organization=station, start=date(2026, 1, 1), end=date(2026, 2, 28))
    assert [(p.name, p.start, p.days) for p in periods] == [
        ("元旦", date(2026, 1, 1), 3),
        ("春节", date(2026, 2, 15), 9),
    ]


def test_naive_instants_are_refused(station):
    with pytest.raises(ValueError):
        selectors.add_working_minutes(organization=station, start=at(2025, 10, 1).replace(tzinfo=None), minutes=10)


def test_an_invalid_stored_parameter_falls_back_to_the_default(station):
    set_parameter("attendance.business_hours", station, [["20:00", "08:00"]])
    calendar = selectors.calendar_for(organization=station, at=date(2025, 10, 1))
    assert [str(p) for p in calendar.day_periods(date(2025, 10, 1))] == ["08:30–20:00"]


def test_an_invalid_row_is_skipped_not_fatal(station):
    Season.objects.create(
        organization=station, name="坏数据", start_date=date(2025, 10, 1), end_date=date(2025, 10, 31), periods=[["x"]]
    )
    calendar = selectors.calendar_for(organization=station, at=date(2025, 10, 1))
    assert calendar.seasons == ()


def test_calendars_for_days_splits_only_where_the_configuration_changes(station):
    set_parameter("attendance.business_hours", station, [["09:00", "18:00"]], effective_from=date(2025, 10, 20))
    calendars = selectors.calendars_for_days(organization=station, first=date(2025, 10, 1), last=date(2025, 10, 31))
    assert len({c.key for c in calendars.values()}) == 2
    assert all(
        calendars[date(2025, 10, 1) + timedelta(days=i)].values["attendance.business_hours"] == [["08:30", "20:00"]]
        for i in range(19)
    )
    assert calendars[date(2025, 10, 20)].values["attendance.business_hours"] == [["09:00", "18:00"]]


@pytest.mark.clause("C-01", "ATT-21")
def test_several_due_instants_from_one_start_share_one_calendar_look_up(hall, django_assert_max_num_queries):
    # given: an SLA plan's four spans from one start, the calendar parameters resolved with the caller's own keys
    start = at(2025, 9, 30, 15)
    spans = [30, 24.0, 240, 192.0]
    one_by_one = [selectors.add_working_minutes(organization=hall, start=start, minutes=m) for m in spans]
    parameters = selectors.resolve_many(
        [*selectors.CALENDAR_PARAMETERS, "workorders.response_minutes"], org=hall, at=start
    )
    # when: one call (the calendar is cached: only its version query remains)
    with django_assert_max_num_queries(1):
        answers = selectors.add_working_minutes_many(
            organization=hall, start=start, minutes=spans, parameters=parameters
        )
    # then: the same instants and citations as four separate calls
    assert answers == one_by_one
    assert answers[2].value == at(2025, 10, 9, 10, 0)
    # without parameters it resolves them itself (organization chain + values + version)
    with django_assert_max_num_queries(3):
        assert selectors.add_working_minutes_many(organization=hall, start=start, minutes=spans) == one_by_one


# --------------------------------------------------------------------------------------------- working-day deadlines


@pytest.mark.clause("G-01")
def test_end_of_working_days_on_the_gov_hall_skips_the_national_day_holiday(hall):
    # given: Tuesday 2025-09-30 at 10:00, the last workday before the 2025-10-01..08 holiday
    start = at(2025, 9, 30, 10)
    # then: 0 days = today's close; 1 working day = the first workday after the holiday (Thu 10-09) at 17:30
    assert selectors.end_of_working_days(organization=hall, start=start, days=0).value == at(2025, 9, 30, 17, 30)
    answer = selectors.end_of_working_days(organization=hall, start=start, days=1)
    assert answer.value == at(2025, 10, 9, 17, 30)
    assert answer.citation
    # make-up Saturday 10-11 is a working day: the 3rd working day is Sat 10-11
    assert selectors.end_of_working_days(organization=hall, start=start, days=3).value == at(2025, 10, 11, 17, 30)


@pytest.mark.clause("WO-10")
def test_end_of_working_days_on_a_station_counts_every_day(station):
    start = at(2025, 10, 1, 21)  # after closing: day 0 is still that day's close (already past)
    assert selectors.end_of_working_days(organization=station, start=start, days=1).value == at(2025, 10, 2, 20)
    with pytest.raises(ValueError):
        selectors.end_of_working_days(organization=station, start=start, days=-1)
