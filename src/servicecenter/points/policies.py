"""The points rules: which event earns or costs how many points, under which clause (DESIGN.md §2.6).

Every number comes from a policy parameter in force for the center on the day of the event; every rule returns a
`Rule` with the clause and a citation naming the values, which the entry stores. Pure functions: the services
gather the events and the parameter values, these decide.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from servicecenter.core.months import month_end, month_of, next_month, previous_month  # noqa: F401 - re-exported
from servicecenter.core.policy import implements

from .choices import Category

TWO = Decimal("0.01")


@dataclass(frozen=True)
class Rule:
    """What a rule decided: the points (signed), the column, the rule code, the clause and the citation."""

    points: Decimal
    category: str
    rule: str
    clause: str
    citation: str


def as_points(raw: Any) -> Decimal | None:
    """A parameter value as points with two decimals; None when unset or not a number."""
    if raw is None or raw == "":
        return None
    try:
        return Decimal(str(raw)).quantize(TWO)
    except (InvalidOperation, ValueError):
        return None


def _signed_category(points: Decimal) -> str:
    return Category.REWARD if points > 0 else Category.PENALTY


@implements("PTS-04")
def work_order_rule(*, kind: str, kind_label: str, table: Mapping[str, Any], citation: str) -> Rule | None:
    """A returned work order earns its assignee the points of its kind (`points.work_order`); kinds without a
    value, or worth 0, earn nothing. The entry is a draft until the order clerk verifies the day (PTS-04)."""
    points = as_points((table or {}).get(kind))
    if not points:
        return None
    return Rule(
        points,
        Category.WORK,
        "workorder.returned",
        "PTS-04",
        f"依据 PTS-04：{kind_label}工单完工回单 {points} 分；{citation}",
    )


@implements("PTS-22")
def callback_rule(*, attitude: str, attitude_label: str, table: Mapping[str, Any], citation: str) -> Rule | None:
    """A completed callback's attitude answer is rated on the technician (PTS-22: customer ratings feed the monthly
    appraisal): `points.callback` gives the points per answer; 0 or unset means no entry."""
    points = as_points((table or {}).get(attitude))
    if not points:
        return None
    return Rule(
        points,
        _signed_category(points),
        f"callback.{attitude}",
        "PTS-22",
        f"依据 PTS-22：回访评价“{attitude_label}” {points:+} 分；{citation}",
    )


@dataclass(frozen=True)
class Deductions:
    """The center's deduction values (PTS-19) with their citations; None = not set (G-04: no deduction)."""

    late: Decimal | None
    early_leave: Decimal | None
    absenteeism: Decimal | None
    citation: str

    @property
    def complete(self) -> bool:
        return None not in (self.late, self.early_leave, self.absenteeism)


@implements("G-04")
def deductions_in_force(values: Mapping[str, Any]) -> Deductions:
    """G-04: a center's deductions are on only once `points.deduction.late`, `.early_leave` and `.absenteeism` all
    have values; until then no attendance or violation entry is written and the pages say so."""
    late = as_points(values["points.deduction.late"].value)
    early = as_points(values["points.deduction.early_leave"].value)
    absent = as_points(values["points.deduction.absenteeism"].value)
    citation = "；".join(values[k].citation for k in sorted(values) if k.startswith("points.deduction."))
    deductions = Deductions(late, early, absent, citation)
    if not deductions.complete:
        return Deductions(None, None, None, citation)
    return deductions


def _deduct(amount: Decimal | None, times: Decimal, rule: str, clause: str, text: str, citation: str) -> Rule | None:
    if amount is None or amount == 0 or times <= 0:
        return None
    points = -(abs(amount) * times).quantize(TWO)
    return Rule(points, Category.PENALTY, rule, clause, f"依据 {clause}：{text} {points} 分；{citation}")


