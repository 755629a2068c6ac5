"""The main journey in a real browser: a clerk files a request on a phone, the manager approves it from the
home page and the inbox on a desktop, the clerk is notified."""

from __future__ import annotations

import pytest

from servicecenter.approvals.models import ApprovalRequest
from tests import factories
from tests.browser_support import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-Secret-2026"


@pytest.mark.clause("ORG-05")
def test_request_on_phone_then_approve_from_home_and_inbox(browser, live_server, page, phone_page):
    # given a center with a manager and a clerk
    tree = factories.org_tree("j")
    manager = factories.make_staff(tree["a"], "center_manager", name="林经理")
    clerk = factories.make_staff(tree["a"], "order_clerk", name="周内勤")

    # when the clerk files a 事项请示 on a phone-sized screen, first forgetting the title
    login(phone_page, clerk.staff_no, PASSWORD)
    phone_page.goto("/approvals/new/")
    phone_page.fill("#id_amount", "-5")
    phone_page.get_by_role("button", name="提交").click()
    assert phone_page.locator(".invalid-feedback, .errorlist, .is-invalid").count() > 0
    phone_page.fill("#id_title", "申请购买工具包两套")
    phone_page.fill("#id_amount", "680")
    phone_page.fill("#id_description", "维修一班现有工具包老化")
    phone_page.get_by_role("button", name="提交").click()
    phone_page.wait_for_url("**/approvals/requests/*/")
    screenshot(phone_page, "journey-1-clerk-request-phone")
    request = ApprovalRequest.objects.get(title="申请购买工具包两套")
    assert request.status == "pending"

    # then the manager sees it on the home page
    login(page, manager.staff_no, PASSWORD)
    page.wait_for_url(live_server.url + "/")
    awaiting = page.locator("#awaiting")
    assert "申请购买工具包两套" in awaiting.inner_text()
    screenshot(page, "journey-2-manager-home")

    # when the manager opens the inbox and approves with a comment
    awaiting.get_by_text("进入审批中心").click()
    page.wait_for_url("**/approvals/")
    item = page.locator(".approval-item", has_text="申请购买工具包两套")
    item.locator("textarea").fill("同意，尽快采购")
    item.locator("button[value=approve]").click()
    page.locator(".approval-item .alert-success").wait_for()
    screenshot(page, "journey-3-manager-approved")

    # then the request is approved and the clerk has an unread notification about it
    request.refresh_from_db()
    assert request.status == "approved"
    phone_page.goto("/notifications/")
    assert "申请购买工具包两套" in phone_page.locator("main").inner_text()
    screenshot(phone_page, "journey-4-clerk-notified-phone")
