"""Pages of the leave app: my leave (+ new request with a live day count), request detail (route, certificate,
withdraw / cancel / 销假), team calendar, leave register (+ .xlsx), annual-leave table.

Views parse, read through selectors (not visible = 404), call a service and render; DomainErrors become form or page
errors (4xx for plain posts is not needed: the page is re-rendered with the message), never a 500.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from servicecenter.approvals import selectors as approval_selectors
from servicecenter.core.access import has_permission_anywhere, has_permission_in
from servicecenter.core.errors import DomainError
from servicecenter.core.htmx import HtmxHttpRequest
from servicecenter.core.models import AuditEvent
from servicecenter.org.models import Organization, Staff
from servicecenter.policy.values import local_today, resolve_many

from . import exports, policies, selectors, services
from .choices import LeaveKind, LeaveStatus
from .forms import CancelForm, CertificateForm, CloseForm, LeaveRequestForm, RegisterFilterForm

PAGE_SIZE = 20


def _page(request: HtmxHttpRequest, qs: Any) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _form_errors(form: Any, exc: DomainError) -> None:
    placed = False
    for field, errors in exc.fields.items():
        if field in form.fields:
            for error in errors:
                form.add_error(field, error)
            placed = True
    if not placed or exc.message not in " ".join(str(e) for errors in exc.fields.values() for e in errors):
        form.add_error(None, exc.message)


def _my_staff(request: HtmxHttpRequest) -> Staff | None:
    return Staff.objects.select_related("organization").filter(user_id=request.user.pk or 0).first()


def _balances(staff: Staff, center: Organization | None, today: date) -> dict[str, Any]:
    if center is None:
        return {}
    rest = selectors.rest_days_left(staff, today.year, today.month)
    values = resolve_many(["leave.personal_max_days"], org=center, at=today)
    cap = policies.parse_personal_cap(values["leave.personal_max_days"].value)
    return {
        "annual": selectors.annual_balance(staff=staff, year=today.year, center=center, today=today),
        "rest": rest,
        "cap": cap,
        "cap_label": policies.SCOPE_LABELS[cap.scope],
    }


@login_required
@require_http_methods(["GET", "POST"])
def my_leave(request: HtmxHttpRequest) -> HttpResponse:
    """我的请假: balances, the new-request form (live day count via htmx) and my requests."""
    staff = _my_staff(request)
    center = staff.organization.service_center() if staff else None
    form = LeaveRequestForm(request.POST or None)
    if request.method == "POST":
        if staff is None or center is None:
            raise PermissionDenied(_("您没有员工档案，不能请假"))
        if form.is_valid():
            try:
                leave = services.leave_submit(actor=request.user, **form.service_kwargs(center))
            except DomainError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("请假申请已提交，等待审批"))
                return redirect("leave:detail", pk=leave.pk)
    today = local_today(center)
    context = {
        "staff": staff,
        "center": center,
        "form": form,
        "page": _page(request, selectors.my_requests(user=request.user)),
        "balances": _balances(staff, center, today) if staff else {},
        **_tabs(request),
        "timed_kinds": sorted(k.value for k in (LeaveKind.OFFICIAL_OUTING, LeaveKind.LEAVE_POST)),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "leave/mine.html", context, status=status)


@login_required
def preview(request: HtmxHttpRequest) -> HttpResponse:
    """htmx: the day count and the approver of the request being typed (never saves anything)."""
    staff = _my_staff(request)
    center = staff.organization.service_center() if staff else None
    form = LeaveRequestForm(request.GET)
    context: dict[str, Any] = {}
    if center is None:
        context["error"] = _("您没有员工档案，不能请假")
    elif form.is_valid():
        kwargs = form.service_kwargs(center)
        try:
            span = selectors.leave_span(
                center=center,
                kind=kwargs["kind"],
                start_date=kwargs["start_date"],
                start_half=kwargs["start_half"],
                end_date=kwargs["end_date"],
                end_half=kwargs["end_half"],
                starts_at=kwargs["starts_at"],
                ends_at=kwargs["ends_at"],
            )
        except DomainError as exc:
            context["error"] = exc.message if kwargs["start_date"] or kwargs["starts_at"] else ""
        else:
            values = resolve_many(["leave.approval_bands"], org=center, at=timezone.now())
            bands = values["leave.approval_bands"]
            context["span"] = span
            if span.days > 0:
                route = policies.leave_route(days=span.days, bands=bands.value, citation=bands.citation)
                names = approval_selectors.role_names(codes=route.steps)
                context["route"] = route
                context["approvers"] = "、".join(names[code] for code in route.steps)
    return render(request, "leave/_partials/preview.html", context)


def _actions(user: Any, leave: Any) -> dict[str, bool]:
    is_requester = leave.staff.user_id == user.pk
    can_manage = has_permission_in(user=user, permission=services.MANAGE, organization=leave.organization)
    now = timezone.now()
    approved = leave.status == LeaveStatus.APPROVED
    return {
        "can_withdraw": is_requester and leave.status == LeaveStatus.SUBMITTED,
        "can_cancel": (is_requester or can_manage) and approved and leave.starts_at > now,
        "can_close": (is_requester or can_manage) and approved and leave.starts_at <= now,
        "can_attach": (is_requester or can_manage)
        and leave.status in (LeaveStatus.SUBMITTED, LeaveStatus.APPROVED, LeaveStatus.CLOSED),
    }


def _detail(request: HtmxHttpRequest, leave: Any, *, status: int = 200, **forms: Any) -> HttpResponse:
    steps: list[Any] = []
    if leave.approval_request_id:
        steps = list(approval_selectors.request_steps(request=leave.approval_request))
        names = approval_selectors.role_names(codes={step.role_code for step in steps})
        for step in steps:
            step.role_label = names[step.role_code]
    context = {
        "leave": leave,
        "span": services.span_label(leave),
        "steps": steps,
        "attachments": selectors.attachments_of(leave),
        "events": AuditEvent.objects.for_target(leave).order_by("occurred_at", "id"),
        "close_form": forms.get("close_form") or CloseForm(),
        "cancel_form": forms.get("cancel_form") or CancelForm(),
        "certificate_form": forms.get("certificate_form") or CertificateForm(),
        "needs_certificate": leave.kind == LeaveKind.SICK,
        **_actions(request.user, leave),
    }
    return render(request, "leave/detail.html", context, status=status)


@login_required
def detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.leave_for(user=request.user, pk=pk))


@login_required
@require_POST
def withdraw(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    leave = selectors.leave_for(user=request.user, pk=pk)
    try:
        services.leave_withdraw(actor=request.user, leave_id=leave.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("请假申请已撤回"))
    return redirect("leave:detail", pk=leave.pk)


@login_required
@require_POST
def cancel(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    leave = selectors.leave_for(user=request.user, pk=pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.leave_cancel(actor=request.user, leave_id=leave.pk, note=form.cleaned_data["note"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("请假已取消"))
    return redirect("leave:detail", pk=leave.pk)


@login_required
@require_POST
def close(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """销假 (LEV-12)."""
    leave = selectors.leave_for(user=request.user, pk=pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        from .forms import aware

        try:
            services.leave_close(
                actor=request.user,
                leave_id=leave.pk,
                actual_return_at=aware(form.cleaned_data["actual_return_at"], leave.organization),  # type: ignore[arg-type]
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已销假"))
            return redirect("leave:detail", pk=leave.pk)
    leave.refresh_from_db()
    return _detail(request, leave, status=400, close_form=form)


@login_required
@require_POST
def certificate(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Upload a doctor's certificate (LEV-06): checked by content, never by its name."""
    leave = selectors.leave_for(user=request.user, pk=pk)
    form = CertificateForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > services.CERTIFICATE_MAX_BYTES:
            form.add_error("file", _("文件过大：最大 5 MB"))
        else:
            try:
                services.certificate_attach(
                    actor=request.user, leave_id=leave.pk, content=upload.read(), filename=upload.name or ""
                )
            except DomainError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("病历证明已上传"))
                return redirect("leave:detail", pk=leave.pk)
    return _detail(request, leave, status=400, certificate_form=form)


