"""The appraisal's rules (PTS-22): each component's 0–100 normalisation and the weighted composite with weights
renormalised over the components that have data."""

from __future__ import annotations

from decimal import Decimal

import pytest

from servicecenter.appraisal import policies

D = Decimal
W = policies.weights_of(policies.DEFAULT_WEIGHTS)


@pytest.mark.clause("PTS-22")
def test_composite_weights_the_four_components():
    scores = {"points": D(80), "sla": D(100), "satisfaction": D(50), "attendance": D(90)}
    result = policies.composite(scores=scores, weights=W)
    # 0.4 × 80 + 0.2 × 100 + 0.2 × 50 + 0.2 × 90 = 32 + 20 + 10 + 18
    assert result.score == D("80.0") and not result.renormalised
    assert [p.share for p in result.parts] == [D("40.0"), D("20.0"), D("20.0"), D("20.0")]


@pytest.mark.clause("PTS-22")
def test_components_without_data_are_left_out_and_the_weights_renormalised():
    scores = {"points": D(80), "sla": None, "satisfaction": D(50), "attendance": None}
    result = policies.composite(scores=scores, weights=W)
    # (40 × 80 + 20 × 50) ÷ 60 = 70
    assert result.score == D("70.0") and result.renormalised
    assert result.left_out == ["sla", "attendance"]
    assert {p.key: p.share for p in result.parts} == {
        "points": D("66.7"),
        "sla": D(0),
        "satisfaction": D("33.3"),
        "attendance": D(0),
    }


@pytest.mark.clause("PTS-22")
def test_no_data_at_all_gives_no_composite():
    result = policies.composite(scores=dict.fromkeys(policies.COMPONENTS), weights=W)
    assert result.score is None and result.renormalised


@pytest.mark.clause("PTS-22")
def test_rounding_is_half_up_to_one_decimal():
    # (40 × 1 + 20 × 0) ÷ 60 = 0.6666… → 0.7
    result = policies.composite(scores={"points": D(1), "sla": D(0)}, weights=W)
    assert result.score == D("0.7")


def test_weights_parameter_is_read_defensively():
    assert policies.weights_of({"points": "50", "sla": -3, "satisfaction": "x", "bogus": 9}) == {
        "points": D(50),
        "sla": D(0),
        "satisfaction": D(0),
        "attendance": D(0),
    }
    assert policies.weights_of("not a mapping") == W
    # a zero weight never takes part, even with data
    result = policies.composite(scores={"points": D(10), "sla": D(100)}, weights={"points": D(1), "sla": D(0)})
    assert result.score == D("10.0") and not result.renormalised


def test_points_component_is_relative_to_the_centers_best():
    assert policies.points_score(total=D(45), best=D(90)) == D("50.0")
    assert policies.points_score(total=D(-5), best=D(90)) == D(0)
    assert policies.points_score(total=D(0), best=D(0)) is None
    assert policies.points_score(total=D(0), best=None) is None


def test_sla_component_is_the_resolved_on_time_rate():
    assert policies.sla_score(returned=3, resolved_on_time=2) == D("66.7")
    assert policies.sla_score(returned=0, resolved_on_time=0) is None


def test_satisfaction_component_prefers_the_satisfied_rate_then_the_mean_score():
    assert policies.satisfaction_score(satisfied=3, answered=4, pct_mean=D(10)) == D("75.0")
    assert policies.satisfaction_score(satisfied=0, answered=0, pct_mean=D("82.5")) == D("82.5")
    assert policies.satisfaction_score(satisfied=0, answered=0, pct_mean=None) is None


def test_attendance_component_deducts_and_floors_at_zero():
    scale = policies.scale_of(policies.DEFAULT_SCALE)
    assert policies.attendance_score(days=20, late=1, early=1, absent_days=D("0.5"), scale=scale) == D("70.0")
    assert policies.attendance_score(days=20, late=5, early=3, absent_days=D(2), scale=scale) == D(0)
    assert policies.attendance_score(days=0, late=0, early=0, absent_days=D(0), scale=scale) is None
    assert policies.scale_of({"per_late_or_early": "5", "per_absent_day": -1}) == (D(5), D(20))
