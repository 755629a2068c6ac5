"""Every write to a complaint: one function per transition (G-01 states, CMP-01, CMP-06, CMP-11).

Each function locks the case, checks who may act, validates, writes, appends the timeline event and the audit
event, and tells the complainant of a status change by text message after commit (CMP-11). The manager is told of
a breach or an escalation. Nothing else sets `Complaint.status`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicecenter.approvals.selectors import role_holders_up_tree
from servicecenter.core import audit
from servicecenter.core.access import has_permission_in
from servicecenter.core.actors import bump_version as _bump
from servicecenter.core.actors import display_name as _name
from servicecenter.core.actors import require as _require
from servicecenter.core.actors import user_of as _user
from servicecenter.core.errors import Conflict, NotAllowed, ValidationFailed
from servicecenter.core.policy import implements
from servicecenter.customers.models import Customer, customer_phone_validator, phone_digits
from servicecenter.org.models import Organization, Staff
from servicecenter.workorders.models import WorkOrder

from . import policies
from .choices import ActionStatus, Category, ComplaintChannel, ComplaintStatus, ComplaintVerb, Feedback, Severity
from .models import Complaint, ComplaintEvent, ComplaintSequence, GuidanceArticle, ImprovementAction

ADD = "complaints.add_complaint"
HANDLE = "complaints.handle_complaint"
REGISTER = "complaints.view_complaint_register"
MANAGE_GUIDANCE = "complaints.manage_guidance"
MAX_TEXT = {
    "complainant_name": 100,
    "summary": 200,
    "details": 4000,
    "demand": 1000,
    "response": 4000,
    "note": 2000,
    "merchant_name": 100,
    "compensation_payer": 100,
    "title": 200,
    "description": 2000,
    "result": 2000,
    "body": 20000,
}

# Status changes the complainant is told of (CMP-11), with the text of the message.
PUBLIC_STATUS_TEXT: dict[str, str] = {
    ComplaintStatus.RECEIVED: "您的投诉（编号 {number}）已受理，我们将在 {due} 前答复。",
    ComplaintStatus.ACKNOWLEDGED: "您的投诉（编号 {number}）已确认，由专人负责处理。",
    ComplaintStatus.INVESTIGATING: "您的投诉（编号 {number}）正在调查处理中。",
    ComplaintStatus.RESOLVED: "您的投诉（编号 {number}）已有处理结果，请查看并告诉我们您是否满意。",
    ComplaintStatus.REOPENED: "您的投诉（编号 {number}）已重新打开，我们将继续处理。",
    ComplaintStatus.CLOSED: "您的投诉（编号 {number}）已结案，感谢您的监督。",
}


def _text(raw: Any, key: str, *, required: bool, label: str) -> str:
    text = str(raw or "").strip()
    if required and not text:
        raise ValidationFailed(_("请填写%(label)s") % {"label": label}, fields={key: [_("此项必填")]})
    limit = MAX_TEXT.get(key, 2000)
    if len(text) > limit:
        raise ValidationFailed(
            _("%(label)s不能超过 %(n)s 个字") % {"label": label, "n": limit},
            fields={key: [_("不能超过 %(n)s 个字") % {"n": limit}]},
        )
    return text


def _choice(raw: Any, choices: Any, key: str, label: str) -> str:
    if raw not in choices.values:
        raise ValidationFailed(_("请选择有效的%(label)s") % {"label": label}, fields={key: [_("请选择有效的选项")]})
    return str(raw)


def _locked(complaint_id: Any) -> Complaint:
    try:
        return Complaint.objects.select_for_update(of=("self",)).select_related("organization").get(pk=complaint_id)
    except (Complaint.DoesNotExist, ValueError, TypeError):
        raise ValidationFailed(_("投诉不存在")) from None


def _expect(complaint: Complaint, allowed: Sequence[str], action: str) -> None:
    if complaint.status not in allowed:
        raise Conflict(
            _("投诉 %(no)s 当前为「%(status)s」，不能%(action)s")
            % {"no": complaint.number, "status": complaint.get_status_display(), "action": action}
        )


def _event(
    complaint: Complaint,
    *,
    actor: Any,
    verb: str,
    at: datetime,
    from_status: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
    clause: str = "",
    public: bool = False,
    actor_name: str = "",
) -> ComplaintEvent:
    user = _user(actor)
    event = ComplaintEvent.objects.create(
        complaint=complaint,
        at=at,
        actor=user if user is not None and getattr(user, "is_authenticated", False) else None,
        actor_name=actor_name or _name(user),
        verb=verb,
        from_status=from_status,
        to_status=complaint.status,
        note=note,
        data=audit._jsonable(dict(data or {})),
        clause=clause,
        public=public,
    )
    audit.record(actor=user, verb=f"complaint.{verb}", target=complaint, clause=clause, note=note)
    return event


def managers_of(organization: Organization) -> list[int]:
    """The center's manager(s), nearest level up the tree (who is told of breaches and escalations)."""
    holders = role_holders_up_tree(organization=organization, role_codes=["center_manager"])
    levels = holders.get("center_manager") or []
    return list(levels[0]) if levels else []


