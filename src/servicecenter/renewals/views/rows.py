"""The renewal specialist's call list (CB-11) and one household's page with its call log.

The list shows the center-month's rows the user may see (their own and the unassigned ones; a manager all),
pending first, 30 a page, each with a compact outcome form that works on a phone. Posting an outcome goes to the
row's page URL; on success it returns to the list, on an error the row's page shows it (400/403/409)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from servicecenter.core.errors import DomainError
from servicecenter.policy.values import local_today

from .. import policies, selectors, services
from ..choices import ListKind, Outcome
from ..forms import OutcomeForm
from .common import centers_or_403, month_or_400, safe_next

OUTCOME_CSS = {
    "renewed": "text-bg-success",
    "upgraded": "text-bg-success",
    "downgraded": "text-bg-warning",
    "refused": "text-bg-danger",
    "unreachable": "text-bg-secondary",
}


def present(rows: list[Any], *, user: Any, manager: bool) -> None:
    """What each row prints: the phone as the user may see it, labels, whether the user may record on it."""
    outcomes = {k: str(v) for k, v in Outcome.choices}
    kinds = {k: str(v) for k, v in ListKind.choices}
    row_url = reverse("renewals:row", args=[987654321]).replace("987654321", "{pk}")
    for row in rows:
        mine = row.assignee is not None and row.assignee.user_id == getattr(user, "pk", None)
        row.phone_shown = selectors.phone_as_seen(user=user, row=row, manager=manager)
        row.outcome_label = outcomes.get(row.outcome, "")
        row.outcome_css = OUTCOME_CSS.get(row.outcome, "")
        row.kind_label = kinds.get(row.kind, row.kind)
        row.url = row_url.format(pk=row.pk)
        row.may_record = manager or mine
        row.may_claim = row.assignee_id is None and not manager


@login_required
def rows_view(request: HttpRequest) -> HttpResponse:
    """The month's call list: `?center=&month=YYYY-MM&kind=due|suspended&outcome=pending|<outcome>&page=`."""
    user = request.user
    centers = centers_or_403(user, selectors.MAKE)
    center = selectors.pick_center(centers, request.GET.get("center"))
    try:
        month = month_or_400(request.GET.get("month"), center)
    except DomainError as exc:
        return HttpResponseBadRequest(exc.message)
    kind = request.GET.get("kind", "")
    outcome = request.GET.get("outcome", "")
    if kind not in ("", *ListKind.values) or outcome not in ("", "pending", *Outcome.values):
        return HttpResponseBadRequest(_("筛选条件不正确"))
    filters = selectors.RowFilters(organization=center, month=month, kind=kind, outcome=outcome)
    manager = selectors.is_manager(user=user, organization=center)
    page = Paginator(selectors.row_list(user=user, filters=filters), selectors.ROWS_PAGE).get_page(
        request.GET.get("page")
    )
    rows = list(page.object_list)
    present(rows, user=user, manager=manager)
    params = selectors.month_params(organization=center, month=month)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "centers": centers,
        "center": center,
        "month": month,
        "kind": kind,
        "outcome": outcome,
        "kinds": ListKind.choices,
        "outcomes": Outcome.choices,
        "page": page,
        "rows": rows,
        "counts": selectors.row_counts(user=user, filters=filters),
        "tiers": params.tiers,
        "manager": manager,
        "open": bool(policies.can_record(today=local_today(center), month=month)),
        "query": query.urlencode(),
        "here": request.get_full_path(),
    }
    return render(request, "renewals/row_list.html", context)


def _row_page(request: HttpRequest, row: Any, *, status: int = 200, form: Any = None, error: str = "") -> HttpResponse:
    manager = selectors.is_manager(user=request.user, organization=row.organization)
    present([row], user=request.user, manager=manager)
    context = {
        "row": row,
        "calls": selectors.row_calls(row=row),
        "form": form,
        "error": error,
        "tiers": selectors.month_params(organization=row.organization, month=row.month).tiers,
        "outcomes": Outcome.choices,
        "open": bool(policies.can_record(today=local_today(row.organization), month=row.month)),
        "back": reverse("renewals:rows") + f"?center={row.organization_id}&month={row.month:%Y-%m}",
    }
    return render(request, "renewals/row_detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def row_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One household: the row, its call log, the outcome form (POST records the outcome)."""
    row = selectors.access_row(user=request.user, pk=pk)
    if request.method == "GET":
        return _row_page(request, row)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        return _row_page(request, row, status=400, form=form, error=_("输入有误，请检查"))
    data = form.cleaned_data
    try:
        services.outcome_record(
            actor=request.user,
            row_id=row.pk,
            outcome=data["outcome"],
            new_tier=data["new_tier"],
            note=data["note"],
            version=data["version"],
            now=timezone.now(),
        )
    except DomainError as exc:
        row.refresh_from_db()
        return _row_page(request, row, status=exc.status_code, form=form, error=exc.message)
    messages.success(request, _("已登记 %(name)s 的回访结果") % {"name": row.name})
    return redirect(safe_next(request, reverse("renewals:row", args=[row.pk])))


@login_required
@require_POST
def row_claim_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A specialist takes an unassigned household."""
    row = selectors.access_row(user=request.user, pk=pk)
    try:
        services.row_claim(actor=request.user, row_id=row.pk)
    except DomainError as exc:
        row.refresh_from_db()
        return _row_page(request, row, status=exc.status_code, error=exc.message)
    messages.success(request, _("已领取 %(name)s") % {"name": row.name})
    return redirect(safe_next(request, reverse("renewals:row", args=[row.pk])))
