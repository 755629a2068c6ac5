"""Leave in a real browser: a field worker asks on a phone, the approver decides on a desktop.

Done-means of issue 5: "leave of 2 days routed to the ops-center GM and approved"; "sick leave without certificate
refused" (phone viewport for the requester).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from servicecenter.leave.models import LeaveRequest
from servicecenter.policy.values import local_today
from tests.browser_support import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Secret-2026"  # tests.factories.make_staff's default


def fill_dates(page, start, end, end_half="pm"):
    page.fill("#id_start_date", f"{start:%Y-%m-%d}")
    page.fill("#id_end_date", f"{end:%Y-%m-%d}")
    page.select_option("#id_end_half", end_half)
    page.locator("#id_end_half").dispatch_event("change")


@pytest.mark.clause("LEV-02")
def test_two_days_routed_to_the_gm_and_approved(phone_page, page, tree, worker_a, manager_a, gm, channel):
    first = local_today(tree["a"]) + timedelta(days=7)
    # the field worker asks on the phone, sees the live day count and the approver before submitting
    login(phone_page, worker_a.user.username, PASSWORD)
    phone_page.goto("/leave/")
    phone_page.select_option("#id_kind", "personal")
    fill_dates(phone_page, first, first + timedelta(days=1))
    phone_page.fill("#id_reason", "回老家办理证件")
    phone_page.locator("#leave-preview [data-days='2']").wait_for()
    assert "营维中心总经理" in phone_page.locator("#leave-preview").inner_text()
    screenshot(phone_page, "leave-phone-new-request")
    phone_page.click("#leave-submit")
    phone_page.locator("#leave-status").wait_for()
    assert "审批中" in phone_page.locator("#leave-status").inner_text()
    assert "营维中心总经理" in phone_page.locator("#route").inner_text()
    screenshot(phone_page, "leave-phone-submitted")
    # the GM approves from the inbox
    login(page, gm.user.username, PASSWORD)
    page.goto("/approvals/")
    page.locator(".approval-item button[value=approve]").first.click()
    page.locator(".approval-item .alert-success").wait_for()
    leave = LeaveRequest.objects.get(staff=worker_a)
    assert leave.status == "approved" and leave.days == 2
    # the GM sees who is away on the team calendar and in the register
    page.goto(f"/leave/calendar/?month={first:%Y-%m}")
    assert "甲师傅" in page.locator(".leave-calendar").inner_text()
    screenshot(page, "leave-team-calendar")
    page.goto(f"/leave/register/?month={first:%Y-%m}")
    assert "回老家办理证件" in page.locator("table").inner_text()
    screenshot(page, "leave-register")
    # the worker sees it approved
    phone_page.reload()
    assert "已批准" in phone_page.locator("#leave-status").inner_text()
    screenshot(phone_page, "leave-phone-approved")


@pytest.mark.clause("LEV-06")
def test_sick_leave_without_certificate_refused(phone_page, page, tree, worker_a, manager_a, tmp_path):
    day = local_today(tree["a"]) + timedelta(days=2)
    login(phone_page, worker_a.user.username, PASSWORD)
    phone_page.goto("/leave/")
    phone_page.select_option("#id_kind", "sick")
    phone_page.locator("#id_kind").dispatch_event("change")
    fill_dates(phone_page, day, day)
    phone_page.fill("#id_reason", "发烧就诊")
    phone_page.locator("#leave-preview [data-days='1']").wait_for()
    phone_page.click("#leave-submit")
    phone_page.locator("#certificate-missing").wait_for()
    screenshot(phone_page, "leave-phone-sick-no-certificate")
    # the manager tries to approve: refused with the reason, nothing decided
    login(page, manager_a.user.username, PASSWORD)
    page.goto("/approvals/")
    page.locator(".approval-item button[value=approve]").first.click()
    page.locator(".approval-item .alert-danger").wait_for()
    assert "病历证明" in page.locator(".approval-item .alert-danger").inner_text()
    screenshot(page, "leave-approver-refused-without-certificate")
    leave = LeaveRequest.objects.get(staff=worker_a)
    assert leave.status == "submitted"
    # a file that is not an image is refused on the phone; a real image is accepted; then the approval goes through
    fake = tmp_path / "证明.jpg"
    fake.write_bytes(b"this is not a photo")
    phone_page.set_input_files("#id_file", str(fake))
    phone_page.click("#certificate button")
    phone_page.locator("#certificate .invalid-feedback").wait_for()
    assert "图片" in phone_page.locator("#certificate .invalid-feedback").inner_text()
    from tests.leave.helpers import png_bytes

    real = tmp_path / "证明.png"
    real.write_bytes(png_bytes())
    phone_page.set_input_files("#id_file", str(real))
    phone_page.click("#certificate button")
    phone_page.locator("#certificate a").wait_for()
    page.goto("/approvals/")
    page.locator(".approval-item button[value=approve]").first.click()
    page.locator(".approval-item .alert-success").wait_for()
    leave.refresh_from_db()
    assert leave.status == "approved"
