"""Permission-matrix cases of the policy app (core.testing.Case): every HTML page, action and API endpoint."""

from __future__ import annotations

from datetime import date

from servicecenter.core.testing import Case
from servicecenter.policy.models import ParameterValue
from servicecenter.policy.services import parameter_set, regulation_create
from servicecenter.policy.values import local_today, value

SET_KEY = "workorders.response_minutes"
RESET_KEY = "attendance.late_grace_minutes"
MARKER = "甲中心值班补充规定M"


def build(world) -> list[Case]:
    a = world.tree["a"]
    # center A's own regulation (its title is what center B must never see) and an override to withdraw
    regulation = regulation_create(
        actor=None,
        organization=a,
        code="matrix-local",
        title=MARKER,
        effective_date=date(2020, 1, 1),
        clauses=[{"number": "1", "title": "值班", "text": "营业时间内至少一人在岗。", "requirement_ids": ["ORG-21"]}],
    )
    parameter_set(
        actor=world.manager_a, key=RESET_KEY, organization=a, value=5, effective_from=local_today(a), reason="矩阵"
    )
    org_query = f"?org={a.pk}"

    def set_form(w) -> dict:
        current = value(SET_KEY, org=w.tree["a"]).value
        return {
            "organization": w.tree["a"].pk,
            "value": str(current + 5),
            "effective_from": local_today(w.tree["a"]).isoformat(),
            "reason": "矩阵测试",
        }

    def reset_form(w) -> dict:
        return {"organization": w.tree["a"].pk, "effective_from": local_today(w.tree["a"]).isoformat(), "reason": "x"}

    def api_value(w) -> dict:
        current = value(SET_KEY, org=w.tree["a"]).value
        return {
            "organization": w.tree["a"].pk,
            "value": current + 7,
            "effective_from": local_today(w.tree["a"]).isoformat(),
            "reason": "矩阵测试",
        }

    def value_was_set(w, resp) -> None:
        assert ParameterValue.objects.filter(key=SET_KEY, organization=w.tree["a"], set_by=w.manager_a.user).exists()

    def value_was_reset(w, resp) -> None:
        assert ParameterValue.objects.filter(key=RESET_KEY, organization=w.tree["a"], inherit=True).exists()

    return [
        Case("policy:regulation_list", marker=MARKER),
        Case("policy:regulation_detail", kwargs={"pk": regulation.pk}),
        Case("policy:parameter_detail", kwargs={"key": SET_KEY}, query=org_query),
        Case(
            "policy:parameter_set",
            kwargs={"key": SET_KEY},
            method="post",
            data_factory=set_form,
            ok=(302,),
            check=value_was_set,
        ),
        Case(
            "policy:parameter_reset",
            kwargs={"key": RESET_KEY},
            method="post",
            data_factory=reset_form,
            ok=(302,),
            check=value_was_reset,
        ),
        Case("api-policy-parameter-list", api=True, query=org_query),
        Case("api-policy-parameter-detail", kwargs={"key": SET_KEY}, api=True, query=org_query),
        Case(
            "api-policy-parameter-value-create",
            kwargs={"key": SET_KEY},
            method="post",
            api=True,
            data_factory=api_value,
            ok=(201,),
        ),
        Case("api-policy-regulation-list", api=True, marker=MARKER),
        Case("api-policy-regulation-detail", kwargs={"pk": regulation.pk}, api=True),
        Case("api-policy-requirement-list", api=True, marker=MARKER),
    ]
