"""The renewal rules (REQUIREMENTS §3.4 PTS-12…PTS-17, CB-11, C-07): pure functions over counts and parameter values.

Every figure comes from a policy parameter in force for the center on the last day of the month
(`points.renewal_*`, `points.plan_change`, `renewals.product_tiers`); every result carries the citation of the
values it used. The selectors count the rows, these decide.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _

from servicecenter.core.policy import Decision, implements
from servicecenter.points.policies import month_end

from .choices import Outcome

ONE_DECIMAL = Decimal("0.1")
PLUS_RULE = re.compile(r"^->(?P<tier>.+)\+$")


def as_decimal(raw: Any, default: str = "0") -> Decimal:
    """A parameter value as a Decimal (the default when unset or not a number)."""
    try:
        return Decimal(str(raw)) if raw not in (None, "") else Decimal(default)
    except (InvalidOperation, ValueError):
        return Decimal(default)


def tier_list(raw: Any) -> list[str]:
    """`renewals.product_tiers` as a clean list of tier names, lowest first."""
    return [str(t).strip() for t in (raw or []) if str(t).strip()]


# --- the rate and its points (PTS-12, PTS-13, PTS-14, C-07) -------------------------------------------------------


@dataclass(frozen=True)
class RateParams:
    """The month's renewal figures: baseline, points per whole point above it, points per whole point below it
    (C-07, 0 = none), the target (PTS-14), and the citation naming them."""

    baseline_pct: Decimal
    per_pct: Decimal
    below_per_pct: Decimal
    target_pct: Decimal
    citation: str


@dataclass(frozen=True)
class RateResult:
    """What the rules decided for one specialist-month (or a whole center)."""

    rate: Fraction | None  # exact renewed ÷ due × 100; None when nobody was due
    rate_pct: Decimal | None  # shown with one decimal
    points: Decimal
    target_met: bool | None  # None when nobody was due
    explanation: str
    citation: str


@implements("PTS-12")
def renewal_rate(*, renewed: int, due: int) -> Fraction | None:
    """PTS-12: the month's renewal rate = subscribers renewed (renewed, upgraded or downgraded) ÷ subscribers due,
    as an exact percentage; None when nobody was due (no rate, not 0 %)."""
    if due <= 0:
        return None
    return Fraction(renewed * 100, due)


def rate_display(rate: Fraction | Decimal | None) -> Decimal | None:
    """A rate as shown: a percentage with one decimal (half up)."""
    if rate is None:
        return None
    value = Fraction(rate)
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


@implements("PTS-13", "C-07")
def renewal_points(*, rate: Fraction | Decimal | None, params: RateParams) -> Decimal:
    """PTS-13: per_pct (8) × the whole percentage points above the baseline (58 %), rounded down: 68 % → 80,
    72.6 % → 112. C-07: at or below the baseline 0 — or, when `points.renewal_below_baseline_per_pct` is not 0,
    that value × the whole points below (a negative value is a deduction). No rate → 0."""
    if rate is None:
        return Decimal(0)
    exact = Fraction(rate)
    baseline = Fraction(params.baseline_pct)
    if exact > baseline:
        return params.per_pct * math.floor(exact - baseline)
    if params.below_per_pct and exact < baseline:
        return params.below_per_pct * math.floor(baseline - exact)
    return Decimal(0)


@implements("PTS-14")
def target_met(*, rate: Fraction | Decimal | None, target_pct: Decimal) -> bool | None:
    """PTS-14: the assessment requirement is met when the month's rate is at least the target (70 %); with nobody
    due there is no rate to judge (None)."""
    if rate is None:
        return None
    return Fraction(rate) >= Fraction(target_pct)


def rate_result(*, renewed: int, due: int, params: RateParams) -> RateResult:
    """PTS-12…PTS-14 together, with the explanation shown on the result page and stored with the entry."""
    rate = renewal_rate(renewed=renewed, due=due)
    shown = rate_display(rate)
    if rate is None:
        return RateResult(None, None, Decimal(0), None, _("无到期用户"), params.citation)
    points = renewal_points(rate=rate, params=params)
    explanation = _("续费率 %(rate)s%%（%(renewed)s/%(due)s），基线 %(base)s%%，积分 %(points)s") % {
        "rate": shown,
        "renewed": renewed,
        "due": due,
        "base": params.baseline_pct,
        "points": points,
    }
    met = target_met(rate=rate, target_pct=params.target_pct)
    return RateResult(rate, shown, points, met, explanation, params.citation)


# --- conversions (PTS-15, PTS-16, PTS-17) -----------------------------------------------------------------------


@dataclass(frozen=True)
class ConversionRule:
    """The points one household's tier change earns, the table key that decided (or "" when none did)."""

    points: Decimal
    key: str
    known: bool
    explanation: str
    clause: str


