"""回访跟进 (G-03): the manager's list (open first), the page that says why, and the decisions — a rework order, a
complaint with its severity, or closing with a note (required); scoping and query counts."""

from __future__ import annotations

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from servicecenter.callbacks import services
from servicecenter.callbacks.models import CallbackTask, FollowUp
from servicecenter.complaints.models import Complaint
from servicecenter.workorders.models import WorkOrder

from .conftest import returned
from .test_queue import NOW

pytestmark = pytest.mark.django_db

GOOD = {"a": "yes", "b": "satisfied", "c": "no", "d": "9", "e": ""}


@pytest.fixture(autouse=True)
def at_morning():
    with time_machine.travel(NOW, tick=True):
        yield


def _followup(clerk, center, worker, name, **answers) -> FollowUp:
    task = CallbackTask.objects.get(order=returned(clerk, center, worker, customer_name=name))
    services.task_answer(actor=clerk.user, task_id=task.pk, answers={**GOOD, **answers})
    return FollowUp.objects.get(task=task)


@pytest.fixture
def unsolved(tree, clerk_a, worker_a, manager_a) -> FollowUp:
    return _followup(clerk_a, tree["a"], worker_a, "未解决客户", a="no", e="暖气片还是凉的")


def _url(name: str, followup: FollowUp) -> str:
    return reverse(f"callbacks:{name}", args=[followup.pk])


@pytest.mark.clause("G-03")
def test_list_shows_open_followups_first_with_why(unsolved, tree, clerk_a, worker_a, manager_a, client):
    low = _followup(clerk_a, tree["a"], worker_a, "低分客户", d="4")
    services.followup_resolve(actor=manager_a.user, followup_id=low.pk, action="close", note="已致歉")
    client.force_login(manager_a.user)
    body = client.get(reverse("callbacks:followups")).content.decode()
    assert "未解决客户" in body and "问题未解决" in body and "低分客户" not in body  # the default tab: open
    body = client.get(reverse("callbacks:followups"), {"status": "all"}).content.decode()
    assert body.index("未解决客户") < body.index("低分客户")  # open first
    body = client.get(reverse("callbacks:followups"), {"status": "closed"}).content.decode()
    assert "低分客户" in body and "未解决客户" not in body
    assert client.get(reverse("callbacks:followups"), {"status": "bogus"}).status_code == 200  # falls back to open


@pytest.mark.clause("G-03")
def test_detail_says_why_with_the_rule_and_shows_answers_and_order(unsolved, manager_a, client):
    client.force_login(manager_a.user)
    body = client.get(_url("followup_detail", unsolved)).content.decode()
    assert 'id="followup-why"' in body and "问题未解决" in body and "G-03" in body
    assert "评分不高于 5 分（callbacks.followup_score_max" in body  # the threshold in force, with its origin
    assert "暖气片还是凉的" in body and unsolved.order.number in body and "更换光猫电源" in body
    assert 'id="resolve-form"' in body


def test_rework_opens_a_linked_high_priority_order(unsolved, manager_a, client):
    client.force_login(manager_a.user)
    response = client.post(_url("followup_resolve", unsolved), {"action": "rework", "note": "请带新阀门"})
    assert response.status_code == 302
    unsolved.refresh_from_db()
    rework = WorkOrder.objects.get(pk=unsolved.rework_order_id)
    assert (
        unsolved.status == "rework" and rework.priority == "high" and rework.customer_id == unsolved.order.customer_id
    )
    assert unsolved.order.number in rework.problem and "请带新阀门" in rework.problem
    assert any(rework.number in str(m) for m in get_messages(response.wsgi_request))
    body = client.get(_url("followup_detail", unsolved)).content.decode()
    assert 'id="rework-link"' in body and rework.number in body and 'id="resolve-form"' not in body


def test_complaint_with_its_severity(unsolved, manager_a, client):
    client.force_login(manager_a.user)
    response = client.post(_url("followup_resolve", unsolved), {"action": "complaint", "severity": "serious"})
    assert response.status_code == 302
    unsolved.refresh_from_db()
    complaint = Complaint.objects.get(pk=unsolved.complaint_id)
    assert unsolved.status == "complaint" and complaint.severity == "serious" and complaint.channel == "callback"
    assert complaint.number in client.get(_url("followup_detail", unsolved)).content.decode()


def test_close_needs_a_note_and_bad_input_saves_nothing(unsolved, manager_a, client):
    client.force_login(manager_a.user)
    response = client.post(_url("followup_resolve", unsolved), {"action": "close", "note": ""})
    assert response.status_code == 400 and "此项必填" in response.content.decode()
    response = client.post(_url("followup_resolve", unsolved), {"action": "delete"})
    assert response.status_code == 400
    response = client.post(_url("followup_resolve", unsolved), {"action": "complaint", "severity": "apocalyptic"})
    assert response.status_code == 400
    unsolved.refresh_from_db()
    assert unsolved.status == "open" and not Complaint.objects.exists()
    assert client.post(_url("followup_resolve", unsolved), {"action": "close", "note": "客户已满意"}).status_code == 302
    unsolved.refresh_from_db()
    assert (
        unsolved.status == "closed" and unsolved.resolution == "客户已满意" and unsolved.resolved_by == manager_a.user
    )
    # twice: a message, nothing changes
    response = client.post(_url("followup_resolve", unsolved), {"action": "rework"})
    assert response.status_code == 302 and unsolved.rework_order_id is None
    assert any("已处理" in str(m) for m in get_messages(response.wsgi_request))


def test_followups_are_for_managers_of_the_center(unsolved, clerk_a, manager_b, client):
    client.force_login(clerk_a.user)  # the clerk makes callbacks but does not decide follow-ups
    assert client.get(reverse("callbacks:followups")).status_code == 403
    assert client.get(_url("followup_detail", unsolved)).status_code == 404
    client.force_login(manager_b.user)
    assert "未解决客户" not in client.get(reverse("callbacks:followups")).content.decode()
    assert client.get(_url("followup_detail", unsolved)).status_code == 404
    assert client.post(_url("followup_resolve", unsolved), {"action": "close", "note": "x"}).status_code == 404
    unsolved.refresh_from_db()
    assert unsolved.status == "open"


def test_list_and_detail_query_counts_are_flat(unsolved, tree, clerk_a, worker_a, manager_a, client):
    client.force_login(manager_a.user)

    def count(url: str, **params) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, params).status_code == 200
        return len(ctx)

    one = count(reverse("callbacks:followups"), status="all")
    for i in range(5):
        f = _followup(clerk_a, tree["a"], worker_a, f"客户{i}", b="dissatisfied", d=str(1 + i))
        if i % 2:
            services.followup_resolve(actor=manager_a.user, followup_id=f.pk, action="rework")
    many = count(reverse("callbacks:followups"), status="all")
    assert many == one <= 14, (one, many)
    assert count(_url("followup_detail", unsolved)) <= 14


def test_list_pages(unsolved, tree, clerk_a, worker_a, manager_a, client, monkeypatch):
    from servicecenter.callbacks.views import followups

    monkeypatch.setattr(followups, "PAGE_SIZE", 1)
    _followup(clerk_a, tree["a"], worker_a, "第二位客户", a="no")
    client.force_login(manager_a.user)
    first = client.get(reverse("callbacks:followups")).content.decode()
    assert "第二位客户" in first and "未解决客户" not in first and "page=2" in first
    second = client.get(reverse("callbacks:followups"), {"page": 2}).content.decode()
    assert "未解决客户" in second
