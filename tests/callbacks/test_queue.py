"""The callback queue (WO-10, CB-01): due callbacks first, then later retries and appointments; filters, counts,
keyset paging, scoping, query counts. The history of finished callbacks with the stable drill-down parameters of
the satisfaction report, phone masking, and the manager's care callback (CB-16)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from servicecenter.callbacks import selectors, services
from servicecenter.callbacks.models import CallbackTask
from servicecenter.customers import services as customer_services
from servicecenter.org import services as org_services
from servicecenter.org.models import Role
from tests import factories

from .conftest import MORNING, returned

pytestmark = pytest.mark.django_db

NOW = MORNING + timedelta(minutes=30)  # 09:30: the orders below were returned at 09:05
GOOD = {"a": "yes", "b": "satisfied", "c": "no", "d": "9", "e": ""}


@pytest.fixture(autouse=True)
def at_morning():
    """The queue tests run at 09:30 (the conftest's orders are returned at 09:05, so their callbacks are due)."""
    with time_machine.travel(NOW, tick=True):
        yield


def _task(order) -> CallbackTask:
    return CallbackTask.objects.get(order=order)


def _get(client, user, name="callbacks:queue", **params):
    client.force_login(user)
    return client.get(reverse(name), params)


@pytest.fixture
def three(tree, clerk_a, worker_a, manager_a):
    """Three returned orders: one due now, one not reached (retry later), one with an appointment this afternoon."""
    due = _task(returned(clerk_a, tree["a"], worker_a, customer_name="到期客户", phone="13800000001"))
    retry = _task(returned(clerk_a, tree["a"], worker_a, customer_name="重拨客户", phone="13800000002"))
    booked = _task(returned(clerk_a, tree["a"], worker_a, customer_name="预约客户", phone="13800000003"))
    services.task_record_attempt(actor=clerk_a.user, task_id=retry.pk, result="no_answer")
    services.task_record_attempt(
        actor=clerk_a.user, task_id=booked.pk, result="not_convenient", appointment_at=MORNING + timedelta(hours=6)
    )
    return due, retry, booked


@pytest.mark.clause("WO-10")
@pytest.mark.clause("CB-01")
def test_queue_lists_due_first_then_retries_and_appointments(three, clerk_a, client):
    due, retry, booked = three
    body = _get(client, clerk_a.user).content.decode()
    # due now first; then the retry (11:30 business time); then the appointment (15:00), below the divider
    positions = [body.index(name) for name in ("到期客户", "重拨客户", "预约客户")]
    assert positions == sorted(positions)
    assert body.index("queue-divider") < positions[1]
    assert 'id="btn-next"' in body and reverse("callbacks:call", args=[due.pk]) in body
    assert "预约</span>" in body  # the appointment is marked
    assert "data-due=" in body and "data-server-now=" in body  # countdown
    # the clerk dials: the full number
    assert "13800000001" in body


def test_queue_counts_and_filters(three, tree, clerk_a, manager_a, client):
    due, retry, booked = three
    services.task_claim(actor=clerk_a.user, task_id=due.pk)
    services.task_create_care(
        actor=manager_a.user,
        organization=tree["a"],
        customer_id=due.customer_id,
        due_at=NOW + timedelta(days=3),
        reason="节日问候",
    )
    counts = selectors.queue_counts(user=clerk_a.user, centers=[tree["a"]], now=NOW)
    assert counts == {"pending": 4, "due_now": 1, "overdue": 0, "appointments": 1, "mine": 1}

    def names(**params) -> set[str]:
        response = _get(client, clerk_a.user, **params)
        assert response.status_code == 200
        return {t.customer_name for t in response.context["rows"]}

    assert names(kind="care") == {"到期客户"} and len(_get(client, clerk_a.user, kind="care").context["rows"]) == 1
    assert names(appointments="on") == {"预约客户"}
    assert names(mine="on") == {"到期客户"}
    assert names(overdue="on") == set()
    with time_machine.travel(MORNING + timedelta(days=2), tick=False):
        assert names(overdue="on") == {"到期客户", "重拨客户", "预约客户"}  # due 12-02 20:00 passed; the care one not


def test_queue_bad_filter_is_a_400_and_unknown_center_a_404(three, tree, clerk_a, client):
    response = _get(client, clerk_a.user, kind="nonsense")
    assert response.status_code == 400 and "筛选条件有误" in response.content.decode()
    assert _get(client, clerk_a.user, center=tree["b"].pk).status_code == 404
    assert _get(client, clerk_a.user, center="x").status_code == 404


def test_queue_is_scoped_and_needs_the_callback_permission(three, tree, clerk_a, manager_b, worker_a, gm, client):
    body = _get(client, manager_b.user).content.decode()
    assert "到期客户" not in body
    assert _get(client, worker_a.user).status_code == 403  # a serviceman does not make callbacks
    # the ops-center GM sees every center's queue, one center at a time on request
    body = _get(client, gm.user).content.decode()
    assert "到期客户" in body and 'name="center"' in body
    assert "到期客户" not in _get(client, gm.user, center=tree["b"].pk).content.decode()


def test_queue_keyset_paging(three, clerk_a, client, monkeypatch):
    monkeypatch.setattr(selectors, "QUEUE_PAGE", 2)
    first = _get(client, clerk_a.user)
    assert [t.customer_name for t in first.context["rows"]] == ["到期客户", "重拨客户"]
    next_url = first.context["next_url"]
    assert next_url.startswith("?after=")
    client.force_login(clerk_a.user)
    second = client.get(reverse("callbacks:queue") + next_url)
    assert [t.customer_name for t in second.context["rows"]] == ["预约客户"]
    assert second.context["next_url"] == "" and second.context["first_url"] == "?"


def test_queue_query_count_is_flat_in_rows(tree, clerk_a, worker_a, worker_a2, manager_a, client):
    def count() -> int:
        client.force_login(clerk_a.user)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("callbacks:queue")).status_code == 200
        return len(ctx)

    first = returned(clerk_a, tree["a"], worker_a)
    one = count()
    for i in range(6):
        order = returned(clerk_a, tree["a"], worker_a2 if i % 2 else worker_a, customer_name=f"客户{i}")
        if i % 3 == 0:
            services.task_claim(actor=manager_a.user, task_id=_task(order).pk)
    services.task_claim(actor=clerk_a.user, task_id=_task(first).pk)
    many = count()
    assert many == one, (one, many)
    assert many <= 12


