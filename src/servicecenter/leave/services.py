"""Every write of the leave app (STYLE.md §2.7): one function per transition, keyword-only, `actor` first.

leave_submit → (approvals engine decides; `leave_apply_decision` reacts inside the decision) → leave_cancel before
the start, or leave_close (销假, LEV-12) with the actual return; leave_withdraw while it waits; certificate_attach
(LEV-06); entitlement_set (G-14).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicecenter.approvals import services as approval_services
from servicecenter.approvals.choices import ApprovalRequestStatus
from servicecenter.approvals.models import ApprovalRequest, ApprovalStep
from servicecenter.core import audit
from servicecenter.core.access import has_permission_in
from servicecenter.core.errors import Conflict, NotAllowed, ValidationFailed, full_clean_or_raise
from servicecenter.notifications.services import notify
from servicecenter.org.choices import StaffStatus
from servicecenter.org.models import Organization, Staff
from servicecenter.policy.values import resolve_many, value, zone_of

from . import policies, selectors
from .choices import TIMED_KINDS, Half, LeaveKind, LeaveStatus
from .models import AnnualLeaveEntitlement, LeaveAttachment, LeaveRequest

ADD = "leave.add_leaverequest"
VIEW = "leave.view_leaverequest"
MANAGE = "leave.manage_leave"
APPROVAL_KIND = "leave"
# Certificates: a photo or a scan (LEV-06). A technical limit, not a regulation number.
CERTIFICATE_MAX_BYTES = 5 * 1024 * 1024
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}


def _user(actor: Any) -> Any:
    return getattr(actor, "user", actor)


def _lock(leave_id: int) -> LeaveRequest:
    try:
        return (
            LeaveRequest.objects.select_for_update(of=("self",))
            .select_related("staff", "organization")
            .get(pk=leave_id)
        )
    except (LeaveRequest.DoesNotExist, ValueError, TypeError):
        raise ValidationFailed(_("请假申请不存在")) from None


def _center_of(staff: Staff) -> Organization:
    center = staff.organization.service_center()
    if center is None:
        raise ValidationFailed(_("您所在的组织不属于任何服务中心，不能在系统中请假"))
    return center


def span_label(leave_like: Any) -> str:
    """«2026-12-03 上午 至 2026-12-04 下午» or «2026-12-03 09:00 至 11:00» in the center's time zone."""
    if leave_like.kind in TIMED_KINDS:
        zone = zone_of(leave_like.organization)
        start = leave_like.starts_at.astimezone(zone)
        end = leave_like.ends_at.astimezone(zone)
        end_text = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%Y-%m-%d %H:%M}"
        return f"{start:%Y-%m-%d %H:%M} 至 {end_text}"
    halves = dict(Half.choices)
    return (
        f"{leave_like.start_date:%Y-%m-%d} {halves[leave_like.start_half]} 至 "
        f"{leave_like.end_date:%Y-%m-%d} {halves[leave_like.end_half]}"
    )


def _breakdown_json(breakdown: dict[date, Decimal]) -> dict[str, str]:
    return {day.isoformat(): str(amount) for day, amount in sorted(breakdown.items())}


@dataclass(frozen=True)
class _Draft:
    """A not-yet-saved request, enough for the span label."""

    kind: str
    organization: Organization
    start_date: date
    start_half: str
    end_date: date
    end_half: str
    starts_at: datetime
    ends_at: datetime


# ------------------------------------------------------------------------------------------------ submit


