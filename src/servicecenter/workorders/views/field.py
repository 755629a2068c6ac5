"""Field staff on a phone (issue 3 item 4): my orders, one order with its next action, the completion form.

Each action is a plain POST followed by a redirect back to the order screen (works without JavaScript); only the
signature canvas needs it. A double tap reaches the service twice: the second call raises `Conflict`, shown as a
gentle note («已接单»), never an error page.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicecenter.core.errors import Conflict, DomainError, ValidationFailed
from servicecenter.policy.values import value

from .. import policies, selectors, services
from ..choices import OrderStatus, PauseReason, PaymentPath, ServiceType
from ..models import WorkOrder

SIGNATURE_PREFIX = "data:image/png;base64,"
MATERIAL_ROWS = 3


@dataclass(frozen=True)
class NextAction:
    code: str  # accept / contact / arrive / complete / resume / done
    label: str


def next_action(order: WorkOrder) -> NextAction:
    """The one big button of the order screen: the next step of the serviceman's path (WO-02, WO-03, WO-09)."""
    status = order.status
    if status == OrderStatus.DISPATCHED:
        return NextAction("accept", _("接单"))
    if status == OrderStatus.ACCEPTED:
        if order.first_contact_at is None:
            return NextAction("contact", _("已联系客户"))
        return NextAction("arrive", _("到达现场"))
    if status == OrderStatus.IN_PROGRESS:
        return NextAction("complete", _("完工回单"))
    if status == OrderStatus.PAUSED:
        return NextAction("resume", _("恢复处理"))
    return NextAction("done", "")


def _local_input(at: datetime | None) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%dT%H:%M") if at else ""


