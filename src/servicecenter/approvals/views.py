"""Approval pages: my inbox (htmx decisions), request detail, new 事项请示, withdraw/resubmit, my delegations.

Views only parse, load through selectors (deny = 404), call a service and render; DomainErrors become messages or
form errors, never a 500.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from servicecenter.core.access import has_permission_anywhere
from servicecenter.core.errors import Conflict, DomainError
from servicecenter.core.htmx import HtmxHttpRequest
from servicecenter.org.services import delegation_create, delegation_end

from . import policies, selectors, services
from .choices import ApprovalRequestStatus, ApprovalStepStatus
from .forms import DecideForm, DelegationForm, GeneralRequestForm, ResubmitForm
from .kinds import GENERAL, KINDS, get_kind

PAGE_SIZE = 20
TABS = ("pending", "done", "mine", "all")


def _page(request: HtmxHttpRequest, qs: Any) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
def inbox_view(request: HtmxHttpRequest) -> HttpResponse:
    """我的审批: 待我审批 (with approve / reject / return in place), 我已处理, 我发起的, and — for scoped viewers —
    全部 (the requests of the organizations they oversee); plus my delegations."""
    user = request.user
    can_view_all = has_permission_anywhere(user=user, permission=selectors.VIEW_ALL)
    tab = request.GET.get("tab", "pending")
    if tab not in TABS or (tab == "all" and not can_view_all):
        tab = "pending"
    context: dict[str, Any] = {"tab": tab, "can_view_all": can_view_all, "statuses": ApprovalRequestStatus.choices}
    if tab == "pending":
        context["page"] = _page(request, selectors.steps_awaiting(user=user))
    elif tab == "done":
        context["page"] = _page(request, selectors.steps_decided_by(user=user))
    else:
        filters = {"status": request.GET.get("status", ""), "q": request.GET.get("q", ""), "mine": tab == "mine"}
        if filters["status"] not in ApprovalRequestStatus.values:
            filters["status"] = ""
        context["filters"] = filters
        context["page"] = _page(request, selectors.request_list_visible_to(user=user, filters=filters))
    context["delegations"] = selectors.delegations_of(user=user)
    context["can_submit"] = has_permission_anywhere(user=user, permission=selectors.SUBMIT)
    return render(request, "approvals/inbox.html", context)


def _decide_context(request: HtmxHttpRequest, step_pk: int, **extra: Any) -> dict[str, Any]:
    step = selectors.access_step(user=request.user, pk=step_pk)
    return {"step": step, "form": DecideForm(), **extra}


@login_required
@require_POST
def step_decide_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """POST approve / reject / return on one step. htmx gets the re-rendered inbox item (result or error, 200);
    a plain form post is redirected to the request with a message."""
    step = selectors.access_step(user=request.user, pk=pk)
    form = DecideForm(request.POST)
    error, conflict, decided = "", False, False
    if form.is_valid():
        try:
            services.step_decide(
                actor=request.user,
                step_id=step.pk,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
            )
            decided = True
        except Conflict as exc:
            error, conflict = exc.message, True
        except DomainError as exc:
            placed = [field for field in exc.fields if field in form.fields]
            for field in placed:
                for msg in exc.fields[field]:
                    form.add_error(field, msg)
            # A field error shows under its field; anything else as a message on the item.
            error = "" if placed else exc.message
    else:
        error = _("请选择操作")
    if request.htmx:
        context = _decide_context(request, step.pk, error=error, conflict=conflict, decided=decided)
        if not decided:
            context["form"] = form
        return render(request, "approvals/_partials/step_item.html", context)
    if decided:
        messages.success(request, _("已处理：%(title)s") % {"title": step.request.title})
    else:
        messages.error(request, error or "；".join(e for errs in form.errors.values() for e in errs))
    target = request.POST.get("next", "")
    hosts = {request.get_host()}
    if not url_has_allowed_host_and_scheme(target, allowed_hosts=hosts, require_https=request.is_secure()):
        target = reverse("approvals:request_detail", args=[step.request_id])
    return redirect(target)


@login_required
def request_detail_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """One request: its route with every step's status, who acted (and for whom), comments, the rule that chose the
    route, and the audit history."""
    approval = selectors.access_request(user=request.user, pk=pk)
    steps = list(selectors.request_steps(request=approval))
    names = selectors.role_names(codes={step.role_code for step in steps})
    for step in steps:
        step.role_label = names[step.role_code]
    now = timezone.now()
    delegators = selectors.delegators_of(user=request.user, at=now)
    actionable = None
    for step in steps:
        if step.status == ApprovalStepStatus.PENDING and approval.status == ApprovalRequestStatus.PENDING:
            authority = policies.decide_authority(
                actor_id=request.user.pk,
                requester_id=approval.requested_by_id,
                assignee_id=step.assignee_id or 0,
                acting_for_id=step.acting_for_id,
                delegators_of_actor=delegators,
            )
            if authority.allowed:
                actionable = step
    kind = KINDS.get(approval.kind)
    is_requester = approval.requested_by_id == request.user.pk
    context = {
        "approval": approval,
        "steps": steps,
        "notices": selectors.request_notices(request=approval),
        "events": selectors.request_history(request=approval),
        "facts": kind.describe(approval.payload) if kind and kind.describe else [],
        "actionable": actionable,
        "form": DecideForm(),
        "can_withdraw": is_requester and approval.is_open,
        "can_resubmit": is_requester and approval.status == ApprovalRequestStatus.RETURNED,
        "resubmit_form": ResubmitForm(initial={"description": approval.description}),
    }
    return render(request, "approvals/request_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def request_create_view(request: HtmxHttpRequest) -> HttpResponse:
    """新建事项请示 for the signed-in staff member's service center."""
    organization = selectors.home_organization(user=request.user)
    if not selectors.can_submit(user=request.user, organization=organization):
        raise PermissionDenied
    form = GeneralRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            approval = services.request_submit(
                actor=request.user,
                kind=GENERAL,
                organization=organization,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                payload=form.payload(),
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已提交：%(title)s") % {"title": approval.title})
            return redirect("approvals:request_detail", pk=approval.pk)
    context = {"form": form, "organization": organization, "kind": get_kind(GENERAL)}
    return render(request, "approvals/request_form.html", context)


def _form_errors(form: Any, exc: DomainError) -> None:
    placed = False
    for field, msgs in exc.fields.items():
        for msg in msgs:
            form.add_error(field if field in form.fields else None, msg)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


@login_required
@require_POST
def request_withdraw_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    approval = selectors.access_request(user=request.user, pk=pk)
    try:
        services.request_withdraw(actor=request.user, request_id=approval.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("申请已撤回"))
    return redirect("approvals:request_detail", pk=approval.pk)


@login_required
@require_POST
def request_resubmit_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    approval = selectors.access_request(user=request.user, pk=pk)
    form = ResubmitForm(request.POST)
    if not form.is_valid():  # pragma: no cover - a free-text optional field is always valid
        messages.error(request, _("输入有误"))
        return redirect("approvals:request_detail", pk=approval.pk)
    try:
        services.request_resubmit(
            actor=request.user, request_id=approval.pk, description=form.cleaned_data["description"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已重新提交"))
    return redirect("approvals:request_detail", pk=approval.pk)


@login_required
@require_http_methods(["GET", "POST"])
def delegation_create_view(request: HtmxHttpRequest) -> HttpResponse:
    """ORG-13: I will be away — my approvals go to a colleague between two instants."""
    candidates = selectors.delegate_candidates(user=request.user)
    form = DelegationForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            delegation_create(
                actor=request.user,
                principal=request.user,
                delegate=data["delegate"].user,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                reason=data["reason"],
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已设置委托：%(name)s 将代您审批") % {"name": data["delegate"].name})
            return redirect(reverse("approvals:inbox") + "#delegations")
    return render(
        request,
        "approvals/delegation_form.html",
        {"form": form, "delegations": selectors.delegations_of(user=request.user)},
    )


@login_required
@require_POST
def delegation_end_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """ORG-13: I am back — end my delegation now (a future one is withdrawn)."""
    delegation = selectors.access_own_delegation(user=request.user, pk=pk)
    try:
        delegation_end(actor=request.user, delegation=delegation)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("委托已结束，审批事项将回到您本人"))
    return redirect(reverse("approvals:inbox") + "#delegations")
