"""The approval kind "leave" (registered on import by LeaveConfig.ready): its route, its decision hook, its summary.

Route: `leave.approval_bands` through `route_from_bands` (LEV-01/02, LEV-10/11, C-03: no band → the highest
approver flagged «无匹配规则»); a special-case sick leave goes one band higher (LEV-05). The bands' notify list
gets the filing copy (渠道部 for D01 > 1 day, LEV-02). Decision: `services.leave_apply_decision` (LEV-06).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _

from servicecenter.approvals.kinds import Route, RouteContext, register_kind
from servicecenter.core.errors import ValidationFailed
from servicecenter.policy.values import resolve_many

from . import policies
from .choices import LeaveKind


def leave_approval_route(ctx: RouteContext) -> Route:
    try:
        days = Decimal(str(ctx.payload.get("days")))
    except (InvalidOperation, ValueError):
        raise ValidationFailed("请假天数无效", fields={"days": ["请假天数无效"]}) from None
    values = resolve_many(["leave.approval_bands", "leave.sick_max_days"], org=ctx.organization, at=ctx.at)
    bands = values["leave.approval_bands"]
    route = policies.leave_route(days=days, bands=bands.value, citation=bands.citation)
    if ctx.payload.get("leave_kind") == LeaveKind.SICK and ctx.payload.get("special_case"):
        sick = values["leave.sick_max_days"]
        route = policies.sick_special_route(route=route, bands=bands.value, max_days=int(sick.value or 0))
        route = replace(route, citation=f"{route.citation}；{sick.citation}")
    return route


def leave_approval_decided(request: Any) -> None:
    from .services import leave_apply_decision

    leave_apply_decision(request)


def leave_describe(payload: Mapping[str, Any]) -> list[tuple[Any, str]]:
    labels = dict(LeaveKind.choices)
    rows: list[tuple[Any, str]] = []
    if payload.get("leave_kind"):
        rows.append((_("请假类型"), str(labels.get(payload["leave_kind"], payload["leave_kind"]))))
    if payload.get("span"):
        rows.append((_("请假时间"), str(payload["span"])))
    if payload.get("days") not in (None, ""):
        rows.append((_("天数"), f"{policies.format_days(Decimal(str(payload['days'])))} 天"))
    if payload.get("special_case"):
        rows.append((_("特殊情况"), str(_("是（LEV-05，送上一级审批）"))))
    return rows


register_kind("leave", _("请假"), leave_approval_route, on_decided=leave_approval_decided, describe=leave_describe)
