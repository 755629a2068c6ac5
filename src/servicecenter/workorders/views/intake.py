"""The intake page (接单内勤): take a call in under 30 seconds, keyboard only (WO-01, WO-08, WO-11, SVC-01, SVC-02).

Beside the form the center's call script (CON-07…CON-10). As the phone is typed, htmx asks `intake_lookup` for the
customer, their open orders and history, and any likely duplicate (WO-01) — which can be logged as a repeat call
on the existing order instead of creating a new one. A one-time form token makes a double submit harmless.
Also the page where an admin enters the holiday greeting windows from the holiday notices (CON-09).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from servicecenter.core.access import has_permission_in
from servicecenter.core.errors import DomainError, NotAllowed
from servicecenter.core.htmx import HtmxHttpRequest
from servicecenter.customers import policies as customer_policies
from servicecenter.customers import selectors as customer_selectors
from servicecenter.customers import services as customer_services
from servicecenter.policy.values import local_today, resolve_many

from .. import policies, selectors, services
from ..choices import OrderKind, Priority, ServiceType

READ_BACK = (("problem", "1"), ("address", "2"), ("name", "3"), ("phone", "4"))
KIND_KEYS = {"inquiry": "5", "complaint": "6", "repair": "7", "installation": "8", "other": "9"}
FIELDS = (
    "organization",
    "kind",
    "service_type",
    "priority",
    "customer_name",
    "phone",
    "address",
    "problem",
    "product_model",
    "product_spec",
    "purchase_date",
    "purchase_place",
    "offsite_destination",
    "answer",
    "customer_id",
)
# The service's field names → the names of the form's inputs (the service says customer_name; the form says so too).
ERROR_ALIASES = {"customer": "customer_name", "channel": "kind"}
SET_SCRIPTS = "policy.set_parameter"


def _centers_or_403(request: HtmxHttpRequest) -> list[Any]:
    centers = selectors.intake_centers(user=request.user)
    if not centers:
        raise PermissionDenied
    return centers


def _pick_center(centers: list[Any], raw: Any) -> Any:
    """The chosen center among the user's intake centers; None for an unknown id (the page answers 400)."""
    if raw in (None, ""):
        return centers[0]
    for center in centers:
        if str(center.pk) == str(raw):
            return center
    return None


def _staff_no(user: Any) -> str:
    staff = getattr(user, "staff", None) if hasattr(user, "staff") else None
    return staff.staff_no if staff is not None else user.get_username()


def _page_context(request: HtmxHttpRequest, centers: list[Any], center: Any, data: dict[str, Any]) -> dict[str, Any]:
    today = local_today(center)
    windows = customer_selectors.greeting_windows_around(organization=center, day=today)
    script = customer_policies.call_script(
        organization=center, staff_no=_staff_no(request.user), day=today, windows=windows
    )
    params = resolve_many(
        ["service.register_fields", "service.types", "workorders.read_back_fields"], org=center, at=today
    )
    type_labels = dict(ServiceType.choices)
    for row in params["service.types"].value or []:
        if isinstance(row, list | tuple) and len(row) == 2 and row[0] in type_labels:
            type_labels[row[0]] = row[1]
    register_fields = [
        f for f in (params["service.register_fields"].value or []) if f in policies.REGISTER_FIELD_LABELS
    ]
    required_ticks = set(params["workorders.read_back_fields"].value or [])
    return {
        "centers": centers,
        "center": center,
        "script": script,
        "kinds": [(value, label, KIND_KEYS[value]) for value, label in OrderKind.choices],
        "service_types": list(type_labels.items()),
        "priorities": Priority.choices,
        "register_fields": [(f, policies.REGISTER_FIELD_LABELS[f]) for f in register_fields],
        "read_back": [(f, policies.READ_BACK_LABELS[f], key, f in required_ticks) for f, key in READ_BACK],
        "data": data,
        "can_set_scripts": has_permission_in(user=request.user, permission=SET_SCRIPTS, organization=center),
    }


def _defaults() -> dict[str, Any]:
    return {
        "kind": OrderKind.REPAIR,
        "service_type": ServiceType.FREE,
        "priority": Priority.NORMAL,
        "intake_token": str(uuid.uuid4()),
        "read_back": [],
    }


