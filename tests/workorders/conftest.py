"""Fixtures of the work-order tests: a station with a dispatcher, two servicemen and an order factory."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from PIL import Image

from servicecenter.workorders import services
from tests import factories

SH = ZoneInfo("Asia/Shanghai")
# A Tuesday, an ordinary working day of the D01 station (08:30–20:00 every day).
MORNING = datetime(2026, 12, 1, 9, 0, tzinfo=SH)


@pytest.fixture(autouse=True)
def at_morning():
    """Every work-order test starts at MORNING (the clock ticks on): `created_at` and the SLA start agree.
    A test that needs the real clock overrides this fixture."""
    with time_machine.travel(MORNING, tick=True):
        yield


@pytest.fixture
def worker_a(tree):
    return factories.make_staff(tree["a"], "service_staff", name="甲维修工")


@pytest.fixture
def worker_a2(tree):
    return factories.make_staff(tree["a"], "service_staff", name="甲维修工二")


@pytest.fixture
def worker_b(tree):
    return factories.make_staff(tree["b"], "service_staff", name="乙服务人员")


def png_bytes(size: tuple[int, int] = (40, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (255, 255, 255)).save(buffer, format="PNG")
    return buffer.getvalue()


def intake(clerk, center, *, now=MORNING, **overrides):
    """A phone repair order with all four read-back ticks (WO-08), created through the service."""
    data = {
        "kind": "repair",
        "service_type": "C",
        "customer_name": "王先生",
        "phone": "138 0013 8000",
        "address": "古城路 12 号 3 单元 501",
        "problem": "宽带无法上网，光猫红灯闪烁",
        "read_back": ["problem", "address", "name", "phone"],
    }
    data.update(overrides)
    return services.order_create(actor=clerk.user, organization=center, now=now, **data)


@pytest.fixture
def make_order(tree, clerk_a):
    def make(**overrides):
        return intake(clerk_a, tree["a"], **overrides)

    return make
