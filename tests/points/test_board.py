"""The public points board pages (PUB-01, PUB-03, PUB-14, PTS-05): verified entries only, month to date as of a
day, after-lock reversals shown with who and why, the archive of postings exactly as posted, the double-click guard,
the rest-day roster beside the board, the print page, the wall screen's JSON feed, scoping and query counts."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from servicecenter.points import policies, services
from servicecenter.points.choices import Category, EntryStatus, Source
from servicecenter.points.models import BoardPosting, PointEntry
from servicecenter.rosters import services as roster_services
from tests import factories

from .conftest import MORNING, approve_pending, returned

pytestmark = pytest.mark.django_db
DAY = MORNING.date()  # 2026-12-01


def _verified(center, staff, day, points, category=Category.WORK, key=None):
    """A verified entry (as after the order clerk's daily check) written through the one posting path."""
    rule = policies.Rule(Decimal(points), category, "test.rule", "PTS-04", "测试")
    draft = services.Draft(
        center.pk,
        staff.pk,
        day,
        rule,
        Source.WORK_ORDER,
        None,
        "测试",
        key or f"t-{staff.pk}-{day}-{points}-{category}",
        status=EntryStatus.VERIFIED,
    )
    services.entries_post([draft])


def _url(name, center, **kw):
    return reverse(f"points_board:{name}", kwargs={"center_pk": center.pk, **kw})


def _row(html: str, staff_no: str) -> list[str]:
    """The cells of the board row of `staff_no` (text only)."""
    match = re.search(rf'<tr class="board-row" data-staff-no="{staff_no}">(.*?)</tr>', html, re.S)
    assert match, f"no board row for {staff_no}"
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.S)]


@pytest.mark.clause("PTS-05", "PUB-01")
def test_the_board_page_counts_verified_points_only(tree, clerk_a, worker_a, client_for):
    # given: a returned order gives a draft entry
    returned(clerk_a, tree["a"], worker_a)
    client = client_for(worker_a)
    # when / then: not on the board until the order clerk verifies the day
    html = client.get(_url("board", tree["a"])).content.decode()
    assert _row(html, worker_a.staff_no)[3:] == ["0", "0", "0", "0", "0"]
    assert "未公示，以下为实时数据" in html
    services.day_verify(actor=clerk_a.user, organization=tree["a"], day=DAY)
    html = client.get(_url("board", tree["a"])).content.decode()
    assert _row(html, worker_a.staff_no)[3:] == ["1", "1", "0", "0", "1"]


@pytest.mark.clause("PUB-01")
def test_month_to_date_as_of_a_day_and_the_auxiliary_column(tree, worker_a, worker_a2, client_for, manager_a):
    # given: verified points on the 1st, 2nd and 3rd, a reward and a penalty, a fixed item
    center = tree["a"]
    _verified(center, worker_a, DAY, "2")
    _verified(center, worker_a, DAY + timedelta(days=1), "3")
    _verified(center, worker_a, DAY + timedelta(days=2), "5")
    _verified(center, worker_a, DAY + timedelta(days=1), "4", Category.REWARD)
    _verified(center, worker_a, DAY + timedelta(days=1), "-1.5", Category.PENALTY)
    _verified(center, worker_a2, DAY, "50", Category.FIXED)
    client = client_for(manager_a)
    # when: the board as of the 2nd
    response = client.get(_url("board", center), {"month": "2026-12", "day": "2026-12-02"})
    html = response.content.decode()
    # then: all of the 2nd's points (3 + 4 − 1.5), the work month to date through the 2nd (not the 3rd),
    # auxiliary = rewards + penalties
    assert _row(html, worker_a.staff_no)[3:] == ["5.50", "5", "2.50", "0", "7.50"]
    assert _row(html, worker_a2.staff_no)[3:] == ["0", "0", "0", "50", "50"]
    assert "统计期间 2026-12-01 至 2026-12-02" in html
    board = response.context["board"]
    assert board.totals["total"] == Decimal("57.50")
    # the default day of the current month is today; a past month defaults to its last day
    assert client.get(_url("board", center)).context["board"].day == DAY
    assert client.get(_url("board", center), {"month": "2026-11"}).context["board"].day == date(2026, 11, 30)
    # nonsense falls back to the default, never a 500
    assert client.get(_url("board", center), {"month": "2026-13", "day": "x"}).context["board"].day == DAY


