"""The monthly appraisal's rules (PTS-22, issue 6 item 7): each component normalised to 0–100 and the weighted
composite. Pure functions: the selectors gather the month's figures and the parameter values, these decide.

Normalisation (docs/appraisal.md repeats it):

- **points** (积分): the person's board total ÷ the best total of the center's month × 100 (0 when the person's
  total is ≤ 0; no score when nobody in the center has a positive total).
- **sla** (工单时效): the share of the person's orders returned in the month that were resolved on time (no
  `resolve_breached_at`); no score without returned orders.
- **satisfaction** (客户满意度, PTS-22): satisfied answers ÷ answers — callbacks whose attitude is «满意» plus
  public ratings of «满意»/«非常满意» (level ≥ 4), over callbacks with an attitude answer plus ratings; when there
  are neither but callback scores exist, the mean normalised score (`score_pct`, C-10); else no score.
- **attendance** (考勤): 100 − per_late_or_early × (late + early-leave days) − per_absent_day × absent days,
  floored at 0 (`appraisal.attendance_scale`, default 10 and 20); no score when the month has no attendance result.

Composite: Σ weightᵢ × scoreᵢ ÷ Σ weightᵢ over the components that have a score (`appraisal.weights`); a component
without data is left out and the remaining weights are renormalised. No component with data → no composite.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from servicecenter.core.policy import implements

COMPONENTS = ("points", "sla", "satisfaction", "attendance")
DEFAULT_WEIGHTS = {"points": 40, "sla": 20, "satisfaction": 20, "attendance": 20}
DEFAULT_SCALE = {"per_late_or_early": 10, "per_absent_day": 20}
HUNDRED = Decimal(100)
ZERO = Decimal(0)
ONE_PLACE = Decimal("0.1")


def _dec(raw: Any) -> Decimal | None:
    if raw is None or raw == "" or isinstance(raw, bool):
        return None
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def round1(value: Decimal) -> Decimal:
    return value.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def _clamp(value: Decimal) -> Decimal:
    return round1(max(ZERO, min(HUNDRED, value)))


def percent(part: int, whole: int) -> Decimal | None:
    """part ÷ whole in %, one decimal (None without a denominator)."""
    return round1(Decimal(part) * HUNDRED / Decimal(whole)) if whole else None


def weights_of(raw: Any) -> dict[str, Decimal]:
    """The weights parameter as non-negative Decimals per component; unknown keys are ignored, a missing, negative
    or non-numeric weight counts as 0. A value that is not a mapping falls back to the default weights."""
    if not isinstance(raw, Mapping):
        raw = DEFAULT_WEIGHTS
    out = {}
    for key in COMPONENTS:
        value = _dec(raw.get(key))
        out[key] = value if value is not None and value > 0 else ZERO
    return out


def scale_of(raw: Any) -> tuple[Decimal, Decimal]:
    """(points per late or early-leave day, points per absent day) from `appraisal.attendance_scale`."""
    if not isinstance(raw, Mapping):
        raw = DEFAULT_SCALE
    per_late = _dec(raw.get("per_late_or_early"))
    per_absent = _dec(raw.get("per_absent_day"))
    return (
        per_late if per_late is not None and per_late >= 0 else Decimal(DEFAULT_SCALE["per_late_or_early"]),
        per_absent if per_absent is not None and per_absent >= 0 else Decimal(DEFAULT_SCALE["per_absent_day"]),
    )


def points_score(*, total: Decimal, best: Decimal | None) -> Decimal | None:
    """The person's total ÷ the center's best total × 100, within 0–100; None when nobody has a positive total."""
    if best is None or best <= 0:
        return None
    if total <= 0:
        return ZERO
    return _clamp(total * HUNDRED / best)


def sla_score(*, returned: int, resolved_on_time: int) -> Decimal | None:
    """Resolved-on-time % of the orders returned in the month; None without returned orders."""
    rate = percent(resolved_on_time, returned)
    return None if rate is None else _clamp(rate)


def satisfaction_score(*, satisfied: int, answered: int, pct_mean: Decimal | None) -> Decimal | None:
    """Satisfied ÷ answered (callbacks and ratings pooled); else the mean normalised callback score; else None."""
    rate = percent(satisfied, answered)
    if rate is not None:
        return _clamp(rate)
    return None if pct_mean is None else _clamp(pct_mean)


def attendance_score(
    *, days: int, late: int, early: int, absent_days: Decimal, scale: tuple[Decimal, Decimal]
) -> Decimal | None:
    """100 − a × (late + early) − b × absent days, floored at 0; None when the month has no attendance result."""
    if not days:
        return None
    per_late, per_absent = scale
    return _clamp(HUNDRED - per_late * (late + early) - per_absent * absent_days)


@dataclass(frozen=True)
class Part:
    """One component in the composite: its score (None = no data), its weight as set and as used."""

    key: str
    score: Decimal | None
    weight: Decimal
    share: Decimal  # the renormalised weight in % (0 when left out)

    @property
    def used(self) -> bool:
        return self.score is not None and self.weight > 0


@dataclass(frozen=True)
class Composite:
    score: Decimal | None
    parts: tuple[Part, ...]
    renormalised: bool  # some weighted component had no data and was left out

    @property
    def left_out(self) -> list[str]:
        return [p.key for p in self.parts if p.score is None and p.weight > 0]


@implements("PTS-22")
def composite(*, scores: Mapping[str, Decimal | None], weights: Mapping[str, Decimal]) -> Composite:
    """PTS-22: the monthly appraisal's composite 0–100 — customer ratings (satisfaction) are one weighted component
    beside points, SLA and attendance. Components without data are left out and the weights renormalised over the
    rest; rounded half-up to one decimal."""
    available = {k: weights.get(k, ZERO) for k in COMPONENTS if scores.get(k) is not None and weights.get(k, ZERO) > 0}
    total_weight = sum(available.values(), ZERO)
    parts = []
    for key in COMPONENTS:
        weight = weights.get(key, ZERO)
        share = round1(weight * HUNDRED / total_weight) if key in available and total_weight else ZERO
        parts.append(Part(key, scores.get(key), weight, share))
    renormalised = any(p.score is None and p.weight > 0 for p in parts)
    if not total_weight:
        return Composite(None, tuple(parts), renormalised)
    score = sum((available[k] * Decimal(scores[k] or 0) for k in available), ZERO) / total_weight
    return Composite(round1(score), tuple(parts), renormalised)
