"""Intake and the public report form in a real browser: a dispatcher takes a call with the keyboard only (type,
Tab, Alt+1…4 ticks, Enter) and sees the confirmation; the public reports a problem on a 390×844 phone."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from servicecenter.workorders.models import WorkOrder
from tests.browser_support import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Secret-2026"  # tests.factories.make_staff's default


@pytest.fixture(autouse=True)
def at_morning():
    """The real clock: the browser and the live server agree on the time (overrides the conftest's travel)."""
    cache.clear()
    yield
    cache.clear()


@pytest.mark.clause("WO-08")
def test_dispatcher_takes_a_call_keyboard_only(page, tree, clerk_a):
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, clerk_a.user.username, PASSWORD)
    page.goto("/workorders/intake/")
    # the phone field has the focus; type, Tab to the next field (each followed by its tick)
    assert page.evaluate("document.activeElement.id") == "id_phone"
    page.keyboard.type("138 0013 8000")
    page.keyboard.press("Tab")  # → phone tick
    page.keyboard.press("Tab")  # → name
    page.keyboard.type("王先生")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # → address
    page.keyboard.type("古城路 12 号 3 单元 501")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # → problem
    page.keyboard.type("暖气片不热，已经两天")
    page.locator("#no-customer").wait_for()  # the phone lookup answered: a new customer
    # Enter before the ticks: save is refused, the missing read-backs are named
    page.keyboard.press("Enter")
    page.locator("#intake-error").wait_for()
    assert "请跟读确认" in page.locator("#intake-error").inner_text()
    assert not WorkOrder.objects.exists()
    # the typed data is kept; tick all four by keyboard and pick 投诉 (Alt+6), then Enter in the problem field
    page.locator("#id_problem").focus()
    for key in ("1", "2", "3", "4"):
        page.keyboard.press(f"Alt+{key}")
    page.keyboard.press("Alt+6")
    assert page.locator("#read-back-status").inner_text() == "四项均已跟读确认"
    screenshot(page, "intake-keyboard-ready")
    page.keyboard.press("Enter")
    page.locator("#intake-done").wait_for()
    screenshot(page, "intake-confirmation")
    order = WorkOrder.objects.get()
    assert order.kind == "complaint" and order.customer_name == "王先生"
    assert order.number in page.locator("#order-number").inner_text()


def test_public_reports_a_problem_on_a_phone(phone_page, tree):
    phone_page.goto("/workorders/public/report/")
    phone_page.select_option("#id_organization", str(tree["a"].pk))
    phone_page.fill("#id_customer_name", "赵女士")
    phone_page.fill("#id_phone", "139 1234 5678")
    phone_page.fill("#id_address", "新华街 8 号 2 单元 301")
    phone_page.fill("#id_problem", "楼道暖气管漏水，地面有积水")
    screenshot(phone_page, "public-report-form-phone")
    phone_page.get_by_role("button", name="提交报修").click()
    phone_page.locator("#report-done").wait_for()
    screenshot(phone_page, "public-report-done-phone")
    order = WorkOrder.objects.get()
    assert order.channel == "public_web"
    assert phone_page.locator("#order-number").inner_text() == order.number
