"""Permission-matrix cases of the pay pages and API (center A's objects; the other center's user must not see)."""

from __future__ import annotations

from django.core import signing
from django.utils import timezone

from servicecenter.core.testing import Case
from servicecenter.pay import services
from servicecenter.pay.models import CoefficientTable, PayrollDeduction
from servicecenter.points import policies as points_policies
from servicecenter.policy.values import local_today


def build(world) -> list[Case]:
    a = world.tree["a"]
    month = points_policies.previous_month(local_today(a))
    sheet = services.payroll_compute(actor=None, organization=a, month=month).sheet
    CoefficientTable.objects.create(
        organization=a, month=month, version=1, file_name="甲系数表.xlsx", uploaded_at=timezone.now()
    )
    PayrollDeduction.objects.create(
        organization=a,
        staff=world.staff_a,
        month=month,
        amount_cny=5,
        reason="甲扣款事由",
        clause="C-05",
        source="manual",
        key="matrix:a",
        created_at=timezone.now(),
    )
    m = f"{month:%Y-%m}"

    def confirm(world):
        rows = [
            {
                "center_id": a.pk,
                "net_growth": "1",
                "new_additions": "1",
                "accrual_revenue": "1",
                "coefficient": "1.1",
                "errors": [],
            }
        ]
        return {
            "payload": signing.dumps({"org": a.pk, "month": m, "file": "x.xlsx", "rows": rows}, salt="pay.coefficients")
        }

    return [
        Case("pay:sheets", marker=a.name),
        Case("pay:compute", actor="finance_a", method="post", data={"center": a.pk, "month": m}, ok=(302,)),
        Case("pay:sheet", kwargs={"pk": sheet.pk}),
        Case("pay:sheet_export", kwargs={"pk": sheet.pk}),
        Case("pay:inputs", actor="finance_a", marker="甲税控"),
        Case("pay:components", marker=a.name),
        Case("pay:coefficients", actor="admin_a", marker="甲系数表.xlsx"),
        Case("pay:coefficients_confirm", actor="admin_a", method="post", data_factory=confirm, ok=(302,)),
        Case("pay:coefficient_template", actor="admin_a", query=f"?organization={a.pk}"),
        Case("pay:deductions", actor="finance_a", marker="甲扣款事由"),
        Case("api-pay-sheets", api=True, marker=a.name),
        Case("api-pay-sheet", api=True, kwargs={"pk": sheet.pk}),
        Case("api-pay-compute", api=True, actor="finance_a", method="post", data={"center": a.pk, "month": m}),
    ]
