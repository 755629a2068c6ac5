"""Fixtures of the approvals tests: a submitted 事项请示 through the real service."""

from __future__ import annotations

import pytest

from servicecenter.approvals import services
from tests import factories


@pytest.fixture
def admin_a(tree):
    return factories.make_staff(tree["a"], "system_admin", name="甲管理员")


@pytest.fixture
def deputy_a(tree):
    return factories.make_staff(tree["a"], "order_clerk", name="甲副经理")


@pytest.fixture
def submit(tree):
    """`submit(staff, title=…, amount=…)` → a general request of `staff` in center A (or `org`)."""

    def _submit(staff, *, title="采购打印机一台", amount=None, org=None, description="", now=None):
        payload = {"amount": str(amount)} if amount is not None else {}
        return services.request_submit(
            actor=staff.user,
            kind="general",
            organization=org or tree["a"],
            title=title,
            description=description,
            payload=payload,
            now=now,
        )

    return _submit


def pending_step(request):
    return request.steps.get(order=request.current_step_order)
