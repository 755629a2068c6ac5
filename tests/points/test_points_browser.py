"""The points pages in a real browser.

1. A serviceman completes an order (through the services) → its draft entry appears on 每日积分核对 (phone 390×844)
   → the order clerk verifies the day → the board shows the points (PTS-04, PUB-01).
2. The finance clerk locks November on 月度复核 (desktop) and asks for a reversal after the lock → pending; the
   manager approves it in /approvals/ → the entry page shows «锁定后冲正» and the month page the difference (PTS-09).

Screenshots for docs/points.md: docs/img/points-daily.png (phone), docs/img/points-month.png (desktop)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from servicecenter.points.choices import EntryStatus, MonthStatus, RequestStatus, Source
from servicecenter.points.models import MonthClose, PointEntry, ReversalRequest
from tests import factories
from tests.browser_support import login, screenshot

from .conftest import returned
from .test_pages import post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Secret-2026"  # tests.factories.make_staff's default
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


def _relogin(page, staff) -> None:
    page.context.clear_cookies()
    login(page, staff.user.username, PASSWORD)


def _shot(page, name: str) -> None:
    path = screenshot(page, name)
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, DOCS_IMG / f"{name}.png")


@pytest.mark.clause("PTS-04")
def test_completed_order_is_verified_by_the_clerk_and_reaches_the_board(
    phone_page, page, tree, clerk_a, worker_a, worker_a2
):
    order = returned(clerk_a, tree["a"], worker_a)
    returned(clerk_a, tree["a"], worker_a2)
    post(tree["a"], worker_a2, points="-2", key="late", source=Source.ATTENDANCE)
    entry = PointEntry.objects.get(source=Source.WORK_ORDER, source_id=order.pk)
    assert entry.status == EntryStatus.DRAFT

    phone = phone_page
    login(phone, clerk_a.user.username, PASSWORD)
    phone.goto("/points/daily/")
    row = phone.locator(f".entry-row[data-pk='{entry.pk}']")
    assert "待核对" in row.inner_text() and order.number in row.inner_text()
    row.locator("summary").click()  # «为什么？» shows the stored citation
    assert "PTS-04" in row.locator(".why").inner_text()
    assert phone.locator("#g04-banner").is_visible()
    _shot(phone, "points-daily")
    phone.click("#btn-verify-all")
    phone.locator(".alert-success").wait_for()
    assert "已核对" in phone.locator(f".entry-row[data-pk='{entry.pk}'] .entry-status").inner_text()
    assert phone.locator("#btn-verify-all").count() == 0
    entry.refresh_from_db()
    assert entry.status == EntryStatus.VERIFIED and entry.verified_by == clerk_a.user

    # the board shows the verified points
    login(page, worker_a.user.username, PASSWORD)
    page.goto(f"/points/board/{tree['a'].pk}/")
    line = next(t for t in page.locator("main").inner_text().splitlines() if worker_a.staff_no in t)
    assert line.split("\t")[2:5] == [worker_a.name, "1", "1"]  # name, the day's points, month to date


@pytest.mark.clause("PTS-09")
def test_month_lock_then_a_reversal_after_the_lock_needs_the_managers_approval(
    page, tree, clerk_a, finance_a, manager_a, worker_a, worker_a2
):
    others = [factories.make_staff(tree["a"], "service_staff", name=n) for n in ("甲师傅三", "甲师傅四")]
    entry = post(tree["a"], worker_a, day=date(2026, 11, 11), points="4", key="nov:1", status=EntryStatus.VERIFIED)
    for i, (staff, pts) in enumerate([(worker_a2, "3"), (others[0], "5"), (others[1], "2"), (worker_a, "1")]):
        post(tree["a"], staff, day=date(2026, 11, 3 + i), points=pts, key=f"nov:x{i}", status=EntryStatus.VERIFIED)
    post(tree["a"], worker_a2, day=date(2026, 11, 20), points="1", key="nov:draft")  # one draft left

    login(page, finance_a.user.username, PASSWORD)
    page.goto(f"/points/month/{tree['a'].pk}/2026-11/")
    assert "未锁定" in page.locator("#month-status").inner_text()
    page.locator("#drafts-left a").first.click()  # the draft's day
    assert "/points/daily/" in page.url
    _relogin(page, clerk_a)
    page.goto(f"/points/daily/?center={tree['a'].pk}&day=2026-11-20")
    page.click("#btn-verify-all")
    page.locator(".alert-success").wait_for()

    _relogin(page, finance_a)
    page.goto(f"/points/month/{tree['a'].pk}/2026-11/")
    page.fill("#id_note", "核查无误")
    page.click("#btn-lock")
    page.locator(".alert-success").wait_for()
    assert "已复核锁定" in page.locator("#month-status").inner_text()
    assert MonthClose.objects.get(organization=tree["a"]).status == MonthStatus.LOCKED

    # a reversal after the lock is a request
    page.goto(f"/points/entries/{entry.pk}/")
    page.fill("#id_reason", "工单重复计分")
    page.click("#btn-reverse")
    page.locator("#reversal-pending").wait_for()
    assert "已申请冲正，待经理审批" in page.locator("main").inner_text()
    request = ReversalRequest.objects.get(entry=entry)
    assert request.status == RequestStatus.PENDING

    # the manager approves it in /approvals/
    _relogin(page, manager_a)
    page.goto("/approvals/")
    page.locator(".approval-item button[value=approve]").first.click()
    page.locator(".approval-item .alert-success").wait_for()
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED

    page.goto(f"/points/entries/{entry.pk}/")
    assert "锁定后冲正" in page.locator("#reversed-by").inner_text()
    assert manager_a.name in page.locator("#reversal-approval").inner_text()
    page.goto(f"/points/month/{tree['a'].pk}/2026-11/")
    assert page.locator(".after-lock-row").count() == 1
    assert page.locator(f".month-row.changed[data-staff='{worker_a.staff_no}']").count() == 1
    _shot(page, "points-month")
