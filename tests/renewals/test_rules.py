"""The renewal rules, one clause at a time (REQUIREMENTS §3.4, acceptance table: 68 % → 80, 72.6 % → 112,
57 % → 0 and target not met, −3 + 2 + 2 = +1)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from servicecenter.renewals import policies

SEED = policies.RateParams(Decimal(58), Decimal(8), Decimal(0), Decimal(70), "依据 PTS-13")
TABLE = {"6.0->3.0": -1, "3.0->6.0": 1, "->8.2+": 2}
TIERS = ["3.0", "6.0", "8.2"]


@pytest.mark.clause("PTS-12")
def test_rate_is_renewed_over_due_with_one_decimal_shown():
    assert policies.renewal_rate(renewed=17, due=25) == Fraction(68)
    assert policies.rate_display(policies.renewal_rate(renewed=2, due=3)) == Decimal("66.7")
    assert policies.rate_display(policies.renewal_rate(renewed=1, due=8)) == Decimal("12.5")


@pytest.mark.clause("PTS-12")
def test_no_due_means_no_rate_and_no_points():
    result = policies.rate_result(renewed=0, due=0, params=SEED)
    assert result.rate is None and result.rate_pct is None
    assert result.points == 0 and result.target_met is None
    assert result.explanation == "无到期用户"


@pytest.mark.clause("PTS-13")
def test_seed_example_68_percent_gives_80_points():
    # 「当月续费率是68%,核算积分为80分」
    assert policies.renewal_points(rate=Decimal("68"), params=SEED) == 80
    assert policies.rate_result(renewed=17, due=25, params=SEED).points == 80


@pytest.mark.clause("PTS-13")
@pytest.mark.parametrize(
    ("rate", "points"),
    [("72.6", 112), ("58.9", 0), ("59", 8), ("59.99", 8), ("100", 336)],
)
def test_points_count_whole_percentage_points_above_the_baseline(rate, points):
    assert policies.renewal_points(rate=Decimal(rate), params=SEED) == points


@pytest.mark.clause("PTS-13")
def test_exact_fraction_is_floored_not_rounded():
    # 67/100 ... 2/3 = 66.666…% → 8 whole points above 58 → 64
    assert policies.renewal_points(rate=policies.renewal_rate(renewed=2, due=3), params=SEED) == 64


@pytest.mark.clause("C-07")
@pytest.mark.parametrize("rate", ["57", "58", "0"])
def test_below_or_at_baseline_gives_zero_by_default(rate):
    assert policies.renewal_points(rate=Decimal(rate), params=SEED) == 0


@pytest.mark.clause("C-07")
def test_below_baseline_deduction_when_configured():
    params = policies.RateParams(Decimal(58), Decimal(8), Decimal(-2), Decimal(70), "")
    assert policies.renewal_points(rate=Decimal("55.5"), params=params) == -4  # 2 whole points below
    assert policies.renewal_points(rate=Decimal("57.5"), params=params) == 0  # not a whole point below


@pytest.mark.clause("PTS-14", "C-07")
@pytest.mark.parametrize(("rate", "met"), [("57", False), ("69.9", False), ("70", True), ("85", True)])
def test_target_is_seventy_percent(rate, met):
    assert policies.target_met(rate=Decimal(rate), target_pct=Decimal(70)) is met


@pytest.mark.clause("PTS-15", "PTS-16", "PTS-17")
def test_acceptance_three_down_two_up_one_to_top_gives_plus_one():
    changes = [("6.0", "3.0")] * 3 + [("3.0", "6.0")] * 2 + [("6.0", "8.2")]
    rules = [policies.conversion_points(old=o, new=n, table=TABLE, tiers=TIERS) for o, n in changes]
    assert [r.points for r in rules] == [-1, -1, -1, 1, 1, 2]
    assert sum(r.points for r in rules) == 1
    assert [r.clause for r in rules] == ["PTS-15"] * 3 + ["PTS-16"] * 2 + ["PTS-17"]


@pytest.mark.clause("PTS-17")
def test_plus_rule_covers_any_conversion_to_the_tier_or_higher():
    tiers = ["3.0", "6.0", "8.2", "10.0"]
    assert policies.conversion_points(old="3.0", new="8.2", table=TABLE, tiers=tiers).points == 2
    assert policies.conversion_points(old="3.0", new="10.0", table=TABLE, tiers=tiers).points == 2


@pytest.mark.clause("PTS-15", "PTS-17")
def test_exact_pair_wins_over_the_plus_rule():
    table = {**TABLE, "6.0->8.2": 3}
    rule = policies.conversion_points(old="6.0", new="8.2", table=table, tiers=TIERS)
    assert rule.points == 3 and rule.key == "6.0->8.2"


@pytest.mark.clause("PTS-15", "PTS-16")
def test_unknown_pair_gives_zero_and_says_so():
    rule = policies.conversion_points(old="8.2", new="6.0", table=TABLE, tiers=TIERS)
    assert rule.points == 0 and not rule.known
    assert "未规定" in rule.explanation


@pytest.mark.clause("CB-11")
@pytest.mark.parametrize(
    ("outcome", "tier", "new", "ok"),
    [
        ("renewed", "6.0", "", True),
        ("upgraded", "3.0", "6.0", True),
        ("upgraded", "6.0", "3.0", False),
        ("upgraded", "6.0", "6.0", False),
        ("downgraded", "6.0", "3.0", True),
        ("downgraded", "3.0", "8.2", False),
        ("upgraded", "3.0", "", False),
        ("upgraded", "3.0", "9.9", False),
        ("bogus", "3.0", "", False),
    ],
)
def test_tier_change_must_go_the_right_way(outcome, tier, new, ok):
    assert bool(policies.check_outcome(outcome=outcome, tier=tier, new_tier=new, tiers=TIERS)) is ok


@pytest.mark.clause("CB-11")
def test_outcomes_are_recorded_until_the_month_end():
    assert policies.can_record(today=date(2026, 11, 30), month=date(2026, 11, 1))
    refused = policies.can_record(today=date(2026, 12, 1), month=date(2026, 11, 1))
    assert not refused and "已结束" in refused.reason
