"""The calendar API under /api/v1/calendar/: answers, citations, 400s in the error format, 404 across centers."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from servicecenter.workcalendar import services

from .conftest import configured_on

pytestmark = pytest.mark.django_db


def _get(client, name: str, org, **params):
    return client.get(reverse(name, kwargs={"org_id": org.pk}), params, HTTP_ACCEPT="application/json")


@pytest.mark.smoke
@pytest.mark.clause("C-01", "ATT-21")
def test_is_working_on_national_day_at_the_gov_hall(client_for, manager_b, hall):
    client = client_for(manager_b)
    # a holiday: closed, with the holiday's name and the reason
    response = _get(client, "api-calendar-is-working", hall, at="2025-10-01T09:00:00+08:00")
    assert response.status_code == 200
    body = response.json()
    assert body["working"] is False
    assert body["day_kind"] == "holiday" and body["day_kind_label"] == "法定节假日"
    assert body["day_name"] == "国庆节"
    assert body["periods"] == []
    assert "2025-10-01 为法定节假日（国庆节），不营业" in body["citation"]
    # the make-up Sunday: open, two periods; the instant is given back in Shanghai time
    body = _get(client, "api-calendar-is-working", hall, at="2025-09-28T01:00:00Z").json()
    assert body["working"] is True
    assert body["at"] == "2025-09-28T09:00:00+08:00"
    assert body["day_kind"] == "makeup_workday"
    assert body["periods"] == [["08:30", "11:30"], ["14:30", "17:30"]]


def test_a_plus_turned_into_a_space_by_the_url_is_accepted(client_for, manager_a, station):
    response = client_for(manager_a).get(
        reverse("api-calendar-is-working", kwargs={"org_id": station.pk}) + "?at=2025-10-01T09:00:00+08:00"
    )
    assert response.status_code == 200
    assert response.json()["working"] is True


@pytest.mark.clause("ATT-17")
def test_is_working_reports_the_season(client_for, manager_a, station):
    with configured_on(date(2025, 11, 1)):
        services.season_create(
            actor=None,
            organization=station,
            name="供暖期",
            start_date=date(2025, 11, 15),
            end_date=date(2026, 3, 15),
            round_the_clock=True,
        )
    body = _get(client_for(manager_a), "api-calendar-is-working", station, at="2025-12-25T03:00:00+08:00").json()
    assert body["working"] is True
    assert body["season"] == "供暖期"
    assert body["periods"] == [["00:00", "24:00"]]


@pytest.mark.smoke
@pytest.mark.clause("ATT-21")
def test_add_minutes_gives_the_due_time_and_its_citation(client_for, manager_b, hall):
    response = _get(
        client_for(manager_b), "api-calendar-add-minutes", hall, start="2025-09-30T15:00:00+08:00", minutes=240
    )
    assert response.status_code == 200
    body = response.json()
    assert body["due"] == "2025-10-09T10:00:00+08:00"
    assert body["minutes"] == 240
    assert body["citation"].startswith("依据 C-01/ATT-21：")


def test_between_counts_working_minutes(client_for, manager_b, hall):
    client = client_for(manager_b)
    body = _get(
        client, "api-calendar-between", hall, start="2025-09-30T08:00:00+08:00", end="2025-10-09T12:00:00+08:00"
    ).json()
    assert body["minutes"] == 540
    reverse_body = _get(
        client, "api-calendar-between", hall, start="2025-10-09T12:00:00+08:00", end="2025-09-30T08:00:00+08:00"
    ).json()
    assert reverse_body["minutes"] == -540


@pytest.mark.clause("C-01")
def test_days_of_october_2025_at_the_gov_hall(client_for, manager_b, hall):
    body = _get(client_for(manager_b), "api-calendar-days", hall, month="2025-10").json()
    assert body["month"] == "2025-10" and body["coverage_warning"] is None
    days = {d["date"]: d for d in body["days"]}
    assert len(days) == 31
    assert days["2025-10-01"]["day_kind"] == "holiday" and days["2025-10-01"]["working"] is False
    assert days["2025-10-06"]["day_name"] == "中秋"
    assert days["2025-10-11"]["day_kind"] == "makeup_workday" and days["2025-10-11"]["working"] is True
    assert days["2025-10-11"]["weekday"] == 6
    assert days["2025-10-13"]["periods"] == [["08:30", "11:30"], ["14:30", "17:30"]]


def test_days_of_2027_carry_the_coverage_warning(client_for, manager_a, station):
    with configured_on(date(2026, 12, 1)):
        services.override_set(actor=None, organization=station, date=date(2027, 1, 4), is_open=False, name="盘点")
    body = _get(client_for(manager_a), "api-calendar-days", station, month="2027-01").json()
    assert body["coverage_warning"] == "2027 的法定节假日未知，按周末+管理员录入的节假日计算"
    day = next(d for d in body["days"] if d["date"] == "2027-01-04")
    assert day["override"] == {"name": "盘点", "is_open": False}
    assert day["working"] is False


@pytest.mark.parametrize(
    ("name", "params", "field", "text"),
    [
        ("api-calendar-is-working", {"at": "2025-10-01T09:00:00"}, "at", "时间须带时区"),
        ("api-calendar-is-working", {"at": "yesterday"}, "at", "ISO 8601"),
        ("api-calendar-is-working", {}, "at", "请填写时间"),
        ("api-calendar-add-minutes", {"start": "2025-10-01T09:00:00+08:00", "minutes": "-1"}, "minutes", "整数"),
        ("api-calendar-add-minutes", {"start": "2025-10-01T09:00:00+08:00", "minutes": "1.5"}, "minutes", "整数"),
        ("api-calendar-add-minutes", {"start": "2025-10-01T09:00:00+08:00", "minutes": "abc"}, "minutes", "整数"),
        ("api-calendar-add-minutes", {"start": "2025-10-01T09:00:00+08:00", "minutes": "1000001"}, "minutes", "整数"),
        ("api-calendar-add-minutes", {"start": "2025-10-01", "minutes": "10"}, "start", "时区"),
        (
            "api-calendar-between",
            {"start": "2025-10-01T09:00:00+08:00", "end": "2045-10-01T09:00:00+08:00"},
            "end",
            "10 年",
        ),
        ("api-calendar-between", {"start": "2025-10-01T09:00:00+08:00"}, "end", "请填写时间"),
        ("api-calendar-days", {"month": "2025-13"}, "month", "YYYY-MM"),
        ("api-calendar-days", {"month": "1900-01"}, "month", "YYYY-MM"),
        ("api-calendar-days", {}, "month", "YYYY-MM"),
    ],
)
def test_bad_input_is_a_400_in_the_error_format(client_for, manager_a, station, name, params, field, text):
    response = _get(client_for(manager_a), name, station, **params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert text in body["message"]
    assert field in body["fields"]
    assert set(body) == {"code", "message", "fields", "clause"}


def test_another_centers_calendar_is_404(client_for, manager_a, hall):
    for name, params in (
        ("api-calendar-is-working", {"at": "2025-10-01T09:00:00+08:00"}),
        ("api-calendar-add-minutes", {"start": "2025-10-01T09:00:00+08:00", "minutes": 10}),
        ("api-calendar-between", {"start": "2025-10-01T09:00:00+08:00", "end": "2025-10-02T09:00:00+08:00"}),
        ("api-calendar-days", {"month": "2025-10"}),
    ):
        response = _get(client_for(manager_a), name, hall, **params)
        assert response.status_code == 404, name
        assert response.json()["code"] == "not_found"


def test_a_team_member_reads_the_centers_calendar_and_anonymous_is_refused(client, tree):
    from tests import factories

    staff = factories.make_staff(tree["team_a"], "service_staff", role_org=tree["a"])
    client.force_login(staff.user)
    assert _get(client, "api-calendar-days", tree["team_a"], month="2025-10").status_code == 200
    client.logout()
    assert _get(client, "api-calendar-days", tree["a"], month="2025-10").status_code in (401, 403)


def test_a_long_closure_is_skipped(client_for, manager_a, station):
    with configured_on(date(2025, 11, 1)):
        services.season_create(
            actor=None,
            organization=station,
            name="停业",
            start_date=date(2026, 1, 1),
            end_date=date(2026, 12, 31),
            periods=[["08:00", "09:00"]],
            open_on="workdays",
        )
        for day in range(1, 32):
            services.override_set(
                actor=None, organization=station, date=date(2025, 12, day), is_open=False, name="停业"
            )
    response = _get(
        client_for(manager_a), "api-calendar-add-minutes", station, start="2025-12-01T09:00:00+08:00", minutes=10
    )
    # then: closed all December; New Year 01-01..01-03 is a holiday; Sunday 01-04 is a make-up workday
    assert response.status_code == 200
    assert response.json()["due"] == "2026-01-04T08:10:00+08:00"


def test_a_calendar_that_never_opens_is_a_400_not_a_500(client_for, manager_a, station, monkeypatch):
    from servicecenter.workcalendar import selectors
    from servicecenter.workcalendar.engine import NoWorkingTimeError

    def never(**kwargs):
        raise NoWorkingTimeError("no working time")

    monkeypatch.setattr(selectors, "add_working_minutes", never)
    response = _get(
        client_for(manager_a), "api-calendar-add-minutes", station, start="2025-12-01T09:00:00+08:00", minutes=10
    )
    assert response.status_code == 400
    assert response.json()["code"] == "no_working_time"