def escalation_targets(organization: Organization) -> list[int]:
    """G-01 escalation after the reopen limit: the ops-center GM above (else the manager)."""
    holders = role_holders_up_tree(organization=organization, role_codes=["ops_center_gm"])
    levels = holders.get("ops_center_gm") or []
    return list(levels[0]) if levels else managers_of(organization)


def _notify_staff(
    complaint: Complaint, *, user_ids: list[int], verb: str, title: str, body: str, key: str, link: str = ""
) -> None:
    from servicecenter.notifications.services import notify

    if not user_ids:
        return

    def send() -> None:
        notify(
            recipients=user_ids,
            title=title,
            verb=verb,
            body=body,
            link=link or f"/complaints/{complaint.pk}/",
            target=complaint,
            organization=complaint.organization,
            dedupe_key=key,
        )

    transaction.on_commit(send)


@implements("CMP-11")
def _tell_complainant(complaint: Complaint, *, at: datetime) -> None:
    """CMP-11: each status change is texted to the complainant (unless they declined), with the lookup link."""
    from servicecenter.notifications.services import message_customer

    template = PUBLIC_STATUS_TEXT.get(complaint.status)
    if not complaint.notify_complainant or template is None:
        return
    local_due = timezone.localtime(complaint.resolve_due_at).strftime("%Y-%m-%d %H:%M")
    text = f"【{complaint.organization.name}】" + template.format(number=complaint.number, due=local_due)
    message_customer(
        organization=complaint.organization,
        phone=complaint.phone,
        text=text,
        purpose="complaint_status",
        link=f"/complaints/status/?number={complaint.number}",
        target=complaint,
        dedupe_key=f"cmp-{complaint.pk}-{complaint.status}-{complaint.reopen_count}",
    )
    _event(
        complaint,
        actor=None,
        verb=ComplaintVerb.NOTIFIED,
        at=at,
        from_status=complaint.status,
        note=_("已短信通知投诉人：%(status)s") % {"status": complaint.get_status_display()},
        clause="CMP-11",
    )


def _intake_token(raw: Any) -> uuid.UUID | None:
    if raw in (None, ""):
        return None
    try:
        return raw if isinstance(raw, uuid.UUID) else uuid.UUID(str(raw))
    except (ValueError, TypeError, AttributeError):
        raise ValidationFailed(
            _("受理表单已失效，请刷新页面后重新填写"), fields={"intake_token": [_("表单令牌无效")]}
        ) from None


def _next_number(organization: Organization, at: datetime) -> str:
    year = timezone.localtime(at).year
    updated = ComplaintSequence.objects.filter(organization=organization, year=year).select_for_update().first()
    if updated is None:
        ComplaintSequence.objects.get_or_create(organization=organization, year=year)
        updated = ComplaintSequence.objects.select_for_update().get(organization=organization, year=year)
    updated.last_no += 1
    updated.save(update_fields=["last_no"])
    return f"TS{organization.pk:03d}-{year}-{updated.last_no:05d}"


# --- intake (CMP-01) ---------------------------------------------------------------------------------------------


