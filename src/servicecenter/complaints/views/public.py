"""Pages for the complainant (no login, on a phone): look up a case and answer its resolution (CMP-11, G-01), and
complain on the web (channel web).

Both are CSRF protected and rate limited per client address (core.ratelimit, as the work-order public pages): a
clear Chinese message and HTTP 429 past the limit. The lookup needs the case number and the last four digits of the
phone, answers one neutral message whether or not the number exists, and shows no staff names, phone numbers or
internal notes — only the events marked public, the state and, once resolved, the response. The web form has a
honeypot field bots fill in and a one-time token (a double submit makes one complaint).
"""

from __future__ import annotations

import uuid
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
from servicecenter.customers.models import phone_digits

from .. import selectors, services
from ..choices import Category, ComplaintChannel, ComplaintStatus, ComplaintVerb, Feedback
from ..forms import PublicComplaintForm, PublicFeedbackForm, PublicStatusForm
from ..models import Complaint

# (requests, seconds) per client address; settings may override them (a kiosk network behind one address).
STATUS_LIMIT: tuple[int, int] = getattr(settings, "COMPLAINTS_PUBLIC_STATUS_LIMIT", (10, 600))
FORM_LIMIT: tuple[int, int] = getattr(settings, "COMPLAINTS_PUBLIC_FORM_LIMIT", (5, 600))
HONEYPOT = "website"
SESSION_KEY = "cmp_public_done"
NEUTRAL = gettext_lazy("未找到匹配的投诉。请核对投诉编号和联系电话的后四位；如仍有疑问，请拨打服务热线。")

# What the complainant reads for each state and each public event: plain words, no staff names (CMP-11).
PUBLIC_STATE = {
    ComplaintStatus.RECEIVED: gettext_lazy("已受理，等待确认"),
    ComplaintStatus.ACKNOWLEDGED: gettext_lazy("已确认，由专人负责处理"),
    ComplaintStatus.INVESTIGATING: gettext_lazy("调查处理中"),
    ComplaintStatus.RESOLVED: gettext_lazy("已答复，请告诉我们您是否满意"),
    ComplaintStatus.CONFIRMED: gettext_lazy("处理结果已确认"),
    ComplaintStatus.CLOSED: gettext_lazy("已结案"),
    ComplaintStatus.REOPENED: gettext_lazy("重新处理中"),
}
PUBLIC_EVENT = {
    ComplaintVerb.RECEIVED: gettext_lazy("投诉已受理"),
    ComplaintVerb.ACKNOWLEDGED: gettext_lazy("已确认，安排专人处理"),
    ComplaintVerb.INVESTIGATING: gettext_lazy("开始调查处理"),
    ComplaintVerb.RESOLVED: gettext_lazy("已答复处理结果"),
    ComplaintVerb.CONFIRMED: gettext_lazy("处理结果已确认"),
    ComplaintVerb.REOPENED: gettext_lazy("重新处理"),
    ComplaintVerb.ESCALATED: gettext_lazy("已升级，由上级负责处理"),
    ComplaintVerb.CLOSED: gettext_lazy("已结案"),
}
STAFF_WORD = gettext_lazy("工作人员")


def _too_many(request: HttpRequest, template: str, context: dict[str, Any], limit: tuple[int, int]) -> HttpResponse:
    context["rate_limited"] = _("操作过于频繁：同一网络 %(m)s 分钟内最多 %(n)s 次，请稍后再试或拨打服务热线。") % {
        "m": limit[1] // 60,
        "n": limit[0],
    }
    return render(request, template, context, status=429)


def _result(complaint: Complaint) -> dict[str, Any]:
    """The case as the complainant sees it. The actor of every event is «工作人员» (or the complainant), never a
    name; notes stay internal."""
    events = [
        {
            "at": e.at,
            "label": PUBLIC_EVENT.get(ComplaintVerb(e.verb), e.get_verb_display()),
            "by": STAFF_WORD if e.verb not in (ComplaintVerb.RECEIVED, ComplaintVerb.CONFIRMED) else "",
        }
        for e in selectors.public_events(complaint=complaint)
    ]
    answered = complaint.resolved_at is not None and complaint.status in (
        ComplaintStatus.RESOLVED,
        ComplaintStatus.CONFIRMED,
        ComplaintStatus.CLOSED,
    )
    return {
        "number": complaint.number,
        "center": complaint.organization.name,
        "category": complaint.get_category_display(),
        "summary": complaint.summary,
        "state": PUBLIC_STATE.get(ComplaintStatus(complaint.status), complaint.get_status_display()),
        "status": complaint.status,
        "received_at": complaint.received_at,
        "resolve_due_at": complaint.resolve_due_at if complaint.is_open else None,
        "events": events,
        "response": complaint.response if answered else "",
        "resolved_at": complaint.resolved_at if answered else None,
        "feedback": complaint.get_feedback_display() if complaint.feedback else "",
        "can_answer": complaint.status == ComplaintStatus.RESOLVED,
        "confirm_due_at": complaint.confirm_due_at if complaint.status == ComplaintStatus.RESOLVED else None,
    }


