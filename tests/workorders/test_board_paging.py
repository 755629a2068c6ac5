"""The dispatch board at scale: one page of the most urgent orders with a "more" link, complete counts, the refresh
of the page being viewed, row actions from one reversed pattern (no per-row forms or staff lists), SLA badges
identical to the order page's, and query counts that do not depend on the page or the number of rows."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from unittest import mock

import pytest
from django.db import connection
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.urls.resolvers import URLResolver

from servicecenter.workorders import selectors, services
from servicecenter.workorders.views.board import _clock_badges, _clock_words

from .conftest import MORNING

pytestmark = pytest.mark.django_db

ROW = re.compile(r'id="order-row-(\d+)"')


def _rows(response) -> list[int]:
    assert response.status_code == 200
    return [int(pk) for pk in ROW.findall(response.content.decode())]


@pytest.fixture
def small_pages(monkeypatch):
    """Pages of 3 orders, so that a handful of orders spans several pages."""
    monkeypatch.setattr(selectors, "BOARD_LIMIT", 3)
    return 3


@pytest.fixture
def seven_orders(make_order, clerk_a, worker_a):
    """Seven open orders of center A: one urgent (taken last), two dispatched, four new; and one answered (closed)."""
    orders = [make_order(now=MORNING - timedelta(minutes=30 - i), problem=f"报修{i}") for i in range(6)]
    for order in orders[:2]:
        services.order_dispatch(actor=clerk_a.user, order_id=order.pk, assignee_id=worker_a.pk, now=MORNING)
    orders.append(make_order(now=MORNING, priority="urgent", problem="紧急报修"))
    make_order(kind="inquiry", answer="已当场答复", problem="咨询资费")
    return orders


@pytest.mark.smoke
def test_pages_keep_the_urgency_order_and_the_counts_stay_complete(small_pages, seven_orders, clerk_a, client):
    # given: the whole urgency order of the seven open orders
    everything, _more = selectors.board_orders(centers=[clerk_a.organization], limit=100)
    expected = [o.pk for o in everything]
    assert len(expected) == 7 and expected[0] == seven_orders[-1].pk  # the urgent one first
    client.force_login(clerk_a.user)
    center = clerk_a.organization.pk
    board = reverse("workorders:board")
    # when: the clerk pages through the board
    first = client.get(board)
    second = client.get(board, {"center": center, "page": 2})
    third = client.get(board, {"center": center, "page": 3})
    # then: the pages split the same order, 3 + 3 + 1, with no order twice and none left out
    assert _rows(first) + _rows(second) + _rows(third) == expected
    assert [len(_rows(r)) for r in (first, second, third)] == [3, 3, 1]
    # and every page counts every open order, says where it is and links to the next / previous page
    for response in (first, second, third):
        body = response.content.decode()
        assert re.search(r"未结合计 <strong>7</strong>", body)
        assert 'data-state="new"' in body and re.search(r'data-state="dispatched">[^<]*<strong>2</strong>', body)
    first_body, second_body, third_body = (r.content.decode() for r in (first, second, third))
    assert f'href="?center={center}&amp;page=2"' in first_body and 'id="board-previous"' not in first_body
    assert "第 1–3 张，共 7 张未结（第 1/3 页）" in first_body
    assert f'href="?center={center}&amp;page=3"' in second_body and f'href="?center={center}&amp;page=1"' in second_body
    assert 'id="board-more"' not in third_body and 'id="board-previous"' in third_body


def test_the_refresh_reloads_the_page_being_viewed(small_pages, seven_orders, clerk_a, client):
    client.force_login(clerk_a.user)
    center = clerk_a.organization.pk
    page_two = client.get(reverse("workorders:board"), {"center": center, "page": 2}).content.decode()
    # the page's htmx refresh asks for page 2 …
    refresh = re.search(r'hx-get="([^"]+)"', page_two).group(1).replace("&amp;", "&")
    assert refresh == reverse("workorders:board_rows") + f"?center={center}&page=2"
    # … and the fragment answers page 2's rows (without the page around them)
    fragment = client.get(refresh, HTTP_HX_REQUEST="true")
    assert _rows(fragment) == _rows(client.get(reverse("workorders:board"), {"center": center, "page": 2}))
    assert "<html" not in fragment.content.decode()


def test_a_page_that_no_longer_exists_shows_the_last_one_and_nonsense_the_first(
    small_pages, seven_orders, clerk_a, client
):
    client.force_login(clerk_a.user)
    board = reverse("workorders:board")
    last = _rows(client.get(board, {"page": 3}))
    assert _rows(client.get(board, {"page": 99})) == last  # orders were closed while the page was open
    assert _rows(client.get(board, {"page": "abc"})) == _rows(client.get(board))
    assert _rows(client.get(board, {"page": "-2"})) == _rows(client.get(board))


def test_several_centers_page_together(small_pages, seven_orders, gm, client):
    client.force_login(gm.user)
    board = reverse("workorders:board")
    first, second = client.get(board), client.get(board, {"page": 2})
    assert len(_rows(first)) == 3 and set(_rows(first)).isdisjoint(_rows(second))
    assert 'href="?page=2"' in first.content.decode()


def test_rows_carry_no_forms_and_their_urls_come_from_one_pattern(make_order, clerk_a, worker_a, client):
    # given: a new order and a dispatched one
    new = make_order(problem="待派单")
    dispatched = make_order(problem="已派单")
    services.order_dispatch(actor=clerk_a.user, order_id=dispatched.pk, assignee_id=worker_a.pk, now=MORNING)
    client.force_login(clerk_a.user)
    body = client.get(reverse("workorders:board")).content.decode()
    table = body[body.index('id="board-table"') : body.index("</table>")]
    # then: the action URLs are on the table once, as patterns that give the real URLs
    for action in ("dispatch", "reassign", "take_back", "cancel"):
        pattern = re.search(rf'data-url-{action}="([^"]+)"', table).group(1)
        assert pattern.replace("{pk}", str(new.pk)) == reverse(f"workorders:order_{action}", args=[new.pk])
    # no form, no staff choice, no action URL inside the rows: each row names its pk and its actions
    assert "<form" not in table and "<select" not in table and "<option" not in table
    assert "/dispatch/" not in table.split("</thead>")[1]
    new_row = re.search(rf'<tr id="order-row-{new.pk}".*?</tr>', table, re.S).group(0)
    dispatched_row = re.search(rf'<tr id="order-row-{dispatched.pk}".*?</tr>', table, re.S).group(0)
    assert f'data-pk="{new.pk}"' in new_row and 'data-wo-action="dispatch"' in new_row
    assert 'data-wo-action="reassign"' not in new_row
    assert {'data-wo-action="reassign"', 'data-wo-action="take_back"', 'data-wo-action="cancel"'} <= set(
        re.findall(r'data-wo-action="\w+"', dispatched_row)
    )
    assert f'href="{reverse("workorders:order_detail", args=[new.pk])}"' in new_row
    # and the one modal's script fills the row's pk in
    assert 'replace("{pk}", row.dataset.pk)' in body and body.count('id="wo-modal"') == 1


def test_a_serviceman_sees_the_board_without_actions(make_order, worker_a, client):
    make_order()
    client.force_login(worker_a.user)
    body = client.get(reverse("workorders:board")).content.decode()
    table = body[body.index('id="board-table"') : body.index("</table>")]
    assert 'id="order-row-' in table and "data-wo-action" not in table and "data-url-dispatch" not in table


def test_url_reversals_do_not_grow_with_the_rows(make_order, clerk_a, client):
    def reversals() -> int:
        with mock.patch.object(
            URLResolver, "_reverse_with_prefix", autospec=True, side_effect=URLResolver._reverse_with_prefix
        ) as spy:
            assert client.get(reverse("workorders:board")).status_code == 200
        return spy.call_count

    client.force_login(clerk_a.user)
    make_order(problem="第一单")
    baseline = reversals()
    for i in range(6):
        make_order(problem=f"又一单{i}")
    assert reversals() == baseline


def test_query_counts_are_the_same_on_every_page(monkeypatch, make_order, clerk_a, worker_a, client):
    monkeypatch.setattr(selectors, "BOARD_LIMIT", 4)
    orders = [make_order(problem=f"报修{i}") for i in range(10)]
    for order in orders[:5]:
        services.order_dispatch(actor=clerk_a.user, order_id=order.pk, assignee_id=worker_a.pk, now=MORNING)
    client.force_login(clerk_a.user)

    def count(url: str, **params) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, params, HTTP_HX_REQUEST="true").status_code == 200
        return len(ctx)

    board, fragment = reverse("workorders:board"), reverse("workorders:board_rows")
    counts = {count(url, page=page) for url in (board, fragment) for page in (1, 2, 3)}
    assert len(counts) == 1 and counts.pop() <= 40


class _Badge(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.attrs: dict[str, str] = {}
        self.text = ""

    def handle_starttag(self, tag, attrs) -> None:
        self.attrs = {k: v or "" for k, v in attrs}

    def handle_data(self, data) -> None:
        self.text += data


@pytest.mark.clause("WO-03")
def test_board_badges_say_what_the_order_page_says(make_order, clerk_a, worker_a):
    # given: clocks in every state: ok, warn, breach (fresh order at three instants), met, stopped (paused order)
    fresh = make_order(now=MORNING)
    clocks = [
        *selectors.order_clocks(fresh, now=MORNING + timedelta(minutes=1)),
        *selectors.order_clocks(fresh, now=fresh.response_warn_at),
        *selectors.order_clocks(fresh, now=fresh.resolve_due_at + timedelta(minutes=1)),
    ]
    paused = make_order(now=MORNING)
    services.order_dispatch(actor=clerk_a.user, order_id=paused.pk, assignee_id=worker_a.pk, now=MORNING)
    services.order_accept(actor=worker_a.user, order_id=paused.pk, now=MORNING + timedelta(minutes=5))
    services.order_pause(
        actor=worker_a.user, order_id=paused.pk, reason="waiting_parts", now=MORNING + timedelta(minutes=10)
    )
    paused.refresh_from_db()
    paused.on_missing_info = "pause"  # as under a C-19 policy that stops the clock (frozen on the order)
    clocks += selectors.order_clocks(paused, now=MORNING + timedelta(minutes=20))
    assert {c.state for c in clocks} == {"ok", "warn", "breach", "met", "stopped"}
    # when: each clock is printed by the order page's template and by the board
    for clock, badge in zip(clocks, _clock_badges(clocks, _clock_words()), strict=True):
        page, board = _Badge(), _Badge()
        page.feed(render_to_string("workorders/board/_clock.html", {"clock": clock}))
        board.feed(Template("{{ badge }}").render(Context({"badge": badge})))  # as the board's row prints it
        # then: the same classes, title, text and countdown data
        assert set(page.attrs["class"].split()) == set(board.attrs["class"].split()), clock
        assert " ".join(page.attrs["title"].split()) == board.attrs["title"]
        assert page.text.strip() == board.text
        assert page.attrs.get("data-due") == board.attrs.get("data-due")
        assert page.attrs.get("data-state") == board.attrs.get("data-state")


@pytest.mark.postgres
def test_the_board_page_is_read_in_order_from_its_index(make_order, clerk_a):
    """wo_board_order_idx holds the board's sort keys (the same expressions): PostgreSQL can read one page of a
    center's open orders from it without sorting them all (EXPLAIN with sorting disabled: no Sort node)."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL plan")
    make_order(problem="一")
    make_order(problem="二", priority="urgent")
    with CaptureQueriesContext(connection) as ctx:
        selectors.board_orders(centers=[clerk_a.organization])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + ctx.captured_queries[0]["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "wo_board_order_idx" in plan and "Sort" not in plan, plan