@pytest.mark.clause("PUB-01")
def test_no_personal_data_beyond_name_and_staff_number(tree, manager_a, client_for):
    from servicecenter.org import services as org_services

    worker = org_services.staff_create(
        actor=None,
        organization=tree["a"],
        staff_no="PD-001",
        name="隐私师傅",
        phone="13912345678",
        position="水电工",
        hire_date=date(2020, 5, 6),
    )
    _verified(tree["a"], worker, DAY, "1")
    client = client_for(manager_a)
    for name in ("board", "print", "screen", "screen_data"):
        body = client.get(_url(name, tree["a"])).content.decode()
        assert "PD-001" in body and ("隐私师傅" in body or name == "screen")  # the screen's JSON escapes names
        assert "13912345678" not in body and "水电工" not in body and "2020-05-06" not in body


@pytest.mark.clause("PTS-09", "PUB-01")
def test_a_reversal_after_the_lock_shows_on_the_board_with_who_and_why(
    tree, clerk_a, worker_a, manager_a, finance_a, client_for
):
    # given: a verified November order, the month locked, then a reversal approved by the manager
    november = date(2026, 11, 1)
    rule = policies.Rule(Decimal(1), Category.WORK, "workorder.returned", "PTS-04", "依据 PTS-04")
    with time_machine.travel(MORNING - timedelta(days=20), tick=False):  # 11 November: an order's draft entry
        services.entries_post(
            [services.Draft(tree["a"].pk, worker_a.pk, date(2026, 11, 11), rule, Source.WORK_ORDER, 1, "WO-1", "wo:b1")]
        )
    entry = PointEntry.objects.get(key="wo:b1")
    with time_machine.travel(MORNING, tick=False):
        services.day_verify(actor=clerk_a.user, organization=tree["a"], day=entry.day)
        services.month_lock(actor=finance_a.user, organization=tree["a"], month=november, note="核查无误")
        request = services.entry_reverse(actor=finance_a.user, entry_id=entry.pk, reason="工单重复计分")
        approve_pending(request.approval, manager_a)
    # when
    html = client_for(worker_a).get(_url("board", tree["a"]), {"month": "2026-11"}).content.decode()
    # then: the month is marked locked, the change is listed with who and why, and the row carries a mark
    assert "已复核锁定" in html and 'id="board-reversals"' in html
    assert "工单重复计分" in html and "甲税控" in html and "经理已批准" in html
    cells = _row(html, worker_a.staff_no)
    assert cells[2].endswith("冲正") and cells[-1] == "0"
    printed = client_for(worker_a).get(_url("print", tree["a"]), {"month": "2026-11"}).content.decode()
    assert 'id="print-reversals"' in printed and "工单重复计分" in printed


