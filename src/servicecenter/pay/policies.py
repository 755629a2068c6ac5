"""The pay rules (pure): named inputs, the default formula of each role, and how a payroll line is computed and
rounded. The services gather the inputs; these decide.

Rounding (FIN-19, stated in docs/pay.md): every component is rounded ROUND_HALF_UP to 0.01 yuan, and
net = Σ rounded components + rewards − deductions (each already in fen) — the line adds up exactly as printed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from servicecenter.core.policy import implements

from . import formula as fx

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# Every name a formula may use, with what it means (docs/pay.md repeats this table).
INPUTS: dict[str, str] = {
    "base_salary": "基本工资（元，财务内勤每月录入；未录入时沿用最近一次录入的金额）",
    "orders": "接单量：本月由本人登记（created_by）且未取消的工单数",
    "invoices": "开票数（财务内勤每月录入）",
    "finance_liaison": "财务对接金额（元，财务内勤每月录入）",
    "points": "本人本月积分合计 = 工作积分 + 辅助奖惩 + 固定项目（已核对）",
    "avg_points": "本中心平均积分 = 本月有已核对积分记录的员工的积分合计之和 ÷ 这些员工人数（保留两位小数）",
    "asset_points": "固定项目积分（资产管理，PTS-10）",
    "assessment_coefficient": "本月综合业绩考评系数（系数表中本中心的“考核系数”）",
    "amount_per_avg_point": "每平均积分金额（参数 pay.amount_per_avg_point）",
    "amount_per_point": "每积分金额（参数 pay.amount_per_point）",
    "rate_per_order": "每单金额（参数 pay.rate_per_order）",
    "rate_per_invoice": "每张发票金额（参数 pay.rate_per_invoice）",
}
PARAMETER_INPUTS: dict[str, str] = {
    "amount_per_avg_point": "pay.amount_per_avg_point",
    "amount_per_point": "pay.amount_per_point",
    "rate_per_order": "pay.rate_per_order",
    "rate_per_invoice": "pay.rate_per_invoice",
}
MANAGER_FORMULA_KEY = "points.manager_pay_formula"

ROLE_PRIORITY = ("center_manager", "finance_clerk", "order_clerk")
OTHER = "other"


@dataclass(frozen=True)
class ComponentSpec:
    name: str
    formula: str
    clause: str
    order: int = 10
    source: str = "default"  # "default" | "configured" (a PayComponent row id)
    component_id: int | None = None


def role_of(codes: Sequence[str]) -> str:
    """The pay role of a staff member holding `codes` in the center: manager, finance clerk, order clerk, else
    everyone else ("other")."""
    for code in ROLE_PRIORITY:
        if code in codes:
            return code
    return OTHER


@implements("PTS-01", "PTS-07", "PTS-11", "C-18")
def default_components(role: str, *, manager_formula: str) -> list[ComponentSpec]:
    """The pay of a role when no PayComponent is configured for it (C-18), each citing its clause:
    center manager = the parameter `points.manager_pay_formula` (PTS-01); order clerk by orders and invoices
    (PTS-07); finance clerk by orders, invoices, finance liaison and asset management (PTS-11); everyone else
    base salary + points × amount per point."""
    if role == "center_manager":
        return [ComponentSpec("经理工资", manager_formula, "PTS-01")]
    if role == "order_clerk":
        return [
            ComponentSpec("内勤工资", "base_salary + orders * rate_per_order + invoices * rate_per_invoice", "PTS-07")
        ]
    if role == "finance_clerk":
        return [
            ComponentSpec(
                "税控内勤工资",
                "base_salary + orders * rate_per_order + invoices * rate_per_invoice + finance_liaison"
                " + asset_points * amount_per_point",
                "PTS-11",
            )
        ]
    return [ComponentSpec("积分工资", "base_salary + points * amount_per_point", "C-18")]


def money(value: Decimal) -> Decimal:
    """Round to 0.01 yuan, half up (FIN-19)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def average_points(totals: Sequence[Decimal]) -> Decimal | None:
    """PTS-01's average: the mean of the month totals of the staff with entries, to 0.01 (None: nobody)."""
    if not totals:
        return None
    return money(sum(totals, ZERO) / len(totals))


@dataclass
class LineResult:
    components: list[dict[str, Any]] = field(default_factory=list)
    gross: Decimal | None = None
    rewards: Decimal = ZERO
    deductions: Decimal = ZERO
    net: Decimal | None = None
    error: str = ""


@implements("FIN-19", "C-05")
def compute_line(
    *,
    components: Sequence[ComponentSpec],
    values: Mapping[str, Decimal | fx.Missing | None],
    rewards: Decimal,
    deductions: Decimal,
) -> LineResult:
    """One payroll line (FIN-19): each component evaluated and rounded to 0.01 yuan, gross = Σ components,
    net = gross + rewards (PTS-28, yuan) − deductions (C-05: yuan fines, never points). A component error makes
    the line an error line (net None), never an exception."""
    result = LineResult(rewards=money(rewards), deductions=money(deductions))
    gross = ZERO
    errors: list[str] = []
    for spec in components:
        evaluated = fx.evaluate(spec.formula, values)
        value = money(evaluated.value) if evaluated.value is not None else None
        result.components.append(
            {
                "name": spec.name,
                "formula": spec.formula,
                "clause": spec.clause,
                "source": spec.source,
                "value": str(value) if value is not None else None,
                "error": evaluated.error,
            }
        )
        if value is None:
            errors.append(f"{spec.name}：{evaluated.error}")
        else:
            gross += value
    if errors:
        result.error = "；".join(errors)[:300]
        return result
    result.gross = gross
    result.net = gross + result.rewards - result.deductions
    return result
