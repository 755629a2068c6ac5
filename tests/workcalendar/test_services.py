"""Writes of the business calendar (services.py): audit, permissions, validation, concurrency."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection

from servicecenter.core.access import has_permission_in
from servicecenter.core.errors import NotAllowed, ValidationFailed
from servicecenter.core.models import AuditEvent
from servicecenter.workcalendar import services
from servicecenter.workcalendar.models import DateOverride, Season, StatutoryHoliday
from tests import factories

from .conftest import configured_on

pytestmark = pytest.mark.django_db


def _summer(actor, organization, **overrides):
    fields = {
        "name": "夏季",
        "start_date": date(2026, 6, 1),
        "end_date": date(2026, 8, 31),
        "periods": [["06:30", "22:30"]],
    }
    fields.update(overrides)
    return services.season_create(actor=actor, organization=organization, **fields)


# --------------------------------------------------------------------------------------------- seasons


@pytest.mark.smoke
@pytest.mark.clause("C-02")
@pytest.mark.usefixtures("spring_2026")
def test_season_create_is_audited_with_the_clause(manager_a, station):
    # when
    season = _summer(manager_a, station)
    # then
    assert season.is_active and season.organization == station
    event = AuditEvent.objects.get(verb="workcalendar.season.created")
    assert event.actor == manager_a.user
    assert event.clause == "C-02"
    assert event.organization == station
    assert event.changes["name"] == [None, "夏季"]
    assert event.changes["periods"] == [None, [["06:30", "22:30"]]]


@pytest.mark.clause("C-02")
@pytest.mark.usefixtures("spring_2026")
def test_overlapping_seasons_of_one_organization_are_refused(manager_a, station):
    # given
    _summer(manager_a, station)
    # when / then
    with pytest.raises(ValidationFailed) as exc:
        _summer(manager_a, station, name="盛夏", start_date=date(2026, 8, 1), end_date=date(2026, 9, 15))
    assert exc.value.code == "season_overlap"
    assert "夏季" in exc.value.message
    assert exc.value.fields["start_date"]
    assert Season.objects.count() == 1


@pytest.mark.usefixtures("spring_2026")
def test_adjacent_seasons_and_other_organizations_may_share_dates(manager_a, gm, tree, station):
    _summer(manager_a, station)
    _summer(manager_a, station, name="秋季", start_date=date(2026, 9, 1), end_date=date(2026, 11, 30))
    _summer(gm, tree["ops"], name="夏季（营维）")
    assert Season.objects.filter(is_active=True).count() == 3


@pytest.mark.usefixtures("spring_2026")
def test_a_deactivated_season_no_longer_blocks_its_dates(manager_a, station):
    season = _summer(manager_a, station)
    services.season_deactivate(actor=manager_a, season=season)
    _summer(manager_a, station, name="新夏季")
    assert AuditEvent.objects.filter(verb="workcalendar.season.deactivated", clause="C-02").count() == 1


@pytest.mark.parametrize(
    ("fields", "field", "text"),
    [
        ({"end_date": date(2026, 5, 1)}, "end_date", "结束日期不能早于开始日期"),
        ({"end_date": date(2027, 6, 2)}, "end_date", "季节最长 366 天"),
        ({"periods": [["22:30", "06:30"]]}, "periods", "结束时间应晚于开始时间"),
        ({"periods": []}, "periods", "请填写季节的营业时段"),
        ({"name": "  "}, "name", "请填写季节名称"),
        ({"start_date": date(1026, 6, 1)}, "start_date", "开始日期应在 2000–2100 年之间"),
        ({"open_on": "sometimes"}, "open_on", "营业日选项无效"),
    ],
)
@pytest.mark.usefixtures("spring_2026")
def test_season_validation_messages(manager_a, station, fields, field, text):
    with pytest.raises(ValidationFailed) as exc:
        _summer(manager_a, station, **fields)
    assert text in exc.value.message
    assert field in exc.value.fields


@pytest.mark.usefixtures("spring_2026")
def test_a_round_the_clock_season_keeps_no_periods(manager_a, station):
    season = _summer(manager_a, station, name="供暖期", round_the_clock=True, periods=[["08:00", "09:00"]])
    assert season.round_the_clock and season.periods == []


@pytest.mark.clause("ORG-04")
@pytest.mark.usefixtures("spring_2026")
def test_only_change_calendar_over_the_organization_may_write(clerk_a, manager_b, manager_a, station, tree):
    # a clerk has view_calendar only; the other center's manager has no permission over A; a center manager
    # may not change the ops center's calendar
    for actor, org in ((clerk_a, station), (manager_b, station), (manager_a, tree["ops"])):
        with pytest.raises(NotAllowed):
            _summer(actor, org)
    assert not Season.objects.exists()


@pytest.mark.usefixtures("spring_2026")
def test_season_update_changes_only_what_differs(manager_a, station):
    season = _summer(manager_a, station)
    services.season_update(actor=manager_a, season=season, end_date=date(2026, 9, 15))
    event = AuditEvent.objects.get(verb="workcalendar.season.updated")
    assert event.changes == {"end_date": ["2026-08-31", "2026-09-15"]}
    with pytest.raises(ValidationFailed) as exc:
        services.season_update(actor=manager_a, season=season, end_date=date(2026, 9, 15))
    assert exc.value.code == "no_change"


@pytest.mark.usefixtures("spring_2026")
def test_season_update_refuses_an_overlap_with_another_season(manager_a, station):
    _summer(manager_a, station)
    autumn = _summer(manager_a, station, name="秋季", start_date=date(2026, 9, 1), end_date=date(2026, 11, 30))
    with pytest.raises(ValidationFailed):
        services.season_update(actor=manager_a, season=autumn, start_date=date(2026, 8, 15))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("spring_2026")
def test_two_overlapping_seasons_at_once_only_one_wins(manager_a, station):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    # given
    barrier = threading.Barrier(2)
    results: list[str] = []

    def create(name: str) -> None:
        try:
            barrier.wait()
            _summer(manager_a, station, name=name)
            results.append("ok")
        except ValidationFailed:
            results.append("refused")
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=create, args=(n,)) for n in ("夏季甲", "夏季乙")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then
    assert sorted(results) == ["ok", "refused"]
    assert Season.objects.filter(organization=station, is_active=True).count() == 1


# --------------------------------------------------------------------------------------------- overrides


@pytest.mark.clause("C-01")
@pytest.mark.usefixtures("early_october_2025")
def test_override_set_replaces_the_days_decision(manager_a, station):
    # given
    first = services.override_set(
        actor=manager_a, organization=station, date=date(2025, 10, 15), is_open=False, name="设备检修"
    )
    # when
    second = services.override_set(
        actor=manager_a,
        organization=station,
        date=date(2025, 10, 15),
        is_open=True,
        name="检修改期，照常营业",
        periods=[["10:00", "16:00"]],
    )
    # then
    first.refresh_from_db()
    assert not first.is_active and second.is_active
    event = AuditEvent.objects.filter(verb="workcalendar.override.set").order_by("id").last()
    assert event.clause == "C-01"
    assert event.changes["is_open"] == [False, True]
    assert event.changes["periods"] == [None, [["10:00", "16:00"]]]


@pytest.mark.usefixtures("early_october_2025")
def test_override_set_refuses_a_no_op_and_closed_days_have_no_periods(manager_a, station):
    services.override_set(actor=manager_a, organization=station, date=date(2025, 10, 15), is_open=False, name="检修")
    with pytest.raises(ValidationFailed) as exc:
        services.override_set(
            actor=manager_a, organization=station, date=date(2025, 10, 15), is_open=False, name="检修"
        )
    assert exc.value.code == "no_change"
    override = services.override_set(
        actor=manager_a,
        organization=station,
        date=date(2025, 10, 16),
        is_open=False,
        name="停电",
        periods=[["09:00", "10:00"]],
    )
    assert override.periods is None


@pytest.mark.usefixtures("early_october_2025")
def test_override_remove_is_audited_and_refused_twice(manager_a, manager_b, station):
    override = services.override_set(
        actor=manager_a, organization=station, date=date(2025, 10, 15), is_open=False, name="检修"
    )
    with pytest.raises(NotAllowed):
        services.override_remove(actor=manager_b, override=override)
    services.override_remove(actor=manager_a, override=override)
    assert not DateOverride.objects.get(pk=override.pk).is_active
    assert AuditEvent.objects.filter(verb="workcalendar.override.removed").count() == 1
    with pytest.raises(ValidationFailed):
        services.override_remove(actor=manager_a, override=override)


# --------------------------------------------------------------------------------------------- statutory days


@pytest.mark.clause("C-01")
@pytest.mark.usefixtures("december_2026")
def test_holidays_are_entered_at_the_root_by_its_admin(root_admin, manager_a, tree):
    # a center manager holds change_calendar over the center only, not over the company
    with pytest.raises(NotAllowed):
        services.holiday_add(actor=manager_a, organization=tree["company"], date=date(2027, 1, 1), name="元旦")
    # a holiday is stored at the root, not at a center
    with pytest.raises(ValidationFailed):
        services.holiday_add(actor=root_admin, organization=tree["a"], date=date(2027, 1, 1), name="元旦")
    holiday = services.holiday_add(actor=root_admin, organization=tree["company"], date=date(2027, 1, 1), name="元旦")
    event = AuditEvent.objects.get(verb="workcalendar.holiday.added")
    assert event.clause == "C-01" and event.organization == tree["company"]
    assert event.changes == {"date": [None, "2027-01-01"], "name": [None, "元旦"], "is_workday": [None, False]}
    # the same date twice is refused; after removal it may be entered again
    with pytest.raises(ValidationFailed):
        services.holiday_add(actor=root_admin, organization=tree["company"], date=date(2027, 1, 1), name="新年")
    services.holiday_remove(actor=root_admin, holiday=holiday)
    services.holiday_add(actor=root_admin, organization=tree["company"], date=date(2027, 1, 1), name="新年")
    assert StatutoryHoliday.objects.filter(is_active=True).count() == 1


@pytest.mark.usefixtures("december_2026")
def test_a_makeup_workday_falls_on_a_weekend(root_admin, tree):
    with pytest.raises(ValidationFailed) as exc:
        services.holiday_add(
            actor=root_admin, organization=tree["company"], date=date(2027, 1, 5), name="调休", is_workday=True
        )
    assert "周六或周日" in exc.value.message
    services.holiday_add(
        actor=root_admin, organization=tree["company"], date=date(2027, 1, 9), name="调休", is_workday=True
    )


@pytest.mark.usefixtures("december_2026")
def test_installation_wide_holidays_are_for_superusers(root_admin, django_user_model):
    with pytest.raises(NotAllowed):
        services.holiday_add(actor=root_admin, organization=None, date=date(2027, 1, 1), name="元旦")
    superuser = django_user_model.objects.create_superuser("root-cal", password="pw-Secret-2026")
    holiday = services.holiday_add(actor=superuser, organization=None, date=date(2027, 1, 1), name="元旦")
    assert holiday.organization is None
    with pytest.raises(NotAllowed):
        services.holiday_remove(actor=root_admin, holiday=holiday)


@pytest.mark.usefixtures("spring_2026")
def test_an_inactive_organizations_calendar_cannot_change(manager_a, station):
    station.is_active = False
    station.save(update_fields=["is_active"])
    with pytest.raises(ValidationFailed) as exc:
        _summer(None, station)
    assert "该组织已停用" in exc.value.message


def test_the_built_in_roles_grant_the_calendar_permissions(tree):
    # the built-in roles were synced after migrate with this app's permissions (apps.py)
    manager = factories.make_staff(tree["a"], "center_manager")
    clerk = factories.make_staff(tree["a"], "order_clerk")
    assert has_permission_in(user=manager.user, permission="workcalendar.change_calendar", organization=tree["a"])
    assert has_permission_in(user=clerk.user, permission="workcalendar.view_calendar", organization=tree["a"])
    assert not has_permission_in(user=clerk.user, permission="workcalendar.change_calendar", organization=tree["a"])


# --------------------------------------------------------------------------------------------- days already gone

TODAY = date(2026, 12, 1)
YESTERDAY = date(2026, 11, 30)


def _winter(actor, organization, **overrides):
    """A season that began 2026-11-15 (entered on 2026-11-01, before it started)."""
    fields = {
        "name": "冬季",
        "start_date": date(2026, 11, 15),
        "end_date": date(2027, 2, 28),
        "periods": [["09:00", "17:00"]],
    }
    fields.update(overrides)
    with configured_on(date(2026, 11, 1)):
        return services.season_create(actor=actor, organization=organization, **fields)


def _refused(exc, clause: str) -> None:
    assert exc.value.code == "backdating_refused"
    assert exc.value.clause == clause
    assert "今天（" in exc.value.message


@pytest.mark.clause("C-01")
@pytest.mark.usefixtures("december_2026")
def test_an_override_for_yesterday_is_refused_and_nothing_is_saved(manager_a, station):
    # when: today is 2026-12-01 in Shanghai
    with pytest.raises(ValidationFailed) as exc:
        services.override_set(actor=manager_a, organization=station, date=YESTERDAY, is_open=False, name="补记停电")
    # then
    _refused(exc, "C-01")
    assert "2026-12-01" in exc.value.message
    assert exc.value.fields == {"date": ["不能早于今天"]}
    assert not DateOverride.objects.exists()
    assert not AuditEvent.objects.filter(verb="workcalendar.override.set").exists()
    # today itself is still open to decisions
    assert services.override_set(actor=manager_a, organization=station, date=TODAY, is_open=False, name="停电").pk


@pytest.mark.clause("C-01")
def test_yesterdays_override_cannot_be_removed_todays_can(manager_a, station):
    # given: two overrides entered in November, for 11-30 and 12-01
    with configured_on(date(2026, 11, 20)):
        past = services.override_set(actor=manager_a, organization=station, date=YESTERDAY, is_open=False, name="盘点")
        today = services.override_set(actor=manager_a, organization=station, date=TODAY, is_open=False, name="检修")
    # when: on 2026-12-01
    with configured_on(TODAY):
        with pytest.raises(ValidationFailed) as exc:
            services.override_remove(actor=manager_a, override=past)
        services.override_remove(actor=manager_a, override=today)
    # then
    _refused(exc, "C-01")
    assert DateOverride.objects.get(pk=past.pk).is_active
    assert not DateOverride.objects.get(pk=today.pk).is_active
    assert AuditEvent.objects.filter(verb="workcalendar.override.removed").count() == 1


@pytest.mark.clause("C-02")
@pytest.mark.usefixtures("december_2026")
def test_a_season_starting_yesterday_is_refused_one_starting_today_is_not(manager_a, station):
    # when
    with pytest.raises(ValidationFailed) as exc:
        _summer(manager_a, station, name="冬季", start_date=YESTERDAY, end_date=date(2027, 2, 28))
    # then
    _refused(exc, "C-02")
    assert "start_date" in exc.value.fields
    assert not Season.objects.exists()
    assert _summer(manager_a, station, name="冬季", start_date=TODAY, end_date=date(2027, 2, 28)).is_active


@pytest.mark.clause("C-02")
def test_a_started_season_may_change_its_name_and_end_no_earlier_than_today(manager_a, station):
    # given: winter began 2026-11-15
    season = _winter(manager_a, station)
    with configured_on(TODAY):
        # when / then: anything that rewrites days already gone is refused on 2026-12-01
        for fields in (
            {"end_date": YESTERDAY},
            {"start_date": date(2026, 11, 10)},
            {"start_date": date(2026, 12, 5)},
            {"periods": [["08:00", "18:00"]]},
            {"round_the_clock": True},
            {"name": "又改名", "open_on": "workdays"},
        ):
            with pytest.raises(ValidationFailed) as exc:
                services.season_update(actor=manager_a, season=season, **fields)
            _refused(exc, "C-02")
        # and a new name, an earlier end that is still ahead, and an end today are fine
        services.season_update(actor=manager_a, season=season, name="冬令时间")
        services.season_update(actor=manager_a, season=season, end_date=date(2026, 12, 20))
        services.season_update(actor=manager_a, season=season, name="冬令时间（提前结束）", end_date=TODAY)
    # then: the season is as the allowed changes left it
    season.refresh_from_db()
    assert (season.name, season.start_date, season.end_date) == ("冬令时间（提前结束）", date(2026, 11, 15), TODAY)
    assert season.periods == [["09:00", "17:00"]] and not season.round_the_clock and season.open_on == ""
    assert AuditEvent.objects.filter(verb="workcalendar.season.updated").count() == 3


@pytest.mark.clause("C-02")
def test_a_started_season_cannot_be_deactivated(manager_a, station):
    # given
    season = _winter(manager_a, station)
    # when
    with configured_on(TODAY), pytest.raises(ValidationFailed) as exc:
        services.season_deactivate(actor=manager_a, season=season)
    # then: it stays; the message says how to end it early
    _refused(exc, "C-02")
    assert "结束日期" in exc.value.message
    assert Season.objects.get(pk=season.pk).is_active
    assert not AuditEvent.objects.filter(verb="workcalendar.season.deactivated").exists()


@pytest.mark.clause("C-02")
@pytest.mark.usefixtures("december_2026")
def test_a_future_season_can_still_be_edited_and_deactivated(manager_a, station):
    # given: next summer
    season = _summer(manager_a, station, start_date=date(2027, 6, 1), end_date=date(2027, 8, 31))
    # when
    services.season_update(
        actor=manager_a, season=season, start_date=date(2027, 5, 15), periods=[["07:00", "21:00"]], open_on="workdays"
    )
    services.season_update(actor=manager_a, season=season, start_date=TODAY, end_date=date(2027, 9, 30))
    # but it cannot be moved to begin in the past
    with pytest.raises(ValidationFailed) as exc:
        services.season_update(actor=manager_a, season=season, start_date=YESTERDAY)
    _refused(exc, "C-02")
    services.season_deactivate(actor=manager_a, season=season)
    # then
    season.refresh_from_db()
    assert not season.is_active and season.start_date == TODAY and season.periods == [["07:00", "21:00"]]


@pytest.mark.clause("C-01")
@pytest.mark.usefixtures("december_2026")
def test_a_statutory_day_of_the_tree_cannot_be_entered_for_a_past_date(root_admin, tree):
    with pytest.raises(ValidationFailed) as exc:
        services.holiday_add(actor=root_admin, organization=tree["company"], date=YESTERDAY, name="补录")
    _refused(exc, "C-01")
    assert not StatutoryHoliday.objects.exists()


@pytest.mark.clause("C-01")
@pytest.mark.parametrize(
    ("utc_instant", "timezone", "allowed"),
    [
        # 2026-12-01 23:30 in Shanghai: still the 1st there
        (datetime(2026, 12, 1, 15, 30, tzinfo=UTC), "Asia/Shanghai", True),
        # 2026-12-02 00:30 in Shanghai: the 1st is gone there, though it is still the 1st in UTC
        (datetime(2026, 12, 1, 16, 30, tzinfo=UTC), "Asia/Shanghai", False),
        # the same instant is 2026-12-01 22:30 for a center in Urumqi (UTC+6): still the 1st there
        (datetime(2026, 12, 1, 16, 30, tzinfo=UTC), "Asia/Urumqi", True),
    ],
)
def test_today_is_the_organizations_local_date(manager_a, station, utc_instant, timezone, allowed):
    # given
    station.timezone = timezone
    station.save(update_fields=["timezone"])
    # when
    with time_machine.travel(utc_instant, tick=False):
        if allowed:
            services.override_set(actor=manager_a, organization=station, date=TODAY, is_open=False, name="停电")
        else:
            with pytest.raises(ValidationFailed) as exc:
                services.override_set(actor=manager_a, organization=station, date=TODAY, is_open=False, name="停电")
            _refused(exc, "C-01")
            assert "2026-12-02" in exc.value.message
    # then
    assert DateOverride.objects.filter(organization=station, date=TODAY).exists() is allowed