@require_http_methods(["GET", "POST"])
def public_status_view(request: HttpRequest) -> HttpResponse:
    """投诉查询: case number + last four digits of the phone → state, public timeline, the response once resolved,
    and on a resolved case 满意 / 不满意 (+ a note) → services.complaint_record_feedback(actor=None)."""
    template = "complaints/public/status.html"
    context: dict[str, Any] = {"data": {"number": request.GET.get("number", "")[:24]}}
    if request.method == "GET":
        return render(request, template, context)
    if over_limit(request, "cmp-public:status", STATUS_LIMIT):
        return _too_many(request, template, context, STATUS_LIMIT)
    answering = request.POST.get("action") == "feedback"
    form: PublicStatusForm = (PublicFeedbackForm if answering else PublicStatusForm)(request.POST)
    context["data"] = {
        "number": request.POST.get("number", "")[:24],
        "phone_last4": request.POST.get("phone_last4", "")[:4],
    }
    if not form.is_valid() and not answering:
        context["not_found"] = NEUTRAL
        return render(request, template, context)
    complaint = selectors.public_status(
        number=request.POST.get("number", "")[:24], phone_last4=request.POST.get("phone_last4", "")[:10]
    )
    if complaint is None:
        context["not_found"] = NEUTRAL
        return render(request, template, context)
    status = 200
    if answering:
        if not form.is_valid():
            context["feedback_error"] = _("请选择“满意”或“不满意”；说明不超过 1000 字。")
            status = 400
        else:
            try:
                services.complaint_record_feedback(
                    actor=None,
                    complaint_id=complaint.pk,
                    feedback=form.cleaned_data["feedback"],
                    note=form.cleaned_data["note"],
                    via_public=True,
                )
            except DomainError as exc:
                context["feedback_error"] = exc.message
                status = exc.status_code
            else:
                context["thanks"] = (
                    _("感谢您的确认！")
                    if form.cleaned_data["feedback"] == Feedback.SATISFIED
                    else _("已收到您的意见，我们将继续处理并尽快与您联系。")
                )
            complaint = Complaint.objects.select_related("organization").get(pk=complaint.pk)
    context["result"] = _result(complaint)
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
def public_new_view(request: HttpRequest) -> HttpResponse:
    """网上投诉: the centers that take requests from the public web (workorders.public_intake_enabled); creates a
    complaint of channel web and redirects to the confirmation with its number."""
    from servicecenter.workorders.selectors import public_centers

    template = "complaints/public/new.html"
    now = timezone.now()
    centers = public_centers(at=now)
    context: dict[str, Any] = {"centers": centers, "categories": Category.choices}
    if request.method == "GET":
        context["form"] = PublicComplaintForm(centers=centers, initial={"category": Category.OTHER, "organization": ""})
        context["token"] = str(uuid.uuid4())
        return render(request, template, context)
    form = PublicComplaintForm(request.POST, centers=centers)
    context["form"] = form
    context["token"] = request.POST.get("intake_token", "")[:64] or str(uuid.uuid4())
    if over_limit(request, "cmp-public:form", FORM_LIMIT):
        return _too_many(request, template, context, FORM_LIMIT)
    if request.POST.get(HONEYPOT):
        context["error_message"] = _("提交失败，请稍后重试。")
        return render(request, template, context, status=400)
    if not form.is_valid():
        context["error_message"] = _("请检查标出的内容")
        return render(request, template, context, status=400)
    data = form.cleaned_data
    center = next(c for c in centers if str(c.pk) == data["organization"])
    order_id = _public_order(center=center, number=data["order_number"], phone=data["phone"])
    if data["order_number"] and order_id is None:
        form.add_error("order_number", _("未找到该工单：请核对工单号（须是用同一电话报修的工单），或留空"))
        context["error_message"] = _("请检查标出的内容")
        return render(request, template, context, status=400)
    try:
        complaint = services.complaint_create(
            actor=None,
            organization=center,
            channel=ComplaintChannel.WEB,
            complainant_name=data["complainant_name"],
            phone=data["phone"],
            summary=data["summary"],
            details=data["details"],
            demand=data["demand"],
            category=data["category"],
            merchant_name=data["merchant_name"],
            order_id=order_id,
            intake_token=request.POST.get("intake_token") or None,
            now=now,
        )
    except DomainError as exc:
        for field, msgs in exc.fields.items():
            for message in msgs:
                form.add_error(field if field in form.fields else None, message)
        if "intake_token" in exc.fields:
            context["token"] = str(uuid.uuid4())
        context["error_message"] = exc.message
        return render(request, template, context, status=exc.status_code)
    request.session[SESSION_KEY] = {
        "number": complaint.number,
        "center": center.name,
        "phone": complaint.phone_digits[-4:],
        "resolve_due_at": timezone.localtime(complaint.resolve_due_at).strftime("%Y-%m-%d %H:%M"),
    }
    return redirect("complaints:public_done")


def _public_order(*, center: Any, number: str, phone: str) -> int | None:
    """The complainant's own order: the center's order with this number reported from the same phone."""
    from servicecenter.workorders.selectors import public_status

    if not (number or "").strip():
        return None
    order = public_status(number=number, phone_last4=phone_digits(phone)[-4:])
    if order is None or order.organization_id != center.pk or order.phone_digits != phone_digits(phone):
        return None
    return order.pk


@require_GET
def public_done_view(request: HttpRequest) -> HttpResponse:
    """The confirmation of the last complaint sent from this browser: its number and how to follow it."""
    return render(request, "complaints/public/done.html", {"done": request.session.get(SESSION_KEY)})
