"""Pages for the public (群众/客户), no login: report a problem, look up an order's status.

Both are CSRF protected and rate limited per IP address with the Django cache (Redis in production): a clear
Chinese message and HTTP 429 past the limit. The report form has a honeypot field bots fill in. The status lookup
needs the order number and the last four digits of the phone, shows no staff names, phone numbers or addresses,
and answers one neutral message whether or not the number exists.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from servicecenter.core.errors import DomainError
from servicecenter.core.ratelimit import over_limit

from .. import selectors, services
from ..choices import Channel, OrderKind, OrderStatus, ServiceType

# (requests, seconds) per IP address; settings may override them (e.g. a kiosk network behind one address).
REPORT_LIMIT: tuple[int, int] = getattr(settings, "WORKORDERS_PUBLIC_REPORT_LIMIT", (5, 600))
STATUS_LIMIT: tuple[int, int] = getattr(settings, "WORKORDERS_PUBLIC_STATUS_LIMIT", (10, 600))
PUBLIC_KINDS = (OrderKind.REPAIR, OrderKind.INQUIRY, OrderKind.COMPLAINT, OrderKind.OTHER)
HONEYPOT = "website"
SESSION_KEY = "wo_public_report_done"
NEUTRAL = gettext_lazy("未找到匹配的工单。请核对工单号和报修电话的后四位；如仍有疑问，请拨打服务热线。")

PUBLIC_STATE = {
    OrderStatus.NEW: gettext_lazy("已受理，等待派工"),
    OrderStatus.DISPATCHED: gettext_lazy("已派服务人员"),
    OrderStatus.ACCEPTED: gettext_lazy("已派服务人员，服务人员已接单"),
    OrderStatus.IN_PROGRESS: gettext_lazy("服务人员处理中"),
    OrderStatus.PAUSED: gettext_lazy("暂停处理（等待条件具备后继续）"),
    OrderStatus.RETURNED: gettext_lazy("已完工"),
    OrderStatus.CLOSED: gettext_lazy("已办结"),
    OrderStatus.CANCELLED: gettext_lazy("已取消"),
}


def _over_limit(request: HttpRequest, bucket: str, limit: tuple[int, int]) -> bool:
    """Count one attempt of this IP in `bucket`; True once past the limit (core.ratelimit, shared with the complaint
    pages)."""
    return over_limit(request, f"wo-public:{bucket}", limit)


def _too_many(request: HttpRequest, template: str, context: dict[str, Any], limit: tuple[int, int]) -> HttpResponse:
    context["rate_limited"] = _("提交过于频繁：同一网络 %(m)s 分钟内最多提交 %(n)s 次，请稍后再试或拨打服务热线。") % {
        "m": limit[1] // 60,
        "n": limit[0],
    }
    return render(request, template, context, status=429)


@require_http_methods(["GET", "POST"])
def public_report_view(request: HttpRequest) -> HttpResponse:
    """网上报修: name, phone, address, problem and the center; creates a public-web order (no read-back, WO-08 is for
    the phone intake) and redirects to the confirmation with its number."""
    now = timezone.now()
    centers = selectors.public_centers(at=now)
    kinds = [(k.value, k.label) for k in PUBLIC_KINDS]
    data: dict[str, Any] = {"kind": OrderKind.REPAIR}
    context: dict[str, Any] = {"centers": centers, "kinds": kinds, "data": data, "errors": {}}
    if request.method == "GET":
        return render(request, "workorders/public/report.html", context)
    if _over_limit(request, "report", REPORT_LIMIT):
        return _too_many(request, "workorders/public/report.html", context, REPORT_LIMIT)
    fields = ("organization", "kind", "customer_name", "phone", "address", "problem")
    data.update({k: request.POST.get(k, "") for k in fields})
    if request.POST.get(HONEYPOT):
        context["error_message"] = _("提交失败，请稍后重试。")
        return render(request, "workorders/public/report.html", context, status=400)
    center = next((c for c in centers if str(c.pk) == str(data["organization"])), None)
    if center is None:
        context["error_message"] = _("请选择服务中心")
        context["errors"] = {"organization": [_("请选择有效的服务中心")]}
        return render(request, "workorders/public/report.html", context, status=400)
    kind = data["kind"] if data["kind"] in [k.value for k in PUBLIC_KINDS] else ""
    try:
        order = services.order_create(
            actor=None,
            organization=center,
            kind=kind,
            service_type=ServiceType.FREE,
            customer_name=data["customer_name"],
            phone=data["phone"],
            address=data["address"],
            problem=data["problem"],
            channel=Channel.PUBLIC_WEB,
            now=now,
        )
    except DomainError as exc:
        context["error_message"] = exc.message
        context["errors"] = {("customer_name" if k == "customer" else k): v for k, v in exc.fields.items()}
        return render(request, "workorders/public/report.html", context, status=400)
    request.session[SESSION_KEY] = {"number": order.number, "center": center.name, "phone": order.phone_digits[-4:]}
    return redirect("workorders:public_report_done")


@require_GET
def public_report_done_view(request: HttpRequest) -> HttpResponse:
    """The confirmation of the last report sent from this browser: the order number and how to look it up."""
    done = request.session.get(SESSION_KEY)
    return render(request, "workorders/public/report_done.html", {"done": done})


@require_http_methods(["GET", "POST"])
def public_status_view(request: HttpRequest) -> HttpResponse:
    """进度查询: order number + last four digits of the phone → state, received time, expected response and
    resolution times, «已派服务人员» — never a staff name, phone number or address."""
    context: dict[str, Any] = {"data": {}, "errors": {}}
    if request.method == "GET":
        return render(request, "workorders/public/status.html", context)
    if _over_limit(request, "status", STATUS_LIMIT):
        return _too_many(request, "workorders/public/status.html", context, STATUS_LIMIT)
    number = request.POST.get("number", "")[:40]
    last4 = request.POST.get("phone_last4", "")[:10]
    context["data"] = {"number": number, "phone_last4": last4}
    order = selectors.public_status(number=number, phone_last4=last4)
    if order is None:
        context["not_found"] = NEUTRAL
        return render(request, "workorders/public/status.html", context)
    context["result"] = {
        "number": order.number,
        "center": order.organization.name,
        "kind": order.get_kind_display(),
        "state": PUBLIC_STATE.get(OrderStatus(order.status), order.get_status_display()),
        "received_at": order.created_at,
        "response_due_at": order.response_due_at,
        "resolve_due_at": order.resolve_due_at,
        "responded": order.responded_at is not None,
        "dispatched": order.assignee_id is not None,
        "finished_at": order.returned_at or order.closed_at,
        "is_open": order.is_open,
    }
    return render(request, "workorders/public/status.html", context)
