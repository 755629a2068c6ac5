"""The payroll sheet of a demo-like station in a real browser: the finance clerk computes it, the manager sees the
lines match a hand-computed example (issue 6: "payroll sheet for the demo center matches a hand-computed
example"). Screenshot for docs/pay.md."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from servicecenter.points.models import InstantReward
from tests import factories
from tests.browser_support import login, screenshot

from .conftest import MONTH, base_salary, coefficient, entry, set_parameter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.clause("FIN-19")]
PASSWORD = "pw-Secret-2026"
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


def test_demo_like_sheet_matches_hand_computed_example(page, tree):
    center = tree["a"]
    manager = factories.make_staff(center, "center_manager", name="王经理")
    clerk = factories.make_staff(center, "finance_clerk", name="李税控")
    w1 = factories.make_staff(center, "service_staff", name="张师傅")
    w2 = factories.make_staff(center, "service_staff", name="赵师傅")
    for key, value in (
        ("amount_per_avg_point", "10"),
        ("amount_per_point", "10"),
        ("rate_per_order", "5"),
        ("rate_per_invoice", "2"),
    ):
        set_parameter(f"pay.{key}", center, value)
    coefficient(center, "1.1")
    entry(center, w1, "70")
    entry(center, w2, "90")
    entry(center, clerk, "50", category="fixed")
    base_salary(manager, "3000")
    base_salary(clerk, "2000", invoices=Decimal("12"), finance_liaison=Decimal("300"))
    base_salary(w1, "1600")
    base_salary(w2, "1600")
    InstantReward.objects.create(
        organization=center,
        staff=w2,
        day=MONTH.replace(day=8),
        amount_cny=Decimal("50"),
        reason="客户表扬",
        requested_by=manager.user,
        status="approved",
    )
    # Hand-computed: avg points over staff with entries = (70 + 90 + 50) / 3 = 70.00
    expected = {
        manager.staff_no: "3770.00",  # 3000 + 70 × 1.1 × 10
        clerk.staff_no: "2824.00",  # 2000 + 0 × 5 + 12 × 2 + 300 + 50 × 10
        w1.staff_no: "2300.00",  # 1600 + 70 × 10
        w2.staff_no: "2550.00",  # 1600 + 90 × 10 + 50 reward
    }
    login(page, clerk.staff_no, PASSWORD)
    page.goto(f"/pay/sheets/?center={center.pk}&month={MONTH:%Y-%m}")
    page.click("#compute")
    page.wait_for_selector("#lines")
    for staff_no, net in expected.items():
        assert page.inner_text(f"tr[data-staff='{staff_no}'] [data-net]").strip() == net
    assert page.inner_text("#total-net").strip() == "11444.00"
    page.click(f"tr[data-staff='{manager.staff_no}'] summary")
    path = screenshot(page, "pay-sheet")
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, DOCS_IMG / "pay-sheet.png")