def _posted(request: HtmxHttpRequest) -> dict[str, Any]:
    data: dict[str, Any] = {name: request.POST.get(name, "") for name in FIELDS}
    data["read_back"] = [f for f, _key in READ_BACK if request.POST.get(f"read_back_{f}")]
    data["is_facility_issue"] = bool(request.POST.get("is_facility_issue"))
    data["is_offsite"] = bool(request.POST.get("is_offsite"))
    data["intake_token"] = request.POST.get("intake_token", "")
    return data


def _errors_of(exc: DomainError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for field, msgs in exc.fields.items():
        errors.setdefault(ERROR_ALIASES.get(field, field), []).extend(msgs)
    return errors


@login_required
@require_http_methods(["GET", "POST"])
def intake_view(request: HtmxHttpRequest) -> HttpResponse:
    """受理来电: GET a fresh form (new one-time token); POST creates the order (or, with action=answer, answers an
    inquiry on the spot and closes it) and redirects to the confirmation; bad input re-renders with messages (400)."""
    centers = _centers_or_403(request)
    if request.method == "GET":
        center = _pick_center(centers, request.GET.get("organization")) or centers[0]
        return render(request, "workorders/intake/intake.html", _page_context(request, centers, center, _defaults()))

    data = _posted(request)
    center = _pick_center(centers, data["organization"])
    errors: dict[str, list[str]] = {}
    message = ""
    if center is None:
        message = _("请选择有效的服务中心")
        errors["organization"] = [_("未知或无权受理的服务中心")]
        center = centers[0]
    else:
        answer = data["answer"] if request.POST.get("action") == "answer" else ""
        if request.POST.get("action") == "answer" and not str(answer).strip():
            message = _("请填写当场答复的内容")
            errors["answer"] = [_("请填写答复内容")]
        else:
            try:
                order = services.order_create(
                    actor=request.user,
                    organization=center,
                    kind=data["kind"],
                    service_type=data["service_type"],
                    priority=data["priority"],
                    customer_name=data["customer_name"],
                    phone=data["phone"],
                    address=data["address"],
                    problem=data["problem"],
                    read_back=data["read_back"],
                    customer_id=data["customer_id"] or None,
                    product_model=data["product_model"],
                    product_spec=data["product_spec"],
                    purchase_date=_date_or_none(data["purchase_date"]),
                    purchase_place=data["purchase_place"],
                    is_facility_issue=data["is_facility_issue"],
                    is_offsite=data["is_offsite"],
                    offsite_destination=data["offsite_destination"],
                    answer=answer,
                    intake_token=data["intake_token"] or None,
                )
            except NotAllowed:
                raise PermissionDenied from None
            except DomainError as exc:
                message = exc.message
                errors = _errors_of(exc)
                if "intake_token" in errors or not data["intake_token"]:
                    data["intake_token"] = str(uuid.uuid4())
            else:
                return redirect("workorders:intake_done", pk=order.pk)
    context = _page_context(request, centers, center, data)
    context.update({"errors": errors, "error_message": message})
    return render(request, "workorders/intake/intake.html", context, status=400)


def _date_or_none(raw: str) -> Any:
    from django.utils.dateparse import parse_date

    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        parsed = parse_date(raw)
    except ValueError:
        parsed = None
    if parsed is None:
        from servicecenter.core.errors import ValidationFailed

        raise ValidationFailed(_("购买日期格式应为 年-月-日"), fields={"purchase_date": [_("日期无效")]})
    return parsed


@login_required
@require_GET
def intake_lookup_view(request: HtmxHttpRequest) -> HttpResponse:
    """htmx, as the phone (or address) is typed: the customer matched by phone with their open orders and history,
    the special-group badge (WO-11), and the likely duplicates (WO-01) with «记为重复来电»."""
    centers = _centers_or_403(request)
    center = _pick_center(centers, request.GET.get("organization"))
    if center is None:
        raise Http404("no such center")
    phone = request.GET.get("phone", "")[:40]
    address = request.GET.get("address", "")[:200]
    customer = customer_selectors.match_by_phone(organization=center, phone=phone)
    open_orders: list[Any] = []
    recent: list[Any] = []
    if customer is not None:
        open_orders, recent = selectors.customer_history(customer=customer)
    duplicates = selectors.likely_duplicates(organization=center, phone=phone, address=address, now=timezone.now())
    context = {
        "customer": customer,
        "open_orders": open_orders,
        "recent": recent,
        "duplicates": duplicates,
        "center": center,
        "searched": bool(phone.strip() or address.strip()),
        "csrf_token": get_token(request),
    }
    # Rendered without the context processors: the fragment needs no menu (it is requested on every keystroke pause).
    return HttpResponse(render_to_string("workorders/intake/_lookup.html", context))


@login_required
@require_POST
def intake_log_call_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """WO-01: a repeat call about an open order is logged on that order (no new order); then the confirmation."""
    order = selectors.access_order(user=request.user, pk=pk)
    if not has_permission_in(user=request.user, permission=selectors.ADD, organization=order.organization):
        raise Http404("no such work order")
    note = (request.POST.get("note") or request.POST.get("problem") or "").strip()
    note = _("重复来电：%(text)s") % {"text": note} if note else _("客户再次来电（重复来电）")
    try:
        services.order_log_call(actor=request.user, order_id=order.pk, note=note[:2000])
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("workorders:intake")
    url = reverse("workorders:intake_done", args=[order.pk]) + "?call=1"
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@login_required
@require_GET
def intake_done_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """After save: the order number, what happens next, and links (open the order, take the next call)."""
    order = selectors.access_order(user=request.user, pk=pk)
    return render(
        request,
        "workorders/intake/done.html",
        {"order": order, "logged_call": request.GET.get("call") == "1", "order_url": f"/workorders/{order.pk}/"},
    )


# --- holiday greeting windows (CON-09) -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def greeting_windows_view(request: HtmxHttpRequest) -> HttpResponse:
    """CON-09: the greeting windows of the centers the user sets scripts for; add one from a holiday notice. The
    statutory holiday periods of the coming year are shown as the default (G-12)."""
    from servicecenter.workcalendar.selectors import holiday_periods_in

    centers = list(customer_selectors.centers_for(user=request.user, permission=SET_SCRIPTS))
    if not centers:
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    message = ""
    data: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        data = {
            k: request.POST.get(k, "") for k in ("organization", "holiday", "starts_on", "ends_on", "greeting", "note")
        }
        center = _pick_center(centers, data["organization"])
        try:
            if center is None:
                from servicecenter.core.errors import ValidationFailed

                raise ValidationFailed(_("请选择有效的服务中心"), fields={"organization": [_("未知的服务中心")]})
            customer_services.greeting_window_create(
                actor=request.user,
                organization=center,
                holiday=data["holiday"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                greeting=data["greeting"],
                note=data["note"],
            )
        except NotAllowed:
            raise PermissionDenied from None
        except DomainError as exc:
            message, errors, status = exc.message, dict(exc.fields), 400
        else:
            messages.success(request, _("已保存节日开头语时段"))
            return redirect("workorders:greeting_windows")
    center = _pick_center(centers, request.GET.get("organization") or data.get("organization")) or centers[0]
    today = local_today(center)
    windows = customer_selectors.greeting_windows_visible_to(user=request.user).order_by("-starts_on", "id")
    page = Paginator(windows, 20).get_page(request.GET.get("page"))
    periods = holiday_periods_in(organization=center, start=today, end=today.replace(year=today.year + 1))
    texts = resolve_many(["scripts.holiday_greetings"], org=center, at=today)["scripts.holiday_greetings"].value or {}
    holidays = [
        (key, label, texts.get(key, "")) for key, label in customer_policies.HOLIDAY_LABELS.items() if key in texts
    ]
    greeting = customer_policies.greeting_on(
        organization=center,
        day=today,
        windows=customer_selectors.greeting_windows_around(organization=center, day=today),
    )
    context = {
        "centers": centers,
        "center": center,
        "page": page,
        "periods": periods,
        "holidays": holidays,
        "labels": customer_policies.HOLIDAY_LABELS,
        "greeting_today": greeting,
        "data": data,
        "errors": errors,
        "error_message": message,
    }
    return render(request, "workorders/intake/greetings.html", context, status=status)


@login_required
@require_POST
def greeting_window_withdraw_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    window = customer_selectors.greeting_windows_visible_to(user=request.user).filter(pk=pk).first()
    if window is None:
        raise Http404("no such greeting window")
    try:
        customer_services.greeting_window_deactivate(actor=request.user, window_id=window.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已撤销该时段"))
    return redirect("workorders:greeting_windows")
