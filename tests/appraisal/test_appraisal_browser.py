"""The manager opens a staff member's monthly appraisal from the center overview and prints it (A4 portrait, the
signature lines). Screenshot for docs/appraisal.md."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine

from tests.browser_support import login, screenshot

from .conftest import DAY, MORNING, answered, attendance, entry, rating

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Secret-2026"  # tests.factories.make_staff's default
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


@pytest.fixture(autouse=True)
def at_morning():
    with time_machine.travel(MORNING + timedelta(days=20), tick=True):
        yield


def _shot(page, name: str) -> None:
    path = screenshot(page, name)
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, DOCS_IMG / f"{name}.png")


@pytest.fixture
def desktop(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 1000}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_manager_opens_a_staff_members_appraisal_and_prints_it(desktop, tree, clerk_a, manager_a, worker_a, worker_a2):
    page = desktop
    # given: worker_a's December on record (orders, callbacks, a rating, attendance, points)
    with time_machine.travel(MORNING, tick=True):
        first = answered(clerk_a, tree["a"], worker_a)
        answered(clerk_a, tree["a"], worker_a, attitude="average", breached=True)
    rating(first, worker_a, 5)
    for offset, status in enumerate(("on_time", "on_time", "late", "on_time")):
        attendance(worker_a, tree["a"], DAY + timedelta(days=offset), status)
    entry(worker_a, tree["a"], "36")
    entry(worker_a, tree["a"], "4", category="reward")
    entry(worker_a2, tree["a"], "48")
    # when: the manager opens the overview and follows worker_a's row
    login(page, manager_a.staff_no, PASSWORD)
    page.goto(f"/appraisal/?center={tree['a'].pk}&month=2026-12")
    row = page.locator(f'#ap-table tr[data-staff="{worker_a.pk}"]')
    assert row.locator("td").last.inner_text().strip() != "—"
    row.get_by_role("link", name=worker_a.name).click()
    page.wait_for_url(f"**/appraisal/{worker_a.pk}/2026-12/")
    # then: every section, the composite and the signature lines
    assert page.locator("#ap-score").inner_text().strip() not in ("", "—")
    for section in ("#ap-points", "#ap-sla", "#ap-satisfaction", "#ap-attendance", "#ap-sign"):
        assert page.locator(section).is_visible()
    assert "被考评人" in page.locator("#ap-sign").inner_text()
    # print: the button calls window.print(); the print media hides the menu and the tools
    page.evaluate("window.__printed = 0; window.print = () => { window.__printed += 1; }")
    page.click("#ap-print")
    assert page.evaluate("window.__printed") >= 1
    _shot(page, "appraisal")
    page.emulate_media(media="print")
    assert not page.locator("#print-tools").is_visible() and not page.locator("nav.navbar").is_visible()
    pdf = page.pdf(format="A4")
    assert pdf[:4] == b"%PDF"
