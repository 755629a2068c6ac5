"""The service register (SVC-03), its .xlsx export, the printable service voucher with the manager's countersign and
archive (SVC-04…SVC-10), and the daily reconciliation of register against vouchers (SVC-11)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from servicecenter.core.access import has_permission_anywhere, has_permission_in
from servicecenter.core.errors import Conflict, DomainError
from servicecenter.customers.models import phone_digits
from servicecenter.policy.values import local_today, zone_of

from .. import exports, selectors, services
from ..choices import AttachmentKind, OrderKind, OrderStatus, ServiceType

PAGE_SIZE = 50
ALL_CENTERS = "all"


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", gettext_lazy("全部")), *choices]


class RegisterFilterForm(forms.Form):
    """The register's filters (SVC-03). `center` defaults to the viewer's first center; «全部中心» is explicit."""

    center = forms.ChoiceField(label=gettext_lazy("服务中心"), required=False)
    date_from = forms.DateField(label=gettext_lazy("起始日期"), required=False)
    date_to = forms.DateField(label=gettext_lazy("截止日期"), required=False)
    staff = forms.TypedChoiceField(label=gettext_lazy("服务人员"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=gettext_lazy("类别"), required=False, choices=_blank(OrderKind.choices))
    service_type = forms.ChoiceField(
        label=gettext_lazy("服务类型"), required=False, choices=_blank(ServiceType.choices)
    )
    status = forms.ChoiceField(label=gettext_lazy("状态"), required=False, choices=_blank(OrderStatus.choices))
    phone = forms.CharField(label=gettext_lazy("客户电话"), required=False, max_length=30)

    def __init__(self, *args: Any, centers: list[Any], staff: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.centers = {str(c.pk): c for c in centers}
        self.fields["center"].choices = [  # type: ignore[attr-defined]
            *((str(c.pk), c.name) for c in centers),
            (ALL_CENTERS, _("全部中心")),
        ]
        self.fields["staff"].choices = [("", _("全部")), *staff]  # type: ignore[attr-defined]

    def clean_phone(self) -> str:
        raw = self.cleaned_data.get("phone", "").strip()
        if raw and (any(ch.isalpha() for ch in raw) or not phone_digits(raw)):
            raise forms.ValidationError(_("电话只能包含数字"))
        return phone_digits(raw) if raw else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("截止日期不能早于起始日期"))
        return data


class Filters:
    def __init__(self, data: dict[str, Any], center: Any) -> None:
        tz = zone_of(center)
        self.center = center
        self.date_from = datetime.combine(data["date_from"], time.min, tzinfo=tz) if data.get("date_from") else None
        self.date_to = (
            datetime.combine(data["date_to"] + timedelta(days=1), time.min, tzinfo=tz) if data.get("date_to") else None
        )
        self.staff = data.get("staff")
        self.kind = data.get("kind") or ""
        self.service_type = data.get("service_type") or ""
        self.status = data.get("status") or ""
        self.phone = data.get("phone") or ""


def _cursor(raw: str) -> tuple[datetime, int] | None:
    at_text, _sep, pk_text = (raw or "").rpartition("_")
    at = parse_datetime(at_text) if at_text else None
    if at is None or not pk_text.isdigit():
        return None
    return at, int(pk_text)


def _register_query(
    request: HttpRequest, permission: str = selectors.VIEW_REGISTER
) -> tuple[RegisterFilterForm, Any, bool]:
    """The bound filter form and the filtered register queryset (None while the filters are invalid)."""
    centers = list(selectors.register_centers(user=request.user))
    if not centers:
        raise Http404("no register")
    params = request.GET.copy()
    if not params.get("center"):
        params["center"] = str(centers[0].pk)
    chosen = next((c for c in centers if str(c.pk) == params["center"]), None)
    if chosen is None and params["center"] != ALL_CENTERS:
        raise Http404("no such center")  # a center outside the viewer's scope does not exist for them
    staff = selectors.register_staff_choices(center=chosen)
    form = RegisterFilterForm(params, centers=centers, staff=staff)
    if not form.is_valid():
        return form, None, False
    filters = Filters(form.cleaned_data, chosen)
    qs = selectors.register_entries(user=request.user, filters=filters, permission=permission)
    return form, qs, True


def _voucher_label(order: Any) -> str:
    return exports.voucher_state(
        signed_at=order.signed_at, countersigned_at=order.countersigned_at, archived_at=order.archived_at
    )


@login_required
@require_GET
def register_view(request: HttpRequest) -> HttpResponse:
    """服务登记簿 (SVC-03): the sequential, filterable register of the viewer's centers, newest first, keyset-paged."""
    form, qs, valid = _register_query(request)
    rows: list[Any] = []
    next_cursor = None
    if valid:
        rows, next_cursor = selectors.register_page(qs=qs, after=_cursor(request.GET.get("after", "")), size=PAGE_SIZE)
    # Labels from one dict per request: Model.get_FOO_display() re-hashes the lazy choices on every call (slow).
    kinds, statuses = {k: str(v) for k, v in OrderKind.choices}, {k: str(v) for k, v in OrderStatus.choices}
    for order in rows:
        order.voucher_label = _voucher_label(order)
        order.kind_label = kinds.get(order.kind, order.kind)
        order.status_label = statuses.get(order.status, order.status)
    query = request.GET.copy()
    query.pop("after", None)
    next_url = ""
    if next_cursor is not None:
        query["after"] = f"{next_cursor[0].isoformat()}_{next_cursor[1]}"
        next_url = "?" + query.urlencode()
        query.pop("after")
    context = {
        "form": form,
        "rows": rows,
        "next_url": next_url,
        "first_url": "?" + query.urlencode() if request.GET.get("after") else "",
        "export_query": query.urlencode(),
        "can_export": has_permission_anywhere(user=request.user, permission=selectors.EXPORT_REGISTER),
        "cap": exports.EXPORT_CAP,
    }
    status = 200 if valid else 400
    return render(request, "workorders/register/register.html", context, status=status)