@pytest.mark.clause("PUB-14")
def test_post_now_archives_the_board_exactly_and_a_double_click_posts_once(tree, clerk_a, worker_a, client_for):
    # given
    _verified(tree["a"], worker_a, DAY, "2")
    client = client_for(clerk_a)
    # when: the order clerk posts the board (twice, a double click)
    first = client.post(_url("post", tree["a"]), {"month": "2026-12", "day": "2026-12-01"})
    second = client.post(_url("post", tree["a"]), {"month": "2026-12", "day": "2026-12-01"})
    # then: one posting, both clicks land on it
    posting = BoardPosting.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == _url("posting_detail", tree["a"], pk=posting.pk)
    assert (posting.day, posting.posted_by, posting.totals) == (DAY, clerk_a.user, {"staff": 2, "total": "2.00"})
    row = next(r for r in posting.rows if r["staff_no"] == worker_a.staff_no)
    assert row == {"staff_no": worker_a.staff_no, "name": worker_a.name, "day": "2.00", "month_work": "2.00",
                   "auxiliary": "0.00", "fixed": "0.00", "total": "2.00"}  # fmt: skip
    # later points change the live board, never the archive
    _verified(tree["a"], worker_a, DAY, "7")
    detail = client.get(first["Location"]).content.decode()
    assert 'id="posting-total">2.00<' in detail and "甲内勤" in detail
    board = client.get(_url("board", tree["a"])).content.decode()
    assert _row(board, worker_a.staff_no)[-1] == "9" and "公示时间" in board
    # a minute later it is a new posting
    with time_machine.travel(MORNING + timedelta(minutes=2), tick=False):
        client.post(_url("post", tree["a"]), {"month": "2026-12", "day": "2026-12-01"})
    assert BoardPosting.objects.count() == 2
    listing = client.get(_url("postings", tree["a"])).content.decode()
    assert listing.count("甲内勤") >= 2 and "9.00" in listing and "2.00" in listing


@pytest.mark.clause("PUB-14")
def test_only_the_verifier_may_post_and_the_system_posting_is_named(tree, worker_a, manager_a, client_for):
    response = client_for(worker_a).post(_url("post", tree["a"]), {"day": "2026-12-01"})
    assert response.status_code == 404 and not BoardPosting.objects.exists()
    services.board_post(organization=tree["a"], day=DAY, actor=None)
    listing = client_for(manager_a).get(_url("postings", tree["a"])).content.decode()
    assert "系统" in listing
    assert "立即公示" in client_for(manager_a).get(_url("board", tree["a"])).content.decode()
    assert "立即公示" not in client_for(worker_a).get(_url("board", tree["a"])).content.decode()


def test_other_center_is_404_and_anonymous_is_redirected(tree, worker_a, client, manager_b):
    center = tree["a"]
    posting = services.board_post(organization=center, day=DAY)
    urls = [_url(n, center) for n in ("board", "print", "screen", "screen_data", "postings")]
    urls.append(_url("posting_detail", center, pk=posting.pk))
    for url in urls:
        assert client.get(url).status_code == 302 and "/accounts/login/" in client.get(url)["Location"]
    client.force_login(manager_b.user)
    for url in urls:
        assert client.get(url).status_code == 404, url
    # a posting of another center under this center's URL is not found either
    other = services.board_post(organization=tree["b"], day=DAY)
    client.force_login(worker_a.user)
    assert client.get(_url("posting_detail", center, pk=other.pk)).status_code == 404
    # /points/board/ shows the user's own center
    assert client.get(reverse("points_board:home")).context["board"].center == center


@pytest.mark.clause("PUB-14")
def test_screen_data_is_ranked_by_total_with_decimal_strings(tree, worker_a, worker_a2, manager_a, client_for):
    _verified(tree["a"], worker_a, DAY, "2")
    _verified(tree["a"], worker_a2, DAY, "9.5")
    response = client_for(manager_a).get(_url("screen_data", tree["a"]))
    data = response.json()
    assert response["Cache-Control"] == "no-store"
    assert set(data) == {
        "center",
        "month",
        "day",
        "period",
        "locked",
        "posted_at",
        "updated_at",
        "rows",
        "totals",
        "reversals",
    }
    assert (data["month"], data["day"], data["locked"], data["posted_at"]) == ("2026-12", "2026-12-01", False, None)
    assert [r["name"] for r in data["rows"][:2]] == [worker_a2.name, worker_a.name]
    assert data["rows"][0] == {"rank": 1, "staff_no": worker_a2.staff_no, "name": worker_a2.name, "day": "9.50",
                               "month_work": "9.50", "auxiliary": "0.00", "fixed": "0.00", "total": "9.50"}  # fmt: skip
    assert data["totals"]["total"] == "11.50" and re.fullmatch(r"\d\d:\d\d", data["updated_at"])
    page = client_for(manager_a).get(_url("screen", tree["a"])).content.decode()
    assert 'id="screen-data"' in page and "boardScreen" in page and _url("screen_data", tree["a"]) in page


