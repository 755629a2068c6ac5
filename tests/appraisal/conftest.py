"""Fixtures of the appraisal tests: the work-order station of tests/workorders (clock at MORNING, 2026-12-01 09:00
Shanghai) and helpers that put a person's month on record — returned orders with their callbacks answered, ratings,
attendance results, violations and verified points entries."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import count

import pytest

from servicecenter.attendance.models import AttendanceResult, Violation
from servicecenter.callbacks.models import CallbackTask, Rating
from servicecenter.points.models import PointEntry
from servicecenter.workorders.models import WorkOrder
from tests import factories
from tests.workorders.conftest import (  # noqa: F401 - fixtures shared with the work-order tests
    MORNING,
    SH,
    at_morning,
    worker_a2,
    worker_b,
)
from tests.workorders.conftest import worker_a as worker_a  # noqa: F401
from tests.workorders.field_support import returned

__all__ = ["DAY", "MONTH", "MORNING", "SH", "answered", "attendance", "entry", "rating", "returned", "violation"]

DAY = MORNING.date()
MONTH = DAY.replace(day=1)
_keys = count(1)


@pytest.fixture
def finance_a(tree):
    return factories.make_staff(tree["a"], "finance_clerk", name="甲税控")


def answered(clerk, center, worker, *, attitude="satisfied", score_pct="90", breached=False) -> WorkOrder:
    """An order returned by `worker` this morning whose service callback is done with `attitude`."""
    order = returned(clerk, center, worker)
    if breached:
        WorkOrder.objects.filter(pk=order.pk).update(resolve_breached_at=MORNING + timedelta(minutes=4))
    task = CallbackTask.objects.filter(order=order).order_by("id").first()
    assert task is not None
    CallbackTask.objects.filter(pk=task.pk).update(
        status="done",
        attitude=attitude,
        score_pct=Decimal(score_pct) if score_pct else None,
        completed_at=MORNING + timedelta(hours=1),
    )
    return order


def rating(order: WorkOrder, staff, level: int) -> Rating:
    return Rating.objects.create(
        organization=order.organization,
        order=order,
        customer=order.customer,
        staff=staff,
        level=level,
        channel="phone",
        rated_at=MORNING + timedelta(hours=2),
    )


def attendance(staff, org, day: date, status: str, absent_days: str = "0") -> AttendanceResult:
    return AttendanceResult.objects.create(
        staff=staff,
        organization=org,
        day=day,
        status=status,
        absent_days=Decimal(absent_days),
        inputs_hash="x",
        computed_at=MORNING,
    )


def violation(staff, org, day: date, reporter, status: str = "active") -> Violation:
    return Violation.objects.create(
        staff=staff, organization=org, day=day, type="games", reporter=reporter, status=status
    )


def entry(
    staff, center, points: str, *, category: str = "work", day: date = DAY, status: str = "verified"
) -> PointEntry:
    return PointEntry.objects.create(
        organization=center,
        staff=staff,
        day=day,
        points=Decimal(points),
        category=category,
        source="fixed_item",
        rule="test",
        clause="PTS-04",
        key=f"appraisal-test-{next(_keys)}",
        status=status,
        created_at=MORNING,
    )
