"""The world the API tests act in: a small organization, one person per role, a pending approval, notifications,
a regulation, and a DRF token per person."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from rest_framework.authtoken.models import Token

from servicecenter.approvals import services as approval_services
from servicecenter.notifications import services as notification_services
from servicecenter.policy import services as policy_services
from tests import factories

ACTORS = ("manager", "clerk", "admin", "gm")


@pytest.fixture
def wsgi_in_test_transaction():
    """Let WSGI requests made in-process share the test's open transaction.

    Django's WSGI handler closes "old" connections at the start and end of every request; inside a test's
    transaction that closes the test's own connection. Django's test client disconnects the same receiver for
    the same reason (django.test.client.ClientHandler).
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_world(tree, wsgi_in_test_transaction):
    """Center A with a manager, an order clerk and a system administrator; the ops-center GM above it.

    The clerk has submitted a 事项请示 large enough to need both the manager and the GM (ORG-05), so the manager
    has a step waiting; everyone has an unread notification; center A has a regulation of its own.
    """
    w = SimpleNamespace(tree=tree)
    w.manager = factories.make_staff(tree["a"], "center_manager", name="甲经理")
    w.clerk = factories.make_staff(tree["a"], "order_clerk", name="甲内勤")
    w.admin = factories.make_staff(tree["a"], "system_admin", name="甲管理员")
    w.gm = factories.make_staff(tree["ops"], "ops_center_gm", name="总经理")
    w.request = approval_services.request_submit(
        actor=w.clerk.user,
        kind="general",
        organization=tree["a"],
        title="采购打印机一台",
        payload={"amount": "50000"},
    )
    w.notifications = notification_services.notify(
        recipients=[getattr(w, name).user for name in ACTORS], title="测试通知", verb="tests.api.world"
    )
    w.regulation = policy_services.regulation_create(
        actor=None,
        organization=tree["a"],
        code="api-test",
        title="接口测试制度",
        effective_date=dt.date(2025, 1, 1),
        clauses=[{"number": "1", "text": "工单半小时响应。"}],
    )
    issue4_records(w)
    w.tokens = {name: Token.objects.create(user=getattr(w, name).user).key for name in ACTORS}
    return w


def issue4_records(w: SimpleNamespace) -> None:
    """Center A's callbacks and complaints for the API fuzzer to aim at: a complaint, a care callback waiting, a
    follow-up (from a callback answered «not solved»), an open opinion and a new work order (not yet ratable)."""
    from django.utils import timezone

    from servicecenter.callbacks import services as callback_services
    from servicecenter.callbacks.models import FollowUp
    from servicecenter.complaints import services as complaint_services
    from servicecenter.customers.models import Customer
    from servicecenter.workorders import services as order_services

    center, clerk, manager = w.tree["a"], w.clerk.user, w.manager.user
    w.complaint = complaint_services.complaint_create(
        actor=clerk,
        organization=center,
        channel="phone",
        complainant_name="接口投诉人",
        phone="13600136000",
        summary="接口测试投诉",
        details="接口测试投诉内容",
    )
    customer = Customer.objects.create(organization=center, name="接口回访客户", phone="13700137000")

    def care(reason: str):
        return callback_services.task_create_care(
            actor=manager,
            organization=center,
            customer_id=customer.pk,
            due_at=timezone.now() + dt.timedelta(days=1),
            reason=reason,
        )

    w.callback = care("接口测试关怀回访")
    answered = care("接口测试已回访")
    callback_services.task_answer(
        actor=clerk, task_id=answered.pk, answers={"a": "no", "b": "average", "c": "no", "d": "6"}
    )
    w.followup = FollowUp.objects.get(task=answered)
    w.opinion = callback_services.opinion_record(actor=clerk, organization=center, kind="suggestion", text="接口意见")
    w.order = order_services.order_create(
        actor=clerk,
        organization=center,
        kind="repair",
        service_type="C",
        customer_name="接口工单客户",
        phone="13800138000",
        address="接口路 1 号",
        problem="接口测试",
        channel="api",
    )
