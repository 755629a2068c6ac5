"""回访跟进 (G-03): the callbacks that found the problem unsolved, the customer dissatisfied, a low score or a charge
that does not match the order. The manager sees why (the reasons with their clause and the thresholds in force when
the callback was made), the answers and the order, and decides: a rework order (派返工单), a complaint case
(转投诉, with its severity) or closing it with an explanation (关闭) — services.followup_resolve.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from servicecenter.core.access import has_permission_in
from servicecenter.core.errors import Conflict, DomainError, NotAllowed
from servicecenter.policy.values import resolve_many

from .. import policies, selectors, services
from ..choices import FollowUpStatus
from ..forms import FollowUpResolveForm
from ..models import FollowUp
from .call import attitude_labels, present_questions
from .queue import form_errors, pick_centers, url_pattern, user_name

PAGE_SIZE = 20
STATUS_TABS = ("open", "rework", "complaint", "closed", "all")


def _url(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _centers(request: HttpRequest) -> list[Any]:
    centers = selectors.callback_centers(user=request.user, permission=selectors.MANAGE)
    if not centers:
        raise PermissionDenied
    return centers


@login_required
@require_GET
def followup_list_view(request: HttpRequest) -> HttpResponse:
    """回访跟进: the open ones first (tab «待处理», the default), the other tabs by outcome, «全部» open first."""
    centers = _centers(request)
    chosen, shown = pick_centers(centers, request.GET.get("center"))
    tab = request.GET.get("status", "open")
    if tab not in STATUS_TABS:
        tab = "open"
    qs = selectors.followup_list(centers=shown, status="" if tab == "all" else tab)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    detail = url_pattern("callbacks:followup_detail")
    order_url = url_pattern("workorders:order_detail")
    statuses = {k: str(v) for k, v in FollowUpStatus.choices}
    for followup in page.object_list:
        row: Any = followup
        row.url = detail.format(pk=followup.pk)
        row.order_url = order_url.format(pk=followup.order_id) if followup.order_id else ""
        row.status_label = statuses.get(followup.status, followup.status)
        row.why = "、".join(r.get("text", "") for r in followup.reasons)
        row.assigned_name = user_name(followup.assigned_to)
        row.technician_name = followup.task.technician.name if followup.task.technician_id else ""
    counts = selectors.followup_counts(centers=shown)
    tabs = [
        (key, statuses.get(key, _("全部")), counts.get(key) if key != "all" else sum(counts.values()))
        for key in STATUS_TABS
    ]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "tab": tab,
        "tabs": tabs,
        "centers": centers,
        "center": chosen,
        "center_query": f"center={chosen.pk}&" if chosen is not None and len(centers) > 1 else "",
        "page_query": query.urlencode(),
    }
    return render(request, "callbacks/followup_list.html", context)


def _detail(
    request: HttpRequest, followup: FollowUp, *, form: FollowUpResolveForm | None = None, status: int = 200
) -> HttpResponse:
    task = followup.task
    params = resolve_many(
        ["callbacks.score_range", "callbacks.attitude_scale", "callbacks.followup_score_max"],
        org=followup.organization,
        at=task.completed_at,
    )
    questions = present_questions(
        task.questionnaire.questions if task.questionnaire else [],
        scale=policies.score_range(params["callbacks.score_range"].value),
        labels=attitude_labels(params["callbacks.attitude_scale"].value),
        values=task.answers,
    )
    can_resolve = followup.status == FollowUpStatus.OPEN and has_permission_in(
        user=request.user, permission=selectors.MANAGE, organization=followup.organization
    )
    context = {
        "followup": followup,
        "task": task,
        "order": followup.order,
        "questions": questions,
        "task_url": reverse("callbacks:call", args=[task.pk]),
        "order_url": _url("workorders:order_detail", followup.order_id) if followup.order_id else "",
        "rework_url": _url("workorders:order_detail", followup.rework_order_id) if followup.rework_order_id else "",
        "complaint_url": _url("complaints:detail", followup.complaint_id) if followup.complaint_id else "",
        "score_max": params["callbacks.followup_score_max"],
        "assigned_name": user_name(followup.assigned_to),
        "resolved_name": user_name(followup.resolved_by),
        "completed_name": user_name(task.completed_by),
        "technician_name": task.technician.name if task.technician is not None else "",
        "can_resolve": can_resolve,
        "form": form or FollowUpResolveForm(initial={"action": "rework" if followup.order_id else "close"}),
    }
    return render(request, "callbacks/followup_detail.html", context, status=status)


@login_required
@require_GET
def followup_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One follow-up: why (G-03), the answers, the order, and the manager's decision."""
    return _detail(request, selectors.access_followup(user=request.user, pk=pk))


@login_required
@require_POST
def followup_resolve_view(request: HttpRequest, pk: int) -> HttpResponse:
    """派返工单 / 转投诉 / 关闭 (note required to close)."""
    followup = selectors.access_followup(user=request.user, pk=pk)
    form = FollowUpResolveForm(request.POST)
    if not form.is_valid():
        return _detail(request, followup, form=form, status=400)
    data = form.cleaned_data
    try:
        done = services.followup_resolve(
            actor=request.user,
            followup_id=followup.pk,
            action=data["action"],
            note=data["note"],
            severity=data.get("severity") or "normal",
        )
    except NotAllowed:
        raise PermissionDenied from None
    except Conflict as exc:
        messages.warning(request, exc.message)
        return redirect("callbacks:followup_detail", pk=followup.pk)
    except DomainError as exc:
        form_errors(form, exc)
        return _detail(request, selectors.access_followup(user=request.user, pk=pk), form=form, status=exc.status_code)
    if done.status == FollowUpStatus.REWORK and done.rework_order is not None:
        messages.success(request, _("已派返工单 %(no)s") % {"no": done.rework_order.number})
    elif done.status == FollowUpStatus.COMPLAINT and done.complaint is not None:
        messages.success(request, _("已转为投诉 %(no)s") % {"no": done.complaint.number})
    else:
        messages.success(request, _("跟进已处理"))
    return redirect("callbacks:followup_detail", pk=followup.pk)
