"""Submit, decide, return/resubmit, withdraw: state, audit trail and notifications."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from servicecenter.approvals import services
from servicecenter.approvals.kinds import KINDS, Route, register_kind
from servicecenter.core.errors import Conflict, NotAllowed, ValidationFailed
from servicecenter.core.models import AuditEvent
from servicecenter.notifications.models import Notification
from servicecenter.policy.models import ParameterValue
from tests import factories

from .conftest import pending_step

pytestmark = pytest.mark.django_db


def events(request, verb=None):
    qs = AuditEvent.objects.for_target(request).order_by("occurred_at", "id")
    return qs.filter(verb=verb) if verb else qs


@pytest.mark.smoke
@pytest.mark.clause("ORG-05", "C-11")
def test_submit_routes_to_center_manager_and_records_it(submit, clerk_a, manager_a):
    # when
    req = submit(clerk_a, title="申请购买打印纸", amount="300")
    # then
    step = pending_step(req)
    assert (req.status, req.current_step_order, req.requested_by_name) == ("pending", 1, "甲内勤")
    assert (step.role_code, step.assignee, step.status) == ("center_manager", manager_a.user, "pending")
    assert req.route_clause == "ORG-05"
    assert "事项请示：中心经理审批金额上限" in req.route_citation
    event = events(req, "approvals.request.submitted").get()
    assert event.actor == clerk_a.user
    assert event.changes["status"] == [None, "pending"]
    assert event.changes["route"] == [None, ["center_manager"]]
    assert event.clause == "ORG-05"
    assert Notification.objects.filter(recipient=manager_a.user, verb="approvals.step.assigned").count() == 1


@pytest.mark.smoke
def test_approve_single_step_finishes_request(submit, clerk_a, manager_a):
    # given
    req = submit(clerk_a)
    step = pending_step(req)
    # when
    services.step_decide(actor=manager_a.user, step_id=step.pk, decision="approve", comment="同意")
    # then
    req.refresh_from_db()
    step.refresh_from_db()
    assert (req.status, step.status, step.decided_by, step.comment) == ("approved", "approved", manager_a.user, "同意")
    assert req.decided_at is not None and req.current_step_order is None
    event = events(req, "approvals.step.approved").get()
    assert event.actor == manager_a.user
    assert event.changes["status"] == ["pending", "approved"]
    assert event.changes["step_status"] == ["pending", "approved"]
    assert event.clause == "ORG-05"
    assert event.note == "同意"
    assert Notification.objects.filter(recipient=clerk_a.user, verb="approvals.request.decided").exists()


def test_large_amount_goes_to_gm_after_manager(submit, clerk_a, manager_a, gm):
    # given 5,000 yuan > the 2,000 manager limit
    req = submit(clerk_a, amount="5000")
    assert list(req.steps.values_list("role_code", "status")) == [
        ("center_manager", "pending"),
        ("ops_center_gm", "waiting"),
    ]
    # when the manager approves
    services.step_decide(actor=manager_a.user, step_id=pending_step(req).pk, decision="approve")
    req.refresh_from_db()
    # then the GM has it; the request is still pending
    step2 = pending_step(req)
    assert (req.status, step2.order, step2.assignee) == ("pending", 2, gm.user)
    assert Notification.objects.filter(recipient=gm.user, verb="approvals.step.assigned").exists()
    assert not Notification.objects.filter(recipient=clerk_a.user, verb="approvals.request.decided").exists()
    # when the GM approves, the request is approved
    services.step_decide(actor=gm.user, step_id=step2.pk, decision="approve")
    req.refresh_from_db()
    assert req.status == "approved"


@pytest.mark.clause("ORG-05")
def test_manager_limit_is_a_policy_parameter(submit, clerk_a, manager_a, tree):
    # given center A raised the manager's limit to 10,000
    ParameterValue.objects.create(
        key="approvals.general_manager_limit_cny",
        organization=tree["a"],
        value="10000",
        effective_from=timezone.localdate() - timedelta(days=1),
        reason="提高经理权限",
    )
    # when
    req = submit(clerk_a, amount="5000")
    # then
    assert list(req.steps.values_list("role_code", flat=True)) == ["center_manager"]
    assert "10000" in req.route_citation


def test_reject_needs_comment_and_ends_request(submit, clerk_a, manager_a, gm):
    req = submit(clerk_a, amount="5000")
    step = pending_step(req)
    # when no comment
    with pytest.raises(ValidationFailed) as err:
        services.step_decide(actor=manager_a.user, step_id=step.pk, decision="reject", comment="  ")
    assert "comment" in err.value.fields
    # when with a comment
    services.step_decide(actor=manager_a.user, step_id=step.pk, decision="reject", comment="预算不足")
    req.refresh_from_db()
    assert req.status == "rejected"
    assert list(req.steps.values_list("status", flat=True)) == ["rejected", "skipped"]
    event = events(req, "approvals.step.rejected").get()
    assert event.changes["status"] == ["pending", "rejected"] and event.note == "预算不足"
    assert Notification.objects.filter(recipient=clerk_a.user, verb="approvals.request.decided").exists()


def test_unknown_decision_is_refused(submit, clerk_a, manager_a):
    req = submit(clerk_a)
    with pytest.raises(ValidationFailed):
        services.step_decide(actor=manager_a.user, step_id=pending_step(req).pk, decision="maybe")


def test_return_then_resubmit_restarts_at_returned_step(submit, clerk_a, manager_a, gm):
    # given the GM returns a two-step request
    req = submit(clerk_a, amount="5000", description="旧说明")
    services.step_decide(actor=manager_a.user, step_id=pending_step(req).pk, decision="approve")
    req.refresh_from_db()
    step2 = pending_step(req)
    with pytest.raises(ValidationFailed):
        services.step_decide(actor=gm.user, step_id=step2.pk, decision="return")
    services.step_decide(actor=gm.user, step_id=step2.pk, decision="return", comment="请补充报价单")
    req.refresh_from_db()
    assert (req.status, req.current_step_order) == ("returned", 2)
    assert Notification.objects.filter(recipient=clerk_a.user, verb="approvals.request.returned").exists()
    assert events(req, "approvals.step.returned").get().note == "请补充报价单"
    # when the requester resubmits
    services.request_resubmit(actor=clerk_a.user, request_id=req.pk, description="新说明，附三家报价")
    # then the GM's step is pending again; the manager's approval stands
    req.refresh_from_db()
    assert (req.status, req.description) == ("pending", "新说明，附三家报价")
    assert list(req.steps.values_list("status", flat=True)) == ["approved", "pending"]
    assert pending_step(req).assignee == gm.user
    event = events(req, "approvals.request.resubmitted").get()
    assert event.changes["status"] == ["returned", "pending"]
    assert event.changes["description"] == ["旧说明", "新说明，附三家报价"]


def test_only_requester_resubmits_and_only_when_returned(submit, clerk_a, manager_a):
    req = submit(clerk_a)
    with pytest.raises(Conflict):
        services.request_resubmit(actor=clerk_a.user, request_id=req.pk)
    services.step_decide(actor=manager_a.user, step_id=pending_step(req).pk, decision="return", comment="补充")
    with pytest.raises(NotAllowed):
        services.request_resubmit(actor=manager_a.user, request_id=req.pk)


def test_withdraw_skips_open_steps_and_tells_approver(submit, clerk_a, manager_a, gm):
    # given
    req = submit(clerk_a, amount="5000")
    # when
    services.request_withdraw(actor=clerk_a.user, request_id=req.pk)
    # then
    req.refresh_from_db()
    assert req.status == "withdrawn"
    assert list(req.steps.values_list("status", flat=True)) == ["skipped", "skipped"]
    assert events(req, "approvals.request.withdrawn").get().changes == {"status": ["pending", "withdrawn"]}
    assert Notification.objects.filter(recipient=manager_a.user, verb="approvals.request.withdrawn").exists()
    # a withdrawn request cannot be withdrawn or decided again
    with pytest.raises(Conflict):
        services.request_withdraw(actor=clerk_a.user, request_id=req.pk)
    with pytest.raises(Conflict) as err:
        services.step_decide(actor=manager_a.user, step_id=req.steps.get(order=1).pk, decision="approve")
    assert "撤回" in err.value.message


def test_only_requester_withdraws(submit, clerk_a, manager_a):
    req = submit(clerk_a)
    with pytest.raises(NotAllowed):
        services.request_withdraw(actor=manager_a.user, request_id=req.pk)


def test_wrong_user_may_not_decide(submit, clerk_a, manager_a, manager_b, admin_a):
    req = submit(clerk_a)
    step = pending_step(req)
    for other in (manager_b, admin_a, clerk_a):
        with pytest.raises(NotAllowed):
            services.step_decide(actor=other.user, step_id=step.pk, decision="approve")
    step.refresh_from_db()
    assert step.status == "pending"


def test_second_decision_gets_a_clear_conflict(submit, clerk_a, manager_a):
    # given the manager approved (e.g. the first of a double click)
    req = submit(clerk_a)
    step = pending_step(req)
    services.step_decide(actor=manager_a.user, step_id=step.pk, decision="approve")
    # when the second click arrives
    with pytest.raises(Conflict) as err:
        services.step_decide(actor=manager_a.user, step_id=step.pk, decision="reject", comment="不行")
    # then
    assert err.value.message.startswith("该审批已由 甲经理 于 ")
    assert "处理（同意）" in err.value.message
    assert events(req, "approvals.step.approved").count() == 1
    assert not events(req, "approvals.step.rejected").exists()


def test_submit_needs_permission_and_title(tree, submit, clerk_a):
    outsider = factories.make_staff(tree["a"])  # a member of the center without any role
    with pytest.raises(NotAllowed):
        submit(outsider)
    with pytest.raises(ValidationFailed) as err:
        submit(clerk_a, title="  ")
    assert "title" in err.value.fields
    with pytest.raises(ValidationFailed) as err:
        submit(clerk_a, amount="-5")
    assert "amount" in err.value.fields
    with pytest.raises(ValidationFailed):
        services.request_submit(actor=clerk_a.user, kind="nope", organization=tree["a"], title="x")


@pytest.fixture
def filing_kind():
    """A test kind with a notify-only party (like leave ≤3 days + 渠道部, LEV-02) and an on_decided hook."""
    seen = []

    def route(ctx):
        return Route(steps=("center_manager",), notify=("channel_department",), clause="ORG-06")

    kind = register_kind("test_filing", "测试报备", route, on_decided=lambda request: seen.append(request.status))
    yield seen
    KINDS.pop(kind.code)


@pytest.mark.clause("ORG-06")
def test_notify_only_parties_get_filing_copies(tree, clerk_a, manager_a, filing_kind):
    # given a 渠道部 member at the ops center
    channel = factories.make_staff(tree["ops"], "channel_department", name="渠道部小王")
    # when submitted
    req = services.request_submit(actor=clerk_a.user, kind="test_filing", organization=tree["a"], title="报备事项")
    # then 渠道部 is a notice party, told of the submission, and never an approver
    assert list(req.notices.values_list("user", flat=True)) == [channel.user.pk]
    assert Notification.objects.filter(recipient=channel.user, verb="approvals.request.submitted").count() == 1
    assert not req.steps.filter(assignee=channel.user).exists()
    # when decided, 渠道部 and the requester are told, and the kind reacts inside the transaction
    services.step_decide(actor=manager_a.user, step_id=pending_step(req).pk, decision="approve")
    assert Notification.objects.filter(recipient=channel.user, verb="approvals.request.decided").count() == 1
    assert Notification.objects.filter(recipient=clerk_a.user, verb="approvals.request.decided").count() == 1
    assert filing_kind == ["approved"]


def test_on_decided_runs_for_withdrawal_too(tree, clerk_a, manager_a, filing_kind):
    req = services.request_submit(actor=clerk_a.user, kind="test_filing", organization=tree["a"], title="报备事项")
    services.request_withdraw(actor=clerk_a.user, request_id=req.pk)
    assert filing_kind == ["withdrawn"]


def test_on_decided_refusal_rolls_the_decision_back(tree, clerk_a, manager_a):
    # given a kind whose app refuses the final decision
    def refuse(request):
        raise ValidationFailed("车辆已被占用")

    register_kind("test_refuse", "测试", lambda ctx: Route(steps=("center_manager",)), on_decided=refuse)
    try:
        req = services.request_submit(actor=clerk_a.user, kind="test_refuse", organization=tree["a"], title="派车")
        with pytest.raises(ValidationFailed):
            services.step_decide(actor=manager_a.user, step_id=pending_step(req).pk, decision="approve")
    finally:
        KINDS.pop("test_refuse")
    # then nothing changed
    req.refresh_from_db()
    assert req.status == "pending" and pending_step(req).status == "pending"
    assert not events(req, "approvals.step.approved").exists()


def test_registering_a_kind_twice_is_a_bug():
    with pytest.raises(ValueError):
        register_kind("general", "重复", lambda ctx: Route(steps=("center_manager",)))


def test_subject_links_the_record_being_approved(tree, clerk_a, manager_a, filing_kind):
    # given a later app's record (any model) submitted for approval
    req = services.request_submit(
        actor=clerk_a.user, kind="test_filing", organization=tree["a"], title="带对象的申请", subject=clerk_a
    )
    # then the request points at it, and can be found from it
    req.refresh_from_db()
    assert req.subject == clerk_a
    assert req.subject_id == str(clerk_a.pk)


def test_waiting_for_you_notifications_are_settled_once_decided_or_withdrawn(tree, submit, clerk_a, manager_a, gm):
    # given a large request: manager first, then the GM; the manager has «待您审批» unread
    from servicecenter.notifications.selectors import unread_count

    req = submit(clerk_a, title="采购空调", amount="9000")
    assert unread_count(user=manager_a.user) == 1
    # when the manager approves
    services.step_decide(actor=manager_a.user, step_id=pending_step(req).pk, decision="approve")
    # then the manager's item is settled and the GM has his own
    assert unread_count(user=manager_a.user) == 0
    assert unread_count(user=gm.user) == 1
    # when the requester withdraws, the GM's item is settled too (he is told of the withdrawal instead)
    services.request_withdraw(actor=clerk_a.user, request_id=req.pk)
    unread = Notification.objects.filter(recipient=gm.user, read_at__isnull=True)
    assert [n.verb for n in unread] == ["approvals.request.withdrawn"]