@transaction.atomic
@implements("CMP-01")
def complaint_create(
    *,
    actor: Any,
    organization: Any,
    channel: Any,
    complainant_name: Any,
    phone: Any,
    summary: Any,
    details: Any,
    category: Any = Category.OTHER,
    severity: Any = Severity.NORMAL,
    demand: Any = "",
    order_id: Any = None,
    against_staff_id: Any = None,
    customer_id: Any = None,
    merchant_name: Any = "",
    regulation_clause: Any = "",
    notify_complainant: bool = True,
    intake_token: Any = None,
    now: datetime | None = None,
) -> Complaint:
    """CMP-01: a complaint becomes a case with its deadlines (G-01) and the handler-to-be told; the complainant gets
    the case number by text (CMP-11). `actor` None = the public web form (channel "web").

    `intake_token` (the one-time UUID of the intake form) makes a repeated submit harmless: the complaint already
    created with it is returned unchanged (nothing new is written, no second text is sent). A complaint against a
    merchant names the merchant (CMP-09)."""
    now = now or timezone.now()
    user = _user(actor)
    token = _intake_token(intake_token)
    if token is not None:
        already = Complaint.objects.filter(intake_token=token).first()
        if already is not None:
            return already
    if not isinstance(organization, Organization):
        organization = Organization.objects.filter(pk=organization, is_active=True).first()
        if organization is None:
            raise ValidationFailed(_("请选择有效的服务中心"), fields={"organization": [_("未知或已停用的服务中心")]})
    if user is not None:
        _require(user, ADD, organization, _("您没有受理投诉的权限"))
    channel = _choice(channel, ComplaintChannel, "channel", _("投诉来源"))
    category = _choice(category, Category, "category", _("投诉类别"))
    severity = _choice(severity, Severity, "severity", _("严重程度"))
    name = _text(complainant_name, "complainant_name", required=True, label=_("投诉人"))
    phone_text = _text(phone, "phone", required=True, label=_("联系电话"))[:20]
    try:
        customer_phone_validator(phone_text)
    except Exception:  # noqa: BLE001 - Django's ValidationError: shown as a field error
        raise ValidationFailed(_("电话号码格式不正确"), fields={"phone": [_("电话号码格式不正确")]}) from None
    if len(phone_digits(phone_text)) < 5:
        raise ValidationFailed(_("电话号码至少 5 位数字"), fields={"phone": [_("电话号码至少 5 位数字")]})
    summary_text = _text(summary, "summary", required=True, label=_("投诉摘要"))
    details_text = _text(details, "details", required=True, label=_("投诉内容"))
    demand_text = _text(demand, "demand", required=False, label=_("诉求"))
    merchant = _text(merchant_name, "merchant_name", required=category == Category.MERCHANT, label=_("被投诉商户"))
    order = None
    if order_id not in (None, ""):
        order = WorkOrder.objects.filter(pk=order_id, organization=organization).first()
        if order is None:
            raise ValidationFailed(_("相关工单不存在或不属于本中心"), fields={"order": [_("工单不存在")]})
    staff = None
    if against_staff_id not in (None, ""):
        staff = Staff.objects.filter(pk=against_staff_id, organization__path__startswith=organization.path).first()
        if staff is None:
            raise ValidationFailed(_("被投诉人员不属于本中心"), fields={"against_staff": [_("人员不存在")]})
    customer = None
    if customer_id not in (None, ""):
        customer = Customer.objects.filter(pk=customer_id, organization=organization).first()
    elif order is not None:
        customer = order.customer
    else:
        customer = (
            Customer.objects.filter(organization=organization, phone_digits=phone_digits(phone_text), is_active=True)
            .order_by("id")
            .first()
        )
    due = policies.deadlines(organization=organization, severity=severity, received_at=now)
    savepoint = transaction.savepoint() if token is not None else None
    number = _next_number(organization, now)
    if savepoint is not None:
        # The numbering lock serializes the intakes of the center: a concurrent submit of the same form has
        # committed by now; this one gives its number back and answers with that complaint.
        already = Complaint.objects.filter(intake_token=token).first()
        if already is not None:
            transaction.savepoint_rollback(savepoint)
            return already
        transaction.savepoint_commit(savepoint)
    complaint = Complaint.objects.create(
        organization=organization,
        number=number,
        intake_token=token,
        channel=channel,
        category=category,
        severity=severity,
        complainant_name=name,
        phone=phone_text,
        phone_digits=phone_digits(phone_text),
        customer=customer,
        notify_complainant=bool(notify_complainant),
        summary=summary_text,
        details=details_text,
        demand=demand_text,
        order=order,
        against_staff=staff,
        merchant_name=merchant[:100],
        regulation_clause=str(regulation_clause or "")[:100],
        received_by=user if user is not None and getattr(user, "is_authenticated", False) else None,
        received_at=now,
        acknowledge_due_at=due.acknowledge_due_at,
        resolve_due_at=due.resolve_due_at,
        deadline_citation=due.citation,
    )
    _event(
        complaint,
        actor=user,
        verb=ComplaintVerb.RECEIVED,
        at=now,
        note=summary_text,
        data={"channel": channel, "severity": severity},
        clause="CMP-01、G-01",
        public=True,
    )
    _notify_staff(
        complaint,
        user_ids=managers_of(organization),
        verb="complaints.received",
        title=_("新投诉 %(no)s：%(summary)s") % {"no": complaint.number, "summary": summary_text},
        body=due.citation,
        key=f"cmp-received-{complaint.pk}",
    )
    _tell_complainant(complaint, at=now)
    return complaint


# --- handling (G-01) ---------------------------------------------------------------------------------------------


@transaction.atomic
def complaint_acknowledge(
    *, actor: Any, complaint_id: Any, owner_id: Any = None, now: datetime | None = None
) -> Complaint:
    """Acknowledge the case and name its handler (default: the acting handler)."""
    now = now or timezone.now()
    user = _user(actor)
    complaint = _locked(complaint_id)
    _require(user, HANDLE, complaint.organization, _("您没有处理投诉的权限"))
    _expect(complaint, [ComplaintStatus.RECEIVED], _("确认受理"))
    owner = user
    if owner_id not in (None, ""):
        from django.contrib.auth import get_user_model

        owner = get_user_model().objects.filter(pk=owner_id, is_active=True).first()
        if owner is None or not has_permission_in(user=owner, permission=HANDLE, organization=complaint.organization):
            raise ValidationFailed(_("处理人须有本中心的投诉处理权限"), fields={"owner": [_("请选择有效的处理人")]})
    before = complaint.status
    complaint.status = ComplaintStatus.ACKNOWLEDGED
    complaint.acknowledged_at = now
    complaint.owner = owner
    _bump(complaint, ["status", "acknowledged_at", "owner"])
    _event(
        complaint,
        actor=user,
        verb=ComplaintVerb.ACKNOWLEDGED,
        at=now,
        from_status=before,
        note=_("处理人：%(name)s") % {"name": _name(owner)},
        clause="G-01",
        public=True,
    )
    if owner is not None and owner.pk != getattr(user, "pk", None):
        _notify_staff(
            complaint,
            user_ids=[owner.pk],
            verb="complaints.assigned",
            title=_("投诉 %(no)s 指定由您处理") % {"no": complaint.number},
            body=complaint.summary,
            key=f"cmp-owner-{complaint.pk}-{owner.pk}-{complaint.version}",
        )
    _tell_complainant(complaint, at=now)
    return complaint


