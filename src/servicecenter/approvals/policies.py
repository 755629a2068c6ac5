"""The rules of the approvals engine, as pure functions citing their requirement (STYLE.md §2.6).

Nothing here reads or writes the database: services load the rows (role holders, delegations, parameter values)
and ask these functions what to do with them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Final

from django.utils.translation import gettext as _

from servicecenter.core.policy import implements

from .choices import ApprovalRequestStatus, ApprovalStepStatus, RouteFlag

NO_RULE_MESSAGE: Final = "无匹配规则，已送最高审批人，请配置审批档"
NO_APPROVER_MESSAGE: Final = "未找到审批人，已转系统管理员处理，请配置该角色"


@dataclass(frozen=True)
class Route:
    """Who must approve, in order (role codes, C-11), who only gets a filing copy (ORG-06), and why.

    `clause` holds the requirement IDs that chose the route (stored with every audit event of the request),
    `citation` the human-readable citation of the parameter in force (PolicyValue.citation), `flag` a fallback
    code (RouteFlag) with its `message`, `form` the form a band requires (e.g. "written" for D19 ≥ 2 days).
    """

    steps: tuple[str, ...]
    notify: tuple[str, ...] = ()
    clause: str = ""
    citation: str = ""
    flag: str = ""
    message: str = ""
    form: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "steps", tuple(self.steps))
        object.__setattr__(self, "notify", tuple(self.notify))
        if not self.steps:
            raise ValueError("a route needs at least one approver role")


@implements("C-03")
def route_from_bands(*, quantity: Decimal, bands: Sequence[Mapping[str, Any]]) -> Route:
    """C-03: the approvers of the first band (ascending) whose `max_days` ≥ `quantity`; `max_days` None = no limit.

    `bands` has the shape of the parameter type `approval_bands` (policy/types.py): ordered dicts
    `{max_days, approvers, notify, form}`. A quantity that matches no band (D01: 4–6 days of leave) goes to the
    highest band's approvers, flagged `no_rule` with «无匹配规则，已送最高审批人，请配置审批档» — never refused,
    never lost. The quantity is whatever the kind measures (days of leave in half days, yuan, …).
    """
    if not bands:
        raise ValueError("no approval bands configured")
    quantity = Decimal(str(quantity))
    if quantity < 0:
        raise ValueError("quantity must not be negative")
    for band in bands:
        limit = band.get("max_days")
        if limit is None or quantity <= Decimal(str(limit)):
            return Route(
                steps=tuple(band["approvers"]),
                notify=tuple(band.get("notify") or ()),
                clause="C-03",
                form=str(band.get("form") or ""),
            )
    highest = bands[-1]
    return Route(
        steps=tuple(highest["approvers"]),
        notify=tuple(highest.get("notify") or ()),
        clause="C-03",
        flag=RouteFlag.NO_RULE,
        message=NO_RULE_MESSAGE,
        form=str(highest.get("form") or ""),
    )


DEFAULT_GENERAL_ROLES: Mapping[str, Sequence[str]] = {
    "within_limit": ("center_manager",),
    "above_limit": ("center_manager", "ops_center_gm"),
}


@implements("ORG-05")
def general_request_route(
    *, amount: Decimal | None, manager_limit: Decimal, roles: Mapping[str, Sequence[str]] = DEFAULT_GENERAL_ROLES
) -> Route:
    """ORG-05: a 事项请示 up to the limit (`approvals.general_manager_limit_cny`) is approved by the center's head
    (`approvals.general_route_roles["within_limit"]`: the center manager at a service station, the leader in charge
    at a government hall); above it the head approves first and the superior decides (`"above_limit"`: the
    ops-center GM, or the principal leader). No amount = within the limit."""
    key = "above_limit" if amount is not None and Decimal(str(amount)) > Decimal(str(manager_limit)) else "within_limit"
    return Route(steps=tuple(roles[key]), clause="ORG-05")


@dataclass(frozen=True)
class ApproverChoice:
    """The outcome of resolving one route step: a person (`user_id`) acting as `role_code`, a `skip` (the requester
    holds the role and a later step is already the escalation), or nobody (`flag` = no_approver)."""

    role_code: str
    user_id: int | None = None
    skip: bool = False
    flag: str = ""
    note: str = ""


@implements("ORG-05", "C-11")
def choose_approver(
    *,
    role_code: str,
    holders: Mapping[str, Sequence[Sequence[int]]],
    requester_id: int,
    escalation: Mapping[str, str],
    later_roles: Collection[str] = (),
    role_names: Mapping[str, str] | None = None,
) -> ApproverChoice:
    """Who approves a step that asks for `role_code` (C-11: routes name roles, never titles or people).

    `holders[role]` lists the active holders of each role by organization level, nearest to the requester first
    (one list of user ids per level, in assignment order). The first holder at the nearest level approves.
    A requester never approves their own request (ORG-05): they are passed over, the next holder up the tree
    approves; when the requester is the only holder, the step escalates to `escalation[role]` (e.g. center
    manager → ops-center GM), or is skipped when that role is already a later step of the route. When nobody
    holds the role at all the choice is empty with flag `no_approver`; the service then assigns the nearest
    system administrator (the request is never silently lost).
    """
    names = role_names or {}
    seen: set[str] = set()
    role = role_code
    note = ""
    while role not in seen:
        seen.add(role)
        levels = holders.get(role, ())
        for level in levels:
            others = [user_id for user_id in level if user_id != requester_id]
            if others:
                return ApproverChoice(role_code=role, user_id=others[0], note=note)
        requester_holds = any(requester_id in level for level in levels)
        successor = escalation.get(role)
        if not requester_holds or not successor:
            break
        if successor in later_roles:
            return ApproverChoice(
                role_code=role,
                skip=True,
                note=_("申请人本人担任「%(role)s」，本步跳过，由后续「%(next)s」审批")
                % {"role": names.get(role, role), "next": names.get(successor, successor)},
            )
        note = _("申请人本人担任「%(role)s」，上报「%(next)s」审批") % {
            "role": names.get(role, role),
            "next": names.get(successor, successor),
        }
        role = successor
    return ApproverChoice(
        role_code=role_code,
        flag=RouteFlag.NO_APPROVER,
        note=_("未找到「%(role)s」，已转系统管理员") % {"role": names.get(role_code, role_code)},
    )


@implements("ORG-13")
def active_delegation(*, delegations: Sequence[Any], at: datetime, requester_id: int | None = None) -> Any | None:
    """ORG-13: the delegation in force at `at` among a principal's `delegations` (the newest one starting last),
    or None. A delegation to the requester is ignored: nobody approves their own request, even as a delegate."""
    current = [
        d
        for d in delegations
        if d.is_active and d.starts_at <= at < d.ends_at and (requester_id is None or d.delegate_id != requester_id)
    ]
    if not current:
        return None
    return max(current, key=lambda d: (d.starts_at, d.pk))


S = ApprovalRequestStatus
REQUEST_TRANSITIONS: Final[Mapping[str, frozenset[str]]] = {
    S.PENDING: frozenset({S.APPROVED, S.REJECTED, S.RETURNED, S.WITHDRAWN}),  # step_decide / request_withdraw
    S.RETURNED: frozenset({S.PENDING, S.WITHDRAWN}),  # request_resubmit / request_withdraw
    S.APPROVED: frozenset(),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
}
DECISION_STEP_STATUS: Final[Mapping[str, str]] = {
    "approve": ApprovalStepStatus.APPROVED,
    "reject": ApprovalStepStatus.REJECTED,
    "return": ApprovalStepStatus.RETURNED,
}


def can_transition(*, from_status: str, to_status: str) -> bool:
    """Is the request status change allowed by REQUEST_TRANSITIONS?"""
    return to_status in REQUEST_TRANSITIONS.get(from_status, frozenset())


@dataclass(frozen=True)
class Authority:
    """Whether a user may decide a step, and on whose behalf (None = in their own right)."""

    allowed: bool
    on_behalf_of_id: int | None = None
    reason: str = ""
    clause: str = ""


@implements("ORG-13")
def decide_authority(
    *,
    actor_id: int,
    requester_id: int,
    assignee_id: int,
    acting_for_id: int | None,
    delegators_of_actor: Collection[int] = (),
) -> Authority:
    """Who may decide a pending step: its assignee; the principal it was delegated away from (back early); or a
    person the assignee has delegated to right now (ORG-13). Never the requester. The delegate acts «代» the
    person they stand in for, which is shown on the decision."""
    if actor_id == requester_id:
        return Authority(False, reason=_("不能审批自己提交的申请"), clause="ORG-05")
    if actor_id == assignee_id:
        return Authority(True, on_behalf_of_id=acting_for_id, clause="ORG-13" if acting_for_id else "")
    if acting_for_id is not None and actor_id == acting_for_id:
        return Authority(True)
    if assignee_id in delegators_of_actor:
        return Authority(True, on_behalf_of_id=assignee_id, clause="ORG-13")
    return Authority(False, reason=_("您不是该步骤的审批人"), clause="ORG-13")


def comment_required(decision: str) -> bool:
    """Rejecting or returning must say why: the requester has to know what to change."""
    return decision in ("reject", "return")


@implements("ORG-06")
def notice_recipients(*, event: str, requester_id: int, notice_user_ids: Sequence[int]) -> list[int]:
    """ORG-06: who is told what. Notify-only parties get a filing copy when the request is submitted and when it is
    finally decided; the requester learns of every final decision and of a return. Approvers are told separately
    when a step becomes theirs."""
    if event == "submitted":
        recipients = list(notice_user_ids)
    elif event == "decided":
        recipients = [requester_id, *notice_user_ids]
    elif event == "returned":
        recipients = [requester_id]
    else:
        raise ValueError(f"unknown approval event {event!r}")
    return list(dict.fromkeys(recipients))


def reminder_due(*, activated_at: datetime, last_reminded_at: datetime | None, hours: int, now: datetime) -> bool:
    """A pending step is due a reminder once `hours` (approvals.reminder_hours) have passed since it became
    pending, then again every `hours` since the last reminder. At most one reminder per interval."""
    since = last_reminded_at or activated_at
    return now - since >= timedelta(hours=max(int(hours), 1))
