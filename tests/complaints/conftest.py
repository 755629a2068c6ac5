"""Fixtures of the callback tests: the work-order station (tree, clerk, servicemen) and returned orders."""

from __future__ import annotations

import pytest

from tests.workorders.conftest import (  # noqa: F401 - fixtures shared with the work-order tests
    MORNING,
    SH,
    at_morning,
    intake,
    png_bytes,
    worker_a2,
    worker_b,
)
from tests.workorders.conftest import worker_a as worker_a  # noqa: F401
from tests.workorders.field_support import returned


@pytest.fixture
def returned_order(tree, clerk_a, worker_a, manager_a):  # noqa: F811
    """A repair order of center A, completed by worker A at 09:05 (its callback task exists)."""
    return returned(clerk_a, tree["a"], worker_a)


__all__ = ["MORNING", "SH", "intake", "png_bytes", "returned"]


# --- complaints (helper B) -------------------------------------------------------------------------------------------

from servicecenter.complaints import services as complaint_services  # noqa: E402
from servicecenter.notifications import channels as notification_channels  # noqa: E402

CASE = {
    "channel": "phone",
    "complainant_name": "李女士",
    "phone": "139 1234 5678",
    "summary": "维修人员态度恶劣",
    "details": "12月1日上午维修人员上门，说话难听，还让我自己去买配件。",
    "demand": "要求道歉并尽快修好",
    "category": "attitude",
}


def complaint(actor, center, **overrides):
    """A phone complaint taken by `actor` (a staff member) in `center`, through the service."""
    data = {**CASE, **overrides}
    return complaint_services.complaint_create(actor=actor.user, organization=center, **data)


@pytest.fixture
def handler_a(manager_a):
    """The complaint handler of center A (the center manager holds complaints.handle_complaint)."""
    return manager_a


@pytest.fixture
def make_complaint(tree, clerk_a):
    def make(**overrides):
        return complaint(clerk_a, tree["a"], **overrides)

    return make


@pytest.fixture(autouse=True)
def _clean_customer_capture():
    notification_channels.clear_customer_captured()
    yield
    notification_channels.clear_customer_captured()


@pytest.fixture(autouse=True)
def _clean_rate_limits():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
