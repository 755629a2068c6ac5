"""The regulations and parameter pages (policy/views.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from servicecenter.core.models import AuditEvent
from servicecenter.policy.models import ParameterValue
from servicecenter.policy.services import parameter_set
from servicecenter.policy.values import local_today, value
from tests import factories

LIST = reverse("policy:regulation_list")
KEY = "workorders.response_minutes"


def _detail(key: str = KEY) -> str:
    return reverse("policy:parameter_detail", kwargs={"key": key})


@pytest.mark.smoke
@pytest.mark.clause("ORG-18", "ORG-21")
def test_regulation_list_shows_my_centers_clauses_and_values_in_force(seeded, manager_a, client_for):
    # when
    resp = client_for(manager_a).get(LIST)
    # then: D01 with its clauses, and under them the parameters in force today
    body = resp.content.decode()
    assert resp.status_code == 200
    assert "《服务中心管理制度（服务站）》" in body and "《政务服务中心管理制度》" not in body
    assert "营业时间与值守" in body and "在营业时间内不得出现无人值守的情况" in body
    assert "08:30–20:00" in body and "制度默认值（D01）" in body
    assert "原文（已更正错字）" in body
    # parameters without a value are warnings (G-04)
    assert 'id="unset-warning"' in body and "迟到扣分" in body and "—，须配置" in body
    # and the parameters attached to no clause are listed by app
    assert "其他参数" in body and "审批" in body


def test_gov_hall_manager_sees_d19_and_the_preset(seeded, manager_b, client_for):
    body = client_for(manager_b).get(LIST).content.decode()
    assert "《政务服务中心管理制度》" in body and "《服务中心管理制度（服务站）》" not in body
    assert "08:30–11:30，14:30–17:30" in body and "中心类型预设（D19）" in body
    assert "旷工一天扣20元" in body


def test_inherited_regulations_are_listed_with_their_scope(seeded, manager_a, client_for):
    # given an installation-wide regulation (D02) and the ops center's
    from servicecenter.policy.seed import load_seed_regulations

    load_seed_regulations(sources=["D02"])
    body = client_for(manager_a).get(LIST).content.decode()
    assert "《客服呼叫中心管理办法》" in body and "适用范围：全系统" in body


def test_an_override_shows_who_set_it_and_from_when(seeded, manager_a, client_for):
    parameter_set(
        actor=manager_a, key=KEY, organization=seeded["a"], value=20, effective_from=local_today(), reason="提速"
    )
    body = client_for(manager_a).get(LIST).content.decode()
    assert "20 分钟" in body and "甲服务中心" in body and "（甲经理）" in body


def _overrides(tree, actor, n: int) -> None:
    keys = [
        "workorders.response_minutes",
        "workorders.resolve_minutes",
        "attendance.late_grace_minutes",
        "attendance.min_staff_on_duty",
        "leave.sick_max_days",
        "attendance.monthly_rest_days",
        "points.month_recheck_deadline_day",
        "finance.monthly_posting_deadline_day",
    ]
    for key in keys[:n]:
        parameter_set(
            actor=actor,
            key=key,
            organization=tree["a"],
            value=value(key, org=tree["a"]).value + 1,
            effective_from=local_today(),
            reason="x",
        )


@pytest.mark.parametrize("n", [1, 8])
def test_regulation_list_has_a_bounded_number_of_queries(
    seeded, manager_a, client_for, n, django_assert_max_num_queries
):
    # given one or many overrides, also on the ops center
    _overrides(seeded, manager_a, n)
    client = client_for(manager_a)
    client.get(LIST)  # warm-up: content types, sessions
    # when / then
    with django_assert_max_num_queries(18):
        resp = client.get(LIST)
    assert resp.status_code == 200


def test_query_count_does_not_grow_with_overrides(seeded, manager_a, client_for):
    client = client_for(manager_a)
    counts = []
    for n in (1, 8):
        _overrides(seeded, manager_a, n) if n == 1 else _overrides_more(seeded, manager_a)
        client.get(LIST)
        with CaptureQueriesContext(connection) as ctx:
            client.get(LIST)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def _overrides_more(tree, actor) -> None:
    for key in ("attendance.late_grace_minutes", "leave.sick_max_days", "points.month_recheck_deadline_day"):
        parameter_set(
            actor=actor,
            key=key,
            organization=tree["a"],
            value=value(key, org=tree["a"]).value + 2,
            effective_from=local_today(),
            reason="y",
        )


def test_center_switcher_for_a_gm_and_404_elsewhere(seeded, gm, manager_a, client_for):
    client = client_for(gm)
    resp = client.get(LIST)
    assert 'id="org-switcher"' in resp.content.decode()
    body = client.get(LIST, {"org": seeded["b"].pk}).content.decode()
    assert "《政务服务中心管理制度》" in body
    client = client_for(manager_a)
    assert client.get(LIST, {"org": seeded["b"].pk}).status_code == 404
    assert client.get(LIST, {"org": "abc"}).status_code == 404
    assert client.get(LIST, {"org": "global"}).status_code == 404


def test_a_user_without_any_role_gets_403(tree, client):
    staff = factories.make_staff(tree["a"])
    client.force_login(staff.user)
    assert client.get(LIST).status_code == 403


def test_superuser_sees_the_installation_wide_level(db, superuser, client):
    client.force_login(superuser)
    resp = client.get(LIST, {"org": "global"})
    assert resp.status_code == 200 and "全系统" in resp.content.decode()


def test_regulation_detail_shows_clauses_and_history(seeded, manager_a, client_for):
    regulation = seeded["a"].regulations.get()
    resp = client_for(manager_a).get(reverse("policy:regulation_detail", kwargs={"pk": regulation.pk}))
    body = resp.content.decode()
    assert resp.status_code == 200 and "接单内勤" in body and "修订记录" in body and "录入" in body
    assert "引用：依据《服务中心管理制度（服务站）》二、2：接单内勤" in body
    other = seeded["b"].regulations.get()
    assert client_for(manager_a).get(reverse("policy:regulation_detail", kwargs={"pk": other.pk})).status_code == 404


@pytest.mark.smoke
def test_parameter_detail_shows_spec_value_history_and_the_form(seeded, manager_a, client_for):
    parameter_set(
        actor=manager_a, key=KEY, organization=seeded["a"], value=20, effective_from=local_today(), reason="经理会议"
    )
    resp = client_for(manager_a).get(_detail(), {"org": seeded["a"].pk, "at": "2020-01-01"})
    body = resp.content.decode()
    assert resp.status_code == 200
    assert "工单响应时限" in body and "WO-03" in body and "20 分钟" in body and "经理会议" in body
    assert 'id="value-at"' in body and "30 分钟" in body  # on 2020-01-01 the seed default
    assert 'id="parameter-form"' in body and 'id="reset-form"' in body
    assert "policy.parameter.set" in body  # the audit events


def test_clerk_sees_the_parameter_but_no_form(seeded, clerk_a, client_for):
    body = client_for(clerk_a).get(_detail()).content.decode()
    assert "工单响应时限" in body and 'id="parameter-form"' not in body


def test_parameter_detail_404_for_unknown_key_or_other_center(seeded, manager_a, client_for):
    client = client_for(manager_a)
    assert client.get(_detail("nope.nothing")).status_code == 404
    assert client.get(_detail(), {"org": seeded["b"].pk}).status_code == 404


def test_bad_date_is_a_field_error_not_a_500(seeded, manager_a, client_for):
    resp = client_for(manager_a).get(_detail(), {"at": "2026-02-30"})
    assert resp.status_code == 200 and "日期格式应为 YYYY-MM-DD" in resp.content.decode()


def _post(client, name, data, key=KEY, **extra):
    return client.post(reverse(f"policy:{name}", kwargs={"key": key}), data, **extra)


@pytest.mark.smoke
def test_set_form_saves_and_redirects(seeded, manager_a, client_for):
    data = {
        "organization": seeded["a"].pk,
        "value": "45",
        "effective_from": local_today().isoformat(),
        "reason": "人手不足",
    }
    resp = _post(client_for(manager_a), "parameter_set", data)
    assert resp.status_code == 302 and resp["Location"] == f"{_detail()}?org={seeded['a'].pk}"
    assert value(KEY, org=seeded["a"]).value == 45
    assert AuditEvent.objects.filter(verb="policy.parameter.set", actor=manager_a.user).count() == 1


@pytest.mark.parametrize(
    ("key", "text", "stored"),
    [
        ("attendance.business_hours", "08:00-12:00, 13:30-18:00", [["08:00", "12:00"], ["13:30", "18:00"]]),
        ("attendance.sign_in_required", "true", True),
        ("attendance.open_days", "workdays", "workdays"),
        ("attendance.heating_season", "2026-11-15 至 2027-03-15", {"start": "2026-11-15", "end": "2027-03-15"}),
        ("points.deduction.late", "1.5", "1.5"),
        ("leave.personal_max_days", '{"days": 5, "scope": "year"}', {"days": 5, "scope": "year"}),
    ],
)
def test_set_form_parses_each_type(seeded, manager_a, client_for, key, text, stored):
    data = {"organization": seeded["a"].pk, "value": text, "effective_from": local_today().isoformat(), "reason": "r"}
    resp = _post(client_for(manager_a), "parameter_set", data, key=key)
    assert resp.status_code == 302
    assert value(key, org=seeded["a"]).value == stored


def test_set_form_errors_rerender_with_200(seeded, manager_a, client_for):
    client = client_for(manager_a)
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    # a backdated value: the rule is explained, nothing saved
    resp = _post(
        client,
        "parameter_set",
        {"organization": seeded["a"].pk, "value": "45", "effective_from": yesterday, "reason": "补录"},
    )
    body = resp.content.decode()
    assert resp.status_code == 200 and "倒签会改变已作出决定的依据" in body and "is-invalid" in body
    # a bad value, via htmx: only the form partial comes back
    resp = _post(
        client,
        "parameter_set",
        {"organization": seeded["a"].pk, "value": "半小时", "effective_from": local_today().isoformat(), "reason": "x"},
        HTTP_HX_REQUEST="true",
    )
    body = resp.content.decode()
    assert resp.status_code == 200 and "请输入整数" in body and "<html" not in body and 'id="parameter-form"' in body
    # the same value as in force: no-op
    resp = _post(
        client,
        "parameter_set",
        {"organization": seeded["a"].pk, "value": "30", "effective_from": local_today().isoformat(), "reason": "x"},
    )
    assert "无需变更" in resp.content.decode()
    assert not ParameterValue.objects.exists()


def test_htmx_success_answers_with_hx_redirect(seeded, manager_a, client_for):
    resp = _post(
        client_for(manager_a),
        "parameter_set",
        {"organization": seeded["a"].pk, "value": "45", "effective_from": local_today().isoformat(), "reason": "x"},
        HTTP_HX_REQUEST="true",
    )
    assert resp.status_code == 200 and resp["HX-Redirect"].startswith(_detail())


def test_set_refused_for_clerk_403_and_for_other_center_404(seeded, clerk_a, manager_b, client_for):
    data = {"organization": seeded["a"].pk, "value": "45", "effective_from": local_today().isoformat(), "reason": "x"}
    assert _post(client_for(clerk_a), "parameter_set", data).status_code == 403
    assert _post(client_for(manager_b), "parameter_set", data).status_code == 404
    assert _post(client_for(manager_b), "parameter_set", {**data, "organization": ""}).status_code == 404
    assert not ParameterValue.objects.exists()


def test_reset_form(seeded, manager_a, client_for):
    client = client_for(manager_a)
    today = local_today().isoformat()
    # nothing of our own yet: refused with a message
    resp = _post(client, "parameter_reset", {"organization": seeded["a"].pk, "effective_from": today, "reason": "x"})
    assert resp.status_code == 200 and "没有自行设定的值" in resp.content.decode()
    parameter_set(
        actor=manager_a, key=KEY, organization=seeded["a"], value=20, effective_from=local_today(), reason="x"
    )
    resp = _post(client, "parameter_reset", {"organization": seeded["a"].pk, "effective_from": today, "reason": "恢复"})
    assert resp.status_code == 302 and value(KEY, org=seeded["a"]).value == 30


def test_menu_entry_is_shown_to_staff(seeded, clerk_a, client_for):
    body = client_for(clerk_a).get(LIST).content.decode()
    assert f'href="{LIST}"' in body and "制度参数" in body