def _check_rules(
    *,
    staff: Staff,
    center: Organization,
    kind: str,
    span: selectors.LeaveSpan,
    special_case: bool,
    special_reason: str,
    destination: str,
    purpose: str,
    expected_return_at: datetime | None,
    reason: str,
    handover_note: str,
    now: datetime,
) -> policies.Route:
    """Every submission rule of the kind; returns the route the request will take (for LEV-11's form)."""
    today = now.astimezone(zone_of(center)).date()
    values = resolve_many(
        [
            "leave.approval_bands",
            "leave.personal_max_days",
            "leave.sick_max_days",
            "leave.annual_min_service_years",
            "leave.annual_notice_days",
        ],
        org=center,
        at=today,
    )
    policies.require_days(span.days)
    if kind == LeaveKind.PERSONAL:
        cap = policies.parse_personal_cap(values["leave.personal_max_days"].value)
        if cap.scope == "year":
            first, last = date(span.start_date.year, 1, 1), date(span.end_date.year, 12, 31)
        elif cap.scope == "month":
            first, last = span.start_date.replace(day=1), span.end_date.replace(day=28) + timedelta(days=4)
        else:
            first, last = span.start_date, span.start_date - timedelta(days=1)  # nothing else counts
        taken = (
            selectors.days_by_date(
                staff_id=staff.pk,
                kinds=[LeaveKind.PERSONAL],
                first=first,
                last=last,
                statuses=(LeaveStatus.SUBMITTED, LeaveStatus.APPROVED, LeaveStatus.CLOSED),
            )
            if first <= last
            else {}
        )
        policies.check_personal_cap(
            cap=cap, requested=span.breakdown, taken=taken, citation=values["leave.personal_max_days"].citation
        )
    elif kind == LeaveKind.SICK:
        policies.check_sick_length(
            days=span.days,
            max_days=int(values["leave.sick_max_days"].value or 0),
            special_case=special_case,
            special_reason=special_reason,
            citation=values["leave.sick_max_days"].citation,
        )
    elif kind == LeaveKind.ANNUAL:
        citation = f"{values['leave.annual_min_service_years'].citation}；{values['leave.annual_notice_days'].citation}"
        policies.check_annual(
            hire_date=staff.hire_date,
            today=today,
            first_day=span.start_date,
            min_years=int(values["leave.annual_min_service_years"].value or 0),
            notice_days=int(values["leave.annual_notice_days"].value or 0),
            citation=citation,
        )
        balance = selectors.annual_balance(staff=staff, year=span.start_date.year, center=center, today=today)
        if span.start_date.year != span.end_date.year:
            message = _("年休假不能跨年申请，请按年度分开提交")
            raise ValidationFailed(message, fields={"end_date": [message]}, clause="G-14")
        policies.check_annual_balance(entitlement=balance.entitlement, taken=balance.taken, requested=span.days)
    elif kind == LeaveKind.LEAVE_POST:
        policies.check_leave_post_in_advance(now=now, starts_at=span.starts_at)
    elif kind == LeaveKind.EVENT:
        policies.check_event_in_advance(now=now, starts_at=span.starts_at)
    elif kind == LeaveKind.OFFICIAL_OUTING:
        policies.check_outing_details(destination=destination, purpose=purpose, expected_return_at=expected_return_at)

    bands = values["leave.approval_bands"]
    route = policies.leave_route(days=span.days, bands=bands.value, citation=bands.citation)
    policies.check_written_form(form=route.form, handover_note=handover_note, reason=reason)
    return route


