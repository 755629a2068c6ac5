"""The call page: claim (a second clerk is refused, 409 in place through htmx), the script of the questionnaire in
force with the center's hotline (CB-08, C-10), the answers (CB-02…CB-05) with the charge cross-check (CB-04) and
the fee reminder (CB-07), not convenient → appointment (CB-01), not reached → retry / unreachable, the manager's
cancel, a bad submit (400, nothing saved), a double submit, scoping and query counts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from servicecenter.callbacks import services
from servicecenter.callbacks.models import CallbackAttempt, CallbackTask, FollowUp, Opinion
from servicecenter.customers.models import Customer
from servicecenter.policy import services as policy_services
from servicecenter.workorders import services as order_services
from tests import factories

from .conftest import MORNING, png_bytes, returned
from .test_queue import NOW

pytestmark = pytest.mark.django_db

GOOD = {"a": "yes", "b": "satisfied", "c": "no", "d": "9", "e": ""}


@pytest.fixture(autouse=True)
def at_morning():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def task(returned_order) -> CallbackTask:
    return CallbackTask.objects.get(order=returned_order)


@pytest.fixture
def clerk_a2(tree):
    return factories.make_staff(tree["a"], "order_clerk", name="甲内勤二")


def _url(name: str, task: CallbackTask) -> str:
    return reverse(f"callbacks:{name}", args=[task.pk])


def _post_answers(client, task, answers):
    return client.post(_url("call_answer", task), {f"q_{k}": v for k, v in answers.items()})


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_opening_shows_the_task_the_order_and_the_start_button(task, clerk_a, client):
    client.force_login(clerk_a.user)
    body = client.get(_url("call", task)).content.decode()
    assert 'id="btn-claim"' in body and 'id="call-script"' not in body
    assert "更换光猫电源" in body and "甲维修工" in body and "无费用" in body  # the order: content, worker, fee
    assert task.order.number in body and "尚未拨打" in body
    assert "138 0013 8000" in body  # the clerk dials: the full number


@pytest.mark.clause("CB-08")
def test_claimed_page_shows_the_script_with_center_and_hotline(task, tree, clerk_a, manager_a, client):
    client.force_login(clerk_a.user)
    assert client.post(_url("call_claim", task)).status_code == 302
    body = client.get(_url("call", task)).content.decode()
    assert 'id="call-script"' in body and 'id="btn-claim"' not in body
    assert f"您好，我们是{tree['a'].name}" in body and "（未设置服务热线号码）" in body
    # the questions of the built-in D02 questionnaire, the score as buttons 1–10
    for code in "abcde":
        assert f'name="q_{code}"' in body
    assert body.count('name="q_d"') == 10 and 'value="10"' in body
    # the hotline in force for the center
    policy_services.parameter_set(
        actor=manager_a.user,
        key="callbacks.hotline_number",
        organization=tree["a"],
        value="96123",
        effective_from=date(2026, 12, 1),
        reason="热线",
    )
    body = client.get(_url("call", task)).content.decode()
    assert "请您随时拨打96123" in body and "未设置服务热线号码" not in body


def test_second_clerk_is_refused_with_who_has_it(task, clerk_a, clerk_a2, client):
    client.force_login(clerk_a.user)
    client.post(_url("call_claim", task))
    client.force_login(clerk_a2.user)
    body = client.get(_url("call", task)).content.decode()
    assert "该回访正由 甲内勤 进行" in body and 'id="btn-claim"' not in body and 'id="call-script"' not in body
    # a plain post: back to the page with the message
    response = client.post(_url("call_claim", task))
    assert response.status_code == 302 and any("该回访正由 甲内勤 进行" in m for m in _messages(response))
    # through htmx: 409 with the message in place
    response = client.post(_url("call_claim", task), HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert 'id="claim-area"' in response.content.decode() and "甲内勤" in response.content.decode()
    task.refresh_from_db()
    assert task.claimed_by == task.claimed_by.__class__.objects.get(pk=clerk_a.user.pk)
    # an htmx claim that works redirects the page
    client.force_login(clerk_a.user)
    response = client.post(_url("call_claim", task), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Redirect"] == _url("call", task)


def test_release_gives_the_task_back(task, clerk_a, client):
    client.force_login(clerk_a.user)
    client.post(_url("call_claim", task))
    response = client.post(_url("call_release", task))
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.claimed_by is None and task.attempts == 0


@pytest.mark.clause("CB-02")
def test_answers_complete_the_callback_and_open_the_next_one(task, tree, clerk_a, worker_a, client):
    following = CallbackTask.objects.get(order=returned(clerk_a, tree["a"], worker_a, customer_name="下一位客户"))
    client.force_login(clerk_a.user)
    client.post(_url("call_claim", task))
    response = _post_answers(client, task, GOOD)
    assert response.status_code == 302 and response["Location"] == _url("call", following)
    assert any("已完成回访" in m for m in _messages(response))
    task.refresh_from_db()
    assert task.status == "done" and task.solved is True and task.attitude == "satisfied" and task.score == 9
    assert task.completed_by == clerk_a.user
    # a double submit records nothing more and still moves on
    response = _post_answers(client, task, GOOD)
    assert response.status_code == 302 and response["Location"] == _url("call", following)
    assert CallbackAttempt.objects.filter(task=task, result="answered").count() == 1
    # the done page shows the answers read-only
    body = client.get(_url("call", task)).content.decode()
    assert 'id="call-result"' in body and 'id="call-script"' not in body and ">满意<" in body


@pytest.mark.clause("CB-05")
@pytest.mark.clause("CB-03")
def test_bad_answers_are_shown_beside_the_questions_and_nothing_is_saved(task, clerk_a, client):
    client.force_login(clerk_a.user)
    client.post(_url("call_claim", task))
    response = _post_answers(client, task, {**GOOD, "a": "", "b": "great", "d": "11"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "请回答：问题解决了吗？" in body and "请选择一个有效的选项" in body and "评分须为 1–10 的整数" in body
    # what was given stays chosen
    assert 'name="q_c" id="q_c-2" value="no" checked' in body
    task.refresh_from_db()
    assert task.status == "pending" and task.attempts == 0 and task.answers == {}
    assert not CallbackAttempt.objects.filter(task=task).exists() and not FollowUp.objects.filter(task=task).exists()


@pytest.mark.clause("G-03")
def test_not_solved_opens_a_followup_and_says_so(task, clerk_a, client):
    client.force_login(clerk_a.user)
    client.post(_url("call_claim", task))
    response = _post_answers(client, task, {**GOOD, "a": "no", "e": "暖气还是不热"})
    assert any("已生成回访跟进" in m for m in _messages(response))
    followup = FollowUp.objects.get(task=task)
    assert followup.reasons[0]["code"] == "not_solved"
    assert Opinion.objects.filter(task=task, text="暖气还是不热").exists()
    body = client.get(_url("call", task)).content.decode()
    assert reverse("callbacks:followup_detail", args=[followup.pk]) in body


@pytest.mark.clause("CB-07")
def test_fee_reminder_is_on_the_page_for_unpaid_fees_and_decided_on_submit(task, clerk_a, client):
    client.force_login(clerk_a.user)
    client.post(_url("call_claim", task))
    body = client.get(_url("call", task)).content.decode()
    assert 'id="fee-reminder" data-unpaid="0"' in body  # fee status unknown: never shown
    Customer.objects.filter(pk=task.customer_id).update(fee_status="unpaid")
    body = client.get(_url("call", task)).content.decode()
    assert 'id="fee-reminder" data-unpaid="1" hidden' in body  # shown live once «满意» is chosen
    assert "我们的收费工作已经开始" in body
    # a bad submit with «满意» chosen re-shows the reminder visible
    body = _post_answers(client, task, {**GOOD, "d": ""}).content.decode()
    assert 'id="fee-reminder" data-unpaid="1">' in body
    response = _post_answers(client, task, GOOD)
    assert any("已提醒缴费" in m for m in _messages(response))
    task.refresh_from_db()
    assert task.fee_reminder_shown is True
    assert "已提醒缴费" in client.get(_url("call", task)).content.decode()


def _paid_order(clerk, center, worker):
    order = order_services.order_create(
        actor=clerk.user,
        organization=center,
        kind="repair",
        service_type="A",
        customer_name="收费客户",
        phone="13700137000",
        address="古城路 1 号",
        problem="暖气片漏水",
        read_back=["problem", "address", "name", "phone"],
        now=MORNING,
    )
    order_services.order_dispatch(actor=clerk.user, order_id=order.pk, assignee_id=worker.pk, now=MORNING)
    order_services.order_accept(actor=worker.user, order_id=order.pk, now=MORNING + timedelta(minutes=1))
    return order_services.order_complete(
        actor=worker.user,
        order_id=order.pk,
        work_content="更换阀门",
        service_started_at=MORNING + timedelta(minutes=2),
        service_ended_at=MORNING + timedelta(minutes=10),
        labour_fee="50",
        signature_png=png_bytes(),
        signer_name="收费客户",
        now=MORNING + timedelta(minutes=11),
    )


@pytest.mark.clause("CB-04")
def test_charges_of_the_order_are_beside_question_c_and_checked(tree, clerk_a, worker_a, client):
    order = _paid_order(clerk_a, tree["a"], worker_a)
    task = CallbackTask.objects.get(order=order)
    client.force_login(clerk_a.user)
    client.post(_url("call_claim", task))
    body = client.get(_url("call", task)).content.decode()
    assert 'id="charge-check"' in body and "费用 50.00 元" in body
    _post_answers(client, task, {**GOOD, "c": "yes"})
    task.refresh_from_db()
    assert task.charge_mismatch is False and "50.00" in task.charge_note
    assert "工单费用 50.00 元" in client.get(_url("call", task)).content.decode()


@pytest.mark.clause("CB-04")
def test_customer_claiming_a_charge_the_order_lacks_is_a_mismatch(task, clerk_a, client):
    client.force_login(clerk_a.user)
    client.post(_url("call_claim", task))
    _post_answers(client, task, {**GOOD, "c": "yes"})
    task.refresh_from_db()
    assert task.charge_mismatch is True
    body = client.get(_url("call", task)).content.decode()
    assert "客户称已收费，但工单未记录任何费用" in body
    assert FollowUp.objects.get(task=task).reasons[0]["code"] == "charge_mismatch"


@pytest.mark.clause("CB-01")
def test_not_convenient_needs_an_appointment_and_requeues(task, clerk_a, client):
    client.force_login(clerk_a.user)
    client.post(_url("call_claim", task))
    response = client.post(_url("call_attempt", task), {"result": "not_convenient", "appointment_at": ""})
    assert response.status_code == 400 and "请填写预约时间" in response.content.decode()
    response = client.post(
        _url("call_attempt", task), {"result": "not_convenient", "appointment_at": "2026-12-01T08:00"}
    )
    assert response.status_code == 400 and "预约时间须晚于现在" in response.content.decode()
    response = client.post(_url("call_attempt", task), {"result": "not_convenient", "appointment_at": "明天"})
    assert response.status_code == 400
    task.refresh_from_db()
    assert task.attempts == 0 and task.appointment_at is None
    assert not CallbackAttempt.objects.filter(task=task).exists()
    response = client.post(
        _url("call_attempt", task), {"result": "not_convenient", "appointment_at": "2026-12-01T15:30", "note": "在上班"}
    )
    assert response.status_code == 302 and any("已预约 12-01 15:30" in m for m in _messages(response))
    task.refresh_from_db()
    assert task.status == "pending" and task.next_attempt_at == task.appointment_at
    assert task.appointment_at.isoformat() == "2026-12-01T07:30:00+00:00" and task.claimed_by is None
    body = client.get(_url("call", task)).content.decode()
    assert "不方便，已预约" in body and "在上班" in body


@pytest.mark.clause("WO-10")
def test_not_reached_three_times_ends_as_unreachable(task, clerk_a, client):
    client.force_login(clerk_a.user)
    for n, result in enumerate(("no_answer", "busy", "wrong_number"), start=1):
        client.post(_url("call_claim", task))
        response = client.post(_url("call_attempt", task), {"result": result})
        assert response.status_code == 302
        task.refresh_from_db()
        assert task.attempts == n
        if n < 3:
            assert task.status == "pending" and task.next_attempt_at > NOW
            assert any(f"第 {n} 次未接通" in m for m in _messages(response))
    assert task.status == "unreachable"
    assert any("无法联系" in m for m in _messages(response))
    assert client.post(_url("call_attempt", task), {"result": "no_answer"}).status_code == 302  # ended: a message
    assert CallbackAttempt.objects.filter(task=task).count() == 3
    response = client.post(_url("call_attempt", task), {"result": "answered"})
    assert response.status_code == 400  # not a result this form takes


def test_manager_cancels_with_a_reason_the_clerk_may_not(task, clerk_a, manager_a, client):
    client.force_login(clerk_a.user)
    assert client.post(_url("call_cancel", task), {"reason": "重复"}).status_code == 403
    assert 'id="call-cancel"' not in client.get(_url("call", task)).content.decode()
    client.force_login(manager_a.user)
    assert 'id="call-cancel"' in client.get(_url("call", task)).content.decode()
    response = client.post(_url("call_cancel", task), {"reason": "  "})
    assert response.status_code == 400
    task.refresh_from_db()
    assert task.status == "pending"
    assert client.post(_url("call_cancel", task), {"reason": "客户要求不再回访"}).status_code == 302
    task.refresh_from_db()
    assert task.status == "cancelled" and task.closed_note == "客户要求不再回访"
    response = client.post(_url("call_cancel", task), {"reason": "再取消一次"})
    assert response.status_code == 302 and any("已结束" in m for m in _messages(response))


def test_other_centers_and_servicemen_get_404(task, clerk_a, manager_b, worker_a, client):
    for user in (manager_b.user, worker_a.user):
        client.force_login(user)
        assert client.get(_url("call", task)).status_code == 404
        for name in ("call_claim", "call_release", "call_answer", "call_attempt", "call_cancel"):
            assert client.post(_url(name, task), {"result": "no_answer", "reason": "x"}).status_code == 404
    task.refresh_from_db()
    assert task.claimed_by is None and task.attempts == 0 and task.status == "pending"


@pytest.mark.clause("C-10")
def test_the_centers_own_questionnaire_is_asked(task, tree, clerk_a, manager_a, client):
    services.questionnaire_publish(
        actor=manager_a.user,
        organization=tree["a"],
        name="本站回访",
        opening="您好，这里是{center}",
        closing="再见",
        questions=[
            {"code": "q1", "type": "yes_no", "role": "solved", "label": "修好了吗？", "required": True},
            {"code": "q2", "type": "score", "role": "score", "label": "打几分", "required": True, "min": 1, "max": 5},
        ],
    )
    client.force_login(clerk_a.user)
    client.post(_url("call_claim", task))
    body = client.get(_url("call", task)).content.decode()
    assert "修好了吗？" in body and body.count('name="q_q2"') == 5 and 'name="q_a"' not in body
    assert _post_answers(client, task, {"q1": "yes", "q2": "5"}).status_code == 302
    task.refresh_from_db()
    assert task.score == 5 and str(task.score_pct) == "100.0" and task.questionnaire.name == "本站回访"


def test_call_page_query_count_is_flat_in_attempts(task, clerk_a, client, django_assert_max_num_queries):
    client.force_login(clerk_a.user)
    url = _url("call", task)
    client.get(url)  # the built-in questionnaire is created on first use

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    before = count()
    for hours in (2, 3, 4):
        services.task_record_attempt(
            actor=clerk_a.user, task_id=task.pk, result="not_convenient", appointment_at=NOW + timedelta(hours=hours)
        )
    after = count()
    assert after == before, (before, after)
    with django_assert_max_num_queries(14):
        client.get(url)
