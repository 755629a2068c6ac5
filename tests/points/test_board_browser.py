"""The points board in a real browser (PUB-01, PUB-03, PUB-14): a serviceman reads it on a phone (the rest-day
roster below the table), the manager on a laptop (the roster beside it) and posts it; the wall screen at 1920×1080
pages through the rows, refreshes itself from the JSON feed (page.clock, no sleeping) and keeps the last data when
offline; the print view fits 50 staff on one A4 landscape page. Screenshots (SC_SCREENSHOT_DIR=docs/img):
points-board.png, points-board-phone.png, points-board-screen.png, points-board-print.png."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import time_machine
from playwright.sync_api import expect

from servicecenter.points import policies, services
from servicecenter.points.choices import Category, EntryStatus, Source
from servicecenter.rosters import services as roster_services
from tests import factories
from tests.browser_support import login, screenshot

from .conftest import MORNING

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Secret-2026"  # tests.factories.make_staff's default
DAY = MORNING.date()
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "建国 志强 海燕 立新 秀英 伟 敏 静 磊 军 洋 勇 艳 杰 娟 涛 明 超".split()


def _verified(center, staff, day, points, category=Category.WORK, tag="") -> None:
    rule = policies.Rule(Decimal(points), category, "test.rule", "PTS-04", "测试")
    key = f"b-{staff.pk}-{day}-{category}-{tag}{points}"
    draft = services.Draft(
        center.pk, staff.pk, day, rule, Source.WORK_ORDER, None, "测试", key, status=EntryStatus.VERIFIED
    )
    services.entries_post([draft])


def _crew(tree, n: int) -> list:
    crew = []
    for i in range(n):
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)]
        crew.append(factories.make_staff(tree["team_a"], "service_staff", name=name, role_org=tree["a"]))
    return crew


def _points(tree, crew) -> None:
    """A plausible first of December: work points for most, a reward and a penalty, the fixed item."""
    for i, staff in enumerate(crew):
        if i % 4 != 3:
            _verified(tree["a"], staff, DAY, str(1 + (i * 7) % 9))
        if i % 6 == 0:
            _verified(tree["a"], staff, DAY, "3", Category.REWARD)
        if i % 9 == 4:
            _verified(tree["a"], staff, DAY, "-2", Category.PENALTY)
    _verified(tree["a"], crew[-1], DAY, "50", Category.FIXED)


def _publish_december(tree, manager) -> None:
    with time_machine.travel("2026-11-20 10:00 +08:00", tick=False):
        roster_services.templates_install_presets(actor=manager.user, organization=tree["a"])
        draft = roster_services.roster_open_draft(actor=manager.user, organization=tree["a"], month=DAY)
        roster_services.roster_propose(actor=manager.user, roster_id=draft.pk)
        roster_services.roster_publish(actor=manager.user, roster_id=draft.pk, confirm_warnings=True)


def _context(browser, live_server, width, height, **kw):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": width, "height": height}, base_url=live_server.url, **kw
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_staff_on_a_phone_and_the_manager_on_a_laptop(browser, live_server, tree, manager_a, clerk_a):
    # given: twelve servicemen with points and December's published roster
    crew = _crew(tree, 12)
    _points(tree, crew)
    _publish_december(tree, manager_a)
    # when: a serviceman opens the board on his phone
    context, page = _context(browser, live_server, 390, 844, is_mobile=True, has_touch=True)
    try:
        login(page, crew[0].staff_no, PASSWORD)
        page.goto("/points/board/")
        # then: his own center, his row, the live-data notice, the roster below the table
        expect(page.locator("#board-title")).to_contain_text(tree["a"].name)
        expect(page.locator(f'tr[data-staff-no="{crew[0].staff_no}"]')).to_contain_text(crew[0].name)
        expect(page.locator("#board-posted")).to_contain_text("未公示，以下为实时数据")
        expect(page.locator("#btn-board-post")).to_have_count(0)  # only the order clerk / manager posts
        main, roster = page.locator("#board-main").bounding_box(), page.locator("#board-roster").bounding_box()
        assert main and roster and roster["y"] >= main["y"] + main["height"] - 1
        expect(page.locator("#rest-grid td.rest").first).to_have_text("休")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the table scrolls inside its box
        screenshot(page, "points-board-phone")
    finally:
        context.close()
    # when: the manager opens it on a 1366×768 laptop
    context, page = _context(browser, live_server, 1366, 768)
    try:
        login(page, manager_a.staff_no, PASSWORD)
        page.goto(f"/points/board/{tree['a'].pk}/")
        main, roster = page.locator("#board-main").bounding_box(), page.locator("#board-roster").bounding_box()
        assert main and roster and roster["x"] > main["x"] + main["width"] - 20 and abs(roster["y"] - main["y"]) < 40
        expect(page.locator("#board-table tfoot")).to_contain_text("合计")
        screenshot(page, "points-board")
        # and posts it: a double click makes one posting, shown exactly as posted
        page.locator("#btn-board-post").dblclick()
        page.wait_for_url(re.compile(r"/points/board/\d+/postings/\d+/$"))
        expect(page.locator("#posting-at")).to_have_text(re.compile(r"2026-12-01 \d\d:\d\d"))
        expect(page.locator(".posting-row")).to_have_count(14)  # 12 servicemen, the clerk and the manager
        page.goto(f"/points/board/{tree['a'].pk}/")
        expect(page.locator("#board-posted")).to_contain_text("公示时间")
        page.goto(f"/points/board/{tree['a'].pk}/postings/")
        expect(page.locator("#postings-table tbody tr")).to_have_count(1)
    finally:
        context.close()


def test_wall_screen_pages_refreshes_and_survives_going_offline(browser, live_server, tree, manager_a):
    # given: 30 servicemen with points: two screens of 20 rows
    crew = _crew(tree, 30)
    _points(tree, crew)
    context, page = _context(browser, live_server, 1920, 1080)
    try:
        login(page, manager_a.staff_no, PASSWORD)
        page.clock.install()
        page.goto(f"/points/board/{tree['a'].pk}/screen/")
        rows = page.locator("#screen-rows tr")
        expect(rows).to_have_count(20)
        expect(page.locator("#screen-page")).to_have_text("第 1 / 2 页")
        expect(page.locator("#screen-updated")).to_contain_text("数据更新于")
        totals = [Decimal(t) for t in page.locator("#screen-rows td.total").all_inner_texts()]
        assert totals == sorted(totals, reverse=True)  # ranked by total
        screenshot(page, "points-board-screen")
        assert page.evaluate("document.documentElement.scrollHeight") <= 1080  # one screen, no scrolling
        last, foot = page.locator("#screen-totals").bounding_box(), page.locator("body > footer").bounding_box()
        assert last and foot and last["y"] + last["height"] <= foot["y"]  # the totals row is not cut off
        expect(page.locator("#screen-locked")).to_be_hidden()
        # the rows rotate every 15 s
        page.clock.run_for(15_000)
        expect(page.locator("#screen-page")).to_have_text("第 2 / 2 页")
        expect(rows).to_have_count(11)  # 30 servicemen + the manager = 31 rows; the second screen has 11
        # new points arrive: the next refresh (60 s) shows them without reloading the page
        _verified(tree["a"], crew[5], DAY, "99", tag="late")
        page.evaluate("window.boardScreen.marker = 1")
        page.clock.run_for(60_000)
        page.wait_for_function("window.boardScreen.state.refreshes >= 1")
        assert page.evaluate("window.boardScreen.state.data.rows[0].name") == crew[5].name
        if page.locator("#screen-page").inner_text() != "第 1 / 2 页":
            page.clock.run_for(15_000)  # the rotation comes back to the first screen
        expect(page.locator("#screen-page")).to_have_text("第 1 / 2 页")
        expect(page.locator("#screen-rows tr").first.locator("td").nth(2)).to_have_text(crew[5].name)
        assert page.evaluate("window.boardScreen.marker") == 1  # same page, not reloaded
        # offline: the last data stays, with its time
        context.set_offline(True)
        page.clock.run_for(60_000)
        expect(page.locator("#screen-updated")).to_contain_text("网络中断")
        assert page.evaluate("window.boardScreen.state.data.rows[0].name") == crew[5].name
        context.set_offline(False)
        page.clock.run_for(60_000)
        expect(page.locator("#screen-updated")).to_contain_text("数据更新于")
    finally:
        context.close()


def test_print_view_fits_fifty_staff_on_one_a4_landscape_page(browser, live_server, tree, manager_a):
    crew = _crew(tree, 49)  # + the manager = 50 rows
    _points(tree, crew)
    context, page = _context(browser, live_server, 1366, 900)
    try:
        login(page, manager_a.staff_no, PASSWORD)
        page.goto(f"/points/board/{tree['a'].pk}/print/")
        expect(page.locator(".print-row")).to_have_count(50)
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
        pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
        assert pages == 1, f"the print view takes {pages} pages"
        # a print-emulated screenshot at A4 landscape proportions (297 × 210 mm at 96 dpi ≈ 1123 × 794)
        page.set_viewport_size({"width": 1123, "height": 794})
        page.emulate_media(media="print")
        screenshot(page, "points-board-print")
        assert page.evaluate("document.documentElement.scrollHeight") <= 794 + 40
    finally:
        context.close()
