"""Approval kinds of the points app (approvals/kinds.py docstring):

- "points_reversal" (锁定后冲正, PTS-09): a correction in a locked month goes to the center manager;
- "instant_reward" (及时奖励, PTS-28): an instant reward goes to the center manager.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from servicecenter.approvals.kinds import Route, RouteContext, register_kind

if TYPE_CHECKING:
    from servicecenter.approvals.models import ApprovalRequest


def reversal_route(ctx: RouteContext) -> Route:
    return Route(
        steps=("center_manager",),
        clause="PTS-09",
        citation="依据 PTS-09：锁定后的更正只能以冲正记录进行，须经服务中心经理批准",
    )


def reversal_decided(request: ApprovalRequest) -> None:
    from .services import reversal_apply_decision

    reversal_apply_decision(approval=request)


def reversal_describe(payload: Mapping[str, Any]) -> list[tuple[Any, str]]:
    return [
        (_("原记录"), f"#{payload.get('entry', '')}"),
        (_("积分日期"), str(payload.get("day", ""))),
        (_("冲正积分"), str(payload.get("points", ""))),
        (_("冲正原因"), str(payload.get("reason", ""))),
    ]


def reward_route(ctx: RouteContext) -> Route:
    return Route(steps=("center_manager",), clause="PTS-28", citation="依据 PTS-28：及时奖励须经服务中心经理批准")


def reward_decided(request: ApprovalRequest) -> None:
    from .services import instant_reward_apply_decision

    instant_reward_apply_decision(approval=request)


def reward_describe(payload: Mapping[str, Any]) -> list[tuple[Any, str]]:
    return [
        (_("员工"), str(payload.get("staff", ""))),
        (_("奖励积分"), str(payload.get("points", "") or "—")),
        (_("奖励金额（元）"), str(payload.get("amount_cny", "") or "—")),
    ]


register_kind(
    "points_reversal", _("锁定后积分冲正"), reversal_route, on_decided=reversal_decided, describe=reversal_describe
)
register_kind("instant_reward", _("及时奖励"), reward_route, on_decided=reward_decided, describe=reward_describe)
