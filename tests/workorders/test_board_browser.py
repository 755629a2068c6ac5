"""The dispatch board in a real browser: dispatch in the modal without reloading the page, then a breach after time
moved on — the row turns red and the header counts it (the sweep runs through the service)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from servicecenter.workorders import services
from tests.browser_support import login, screenshot

from .conftest import intake

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Secret-2026"  # tests.factories.make_staff's default


@pytest.fixture(autouse=True)
def at_morning():
    """The real clock: the browser and the live server agree on the time (overrides the conftest's travel)."""
    yield


def test_dispatcher_dispatches_in_place_and_sees_the_breach(page, live_server, tree, clerk_a, manager_a, worker_a):
    # given: a fresh order, on the board of its clerk (desktop 1366×768)
    now = timezone.now()
    fresh = intake(clerk_a, tree["a"], now=now, problem="浏览器派单测试", customer_name="浏览器客户")
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, clerk_a.user.username, PASSWORD)
    page.goto("/workorders/board/")
    page.evaluate("window.__sameDocument = true")
    row = page.locator(f"#order-row-{fresh.pk}")
    assert row.get_attribute("data-status") == "new"
    assert row.locator("[data-due]").first.inner_text().startswith("剩")  # the countdown runs

    # when: the clerk dispatches it in the modal
    row.get_by_role("button", name="派单").click()
    page.locator("#wo-modal select[name=assignee]").wait_for()
    page.select_option("#wo-modal select[name=assignee]", str(worker_a.pk))
    screenshot(page, "workorders-board-dispatch-modal")
    page.locator("#wo-modal button[type=submit]").click()
    page.locator("#wo-modal .action-done").wait_for()
    # then: the row changes without a reload
    page.locator(f"#order-row-{fresh.pk}[data-status=dispatched]").wait_for()
    assert worker_a.name in page.locator(f"#order-row-{fresh.pk}").inner_text()
    assert page.evaluate("window.__sameDocument") is True

    # when: an order taken three days ago was never answered and the minute sweep runs
    late = intake(clerk_a, tree["a"], now=now - timedelta(days=3), problem="超时工单", customer_name="超时客户")
    services.sla_sweep(now=timezone.now())
    page.evaluate("document.body.dispatchEvent(new Event('board-refresh'))")
    # then: the board shows the breach colour and counts it, still without a reload
    page.locator(f"#order-row-{late.pk}.table-danger .sla-breach").first.wait_for()
    assert page.locator(f"#order-row-{late.pk} [data-due]").first.inner_text().startswith("超")
    assert int(page.locator("#board-breaches strong").inner_text()) >= 1
    assert page.evaluate("window.__sameDocument") is True
    page.locator("#wo-modal").wait_for(state="hidden")  # the dialog closes itself after a successful action
    page.locator(".modal-backdrop").wait_for(state="detached")
    screenshot(page, "workorders-board-desktop")

    # and the order page says why, and the dispatcher was notified
    page.goto(f"/workorders/{late.pk}/")
    assert "依据 WO-03" in page.locator("#sla-events").inner_text()
    screenshot(page, "workorders-order-page")
    page.goto("/notifications/")
    assert "超时" in page.locator("main").inner_text()
