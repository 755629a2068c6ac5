"""The satisfaction report in a real browser: a year of callbacks at one center, the manager opens the report, sees the
trend and the attitude bar, switches to the team view, drills down from a team to its staff and from a count to the
callback history link, and downloads the .xlsx. Screenshot: docs/img/cb-satisfaction.png (SC_SCREENSHOT_DIR)."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook

from servicecenter.callbacks import reports, services, surveys
from servicecenter.callbacks.models import CallbackTask
from servicecenter.complaints import services as complaint_services
from servicecenter.workorders import services as order_services
from tests import factories
from tests.browser_support import login, screenshot

from .conftest import SH, intake, png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Secret-2026"  # tests.factories.make_staff's default
ATTITUDES = ("satisfied",) * 7 + ("average", "satisfied", "dissatisfied")


@pytest.fixture(autouse=True)
def at_morning():
    """The real clock (overrides the conftest's travel): the report's default month is the live server's month."""
    yield


def _callback(clerk, center, worker, at, n):
    """One order returned at `at` and its callback answered an hour later (the clock travels there)."""
    with time_machine.travel(at, tick=False):
        order = intake(clerk, center, now=at, phone=f"1390001{n:04d}", customer_name=f"客户{n}")
        order_services.order_dispatch(actor=clerk.user, order_id=order.pk, assignee_id=worker.pk, now=at)
        order_services.order_accept(actor=worker.user, order_id=order.pk, now=at + timedelta(minutes=5))
        order_services.order_arrive(actor=worker.user, order_id=order.pk, now=at + timedelta(minutes=30))
        order = order_services.order_complete(
            actor=worker.user,
            order_id=order.pk,
            work_content="处理完毕",
            service_started_at=at + timedelta(minutes=30),
            service_ended_at=at + timedelta(minutes=60),
            signature_png=png_bytes(),
            signer_name="客户",
            now=at + timedelta(minutes=61),
        )
    later = at + timedelta(hours=2)
    with time_machine.travel(later, tick=False):
        task = CallbackTask.objects.get(order=order, kind__in=["after_service", "courtesy"])
        attitude = ATTITUDES[n % len(ATTITUDES)]
        score = {"satisfied": 9 + n % 2, "average": 6, "dissatisfied": 3}[attitude]
        answers = {"a": "no" if n % 9 == 4 else "yes", "b": attitude, "c": "yes" if n % 17 == 3 else "no"}
        services.task_claim(actor=clerk.user, task_id=task.pk, now=later)
        services.task_answer(actor=clerk.user, task_id=task.pk, answers={**answers, "d": str(score)}, now=later)
        if n % 5 == 0:
            level = 1 if attitude == "dissatisfied" else 5
            tags = ["attitude_bad", "slow"] if level == 1 else ["efficient", "professional"]
            surveys.rating_submit(
                order=order, level=level, tags=tags, comment="", channel="phone", actor=clerk.user, now=later
            )
    return order


def test_manager_reads_the_report_drills_down_and_exports(page, tree, clerk_a, manager_a):
    # given: a year of callbacks at center A by a serviceman of the center and one of its team
    worker = factories.make_staff(tree["a"], "service_staff", name="王师傅")
    team_worker = factories.make_staff(tree["team_a"], "service_staff", name="李师傅", role_org=tree["a"])
    now = timezone.localtime(timezone.now(), SH)
    this_month = reports.Period.of(now.date())
    n = 0
    for back in range(11, -1, -1):
        first = reports.shift_month(now.date().replace(day=1), -back)
        for k in range(3 + (11 - back) % 3):
            day = min(first.day + 2 + 5 * k, 27)
            at = datetime(first.year, first.month, day, 9, 30, tzinfo=SH)
            if at + timedelta(hours=3) >= now:
                at = this_month.start + timedelta(minutes=30 * k)  # early on the first of the month
            _callback(clerk_a, tree["a"], worker if n % 3 else team_worker, at, n)
            n += 1
    complaint_services.complaint_create(
        actor=manager_a.user,
        organization=tree["a"],
        channel="phone",
        complainant_name="赵女士",
        phone="13900002000",
        summary="师傅迟到",
        details="约好上午九点，十一点才到",
        against_staff_id=worker.pk,
    )

    # when: the manager opens the report (desktop)
    login(page, manager_a.user.username, PASSWORD)
    page.goto("/callbacks/satisfaction/")
    page.locator("#sat-trend").wait_for()

    # then: this month's figures, the 12-month chart and the attitude bar
    assert page.locator("#sat-trend .sat-bar").count() == 12
    assert page.locator("#sat-line-satisfaction_rate").count() == 1
    assert page.locator("#sat-attitude .sat-attitude-part").count() >= 1
    names = page.locator("#sat-table tbody tr td:first-child").all_inner_texts()
    assert any("王师傅" in name for name in names) and any("李师傅" in name for name in names)
    assert page.locator("#sum-complaints a.drill").first.get_attribute("href").startswith("/complaints/?")
    page.locator("#sat-summary").scroll_into_view_if_needed()
    screenshot(page, "cb-satisfaction")

    # the team view, then a team's staff
    page.select_option("#id_by", "team")
    page.click("#sat-filters button")
    page.locator("#sat-table").wait_for()
    team_row = page.locator(f"#sat-table tr[data-key='{tree['team_a'].pk}']")
    team_row.locator("td:first-child a").click()
    page.locator("#sat-scope").wait_for()
    assert page.locator("#sat-table tbody tr").count() == 1
    assert "李师傅" in page.locator("#sat-table tbody").inner_text()
    history = page.locator("#sat-table tbody a.drill").first.get_attribute("href")
    assert history.startswith("/callbacks/queue/history/?") and f"technician={team_worker.pk}" in history

    # the export of the same report
    with page.expect_download() as download:
        page.click("#sat-export")
    book = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    assert book.sheetnames[:4] == ["按服务人员", "按班组", "按服务中心", "近12个月"]
    assert book["按服务人员"]["A1"].value == "满意度统计（CB-18）"
