"""The calendar page: month grid, warnings, sections with htmx forms, and the calculator."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from servicecenter.workcalendar import services
from servicecenter.workcalendar.models import DateOverride, Season, StatutoryHoliday
from tests import factories

from .conftest import at, configured_on

pytestmark = pytest.mark.django_db
URL = reverse("workcalendar:calendar")
HTMX = {"HTTP_HX_REQUEST": "true"}


def _page(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


# --------------------------------------------------------------------------------------------- the page


@pytest.mark.smoke
@pytest.mark.clause("C-01", "ATT-21")
def test_gov_hall_october_2025_shows_holiday_names_and_makeup_days(client_for, manager_b):
    # given: a D19 hall manager
    client = client_for(manager_b)
    # when
    with time_machine.travel(at(2025, 10, 9, 9), tick=False):
        body = _page(client, month="2025-10")
    # then
    assert "2025 年 10 月" in body
    assert "国庆节" in body and "中秋" in body
    assert "调休上班" in body  # Sat 2025-10-11
    assert 'data-date="2025-10-01"' in body
    assert "08:30–11:30" in body and "14:30–17:30" in body
    assert "依据 C-01/ATT-21：营业时间 08:30–11:30，14:30–17:30，仅法定工作日（中心类型预设（D19））" in body
    assert "法定节假日未知" not in body
    assert reverse("policy:parameter_detail", kwargs={"key": "attendance.business_hours"}) in body


@pytest.mark.clause("C-01")
def test_in_december_2026_the_manager_is_warned_that_2027_is_not_covered(client_for, manager_a):
    # given: today is 2026-12-01; chinesecalendar covers 2026 but not 2027
    client = client_for(manager_a)
    # when
    with time_machine.travel(at(2026, 12, 1, 9), tick=False):
        body = _page(client)
    # then
    assert "2026 年 12 月" in body
    assert "2027 的法定节假日未知，按周末+管理员录入的节假日计算" in body
    assert "请公司系统管理员录入 2027 年法定节假日" in body  # a center manager cannot enter them


def test_the_root_admin_gets_the_entry_form_from_the_warning(client_for, root_admin, tree):
    client = client_for(root_admin)
    with time_machine.travel(at(2026, 12, 1, 9), tick=False):
        body = _page(client, org=tree["a"].pk, month="2027-01")
    assert "2027 的法定节假日未知" in body
    assert "录入 2027 年法定节假日" in body
    assert reverse("workcalendar:holiday_create", kwargs={"org_id": tree["a"].pk}) in body


def test_the_station_december_page_for_its_manager(client_for, manager_a):
    client = client_for(manager_a)
    with time_machine.travel(at(2026, 12, 1, 9), tick=False):
        body = _page(client, month="2026-12")
    assert "依据 C-01/ATT-01：营业时间 08:30–20:00，每天营业（制度默认值（D01））" in body
    assert "休息" not in body.split('id="month-grid"')[1].split("card-footer")[0]  # open every day


def test_a_bad_month_falls_back_to_this_month_with_a_message(client_for, manager_a):
    with time_machine.travel(at(2026, 12, 1, 9), tick=False):
        body = _page(client_for(manager_a), month="2026-13")
    assert "2026 年 12 月" in body
    assert "月份格式应为 2026-10" in body


def test_no_role_is_403_and_another_centers_calendar_is_404(client, client_for, manager_a, tree):
    nobody = factories.make_staff(tree["a"])
    client.force_login(nobody.user)
    assert client.get(URL).status_code == 403
    client = client_for(manager_a)
    assert client.get(URL, {"org": tree["b"].pk}).status_code == 404
    assert client.get(URL, {"org": "x"}).status_code == 404


def test_the_gm_switches_between_centers(client_for, gm, tree):
    client = client_for(gm)
    body = _page(client, org=tree["b"].pk, month="2025-10")
    assert 'id="org-switcher"' in body
    assert tree["a"].name in body and tree["b"].name in body
    assert "仅法定工作日" in body


def test_the_menu_has_the_calendar_entry(client_for, clerk_a):
    body = _page(client_for(clerk_a))
    assert "营业日历" in body
    assert "添加季节" not in body  # view only


def test_the_page_query_count_is_bounded(client_for, manager_a, station, django_assert_max_num_queries):
    with configured_on(date(2026, 5, 1)):
        services.season_create(
            actor=None,
            organization=station,
            name="夏季",
            start_date=date(2026, 6, 1),
            end_date=date(2026, 8, 31),
            periods=[["06:30", "22:30"]],
        )
        services.override_set(actor=None, organization=station, date=date(2026, 7, 3), is_open=False, name="检修")
    client = client_for(manager_a)
    _page(client, month="2026-07")
    with django_assert_max_num_queries(24):  # measured 22: session, user, scoping, 2 calendar builds, lists, nav
        body = _page(client, month="2026-07")
    assert "夏季" in body and "检修" in body


# --------------------------------------------------------------------------------------------- sections


@pytest.mark.smoke
@pytest.mark.clause("C-02")
@pytest.mark.usefixtures("spring_2026")
def test_adding_a_season_with_htmx_returns_the_section_and_refreshes_the_grid(client_for, manager_a, station):
    client = client_for(manager_a)
    url = reverse("workcalendar:season_create", kwargs={"org_id": station.pk})
    data = {
        "name": "夏季",
        "start_date": "2026-06-01",
        "end_date": "2026-08-31",
        "periods": "06:30-22:30",
        "month": "2026-07",
    }
    # when
    response = client.post(url, data, **HTMX)
    # then
    assert response.status_code == 200
    assert response["HX-Trigger"] == "calendarChanged"
    body = response.content.decode()
    assert body.lstrip().startswith("<section") and 'id="seasons"' in body
    assert "夏季" in body and "06:30–22:30" in body
    assert Season.objects.filter(organization=station, is_active=True).count() == 1


@pytest.mark.usefixtures("spring_2026")
def test_an_overlapping_season_re_renders_the_form_with_the_error(client_for, manager_a, station):
    client = client_for(manager_a)
    url = reverse("workcalendar:season_create", kwargs={"org_id": station.pk})
    data = {"name": "夏季", "start_date": "2026-06-01", "end_date": "2026-08-31", "periods": "06:30-22:30"}
    client.post(url, data, **HTMX)
    response = client.post(url, {**data, "name": "盛夏"}, **HTMX)
    assert response.status_code == 200
    assert "HX-Trigger" not in response
    body = response.content.decode()
    assert "日期重叠" in body and "is-invalid" in body
    assert 'value="盛夏"' in body


@pytest.mark.usefixtures("spring_2026")
def test_season_form_errors_without_htmx_render_the_whole_page(client_for, manager_a, station):
    client = client_for(manager_a)
    url = reverse("workcalendar:season_create", kwargs={"org_id": station.pk})
    response = client.post(url, {"name": "夏季", "start_date": "2026-06-01", "end_date": "2026-08-31"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="month-grid"' in body
    assert "请填写营业时段，或勾选 24 小时值班" in body
    response = client.post(
        url,
        {
            "name": "夏季",
            "start_date": "2026-06-01",
            "end_date": "2026-08-31",
            "periods": "06:30-22:30",
            "month": "2026-07",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("month=2026-07#seasons")


@pytest.mark.usefixtures("spring_2026")
def test_deactivating_a_season(client_for, manager_a, station):
    season = services.season_create(
        actor=None,
        organization=station,
        name="夏季",
        start_date=date(2026, 6, 1),
        end_date=date(2026, 8, 31),
        periods=[["06:30", "22:30"]],
    )
    client = client_for(manager_a)
    response = client.post(
        reverse("workcalendar:season_deactivate", kwargs={"pk": season.pk}), {"org": station.pk}, **HTMX
    )
    assert response.status_code == 200
    assert not Season.objects.get(pk=season.pk).is_active
    assert "没有季节" in response.content.decode()


def test_an_inherited_season_is_shown_but_cannot_be_withdrawn_by_the_center(client_for, gm, manager_a, tree):
    with configured_on(date(2026, 10, 1)):
        season = services.season_create(
            actor=gm,
            organization=tree["ops"],
            name="冬季",
            start_date=date(2026, 11, 1),
            end_date=date(2027, 2, 28),
            periods=[["09:00", "17:00"]],
        )
    withdraw = reverse("workcalendar:season_deactivate", kwargs={"pk": season.pk})
    # on 2026-10-15 the season is still ahead: the ops center's GM may withdraw it, the center's manager may not
    with time_machine.travel(at(2026, 10, 15, 9), tick=False):
        assert withdraw in _page(client_for(gm), org=tree["a"].pk)
        client = client_for(manager_a)
        body = _page(client)
        response = client.post(withdraw, **HTMX)
    assert "冬季" in body and "继承自" in body
    assert withdraw not in body
    assert response.status_code == 404


@pytest.mark.clause("C-01")
@pytest.mark.usefixtures("december_2026")
def test_setting_and_withdrawing_an_override(client_for, manager_a, station):
    client = client_for(manager_a)
    url = reverse("workcalendar:override_create", kwargs={"org_id": station.pk})
    response = client.post(url, {"date": "2026-12-10", "is_open": "0", "name": "设备检修", "month": "2026-12"}, **HTMX)
    assert response.status_code == 200 and response["HX-Trigger"] == "calendarChanged"
    override = DateOverride.objects.get(organization=station, is_active=True)
    assert "设备检修" in response.content.decode()
    # the grid now shows the day closed
    body = _page(client, month="2026-12")
    cell = body.split('data-date="2026-12-10"')[1].split("</td>")[0]
    assert "休息" in cell and "设备检修" in cell
    # a closed day with periods is a form error
    response = client.post(
        url, {"date": "2026-12-11", "is_open": "0", "periods": "09:00-10:00", "name": "停电"}, **HTMX
    )
    assert "休息日不填营业时段" in response.content.decode()
    # withdraw
    response = client.post(reverse("workcalendar:override_deactivate", kwargs={"pk": override.pk}), **HTMX)
    assert response.status_code == 200
    assert not DateOverride.objects.get(pk=override.pk).is_active


@pytest.mark.usefixtures("december_2026")
def test_the_root_admin_enters_a_2027_holiday(client_for, root_admin, manager_a, tree):
    url = reverse("workcalendar:holiday_create", kwargs={"org_id": tree["a"].pk})
    data = {"date": "2027-01-01", "name": "元旦", "is_workday": "0", "month": "2027-01"}
    # a center manager may not (404, not 403)
    assert client_for(manager_a).post(url, data, **HTMX).status_code == 404
    # the company's admin may
    client = client_for(root_admin)
    response = client.post(url, data, **HTMX)
    assert response.status_code == 200
    holiday = StatutoryHoliday.objects.get(is_active=True)
    assert holiday.organization == tree["company"]
    body = _page(client, org=tree["b"].pk, month="2027-01")
    assert "元旦" in body.split('data-date="2027-01-01"')[1].split("</td>")[0]
    # a make-up workday on a Tuesday is refused with the reason
    response = client.post(url, {"date": "2027-01-05", "name": "调休", "is_workday": "1"}, **HTMX)
    assert "周六或周日" in response.content.decode()
    response = client.post(reverse("workcalendar:holiday_deactivate", kwargs={"pk": holiday.pk}), **HTMX)
    assert response.status_code == 200
    assert not StatutoryHoliday.objects.filter(is_active=True).exists()


# --------------------------------------------------------------------------------------------- days already gone


def _input(body: str, element_id: str) -> str:
    """The <input> tag with this id."""
    match = re.search(rf'<input[^>]*id="{element_id}"[^>]*>', body)
    assert match, element_id
    return match.group(0)


@pytest.mark.clause("C-01")
@pytest.mark.usefixtures("december_2026")
def test_a_past_override_re_renders_the_form_with_the_reason(client_for, manager_a, station):
    # given: today is 2026-12-01 in Shanghai
    client = client_for(manager_a)
    url = reverse("workcalendar:override_create", kwargs={"org_id": station.pk})
    data = {"date": "2026-11-30", "is_open": "0", "name": "补记停电", "month": "2026-11"}
    # when: htmx
    response = client.post(url, data, **HTMX)
    # then: the section with the form, its error and the date picker's lower bound; no 500, nothing saved
    assert response.status_code == 200
    assert "HX-Trigger" not in response
    body = response.content.decode()
    assert "特殊安排的日期不能早于今天（2026-12-01）" in body
    assert "不能早于今天" in body.split('id="override_date"')[1].split("</div>")[0]  # under the date field
    assert "is-invalid" in _input(body, "override_date")
    assert 'min="2026-12-01"' in _input(body, "override_date")
    assert 'value="补记停电"' in body
    # when: a plain form post
    response = client.post(url, data)
    # then: the whole page with the error
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="month-grid"' in body and "特殊安排的日期不能早于今天（2026-12-01）" in body
    assert not DateOverride.objects.exists()


@pytest.mark.clause("C-02")
@pytest.mark.usefixtures("december_2026")
def test_a_season_starting_in_the_past_re_renders_the_form_with_the_reason(client_for, manager_a, station):
    client = client_for(manager_a)
    url = reverse("workcalendar:season_create", kwargs={"org_id": station.pk})
    data = {"name": "冬季", "start_date": "2026-11-15", "end_date": "2027-02-28", "periods": "09:00-17:00"}
    response = client.post(url, data, **HTMX)
    assert response.status_code == 200
    assert "HX-Trigger" not in response
    body = response.content.decode()
    assert "季节开始日期不能早于今天（2026-12-01）" in body
    assert "is-invalid" in _input(body, "season_start_date")
    assert not Season.objects.exists()


@pytest.mark.clause("C-01", "C-02")
@pytest.mark.parametrize(
    ("utc_instant", "today"),
    [
        (datetime(2026, 12, 1, 15, 30, tzinfo=UTC), "2026-12-01"),  # 23:30 in Shanghai
        (datetime(2026, 12, 1, 16, 30, tzinfo=UTC), "2026-12-02"),  # 00:30 the next day in Shanghai
    ],
)
def test_the_date_inputs_start_at_the_centers_local_today(client_for, root_admin, tree, utc_instant, today):
    # when: the company's admin (who sees every form of center A's page) looks at an earlier month
    with time_machine.travel(utc_instant, tick=False):
        body = _page(client_for(root_admin), org=tree["a"].pk, month="2026-10")
    # then: the browser's date pickers start at the local today, and the override form proposes today
    for element_id in ("season_start_date", "season_end_date", "override_date", "holiday_date"):
        assert f'min="{today}"' in _input(body, element_id), element_id
    assert f'value="{today}"' in _input(body, "override_date")


@pytest.mark.clause("C-01", "C-02")
@pytest.mark.usefixtures("december_2026")
def test_started_seasons_and_past_overrides_have_no_withdraw_button(client_for, manager_a, station):
    # given: entered in November: a season that began 11-15, one that begins next summer, overrides for 11-30 and 12-01
    with configured_on(date(2026, 11, 1)):
        started = services.season_create(
            actor=None,
            organization=station,
            name="冬季",
            start_date=date(2026, 11, 15),
            end_date=date(2027, 2, 28),
            periods=[["09:00", "17:00"]],
        )
        ahead = services.season_create(
            actor=None,
            organization=station,
            name="夏季",
            start_date=date(2027, 6, 1),
            end_date=date(2027, 8, 31),
            periods=[["06:30", "22:30"]],
        )
        past = services.override_set(
            actor=None, organization=station, date=date(2026, 11, 30), is_open=False, name="盘点"
        )
        today = services.override_set(
            actor=None, organization=station, date=date(2026, 12, 1), is_open=False, name="检修"
        )
    # when: on 2026-12-01, the November page
    body = _page(client_for(manager_a), month="2026-11")
    # then: history is listed without a withdraw button; what is still ahead (today included) keeps it
    assert "冬季" in body and "盘点" in body
    assert reverse("workcalendar:season_deactivate", kwargs={"pk": started.pk}) not in body
    assert reverse("workcalendar:season_deactivate", kwargs={"pk": ahead.pk}) in body
    assert reverse("workcalendar:override_deactivate", kwargs={"pk": past.pk}) not in body
    assert reverse("workcalendar:override_deactivate", kwargs={"pk": today.pk}) in body
    # and a forged withdraw of the started season is refused with the reason, not a 500
    response = client_for(manager_a).post(
        reverse("workcalendar:season_deactivate", kwargs={"pk": started.pk}), {"org": station.pk}, **HTMX
    )
    assert response.status_code == 200
    assert "HX-Trigger" not in response
    assert Season.objects.get(pk=started.pk).is_active


# --------------------------------------------------------------------------------------------- calculator


@pytest.mark.smoke
@pytest.mark.clause("ATT-21")
def test_calculator_due_time_over_national_day(client_for, manager_b, hall):
    client = client_for(manager_b)
    url = reverse("workcalendar:calculate")
    response = client.get(url, {"org": hall.pk, "mode": "add", "start": "2025-09-30T15:00", "minutes": "240"}, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert "2025-10-09 10:00" in body
    assert "2025-10-01 为法定节假日（国庆节），不营业" in body


def test_calculator_between_and_errors(client_for, manager_b, hall):
    client = client_for(manager_b)
    url = reverse("workcalendar:calculate")
    response = client.get(
        url, {"org": hall.pk, "mode": "between", "start": "2025-09-30T08:00", "end": "2025-10-09T12:00"}, **HTMX
    )
    body = response.content.decode()
    assert "<strong>540</strong> 分钟（9.0 小时）" in body  # 360 on 09-30 + 180 on 10-09
    response = client.get(url, {"org": hall.pk, "mode": "add", "start": "yesterday", "minutes": "-5"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "时间格式应为 ISO 8601" in body
    assert "is-invalid" in body
    # without htmx the whole page comes back with the result
    response = client.get(url, {"org": hall.pk, "mode": "add", "start": "2025-09-30T15:00", "minutes": "240"})
    assert 'id="month-grid"' in response.content.decode() and "2025-10-09 10:00" in response.content.decode()


@pytest.mark.clause("C-02")
def test_a_running_season_can_be_ended_early_from_the_page(client, tree, manager_a):
    # given a heating season that started before today
    with configured_on(date(2026, 11, 10)):
        season = services.season_create(
            actor=None,
            organization=tree["a"],
            name="供暖期",
            start_date=date(2026, 11, 15),
            end_date=date(2027, 3, 15),
            round_the_clock=True,
        )
    client.force_login(manager_a.user)
    with time_machine.travel(at(2026, 12, 1, 10), tick=False):
        page = client.get(reverse("workcalendar:calendar"), {"org": tree["a"].pk}).content.decode()
        # when the manager ends it on 2027-01-31; and then tries an end in the past
        ok = client.post(reverse("workcalendar:season_end", args=[season.pk]), {"end_date": "2027-01-31"})
        bad = client.post(reverse("workcalendar:season_end", args=[season.pk]), {"end_date": "2026-11-20"})
    # then the form was offered, the first is saved, the second refused with the reason
    assert "提前结束" in page
    assert ok.status_code == 302
    assert bad.status_code == 200
    assert "只能修改名称" in bad.content.decode()
    assert Season.objects.get(pk=season.pk).end_date == date(2027, 1, 31)
