"""Approval kinds of the attendance app, registered when the app is ready (approvals/kinds.py docstring):

- "punch_correction" (补卡, ATT-03): the center's head (`approvals.general_route_roles`["within_limit"]: the center
  manager; in a gov hall the leader in charge); on approval the punch is added and the day recomputed;
- "violation_escalation" (违纪上报, ATT-13): the 3rd non-work violation of a month goes to the ops-center GM with a
  punishment and demotion request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from servicecenter.approvals.kinds import Route, RouteContext, register_kind
from servicecenter.policy.values import value

if TYPE_CHECKING:
    from servicecenter.approvals.models import ApprovalRequest


def correction_route(ctx: RouteContext) -> Route:
    roles = value("approvals.general_route_roles", org=ctx.organization, at=ctx.at)
    steps = tuple((roles.value or {}).get("within_limit") or ("center_manager",))
    return Route(steps=steps, clause="ATT-03", citation=f"依据 ATT-03：缺卡须经批准补卡；{roles.citation}")


def correction_decided(request: ApprovalRequest) -> None:
    from .services import correction_apply_decision

    correction_apply_decision(approval=request)


def correction_describe(payload: Mapping[str, Any]) -> list[tuple[Any, str]]:
    kind = {"in": "上班", "out": "下班"}.get(str(payload.get("kind")), "")
    return [(_("补卡时间"), str(payload.get("at", ""))[:16].replace("T", " ")), (_("类型"), kind)]


def escalation_route(ctx: RouteContext) -> Route:
    ladder = value("attendance.nonwork_violation_ladder", org=ctx.organization, at=ctx.at)
    return Route(
        steps=("ops_center_gm",),
        clause="ATT-13",
        citation=f"依据 ATT-13：本月第 3 次违纪上报营维中心给予处罚并申请降职；{ladder.citation}",
    )


def escalation_describe(payload: Mapping[str, Any]) -> list[tuple[Any, str]]:
    return [(_("本月第几次"), str(payload.get("ordinal", ""))), (_("处理方式"), str(_("处罚并申请降职")))]


register_kind(
    "punch_correction", _("补卡申请"), correction_route, on_decided=correction_decided, describe=correction_describe
)
register_kind("violation_escalation", _("违纪上报"), escalation_route, describe=escalation_describe)
