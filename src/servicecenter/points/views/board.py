"""积分公示 (PUB-01, PUB-03, PUB-14, PTS-05): the center's public points board for a month as of a day, beside the
published rest-day roster; its print view (A4 landscape), its wall-screen view with a JSON feed, the archive of
postings and the «立即公示» action.

Only verified entries count (PTS-05, selectors.board_rows); no personal data beyond name and staff number (PUB-01).
A locked month that changed after the lock lists each reversal with who and why — never a silent change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from servicecenter.core.access import has_permission_in
from servicecenter.core.actors import display_name
from servicecenter.core.months import parse_month
from servicecenter.org.models import Organization
from servicecenter.policy.values import local_today, zone_of

from .. import policies, selectors, services
from ..choices import MonthStatus
from ..models import BoardPosting, MonthClose

POSTINGS_PAGE_SIZE = 20
SCREEN_ROWS = 20  # rows per screen page on the wall TV (1920×1080 at the screen's type size)
SCREEN_ROTATE_SECONDS = 15
SCREEN_REFRESH_SECONDS = 60
ZERO = Decimal("0.00")
PRINT_SINGLE_COLUMN = 26  # up to this many rows print as one table; more go in two tables side by side
COLUMNS = ("day_points", "month_work", "auxiliary", "fixed", "total")


@dataclass
class Board:
    """Everything a board page shows for one center, month and day."""

    center: Organization
    month: date
    day: date
    today: date
    rows: list[selectors.BoardRow]
    totals: dict[str, Decimal]
    posting: BoardPosting | None
    close: MonthClose | None
    reversals: list[Any]

    @property
    def locked(self) -> bool:
        return self.close is not None and self.close.status == MonthStatus.LOCKED

    @property
    def numbered(self) -> list[tuple[int, selectors.BoardRow]]:
        return list(enumerate(self.rows, start=1))

    @property
    def print_halves(self) -> list[list[tuple[int, selectors.BoardRow]]]:
        """The rows side by side in two tables when more than PRINT_SINGLE_COLUMN: 50 staff fit one A4 landscape."""
        numbered = self.numbered
        if len(numbered) <= PRINT_SINGLE_COLUMN:
            return [numbered]
        half = (len(numbered) + 1) // 2
        return [numbered[:half], numbered[half:]]

    @property
    def changed(self) -> set[int]:
        """Staff whose figures moved after the lock (their row carries a mark)."""
        return {e.staff_id for e in self.reversals}

    @property
    def month_label(self) -> str:
        return _("%(y)d年%(m)d月") % {"y": self.month.year, "m": self.month.month}


def _period(params: Any, center: Organization) -> tuple[date, date, date]:
    """(month, day, today) from `?month=YYYY-MM&day=YYYY-MM-DD`: the day defaults to today in the current month and
    to the month's last day in another; a day outside the month, or unreadable input, falls back to the default."""
    today = local_today(center)
    month = policies.month_of(today)
    raw_day = str(params.get("day", "")).strip()
    day: date | None = None
    if raw_day:
        try:
            day = date.fromisoformat(raw_day)
        except ValueError:
            day = None
    asked = parse_month(params.get("month"))
    if asked is not None:
        month = asked
    elif day is not None:
        month = policies.month_of(day)
    if day is None or policies.month_of(day) != month:
        day = today if policies.month_of(today) == month else policies.month_end(month)
    return month, day, today


def _totals(rows: list[selectors.BoardRow]) -> dict[str, Decimal]:
    return {col: sum((getattr(r, col) for r in rows), ZERO) for col in COLUMNS}


def _board(request: HttpRequest, center: Organization) -> Board:
    month, day, today = _period(request.GET, center)
    rows = selectors.board_rows(organization=center, month=month, day=day)
    close = selectors.month_close(organization=center, month=month)
    locked = close is not None and close.status == MonthStatus.LOCKED
    # After-lock reversals exist only in a locked month: skip the query otherwise.
    reversals = list(selectors.after_lock_reversals(organization=center, month=month)) if locked else []
    return Board(
        center=center,
        month=month,
        day=day,
        today=today,
        rows=rows,
        totals=_totals(rows),
        posting=selectors.latest_posting(organization=center, day=day),
        close=close,
        reversals=reversals,
    )


def _query(board: Board) -> str:
    return f"?month={board.month:%Y-%m}&day={board.day:%Y-%m-%d}"


def _month_links(board: Board) -> dict[str, str]:
    prev = policies.previous_month(board.month)
    nxt = policies.month_end(board.month) + timedelta(days=1)
    return {"prev": f"?month={prev:%Y-%m}", "next": f"?month={nxt:%Y-%m}", "this": f"?month={board.today:%Y-%m}"}


def _page(request: HttpRequest, center: Organization, template: str, **extra: Any) -> HttpResponse:
    board = _board(request, center)
    context = {
        "board": board,
        "query": _query(board),
        "can_post": has_permission_in(user=request.user, permission=selectors.VERIFY, organization=center),
        **extra,
    }
    return render(request, template, context)


@login_required
@require_GET
def board_home_view(request: HttpRequest) -> HttpResponse:
    """/points/board/: the user's own center's board (the first center in reach for a user above center level)."""
    center = selectors.default_center(user=request.user)
    if center is None:
        raise PermissionDenied
    return board_view(request, center.pk)