def _parse_local(raw: Any, field: str, label: str) -> datetime | None:
    text = str(raw or "").strip()
    if not text:
        return None
    try:
        parsed = parse_datetime(text)
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValidationFailed(_("%(label)s格式不正确") % {"label": label}, fields={field: [_("时间格式不正确")]})
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _deadline(order: WorkOrder, now: datetime) -> dict[str, Any]:
    """The countdown of the card: the deadline that matters now (response until answered, then resolution), with
    the templates field.js uses to keep it ticking."""
    if order.responded_at is None and order.status in (OrderStatus.NEW, OrderStatus.DISPATCHED):
        due, warn, what = order.response_due_at, order.response_warn_at, _("响应")
    else:
        due, warn, what = order.resolve_due_at, order.resolve_warn_at, _("处理")
    minutes = int((due - now).total_seconds() // 60)
    colour = "danger" if minutes < 0 else ("warning" if now >= warn else "success")
    hours, rest = divmod(abs(minutes), 60)
    span = _("%(h)s 小时 %(m)s 分") % {"h": hours, "m": rest} if hours else _("%(m)s 分钟") % {"m": rest}
    left = _("%(what)s剩余 %(span)s") % {"what": what, "span": "{span}"}
    over = _("%(what)s已超时 %(span)s") % {"what": what, "span": "{span}"}
    return {
        "now_iso": now.isoformat(timespec="seconds"),
        "due_iso": due.isoformat(timespec="seconds"),
        "warn_iso": warn.isoformat(timespec="seconds"),
        "due": due,
        "what": what,
        "minutes": minutes,
        "label": (over if minutes < 0 else left).replace("{span}", span),
        "colour": colour,
        "left": left,
        "over": over,
        "hm": _("%(h)s 小时 %(m)s 分") % {"h": "{h}", "m": "{m}"},
        "m": _("%(m)s 分钟") % {"m": "{m}"},
    }


@login_required
def my_orders_view(request: HttpRequest) -> HttpResponse:
    """我的工单 on a phone: open orders first by deadline, then today's returned ones."""
    now = timezone.now()
    open_orders, done = selectors.my_orders(user=request.user, now=now)
    cards = [{"order": o, "deadline": _deadline(o, now), "next": next_action(o)} for o in open_orders]
    return render(request, "workorders/field/my_orders.html", {"cards": cards, "done": done, "now": now})


def _order_context(request: HttpRequest, order: WorkOrder, **extra: Any) -> dict[str, Any]:
    now = timezone.now()
    return {
        "order": order,
        "deadline": _deadline(order, now) if order.is_open else None,
        "next": next_action(order),
        "now_local": _local_input(now),
        "created_local": _local_input(order.created_at),
        "pause_reasons": PauseReason.choices,
        "attachments": selectors.order_attachments(order=order),
        **extra,
    }


@login_required
def field_order_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One order on the phone: address, phone (tel: link), problem, countdown and the next action as one button."""
    order = selectors.access_my_order(user=request.user, pk=pk)
    return render(request, "workorders/field/order.html", _order_context(request, order))


ACTIONS = ("accept", "contact", "arrive", "pause", "resume")


@login_required
@require_POST
def field_action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """POST one step of the serviceman (accept = response WO-03, contact WO-09, arrive, pause C-19, resume) and go
    back to the order screen. A repeated tap finds the step done: the Conflict becomes an info note."""
    if action not in ACTIONS:
        raise Http404("unknown action")
    order = selectors.access_my_order(user=request.user, pk=pk)
    user = request.user
    done = {
        "accept": _("已接单"),
        "contact": _("已记录联系客户"),
        "arrive": _("已到达现场，开始服务"),
        "pause": _("已暂停"),
        "resume": _("已恢复处理"),
    }[action]
    try:
        if action == "accept":
            services.order_accept(actor=user, order_id=order.pk)
        elif action == "contact":
            at = _parse_local(request.POST.get("at"), "at", _("联系时间"))
            if at is not None and at < order.created_at <= at + timedelta(minutes=1):
                at = order.created_at  # the form has minute precision: the creation minute means «at creation»
            services.order_contact(actor=user, order_id=order.pk, at=at, note=request.POST.get("note", ""))
        elif action == "arrive":
            services.order_arrive(actor=user, order_id=order.pk)
        elif action == "pause":
            services.order_pause(
                actor=user, order_id=order.pk, reason=request.POST.get("reason"), note=request.POST.get("note", "")
            )
        else:
            services.order_resume(actor=user, order_id=order.pk)
        messages.success(request, done)
    except Conflict as exc:
        # Double tap, or another device did it first: say what the order is now, gently.
        messages.info(request, _("%(msg)s（已是最新状态）") % {"msg": exc.message})
    except DomainError as exc:
        messages.error(request, exc.message)
        order.refresh_from_db()
        context = _order_context(request, order, errors=exc.fields, action=action)
        return render(request, "workorders/field/order.html", context, status=exc.status_code)
    return redirect("workorders:field_order", pk=order.pk)


@login_required
@require_POST
def field_photo_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload site photos (each decoded to check it is really an image; a bad file saves nothing)."""
    order = selectors.access_my_order(user=request.user, pk=pk)
    files = request.FILES.getlist("photo")
    if not files:
        messages.error(request, _("请选择要上传的照片"))
        return redirect("workorders:field_order", pk=order.pk)
    saved = 0
    for upload in files[:10]:
        try:
            services.order_add_photo(actor=request.user, order_id=order.pk, data=_read(upload))
            saved += 1
        except DomainError as exc:
            messages.error(request, _("%(name)s：%(msg)s") % {"name": upload.name, "msg": exc.message})
            response = _order_page(request, order, status=exc.status_code)
            return response
    messages.success(request, _("已上传 %(n)s 张照片") % {"n": saved})
    return redirect("workorders:field_order", pk=order.pk)


def _order_page(request: HttpRequest, order: WorkOrder, *, status: int) -> HttpResponse:
    order.refresh_from_db()
    return render(request, "workorders/field/order.html", _order_context(request, order), status=status)


def _read(upload: UploadedFile) -> bytes:
    """The upload's bytes, at most one byte over the service's limit (so it can say «too large»)."""
    return upload.read(services.MAX_UPLOAD_BYTES + 1)


def _signature(raw: Any) -> bytes | None:
    text = str(raw or "").strip()
    if not text:
        return None
    if not text.startswith(SIGNATURE_PREFIX):
        raise ValidationFailed(_("签名数据无效，请重新签字"), fields={"signature": [_("签名数据无效")]})
    try:
        return base64.b64decode(text[len(SIGNATURE_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed(_("签名数据无效，请重新签字"), fields={"signature": [_("签名数据无效")]}) from None


def _material_rows(post: Any) -> list[dict[str, str]]:
    names, qtys = post.getlist("mat_name"), post.getlist("mat_qty")
    units, prices = post.getlist("mat_unit"), post.getlist("mat_price")
    rows = []
    for i, name in enumerate(names[:50]):
        rows.append(
            {
                "name": name,
                "quantity": qtys[i] if i < len(qtys) else "",
                "unit": units[i] if i < len(units) else "",
                "unit_price": prices[i] if i < len(prices) else "",
            }
        )
    return rows


def _fee_preview(order: WorkOrder, rows: list[dict[str, str]], labour: Any) -> Decimal:
    total = Decimal("0")
    try:
        total += Decimal(str(labour or "0"))
        for row in rows:
            if row["name"].strip():
                total += Decimal(row["quantity"] or "1") * Decimal(row["unit_price"] or "0")
    except (InvalidOperation, ValueError):
        return Decimal("0")
    return total.quantize(Decimal("0.01")) if total.is_finite() and total >= 0 else Decimal("0")


def _complete_context(order: WorkOrder, *, post: Any = None, errors: Any = None) -> dict[str, Any]:
    """The completion form (SVC-09, SVC-05, SVC-07/08, G-13): prefilled start (arrival) and end (now), material rows,
    the fee, and the payment path the policy will choose for the fee shown."""
    now = timezone.now()
    threshold = value("service.low_fee_threshold", org=order.organization, at=now)
    if post is not None:
        rows = _material_rows(post)
        labour = post.get("labour_fee", "0")
        values = {
            "work_content": post.get("work_content", ""),
            "started": post.get("service_started_at", ""),
            "ended": post.get("service_ended_at", ""),
            "labour_fee": labour,
            "signer_name": post.get("signer_name", ""),
            "collected": bool(post.get("collected")),
        }
    else:
        rows, labour = [], "0"
        values = {
            "work_content": order.work_content,
            "started": _local_input(order.service_started_at or order.arrived_at),
            "ended": _local_input(now),
            "labour_fee": "0",
            "signer_name": order.customer_name,
            "collected": False,
        }
    rows = rows + [{"name": "", "quantity": "", "unit": "", "unit_price": ""}] * max(0, MATERIAL_ROWS - len(rows))
    fee = _fee_preview(order, rows, labour)
    decision = policies.payment_path(
        organization=order.organization, service_type=order.service_type, fee_total=fee, at=now
    )
    return {
        "order": order,
        "values": values,
        "rows": rows,
        "errors": errors or {},
        "paid": order.service_type == ServiceType.PAID,
        "threshold": threshold.value,
        "threshold_citation": threshold.citation,
        "fee": fee,
        "decision": decision,
        "on_site": decision.path == PaymentPath.ON_SITE,
    }


@login_required
def field_complete_view(request: HttpRequest, pk: int) -> HttpResponse:
    """完工回单 on the phone. GET: the form; POST: `order_complete` with the canvas signature (PNG data URL → bytes)
    or the photographed paper voucher. A second POST of the same form finds the order returned: a note, no error."""
    order = selectors.access_my_order(user=request.user, pk=pk)
    if request.method != "POST":
        if order.status not in (OrderStatus.ACCEPTED, OrderStatus.IN_PROGRESS):
            messages.info(request, _("工单当前为「%(s)s」，不能完工回单") % {"s": order.get_status_display()})
            return redirect("workorders:field_order", pk=order.pk)
        return render(request, "workorders/field/complete.html", _complete_context(order))
    post = request.POST
    try:
        voucher = request.FILES.get("voucher_photo")
        services.order_complete(
            actor=request.user,
            order_id=order.pk,
            work_content=post.get("work_content", ""),
            service_started_at=_parse_local(post.get("service_started_at"), "service_started_at", _("实际开始")),
            service_ended_at=_parse_local(post.get("service_ended_at"), "service_ended_at", _("实际结束")),
            materials=_material_rows(post),
            labour_fee=post.get("labour_fee") or "0",
            signature_png=_signature(post.get("signature")),
            signer_name=post.get("signer_name", ""),
            voucher_photo=_read(voucher) if voucher else None,
            collected=bool(post.get("collected")),
        )
    except Conflict as exc:
        messages.info(request, _("%(msg)s（已是最新状态）") % {"msg": exc.message})
        return redirect("workorders:field_order", pk=order.pk)
    except DomainError as exc:
        context = _complete_context(order, post=post, errors=exc.fields)
        context["error"] = exc.message
        return render(request, "workorders/field/complete.html", context, status=exc.status_code)
    messages.success(request, _("已完工回单，感谢！"))
    return redirect("workorders:field_order", pk=order.pk)