@transaction.atomic
def complaint_start_investigation(
    *, actor: Any, complaint_id: Any, note: Any = "", now: datetime | None = None
) -> Complaint:
    now = now or timezone.now()
    user = _user(actor)
    complaint = _locked(complaint_id)
    _require(user, HANDLE, complaint.organization, _("您没有处理投诉的权限"))
    _expect(complaint, [ComplaintStatus.ACKNOWLEDGED, ComplaintStatus.REOPENED], _("开始调查"))
    text = _text(note, "note", required=False, label=_("说明"))
    before = complaint.status
    complaint.status = ComplaintStatus.INVESTIGATING
    complaint.investigation_started_at = complaint.investigation_started_at or now
    _bump(complaint, ["status", "investigation_started_at"])
    _event(complaint, actor=user, verb=ComplaintVerb.INVESTIGATING, at=now, from_status=before, note=text, public=True)
    _tell_complainant(complaint, at=now)
    return complaint


@transaction.atomic
def complaint_add_note(*, actor: Any, complaint_id: Any, note: Any, now: datetime | None = None) -> ComplaintEvent:
    """A handling step on the record (the 处理过程 of the form, CMP-04); internal, not shown to the complainant."""
    now = now or timezone.now()
    user = _user(actor)
    complaint = _locked(complaint_id)
    _require(user, HANDLE, complaint.organization, _("您没有处理投诉的权限"))
    if complaint.status == ComplaintStatus.CLOSED:
        raise Conflict(_("投诉已结案，不能再添加处理记录"))
    text = _text(note, "note", required=True, label=_("处理记录"))
    return _event(complaint, actor=user, verb=ComplaintVerb.NOTE, at=now, from_status=complaint.status, note=text)


@transaction.atomic
def complaint_resolve(
    *,
    actor: Any,
    complaint_id: Any,
    response: Any,
    compensation: Any = None,
    compensation_payer: Any = "",
    now: datetime | None = None,
) -> Complaint:
    """Record the result and the answer given to the complainant; they are asked to confirm (G-01) by
    `confirm_due_at` (complaints.confirm_wait_working_days), after which no answer counts as confirmed. A
    compensation names who bears it — for a merchant complaint the merchant, unless said otherwise (CMP-09)."""
    now = now or timezone.now()
    user = _user(actor)
    complaint = _locked(complaint_id)
    _require(user, HANDLE, complaint.organization, _("您没有处理投诉的权限"))
    _expect(
        complaint, [ComplaintStatus.ACKNOWLEDGED, ComplaintStatus.INVESTIGATING, ComplaintStatus.REOPENED], _("答复")
    )
    text = _text(response, "response", required=True, label=_("处理结果与答复"))
    fields = ["status", "response", "resolved_by", "resolved_at", "feedback", "feedback_note", "confirm_due_at"]
    if compensation not in (None, ""):
        try:
            amount = Decimal(str(compensation).strip())
        except InvalidOperation:
            amount = Decimal(-1)
        if (
            not amount.is_finite()
            or amount < 0
            or amount > Decimal("99999999")
            or amount != amount.quantize(Decimal("0.01"))
        ):
            raise ValidationFailed(
                _("赔偿金额应为不小于 0 的金额，最多两位小数"), fields={"compensation": [_("金额无效")]}
            )
        payer = policies.compensation_payer(
            category=complaint.category,
            merchant_name=complaint.merchant_name,
            amount=amount,
            payer=_text(compensation_payer, "compensation_payer", required=False, label=_("赔偿承担方")),
        )
        complaint.compensation = amount
        complaint.compensation_payer = payer
        fields += ["compensation", "compensation_payer"]
    before = complaint.status
    complaint.status = ComplaintStatus.RESOLVED
    complaint.response = text
    complaint.resolved_by = user
    complaint.resolved_at = now
    complaint.feedback = ""
    complaint.feedback_note = ""
    complaint.confirm_due_at = policies.confirm_wait(organization=complaint.organization, resolved_at=now)
    if complaint.acknowledged_at is None:
        complaint.acknowledged_at = now
        fields.append("acknowledged_at")
    _bump(complaint, fields)
    data: dict[str, Any] = {}
    if complaint.compensation is not None and "compensation" in fields:
        data = {"compensation": str(complaint.compensation), "payer": complaint.compensation_payer}
    _event(
        complaint,
        actor=user,
        verb=ComplaintVerb.RESOLVED,
        at=now,
        from_status=before,
        note=text,
        data=data,
        clause="CMP-09" if data and complaint.category == Category.MERCHANT else "",
        public=True,
    )
    _tell_complainant(complaint, at=now)
    return complaint