@pytest.mark.clause("PUB-14")
def test_print_page_is_a4_landscape_with_signatures_and_two_columns_for_many_staff(tree, manager_a, client_for):
    for i in range(40):
        factories.make_staff(tree["team_a"], "service_staff", name=f"打印{i:02d}", role_org=tree["a"])
    response = client_for(manager_a).get(_url("print", tree["a"]))
    html = response.content.decode()
    assert "@page { size: A4 landscape" in html
    assert "积分公示表" in html and "制表" in html and "复核" in html and "经理" in html and "PUB-14" in html
    halves = response.context["board"].print_halves
    assert len(halves) == 2 and sum(len(h) for h in halves) == 41
    assert halves[1][0][0] == len(halves[0]) + 1  # numbering continues in the second table


@pytest.fixture
def published_december(tree, manager_a):
    """December's roster of center A, proposed and published (before the month, as managers do)."""
    crew = [
        factories.make_staff(tree["team_a"], "service_staff", name=f"排休{i}", role_org=tree["a"]) for i in range(5)
    ]
    with time_machine.travel("2026-11-20 10:00 +08:00", tick=False):
        roster_services.templates_install_presets(actor=manager_a.user, organization=tree["a"])
        draft = roster_services.roster_open_draft(actor=manager_a.user, organization=tree["a"], month=DAY)
        roster_services.roster_propose(actor=manager_a.user, roster_id=draft.pk)
        roster_services.roster_publish(actor=manager_a.user, roster_id=draft.pk, confirm_warnings=True)
    return crew


@pytest.mark.clause("PUB-03")
def test_the_published_rest_days_sit_beside_the_board(tree, manager_a, client_for, published_december):
    from servicecenter.rosters import selectors as roster_selectors

    client = client_for(manager_a)
    # no roster for November
    assert "未发布排班" in client.get(_url("board", tree["a"]), {"month": "2026-11"}).content.decode()
    response = client.get(_url("board", tree["a"]))
    roster = response.context["roster"]
    rest = roster_selectors.rest_days(start=DAY, end=date(2026, 12, 31), organization=tree["a"])
    assert roster.published_at is not None and len(roster.days) == 31
    by_no = {no: flags for no, _name, flags in roster.rows}
    for staff in published_december:
        if staff.pk in rest:
            assert {roster.days[i] for i, f in enumerate(by_no[staff.staff_no]) if f} == rest[staff.pk]
    html = response.content.decode()
    assert 'id="rest-grid"' in html and html.count('class="rest"') == sum(len(v) for v in rest.values())


@pytest.mark.clause("PUB-01")
def test_board_queries_are_few_and_flat_in_the_number_of_staff(
    tree, manager_a, worker_a, client_for, django_assert_max_num_queries
):
    client = client_for(manager_a)
    _verified(tree["a"], worker_a, DAY, "1")
    client.get(_url("board", tree["a"]))  # warm the session and per-process caches

    def count(name):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(_url(name, tree["a"])).status_code == 200
        return len(ctx.captured_queries)

    small = {n: count(n) for n in ("board", "print", "screen_data")}
    for i in range(30):
        staff = factories.make_staff(tree["team_a"], "service_staff", name=f"多人{i}", role_org=tree["a"])
        _verified(tree["a"], staff, DAY, "1")
    large = {n: count(n) for n in ("board", "print", "screen_data")}
    assert small == large, (small, large)
    # the board's own reads: totals (one aggregate), staff, month close, latest posting; + roster (2) and the
    # center switcher on the page; the rest is session, user, scope and the navigation
    with django_assert_max_num_queries(12):
        client.get(_url("board", tree["a"]))
    with django_assert_max_num_queries(8):
        client.get(_url("screen_data", tree["a"]))
