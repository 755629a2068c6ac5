"""The payroll sheet (FIN-19, PTS-01, PTS-07, PTS-11, C-05, C-18): the seed example, role defaults, deductions,
rounding, determinism and error lines."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from servicecenter.attendance.models import AttendanceResult
from servicecenter.core.errors import NotAllowed, ValidationFailed
from servicecenter.core.models import AuditEvent
from servicecenter.pay import policies, services
from servicecenter.pay.models import PayrollDeduction, PayrollLine, PayrollSheet
from servicecenter.points.models import InstantReward, PointEntry
from tests import factories
from tests.pay.conftest import MONTH, at, base_salary, coefficient, entry, set_parameter
from tests.workorders.conftest import intake

pytestmark = pytest.mark.django_db


def _line(sheet, staff):
    return PayrollLine.objects.get(sheet=sheet, staff=staff)


@pytest.mark.clause("PTS-01")
def test_seed_example_manager_pay_3880(pts01, manager_a, finance_a):
    sheet = services.payroll_compute(actor=finance_a.user, organization=pts01, month=MONTH).sheet
    line = _line(sheet, manager_a)
    assert line.role == "center_manager"
    assert line.inputs["avg_points"] == "80.00"
    assert line.inputs["assessment_coefficient"] == "1.1000"
    assert line.net == Decimal("3880.00")
    assert line.components[0]["clause"] == "PTS-01"
    assert sheet.coefficient_table_id is not None


@pytest.mark.clause("C-18")
def test_everyone_else_base_plus_points(pts01, worker1, finance_a):
    sheet = services.payroll_compute(actor=finance_a.user, organization=pts01, month=MONTH).sheet
    assert _line(sheet, worker1).net == Decimal("2700.00")  # 2000 + 70 × 10


@pytest.mark.clause("PTS-07")
def test_order_clerk_orders_and_invoices(tree, clerk_a, finance_a, time_machine):
    center = tree["a"]
    time_machine.move_to(at(MONTH.replace(day=5)))
    for _n in range(3):
        intake(clerk_a, center, now=timezone.now())
    set_parameter("pay.rate_per_order", center, "5")
    set_parameter("pay.rate_per_invoice", center, "2.5")
    base_salary(clerk_a, "1800", invoices=Decimal("4"))
    sheet = services.payroll_compute(actor=finance_a.user, organization=center, month=MONTH).sheet
    line = _line(sheet, clerk_a)
    assert line.role == "order_clerk"
    assert line.inputs["orders"] == "3"
    assert line.net == Decimal("1825.00")  # 1800 + 3 × 5 + 4 × 2.5


@pytest.mark.clause("PTS-11")
def test_finance_clerk_components(tree, finance_a):
    center = tree["a"]
    for key, value in (("rate_per_order", "5"), ("rate_per_invoice", "2"), ("amount_per_point", "3")):
        set_parameter(f"pay.{key}", center, value)
    entry(center, finance_a, "50", category="fixed")
    base_salary(finance_a, "2000", invoices=Decimal("10"), finance_liaison=Decimal("300"))
    sheet = services.payroll_compute(actor=finance_a.user, organization=center, month=MONTH).sheet
    line = _line(sheet, finance_a)
    assert line.role == "finance_clerk"
    assert line.inputs["asset_points"] == "50.00"
    assert line.net == Decimal("2470.00")  # 2000 + 0 × 5 + 10 × 2 + 300 + 50 × 3


@pytest.mark.clause("C-18")
def test_unset_parameter_is_a_line_error_excluded_from_total(tree, worker1, manager_a, finance_a):
    center = tree["a"]
    entry(center, worker1, "10")
    base_salary(worker1, "2000")
    sheet = services.payroll_compute(actor=finance_a.user, organization=center, month=MONTH).sheet
    line = _line(sheet, worker1)
    assert line.net is None
    assert "缺少输入：amount_per_point（参数未设定）" in line.error
    assert sheet.error_count == sheet.line_count
    assert sheet.total_net == Decimal("0.00")
    assert "缺少输入：base_salary（未录入）" in _line(sheet, manager_a).error


@pytest.mark.clause("FIN-19")
def test_rounding_each_component_half_up_and_net_is_the_sum(tree, worker1, finance_a, gm):
    center = tree["a"]
    set_parameter("pay.amount_per_point", center, "0.125")
    entry(center, worker1, "1")
    base_salary(worker1, "1000")
    services.component_save(
        actor=gm.user,
        organization=center,
        role="other",
        name="积分",
        formula="points * amount_per_point",
        clause="C-18",
        order=2,
        valid_from=MONTH,
    )
    services.component_save(
        actor=gm.user,
        organization=center,
        role="other",
        name="底薪",
        formula="base_salary / 3",
        clause="C-18",
        order=1,
        valid_from=MONTH,
    )
    sheet = services.payroll_compute(actor=finance_a.user, organization=center, month=MONTH).sheet
    line = _line(sheet, worker1)
    values = [Decimal(c["value"]) for c in line.components]
    assert values == [Decimal("333.33"), Decimal("0.13")]  # 0.125 → 0.13 (half up)
    assert line.net == Decimal("333.46")


@pytest.mark.clause("C-05")
def test_attendance_fines_and_manual_deductions_reduce_pay_never_points(pts01, worker1, finance_a):
    result = AttendanceResult.objects.create(
        staff=worker1,
        organization=pts01,
        day=MONTH.replace(day=3),
        status="absent",
        fine_cny=Decimal("20"),
        fines=[{"amount": "20", "reason": "旷工", "clause": "ATT-24", "citation": ""}],
        inputs_hash="x",
        computed_at=timezone.now(),
    )
    services.deduction_add(
        actor=finance_a.user, organization=pts01, staff_id=worker1.pk, month=MONTH, amount="15.5", reason="工具遗失"
    )
    points_before = PointEntry.objects.count()
    sheet = services.payroll_compute(actor=finance_a.user, organization=pts01, month=MONTH).sheet
    line = _line(sheet, worker1)
    assert line.deductions == Decimal("35.50")
    assert line.net == Decimal("2664.50")
    assert PayrollDeduction.objects.get(key=f"att-fine:{result.pk}").clause == "ATT-24"
    assert PointEntry.objects.count() == points_before
    # collected once: recomputing does not add a second deduction
    services.payroll_compute(actor=finance_a.user, organization=pts01, month=MONTH)
    assert PayrollDeduction.objects.filter(source="attendance").count() == 1
    with pytest.raises(ValidationFailed):
        services.deduction_add(
            actor=finance_a.user, organization=pts01, staff_id=worker1.pk, month=MONTH, amount="x", reason=""
        )


@pytest.mark.clause("FIN-19")
def test_rewards_in_yuan_are_added(pts01, worker1, manager_a, finance_a):
    InstantReward.objects.create(
        organization=pts01,
        staff=worker1,
        day=MONTH.replace(day=9),
        amount_cny=Decimal("50"),
        reason="客户表扬",
        requested_by=manager_a.user,
        status="approved",
    )
    sheet = services.payroll_compute(actor=finance_a.user, organization=pts01, month=MONTH).sheet
    assert _line(sheet, worker1).net == Decimal("2750.00")


@pytest.mark.clause("FIN-19")
def test_recompute_is_deterministic_and_versions_changes(pts01, worker1, finance_a):
    first = services.payroll_compute(actor=finance_a.user, organization=pts01, month=MONTH)
    again = services.payroll_compute(actor=finance_a.user, organization=pts01, month=MONTH)
    assert first.created and not again.created
    assert PayrollSheet.objects.filter(organization=pts01, month=MONTH).count() == 1
    entry(pts01, worker1, "5")
    third = services.payroll_compute(actor=finance_a.user, organization=pts01, month=MONTH)
    assert third.created and third.sheet.version == 2
    assert third.sheet.changes[worker1.staff_no]["net"] == ["2700.00", "2750.00"]
    assert PayrollSheet.objects.filter(organization=pts01, month=MONTH).count() == 2
    assert AuditEvent.objects.filter(verb="pay.sheet_computed").count() == 2


@pytest.mark.clause("FIN-19")
def test_base_salary_carried_forward(pts01, worker1, finance_a):
    from datetime import date

    entry(pts01, worker1, "10", day=date(2026, 11, 3))
    coefficient(pts01, "1.0", month=date(2026, 11, 1))
    sheet = services.payroll_compute(actor=finance_a.user, organization=pts01, month=date(2026, 11, 1)).sheet
    line = _line(sheet, worker1)
    assert line.inputs["base_salary"] == "2000.00"
    assert line.details["notes"]["base_salary"] == "沿用 2026-10 录入"


def test_compute_needs_manage_permission(pts01, tree, worker1):
    other = factories.make_staff(tree["b"], "finance_clerk")
    with pytest.raises(NotAllowed):
        services.payroll_compute(actor=worker1.user, organization=pts01, month=MONTH)
    with pytest.raises(NotAllowed):
        services.payroll_compute(actor=other.user, organization=pts01, month=MONTH)


def test_compute_all_centers(pts01):
    counts = services.payroll_compute_all(month=MONTH)
    assert counts["centers"] >= 2
    assert services.payroll_compute_all(month=MONTH)["new_versions"] == 0


@pytest.mark.clause("C-18")
def test_configured_component_is_a_new_version_and_validated(tree, gm):
    center = tree["a"]
    with pytest.raises(ValidationFailed) as info:
        services.component_save(
            actor=gm.user,
            organization=center,
            role="other",
            name="x",
            formula="__import__('os')",
            clause="C-18",
            valid_from=MONTH,
        )
    assert "公式有误" in info.value.fields["formula"][0]
    services.component_save(
        actor=gm.user,
        organization=tree["ops"],
        role="other",
        name="积分工资",
        formula="points * 2",
        clause="C-18",
        valid_from=MONTH,
    )
    services.component_save(
        actor=gm.user,
        organization=tree["ops"],
        role="other",
        name="积分工资",
        formula="points * 3",
        clause="C-18",
        valid_from=MONTH,
    )
    from servicecenter.pay import selectors

    specs = selectors.components_in_force(organization=center, month=MONTH)["other"]
    assert [s.formula for s in specs] == ["points * 3"]
    assert policies.role_of(["service_staff"]) == "other"