@transaction.atomic
def leave_submit(
    *,
    actor: Any,
    kind: str,
    start_date: date | None = None,
    start_half: str = Half.AM,
    end_date: date | None = None,
    end_half: str = Half.PM,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    reason: str = "",
    handover_note: str = "",
    event_title: str = "",
    special_case: bool = False,
    special_reason: str = "",
    destination: str = "",
    purpose: str = "",
    expected_return_at: datetime | None = None,
    now: datetime | None = None,
) -> LeaveRequest:
    """The actor asks for leave for themself: validated (LEV-03…07, ATT-06, ATT-14, LEV-11, LEV-14, overlap), then
    submitted to the approvals engine (kind "leave", route from `leave.approval_bands`, C-03).

    Raises:
        NotAllowed: no staff record, disabled or left, or no `leave.add_leaverequest` in their center.
        ValidationFailed: bad input or a rule refused it (message names the rule and its citation).
        Conflict: the time overlaps another submitted or approved leave of the person (dates named).
    """
    now = now or timezone.now()
    user = _user(actor)
    staff = Staff.objects.select_related("organization").filter(user_id=getattr(user, "pk", 0) or 0).first()
    if staff is None:
        raise NotAllowed(_("您没有员工档案，不能请假"))
    if staff.status == StaffStatus.LEFT or not user.is_active:
        raise NotAllowed(_("账号已停用或已离职，不能提交请假"))
    center = _center_of(staff)
    if not has_permission_in(user=user, permission=ADD, organization=staff.organization):
        raise NotAllowed(_("您没有请假的权限"))
    if kind not in LeaveKind.values:
        raise ValidationFailed(_("请选择请假类型"), fields={"kind": [_("请选择请假类型")]})
    # Serialize this person's submissions: the overlap and cap checks below read their other requests.
    Staff.objects.select_for_update().filter(pk=staff.pk).values_list("pk", flat=True).get()

    reason, handover_note, special_reason = reason.strip(), handover_note.strip(), special_reason.strip()
    destination, purpose, event_title = destination.strip(), purpose.strip(), event_title.strip()
    span = selectors.leave_span(
        center=center,
        kind=kind,
        start_date=start_date,
        start_half=start_half,
        end_date=end_date,
        end_half=end_half,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    if kind == LeaveKind.EVENT and not event_title:
        message = _("请填写活动名称")
        raise ValidationFailed(message, fields={"event_title": [message]}, clause="ATT-14")
    if not reason and kind not in (LeaveKind.OFFICIAL_OUTING,):
        message = _("请填写事由")
        raise ValidationFailed(message, fields={"reason": [message]})
    route = _check_rules(
        staff=staff,
        center=center,
        kind=kind,
        span=span,
        special_case=special_case,
        special_reason=special_reason,
        destination=destination,
        purpose=purpose,
        expected_return_at=expected_return_at,
        reason=reason,
        handover_note=handover_note,
        now=now,
    )
    others = [
        policies.Span(o.pk, o.get_kind_display(), o.starts_at, o.effective_ends_at, span_label(o))
        for o in selectors.overlapping_requests(staff_id=staff.pk, starts_at=span.starts_at, ends_at=span.ends_at)
    ]
    policies.check_overlap(starts_at=span.starts_at, ends_at=span.ends_at, others=others)

    leave = LeaveRequest(
        staff=staff,
        organization=center,
        kind=kind,
        start_date=span.start_date,
        start_half=span.start_half,
        end_date=span.end_date,
        end_half=span.end_half,
        starts_at=span.starts_at,
        ends_at=span.ends_at,
        days=span.days,
        days_citation=span.citation,
        day_breakdown=_breakdown_json(span.breakdown),
        reason=reason,
        handover_note=handover_note,
        event_title=event_title,
        special_case=bool(special_case) and kind == LeaveKind.SICK,
        special_reason=special_reason if kind == LeaveKind.SICK else "",
        destination=destination,
        purpose=purpose,
        expected_return_at=expected_return_at,
        status=LeaveStatus.SUBMITTED,
        submitted_at=now,
        created_by=user,
    )
    full_clean_or_raise(leave, exclude=["approval_request"])
    leave.save()
    kind_label = leave.get_kind_display()
    request = approval_services.request_submit(
        actor=user,
        kind=APPROVAL_KIND,
        organization=center,
        title=f"{staff.name} {kind_label} {policies.format_days(span.days)} 天（{span_label(leave)}）"[:200],
        description=reason,
        payload={
            "days": str(span.days),
            "leave_kind": kind,
            "special_case": leave.special_case,
            "span": span_label(leave),
            "leave_id": leave.pk,
        },
        subject=leave,
        now=now,
    )
    leave.approval_request = request
    leave.route_citation = request.route_citation or f"依据 {request.route_clause}"
    leave.save(update_fields=["approval_request", "route_citation", "updated_at"])
    audit.record(
        actor=user,
        verb="leave.submitted",
        target=leave,
        changes={"status": [None, LeaveStatus.SUBMITTED], "days": [None, policies.format_days(span.days)]},
        clause=request.route_clause or route.clause,
        note=span.citation,
    )
    return leave


# ------------------------------------------------------------------------------------------------ decision hook


def _has_certificate(leave: LeaveRequest) -> bool:
    return leave.attachments.filter(is_active=True).exists()


def leave_apply_decision(request: ApprovalRequest) -> None:
    """`on_decided` of the approval kind "leave", inside the deciding transaction: mirror the final status on the
    leave; refuse the approval of a sick leave without a doctor's certificate (LEV-06) — the approver sees why."""
    leave = _lock(int(request.subject_id))
    target = {
        ApprovalRequestStatus.APPROVED: LeaveStatus.APPROVED,
        ApprovalRequestStatus.REJECTED: LeaveStatus.REJECTED,
        ApprovalRequestStatus.WITHDRAWN: LeaveStatus.WITHDRAWN,
    }.get(ApprovalRequestStatus(request.status))
    if target is None or leave.status != LeaveStatus.SUBMITTED:
        return
    clause = ""
    if target == LeaveStatus.APPROVED:
        required = value("leave.sick_requires_certificate", org=leave.organization, at=leave.start_date)
        refusal = policies.certificate_refusal(
            kind=leave.kind,
            has_certificate=_has_certificate(leave),
            required=bool(required.value),
            citation=required.citation,
        )
        if refusal:
            raise ValidationFailed(refusal, clause="LEV-06")
        clause = "LEV-06" if leave.kind == LeaveKind.SICK else ""
    last = request.steps.exclude(decided_by=None).order_by("-order").select_related("decided_by__staff").first()
    who = ""
    if last is not None and last.decided_by is not None:
        who = approval_services.person_name(last.decided_by)
    old = leave.status
    leave.status = target
    leave.decided_at = request.decided_at or timezone.now()
    leave.decision_citation = (
        f"审批单 #{request.pk} {request.get_status_display()}"
        + (f"（{who}）" if who and target != LeaveStatus.WITHDRAWN else "")
        + (f"；{leave.route_citation}" if leave.route_citation else "")
    )
    leave.save(update_fields=["status", "decided_at", "decision_citation", "updated_at"])
    audit.record(
        actor=None if target != LeaveStatus.WITHDRAWN else leave.created_by,
        verb=f"leave.{target}",
        target=leave,
        changes={"status": [old, target]},
        clause=request.route_clause + (f"、{clause}" if clause else ""),
        note=leave.decision_citation,
    )


# ------------------------------------------------------------------------------------------------ requester


def _is_requester(user: Any, leave: LeaveRequest) -> bool:
    return bool(leave.staff.user_id) and leave.staff.user_id == getattr(user, "pk", None)


def _can_manage(user: Any, leave: LeaveRequest) -> bool:
    return has_permission_in(user=user, permission=MANAGE, organization=leave.organization)


def _visible(user: Any, leave: LeaveRequest) -> bool:
    return _is_requester(user, leave) or has_permission_in(user=user, permission=VIEW, organization=leave.organization)


@transaction.atomic
def leave_withdraw(*, actor: Any, leave_id: int, now: datetime | None = None) -> LeaveRequest:
    """The requester withdraws a leave still waiting for approval (the approval request is withdrawn with it)."""
    now = now or timezone.now()
    user = _user(actor)
    # Not locked here: the approvals engine locks the approval request first and then (in `leave_apply_decision`)
    # the leave — the same order as a decision, so a withdrawal racing an approval cannot deadlock.
    leave = LeaveRequest.objects.select_related("staff").filter(pk=leave_id).first()
    if leave is None:
        raise ValidationFailed(_("请假申请不存在"))
    if not _is_requester(user, leave):
        raise NotAllowed(_("只有请假人本人可以撤回"))
    if leave.status != LeaveStatus.SUBMITTED or leave.approval_request_id is None:
        raise Conflict(_("该请假%(status)s，不能撤回") % {"status": leave.get_status_display()})
    approval_services.request_withdraw(actor=user, request_id=leave.approval_request_id, now=now)
    leave.refresh_from_db()
    return leave


@transaction.atomic
def leave_cancel(*, actor: Any, leave_id: int, note: str = "", now: datetime | None = None) -> LeaveRequest:
    """An approved leave that has not started is cancelled by the requester (or a manager with leave.manage_leave);
    once it has started it is closed with 销假 instead."""
    now = now or timezone.now()
    user = _user(actor)
    leave = _lock(leave_id)
    if not (_is_requester(user, leave) or _can_manage(user, leave)):
        raise NotAllowed(_("只有请假人本人或中心经理可以取消"))
    if leave.status != LeaveStatus.APPROVED:
        raise Conflict(_("该请假%(status)s，不能取消") % {"status": leave.get_status_display()})
    if leave.starts_at <= now:
        raise ValidationFailed(_("请假已开始，请办理销假"), clause="LEV-12")
    leave.status = LeaveStatus.CANCELLED
    leave.cancelled_at = now
    leave.close_note = note.strip()[:300]
    leave.save(update_fields=["status", "cancelled_at", "close_note", "updated_at"])
    audit.record(
        actor=user,
        verb="leave.cancelled",
        target=leave,
        changes={"status": [LeaveStatus.APPROVED, LeaveStatus.CANCELLED]},
        clause="LEV-12",
        note=leave.close_note,
    )
    _tell_approvers(leave=leave, actor=user, title=_("请假已取消：%(who)s") % {"who": leave.staff.name})
    return leave


def _tell_approvers(*, leave: LeaveRequest, actor: Any, title: str, body: str = "") -> None:
    if leave.approval_request_id is None:
        return
    from django.contrib.auth import get_user_model

    decider_ids = [
        pk
        for pk in ApprovalStep.objects.filter(request_id=leave.approval_request_id)
        .exclude(decided_by=None)
        .values_list("decided_by_id", flat=True)
        if pk is not None and pk != getattr(actor, "pk", None)
    ]
    deciders = get_user_model().objects.filter(pk__in=decider_ids)
    leave_id = leave.pk
    organization = leave.organization
    link = f"/leave/{leave_id}/"

    def send() -> None:
        notify(
            recipients=list(deciders),
            title=title,
            body=body or span_label(leave),
            verb="leave.changed",
            link=link,
            target=leave,
            organization=organization,
            actor=actor,
        )

    transaction.on_commit(send)


def _actual_end(leave: LeaveRequest, actual_return_at: datetime) -> tuple[date, str]:
    """The last leave date and half of a leave closed early: back before noon → the previous day was the last
    (afternoon); back in the afternoon → that morning was the last."""
    local = actual_return_at.astimezone(zone_of(leave.organization))
    if local.time() < policies.NOON:
        return local.date() - timedelta(days=1), Half.PM
    return local.date(), Half.AM


@transaction.atomic
def leave_close(
    *, actor: Any, leave_id: int, actual_return_at: datetime, note: str = "", now: datetime | None = None
) -> LeaveRequest:
    """销假 (LEV-12): record the actual return of an approved leave that has started. Back early → the days are
    recomputed on the calendar (LEV-04 offsets only the days taken); back late → the days stay, the late time is
    not covered (attendance counts it). Registered in the leave register with who closed it."""
    now = now or timezone.now()
    user = _user(actor)
    leave = _lock(leave_id)
    if not (_is_requester(user, leave) or _can_manage(user, leave)):
        raise NotAllowed(_("只有请假人本人或中心经理可以销假"))
    if leave.status != LeaveStatus.APPROVED:
        raise Conflict(_("该请假%(status)s，不能销假") % {"status": leave.get_status_display()})
    if actual_return_at is None or timezone.is_naive(actual_return_at):
        raise ValidationFailed(_("请填写实际返岗时间"), fields={"actual_return_at": [_("请填写实际返岗时间")]})
    if actual_return_at > now + timedelta(minutes=5):
        message = _("实际返岗时间不能晚于现在")
        raise ValidationFailed(message, fields={"actual_return_at": [message]})
    if leave.starts_at > now:
        raise ValidationFailed(_("请假尚未开始，请直接取消"), clause="LEV-12")
    before = {"days": policies.format_days(leave.days), "day_breakdown": dict(leave.day_breakdown)}
    actual_days = leave.days
    if actual_return_at < leave.ends_at:
        if actual_return_at <= leave.starts_at:
            actual_days, breakdown = Decimal("0"), {}
        elif leave.kind in TIMED_KINDS:
            span = selectors.leave_span(
                center=leave.organization, kind=leave.kind, starts_at=leave.starts_at, ends_at=actual_return_at
            )
            actual_days, breakdown = span.days, span.breakdown
        else:
            end_date, end_half = _actual_end(leave, actual_return_at)
            if (end_date, end_half) < (leave.start_date, leave.start_half) or (
                end_date == leave.start_date and leave.start_half == Half.PM and end_half == Half.AM
            ):
                actual_days, breakdown = Decimal("0"), {}
            else:
                span = selectors.leave_span(
                    center=leave.organization,
                    kind=leave.kind,
                    start_date=leave.start_date,
                    start_half=leave.start_half,
                    end_date=end_date,
                    end_half=end_half,
                )
                actual_days, breakdown = span.days, span.breakdown
        leave.day_breakdown = _breakdown_json(breakdown)
    leave.actual_return_at = actual_return_at
    leave.actual_days = actual_days
    leave.status = LeaveStatus.CLOSED
    leave.closed_at = now
    leave.closed_by = user
    leave.close_note = note.strip()[:300]
    leave.save(
        update_fields=[
            "actual_return_at",
            "actual_days",
            "day_breakdown",
            "status",
            "closed_at",
            "closed_by",
            "close_note",
            "updated_at",
        ]
    )
    audit.record(
        actor=user,
        verb="leave.closed",
        target=leave,
        changes={
            "status": [LeaveStatus.APPROVED, LeaveStatus.CLOSED],
            "actual_days": [before["days"], policies.format_days(actual_days)],
            "day_breakdown": [before["day_breakdown"], leave.day_breakdown],
        },
        clause="LEV-12、LEV-04" if leave.kind == LeaveKind.PERSONAL else "LEV-12",
        note=leave.close_note,
    )
    return leave


# ------------------------------------------------------------------------------------------------ certificate


def _sniff(content: bytes) -> str:
    """The content type decided by the bytes (LEV-06 certificates): a decodable image or a PDF; else ""."""
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    try:
        from PIL import Image, UnidentifiedImageError

        with Image.open(io.BytesIO(content)) as image:
            fmt = image.format or ""
            image.verify()
        return IMAGE_TYPES.get(fmt, "")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return ""


def decode_base64(raw: str) -> bytes:
    """The bytes of a base64 text (a data: URL prefix is accepted) — for the JSON API."""
    text = (raw or "").strip()
    if text.startswith("data:") and "," in text:
        text = text.split(",", 1)[1]
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        message = _("文件内容不是有效的 base64 编码")
        raise ValidationFailed(message, fields={"content_base64": [message]}) from None


@transaction.atomic
def certificate_attach(
    *, actor: Any, leave_id: int, content: bytes, filename: str, now: datetime | None = None
) -> LeaveAttachment:
    """Attach a doctor's certificate (LEV-06) to a leave: an image (decoded to check it) or a PDF (magic bytes),
    at most CERTIFICATE_MAX_BYTES. By the requester or a manager with leave.manage_leave, until the leave ends."""
    user = _user(actor)
    leave = _lock(leave_id)
    if not _visible(user, leave):
        raise ValidationFailed(_("请假申请不存在"))
    if not (_is_requester(user, leave) or _can_manage(user, leave)):
        raise NotAllowed(_("只有请假人本人或中心经理可以上传证明"))
    if leave.status not in (LeaveStatus.SUBMITTED, LeaveStatus.APPROVED, LeaveStatus.CLOSED):
        raise Conflict(_("该请假%(status)s，不能上传证明") % {"status": leave.get_status_display()})
    if not content:
        message = _("请选择要上传的文件")
        raise ValidationFailed(message, fields={"file": [message]})
    if len(content) > CERTIFICATE_MAX_BYTES:
        message = _("文件过大：最大 %(mb)s MB") % {"mb": CERTIFICATE_MAX_BYTES // (1024 * 1024)}
        raise ValidationFailed(message, fields={"file": [message]})
    content_type = _sniff(content)
    if not content_type:
        message = _("证明须为图片（JPG、PNG）或 PDF 文件")
        raise ValidationFailed(message, fields={"file": [message]}, clause="LEV-06")
    attachment = LeaveAttachment(
        request=leave,
        original_name=(filename or "certificate").replace("\\", "/").split("/")[-1][:200] or "certificate",
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=user,
    )
    attachment.file.save("certificate", ContentFile(content), save=False)
    attachment.save()
    audit.record(
        actor=user,
        verb="leave.certificate_attached",
        target=leave,
        changes={"attachment": [None, attachment.pk]},
        clause="LEV-06",
        note=attachment.original_name,
    )
    return attachment


# ------------------------------------------------------------------------------------------------ entitlement


def parse_rows(rows: Iterable[tuple[Any, Any]]) -> list[tuple[int, Decimal]]:
    """(service years, days) pairs from input: whole years ≥ 0, days ≥ 0 in half-day steps, years unique."""
    result: dict[int, Decimal] = {}
    for index, (raw_years, raw_days) in enumerate(rows, start=1):
        if raw_years in (None, "") and raw_days in (None, ""):
            continue
        try:
            years = int(str(raw_years))
            days = Decimal(str(raw_days))
        except (ValueError, InvalidOperation):
            raise ValidationFailed(
                _("第 %(n)s 行：工龄和天数须为数字") % {"n": index}, fields={"rows": [_("工龄和天数须为数字")]}
            ) from None
        if years < 0 or years > 60 or not days.is_finite() or days < 0 or days > 365 or (days * 2) % 1:
            raise ValidationFailed(
                _("第 %(n)s 行：工龄 0–60 年，天数 0–365 天（半天为单位）") % {"n": index},
                fields={"rows": [_("数值超出范围")]},
            )
        if years in result:
            raise ValidationFailed(_("工龄 %(y)s 年重复录入") % {"y": years}, fields={"rows": [_("工龄重复")]})
        result[years] = days
    return sorted(result.items())


@transaction.atomic
def entitlement_set(
    *, actor: Any, organization: Organization, rows: Iterable[tuple[Any, Any]]
) -> list[AnnualLeaveEntitlement]:
    """G-14: replace a center's annual-leave table (service years → days a year). Old rows are deactivated, not
    deleted (history); the audit event holds the before/after table."""
    user = _user(actor)
    if not has_permission_in(user=user, permission=MANAGE, organization=organization):
        raise NotAllowed(_("您没有维护年休假标准的权限"))
    center = organization.service_center()
    if center is None or center.pk != organization.pk:
        raise ValidationFailed(_("年休假标准按服务中心录入"))
    parsed = parse_rows(rows)
    current = list(AnnualLeaveEntitlement.objects.select_for_update().filter(organization=center, is_active=True))
    before = [[row.min_service_years, str(row.days)] for row in current]
    after = [[years, str(days)] for years, days in parsed]
    if before == after:
        return current
    for row in current:
        row.is_active = False
        row.save(update_fields=["is_active", "updated_at"])
    created = [
        AnnualLeaveEntitlement.objects.create(organization=center, min_service_years=years, days=days)
        for years, days in parsed
    ]
    audit.record(
        actor=user,
        verb="leave.entitlement_set",
        target=center,
        changes={"annual_leave_table": [before, after]},
        clause="G-14",
        organization=center,
    )
    return created