def _clause_for(old_index: int, new_index: int, plus: bool) -> str:
    if plus:
        return "PTS-17"
    return "PTS-16" if new_index > old_index else "PTS-15"


@implements("PTS-15", "PTS-16", "PTS-17")
def conversion_points(*, old: str, new: str, table: Mapping[str, Any], tiers: Sequence[str]) -> ConversionRule:
    """Points for one household changing tier at renewal (`points.plan_change`, per household):

    - an exact pair "A->B" (PTS-15 "6.0->3.0": −1, PTS-16 "3.0->6.0": +1) wins;
    - else "->X+" (PTS-17 "->8.2+": +2) applies to any change to tier X or higher in `renewals.product_tiers`
      (the highest such X that fits);
    - any other change earns 0, and says so (the table does not name it)."""
    tiers = list(tiers)
    old_index = tiers.index(old) if old in tiers else -1
    new_index = tiers.index(new) if new in tiers else -1
    exact = f"{old}->{new}"
    if exact in (table or {}):
        points = as_decimal(table[exact])
        return ConversionRule(
            points,
            exact,
            True,
            _("%(old)s→%(new)s 每户 %(points)s 分") % {"old": old, "new": new, "points": f"{points:+}"},
            _clause_for(old_index, new_index, False),
        )
    best: tuple[int, str] | None = None
    if new_index >= 0 and old != new:
        for key in table or {}:
            match = PLUS_RULE.match(str(key))
            if match is None or match["tier"] not in tiers:
                continue
            threshold = tiers.index(match["tier"])
            if new_index >= threshold and (best is None or threshold > best[0]):
                best = (threshold, str(key))
    if best is not None:
        points = as_decimal(table[best[1]])
        return ConversionRule(
            points,
            best[1],
            True,
            _("转为 %(tier)s 及以上每户 %(points)s 分") % {"tier": tiers[best[0]], "points": f"{points:+}"},
            "PTS-17",
        )
    return ConversionRule(
        Decimal(0),
        "",
        False,
        _("%(old)s→%(new)s 未规定升降档积分，计 0 分") % {"old": old, "new": new},
        _clause_for(old_index, new_index, False),
    )


# --- recording a call (CB-11) ---------------------------------------------------------------------------------


@implements("CB-11")
def check_outcome(*, outcome: str, tier: str, new_tier: str, tiers: Sequence[str]) -> Decision:
    """CB-11: an outcome is one of the five; an upgrade names a tier higher than the current one and a downgrade a
    lower one, in the order of `renewals.product_tiers`; the other outcomes name no new tier."""
    if outcome not in Outcome.values:
        return Decision(False, "CB-11", _("请选择回访结果"))
    if outcome not in (Outcome.UPGRADED, Outcome.DOWNGRADED):
        return Decision(True, "CB-11")
    tiers = list(tiers)
    if not new_tier:
        return Decision(False, "CB-11", _("升档或降档续费请选择新产品档次"))
    if new_tier not in tiers:
        return Decision(False, "CB-11", _("产品档次「%(tier)s」不在产品档次表中") % {"tier": new_tier})
    if tier not in tiers:
        return Decision(False, "CB-11", _("当前产品「%(tier)s」不在产品档次表中，无法判断升降档") % {"tier": tier})
    if outcome == Outcome.UPGRADED and tiers.index(new_tier) <= tiers.index(tier):
        return Decision(False, "CB-11", _("升档续费的新产品须高于当前产品 %(tier)s") % {"tier": tier})
    if outcome == Outcome.DOWNGRADED and tiers.index(new_tier) >= tiers.index(tier):
        return Decision(False, "CB-11", _("降档续费的新产品须低于当前产品 %(tier)s") % {"tier": tier})
    return Decision(True, "CB-11")


@implements("CB-11")
def can_record(*, today: date, month: date) -> Decision:
    """Outcomes are recorded, and corrected, until the month's end: the month-end settlement (PTS-18) counts what
    stands then."""
    if today > month_end(month):
        return Decision(
            False, "PTS-18", _("%(month)s 已结束并进入月末结算，不能再登记或更正") % {"month": f"{month:%Y-%m}"}
        )
    return Decision(True, "CB-11")
