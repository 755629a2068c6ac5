"""Fixtures of the points tests: the work-order station (tree, clerk, servicemen), deductions set, the finance
clerk, and helpers to return orders and decide approvals."""

from __future__ import annotations

import pytest

from servicecenter.approvals.models import ApprovalStep
from servicecenter.approvals.services import step_decide
from servicecenter.policy import services as policy_services
from servicecenter.policy.values import local_today
from tests import factories
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

__all__ = ["MORNING", "SH", "approve_pending", "returned", "set_param"]


def set_param(actor, key, org, value, since=None):
    return policy_services.parameter_set(
        actor=actor, key=key, organization=org, value=value, effective_from=since or local_today(org), reason="测试设定"
    )


def approve_pending(request, approver, decision="approve", comment=""):
    """Decide the pending step of an approval request as `approver` (the center manager)."""
    step = ApprovalStep.objects.get(request=request, status="pending")
    return step_decide(actor=approver.user, step_id=step.pk, decision=decision, comment=comment or "同意")


@pytest.fixture
def finance_a(tree):
    return factories.make_staff(tree["a"], "finance_clerk", name="甲税控")


@pytest.fixture
def deductions_a(tree, manager_a):
    """Center A has set its deduction values (G-04): late 2, early leave 2, absenteeism 10."""
    for key, val in (("late", "2"), ("early_leave", "2"), ("absenteeism", "10")):
        set_param(manager_a.user, f"points.deduction.{key}", tree["a"], val)
    return tree["a"]
