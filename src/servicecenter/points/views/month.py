"""月度复核 (PTS-09, C-08): a center's month — the board totals per staff member, the drafts still unverified
(linked to their days), the state (未锁定 / 已复核锁定 by whom and when), the deadline
(`points.month_recheck_deadline_day` of the next month) and whether it is overdue, the month-end settlement, the
finance clerk's «复核无误并锁定» (services.month_lock), and after the lock: the reversals approved since, and the
snapshot against the current totals. The print view (A4, signature lines) is the page services.month_lock links
the manager to.

Viewing needs points.view_ledger; locking needs points.manage_points (the service checks it)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from servicecenter.core.access import has_permission_in
from servicecenter.core.errors import DomainError, NotAllowed
from servicecenter.org.models import Organization
from servicecenter.policy.values import local_today, value

from .. import policies, selectors, services
from ..choices import EntryStatus, MonthStatus, RequestStatus
from ..forms import LockForm, parse_month
from ..models import MonthClose, PointEntry, ReversalRequest
from .common import centers_or_403, name_of, url_pattern
from .daily import daily_url


def month_url(center: Organization, month: date, *, print_view: bool = False) -> str:
    return reverse("points:month_print" if print_view else "points:month", args=[center.pk, f"{month:%Y-%m}"])


def deadline_of(center: Organization, month: date, today: date) -> date:
    """The recheck deadline of `month`: the `points.month_recheck_deadline_day` of the following month (PTS-09)."""
    raw = value("points.month_recheck_deadline_day", org=center, at=today).value
    return policies.recheck_state(today=policies.next_month(month), deadline_day=raw).deadline


def _access(request: HttpRequest, center_pk: int, raw_month: str) -> tuple[Organization, date]:
    centers_or_403(request.user, selectors.VIEW_LEDGER)
    center = selectors.access_center(user=request.user, pk=center_pk, permission=selectors.VIEW_LEDGER)
    month = parse_month(raw_month)
    if month is None:
        raise Http404("bad month")
    return center, month


def _approver(approval: Any) -> str:
    if approval is None:
        return ""
    decided = [s for s in approval.steps.all() if s.decided_by_id]
    return name_of(decided[-1].decided_by) if decided else ""


def month_context(request: HttpRequest, center: Organization, month: date) -> dict[str, Any]:
    today = local_today(center)
    end = policies.month_end(month)
    rows = selectors.board_rows(organization=center, month=month, day=end)
    close: MonthClose | None = (
        MonthClose.objects.filter(organization=center, month=month).select_related("locked_by__staff").first()
    )
    locked = close is not None and close.status == MonthStatus.LOCKED
    snapshot = (close.snapshot or {}) if locked and close is not None else {}
    lines = []
    for r in rows:
        snap = snapshot.get(str(r.staff_id)) if snapshot else None
        before = Decimal(snap["total"]) if snap else None
        lines.append(
            {
                "row": r,
                "snapshot": before,
                "changed": locked and (before if before is not None else Decimal("0.00")) != r.total,
            }
        )
    drafts = [
        {"day": d["day"], "n": d["n"], "url": daily_url(center, d["day"])}
        for d in PointEntry.objects.filter(organization=center, day__gte=month, day__lte=end, status=EntryStatus.DRAFT)
        .values("day")
        .annotate(n=Count("id"))
        .order_by("day")
    ]
    reversals = list(
        selectors.after_lock_reversals(organization=center, month=month).prefetch_related(
            "approval__steps__decided_by__staff", "created_by__staff"
        )
    )
    entry_url = url_pattern("points:entry")
    approval_url = url_pattern("approvals:request_detail")
    for rev in reversals:
        item: Any = rev
        item.url = entry_url.format(pk=rev.pk)
        item.original_url = entry_url.format(pk=rev.reverses_id) if rev.reverses_id else ""
        item.approver = _approver(rev.approval)
        item.approval_url = approval_url.format(pk=rev.approval_id) if rev.approval_id else ""
        item.requested_name = name_of(rev.created_by)
    pending = list(
        ReversalRequest.objects.filter(
            entry__organization=center, entry__day__gte=month, entry__day__lte=end, status=RequestStatus.PENDING
        )
        .select_related("entry__staff", "requested_by__staff")
        .order_by("created_at")
    )
    for request_row in pending:
        request_row.requested_name = name_of(request_row.requested_by)  # type: ignore[attr-defined]
    deadline = deadline_of(center, month, today)
    zero = Decimal("0.00")
    return {
        "center": center,
        "month": month,
        "month_end": end,
        "today": today,
        "lines": lines,
        "totals": {
            "work": sum((r.month_work for r in rows), zero),
            "auxiliary": sum((r.auxiliary for r in rows), zero),
            "fixed": sum((r.fixed for r in rows), zero),
            "total": sum((r.total for r in rows), zero),
        },
        "close": close,
        "locked": locked,
        "locked_name": name_of(close.locked_by) if close is not None and close.locked_by_id else "",
        "drafts": drafts,
        "draft_count": sum(d["n"] for d in drafts),
        "reversals": reversals,
        "pending_reversals": pending,
        "deadline": deadline,
        "overdue": not locked and today > deadline,
        "over": policies.can_lock(today=today, month=month),
        "prev_url": month_url(center, policies.previous_month(month)),
        "next_url": month_url(center, policies.next_month(month)) if policies.next_month(month) <= today else "",
        "print_url": month_url(center, month, print_view=True),
    }


def _render(
    request: HttpRequest, center: Organization, month: date, *, form: LockForm | None = None, status: int = 200
) -> HttpResponse:
    context = month_context(request, center, month)
    context["can_lock"] = (
        not context["locked"]
        and context["over"]
        and has_permission_in(user=request.user, permission=selectors.MANAGE, organization=center)
    )
    context["form"] = form or LockForm()
    return render(request, "points/month.html", context, status=status)


@login_required
@require_GET
def month_index_view(request: HttpRequest) -> HttpResponse:
    """/points/month/ → the user's center, the previous month (the one to recheck), shown here (its own URL is
    the canonical one the links use)."""
    centers_or_403(request.user, selectors.VIEW_LEDGER)
    center = selectors.default_center(user=request.user, permission=selectors.VIEW_LEDGER)
    if center is None:
        raise PermissionDenied
    return _render(request, center, policies.previous_month(local_today(center)))


@login_required
@require_GET
def month_view(request: HttpRequest, center_pk: int, month: str) -> HttpResponse:
    center, first = _access(request, center_pk, month)
    return _render(request, center, first)


@login_required
@require_POST
def month_lock_view(request: HttpRequest, center_pk: int, month: str) -> HttpResponse:
    """«复核无误并锁定» → services.month_lock (PTS-09)."""
    center, first = _access(request, center_pk, month)
    form = LockForm(request.POST)
    if not form.is_valid():
        return _render(request, center, first, form=form, status=400)
    try:
        services.month_lock(actor=request.user, organization=center, month=first, note=form.cleaned_data["note"])
    except NotAllowed:
        raise PermissionDenied from None
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _render(request, center, first, form=form, status=exc.status_code)
    messages.success(request, _("%(month)s 积分已复核锁定") % {"month": f"{first:%Y-%m}"})
    return redirect(month_url(center, first))


@login_required
@require_GET
def month_print_view(request: HttpRequest, center_pk: int, month: str) -> HttpResponse:
    """The A4 print of the month: the table, 复核人 / 锁定时间, signature lines."""
    center, first = _access(request, center_pk, month)
    return render(request, "points/month_print.html", month_context(request, center, first))
