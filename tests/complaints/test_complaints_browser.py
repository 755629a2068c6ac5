"""A complaint end to end in a real browser: the clerk takes it at the counter, the handler acknowledges,
investigates and answers, the complainant confirms «满意» on the public status page on a 390×844 phone, the handler
closes it and prints the 投诉处理单 (print media emulated). Screenshots for docs/complaints.md."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from servicecenter.complaints import services
from servicecenter.complaints.models import Complaint
from tests.browser_support import login, screenshot

from .conftest import complaint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Secret-2026"  # tests.factories.make_staff's default
ANSWER = (
    "经核实，维修人员用语不当，已对其批评教育并登记违纪；12月2日已上门更换阀门，暖气恢复正常。给您带来不便，深表歉意。"
)


@pytest.fixture(autouse=True)
def at_morning():
    """The real clock: the browser and the live server agree on the time (overrides the conftest's travel)."""
    cache.clear()
    yield
    cache.clear()


def _background(tree, clerk, handler, worker):
    """A few other cases so the list looks like a working day: one acknowledged, one resolved, one closed."""
    complaint(
        clerk, tree["a"], summary="收费与凭证不符", category="charge", complainant_name="周先生", phone="13600001234"
    )
    seen = complaint(
        clerk,
        tree["a"],
        summary="维修后仍漏水",
        category="quality",
        complainant_name="吴女士",
        phone="13700005678",
        severity="serious",
    )
    services.complaint_acknowledge(actor=handler.user, complaint_id=seen.pk)
    answered = complaint(
        clerk,
        tree["a"],
        summary="客服电话长时间无人接听",
        category="timeliness",
        complainant_name="郑先生",
        phone="13500002468",
    )
    services.complaint_acknowledge(actor=handler.user, complaint_id=answered.pk)
    services.complaint_resolve(actor=handler.user, complaint_id=answered.pk, response="已增加午间值班人员")


def _act(page, key: str, fill: dict[str, str] | None = None) -> None:
    page.click(f"#{key} summary")
    for selector, value in (fill or {}).items():
        page.fill(f"#{key} {selector}", value)
    page.click(f"#{key} button[type=submit]")
    page.locator(".alert-success").first.wait_for()


@pytest.mark.clause("CMP-01", "CMP-04", "CMP-11", "G-01")
def test_complaint_from_intake_to_printed_form(page, phone_page, tree, clerk_a, manager_a, worker_a):
    _background(tree, clerk_a, manager_a, worker_a)

    # the clerk takes a walk-in complaint against a serviceman
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, clerk_a.user.username, PASSWORD)
    page.goto("/complaints/new/")
    page.check("#channel-walk_in")
    page.fill("#id_complainant_name", "李女士")
    page.fill("#id_phone", "139 1234 5678")
    page.fill("#id_summary", "维修人员说话难听，还让我自己去买配件")
    page.fill("#id_details", "12月1日上午师傅上门修暖气，态度很差，说“这不归我们管”，让我自己去买阀门。")
    page.fill("#id_demand", "要求道歉，尽快修好")
    page.select_option("#id_category", "language")
    page.select_option("#id_against_staff", str(worker_a.pk))
    screenshot(page, "cmp-intake")
    page.click("#btn-save-complaint")
    page.locator("#complaint-created").wait_for()
    case = Complaint.objects.get(complainant_name="李女士")
    assert page.locator("#complaint-number").inner_text() == case.number
    assert "G-01" in page.locator("#deadline-why").inner_text()
    screenshot(page, "cmp-created")

    # the handler: acknowledge (himself as handler), investigate, answer
    page.context.clear_cookies()
    login(page, manager_a.user.username, PASSWORD)
    page.goto("/complaints/")
    page.locator("#complaint-table").wait_for()
    assert case.number in page.locator("#complaint-table").inner_text()
    screenshot(page, "cmp-list")
    page.click(f"text={case.number}")
    page.locator("#complaint-page").wait_for()
    _act(page, "acknowledge_form")
    _act(page, "investigate_form", {"textarea": "调取派单记录，约谈维修人员"})
    _act(page, "resolve_form", {"textarea[name=response]": ANSWER})
    assert page.locator("#complaint-status").inner_text() == "已处理待确认"
    screenshot(page, "cmp-detail")

    # the complainant on a phone: number + last four digits, reads the answer, confirms «满意»
    phone = phone_page
    phone.goto(f"/complaints/status/?number={case.number}")
    phone.fill("#id_phone_last4", "5678")
    phone.get_by_role("button", name="查询").click()
    phone.locator("#status-result").wait_for()
    assert "已上门更换阀门" in phone.locator("#public-response").inner_text()
    body = phone.content()
    assert "甲经理" not in body and "甲内勤" not in body and "139 1234 5678" not in body
    screenshot(phone, "cmp-public")
    phone.click("#btn-satisfied")
    phone.locator("#thanks").wait_for()
    assert phone.locator("#public-state").inner_text() == "处理结果已确认"
    screenshot(phone, "cmp-public-confirmed")
    case.refresh_from_db()
    assert case.status == "confirmed" and case.feedback == "satisfied"

    # the handler closes the case and prints the form
    page.reload()
    _act(page, "close_form", {"textarea": "投诉人网上确认满意"})
    assert page.locator("#complaint-status").inner_text() == "已结案"
    page.click("#btn-print")
    page.locator("#complaint-form-print").wait_for()
    page.emulate_media(media="print")
    assert page.locator("nav.navbar").is_hidden() and page.locator("#print-tools").is_hidden()
    assert "投诉人签字" in page.locator("#print-signatures").inner_text()
    assert "客户确认" in page.locator("#print-steps").inner_text()
    screenshot(page, "cmp-print")
    page.emulate_media(media="screen")
    case.refresh_from_db()
    assert case.status == "closed"