@login_required
def attachment(request: HtmxHttpRequest, pk: int) -> FileResponse:
    """Serve a certificate to whoever may see its leave (never from a public URL)."""
    item = selectors.attachment_for(user=request.user, pk=pk)
    suffix = item.file.name.rsplit(".", 1)[-1]
    response = FileResponse(item.file.open("rb"), content_type=item.content_type, filename=f"certificate.{suffix}")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = response["Content-Disposition"].replace("attachment", "inline")
    return response


# ------------------------------------------------------------------------------------------------ manager pages


def _tabs(request: HtmxHttpRequest) -> dict[str, bool]:
    return {
        "can_register": has_permission_anywhere(user=request.user, permission=services.VIEW),
        "can_manage": has_permission_anywhere(user=request.user, permission=services.MANAGE),
    }


def _centers_or_403(request: HtmxHttpRequest, permission: str) -> list[Organization]:
    centers = selectors.register_centers(user=request.user, permission=permission)
    if not centers:
        raise PermissionDenied(_("您没有查看请假登记的权限"))
    return centers


def _pick_center(request: HtmxHttpRequest, centers: list[Organization]) -> Organization:
    wanted = request.GET.get("center") or request.POST.get("center") or ""
    if not wanted:
        return centers[0]
    center = next((c for c in centers if str(c.pk) == wanted), None)
    if center is None:
        raise Http404(_("中心不存在"))
    return center