# --- the history (the satisfaction report's drill-down) ------------------------------------------------------------


@pytest.fixture
def finished(tree, clerk_a, worker_a, worker_a2, manager_a):
    """Five finished callbacks with different answers, technicians and outcomes."""

    def answered(name, worker, **answers):
        task = _task(returned(clerk_a, tree["a"], worker, customer_name=name))
        services.task_answer(actor=clerk_a.user, task_id=task.pk, answers={**GOOD, **answers})
        return task

    happy = answered("满意客户", worker_a)
    unsolved = answered("未解决客户", worker_a, a="no", d="6")
    angry = answered("不满意客户", worker_a2, b="dissatisfied", d="2")
    charged = answered("收费不符客户", worker_a2, c="yes")  # the order recorded no fee (CB-04)
    gone = _task(returned(clerk_a, tree["a"], worker_a, customer_name="联系不上客户"))
    for _i in range(3):
        services.task_claim(actor=clerk_a.user, task_id=gone.pk)
        services.task_record_attempt(actor=clerk_a.user, task_id=gone.pk, result="no_answer")
    cancelled = _task(returned(clerk_a, tree["a"], worker_a, customer_name="取消客户"))
    services.task_cancel(actor=manager_a.user, task_id=cancelled.pk, reason="重复")
    return {"happy": happy, "unsolved": unsolved, "angry": angry, "charged": charged, "gone": gone}


def _history(client, user, **params) -> set[str]:
    response = _get(client, user, "callbacks:queue_history", **params)
    assert response.status_code == 200, response.content.decode()[:500]
    return {t.customer_name for t in response.context["rows"]}


def test_history_filters_are_the_report_drill_down_parameters(finished, tree, clerk_a, worker_a, worker_a2, client):
    user = clerk_a.user
    everything = {"满意客户", "未解决客户", "不满意客户", "收费不符客户", "联系不上客户", "取消客户"}
    assert _history(client, user) == everything
    assert _history(client, user, center=tree["a"].pk, month="2026-12") == everything
    assert _history(client, user, month="2026-11") == set()
    assert _history(client, user, technician=worker_a2.pk) == {"不满意客户", "收费不符客户"}
    assert _history(client, user, technician=worker_a.pk, status="done") == {"满意客户", "未解决客户"}
    assert _history(client, user, status="unreachable") == {"联系不上客户"}
    assert _history(client, user, result="cancelled") == {"取消客户"}  # `result` is an alias of `status`
    assert _history(client, user, attitude="dissatisfied") == {"不满意客户"}
    assert _history(client, user, solved="no") == {"未解决客户"}
    assert _history(client, user, solved="yes", status="done") == {"满意客户", "不满意客户", "收费不符客户"}
    assert _history(client, user, charge_mismatch="1") == {"收费不符客户"}
    assert _history(client, user, score_max="6") == {"未解决客户", "不满意客户"}
    assert _history(client, user, kind="after_service", score_max="2") == {"不满意客户"}
    assert _history(client, user, kind="care") == set()


@pytest.mark.parametrize(
    ("param", "raw"),
    [("month", "2026-13"), ("month", "12/2026"), ("solved", "maybe"), ("score_max", "x"), ("status", "pending")],
)
def test_history_bad_parameter_is_a_400_with_the_field_marked(finished, clerk_a, client, param, raw):
    response = _get(client, clerk_a.user, "callbacks:queue_history", **{param: raw})
    assert response.status_code == 400
    assert response.context["rows"] == [] and "history-error" in response.content.decode()
    assert param in response.context["form"].errors


