"""The approvals part of the demo: three samples in the stages the demo shows, loaded once."""

from __future__ import annotations

import pytest

from servicecenter.approvals.demo import load_demo
from servicecenter.approvals.models import ApprovalRequest
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
def test_demo_samples_are_loaded_once(tree, manager_a, clerk_a, gm):
    # given the station's people (the manager among them is never a requester)
    worker = factories.make_staff(tree["team_a"], "service_staff", role_org=tree["a"])
    people = {s.staff_no: s for s in (manager_a, clerk_a, worker, gm)}
    # when
    assert load_demo(centers=[tree["a"], tree["b"]], people=people) == 3
    assert load_demo(centers={"a": tree["a"]}, people=people) == 0
    # then
    requests = {r.title: r for r in ApprovalRequest.objects.all()}
    assert len(requests) == 3
    assert requests["申请更换营业厅打印机硒鼓"].status == "approved"
    waiting = requests["申请为维修一班购置安全帽10顶"]
    assert waiting.steps.get(order=1).assignee == manager_a.user
    large = requests["申请采购维修备品备件一批"]
    assert (large.status, large.current_step_order) == ("pending", 2)
    assert large.steps.get(order=2).assignee == gm.user
    assert {r.requested_by for r in requests.values()} <= {clerk_a.user, worker.user}


def test_demo_without_station_does_nothing(tree, manager_b):
    assert load_demo(centers=[tree["b"]], people={"x": manager_b}) == 0
