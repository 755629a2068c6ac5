"""Permission-matrix cases of the approvals pages and API (core.testing.Case).

Center A's clerk submits 事项请示 that wait for center A's manager; center B's people must not see them (lists
without the marker, objects and actions 404).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from servicecenter.approvals import services
from servicecenter.approvals.models import ApprovalRequest
from servicecenter.core.testing import Case
from servicecenter.org.models import Delegation
from servicecenter.org.services import delegation_create

MARKER = "甲中心请示：采购打印机"


def _submit(world, title: str) -> ApprovalRequest:
    return services.request_submit(
        actor=world.clerk_a.user, kind="general", organization=world.tree["a"], title=title, payload={"amount": "300"}
    )


def _step_id(request: ApprovalRequest) -> int:
    return request.steps.get(order=request.current_step_order).pk


def _status_is(pk: int, status: str):
    def check(world, response) -> None:
        assert ApprovalRequest.objects.get(pk=pk).status == status

    return check


def _delegation_withdrawn(pk: int):
    def check(world, response) -> None:
        assert Delegation.objects.get(pk=pk).is_active is False

    return check


def build(world) -> list[Case]:
    now = timezone.now()
    away = delegation_create(
        actor=world.manager_a.user,
        principal=world.manager_a.user,
        delegate=world.clerk_a.user,
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=2),
        reason="出差",
    )
    listed = _submit(world, MARKER)
    to_decide = _submit(world, "甲中心请示：待网页审批")
    to_withdraw = _submit(world, "甲中心请示：待撤回")
    to_resubmit = _submit(world, "甲中心请示：待重新提交")
    services.step_decide(
        actor=world.manager_a.user, step_id=_step_id(to_resubmit), decision="return", comment="请补充报价"
    )
    to_decide_api = _submit(world, "甲中心请示：待接口审批")
    return [
        # --- pages ---
        Case("approvals:inbox", marker=MARKER),
        Case("approvals:inbox", marker=MARKER, query="?tab=all"),
        Case("approvals:request_create", actor="clerk_a", marker=world.tree["a"].name),
        Case("approvals:request_detail", kwargs={"pk": listed.pk}),
        Case(
            "approvals:step_decide",
            kwargs={"pk": _step_id(to_decide)},
            method="post",
            data={"decision": "approve", "comment": "同意"},
            ok=(302,),
            check=_status_is(to_decide.pk, "approved"),
        ),
        Case(
            "approvals:request_withdraw",
            kwargs={"pk": to_withdraw.pk},
            actor="clerk_a",
            method="post",
            ok=(302,),
            check=_status_is(to_withdraw.pk, "withdrawn"),
        ),
        Case(
            "approvals:request_resubmit",
            kwargs={"pk": to_resubmit.pk},
            actor="clerk_a",
            method="post",
            data={"description": "已附三家报价"},
            ok=(302,),
            check=_status_is(to_resubmit.pk, "pending"),
        ),
        Case("approvals:delegation_create", marker=world.clerk_a.name),
        Case(
            "approvals:delegation_end",
            kwargs={"pk": away.pk},
            method="post",
            ok=(302,),
            check=_delegation_withdrawn(away.pk),
        ),
        # --- API ---
        Case("approvals_api:request_list", api=True, marker=MARKER),
        Case("approvals_api:request_detail", kwargs={"pk": listed.pk}, api=True),
        Case("approvals_api:inbox", api=True, marker=MARKER),
        Case(
            "approvals_api:step_decide",
            kwargs={"pk": _step_id(to_decide_api)},
            api=True,
            method="post",
            data={"decision": "approve"},
            check=_status_is(to_decide_api.pk, "approved"),
        ),
    ]