def test_history_is_scoped(finished, tree, clerk_a, manager_b, client):
    assert _history(client, manager_b.user) == set()
    assert _get(client, clerk_a.user, "callbacks:queue_history", center=tree["b"].pk).status_code == 404


def test_history_masks_phones_for_readers_who_do_not_call(finished, tree, clerk_a, client):
    """A report reader (callbacks.view_callbacktask only, a custom role) sees 139****9000; the clerk the number."""
    group = Group.objects.create(name="回访报表查看")
    group.permissions.add(
        Permission.objects.get(codename="view_callbacktask", content_type__app_label="callbacks"),
    )
    Role.objects.create(code="callback_reader", name="回访报表查看", group=group)
    reader = factories.make_staff(tree["a"], name="报表员")
    org_services.role_assign(actor=None, user=reader.user, role_code="callback_reader", organization=tree["a"])
    body = _get(client, reader.user, "callbacks:queue_history").content.decode()
    assert "满意客户" in body and "138****8000" in body and "138 0013 8000" not in body
    assert "您没有回访权限" in body
    assert _get(client, reader.user).status_code == 403  # no queue for them
    body = _get(client, clerk_a.user, "callbacks:queue_history").content.decode()
    assert "138 0013 8000" in body


def test_history_keyset_paging_and_query_count(finished, clerk_a, client, monkeypatch):
    monkeypatch.setattr(selectors, "HISTORY_PAGE", 4)
    first = _get(client, clerk_a.user, "callbacks:queue_history")
    assert len(first.context["rows"]) == 4 and first.context["next_url"]
    client.force_login(clerk_a.user)
    second = client.get(reverse("callbacks:queue_history") + first.context["next_url"])
    names = {t.customer_name for t in first.context["rows"]} | {t.customer_name for t in second.context["rows"]}
    assert len(names) == 6 and len(second.context["rows"]) == 2
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("callbacks:queue_history") + first.context["next_url"])
    two_rows = len(ctx)
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("callbacks:queue_history"))
    assert len(ctx) == two_rows <= 12


# --- CB-16: care callbacks ----------------------------------------------------------------------------------------


@pytest.mark.clause("CB-16")
def test_manager_arranges_a_care_callback_found_by_phone(tree, manager_a, clerk_a, client):
    customer = customer_services.customer_create(
        actor=clerk_a.user, organization=tree["a"], name="关怀对象", phone="13911112222"
    )
    client.force_login(manager_a.user)
    url = reverse("callbacks:care_create")
    # «查找» only looks the customer up
    response = client.post(url, {"center": tree["a"].pk, "q": "1391111", "find": "1"})
    assert response.status_code == 200 and "关怀对象" in response.content.decode()
    assert not CallbackTask.objects.filter(kind="care").exists()
    # saved with the single match
    response = client.post(
        url, {"center": tree["a"].pk, "q": "13911112222", "due_at": "2026-12-05T10:00", "reason": "独居老人每月问候"}
    )
    assert response.status_code == 302
    task = CallbackTask.objects.get(kind="care")
    assert task.customer == customer and task.clause == "CB-16" and task.next_attempt_at == task.due_at
    assert task.due_at.isoformat() == "2026-12-05T02:00:00+00:00"  # 10:00 in the center's time zone
    # a customer preset from a link
    body = client.get(url, {"customer": customer.pk}).content.decode()
    assert 'value="13911112222"' in body


def test_care_callback_bad_input_is_refused_and_nothing_saved(tree, manager_a, clerk_a, client):
    for name in ("同名客户", "同名客户"):
        customer_services.customer_create(actor=clerk_a.user, organization=tree["a"], name=name, phone="13922223333")
    client.force_login(manager_a.user)
    url = reverse("callbacks:care_create")
    data = {"center": tree["a"].pk, "q": "同名客户", "due_at": "2026-12-05T10:00", "reason": "问候"}
    response = client.post(url, data)
    assert response.status_code == 400 and "找到多位客户" in response.content.decode()
    response = client.post(url, {**data, "q": "不存在的人"})
    assert response.status_code == 400 and "没有匹配的客户" in response.content.decode()
    response = client.post(url, {**data, "q": "13922223333", "due_at": "2026-11-01T10:00"})
    assert response.status_code == 400  # in the past (the service refuses it)
    response = client.post(url, {**data, "q": "13922223333", "due_at": "not a time"})
    assert response.status_code == 400
    assert not CallbackTask.objects.filter(kind="care").exists()
    client.force_login(clerk_a.user)  # a clerk may not arrange care callbacks
    assert client.get(url).status_code == 403
    client.force_login(manager_a.user)
    assert client.get(url, {"center": tree["b"].pk}).status_code == 404


def test_history_technician_of_another_center_is_not_a_choice(finished, tree, clerk_a, worker_b, gm, client):
    response = _get(client, clerk_a.user, "callbacks:queue_history", technician=worker_b.pk)
    assert response.status_code == 400 and "technician" in response.context["form"].errors
    # the GM sees every center: a technician of center A is offered without choosing the center first
    assert _history(client, gm.user, technician=finished["angry"].technician_id) == {"不满意客户", "收费不符客户"}