@login_required
@require_GET
def register_export_view(request: HttpRequest) -> HttpResponse | FileResponse:
    """The filtered register as .xlsx (streamed from a spooled file; capped at EXPORT_CAP rows with a note)."""
    if not has_permission_anywhere(user=request.user, permission=selectors.EXPORT_REGISTER):
        raise Http404("no export")
    form, qs, valid = _register_query(request, selectors.EXPORT_REGISTER)
    if not valid:
        messages.error(request, _("筛选条件有误，请修改后再导出"))
        return redirect(reverse("workorders:register") + "?" + request.GET.urlencode())
    handle, count, capped = exports.register_workbook(qs=qs, cap=exports.EXPORT_CAP)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = FileResponse(
        handle, as_attachment=True, filename=f"service-register-{stamp}.xlsx", content_type=exports.XLSX_CONTENT_TYPE
    )
    response["X-Export-Rows"] = str(count)
    if capped:
        response["X-Export-Capped"] = str(exports.EXPORT_CAP)
    return response


# --- the service voucher (SVC-04…SVC-10) ----------------------------------------------------------------------------


@login_required
@require_GET
def voucher_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable service voucher (A4 or A5), with the manager's countersign and archive buttons."""
    order, materials, attachments = selectors.voucher_for(user=request.user, pk=pk)
    size = "a5" if request.GET.get("size") == "a5" else "a4"
    can_sign = has_permission_in(user=request.user, permission=selectors.COUNTERSIGN, organization=order.organization)
    signatures = [a for a in attachments if a.kind == AttachmentKind.SIGNATURE]
    voucher_photos = [a for a in attachments if a.kind == AttachmentKind.VOUCHER_PHOTO]
    photos = [a for a in attachments if a.kind == AttachmentKind.PHOTO]
    countersigner = ""
    user = order.countersigned_by
    if user is not None:
        staff = getattr(user, "staff", None)
        countersigner = staff.name if staff else (user.get_full_name() or user.get_username())
    context = {
        "order": order,
        "materials": materials,
        "signature": signatures[-1] if signatures else None,
        "voucher_photos": voucher_photos,
        "photos": photos,
        "size": size,
        "countersigner": countersigner,
        "can_countersign": can_sign
        and order.status in (OrderStatus.RETURNED, OrderStatus.CLOSED)
        and order.countersigned_at is None
        and order.signed_at is not None,
        "can_archive": can_sign and order.countersigned_at is not None and order.archived_at is None,
        "voucher_state": _voucher_label(order),
    }
    return render(request, "workorders/voucher/voucher.html", context)


def _voucher_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    order = selectors.access_order(user=request.user, pk=pk)
    try:
        if action == "countersign":
            services.order_countersign(actor=request.user, order_id=order.pk)
            messages.success(request, _("已核签服务凭证（SVC-10）"))
        else:
            services.order_archive(actor=request.user, order_id=order.pk)
            messages.success(request, _("服务凭证已归档，此后只读（SVC-06）"))
    except Conflict as exc:
        messages.info(request, exc.message)
    except DomainError as exc:
        if exc.status_code == 403:
            raise PermissionDenied(exc.message) from None
        messages.error(request, exc.message)
    return redirect("workorders:voucher", pk=order.pk)


@login_required
@require_POST
def voucher_countersign_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _voucher_action(request, pk, "countersign")


@login_required
@require_POST
def voucher_archive_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _voucher_action(request, pk, "archive")


# --- daily reconciliation (SVC-11) ----------------------------------------------------------------------------------


@login_required
@require_GET
def reconcile_view(request: HttpRequest) -> HttpResponse:
    """对账 (SVC-11): one center, one day — register entries without a voucher and vouchers without an entry."""
    centers = list(selectors.register_centers(user=request.user))
    if not centers:
        raise Http404("no register")
    raw_center = request.GET.get("center", "")
    center = next((c for c in centers if str(c.pk) == raw_center), None) if raw_center else centers[0]
    if center is None:
        raise Http404("no such center")
    error = ""
    try:
        day = date.fromisoformat(request.GET["date"]) if request.GET.get("date") else local_today(center)
    except ValueError:
        day, error = local_today(center), _("日期格式不正确，已显示今天")
    result = selectors.reconcile_day(center=center, day=day)
    context = {
        "centers": centers,
        "center": center,
        "day": day,
        "prev_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1),
        "result": result,
        "entry_mismatches": [m for m in result.mismatches if m.side == "entry"],
        "voucher_mismatches": [m for m in result.mismatches if m.side == "voucher"],
        "error": error,
        "base_query": urlencode({"center": center.pk}),
    }
    return render(request, "workorders/register/reconcile.html", context, status=400 if error else 200)
