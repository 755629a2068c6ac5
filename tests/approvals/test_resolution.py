"""Resolving route roles to people: nearest holder up the tree, never the requester, never lost (ORG-05, C-11)."""

from __future__ import annotations

import pytest

from servicecenter.approvals import services
from servicecenter.core.errors import NotAllowed
from servicecenter.core.models import AuditEvent
from servicecenter.org import services as org_services
from tests import factories

from .conftest import pending_step

pytestmark = pytest.mark.django_db


@pytest.mark.clause("C-11", "ORG-05")
def test_team_member_resolves_to_center_manager_up_the_tree(tree, submit, manager_a, manager_b):
    # given a field worker in center A's team (the role is held at the center, one level up)
    worker = factories.make_staff(tree["team_a"], "service_staff", name="甲师傅")
    # when
    req = submit(worker)
    # then the manager of A — not the manager of B — approves
    assert pending_step(req).assignee == manager_a.user


@pytest.mark.clause("C-11")
def test_nearest_level_wins_over_a_higher_holder_of_the_same_role(tree, submit, clerk_a, manager_a):
    # given somebody also holds center_manager over the whole ops center
    factories.make_staff(tree["ops"], "center_manager", name="片区经理")
    # when
    req = submit(clerk_a)
    # then the center's own manager (nearer) approves
    assert pending_step(req).assignee == manager_a.user


@pytest.mark.clause("ORG-05")
def test_manager_never_approves_own_request_escalates_to_gm(submit, manager_a, gm):
    # when the center manager asks for something within their own limit
    req = submit(manager_a, amount="100")
    # then the step escalates to the ops-center GM, with the reason shown
    step = pending_step(req)
    assert (step.role_code, step.assignee) == ("ops_center_gm", gm.user)
    assert "申请人本人担任「服务中心经理」" in step.resolution_note
    assert req.route_flags == []


@pytest.mark.clause("ORG-05")
def test_manager_own_large_request_skips_to_gm_step(submit, manager_a, gm):
    # when the manager's request already has a GM step
    req = submit(manager_a, amount="9000")
    # then their own step is skipped (no double GM approval) and the GM decides
    assert list(req.steps.values_list("role_code", "status")) == [
        ("center_manager", "skipped"),
        ("ops_center_gm", "pending"),
    ]
    assert pending_step(req).assignee == gm.user
    services.step_decide(actor=gm.user, step_id=pending_step(req).pk, decision="approve")
    req.refresh_from_db()
    assert req.status == "approved"


@pytest.mark.clause("ORG-05")
def test_second_holder_at_same_level_approves_instead_of_requester(tree, submit, manager_a, gm):
    # given a second manager of center A
    deputy = factories.make_staff(tree["a"], "center_manager", name="甲副经理")
    # when manager A submits
    req = submit(manager_a)
    # then the other manager of the same center approves (no escalation needed)
    assert pending_step(req).assignee == deputy.user


@pytest.mark.clause("C-11")
def test_no_holder_anywhere_goes_to_nearest_system_admin_flagged(tree, submit, clerk_a, admin_a):
    # given center A has no manager; an admin of center A and a superuser exist
    factories.make_staff(tree["ops"], "system_admin", name="营维管理员")
    # when
    req = submit(clerk_a)
    # then the nearest system admin has it, and the request says why
    step = pending_step(req)
    assert step.assignee == admin_a.user
    assert req.route_flags == ["no_approver"]
    assert "未找到「服务中心经理」" in step.resolution_note
    submitted = AuditEvent.objects.for_target(req).get(verb="approvals.request.submitted")
    assert submitted.changes["route_flags"] == [None, ["no_approver"]]


def test_role_holders_are_resolved_again_when_a_step_becomes_pending(tree, submit, clerk_a, manager_a, gm):
    # given a two-step request; the GM leaves and a new GM is appointed before step 2
    req = submit(clerk_a, amount="5000")
    assert req.steps.get(order=2).assignee == gm.user
    org_services.staff_set_status(actor=None, staff=gm, status="left")
    new_gm = factories.make_staff(tree["ops"], "ops_center_gm", name="新总经理")
    # when the manager approves
    services.step_decide(actor=manager_a.user, step_id=pending_step(req).pk, decision="approve")
    # then the new GM has step 2
    req.refresh_from_db()
    assert pending_step(req).assignee == new_gm.user


def test_user_without_role_in_org_cannot_submit_there(tree, clerk_a, manager_b):
    with pytest.raises(NotAllowed):
        services.request_submit(actor=clerk_a.user, kind="general", organization=tree["b"], title="越权提交")


@pytest.mark.clause("ORG-05", "C-11")
def test_general_request_in_a_gov_hall_goes_to_the_hall_leaders(tree):
    # given a D19 hall with its leaders (it has no center manager)
    from servicecenter.approvals import services

    hall = tree["b"]
    leader = factories.make_staff(hall, "leader_in_charge", name="分管领导")
    principal = factories.make_staff(hall, "principal_leader", name="主要领导")
    window = factories.make_staff(hall, "window_staff", name="窗口人员")
    # when a window clerk asks for a small and a large amount
    small = services.request_submit(
        actor=window.user, kind="general", organization=hall, title="买打印纸", payload={"amount": "200"}
    )
    large = services.request_submit(
        actor=window.user, kind="general", organization=hall, title="换叫号机", payload={"amount": "9000"}
    )
    # then the hall preset routes them to the leader in charge, and on to the principal leader above the limit
    assert [s.assignee_id for s in small.steps.order_by("order")] == [leader.user_id]
    assert [s.assignee_id for s in large.steps.order_by("order")] == [leader.user_id, principal.user_id]
    assert "no_approver" not in small.route_flags
    assert "approvals.general_route_roles" not in small.route_citation or "中心类型预设" in small.route_citation