@login_required
@require_GET
def board_view(request: HttpRequest, center_pk: int) -> HttpResponse:
    """积分公示 with the rest-day roster beside it (PUB-01, PUB-03)."""
    center = selectors.access_center(user=request.user, pk=center_pk)
    board = _board(request, center)
    centers = list(selectors.points_centers_for(user=request.user))
    context = {
        "board": board,
        "query": _query(board),
        "months": _month_links(board),
        "centers": centers if len(centers) > 1 else [],
        "roster": selectors.rest_roster(organization=center, month=board.month, staff=board.rows),
        "can_post": has_permission_in(user=request.user, permission=selectors.VERIFY, organization=center),
    }
    return render(request, "points/board.html", context)


@login_required
@require_GET
def board_print_view(request: HttpRequest, center_pk: int) -> HttpResponse:
    """打印版: A4 landscape, black on white, signature lines (PUB-14)."""
    center = selectors.access_center(user=request.user, pk=center_pk)
    return _page(
        request, center, "points/board_print.html", printed_at=timezone.localtime(timezone.now(), zone_of(center))
    )


@login_required
@require_GET
def board_screen_view(request: HttpRequest, center_pk: int) -> HttpResponse:
    """大屏: the board for a wall TV, sorted by total, refreshed from the JSON feed without reloading (PUB-14)."""
    center = selectors.access_center(user=request.user, pk=center_pk)
    board = _board(request, center)
    context = {
        "board": board,
        "data": _screen_data(board),
        # A TV left on the default day follows the calendar; a page opened for a given month/day keeps it.
        "data_url": reverse("points_board:screen_data", args=[center.pk])
        + (f"?{request.GET.urlencode()}" if request.GET else ""),
        "rows_per_page": SCREEN_ROWS,
        "rotate_ms": SCREEN_ROTATE_SECONDS * 1000,
        "refresh_ms": SCREEN_REFRESH_SECONDS * 1000,
    }
    return render(request, "points/board_screen.html", context)


def _screen_data(board: Board) -> dict[str, Any]:
    """The wall screen's feed: ranked by total (then staff number); numbers as strings (Decimal, never float)."""
    ranked = sorted(board.rows, key=lambda r: (-r.total, r.staff_no))
    zone = zone_of(board.center)
    return {
        "center": board.center.name,
        "month": f"{board.month:%Y-%m}",
        "day": f"{board.day:%Y-%m-%d}",
        "period": f"{board.month:%Y-%m-%d} – {board.day:%Y-%m-%d}",
        "locked": board.locked,
        "posted_at": f"{timezone.localtime(board.posting.posted_at, zone):%Y-%m-%d %H:%M}" if board.posting else None,
        "updated_at": f"{timezone.localtime(timezone.now(), zone):%H:%M}",
        "rows": [
            {
                "rank": i,
                "staff_no": r.staff_no,
                "name": r.name,
                "day": str(r.day_points),
                "month_work": str(r.month_work),
                "auxiliary": str(r.auxiliary),
                "fixed": str(r.fixed),
                "total": str(r.total),
            }
            for i, r in enumerate(ranked, start=1)
        ],
        "totals": {k: str(v) for k, v in board.totals.items()},
        "reversals": len(board.reversals),
    }


@login_required
@require_GET
def board_screen_data_view(request: HttpRequest, center_pk: int) -> JsonResponse:
    """The wall screen's JSON (fetched every SCREEN_REFRESH_SECONDS)."""
    center = selectors.access_center(user=request.user, pk=center_pk)
    response = JsonResponse(_screen_data(_board(request, center)), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def board_post_view(request: HttpRequest, center_pk: int) -> HttpResponse:
    """«立即公示»: archive the board of the day as posted now (PUB-14); a double click returns the first posting."""
    center = selectors.access_center(user=request.user, pk=center_pk, permission=selectors.VERIFY)
    _month, day, _today = _period(request.POST, center)
    posting = services.board_post(organization=center, day=day, actor=request.user)
    return redirect("points_board:posting_detail", center_pk=center.pk, pk=posting.pk)


@login_required
@require_GET
def postings_view(request: HttpRequest, center_pk: int) -> HttpResponse:
    """公示存档: every posting of the center, newest first (PUB-14)."""
    center = selectors.access_center(user=request.user, pk=center_pk)
    page = Paginator(selectors.postings(organization=center), POSTINGS_PAGE_SIZE).get_page(request.GET.get("page"))
    items = [(p, display_name(p.posted_by)) for p in page]
    return render(request, "points/board_postings.html", {"center": center, "page": page, "items": items})


@login_required
@require_GET
def posting_detail_view(request: HttpRequest, center_pk: int, pk: int) -> HttpResponse:
    """One archived posting, exactly as posted (the stored rows, not today's figures), printable."""
    center = selectors.access_center(user=request.user, pk=center_pk)
    posting = selectors.access_posting(organization=center, pk=pk)
    context = {
        "center": center,
        "posting": posting,
        "posted_by": display_name(posting.posted_by),
        "month_label": _("%(y)d年%(m)d月") % {"y": posting.month.year, "m": posting.month.month},
    }
    return render(request, "points/board_posting.html", context)