def _month_of(request: HtmxHttpRequest, today: date) -> tuple[int, int]:
    raw = request.GET.get("month", "")
    try:
        year, month = (int(part) for part in raw.split("-")[:2])
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return year, month
    except ValueError:
        pass
    return today.year, today.month


@login_required
def team_calendar(request: HtmxHttpRequest) -> HttpResponse:
    """团队请假日历: who is away each day of a month in one center of the viewer's scope."""
    centers = _centers_or_403(request, services.VIEW)
    center = _pick_center(request, centers)
    today = local_today(center)
    year, month = _month_of(request, today)
    previous = (year - 1, 12) if month == 1 else (year, month - 1)
    following = (year + 1, 1) if month == 12 else (year, month + 1)
    context = {
        "centers": centers,
        "center": center,
        "year": year,
        "month": month,
        "weeks": selectors.team_calendar(center=center, year=year, month=month),
        "previous": f"{previous[0]}-{previous[1]:02d}",
        "following": f"{following[0]}-{following[1]:02d}",
        "today": today,
        "weekdays": ["一", "二", "三", "四", "五", "六", "日"],
        **_tabs(request),
    }
    return render(request, "leave/calendar.html", context)


def _register_filters(request: HtmxHttpRequest, centers: list[Organization]) -> tuple[Any, Any]:
    wanted = request.GET.get("center", "")
    if wanted and all(str(c.pk) != wanted for c in centers):
        raise Http404(_("中心不存在"))
    form = RegisterFilterForm(request.GET or None, centers=centers)
    filters = selectors.RegisterFilters()
    if form.is_valid():
        data = form.cleaned_data
        center = next((c for c in centers if str(c.pk) == data.get("center")), None)
        filters = selectors.RegisterFilters(
            center=center,
            month=data.get("month"),
            person=data.get("person") or "",
            kind=data.get("kind") or "",
            status=data.get("status") or "",
        )
    return form, filters


@login_required
def register(request: HtmxHttpRequest) -> HttpResponse:
    """请销假登记 (LEV-12): every request and closure of the viewer's centers, filtered; .xlsx export."""
    centers = _centers_or_403(request, services.VIEW)
    form, filters = _register_filters(request, centers)
    rows = selectors.register_rows(user=request.user, filters=filters)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": _page(request, rows),
        "query": query.urlencode() + "&" if query else "",
        "export_query": query.urlencode(),
        **_tabs(request),
    }
    return render(request, "leave/register.html", context)


@login_required
def register_export(request: HtmxHttpRequest) -> HttpResponse:
    centers = _centers_or_403(request, services.VIEW)
    form, filters = _register_filters(request, centers)
    content = exports.register_xlsx(selectors.register_rows(user=request.user, filters=filters)[:10000])
    response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="leave-register-{timezone.now():%Y%m%d}.xlsx"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def entitlements(request: HtmxHttpRequest) -> HttpResponse:
    """年休假标准 (G-14): the manager enters the center's table (service years → days a year)."""
    centers = _centers_or_403(request, services.MANAGE)
    center = _pick_center(request, centers)
    error = ""
    if request.method == "POST":
        years = request.POST.getlist("years")
        days = request.POST.getlist("days")
        try:
            services.entitlement_set(actor=request.user, organization=center, rows=list(zip(years, days, strict=False)))
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("年休假标准已保存"))
            return redirect(f"{request.path}?center={center.pk}")
    rows = [(r.min_service_years, policies.format_days(r.days)) for r in selectors.entitlement_rows(center=center)]
    if request.method == "POST":
        rows = list(zip(request.POST.getlist("years"), request.POST.getlist("days"), strict=False))
    blank: list[tuple[str, str]] = [("", "")] * 3
    context = {
        "centers": centers,
        "center": center,
        "rows": rows + blank,
        "error": error,
        **_tabs(request),
    }
    return render(request, "leave/entitlements.html", context, status=400 if error else 200)
