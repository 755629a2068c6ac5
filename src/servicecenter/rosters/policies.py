"""Roster rules, each with its requirement ID (the solver's coverage/quota checks live in solver.py)."""

from __future__ import annotations

from dataclasses import replace
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.utils.translation import gettext as _

from servicecenter.approvals.kinds import Route, RouteContext
from servicecenter.core.policy import Decision, implements
from servicecenter.policy.values import PolicyValue

SWAP_KIND = "shift_swap"

# Who approves a shift swap (ATT-20: «任何员工不得自行换班» — the supervisor / manager decides), by center type.
SWAP_APPROVER_BY_CENTER_TYPE = {
    "call_center": "supervisor",
    "gov_hall": "principal_leader",
}
DEFAULT_SWAP_APPROVER = "center_manager"


@implements("ATT-08", "LEV-04")
def rest_quota(*, quota: int, personal_days: Decimal) -> tuple[int, str]:
    """ATT-08 / LEV-04: rest days of a person in a month = `attendance.monthly_rest_days` − approved personal-leave
    days (whole days; a half day left over is not a rest day: rounded down). Returns (days, note for the reason)."""
    personal = Decimal(personal_days or 0)
    if personal <= 0:
        return quota, f" {quota} 天"
    left = max(Decimal(0), Decimal(quota) - personal)
    days = int(left.quantize(Decimal(1), rounding=ROUND_FLOOR))
    return days, f" {quota} 天 − 事假 {personal.normalize()} 天 = {days} 天（LEV-04）"


@implements("ATT-02")
def min_staff_on_duty(pv: PolicyValue) -> tuple[int, str]:
    """ATT-02: the minimum number of people on duty in every business minute (at least 1: never unattended)."""
    try:
        value = int(pv.value)
    except (TypeError, ValueError):
        value = 1
    return max(1, value), pv.citation


@implements("ATT-20")
def may_request_swap(*, requester: Any, counterpart: Any, pairs: list[tuple[str, str]]) -> Decision:
    """ATT-20: a swap is asked of a colleague of the same center and must change something (on at least one of the
    days the two people's cells differ, `pairs` = [(requester's code, counterpart's code) per day]); it never
    changes the roster by itself (consent, then approval)."""
    if counterpart is None or requester is None:
        return Decision(False, "ATT-20", _("请选择对调的同事"))
    if requester.pk == counterpart.pk:
        return Decision(False, "ATT-20", _("不能与自己调班"))
    if all(a == b for a, b in pairs):
        return Decision(False, "ATT-20", _("两人当天的班次相同，无需调班"))
    return Decision(True, "ATT-20", _("依据 ATT-20：调班须双方申请、经主管审批后生效"))


@implements("ATT-20")
def swap_route(ctx: RouteContext) -> Route:
    """ATT-20: a consented swap goes to the center's supervisor (call center), principal leader (gov hall) or
    center manager."""
    center_type = getattr(ctx.organization, "center_type", "") or ""
    role = SWAP_APPROVER_BY_CENTER_TYPE.get(center_type, DEFAULT_SWAP_APPROVER)
    route = Route(steps=(role,), clause="ATT-20")
    return replace(route, citation="依据 ATT-20：任何员工不得自行换班，调班须经主管批准")


@implements("ATT-07", "C-17")
def workday_hours_flag(*, minutes: int, workday_hours: Any, check: bool) -> str:
    """ATT-07 / C-17: a template longer or shorter than `attendance.workday_hours` is flagged where configured."""
    if not check or not workday_hours:
        return ""
    expected = int(workday_hours) * 60
    if minutes == expected:
        return ""
    return f"时长 {minutes / 60:g} 小时，不等于每日工作 {int(workday_hours)} 小时（ATT-07）"
