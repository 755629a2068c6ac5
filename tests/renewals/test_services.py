"""Recording outcomes (CB-11), the month result (PTS-12…PTS-17) and the month end (PTS-18) through the services."""

from __future__ import annotations

from decimal import Decimal

import pytest

from servicecenter.core.errors import Conflict, NotAllowed, ValidationFailed
from servicecenter.core.models import AuditEvent
from servicecenter.points import services as points_services
from servicecenter.points.models import PointEntry
from servicecenter.renewals import selectors, services
from servicecenter.renewals.models import RenewalCall

from .conftest import AFTER, MONTH, NOW, add_rows, record

pytestmark = pytest.mark.django_db


@pytest.mark.clause("CB-11")
def test_each_call_is_logged_and_a_correction_is_audited(tree, specialist_a):
    (row,) = add_rows(tree["a"], n=1, assignee=specialist_a)
    record(specialist_a, row, "unreachable")
    record(specialist_a, row, "upgraded", "8.2", note="改签 8.2")
    row.refresh_from_db()
    assert row.outcome == "upgraded" and row.new_tier == "8.2" and row.calls == 2
    calls = list(RenewalCall.objects.filter(row=row).order_by("id"))
    assert [c.outcome for c in calls] == ["unreachable", "upgraded"] and calls[1].is_correction
    verbs = list(
        AuditEvent.objects.filter(target_id=str(row.pk), verb__startswith="renewals.")
        .values_list("verb", flat=True)
        .order_by("id")
    )
    assert verbs == ["renewals.outcome.recorded", "renewals.outcome.corrected"]


@pytest.mark.clause("CB-11")
def test_upgrade_must_name_a_higher_tier(tree, specialist_a):
    (row,) = add_rows(tree["a"], n=1, assignee=specialist_a, tier="6.0")
    with pytest.raises(ValidationFailed) as err:
        record(specialist_a, row, "upgraded", "3.0")
    assert "new_tier" in err.value.fields
    assert not RenewalCall.objects.exists()


@pytest.mark.clause("CB-11")
def test_no_recording_after_the_month_end(tree, specialist_a):
    (row,) = add_rows(tree["a"], n=1, assignee=specialist_a)
    with pytest.raises(ValidationFailed):
        record(specialist_a, row, "renewed", now=AFTER)


def test_someone_elses_row_is_refused(tree, specialist_a, specialist_a2):
    (row,) = add_rows(tree["a"], n=1, assignee=specialist_a)
    with pytest.raises(NotAllowed):
        record(specialist_a2, row, "renewed")


def test_stale_version_is_a_conflict_naming_who_saved(tree, specialist_a, manager_a):
    (row,) = add_rows(tree["a"], n=1, assignee=specialist_a)
    seen = row.version
    record(manager_a, row, "refused")
    with pytest.raises(Conflict) as err:
        services.outcome_record(actor=specialist_a.user, row_id=row.pk, outcome="renewed", version=seen, now=NOW)
    assert "已由 甲经理 登记" in err.value.message


def test_claim_assigns_an_unassigned_row_once(tree, specialist_a, specialist_a2):
    (row,) = add_rows(tree["a"], n=1)
    services.row_claim(actor=specialist_a.user, row_id=row.pk)
    with pytest.raises(Conflict):
        services.row_claim(actor=specialist_a2.user, row_id=row.pk)
    row.refresh_from_db()
    assert row.assignee_id == specialist_a.pk


def _seed_month(tree, specialist):
    """25 due households, 17 renewed (68 %), with the acceptance conversions; 10 suspended, 3 reactivated."""
    rows = add_rows(tree["a"], n=25, assignee=specialist, tier="6.0")
    for row in rows[:3]:
        record(specialist, row, "downgraded", "3.0")
    for row in rows[3:5]:
        row.tier = "3.0"
        row.save()
        record(specialist, row, "upgraded", "6.0")
    record(specialist, rows[5], "upgraded", "8.2")
    for row in rows[6:17]:
        record(specialist, row, "renewed")
    for row in rows[17:21]:
        record(specialist, row, "refused")
    suspended = add_rows(tree["a"], n=10, kind="suspended", assignee=specialist, prefix="S")
    for row in suspended[:3]:
        record(specialist, row, "renewed")
    return rows


@pytest.mark.clause("PTS-12", "PTS-13", "PTS-14", "PTS-15", "PTS-16", "PTS-17")
def test_month_result_of_the_seed_example(tree, specialist_a):
    _seed_month(tree, specialist_a)
    (result,) = selectors.month_result(tree["a"], MONTH)
    assert (result.due, result.renewed, result.rate_pct) == (25, 17, Decimal("68.0"))
    assert result.points == 80 and result.target_met is False and result.target_pct == 70
    assert result.conversion_points == 1 and len(result.conversions) == 6
    assert (result.suspended, result.reactivated) == (10, 3)  # not in the denominator
    assert "PTS-13" in result.citation and "PTS-15" in result.citation


@pytest.mark.clause("PTS-12")
def test_month_result_for_a_staff_without_rows(tree, specialist_a):
    (result,) = selectors.month_result(tree["a"], MONTH, staff=specialist_a)
    assert result.due == 0 and result.rate_pct is None and result.points == 0 and result.explanation == "无到期用户"


@pytest.mark.clause("PTS-18")
def test_month_settle_posts_renewal_and_conversion_entries_once(tree, specialist_a):
    _seed_month(tree, specialist_a)
    posted = points_services.month_settle(organization=tree["a"], month=MONTH, now=AFTER)
    entries = PointEntry.objects.filter(staff=specialist_a)
    renewal = entries.get(source="renewal")
    assert renewal.points == 80 and renewal.category == "reward" and renewal.clause == "PTS-13"
    assert renewal.key == f"renewal:{tree['a'].pk}:{specialist_a.pk}:2026-11" and renewal.status == "verified"
    assert renewal.day.isoformat() == "2026-11-30" and renewal.rule == "renewal.rate"
    conversions = entries.filter(source="conversion")
    assert conversions.count() == 6 and sum(e.points for e in conversions) == 1
    assert set(conversions.values_list("clause", flat=True)) == {"PTS-15", "PTS-16", "PTS-17"}
    assert {e.category for e in conversions if e.points < 0} == {"penalty"}
    assert posted >= 7
    # run again: nothing more
    assert points_services.month_settle(organization=tree["a"], month=MONTH, now=AFTER) == 0
    assert services.post_month(organization=tree["a"], month=MONTH, now=AFTER) == 0
    assert PointEntry.objects.filter(staff=specialist_a).count() == 7


@pytest.mark.clause("PTS-18", "C-07")
def test_below_baseline_with_deduction_posts_a_penalty(tree, specialist_a, manager_a):
    from datetime import date

    import time_machine

    from servicecenter.policy.services import parameter_set

    with time_machine.travel(NOW):
        parameter_set(
            actor=manager_a.user,
            key="points.renewal_below_baseline_per_pct",
            organization=tree["a"],
            value="-1",
            effective_from=date(2026, 11, 20),
            reason="低于基线扣分",
        )
    rows = add_rows(tree["a"], n=10, assignee=specialist_a)
    for row in rows[:5]:  # 50 % → 8 whole points below
        record(specialist_a, row, "renewed")
    services.post_month(organization=tree["a"], month=MONTH, now=AFTER)
    entry = PointEntry.objects.get(staff=specialist_a, source="renewal")
    assert entry.points == -8 and entry.category == "penalty"
