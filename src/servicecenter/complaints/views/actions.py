"""CMP-02 improvement actions: raised from a closed complaint (on its page), listed per month or quarter with the
period's counts, marked done with the result or dropped with the reason. Writes through `complaints.services`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from servicecenter.core.access import has_permission_in
from servicecenter.core.errors import DomainError
from servicecenter.policy.values import local_today, zone_of

from .. import selectors, services
from ..forms import ActionFilterForm, ActionForm, ActionResultForm
from ..models import ImprovementAction
from .cases import _post

PAGE_SIZE = 30


def _period(raw: tuple[int, int, int] | None, today: date) -> tuple[date, date, str]:
    """[first day, first day after) and the label of the chosen month or quarter (default: this month)."""
    year, month, months = raw or (today.year, today.month, 1)
    start = date(year, month, 1)
    end_month = month + months
    end = date(year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1)
    label = f"{year}-{month:02d}" if months == 1 else f"{year}-Q{(month + 2) // 3}"
    return start, end, label


def _quick_periods(today: date) -> list[tuple[str, str]]:
    last = date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)
    return [
        (f"{today.year}-{today.month:02d}", _("本月")),
        (f"{last.year}-{last.month:02d}", _("上月")),
        (f"{today.year}-Q{(today.month + 2) // 3}", _("本季度")),
    ]


@login_required
@require_GET
def action_list_view(request: HttpRequest) -> HttpResponse:
    """改进措施 (CMP-02): the actions raised in a month or quarter in the viewer's centers, with the period's counts;
    `?mine=1` (or a viewer without the register permission) lists the actions they are responsible for."""
    centers = selectors.action_centers(user=request.user)
    mine = request.GET.get("mine") == "1" or not centers
    if not centers and not ImprovementAction.objects.filter(owner_id=request.user.pk).exists():
        raise PermissionDenied
    raw_center = request.GET.get("center", "")
    if raw_center and raw_center not in {str(c.pk) for c in centers}:
        raise Http404("no such center")
    form = ActionFilterForm(request.GET, centers=centers)
    reference = centers[0] if centers else None
    today = local_today(reference)
    valid = form.is_valid()
    data = form.cleaned_data if valid else {}
    center = next((c for c in centers if str(c.pk) == data.get("center")), None)
    start_day, end_day, label = _period(data.get("period"), today)
    zone = zone_of(center or reference)
    start = datetime.combine(start_day, datetime.min.time(), tzinfo=zone)
    end = datetime.combine(end_day, datetime.min.time(), tzinfo=zone)
    page = None
    report: dict[str, int] = {}
    if valid:
        qs = selectors.actions_in_period(
            user=request.user, center=center, start=start, end=end, status=data.get("status") or "", mine=mine
        )
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        if not mine:
            report = selectors.action_report(user=request.user, center=center, start=start, end=end, today=today)
        action: Any
        for action in page.object_list:
            action.can_finish = action.status == "open" and (
                action.owner_id == request.user.pk
                or has_permission_in(user=request.user, permission=selectors.HANDLE, organization=action.organization)
            )
            action.can_drop = action.status == "open" and has_permission_in(
                user=request.user, permission=selectors.HANDLE, organization=action.organization
            )
            action.owner_name = selectors.user_name(action.owner)
            action.overdue = action.status == "open" and action.due_date < today
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "report": report,
        "period_label": label,
        "period_start": start_day,
        "period_end": end_day,
        "quick_periods": _quick_periods(today),
        "mine": mine,
        "has_register": bool(centers),
        "query": query.urlencode() + "&" if query else "",
        "next": request.get_full_path(),
    }
    return render(request, "complaints/actions.html", context, status=200 if valid else 400)


@login_required
@require_POST
def action_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Raise an improvement action from a closed complaint (the form on the complaint page)."""
    complaint = selectors.access_complaint(user=request.user, pk=pk)
    owners = selectors.handler_choices(center=complaint.organization)
    known = {owner_id for owner_id, _name in owners}
    owners += [c for c in selectors.staff_user_choices(center=complaint.organization) if c[0] not in known]
    form = ActionForm(request.POST, owners=owners)

    def run(case: Any, data: dict[str, Any]) -> None:
        services.action_create(
            actor=request.user,
            complaint_id=case.pk,
            title=data["title"],
            description=data["description"],
            owner_id=data["owner"],
            due_date=data["due_date"],
        )

    return _post(request, pk, form=form, key="action_form", run=run, done=_("已提出改进措施（CMP-02）"))


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if not target.startswith("/complaints/actions/"):
        target = reverse("complaints:actions")
    return redirect(target)


def _finish(request: HttpRequest, pk: int, *, drop: bool) -> HttpResponse:
    action = selectors.access_action(user=request.user, pk=pk)
    form = ActionResultForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写撤销原因") if drop else _("请填写完成情况"))
        return _back(request)
    try:
        if drop:
            services.action_drop(actor=request.user, action_id=action.pk, reason=form.cleaned_data["result"])
        else:
            services.action_complete(actor=request.user, action_id=action.pk, result=form.cleaned_data["result"])
    except DomainError as exc:
        if exc.status_code == 403:
            raise PermissionDenied(exc.message) from None
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已撤销改进措施") if drop else _("改进措施已完成"))
    return _back(request)


@login_required
@require_POST
def action_done_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _finish(request, pk, drop=False)


@login_required
@require_POST
def action_drop_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _finish(request, pk, drop=True)