@implements("PTS-19")
def attendance_rule(*, status: str, absent_days: Decimal, deductions: Deductions) -> Rule | None:
    """A day's attendance result costs points (PTS-19): late → `late`, early leave → `early_leave`, absent →
    `absenteeism` × the days absent (half days count half)."""
    if status == "late":
        return _deduct(deductions.late, Decimal(1), "attendance.late", "PTS-19", "迟到一次", deductions.citation)
    if status == "early_leave":
        return _deduct(
            deductions.early_leave, Decimal(1), "attendance.early_leave", "PTS-19", "早退一次", deductions.citation
        )
    if status == "absent":
        days = absent_days or Decimal(1)
        return _deduct(
            deductions.absenteeism, days, "attendance.absent", "PTS-19", f"旷工 {days} 天", deductions.citation
        )
    return None


@implements("ATT-11", "ATT-12")
def violation_rule(*, units: Decimal, ordinal: int, type_label: str, deductions: Deductions) -> Rule | None:
    """A non-work violation costs `units` absenteeism deductions: the ladder (ATT-11 1×, ATT-12 2×, C-06) already
    set the units when the violation was recorded; the 3rd is an escalation (ATT-13) and carries no units."""
    clause = "ATT-12" if ordinal >= 2 else "ATT-11"
    return _deduct(
        deductions.absenteeism,
        units,
        "violation.absenteeism",
        clause,
        f"本月第 {ordinal} 次违纪（{type_label}），按旷工 {units} 次扣分",
        deductions.citation,
    )


@implements("ATT-15", "ATT-16")
def event_rule(*, status: str, units: Decimal, title: str, deductions: Deductions) -> Rule | None:
    """Company events: late or early leave → a `late` deduction (ATT-15); no-show without approved leave → an
    `absenteeism` deduction (ATT-16)."""
    if status == "late":
        return _deduct(
            deductions.late, Decimal(1), "event.late", "ATT-15", f"活动“{title}”迟到/早退", deductions.citation
        )
    if status == "absent":
        return _deduct(
            deductions.absenteeism,
            units or Decimal(1),
            "event.absent",
            "ATT-16",
            f"活动“{title}”未经批准缺席，按旷工扣分",
            deductions.citation,
        )
    return None


@implements("PTS-10")
def asset_item_rule(*, points: Any, citation: str) -> Rule | None:
    """The finance clerk's asset-management item: a fixed number of points each month (PTS-10)."""
    value = as_points(points)
    if not value:
        return None
    return Rule(
        value,
        Category.FIXED,
        "fixed.asset_management",
        "PTS-10",
        f"依据 PTS-10：资产管理积分 {value} 分/月；{citation}",
    )


@implements("PTS-28")
def instant_reward_rule(*, points: Decimal, reason: str, approver: str) -> Rule:
    """An approved instant reward is an auxiliary reward entry counted in the day's and the month's posting."""
    value = Decimal(points).quantize(TWO)
    return Rule(value, Category.REWARD, "reward.instant", "PTS-28", f"依据 PTS-28：及时奖励“{reason}”，{approver}批准")


# --- the month -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecheckState:
    """Where the previous month's recheck stands on `today` (PTS-09, C-08)."""

    month: date
    deadline: date
    state: str  # "remind" (1st … deadline) or "overdue" (after the deadline)
    clause: str = "PTS-09"


@implements("PTS-09", "C-08")
def recheck_state(*, today: date, deadline_day: Any) -> RecheckState:
    """From the 1st the finance clerk is reminded to recheck and lock the previous month; after the
    `points.month_recheck_deadline_day` (5th) it is overdue and the manager is alerted too."""
    try:
        last = max(1, min(int(deadline_day), 28))
    except (TypeError, ValueError):
        last = 5
    deadline = today.replace(day=last)
    return RecheckState(previous_month(today), deadline, "remind" if today <= deadline else "overdue")


def can_lock(*, today: date, month: date) -> bool:
    """A month can be rechecked and locked once it is over."""
    return today > month_end(month)