@transaction.atomic
@implements("G-01")
def complaint_record_feedback(
    *,
    actor: Any,
    complaint_id: Any,
    feedback: Any,
    note: Any = "",
    via_public: bool = False,
    now: datetime | None = None,
) -> Complaint:
    """The complainant's answer to the resolution (given to staff by phone, or on the public page: actor None and
    `via_public`, so the timeline names the complainant rather than the system).

    Satisfied (or no reply by the deadline) → customer confirmed. Dissatisfied → reopened, up to
    `complaints.reopen_limit` times; after that the case is escalated to the level above (G-01)."""
    now = now or timezone.now()
    user = _user(actor)
    by = _("投诉人（网上反馈）") if user is None and via_public else ""
    complaint = _locked(complaint_id)
    if user is not None:
        _require(user, HANDLE, complaint.organization, _("您没有处理投诉的权限"))
    _expect(complaint, [ComplaintStatus.RESOLVED], _("记录投诉人反馈"))
    feedback = _choice(feedback, Feedback, "feedback", _("反馈"))
    text = _text(note, "note", required=False, label=_("反馈说明"))
    before = complaint.status
    complaint.feedback = feedback
    complaint.feedback_note = text
    if feedback in (Feedback.SATISFIED, Feedback.NO_REPLY):
        complaint.status = ComplaintStatus.CONFIRMED
        complaint.confirmed_at = now
        _bump(complaint, ["status", "feedback", "feedback_note", "confirmed_at"])
        _event(
            complaint,
            actor=user,
            verb=ComplaintVerb.CONFIRMED,
            at=now,
            from_status=before,
            note=text,
            clause="G-01",
            public=True,
            actor_name=by,
        )
        return complaint
    decision = policies.after_dissatisfied(
        organization=complaint.organization, reopen_count=complaint.reopen_count, at=now
    )
    if decision:
        complaint.status = ComplaintStatus.REOPENED
        complaint.reopen_count += 1
        _bump(complaint, ["status", "feedback", "feedback_note", "reopen_count"])
        _event(
            complaint,
            actor=user,
            verb=ComplaintVerb.REOPENED,
            at=now,
            from_status=before,
            note=f"{decision.reason}。{text}".rstrip("。") if text else decision.reason,
            clause=decision.clause,
            public=True,
            actor_name=by,
        )
        _notify_staff(
            complaint,
            user_ids=[complaint.owner_id] if complaint.owner_id else managers_of(complaint.organization),
            verb="complaints.reopened",
            title=_("投诉 %(no)s 投诉人不满意，已重新打开") % {"no": complaint.number},
            body=text,
            key=f"cmp-reopen-{complaint.pk}-{complaint.reopen_count}",
        )
        _tell_complainant(complaint, at=now)
        return complaint
    complaint.status = ComplaintStatus.REOPENED
    complaint.escalated_at = now
    complaint.escalation_reason = decision.reason
    _bump(complaint, ["status", "feedback", "feedback_note", "escalated_at", "escalation_reason"])
    _event(
        complaint,
        actor=user,
        verb=ComplaintVerb.ESCALATED,
        at=now,
        from_status=before,
        note=f"{decision.reason}。{text}" if text else decision.reason,
        clause="G-01",
        public=True,
        actor_name=by,
    )
    _notify_staff(
        complaint,
        user_ids=escalation_targets(complaint.organization),
        verb="complaints.escalated",
        title=_("投诉 %(no)s 升级：投诉人多次不满意") % {"no": complaint.number},
        body=decision.reason,
        key=f"cmp-escalated-{complaint.pk}",
    )
    return complaint


@transaction.atomic
@implements("CMP-06")
def complaint_close(*, actor: Any, complaint_id: Any, note: Any = "", now: datetime | None = None) -> Complaint:
    """Close a confirmed case (or a resolved one whose complainant did not answer): CMP-06 requires the recorded
    response and handler."""
    now = now or timezone.now()
    user = _user(actor)
    complaint = _locked(complaint_id)
    _require(user, HANDLE, complaint.organization, _("您没有处理投诉的权限"))
    _expect(complaint, [ComplaintStatus.CONFIRMED], _("结案"))
    policies.check_can_close(response=complaint.response, resolved_by_id=complaint.resolved_by_id)
    text = _text(note, "note", required=False, label=_("说明"))
    before = complaint.status
    complaint.status = ComplaintStatus.CLOSED
    complaint.closed_by = user
    complaint.closed_at = now
    _bump(complaint, ["status", "closed_by", "closed_at"])
    _event(
        complaint,
        actor=user,
        verb=ComplaintVerb.CLOSED,
        at=now,
        from_status=before,
        note=text,
        clause="CMP-06",
        public=True,
    )
    _tell_complainant(complaint, at=now)
    return complaint


@transaction.atomic
def complaint_reopen(*, actor: Any, complaint_id: Any, reason: Any, now: datetime | None = None) -> Complaint:
    """Reopen a confirmed or closed case (new facts, a handler's mistake); the reason is kept."""
    now = now or timezone.now()
    user = _user(actor)
    complaint = _locked(complaint_id)
    _require(user, HANDLE, complaint.organization, _("您没有处理投诉的权限"))
    _expect(complaint, [ComplaintStatus.CONFIRMED, ComplaintStatus.CLOSED], _("重新打开"))
    text = _text(reason, "reason", required=True, label=_("重新打开原因"))
    before = complaint.status
    complaint.status = ComplaintStatus.REOPENED
    complaint.reopen_count += 1
    _bump(complaint, ["status", "reopen_count"])
    _event(complaint, actor=user, verb=ComplaintVerb.REOPENED, at=now, from_status=before, note=text, public=True)
    _tell_complainant(complaint, at=now)
    return complaint


