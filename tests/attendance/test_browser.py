"""The field worker's phone: clocks in late → the result says 'late' with its clause (issue 5, Done means)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from servicecenter.attendance.models import Punch
from servicecenter.policy.values import zone_of
from tests import factories
from tests.browser_support import login, screenshot

from .fakes import Shift

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Secret-2026"


def test_field_worker_clocks_in_late_on_phone(phone_page, live_server, tree, roster):
    worker = factories.make_staff(tree["team_a"], "service_staff", role_org=tree["a"], name="罗师傅")
    tz = zone_of(tree["a"])
    start = timezone.now().astimezone(tz).replace(second=0, microsecond=0) - timedelta(minutes=25)
    roster.shifts.append(
        Shift(staff_id=worker.pk, day=start.date(), shift_label="白班", periods=((start, start + timedelta(hours=8)),))
    )
    page = phone_page
    login(page, worker.user.username, PASSWORD)
    page.goto("/attendance/")
    assert "上班打卡" in page.locator("#punch-button").inner_text()
    page.locator("#punch-button").click()
    page.locator(".alert-success").wait_for()
    screenshot(page, "attendance-phone-late")
    status = page.locator("#result-status").inner_text()
    clause = page.locator("#result-clause").inner_text()
    assert status == "迟到"
    assert "ATT-04" in clause and ("迟到 25 分钟" in clause or "迟到 26 分钟" in clause)
    assert "下班打卡" in page.locator("#punch-button").inner_text()
    assert Punch.objects.filter(staff=worker, kind="in", accepted=True).count() == 1
    # the page fits the phone: no horizontal scrolling
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_manager_reads_the_monthly_sheet(page, live_server, tree, roster, manager_a):
    from datetime import date

    from servicecenter.attendance import services

    from .fakes import at, d8

    crew = [factories.make_staff(tree["team_a"], "service_staff", role_org=tree["a"]) for _ in range(3)]
    days = [date(2026, 3, 1) + timedelta(days=i) for i in range(31)]
    roster.shifts += [d8(s.pk, d) for s in crew for d in days if d.weekday() != 6]
    roster.rests.update({s.pk: {d for d in days if d.weekday() == 6} for s in crew})
    for d in days[:20]:
        services.punch_record(actor=crew[0].user, kind="in", now=at(d, "08:20" if d.day % 7 else "08:45"))
        services.punch_record(actor=crew[0].user, kind="out", now=at(d, "16:40"))
    services.results_compute(organization=tree["a"], start=days[0], end=days[-1], now=at(date(2026, 4, 1), "09:00"))
    login(page, manager_a.user.username, PASSWORD)
    page.goto(f"/attendance/sheet/?center={tree['a'].pk}&month=2026-03")
    page.locator("table.att-sheet").wait_for()
    screenshot(page, "attendance-sheet")
    assert "迟" in page.locator("table.att-sheet").inner_text()
    page.goto(f"/attendance/dashboard/?center={tree['a'].pk}")
    screenshot(page, "attendance-dashboard")
    assert page.locator("#coverage").is_visible()
