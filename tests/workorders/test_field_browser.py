"""A serviceman on a 390×844 phone walks an order to completion with a finger (mouse) signature; the manager then
countersigns and archives the voucher on a desktop and prints it."""

from __future__ import annotations

import pytest

from servicecenter.workorders.models import OrderAttachment, WorkOrder
from tests.browser_support import login, screenshot

from .field_support import dispatched

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Secret-2026"  # tests.factories.make_staff's default


def _sign(page) -> None:
    canvas = page.locator("#signature-pad")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    x, y = box["x"], box["y"]
    page.mouse.move(x + 40, y + 120)
    page.mouse.down()
    for step in range(1, 25):
        page.mouse.move(x + 40 + step * 11, y + 120 - (step % 6) * 12, steps=2)
    page.mouse.up()
    page.mouse.move(x + 120, y + 60)
    page.mouse.down()
    page.mouse.move(x + 200, y + 150, steps=8)
    page.mouse.up()


def test_phone_completion_with_signature_then_voucher_countersign_and_archive(
    phone_page, page, tree, clerk_a, worker_a, manager_a
):
    order = dispatched(clerk_a, tree["a"], worker_a, customer_name="浏览器客户", address="古城路 88 号 2 单元 301")
    phone = phone_page

    # the serviceman's list: one card, a tel: link, the countdown
    login(phone, worker_a.user.username, PASSWORD)
    phone.goto("/workorders/my/")
    card = phone.locator(f"#order-{order.pk}")
    card.wait_for()
    assert "tel:" in card.locator("a[href^='tel:']").get_attribute("href")
    countdown = card.locator("[data-due]").inner_text()  # rewritten by field.js from the server's clock
    assert countdown.startswith("响应剩余") and "NaN" not in countdown
    screenshot(phone, "field-my-orders")

    # accept → contacted → arrived, each one big button
    phone.goto(f"/workorders/my/{order.pk}/")
    screenshot(phone, "field-order-accept")
    phone.click("#btn-accept")
    phone.locator("#btn-contact").wait_for()
    assert "已接单" in phone.locator(".alert").first.inner_text()
    screenshot(phone, "field-order-contact")
    phone.click("#btn-contact")
    phone.locator("#btn-arrive").wait_for()
    phone.click("#btn-arrive")
    phone.locator("#btn-complete").wait_for()
    screenshot(phone, "field-order-in-progress")

    # the completion form: content, a material, a signature drawn on the canvas
    phone.click("#btn-complete")
    phone.fill("#work_content", "更换水龙头阀芯，试水无渗漏")
    phone.locator("input[name=mat_name]").first.fill("阀芯")
    phone.locator("input[name=mat_qty]").first.fill("1")
    phone.locator("input[name=mat_unit]").first.fill("个")
    phone.locator("input[name=mat_price]").first.fill("0")
    _sign(phone)
    assert phone.locator("#signature-data").input_value().startswith("data:image/png;base64,")
    assert phone.locator("[data-sig-status]").inner_text() == "已签字"
    screenshot(phone, "field-complete-form")
    phone.click("#btn-submit-complete")
    phone.locator("#order-status").wait_for()
    assert phone.locator("#order-status").inner_text() == "已回单"
    screenshot(phone, "field-order-returned")
    order.refresh_from_db()
    assert order.status == "returned" and order.signer_name == "浏览器客户"
    assert OrderAttachment.objects.filter(order=order, kind="signature").count() == 1

    # the manager on a desktop: countersign, then archive (confirm), then print
    login(page, manager_a.user.username, PASSWORD)
    page.goto(f"/workorders/{order.pk}/voucher/")
    assert page.locator("#signature-img").evaluate("img => img.naturalWidth") > 0
    page.click("#btn-countersign")
    page.locator("#btn-archive").wait_for()
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#btn-archive")
    page.locator("#archive-stamp").wait_for()
    assert WorkOrder.objects.get(pk=order.pk).archived_at is not None
    screenshot(page, "voucher-archived")
    page.emulate_media(media="print")
    screenshot(page, "voucher-print-a4")
    page.goto(f"/workorders/{order.pk}/voucher/?size=a5")
    screenshot(page, "voucher-print-a5")
    assert page.locator("#voucher-tools").is_hidden()

    # the register lists it as archived; the day's reconciliation is clean
    page.emulate_media(media="screen")
    page.goto("/workorders/register/")
    assert "已归档" in page.locator("#register-table").inner_text()
    screenshot(page, "register-list")
    page.goto("/workorders/register/reconcile/")
    page.locator("#reconcile-ok").wait_for()
    screenshot(page, "register-reconcile")