def _fill_missing_confirm_due(*, limit: int) -> None:
    """Resolved cases without a confirmation deadline (resolved before the column existed, or rows loaded by a bulk
    import) get it from their resolution time, so the sweep below sees them. A handful at most; then none."""
    rows = list(
        Complaint.objects.filter(
            status=ComplaintStatus.RESOLVED, confirm_due_at__isnull=True, resolved_at__isnull=False
        ).select_related("organization")[:limit]
    )
    for complaint in rows:
        assert complaint.resolved_at is not None
        due = policies.confirm_wait(organization=complaint.organization, resolved_at=complaint.resolved_at)
        Complaint.objects.filter(pk=complaint.pk, confirm_due_at__isnull=True).update(confirm_due_at=due)


# --- the deadline sweep (G-01) -----------------------------------------------------------------------------------


@implements("G-01")
def complaint_sweep(*, now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Flag breaches of the acknowledgement and resolution deadlines once each and tell the manager (G-01: a breach
    escalates to the manager); resolved cases unanswered past `complaints.confirm_wait_working_days` count as
    confirmed (feedback "no reply"). Idempotent; takes `now`."""
    now = now or timezone.now()
    counts = {"acknowledge": 0, "resolve": 0, "no_reply": 0}
    open_states = [
        ComplaintStatus.RECEIVED,
        ComplaintStatus.ACKNOWLEDGED,
        ComplaintStatus.INVESTIGATING,
        ComplaintStatus.REOPENED,
    ]
    for kind, due_field, flag_field, extra in (
        ("acknowledge", "acknowledge_due_at", "acknowledge_breached_at", {"acknowledged_at__isnull": True}),
        ("resolve", "resolve_due_at", "resolve_breached_at", {}),
    ):
        ids = list(
            Complaint.objects.filter(
                status__in=open_states, **{f"{due_field}__lte": now, f"{flag_field}__isnull": True}, **extra
            )
            .order_by(due_field)
            .values_list("pk", flat=True)[:limit]
        )
        for pk in ids:
            with transaction.atomic():
                complaint = _locked(pk)
                if getattr(complaint, flag_field) is not None or complaint.status not in open_states:
                    continue
                setattr(complaint, flag_field, now)
                complaint.escalated_at = complaint.escalated_at or now
                complaint.escalation_reason = complaint.escalation_reason or (
                    _("超过确认受理期限") if kind == "acknowledge" else _("超过处理期限")
                )
                _bump(complaint, [flag_field, "escalated_at", "escalation_reason"])
                label = _("确认受理") if kind == "acknowledge" else _("处理")
                _event(
                    complaint,
                    actor=None,
                    verb=ComplaintVerb.ESCALATED,
                    at=now,
                    from_status=complaint.status,
                    note=_("超过%(what)s期限，已上报中心经理") % {"what": label},
                    clause="G-01",
                )
                _notify_staff(
                    complaint,
                    user_ids=managers_of(complaint.organization),
                    verb="complaints.breach",
                    title=_("投诉 %(no)s 超过%(what)s期限") % {"no": complaint.number, "what": label},
                    body=complaint.deadline_citation,
                    key=f"cmp-breach-{kind}-{complaint.pk}",
                )
                counts[kind] += 1
    # No reply by the end of the wait → confirmed. Only the cases whose wait is over are read (their confirm_due_at
    # was fixed at resolution; partial index cmp_confirm_pending_idx), oldest first, so a backlog drains in order.
    _fill_missing_confirm_due(limit=limit)
    due_ids = list(
        Complaint.objects.filter(status=ComplaintStatus.RESOLVED, confirm_due_at__lte=now)
        .order_by("confirm_due_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due_ids:
        try:
            complaint_record_feedback(actor=None, complaint_id=pk, feedback=Feedback.NO_REPLY, now=now)
        except Conflict:  # answered (or reopened) by someone in the meantime: nothing to do
            continue
        counts["no_reply"] += 1
    return counts


# --- CMP-08: a complaint against a staff member becomes a discipline record ---------------------------------------


@transaction.atomic
@implements("CMP-08")
def complaint_link_violation(
    *,
    actor: Any,
    complaint_id: Any,
    violation_type: Any,
    day: date | None,
    description: Any,
    now: datetime | None = None,
) -> Complaint:
    """CMP-08: record a discipline violation of the staff member the complaint is against — through the attendance
    app's `violation_record`, which decides who may (attendance.manage_attendance over that person) and applies its
    monthly ladder — and link it to the case. A refusal there leaves the case unchanged (one transaction)."""
    from servicecenter.attendance import services as attendance_services

    now = now or timezone.now()
    user = _user(actor)
    complaint = _locked(complaint_id)
    _require(user, HANDLE, complaint.organization, _("您没有处理投诉的权限"))
    if complaint.against_staff_id is None:
        raise ValidationFailed(_("该投诉没有指明被投诉人员，不能登记违纪"), clause="CMP-08")
    if complaint.violation_id is not None:
        raise Conflict(_("投诉 %(no)s 已登记过违纪记录") % {"no": complaint.number}, clause="CMP-08")
    text = _text(description, "description", required=True, label=_("情况说明"))
    staff = Staff.objects.select_related("organization").get(pk=complaint.against_staff_id)
    violation = attendance_services.violation_record(
        actor=user,
        staff=staff,
        day=day,  # type: ignore[arg-type]  # None is refused by the attendance service with a field message
        type=str(violation_type or ""),
        description=text,
        evidence_text=_("投诉 %(no)s：%(summary)s") % {"no": complaint.number, "summary": complaint.summary},
        now=now,
    )
    complaint.violation = violation
    _bump(complaint, ["violation"])
    _event(
        complaint,
        actor=user,
        verb=ComplaintVerb.VIOLATION,
        at=now,
        from_status=complaint.status,
        note=_("已登记 %(name)s 的违纪记录：%(type)s（%(day)s）")
        % {"name": staff.name, "type": violation.get_type_display(), "day": violation.day.isoformat()},
        data={"violation_id": violation.pk, "type": violation.type, "units": str(violation.units)},
        clause="CMP-08",
    )
    return complaint


# --- CMP-02: improvement actions spawned by closed complaints ----------------------------------------------------


def _date(raw: Any, key: str, label: str) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw or "").strip())
    except ValueError:
        raise ValidationFailed(
            _("请填写有效的%(label)s（年-月-日）") % {"label": label}, fields={key: [_("日期无效")]}
        ) from None


def _action_owner(owner_id: Any, organization: Organization) -> Any:
    """The person responsible for an action: an active login of a staff member of the center (or its teams), or a
    complaint handler over the center."""
    from django.contrib.auth import get_user_model

    try:
        owner = get_user_model().objects.filter(pk=int(owner_id), is_active=True).first()
    except (TypeError, ValueError):
        owner = None
    if owner is not None and (
        Staff.objects.filter(user=owner, organization__path__startswith=organization.path).exists()
        or has_permission_in(user=owner, permission=HANDLE, organization=organization)
    ):
        return owner
    raise ValidationFailed(_("负责人须是本中心的员工"), fields={"owner": [_("请选择本中心的负责人")]})


def _locked_action(action_id: Any) -> ImprovementAction:
    try:
        return (
            ImprovementAction.objects.select_for_update(of=("self",))
            .select_related("organization", "complaint")
            .get(pk=action_id)
        )
    except (ImprovementAction.DoesNotExist, ValueError, TypeError):
        raise ValidationFailed(_("改进措施不存在")) from None


@transaction.atomic
@implements("CMP-02")
def action_create(
    *,
    actor: Any,
    complaint_id: Any,
    title: Any,
    owner_id: Any,
    due_date: Any,
    description: Any = "",
    now: datetime | None = None,
) -> ImprovementAction:
    """CMP-02: a closed complaint spawns an improvement action (what, who, by when); it is on the case's timeline
    and in the register of actions per period."""
    from servicecenter.policy.values import local_today

    now = now or timezone.now()
    user = _user(actor)
    complaint = _locked(complaint_id)
    _require(user, HANDLE, complaint.organization, _("您没有处理投诉的权限"))
    if complaint.status != ComplaintStatus.CLOSED:
        raise Conflict(_("投诉 %(no)s 尚未结案：结案后才能提出改进措施") % {"no": complaint.number}, clause="CMP-02")
    title_text = _text(title, "title", required=True, label=_("改进措施"))
    details = _text(description, "description", required=False, label=_("具体内容"))
    owner = _action_owner(owner_id, complaint.organization)
    due = _date(due_date, "due_date", _("完成期限"))
    if due < local_today(complaint.organization):
        raise ValidationFailed(_("完成期限不能早于今天"), fields={"due_date": [_("完成期限不能早于今天")]})
    action = ImprovementAction.objects.create(
        organization=complaint.organization,
        complaint=complaint,
        title=title_text,
        description=details,
        owner=owner,
        due_date=due,
        created_by=user,
    )
    audit.record(
        actor=user,
        verb="complaint.action.created",
        target=action,
        changes={"status": [None, ActionStatus.OPEN], "due_date": [None, due.isoformat()]},
        clause="CMP-02",
        note=title_text,
        organization=complaint.organization,
    )
    _event(
        complaint,
        actor=user,
        verb=ComplaintVerb.ACTION,
        at=now,
        from_status=complaint.status,
        note=_("改进措施：%(title)s（负责人 %(owner)s，%(due)s 前完成）")
        % {"title": title_text, "owner": _name(owner), "due": due.isoformat()},
        data={"action_id": action.pk},
        clause="CMP-02",
    )
    if owner.pk != getattr(user, "pk", None):
        _notify_staff(
            complaint,
            user_ids=[owner.pk],
            verb="complaints.action",
            title=_("改进措施由您负责：%(title)s") % {"title": title_text[:60]},
            body=_("来源投诉 %(no)s，%(due)s 前完成") % {"no": complaint.number, "due": due.isoformat()},
            key=f"cmp-action-{action.pk}",
            link="/complaints/actions/?mine=1",
        )
    return action


@transaction.atomic
def action_complete(*, actor: Any, action_id: Any, result: Any, now: datetime | None = None) -> ImprovementAction:
    """Mark an improvement action done with what was done (its owner or a complaint handler)."""
    now = now or timezone.now()
    user = _user(actor)
    action = _locked_action(action_id)
    if user is None or (
        action.owner_id != user.pk
        and not has_permission_in(user=user, permission=HANDLE, organization=action.organization)
    ):
        raise NotAllowed(_("只有负责人或投诉处理人可以完成改进措施"))
    if action.status != ActionStatus.OPEN:
        raise Conflict(
            _("改进措施「%(title)s」已%(status)s") % {"title": action.title, "status": action.get_status_display()}
        )
    text = _text(result, "result", required=True, label=_("完成情况"))
    action.status = ActionStatus.DONE
    action.result = text
    action.done_at = now
    action.save(update_fields=["status", "result", "done_at", "updated_at"])
    audit.record(
        actor=user,
        verb="complaint.action.done",
        target=action,
        changes={"status": [ActionStatus.OPEN, ActionStatus.DONE]},
        clause="CMP-02",
        note=text,
        organization=action.organization,
    )
    return action


@transaction.atomic
def action_drop(*, actor: Any, action_id: Any, reason: Any, now: datetime | None = None) -> ImprovementAction:
    """Drop an improvement action that is no longer needed, with the reason (a complaint handler)."""
    now = now or timezone.now()
    user = _user(actor)
    action = _locked_action(action_id)
    _require(user, HANDLE, action.organization, _("您没有撤销改进措施的权限"))
    if action.status != ActionStatus.OPEN:
        raise Conflict(
            _("改进措施「%(title)s」已%(status)s") % {"title": action.title, "status": action.get_status_display()}
        )
    text = _text(reason, "result", required=True, label=_("撤销原因"))
    action.status = ActionStatus.DROPPED
    action.result = text
    action.done_at = now
    action.save(update_fields=["status", "result", "done_at", "updated_at"])
    audit.record(
        actor=user,
        verb="complaint.action.dropped",
        target=action,
        changes={"status": [ActionStatus.OPEN, ActionStatus.DROPPED]},
        clause="CMP-02",
        note=text,
        organization=action.organization,
    )
    return action


# --- CMP-05 / CON-12: communication guidance (knowledge base) ----------------------------------------------------

GUIDANCE_TAGS = ("general", *Category.values)


def can_manage_guidance(*, user: Any, organization: Organization | None) -> bool:
    """Center articles: complaints.manage_guidance over the center. Company-wide ones (organization None): the
    permission held at the top of the tree (a company-level role) — a center cannot rewrite what every center
    reads."""
    from servicecenter.core.access import organizations_where

    if organization is not None:
        return has_permission_in(user=user, permission=MANAGE_GUIDANCE, organization=organization)
    if getattr(user, "is_superuser", False) and getattr(user, "is_active", False):
        return True
    return organizations_where(user=user, permission=MANAGE_GUIDANCE).filter(parent__isnull=True).exists()


def _tags(raw: Any) -> list[str]:
    values = [raw] if isinstance(raw, str) else list(raw or [])
    tags = []
    for tag in values:
        tag = str(tag).strip()
        if tag and tag not in tags:
            if tag not in GUIDANCE_TAGS:
                raise ValidationFailed(
                    _("未知的适用类别：%(tag)s") % {"tag": tag}, fields={"tags": [_("请选择有效的类别")]}
                )
            tags.append(tag)
    if not tags:
        raise ValidationFailed(_("请至少选择一个适用类别"), fields={"tags": [_("请至少选择一个适用类别")]})
    return tags


@transaction.atomic
@implements("CMP-05", "CON-12")
def guidance_save(
    *,
    actor: Any,
    title: Any,
    body: Any,
    tags: Any,
    clause: Any = "",
    organization: Organization | None = None,
    supersedes_id: Any = None,
    now: datetime | None = None,
) -> GuidanceArticle:
    """CMP-05 / CON-12: write a communication guidance article — the standard phrases and the language that must
    never be used — for the complaint handlers of a center (or company-wide, organization None).

    With `supersedes_id` the text is a new version of that article: the old row stays, marked not current, so what
    a handler read on a date can be shown later; editing a version someone else has just replaced is refused."""
    now = now or timezone.now()
    user = _user(actor)
    previous = None
    version = 1
    if supersedes_id not in (None, ""):
        try:
            previous = (
                GuidanceArticle.objects.select_for_update(of=("self",))
                .select_related("organization")
                .get(pk=supersedes_id)
            )
        except (GuidanceArticle.DoesNotExist, ValueError, TypeError):
            raise ValidationFailed(_("沟通指引不存在")) from None
        organization = previous.organization
        version = previous.version + 1
    if user is None or not can_manage_guidance(user=user, organization=organization):
        raise NotAllowed(_("您没有维护该沟通指引的权限"))
    if previous is not None and not previous.is_current:
        raise Conflict(_("「%(title)s」已有更新的版本，请打开最新版本再修改") % {"title": previous.title})
    title_text = _text(title, "title", required=True, label=_("标题"))
    body_text = _text(body, "body", required=True, label=_("内容"))
    clean_tags = _tags(tags)
    article = GuidanceArticle.objects.create(
        organization=organization,
        title=title_text,
        body=body_text,
        tags=clean_tags,
        clause=str(clause or "").strip()[:100],
        version=version,
        supersedes=previous,
        is_current=True,
        created_by=user,
    )
    if previous is not None:
        previous.is_current = False
        previous.save(update_fields=["is_current", "updated_at"])
    audit.record(
        actor=user,
        verb="complaint.guidance.revised" if previous is not None else "complaint.guidance.created",
        target=article,
        changes={"version": [previous.version if previous else None, version]},
        clause="CMP-05",
        note=title_text,
        organization=organization,
    )
    return article
