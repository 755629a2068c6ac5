"""The renewal specialist on a phone (390×844): opens the call list, records an upgrade for the first household;
the manager's month result on a desktop. Screenshots for docs/renewals.md."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import time_machine

from servicecenter.renewals.models import RenewalRow
from tests.browser_support import login, screenshot

from .conftest import NOW, add_rows, record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Secret-2026"  # tests.factories.make_staff's default
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


@pytest.fixture(autouse=True)
def in_the_month():
    with time_machine.travel(NOW, tick=True):
        yield


def _shot(page, name: str) -> None:
    path = screenshot(page, name)
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, DOCS_IMG / f"{name}.png")


def _page(browser, live_server, width: int, height: int):
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_specialist_records_an_upgrade_on_a_phone(browser, live_server, tree, specialist_a, manager_a):
    # given: the month's due list, three households called already, one unassigned
    rows = add_rows(tree["a"], n=6, assignee=specialist_a, tier="3.0")
    for row, outcome in zip(rows[3:], ("renewed", "refused", "unreachable"), strict=True):
        record(specialist_a, row, outcome)
    add_rows(tree["a"], n=1, kind="suspended", prefix="S", phone="13955556666")
    context, page = _page(browser, live_server, 390, 844)
    try:
        login(page, specialist_a.staff_no, PASSWORD)
        # when: the specialist opens the list and records an upgrade to 8.2 for the first pending household
        page.goto("/renewals/rows/?month=2026-11")
        first = page.locator(f"#row-{rows[0].pk}")
        assert "13912345678" in first.inner_text()
        assert "139****6666" in page.content()  # the unassigned household's number stays masked
        _shot(page, "renewals-call-list")
        first.locator("select[name=outcome]").select_option("upgraded")
        first.locator("select[name=new_tier]").select_option("8.2")
        first.locator("input[name=note]").fill("改签 8.2 两年")
        first.locator("button[type=submit]").click()
        # then: back on the list, the household shows its outcome
        page.wait_for_selector(".alert-success")
        assert "升档续费 → 8.2" in page.locator(f"#row-{rows[0].pk}").inner_text()
        row = RenewalRow.objects.get(pk=rows[0].pk)
        assert (row.outcome, row.new_tier, row.note) == ("upgraded", "8.2", "改签 8.2 两年")
        _shot(page, "renewals-recorded")
    finally:
        context.close()
    # and the manager's month result on a desktop
    context, page = _page(browser, live_server, 1280, 800)
    try:
        login(page, manager_a.staff_no, PASSWORD)
        page.goto("/renewals/result/?month=2026-11")
        assert "甲续费" in page.locator("#result-table").inner_text()
        _shot(page, "renewals-result")
    finally:
        context.close()
