"""How a parameter's value in force is resolved (policy/values.py, ORG-21, C-01)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from servicecenter.org import services as org_services
from servicecenter.policy.services import parameter_reset, parameter_set
from servicecenter.policy.values import local_today, resolve_many, value

HOURS = "attendance.business_hours"
GOV_HOURS = [["08:30", "11:30"], ["14:30", "17:30"]]


@pytest.mark.clause("ORG-21", "C-01")
def test_resolution_order_own_parent_installation_preset_default(tree, manager_b, gm, superuser):
    # given a government hall (preset D19) under an ops center
    hall, today = tree["b"], local_today(tree["b"])
    # then with nothing set the preset applies, and elsewhere the seed default
    assert value(HOURS, org=hall).value == GOV_HOURS and value(HOURS, org=hall).source == "preset"
    assert value(HOURS, org=tree["a"]).value == [["08:30", "20:00"]]
    assert value(HOURS, org=tree["a"]).source == "default"

    # when the installation sets a value, it beats the preset
    parameter_set(
        actor=superuser,
        key=HOURS,
        organization=None,
        value=[["09:00", "17:00"]],
        effective_from=today,
        reason="全系统统一",
    )
    pv = value(HOURS, org=hall)
    assert (pv.value, pv.source, pv.organization_id) == ([["09:00", "17:00"]], "override", None)
    # when the parent ops center sets one, it beats the installation's
    parameter_set(
        actor=gm,
        key=HOURS,
        organization=tree["ops"],
        value=[["08:00", "18:00"]],
        effective_from=today,
        reason="营维中心统一",
    )
    assert value(HOURS, org=hall).value == [["08:00", "18:00"]]
    assert value(HOURS, org=hall).organization_id == tree["ops"].pk
    # when the hall sets its own, it beats the parent's
    parameter_set(actor=manager_b, key=HOURS, organization=hall, value=GOV_HOURS, effective_from=today, reason="本中心")
    own = value(HOURS, org=hall)
    assert (own.value, own.organization_id, own.set_by_name) == (GOV_HOURS, hall.pk, "乙经理")
    assert "乙政务中心" in own.origin and "乙经理" in own.origin

    # when the hall withdraws its own value (inherit row), the parent's applies again
    parameter_reset(actor=manager_b, key=HOURS, organization=hall, effective_from=today, reason="恢复")
    assert value(HOURS, org=hall).value == [["08:00", "18:00"]]
    # and when the ops center withdraws, the installation's
    parameter_reset(actor=gm, key=HOURS, organization=tree["ops"], effective_from=today, reason="恢复")
    assert value(HOURS, org=hall).value == [["09:00", "17:00"]]
    # and when the installation withdraws, the preset again
    parameter_reset(actor=superuser, key=HOURS, organization=None, effective_from=today, reason="恢复")
    assert value(HOURS, org=hall).source == "preset"


@pytest.mark.clause("ORG-21")
def test_a_team_inherits_its_centers_value(tree, manager_a):
    # given center A overrides the response time
    parameter_set(
        actor=manager_a,
        key="workorders.response_minutes",
        organization=tree["a"],
        value=20,
        effective_from=local_today(tree["a"]),
        reason="提速",
    )
    # then its team inherits it, and the other center does not
    assert value("workorders.response_minutes", org=tree["team_a"]).value == 20
    assert value("workorders.response_minutes", org=tree["b"]).value == 30


def test_past_and_future_effective_dates(tree, manager_a):
    key = "workorders.response_minutes"
    with time_machine.travel(datetime(2026, 1, 5, 10, 0, tzinfo=UTC), tick=False):
        # given a value from today and a scheduled one from February
        parameter_set(
            actor=manager_a, key=key, organization=tree["a"], value=45, effective_from=date(2026, 1, 5), reason="一月"
        )
        parameter_set(
            actor=manager_a, key=key, organization=tree["a"], value=60, effective_from=date(2026, 2, 1), reason="二月起"
        )
        # then each date sees the value in force then
        assert value(key, org=tree["a"], at=date(2026, 1, 4)).value == 30
        assert value(key, org=tree["a"], at=date(2026, 1, 5)).value == 45
        assert value(key, org=tree["a"], at=date(2026, 1, 31)).value == 45
        assert value(key, org=tree["a"], at=date(2026, 2, 1)).value == 60
        assert value(key, org=tree["a"]).value == 45  # today
    with time_machine.travel(datetime(2026, 2, 1, 0, 5, tzinfo=UTC), tick=False):
        assert value(key, org=tree["a"]).value == 60


def test_instant_is_read_in_the_centers_local_date_near_midnight(tree, manager_a):
    key = "workorders.response_minutes"
    with time_machine.travel(datetime(2025, 12, 31, 2, 0, tzinfo=UTC), tick=False):
        parameter_set(
            actor=manager_a, key=key, organization=tree["a"], value=50, effective_from=date(2026, 1, 1), reason="新年起"
        )
    # 2026-01-01 00:30 in Shanghai is 2025-12-31 16:30 UTC: already the new year there
    assert value(key, org=tree["a"], at=datetime(2025, 12, 31, 16, 30, tzinfo=UTC)).value == 50
    # 2025-12-31 23:59 in Shanghai is 15:59 UTC: still the old year
    assert value(key, org=tree["a"], at=datetime(2025, 12, 31, 15, 59, tzinfo=UTC)).value == 30
    assert value(key, org=tree["a"], at=date(2026, 1, 1)).value == 50
    assert value(key, org=tree["a"], at=date(2025, 12, 31)).value == 30


def test_a_center_in_another_time_zone_uses_its_own_date(tree, manager_a):
    key = "workorders.response_minutes"
    org_services.organization_update(actor=None, organization=tree["a"], timezone="Europe/Berlin")
    tree["a"].refresh_from_db()
    with time_machine.travel(datetime(2025, 12, 31, 2, 0, tzinfo=UTC), tick=False):
        parameter_set(
            actor=manager_a, key=key, organization=tree["a"], value=50, effective_from=date(2026, 1, 1), reason="新年起"
        )
    # 22:30 UTC is 06:30 on 1 January in Shanghai but 23:30 on 31 December in Berlin
    instant = datetime(2025, 12, 31, 22, 30, tzinfo=UTC)
    assert value(key, org=tree["a"], at=instant).value == 30
    assert value(key, org=tree["a"], at=instant + timedelta(hours=1)).value == 50


def test_resolve_many_reads_all_keys_in_two_queries(tree, manager_a, django_assert_num_queries):
    # given a few overrides at two levels
    today = local_today(tree["a"])
    for key, val in (("workorders.response_minutes", 20), ("attendance.late_grace_minutes", 5)):
        parameter_set(actor=manager_a, key=key, organization=tree["a"], value=val, effective_from=today, reason="x")
    team = tree["team_a"]
    team.refresh_from_db()
    # when/then: the ancestors and the rows, whatever the number of keys
    with django_assert_num_queries(2):
        values = resolve_many(["workorders.response_minutes", "attendance.late_grace_minutes", HOURS], org=team)
    assert values["workorders.response_minutes"].value == 20 and values[HOURS].source == "default"


def test_citation_names_requirement_label_value_and_origin(tree):
    pv = value("workorders.response_minutes", org=tree["a"])
    assert pv.citation == "依据 WO-03、C-09：工单响应时限 = 30 分钟（制度默认值（D01））"
    assert value("points.deduction.late", org=tree["a"]).origin == "未设置（制度未规定）"
