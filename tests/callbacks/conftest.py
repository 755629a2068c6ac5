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
