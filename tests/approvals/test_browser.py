"""The 我的审批 inbox in a real browser: htmx decisions in place, a double click, and a second tab that lost."""

from __future__ import annotations

import pytest

from servicecenter.core.models import AuditEvent
from tests.browser_support import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Secret-2026"  # tests.factories.make_staff's default


def test_approve_in_place_and_second_tab_sees_conflict(page, live_server, submit, clerk_a, manager_a):
    # given a request waiting for the manager, open in two tabs
    req = submit(clerk_a, title="浏览器审批测试")
    login(page, manager_a.user.username, PASSWORD)
    page.goto("/approvals/")
    second = page.context.new_page()
    second.goto(live_server.url + "/approvals/")
    # when the first tab approves with a double click
    item = page.locator(".approval-item").first
    item.locator("textarea").fill("同意")
    item.locator("button[value=approve]").dblclick()
    page.locator(".approval-item .alert-success").wait_for()
    screenshot(page, "approvals-inbox-approved")
    # then the item shows the result in place and one decision is recorded
    assert "已处理" in page.locator(".approval-item").first.inner_text()
    assert AuditEvent.objects.for_target(req).filter(verb="approvals.step.approved").count() == 1
    # when the stale second tab approves too
    second.locator(".approval-item button[value=approve]").first.click()
    second.locator(".approval-item .alert-warning").wait_for()
    screenshot(second, "approvals-inbox-conflict")
    # then it is told clearly who decided
    text = second.locator(".approval-item .alert-warning").inner_text()
    assert "已由他人处理" in text and "该审批已由 甲经理 于" in text
    assert AuditEvent.objects.for_target(req).filter(verb="approvals.step.approved").count() == 1


def test_reject_without_comment_shows_error_under_field(page, live_server, submit, clerk_a, manager_a):
    submit(clerk_a, title="浏览器驳回测试")
    login(page, manager_a.user.username, PASSWORD)
    page.goto("/approvals/")
    page.locator(".approval-item button[value=reject]").first.click()
    page.locator(".approval-item .invalid-feedback").wait_for()
    assert "驳回或退回时必须填写意见" in page.locator(".approval-item .invalid-feedback").inner_text()
