"""The callback loop in a real browser (desktop 1280×800): a serviceman completes an order through the services; the
clerk opens the queue, claims the callback in place (htmx), answers «not solved» with the keyboard-usable buttons
(the fee reminder appears live for a satisfied customer with an unpaid fee); the manager finds the follow-up and
turns it into a rework order. Screenshots for docs/callbacks.md."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
import time_machine

from servicecenter.callbacks import services
from servicecenter.callbacks.models import CallbackTask, FollowUp
from servicecenter.customers.models import Customer
from servicecenter.policy.services import parameter_set
from servicecenter.workorders.models import WorkOrder
from tests import factories
from tests.browser_support import login, screenshot

from .conftest import MORNING, returned
from .test_queue import NOW

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Secret-2026"  # tests.factories.make_staff's default
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


@pytest.fixture(autouse=True)
def at_morning():
    """09:30 on the server (the browser counts down on the server's clock, read from the page)."""
    with time_machine.travel(NOW, tick=True):
        yield


def _shot(page, name: str) -> None:
    """A screenshot for the docs (docs/img/<name>.png) and the usual test artefact."""
    path = screenshot(page, name)
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, DOCS_IMG / f"{name}.png")


@pytest.fixture
def desktop(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_clerk_calls_back_not_solved_and_manager_sends_a_rework_order(
    desktop, tree, clerk_a, worker_a, worker_a2, manager_a
):
    page = desktop
    # given: the serviceman completed the order (through the services); the customer's fee is unpaid
    order = returned(
        clerk_a, tree["a"], worker_a, customer_name="赵阿姨", phone="13912345678", address="古城路 18 号 1 单元 202"
    )
    task = CallbackTask.objects.get(order=order)
    Customer.objects.filter(pk=order.customer_id).update(fee_status="unpaid")
    parameter_set(
        actor=manager_a.user,
        key="callbacks.hotline_number",
        organization=tree["a"],
        value="96123",
        effective_from=date(2026, 12, 1),
        reason="服务热线",
    )
    # and a realistic queue around it: a retry, an appointment, one being called by a colleague
    colleague = factories.make_staff(tree["a"], "order_clerk", name="甲内勤二")
    others = [
        CallbackTask.objects.get(order=returned(clerk_a, tree["a"], w, customer_name=n, phone=p))
        for n, p, w in (
            ("钱先生", "13800001111", worker_a2),
            ("孙女士", "13800002222", worker_a),
            ("李师傅", "13800003333", worker_a2),
        )
    ]
    services.task_claim(actor=colleague.user, task_id=others[0].pk)
    services.task_record_attempt(actor=clerk_a.user, task_id=others[1].pk, result="no_answer")
    services.task_record_attempt(
        actor=clerk_a.user,
        task_id=others[2].pk,
        result="not_convenient",
        appointment_at=MORNING + timedelta(hours=6),
    )

    # when: the clerk opens the queue
    login(page, clerk_a.user.username, PASSWORD)
    page.goto("/callbacks/queue/")
    row = page.locator(f"#task-{task.pk}")
    row.wait_for()
    assert "13912345678" in row.inner_text() and order.number in row.inner_text()
    assert page.locator(f"#task-{others[0].pk}").inner_text().count("甲内勤二") == 1  # who is calling
    assert page.locator(".queue-divider").count() == 1  # later retries and appointments below the divider
    assert row.locator("[data-due]").inner_text().startswith("剩")  # the countdown runs
    _shot(page, "cb-queue")

    # the next due callback; «开始回访» claims it in place
    page.click("#btn-next")
    page.locator("#btn-claim").wait_for()
    assert "更换光猫电源" in page.locator("#call-order").inner_text()
    page.click("#btn-claim")
    page.locator("#call-script").wait_for()
    assert tree["a"].name in page.locator("#script-opening").inner_text()
    assert "请您随时拨打96123" in page.locator("#script-closing").inner_text()  # CB-08
    # the questions appear once the customer says they are free
    assert page.locator("#answer-section").is_hidden()
    page.click("label[for=convenient-yes]")
    page.locator("#answer-section").wait_for()
    page.click("label[for=q_a-2]")  # a. 否
    reminder = page.locator("#fee-reminder")
    assert reminder.is_hidden()
    page.click("label[for=q_b-1]")  # b. 满意 → the fee reminder (CB-07) shows live
    reminder.wait_for()
    page.click("label[for=q_b-2]")  # 一般 → hidden again
    reminder.wait_for(state="hidden")
    page.click("label[for=q_b-1]")
    page.click("label[for=q_c-2]")  # c. 否
    # d. the score with the keyboard: 5, then → → → = 8
    page.click("label[for=q_d-5]")
    for _i in range(3):
        page.keyboard.press("ArrowRight")
    assert page.locator("input[name=q_d]:checked").get_attribute("value") == "8"
    page.fill("#q_e", "暖气片还是不热，希望再来看看")
    _shot(page, "cb-call")
    page.click("#btn-submit-answers")
    # then: the next callback opens (the others are not due or taken): back to the queue with the message
    page.locator(".alert-success").wait_for()
    assert "已生成回访跟进" in page.locator(".alert-success").inner_text()
    task.refresh_from_db()
    assert task.status == "done" and task.solved is False and task.score == 8 and task.fee_reminder_shown is True
    followup = FollowUp.objects.get(task=task)

    # the manager finds the follow-up and sends a rework order
    page.context.clear_cookies()
    login(page, manager_a.user.username, PASSWORD)
    page.goto("/callbacks/followups/")
    page.locator(f"#followup-table [data-pk='{followup.pk}']").wait_for()
    assert "问题未解决" in page.locator(f"#followup-table [data-pk='{followup.pk}']").inner_text()
    page.click(f"#followup-table [data-pk='{followup.pk}'] a.btn")
    page.locator("#followup-why").wait_for()
    assert "暖气片还是不热" in page.locator("#followup-answers").inner_text()
    assert page.locator("#severity-row").is_hidden()
    page.click("label[for=action-complaint]")
    page.locator("#severity-row").wait_for()
    page.click("label[for=action-rework]")
    page.fill("#id_note", "请带新阀门，上门前先电话联系")
    _shot(page, "cb-followup")
    page.click("#btn-resolve")
    page.locator("#rework-link").wait_for()
    followup.refresh_from_db()
    rework = WorkOrder.objects.get(pk=followup.rework_order_id)
    assert followup.status == "rework" and rework.number in page.locator("#rework-link").inner_text()
    assert rework.priority == "high" and rework.customer_id == order.customer_id

    # the history lists the callback; the questionnaire page for the docs
    page.goto("/callbacks/queue/history/?solved=no")
    assert "赵阿姨" in page.locator("#history-table").inner_text()
    _shot(page, "cb-history")
    page.goto("/callbacks/questionnaires/")
    page.click("#btn-add-question")
    page.locator("#question-rows tbody tr").nth(5).locator("[name=q_code]").fill("f")
    page.locator("#question-rows tbody tr").nth(5).locator("[name=q_label]").fill("您是怎么知道我们热线的？")
    page.locator("#question-rows tbody tr").nth(5).locator("[name=q_type]").select_option("choice")
    page.locator("#question-rows tbody tr").nth(5).locator("[name=q_choices]").fill("电话簿、邻居、网上")
    _shot(page, "cb-questionnaire")
