"""The registry of approval kinds: what can be approved, how its route is built, what happens when it is decided.

A later app (leave, fleet, …) registers its kind once, at import time of a module loaded by its AppConfig.ready():

    from servicecenter.approvals.kinds import Route, RouteContext, register_kind
    from servicecenter.approvals.policies import route_from_bands
    from servicecenter.policy.values import value

    def leave_route(ctx: RouteContext) -> Route:
        bands = value("leave.approval_bands", org=ctx.organization, at=ctx.at)
        route = route_from_bands(quantity=Decimal(ctx.payload["days"]), bands=bands.value)
        return dataclasses.replace(route, clause="LEV-01、C-03", citation=bands.citation)

    def leave_decided(request: ApprovalRequest) -> None:   # inside the deciding transaction
        leave_request_apply_decision(request_id=request.subject_id, status=request.status)

    register_kind("leave", _("请假"), leave_route, on_decided=leave_decided)

and submits with `approvals.services.request_submit(kind="leave", subject=leave_request, payload={...})`.

`on_decided(request)` is called inside the transaction of the decision, after the request row is saved with its
final status (approved, rejected or withdrawn): it may write its own records (through its own services) and
raise a DomainError to refuse the decision — everything then rolls back together. It must not do I/O; use
`transaction.on_commit` for that.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from servicecenter.core.errors import ValidationFailed

from .policies import Route, general_request_route

if TYPE_CHECKING:
    from .models import ApprovalRequest

__all__ = ["KINDS", "ApprovalKind", "Route", "RouteContext", "get_kind", "register_kind"]


@dataclass(frozen=True)
class RouteContext:
    """What a route builder may look at: the organization of the request, the requester, the kind's payload, the
    record being approved (if any) and the instant of submission (for dated parameter values)."""

    organization: Any
    requested_by: Any
    payload: Mapping[str, Any]
    subject: Any
    at: datetime


@dataclass(frozen=True)
class ApprovalKind:
    """One registered kind: `route_builder(ctx) -> Route`, optional `on_decided(request)` hook and `describe(payload)`
    returning `[(label, value), …]` for the detail page."""

    code: str
    label: Any
    route_builder: Callable[[RouteContext], Route]
    on_decided: Callable[[ApprovalRequest], None] | None = None
    describe: Callable[[Mapping[str, Any]], list[tuple[Any, str]]] | None = field(default=None)


KINDS: dict[str, ApprovalKind] = {}


def register_kind(
    code: str,
    label: Any,
    route_builder: Callable[[RouteContext], Route],
    on_decided: Callable[[ApprovalRequest], None] | None = None,
    describe: Callable[[Mapping[str, Any]], list[tuple[Any, str]]] | None = None,
) -> ApprovalKind:
    """Register an approval kind under `code`. Registering the same code with another builder is a bug."""
    existing = KINDS.get(code)
    if existing is not None and existing.route_builder is not route_builder:
        raise ValueError(f"approval kind {code!r} registered twice")
    kind = ApprovalKind(code=code, label=label, route_builder=route_builder, on_decided=on_decided, describe=describe)
    KINDS[code] = kind
    return kind


def get_kind(code: str) -> ApprovalKind:
    """The registered kind `code`; an unknown code is a validation error (it comes from input)."""
    try:
        return KINDS[code]
    except KeyError:
        raise ValidationFailed(f"未知的审批类型：{code}", fields={"kind": ["未知的审批类型"]}) from None


def kind_label(code: str) -> str:
    kind = KINDS.get(code)
    return str(kind.label) if kind else code


# --- the "general" kind: 事项请示 -------------------------------------------------------------------------------

GENERAL = "general"


def parse_amount(raw: Any) -> Decimal | None:
    """The optional amount (yuan) of a 事项请示 payload: None when absent, a non-negative Decimal otherwise."""
    if raw in (None, ""):
        return None
    try:
        amount = Decimal(str(raw))
    except InvalidOperation:
        raise ValidationFailed(gettext("金额应为数字"), fields={"amount": [gettext("金额应为数字")]}) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationFailed(gettext("金额不能为负数"), fields={"amount": [gettext("金额不能为负数")]})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationFailed(gettext("金额最多两位小数"), fields={"amount": [gettext("金额最多两位小数")]})
    return amount


def general_route(ctx: RouteContext) -> Route:
    """事项请示: the center's head up to `approvals.general_manager_limit_cny`, then also the superior (ORG-05); the
    roles come from `approvals.general_route_roles` (the gov-hall preset names the hall's leaders, LEV-10/LEV-11)."""
    from servicecenter.policy.values import value

    limit = value("approvals.general_manager_limit_cny", org=ctx.organization, at=ctx.at)
    roles = value("approvals.general_route_roles", org=ctx.organization, at=ctx.at)
    route = general_request_route(
        amount=parse_amount(ctx.payload.get("amount")), manager_limit=Decimal(limit.value), roles=roles.value
    )
    return replace(route, citation=f"{limit.citation}；{roles.citation}")


def general_describe(payload: Mapping[str, Any]) -> list[tuple[Any, str]]:
    amount = payload.get("amount")
    return [(_("金额"), f"¥{Decimal(str(amount)):,.2f}")] if amount not in (None, "") else []


register_kind(GENERAL, _("事项请示"), general_route, describe=general_describe)
