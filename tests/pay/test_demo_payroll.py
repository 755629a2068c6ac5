"""The demo station's payroll for last month, checked against a computation by hand from the ledger (issue 6:
"payroll sheet for the demo center matches a hand-computed example"). The whole demo is loaded on a fixed day, so
the example is the same on every run; the expected figures are worked out here with plain arithmetic from the
demo's published rules (¥10 per point and per average point, coefficient 1.1, ¥5 per order, ¥2 per invoice, base
salaries 3,000 / 1,800 / 2,000 / 1,600), not read from the pay code."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
import time_machine

from servicecenter.demo.loader import load_demo
from servicecenter.org.models import Staff
from servicecenter.pay.models import PayrollSheet
from servicecenter.points.models import PointEntry
from servicecenter.workorders.models import WorkOrder
from tests.workorders.conftest import SH

pytestmark = pytest.mark.django_db
CENT = Decimal("0.01")


def _cents(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def _orders(staff: Staff, month: date) -> int:
    """Work orders the person took (created) in the month, cancelled ones left out (pay.md: input `orders`)."""
    return (
        WorkOrder.objects.filter(
            created_by=staff.user, created_at__date__gte=month, created_at__date__lt=date(2026, 12, 1)
        )
        .exclude(status="cancelled")
        .count()
    )


@pytest.mark.clause("PTS-01")
@pytest.mark.clause("PTS-07")
@pytest.mark.clause("PTS-11")
def test_demo_payroll_matches_the_hand_computation():
    with time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=SH), tick=False):
        load_demo()
    november = date(2026, 11, 1)
    sheet = PayrollSheet.objects.get(organization__code="demo-gucheng", month=november)
    lines = {line.staff_no: line for line in sheet.lines.all()}
    verified = PointEntry.objects.filter(
        organization=sheet.organization, day__gte=november, day__lte=date(2026, 11, 30), status="verified"
    )
    totals: dict[int, Decimal] = {}
    for staff_id, points in verified.values_list("staff_id", "points"):
        totals[staff_id] = totals.get(staff_id, Decimal(0)) + points
    by_no = {s.staff_no: s for s in Staff.objects.filter(staff_no__in=lines)}

    # 服务人员 GC011: 1,600 + his points × ¥10
    worker = by_no["GC011"]
    assert lines["GC011"].gross == _cents(Decimal(1600) + totals[worker.pk] * 10)
    # 续费专员 GC005: 1,600 + (80 renewal + 1 conversion) points × ¥10 = 2,410
    assert totals[by_no["GC005"].pk] == Decimal("81.00")
    assert lines["GC005"].gross == Decimal("2410.00")
    # 服务中心经理 GC001 (PTS-01): 3,000 + average points of the staff with points × 1.1 × ¥10
    average = _cents(sum(totals.values(), Decimal(0)) / len([t for t in totals.values() if t]))
    assert lines["GC001"].gross == _cents(Decimal(3000) + average * Decimal("1.1") * 10)
    # 接单内勤 GC002 (PTS-07): 1,800 + orders she took × ¥5 + 12 invoices × ¥2
    assert lines["GC002"].gross == Decimal(1800) + _orders(by_no["GC002"], november) * 5 + 24
    # 税控专员 GC004 (PTS-11): 2,000 + orders × ¥5 + 12 × ¥2 + 300 liaison + 50 asset points × ¥10
    assert totals[by_no["GC004"].pk] == Decimal("50.00")
    assert lines["GC004"].gross == Decimal(2000) + _orders(by_no["GC004"], november) * 5 + 24 + 300 + 500
    # the sheet's total is the sum of its lines' net pay; no line has an error
    assert not [line.error for line in lines.values() if line.error]
    assert sheet.total_net == sum((line.net for line in lines.values()), Decimal(0))
