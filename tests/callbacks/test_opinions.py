"""客户意见 (CB-13, CMP-06): the manager's list with filters, reply-and-close (refused without a response, the
refusal shown), recording an opinion by hand (typed; a staff rating names the staff member), scoping, query counts."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from servicecenter.callbacks import services
from servicecenter.callbacks.models import CallbackTask, Opinion

from .conftest import returned
from .test_queue import NOW

pytestmark = pytest.mark.django_db

GOOD = {"a": "yes", "b": "satisfied", "c": "no", "d": "9", "e": ""}


@pytest.fixture(autouse=True)
def at_morning():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def from_callback(tree, clerk_a, worker_a, manager_a) -> Opinion:
    task = CallbackTask.objects.get(order=returned(clerk_a, tree["a"], worker_a))
    services.task_answer(actor=clerk_a.user, task_id=task.pk, answers={**GOOD, "e": "希望上门前先打电话"})
    return Opinion.objects.get(task=task)


def _list(client, user, **params):
    client.force_login(user)
    return client.get(reverse("callbacks:opinions"), params)


def test_list_defaults_to_open_and_filters(from_callback, tree, clerk_a, manager_a, worker_a, client):
    services.opinion_record(
        actor=manager_a.user, organization=tree["a"], kind="staff_rating", text="师傅很专业", staff_id=worker_a.pk
    )
    closed = services.opinion_record(actor=manager_a.user, organization=tree["a"], kind="grievance", text="等太久了")
    services.opinion_close(actor=manager_a.user, opinion_id=closed.pk, response="已改进派单")
    body = _list(client, manager_a.user).content.decode()
    assert "希望上门前先打电话" in body and "师傅很专业" in body and "等太久了" not in body
    assert "138 0013 8000" in body  # the manager also makes callbacks: full number
    body = _list(client, manager_a.user, status="closed").content.decode()
    assert "等太久了" in body and "已改进派单" in body and "甲经理" in body
    body = _list(client, manager_a.user, status="", kind="staff_rating").content.decode()
    assert "师傅很专业" in body and "甲维修工" in body and "希望上门前先打电话" not in body
    body = _list(client, manager_a.user, status="", source="callback").content.decode()
    assert "希望上门前先打电话" in body and "师傅很专业" not in body
    assert _list(client, manager_a.user, kind="rumour").status_code == 400


@pytest.mark.clause("CMP-06")
def test_reply_and_close_needs_a_response(from_callback, manager_a, client):
    client.force_login(manager_a.user)
    url = reverse("callbacks:opinion_close", args=[from_callback.pk])
    response = client.post(url, {"response": "  ", "next": "/callbacks/opinions/?status=open"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "须填写答复内容后才能关闭（CMP-06）" in body and 'id="opinion-close-failed"' in body
    from_callback.refresh_from_db()
    assert from_callback.status == "open" and from_callback.handled_by is None
    response = client.post(url, {"response": "已安排师傅提前联系", "next": "/callbacks/opinions/?status=open"})
    assert response.status_code == 302 and response["Location"] == "/callbacks/opinions/?status=open"
    from_callback.refresh_from_db()
    assert from_callback.status == "closed" and from_callback.handled_by == manager_a.user
    # a second close: told who answered, nothing changes
    response = client.post(url, {"response": "再答复"})
    assert response.status_code == 302 and response["Location"] == reverse("callbacks:opinions")
    from_callback.refresh_from_db()
    assert from_callback.response == "已安排师傅提前联系"
    # an off-site `next` is ignored
    other = services.opinion_record(
        actor=manager_a.user, organization=from_callback.organization, kind="suggestion", text="x"
    )
    response = client.post(
        reverse("callbacks:opinion_close", args=[other.pk]), {"response": "好", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("callbacks:opinions")


@pytest.mark.clause("CB-13")
def test_record_an_opinion_by_hand(tree, clerk_a, manager_a, worker_a, returned_order, client):
    client.force_login(clerk_a.user)  # a clerk records what comes in by letter or at the counter
    url = reverse("callbacks:opinion_record")
    assert client.get(url).status_code == 200
    response = client.post(url, {"center": tree["a"].pk, "kind": "staff_rating", "text": "态度很好"})
    assert response.status_code == 400 and "对服务人员的品评须选择人员（CB-13）" in response.content.decode()
    response = client.post(url, {"center": tree["a"].pk, "kind": "praise", "text": "好"})
    assert response.status_code == 400
    response = client.post(url, {"center": tree["a"].pk, "kind": "suggestion", "text": "x", "phone": "13999999999"})
    assert response.status_code == 400 and "本中心没有该电话的客户" in response.content.decode()
    assert not Opinion.objects.exists()
    response = client.post(
        url,
        {
            "center": tree["a"].pk,
            "kind": "staff_rating",
            "text": "态度很好",
            "staff": worker_a.pk,
            "phone": "138-0013-8000",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("callbacks:queue")
    opinion = Opinion.objects.get()
    assert (
        opinion.source == "manual" and opinion.staff == worker_a and opinion.customer_id == returned_order.customer_id
    )
    client.force_login(manager_a.user)
    response = client.post(url, {"center": tree["a"].pk, "kind": "suggestion", "text": "增加晚间服务"})
    assert response["Location"] == reverse("callbacks:opinions") + f"?center={tree['a'].pk}"
    assert client.get(url, {"center": tree["b"].pk}).status_code == 404


def test_opinions_are_scoped(from_callback, clerk_a, manager_b, worker_a, client):
    assert _list(client, clerk_a.user).status_code == 403
    assert "希望上门前先打电话" not in _list(client, manager_b.user).content.decode()
    client.force_login(manager_b.user)
    response = client.post(reverse("callbacks:opinion_close", args=[from_callback.pk]), {"response": "越权"})
    assert response.status_code == 404
    client.force_login(worker_a.user)
    assert client.get(reverse("callbacks:opinion_record")).status_code == 403
    from_callback.refresh_from_db()
    assert from_callback.status == "open"


def test_list_query_count_is_flat(from_callback, tree, manager_a, worker_a, client):
    client.force_login(manager_a.user)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("callbacks:opinions"), {"status": ""}).status_code == 200
        return len(ctx)

    one = count()
    for i in range(6):
        opinion = services.opinion_record(
            actor=manager_a.user, organization=tree["a"], kind="staff_rating", text=f"品评{i}", staff_id=worker_a.pk
        )
        if i % 2:
            services.opinion_close(actor=manager_a.user, opinion_id=opinion.pk, response="谢谢")
    assert count() == one <= 12
