"""The complaint pages for staff: the list (filters, paging, deadline colours, counts per status), the intake form
with its one-time token (CMP-01), the case page with the actions of its state (G-01), the violation link (CMP-08)
and the printable 投诉处理单 (CMP-04). Every write goes through `complaints.services`."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from servicecenter.core.access import has_permission_in
from servicecenter.core.errors import DomainError, NotAllowed
from servicecenter.core.forms import show_domain_error
from servicecenter.org.selectors import mask_phone
from servicecenter.policy.values import local_today

from .. import selectors, services
from ..choices import Category, ComplaintStatus
from ..forms import (
    AcknowledgeForm,
    ActionForm,
    ComplaintFilterForm,
    ComplaintForm,
    FeedbackForm,
    NoteForm,
    OptionalNoteForm,
    ReopenForm,
    ResolveForm,
    ViolationForm,
)
from ..models import Complaint

PAGE_SIZE = 25
# The service's field names → the intake form's inputs.
ERROR_ALIASES = {"order": "order_number", "customer": "complainant_name"}


def _url(name: str, *args: Any) -> str:
    """A page of another part of the project, when it exists (the page links to it)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


# --- the list ------------------------------------------------------------------------------------------------------


@login_required
@require_GET
def complaint_list_view(request: HttpRequest) -> HttpResponse:
    """投诉台账: the complaints of the viewer's centers, newest first, 25 a page, with the filters of the header."""
    centers = selectors.complaint_centers(user=request.user)
    if not centers:
        raise PermissionDenied
    raw_center = request.GET.get("center", "")
    if raw_center and raw_center not in {str(c.pk) for c in centers}:
        raise Http404("no such center")  # a center outside the viewer's scope does not exist for them
    form = ComplaintFilterForm(request.GET, centers=centers)
    now = timezone.now()
    rows: list[Complaint] = []
    page = None
    center = None
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        center = form.centers.get(data["center"] or "")
        filters = selectors.ComplaintFilters(
            center=center,
            status=data["status"],
            severity=data["severity"],
            category=data["category"],
            channel=data["channel"],
            overdue=data["overdue"],
            mine=data["mine"],
            q=data["q"],
            against_staff=data["against_staff"],
            month=data["month"],
        )
        page = Paginator(selectors.complaint_list(user=request.user, filters=filters, now=now), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        rows = selectors.with_display(list(page.object_list), user=request.user, now=now)
    else:
        status = 400
    query = request.GET.copy()
    query.pop("page", None)
    base = query.copy()
    for key in ("status", "overdue", "page"):
        base.pop(key, None)
    context = {
        "form": form,
        "rows": rows,
        "page": page,
        "query": query.urlencode() + "&" if query else "",
        "tab_query": base.urlencode() + "&" if base else "",
        "counts": selectors.status_counts(user=request.user, center=center, now=now),
        "can_add": bool(selectors.complaint_centers(user=request.user, permission=selectors.ADD)),
        "now": now,
        "many_centers": len(centers) > 1 and center is None,
    }
    return render(request, "complaints/list.html", context, status=status)


# --- intake (CMP-01) ---------------------------------------------------------------------------------------------


def _intake_centers(request: HttpRequest) -> list[Any]:
    centers = selectors.complaint_centers(user=request.user, permission=selectors.ADD)
    if not centers:
        raise PermissionDenied
    return centers


def _intake_page(
    request: HttpRequest, form: ComplaintForm, centers: list[Any], *, status: int = 200, **extra: Any
) -> HttpResponse:
    chosen = form["organization"].value() or (str(centers[0].pk) if centers else "")
    context = {
        "form": form,
        "centers": centers,
        "chosen_center": str(chosen),
        "categories": Category.choices,
        **extra,
    }
    return render(request, "complaints/create.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def complaint_create_view(request: HttpRequest) -> HttpResponse:
    """受理投诉: GET a fresh form (new one-time token); POST creates the case and shows its number and deadlines; bad
    input re-renders with the messages (400) and the typed data kept."""
    centers = _intake_centers(request)
    staff = selectors.staff_choices_by_center(centers=centers)
    if request.method == "GET":
        center = next((c for c in centers if str(c.pk) == request.GET.get("organization")), centers[0])
        form = ComplaintForm(
            centers=centers,
            staff=staff,
            initial={
                "organization": str(center.pk),
                "intake_token": str(uuid.uuid4()),
                "notify_complainant": True,
                "channel": "phone",
            },
        )
        return _intake_page(request, form, centers)

    form = ComplaintForm(request.POST, centers=centers, staff=staff)
    if not form.is_valid():
        return _intake_page(request, form, centers, status=400, error_message=_("输入有误，请检查标出的字段"))
    data = form.cleaned_data
    center = next(c for c in centers if str(c.pk) == data["organization"])
    order_id = None
    if data["order_number"]:
        order = selectors.order_for_intake(user=request.user, center=center, number=data["order_number"])
        if order is None:
            form.add_error("order_number", _("工单号不存在或不属于所选服务中心"))
            return _intake_page(request, form, centers, status=400, error_message=_("相关工单号无效"))
        order_id = order.pk
    try:
        complaint = services.complaint_create(
            actor=request.user,
            organization=center,
            channel=data["channel"],
            complainant_name=data["complainant_name"],
            phone=data["phone"],
            summary=data["summary"],
            details=data["details"],
            demand=data["demand"],
            category=data["category"],
            severity=data["severity"],
            order_id=order_id,
            against_staff_id=data["against_staff"],
            merchant_name=data["merchant_name"],
            regulation_clause=data["regulation_clause"],
            notify_complainant=data["notify_complainant"],
            intake_token=data["intake_token"] or None,
        )
    except NotAllowed:
        raise PermissionDenied from None
    except DomainError as exc:
        for field, msgs in exc.fields.items():
            name = ERROR_ALIASES.get(field, field)
            for message in msgs:
                form.add_error(name if name in form.fields else None, message)
        if "intake_token" in exc.fields:
            fresh = request.POST.copy()
            fresh["intake_token"] = str(uuid.uuid4())
            form.data = fresh
        return _intake_page(request, form, centers, status=exc.status_code, error_message=exc.message)
    return redirect("complaints:created", pk=complaint.pk)


@login_required
@require_GET
def complaint_order_search_view(request: HttpRequest) -> HttpResponse:
    """htmx, as the order number is typed: the center's orders whose number starts with it (at most 10)."""
    centers = _intake_centers(request)
    center = next((c for c in centers if str(c.pk) == request.GET.get("organization")), None)
    if center is None:
        raise Http404("no such center")
    orders = selectors.order_search(user=request.user, center=center, q=request.GET.get("order_number", "")[:40])
    return HttpResponse(
        render_to_string(
            "complaints/_order_matches.html",
            {"orders": orders, "searched": len(request.GET.get("order_number", "").strip()) >= 4},
        )
    )


@login_required
@require_GET
def complaint_created_view(request: HttpRequest, pk: int) -> HttpResponse:
    """After save: the case number, the deadlines with their citation (G-01), what happens next."""
    complaint = selectors.access_complaint(user=request.user, pk=pk)
    return render(request, "complaints/created.html", {"complaint": complaint})


# --- the case page ---------------------------------------------------------------------------------------------------


def case_actions(*, complaint: Complaint, user: Any) -> dict[str, bool]:
    """What this user may do on the case now (the services check again; the page only offers)."""
    handle = has_permission_in(user=user, permission=selectors.HANDLE, organization=complaint.organization)
    status = complaint.status
    return {
        "handle": handle,
        "acknowledge": handle and status == ComplaintStatus.RECEIVED,
        "investigate": handle and status in (ComplaintStatus.ACKNOWLEDGED, ComplaintStatus.REOPENED),
        "note": handle and status != ComplaintStatus.CLOSED,
        "resolve": handle
        and status in (ComplaintStatus.ACKNOWLEDGED, ComplaintStatus.INVESTIGATING, ComplaintStatus.REOPENED),
        "feedback": handle and status == ComplaintStatus.RESOLVED,
        "close": handle and status == ComplaintStatus.CONFIRMED,
        "reopen": handle and status in (ComplaintStatus.CONFIRMED, ComplaintStatus.CLOSED),
        "violation": handle and complaint.against_staff_id is not None and complaint.violation_id is None,
        "improve": handle and status == ComplaintStatus.CLOSED,
    }


def _render_case(
    request: HttpRequest, complaint: Complaint, *, status: int = 200, open_form: str = "", **forms_: Any
) -> HttpResponse:
    now = timezone.now()
    parts = selectors.complaint_page_parts(complaint=complaint)
    actions = case_actions(complaint=complaint, user=request.user)
    handlers = selectors.handler_choices(center=complaint.organization) if actions["acknowledge"] else []
    owners = selectors.handler_choices(center=complaint.organization) if actions["improve"] else []
    if actions["improve"]:
        known = {pk for pk, _name in owners}
        staff_users = selectors.staff_user_choices(center=complaint.organization)
        owners += [choice for choice in staff_users if choice[0] not in known]
    for followup in parts.followups:
        followup.url = _url("callbacks:followup_detail", followup.pk) or _url("callbacks:followups")
    visible = selectors.phone_visible(user=request.user, complaint=complaint)
    failed = forms_.get(open_form) if open_form else None
    context = {
        "complaint": complaint,
        "now": now,
        # A refusal is shown at the top too: the form it came from may no longer be offered in the case's state.
        "refusal": list(failed.non_field_errors()) if failed is not None else [],
        "deadline": selectors.pending_deadline(complaint, now=now),
        "phone_display": complaint.phone if visible else mask_phone(complaint.phone),
        "parts": parts,
        "actions": actions,
        "open_form": open_form,
        "order_url": _url("workorders:order_detail", complaint.order_id) if complaint.order_id else "",
        "violation_url": _url("attendance:violation_list") if complaint.violation_id else "",
        "owner_name": selectors.user_name(complaint.owner),
        "resolver_name": selectors.user_name(complaint.resolved_by),
        "acknowledge_form": forms_.get("acknowledge_form")
        or AcknowledgeForm(handlers=handlers, initial={"owner": getattr(request.user, "pk", None)}),
        "investigate_form": forms_.get("investigate_form") or OptionalNoteForm(prefix="investigate"),
        "note_form": forms_.get("note_form") or NoteForm(prefix="note"),
        "resolve_form": forms_.get("resolve_form")
        or ResolveForm(initial={"compensation_payer": complaint.merchant_name}),
        "feedback_form": forms_.get("feedback_form") or FeedbackForm(prefix="feedback"),
        "close_form": forms_.get("close_form") or OptionalNoteForm(prefix="close"),
        "reopen_form": forms_.get("reopen_form") or ReopenForm(),
        "violation_form": forms_.get("violation_form")
        or ViolationForm(
            initial={
                "day": timezone.localtime(complaint.received_at).date(),
                "description": _("投诉 %(no)s：%(summary)s") % {"no": complaint.number, "summary": complaint.summary},
            }
        ),
        "action_form": forms_.get("action_form")
        or ActionForm(owners=owners, initial={"due_date": local_today(complaint.organization)}),
    }
    return render(request, "complaints/detail.html", context, status=status)


@login_required
@require_GET
def complaint_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """投诉详情: one case the user may see (else 404)."""
    return _render_case(request, selectors.access_complaint(user=request.user, pk=pk))


def _post(
    request: HttpRequest,
    pk: int,
    *,
    form: Any,
    key: str,
    run: Callable[[Complaint, dict[str, Any]], Any],
    done: str,
) -> HttpResponse:
    """Validate the small form, call the service; a refusal re-renders the page with the message and its 4xx."""
    complaint = selectors.access_complaint(user=request.user, pk=pk)
    status = 400
    if form.is_valid():
        try:
            run(complaint, form.cleaned_data)
        except DomainError as exc:
            show_domain_error(form, exc)
            status = exc.status_code
        else:
            messages.success(request, done)
            return redirect("complaints:detail", pk=complaint.pk)
    complaint = selectors.access_complaint(user=request.user, pk=pk)
    return _render_case(request, complaint, status=status, open_form=key, **{key: form})


@login_required
@require_POST
def complaint_acknowledge_view(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = selectors.access_complaint(user=request.user, pk=pk)
    form = AcknowledgeForm(request.POST, handlers=selectors.handler_choices(center=complaint.organization))

    def run(case: Complaint, data: dict[str, Any]) -> None:
        services.complaint_acknowledge(actor=request.user, complaint_id=case.pk, owner_id=data["owner"])

    return _post(request, pk, form=form, key="acknowledge_form", run=run, done=_("已确认受理并指定处理人"))


@login_required
@require_POST
def complaint_investigate_view(request: HttpRequest, pk: int) -> HttpResponse:
    def run(case: Complaint, data: dict[str, Any]) -> None:
        services.complaint_start_investigation(actor=request.user, complaint_id=case.pk, note=data["note"])

    form = OptionalNoteForm(request.POST, prefix="investigate")
    return _post(request, pk, form=form, key="investigate_form", run=run, done=_("已开始调查处理"))


@login_required
@require_POST
def complaint_note_view(request: HttpRequest, pk: int) -> HttpResponse:
    def run(case: Complaint, data: dict[str, Any]) -> None:
        services.complaint_add_note(actor=request.user, complaint_id=case.pk, note=data["note"])

    form = NoteForm(request.POST, prefix="note")
    return _post(request, pk, form=form, key="note_form", run=run, done=_("已添加处理记录"))


@login_required
@require_POST
def complaint_resolve_view(request: HttpRequest, pk: int) -> HttpResponse:
    def run(case: Complaint, data: dict[str, Any]) -> None:
        services.complaint_resolve(
            actor=request.user,
            complaint_id=case.pk,
            response=data["response"],
            compensation=data["compensation"],
            compensation_payer=data["compensation_payer"],
        )

    form = ResolveForm(request.POST)
    return _post(request, pk, form=form, key="resolve_form", run=run, done=_("已答复，等待投诉人确认"))


@login_required
@require_POST
def complaint_feedback_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The complainant's answer taken by phone (staff record it)."""

    def run(case: Complaint, data: dict[str, Any]) -> None:
        services.complaint_record_feedback(
            actor=request.user, complaint_id=case.pk, feedback=data["feedback"], note=data["note"]
        )

    form = FeedbackForm(request.POST, prefix="feedback")
    return _post(request, pk, form=form, key="feedback_form", run=run, done=_("已记录投诉人反馈"))


@login_required
@require_POST
def complaint_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    def run(case: Complaint, data: dict[str, Any]) -> None:
        services.complaint_close(actor=request.user, complaint_id=case.pk, note=data["note"])

    form = OptionalNoteForm(request.POST, prefix="close")
    return _post(request, pk, form=form, key="close_form", run=run, done=_("投诉已结案"))


@login_required
@require_POST
def complaint_reopen_view(request: HttpRequest, pk: int) -> HttpResponse:
    def run(case: Complaint, data: dict[str, Any]) -> None:
        services.complaint_reopen(actor=request.user, complaint_id=case.pk, reason=data["reason"])

    form = ReopenForm(request.POST)
    return _post(request, pk, form=form, key="reopen_form", run=run, done=_("投诉已重新打开"))


@login_required
@require_POST
def complaint_violation_view(request: HttpRequest, pk: int) -> HttpResponse:
    """CMP-08 «登记违纪»: the attendance service decides whether this user may; its refusal is shown."""

    def run(case: Complaint, data: dict[str, Any]) -> None:
        services.complaint_link_violation(
            actor=request.user,
            complaint_id=case.pk,
            violation_type=data["violation_type"],
            day=data["day"],
            description=data["description"],
        )

    form = ViolationForm(request.POST)
    return _post(request, pk, form=form, key="violation_form", run=run, done=_("已登记违纪记录并关联到本投诉"))


# --- the printable form (CMP-04) -----------------------------------------------------------------------------------


@login_required
@require_GET
def complaint_print_view(request: HttpRequest, pk: int) -> HttpResponse:
    """投诉处理单 (CMP-04): A4, the case data, the handling steps, response, feedback and the signature lines."""
    complaint = selectors.access_complaint(user=request.user, pk=pk)
    visible = selectors.phone_visible(user=request.user, complaint=complaint)
    context = {
        "complaint": complaint,
        "phone_display": complaint.phone if visible else mask_phone(complaint.phone),
        "owner_name": selectors.user_name(complaint.owner),
        "resolver_name": selectors.user_name(complaint.resolved_by),
        "closer_name": selectors.user_name(complaint.closed_by),
        "receiver_name": selectors.user_name(complaint.received_by),
        "printed_at": timezone.now(),
        **selectors.complaint_print_parts(complaint=complaint),
    }
    return render(request, "complaints/print.html", context)
