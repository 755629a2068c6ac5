"""Writes of the policy app: parameter_set / parameter_reset / regulation_create (audit, permissions, dates)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from servicecenter.core.errors import NotAllowed, ValidationFailed
from servicecenter.core.models import AuditEvent
from servicecenter.policy.models import ParameterValue, Regulation
from servicecenter.policy.registry import get_spec
from servicecenter.policy.selectors import PolicyScope, parameter_detail
from servicecenter.policy.services import parameter_reset, parameter_set, regulation_create
from servicecenter.policy.values import local_today, value

KEY = "workorders.response_minutes"


@pytest.mark.clause("ORG-21")
def test_set_appends_a_row_and_one_audit_event(tree, manager_a):
    # given
    today = local_today(tree["a"])
    # when
    row = parameter_set(
        actor=manager_a, key=KEY, organization=tree["a"], value=20, effective_from=today, reason="经理会议决定"
    )
    # then
    assert (row.value, row.inherit, row.effective_from, row.set_by) == (20, False, today, manager_a.user)
    event = AuditEvent.objects.get(verb="policy.parameter.set")
    assert event.changes == {"value": [30, 20]}
    assert event.clause == "WO-03" and event.actor == manager_a.user and event.organization == tree["a"]
    assert event.note == "经理会议决定" and event.target_id == str(row.pk)
    assert value(KEY, org=tree["a"]).value == 20


def test_set_is_append_only(tree, manager_a):
    today = local_today(tree["a"])
    first = parameter_set(actor=manager_a, key=KEY, organization=tree["a"], value=20, effective_from=today, reason="a")
    parameter_set(actor=manager_a, key=KEY, organization=tree["a"], value=25, effective_from=today, reason="b")
    assert ParameterValue.objects.filter(key=KEY, organization=tree["a"]).count() == 2
    assert value(KEY, org=tree["a"]).value == 25  # the newer row of the same day wins
    first.value = 99
    with pytest.raises(TypeError, match="append-only"):
        first.save()


@pytest.mark.parametrize("who", ["clerk_a", "manager_b"])
def test_set_needs_set_parameter_over_the_organization(tree, request, who):
    actor = request.getfixturevalue(who)
    with pytest.raises(NotAllowed) as exc:
        parameter_set(actor=actor, key=KEY, organization=tree["a"], value=20, effective_from=local_today(), reason="x")
    assert exc.value.status_code == 403 and exc.value.clause == "WO-03"
    assert not ParameterValue.objects.exists() and not AuditEvent.objects.filter(verb__startswith="policy.").exists()


def test_the_ops_center_gm_may_set_for_a_center_below(tree, gm):
    parameter_set(actor=gm, key=KEY, organization=tree["a"], value=20, effective_from=local_today(), reason="x")
    assert value(KEY, org=tree["a"]).value == 20


def test_installation_wide_values_are_for_superusers_only(tree, gm, superuser):
    with pytest.raises(NotAllowed, match="超级管理员"):
        parameter_set(actor=gm, key=KEY, organization=None, value=20, effective_from=local_today(), reason="x")
    parameter_set(actor=superuser, key=KEY, organization=None, value=20, effective_from=local_today(), reason="x")
    assert value(KEY, org=tree["b"]).value == 20


def test_backdating_is_refused(tree, manager_a):
    yesterday = local_today(tree["a"]) - timedelta(days=1)
    with pytest.raises(ValidationFailed) as exc:
        parameter_set(
            actor=manager_a, key=KEY, organization=tree["a"], value=20, effective_from=yesterday, reason="补录"
        )
    assert exc.value.code == "backdating_refused" and "effective_from" in exc.value.fields
    assert "倒签会改变已作出决定的依据" in exc.value.message
    with pytest.raises(ValidationFailed, match="不能早于今天"):
        parameter_reset(actor=manager_a, key=KEY, organization=tree["a"], effective_from=yesterday, reason="x")


def test_today_is_the_centers_local_date(tree, manager_a):
    # 2025-12-31 17:00 UTC is already 2026-01-01 01:00 in Shanghai
    with time_machine.travel(datetime(2025, 12, 31, 17, 0, tzinfo=UTC), tick=False):
        with pytest.raises(ValidationFailed, match="不能早于今天（2026-01-01）"):
            parameter_set(
                actor=manager_a,
                key=KEY,
                organization=tree["a"],
                value=20,
                effective_from=date(2025, 12, 31),
                reason="x",
            )
        parameter_set(
            actor=manager_a, key=KEY, organization=tree["a"], value=20, effective_from=date(2026, 1, 1), reason="x"
        )


def test_a_value_equal_to_the_one_in_force_is_refused(tree, manager_a):
    today = local_today(tree["a"])
    with pytest.raises(ValidationFailed) as exc:
        parameter_set(actor=manager_a, key=KEY, organization=tree["a"], value=30, effective_from=today, reason="x")
    assert exc.value.code == "no_change" and "制度默认值" in exc.value.message
    # the same holds for a structured value (time ranges)
    with pytest.raises(ValidationFailed, match="无需变更"):
        parameter_set(
            actor=manager_a,
            key="attendance.business_hours",
            organization=tree["a"],
            value=[["08:30", "20:00"]],
            effective_from=today,
            reason="x",
        )
    assert not ParameterValue.objects.exists()


@pytest.mark.parametrize(
    ("raw", "message"),
    [(None, "请填写参数值"), ("thirty", "应为整数"), (True, "应为整数")],
)
def test_invalid_values_are_refused_with_the_field(tree, manager_a, raw, message):
    with pytest.raises(ValidationFailed, match=message) as exc:
        parameter_set(
            actor=manager_a, key=KEY, organization=tree["a"], value=raw, effective_from=local_today(), reason="x"
        )
    assert "value" in exc.value.fields


def test_reason_is_required_and_the_key_declared(tree, manager_a):
    with pytest.raises(ValidationFailed, match="请填写变更原因"):
        parameter_set(
            actor=manager_a, key=KEY, organization=tree["a"], value=20, effective_from=local_today(), reason="  "
        )
    with pytest.raises(ValidationFailed, match="未声明的参数"):
        parameter_set(
            actor=manager_a,
            key="nope.nothing",
            organization=tree["a"],
            value=20,
            effective_from=local_today(),
            reason="x",
        )


def test_future_value_is_scheduled_then_applied_on_its_date(tree, manager_a):
    with time_machine.travel(datetime(2026, 3, 1, 2, 0, tzinfo=UTC), tick=False):
        # given a value from 10 March
        parameter_set(
            actor=manager_a,
            key=KEY,
            organization=tree["a"],
            value=15,
            effective_from=date(2026, 3, 10),
            reason="三月十日起",
        )
        # then today it is only scheduled
        detail = parameter_detail(spec=get_spec(KEY), scope=PolicyScope(organization=tree["a"]))
        assert detail.now_value.value == 30
        assert [(v.row.value, v.status) for v in detail.scheduled] == [(15, "scheduled")]
    # when the date comes (in Shanghai: 9 March 16:00 UTC)
    with time_machine.travel(datetime(2026, 3, 9, 16, 0, tzinfo=UTC), tick=False):
        detail = parameter_detail(spec=get_spec(KEY), scope=PolicyScope(organization=tree["a"]))
        # then it applies
        assert detail.now_value.value == 15 and not detail.scheduled
        assert [v.status for v in detail.rows] == ["in_force"] and detail.rows[0].applies


def test_reset_withdraws_the_own_value(tree, manager_a):
    today = local_today(tree["a"])
    parameter_set(actor=manager_a, key=KEY, organization=tree["a"], value=20, effective_from=today, reason="a")
    # when
    row = parameter_reset(actor=manager_a, key=KEY, organization=tree["a"], effective_from=today, reason="恢复")
    # then
    assert row.inherit and row.value is None
    assert value(KEY, org=tree["a"]).value == 30
    event = AuditEvent.objects.get(verb="policy.parameter.reset")
    assert event.changes == {"value": [20, 30], "inherit": [False, True]} and event.clause == "WO-03"


def test_reset_without_an_own_value_is_refused(tree, manager_a):
    with pytest.raises(ValidationFailed) as exc:
        parameter_reset(actor=manager_a, key=KEY, organization=tree["a"], effective_from=local_today(), reason="x")
    assert exc.value.code == "no_change"


@pytest.mark.clause("ORG-18")
def test_regulation_create_writes_clauses_and_one_audit_event(tree, superuser):
    regulation = regulation_create(
        actor=superuser,
        organization=tree["a"],
        code="local",
        title="甲中心补充规定",
        effective_date=date(2026, 1, 1),
        clauses=[
            {"number": "1", "title": "值班", "text": "每晚一人值班。", "requirement_ids": ["ATT-02"]},
            {"number": "2", "text": "节假日按通知执行。"},
        ],
    )
    assert [c.number for c in regulation.clauses.all()] == ["1", "2"]
    assert regulation.clauses.first().citation == "依据《甲中心补充规定》1：值班"
    event = AuditEvent.objects.get(verb="policy.regulation.created")
    assert event.changes["clauses"] == [None, 2] and event.clause == "ORG-18"
    with pytest.raises(ValidationFailed, match="已有编码"):
        regulation_create(
            actor=superuser,
            organization=tree["a"],
            code="local",
            title="x",
            effective_date=date(2026, 1, 1),
            clauses=[],
        )
    assert Regulation.objects.filter(code="local").count() == 1


def test_regulation_create_is_for_superusers_and_system_jobs(tree, manager_a):
    with pytest.raises(NotAllowed):
        regulation_create(
            actor=manager_a, organization=tree["a"], code="x", title="x", effective_date=date(2026, 1, 1), clauses=[]
        )
    with pytest.raises(ValidationFailed, match="条款号重复"):
        regulation_create(
            actor=None,
            organization=tree["a"],
            code="x",
            title="x",
            effective_date=date(2026, 1, 1),
            clauses=[{"number": "1", "text": "a"}, {"number": "1", "text": "b"}],
        )


@pytest.mark.postgres
def test_installation_wide_regulations_are_unique_per_code_and_version(db):
    from django.db import IntegrityError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("constraint check on PostgreSQL")
    Regulation.objects.create(code="g", title="g", effective_date=date(2026, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Regulation.objects.create(code="g", title="g2", effective_date=date(2026, 1, 1))
