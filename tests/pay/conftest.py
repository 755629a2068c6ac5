"""Fixtures of the pay tests: center A's staff with verified points, parameters, a coefficient table."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from itertools import count

import pytest
from django.utils import timezone

from servicecenter.pay.models import CoefficientRow, CoefficientTable, PayInput
from servicecenter.points.models import PointEntry
from servicecenter.policy.models import ParameterValue
from tests import factories

MONTH = date(2026, 10, 1)
_keys = count(1)


def set_parameter(key, organization, value):
    """A value in force since 2020 (direct row: the service refuses backdated values)."""
    return ParameterValue.objects.create(
        key=key, organization=organization, value=value, effective_from=date(2020, 1, 1), reason="测试"
    )


def entry(center, staff, points, *, day=date(2026, 10, 10), category="work", status="verified"):
    return PointEntry.objects.create(
        organization=center,
        staff=staff,
        day=day,
        points=Decimal(points),
        category=category,
        source="work_order" if category == "work" else "fixed_item",
        rule="test",
        clause="PTS-04",
        key=f"test:{next(_keys)}",
        status=status,
        created_at=timezone.now(),
    )


def coefficient(center, value, *, month=MONTH, organization=None):
    table = CoefficientTable.objects.create(
        organization=organization or center,
        month=month,
        version=CoefficientTable.objects.filter(organization=organization or center, month=month).count() + 1,
        file_name="test.xlsx",
        uploaded_at=timezone.now(),
    )
    CoefficientRow.objects.create(
        table=table,
        center=center,
        net_growth=Decimal("1"),
        new_additions=Decimal("1"),
        accrual_revenue=Decimal("1"),
        coefficient=Decimal(value),
    )
    return table


def base_salary(staff, amount, *, month=MONTH, **extra):
    return PayInput.objects.create(
        staff=staff, month=month, base_salary=Decimal(amount), updated_at=timezone.now(), **extra
    )


@pytest.fixture
def finance_a(tree):
    return factories.make_staff(tree["a"], "finance_clerk", name="甲税控")


@pytest.fixture
def worker1(tree):
    return factories.make_staff(tree["a"], "service_staff", name="师傅一")


@pytest.fixture
def worker2(tree):
    return factories.make_staff(tree["a"], "service_staff", name="师傅二")


@pytest.fixture
def pts01(tree, manager_a, worker1, worker2):
    """The seed's PTS-01 example: base ¥3,000, average points 80 (70 and 90), coefficient 1.1, ¥10 per point."""
    center = tree["a"]
    entry(center, worker1, "70")
    entry(center, worker2, "90")
    coefficient(center, "1.1")
    set_parameter("pay.amount_per_avg_point", center, "10")
    set_parameter("pay.amount_per_point", center, "10")
    base_salary(manager_a, "3000")
    base_salary(worker1, "2000")
    base_salary(worker2, "2000")
    return center


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))
