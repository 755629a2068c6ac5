"""积分明细 (the ledger, points.view_ledger) and 积分记录 (one entry with everything about it: the citation, the
source, who verified, the reversal it is or that reversed it, the approval) with the 冲正 form (DESIGN §2.6):
in an open month the reversal is written at once; in a locked month (PTS-09) it becomes a request the center
manager approves, and the entry page then shows the reversal marked «锁定后冲正» with the approver."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from servicecenter.core.access import has_permission_in
from servicecenter.core.errors import DomainError, NotAllowed
from servicecenter.org.models import Staff

from .. import policies, selectors, services
from ..choices import EntryStatus, RequestStatus
from ..forms import LedgerFilterForm, ReverseForm
from ..models import PointEntry, ReversalRequest
from .common import SourceLinks, name_of, pick_center, url_pattern

PAGE_SIZE = 50


@login_required
@require_GET
def ledger_view(request: HttpRequest) -> HttpResponse:
    """The entries of a center, newest day first, 50 a page; filters: staff, month, category, source, status,
    reversals only."""
    filters = LedgerFilterForm(request.GET)
    valid = filters.is_valid()
    data = filters.cleaned_data if valid else {}
    center, centers = pick_center(request.user, data.get("center"), selectors.VIEW_LEDGER)
    qs = selectors.ledger(user=request.user, organization=center).select_related("verified_by__staff")
    if data.get("staff"):
        qs = qs.filter(staff_id=data["staff"])
    if data.get("month"):
        qs = qs.filter(day__gte=data["month"], day__lte=policies.month_end(data["month"]))
    for name in ("category", "source", "status"):
        if data.get(name):
            qs = qs.filter(**{name: data[name]})
    if data.get("reversals"):
        qs = qs.filter(reverses__isnull=False)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    links = SourceLinks()
    detail = url_pattern("points:entry")
    for entry in page.object_list:
        row: Any = entry
        row.url = detail.format(pk=entry.pk)
        row.source_url = links(entry)
    staff = (
        Staff.objects.filter(organization__path__startswith=center.path)
        .only("pk", "name", "staff_no")
        .order_by("staff_no")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "center": center,
        "centers": centers,
        "filters": filters,
        "page": page,
        "page_query": query.urlencode(),
        "staff": staff,
    }
    return render(request, "points/ledger.html", context, status=200 if valid else 400)


def _entry_page(
    request: HttpRequest, entry: PointEntry, *, form: ReverseForm | None = None, status: int = 200
) -> HttpResponse:
    try:
        reversed_by: PointEntry | None = PointEntry.objects.select_related("created_by__staff", "approval").get(
            reverses=entry
        )
    except ObjectDoesNotExist:
        reversed_by = None
    requests = list(
        ReversalRequest.objects.filter(entry=entry)
        .select_related("requested_by__staff", "approval")
        .order_by("-created_at")
    )
    approval_url = url_pattern("approvals:request_detail")
    for r in requests:
        row: Any = r
        row.requested_name = name_of(r.requested_by)
        row.approval_url = approval_url.format(pk=r.approval_id) if r.approval_id else ""
    approval = entry.approval
    approver = ""
    if approval is not None:
        approver = _approver(approval)
    reversed_approver = _approver(reversed_by.approval) if reversed_by is not None and reversed_by.approval else ""
    org = entry.organization
    user = request.user
    can_act = has_permission_in(user=user, permission=selectors.VERIFY, organization=org) or has_permission_in(
        user=user, permission=selectors.MANAGE, organization=org
    )
    locked = selectors.is_locked(organization=org, day=entry.day)
    pending = any(r.status == RequestStatus.PENDING for r in requests)
    context = {
        "entry": entry,
        "source_url": SourceLinks()(entry),
        "verified_name": name_of(entry.verified_by),
        "created_name": name_of(entry.created_by),
        "reversed_by": reversed_by,
        "reversed_by_name": name_of(reversed_by.created_by) if reversed_by is not None else "",
        "reversed_approver": reversed_approver,
        "requests": requests,
        "approval_url": approval_url.format(pk=entry.approval_id) if entry.approval_id else "",
        "reversed_approval_url": approval_url.format(pk=reversed_by.approval_id)
        if reversed_by is not None and reversed_by.approval_id
        else "",
        "approver": approver,
        "locked": locked,
        "can_reverse": can_act
        and not entry.is_reversal
        and reversed_by is None
        and not pending
        and (not locked or has_permission_in(user=user, permission=selectors.MANAGE, organization=org)),
        "pending": pending,
        "form": form or ReverseForm(),
        "statuses": dict(EntryStatus.choices),
    }
    return render(request, "points/entry.html", context, status=status)


def _approver(approval: Any) -> str:
    """Who decided an approval (the last decided step's decider), for «锁定后冲正 · 批准人»."""
    step = approval.steps.filter(decided_by__isnull=False).select_related("decided_by__staff").order_by("-id").first()
    return name_of(step.decided_by) if step is not None else ""


@login_required
@require_GET
def entry_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _entry_page(request, selectors.access_entry(user=request.user, pk=pk))


@login_required
@require_POST
def entry_reverse_view(request: HttpRequest, pk: int) -> HttpResponse:
    """冲正: open month → the reversal at once; locked month → «已申请冲正，待经理审批» (PTS-09)."""
    entry = selectors.access_entry(user=request.user, pk=pk)
    form = ReverseForm(request.POST)
    if not form.is_valid():
        return _entry_page(request, entry, form=form, status=400)
    try:
        result = services.entry_reverse(actor=request.user, entry_id=entry.pk, reason=form.cleaned_data["reason"])
    except NotAllowed:
        raise PermissionDenied from None
    except DomainError as exc:
        form.add_error("reason" if "reason" in exc.fields else None, exc.message)
        return _entry_page(request, selectors.access_entry(user=request.user, pk=pk), form=form, status=exc.status_code)
    if isinstance(result, ReversalRequest):
        messages.info(request, _("已申请冲正，待经理审批"))
    else:
        messages.success(request, _("已冲正：%(points)s 分") % {"points": result.points})
    return redirect("points:entry", pk=entry.pk)
