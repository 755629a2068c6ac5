"""Every write of the callback domain: tasks from returned orders (WO-10), claiming, calls and answers (CB-01…
CB-08), follow-ups (G-03) and customer opinions (CB-13). Surveys and ratings: `callbacks.surveys`.

Each function locks what it changes, checks who may act, validates, writes, records the audit event with the
clause, and notifies after commit.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicecenter.approvals.selectors import role_holders_up_tree
from servicecenter.core import audit
from servicecenter.core.actors import bump_version as _bump
from servicecenter.core.actors import display_name as _name
from servicecenter.core.actors import require as _require
from servicecenter.core.actors import user_of as _user
from servicecenter.core.errors import Conflict, ValidationFailed
from servicecenter.core.policy import implements
from servicecenter.org.models import Organization
from servicecenter.policy.values import resolve_many, value
from servicecenter.workorders.choices import OrderKind
from servicecenter.workorders.models import WorkOrder

from . import policies
from .choices import (
    UNREACHED_RESULTS,
    AttemptResult,
    FollowUpStatus,
    OpinionKind,
    OpinionSource,
    OpinionStatus,
    TaskKind,
    TaskStatus,
)
from .models import CallbackAttempt, CallbackTask, FollowUp, Opinion, Questionnaire

MAKE = "callbacks.make_callback"
MANAGE = "callbacks.manage_callbacks"


def _locked(task_id: Any) -> CallbackTask:
    # `claimed_by` is not joined here: a lock that waited for another claim re-reads the task row only (PostgreSQL
    # re-checks the locked row, not the joined ones), so a joined claimer would be the stale one («系统»).
    try:
        return (
            CallbackTask.objects.select_for_update(of=("self",))
            .select_related("organization", "order", "customer")
            .get(pk=task_id)
        )
    except (CallbackTask.DoesNotExist, ValueError, TypeError):
        raise ValidationFailed(_("回访任务不存在")) from None


def _managers(organization: Organization) -> list[int]:
    holders = role_holders_up_tree(organization=organization, role_codes=["center_manager"])
    levels = holders.get("center_manager") or []
    return list(levels[0]) if levels else []


def _notify(
    *,
    organization: Organization,
    user_ids: list[int],
    verb: str,
    title: str,
    body: str,
    link: str,
    target: Any,
    key: str,
) -> None:
    from servicecenter.notifications.services import notify

    if not user_ids:
        return
    transaction.on_commit(
        lambda: notify(
            recipients=user_ids,
            title=title,
            verb=verb,
            body=body,
            link=link,
            target=target,
            organization=organization,
            dedupe_key=key,
        )
    )


# --- questionnaires (C-10) ---------------------------------------------------------------------------------------


def builtin_questionnaire() -> Questionnaire:
    """The D02 set every center uses until it writes its own (seeded by migration 0004; created here only when the
    table was flushed)."""
    current = Questionnaire.objects.filter(organization__isnull=True, is_current=True).first()
    if current is not None:
        return current
    try:
        with transaction.atomic():
            return Questionnaire.objects.create(
                organization=None,
                name="D02 维修回访",
                version=1,
                opening=policies.D02_OPENING,
                closing=policies.D02_CLOSING,
                fee_reminder=policies.D02_FEE_REMINDER,
                questions=policies.D02_QUESTIONS,
            )
    except IntegrityError:
        return Questionnaire.objects.get(organization__isnull=True, is_current=True)


@implements("C-10")
def questionnaire_for(organization: Organization) -> Questionnaire:
    """C-10: the questionnaire in force for a center: its own current version, else the nearest ancestor's, else
    the built-in D02 set."""
    paths = organization.ancestor_paths()
    rows = {
        q.organization.path: q  # type: ignore[union-attr]  # filtered on organization__path
        for q in Questionnaire.objects.filter(organization__path__in=paths, is_current=True).select_related(
            "organization"
        )
    }
    for path in paths:  # nearest first: the center's own version wins over an ancestor's
        if path in rows:
            return rows[path]
    return builtin_questionnaire()


@transaction.atomic
def questionnaire_publish(
    *,
    actor: Any,
    organization: Organization,
    name: Any,
    opening: Any,
    closing: Any,
    fee_reminder: Any = "",
    questions: Any,
    now: datetime | None = None,
) -> Questionnaire:
    """C-10: a center's new questionnaire version; the previous stays for the answers given with it."""
    user = _user(actor)
    _require(user, MANAGE, organization, _("您没有维护回访问卷的权限"))
    cleaned = clean_questions(questions)
    name_text = str(name or "").strip()[:100]
    opening_text = str(opening or "").strip()
    closing_text = str(closing or "").strip()
    errors: dict[str, list[str]] = {}
    if not name_text:
        errors["name"] = [_("此项必填")]
    if not opening_text:
        errors["opening"] = [_("此项必填")]
    if not closing_text:
        errors["closing"] = [_("此项必填")]
    if errors:
        raise ValidationFailed(_("问卷不完整"), fields=errors)
    previous = Questionnaire.objects.select_for_update().filter(organization=organization).order_by("-version").first()
    if previous is not None:
        Questionnaire.objects.filter(organization=organization, is_current=True).update(is_current=False)
    created = Questionnaire.objects.create(
        organization=organization,
        name=name_text,
        version=(previous.version + 1) if previous else 1,
        opening=opening_text,
        closing=closing_text,
        fee_reminder=str(fee_reminder or "").strip(),
        questions=cleaned,
        created_by=user,
    )
    audit.record(
        actor=user, verb="callbacks.questionnaire.published", target=created, clause="C-10", organization=organization
    )
    return created


def _score_bounds_ok(low: Any, high: Any) -> bool:
    """A score question's own range: absent (the center's callbacks.score_range applies) or two integers, low < high."""
    if low in (None, "") and high in (None, ""):
        return True
    try:
        return int(low) < int(high)
    except (TypeError, ValueError):
        return False


# C-10: what a standard role must be asked as, so that every center's answers feed the same report columns.
ROLE_TYPES = {
    "solved": ("yes_no",),
    "charged": ("yes_no",),
    "attitude": ("choice",),
    "score": ("score",),
    "suggestion": ("text",),
}


@implements("C-10")
def clean_questions(raw: Any) -> list[dict[str, Any]]:
    """A questionnaire's question list: codes unique, known types and roles, choices for a choice question, at most
    one question per standard role, each standard role asked with its type (the attitude with the three levels of
    CB-03), so reports stay comparable (C-10). Every bad row is reported: `fields["questions"]` holds the first
    problem, `fields["questions.<n>"]` the problem of row n (1-based) for editors that show them per row."""
    from .choices import Attitude, QuestionRole, QuestionType

    if not isinstance(raw, list) or not raw:
        raise ValidationFailed(_("问卷至少要有一个问题"), fields={"questions": [_("至少一个问题")]})
    seen_codes: set[str] = set()
    seen_roles: set[str] = set()
    cleaned = []
    problems: dict[int, str] = {}
    for index, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            problems[index] = _("格式错误")
            continue
        code = str(item.get("code") or "").strip()[:20]
        label = str(item.get("label") or "").strip()[:200]
        kind = item.get("type")
        role = item.get("role") or QuestionRole.OTHER
        problem = ""
        if not code or code in seen_codes:
            problem = _("问题代码为空或重复")
        elif not label:
            problem = _("问题内容为空")
        elif kind not in QuestionType.values:
            problem = _("未知的问题类型")
        elif role not in QuestionRole.values:
            problem = _("未知的问题用途")
        elif role != QuestionRole.OTHER and role in seen_roles:
            problem = _("同一用途只能有一个问题")
        elif kind == QuestionType.CHOICE and not item.get("choices"):
            problem = _("单选题须有选项")
        elif role in ROLE_TYPES and kind not in ROLE_TYPES[role]:
            problem = _("“%(role)s”须用题型“%(type)s”") % {
                "role": QuestionRole(role).label,
                "type": QuestionType(ROLE_TYPES[role][0]).label,
            }
        elif role == QuestionRole.ATTITUDE and set(map(str, item.get("choices") or [])) - set(Attitude.values):
            problem = _("服务态度的选项只能是满意、一般、不满意（CB-03）")
        elif kind == QuestionType.SCORE and not _score_bounds_ok(item.get("min"), item.get("max")):
            problem = _("评分范围须为整数，且最低分小于最高分")
        if code:
            seen_codes.add(code)
        if role != QuestionRole.OTHER and role in QuestionRole.values:
            seen_roles.add(role)
        if problem:
            problems[index] = problem
            continue
        row: dict[str, Any] = {
            "code": code,
            "type": kind,
            "role": role,
            "label": label,
            "required": bool(item.get("required")),
        }
        for key in ("choices", "min", "max", "clause"):
            if item.get(key) not in (None, ""):
                row[key] = item[key]
        cleaned.append(row)
    if problems:
        first = min(problems)
        fields = {"questions": [problems[first]]}
        fields.update({f"questions.{n}": [p] for n, p in problems.items()})
        raise ValidationFailed(_("第 %(n)s 个问题：%(p)s") % {"n": first, "p": problems[first]}, fields=fields)
    return cleaned


# --- tasks (WO-10, CB-09) ----------------------------------------------------------------------------------------


@implements("WO-10", "CB-09")
def task_for_returned_order(order: WorkOrder) -> CallbackTask | None:
    """workorders.services.ON_RETURNED hook: every returned order gets one callback (WO-10), due per
    `callbacks.due_working_days`; a new installation drawn by the courtesy sample (CB-09) gets it as a courtesy
    callback. Runs inside the transaction that returned the order; a second run creates nothing."""
    if order.kind == OrderKind.INQUIRY:
        return None
    now = order.returned_at or timezone.now()
    due = policies.callback_due(organization=order.organization, returned_at=now)
    rate = value("callbacks.courtesy_sample_rate", org=order.organization, at=now).value
    sample = policies.courtesy_sampled(order_number=order.number, kind=order.kind, rate=rate)
    kind = TaskKind.COURTESY if sample else TaskKind.AFTER_SERVICE
    task = CallbackTask(
        organization=order.organization,
        kind=kind,
        order=order,
        customer_id=order.customer_id,
        customer_name=order.customer_name,
        phone=order.phone,
        technician_id=order.assignee_id,
        due_at=due.at,
        due_citation=due.citation,
        next_attempt_at=now,
        reason=sample.reason if sample else _("工单 %(no)s 已回单") % {"no": order.number},
        clause="CB-09" if sample else "WO-10",
    )
    try:
        with transaction.atomic():
            task.save()
    except IntegrityError:
        return None
    audit.record(actor=None, verb="callbacks.task.created", target=task, clause=task.clause, note=task.reason)
    return task


@transaction.atomic
def task_create_care(
    *,
    actor: Any,
    organization: Organization,
    customer_id: Any,
    due_at: datetime,
    reason: Any,
    now: datetime | None = None,
) -> CallbackTask:
    """CB-16: a scheduled customer-care contact (or any manual callback) for a customer of the center."""
    from servicecenter.customers.models import Customer

    now = now or timezone.now()
    user = _user(actor)
    _require(user, MANAGE, organization, _("您没有安排回访的权限"))
    customer = Customer.objects.filter(pk=customer_id, organization=organization, is_active=True).first()
    if customer is None:
        raise ValidationFailed(_("客户不存在或不属于本中心"), fields={"customer": [_("请选择本中心的客户")]})
    text = str(reason or "").strip()[:300]
    if not text:
        raise ValidationFailed(_("请填写回访原因"), fields={"reason": [_("此项必填")]})
    if due_at is None or due_at < now:
        raise ValidationFailed(_("回访时间须不早于现在"), fields={"due_at": [_("回访时间须不早于现在")]})
    task = CallbackTask.objects.create(
        organization=organization,
        kind=TaskKind.CARE,
        customer=customer,
        customer_name=customer.name,
        phone=customer.phone,
        due_at=due_at,
        due_citation=_("CB-16 客户关怀：由 %(who)s 安排") % {"who": _name(user)},
        next_attempt_at=due_at,
        reason=text,
        clause="CB-16",
    )
    audit.record(actor=user, verb="callbacks.task.created", target=task, clause="CB-16", note=text)
    return task


# --- claiming: two clerks never call the same customer at once ---------------------------------------------------


@transaction.atomic
def task_claim(*, actor: Any, task_id: Any, now: datetime | None = None) -> CallbackTask:
    """Open a callback to make the call: the task is the caller's for `callbacks.claim_minutes` (renewed by each
    claim). A second clerk gets Conflict naming who has it."""
    now = now or timezone.now()
    user = _user(actor)
    task = _locked(task_id)
    _require(user, MAKE, task.organization, _("您没有回访权限"))
    if task.status != TaskStatus.PENDING:
        raise Conflict(_("该回访已结束（%(status)s）") % {"status": task.get_status_display()})
    if (
        task.claimed_by_id is not None
        and task.claimed_by_id != user.pk
        and task.claimed_until is not None
        and task.claimed_until > now
    ):
        raise Conflict(
            _("该回访正由 %(who)s 进行，%(until)s 前请勿重复拨打")
            % {"who": _name(task.claimed_by), "until": timezone.localtime(task.claimed_until).strftime("%H:%M")}
        )
    minutes = value("callbacks.claim_minutes", org=task.organization, at=now).value or 15
    task.claimed_by = user
    task.claimed_until = now + timedelta(minutes=int(minutes))
    _bump(task, ["claimed_by", "claimed_until"])
    return task


@transaction.atomic
def task_release(*, actor: Any, task_id: Any) -> CallbackTask:
    """Give up one's own claim (someone else's stays: nothing changes)."""
    user = _user(actor)
    task = _locked(task_id)
    _require(user, MAKE, task.organization, _("您没有回访权限"))
    if task.claimed_by_id == getattr(user, "pk", None):
        task.claimed_by = None
        task.claimed_until = None
        _bump(task, ["claimed_by", "claimed_until"])
    return task


def _own_claim(task: CallbackTask, user: Any, now: datetime) -> None:
    if task.status != TaskStatus.PENDING:
        raise Conflict(_("该回访已结束（%(status)s）") % {"status": task.get_status_display()})
    if (
        task.claimed_by_id is not None
        and task.claimed_by_id != user.pk
        and task.claimed_until
        and task.claimed_until > now
    ):
        raise Conflict(_("该回访正由 %(who)s 进行") % {"who": _name(task.claimed_by)})


def _attempt(
    task: CallbackTask,
    *,
    user: Any,
    at: datetime,
    result: str,
    note: str = "",
    appointment_at: datetime | None = None,
    clause: str = "",
) -> CallbackAttempt:
    return CallbackAttempt.objects.create(
        task=task,
        at=at,
        by=user,
        by_name=_name(user),
        result=result,
        note=note[:300],
        appointment_at=appointment_at,
        clause=clause,
    )


@transaction.atomic
def task_record_attempt(
    *,
    actor: Any,
    task_id: Any,
    result: Any,
    note: Any = "",
    appointment_at: datetime | None = None,
    now: datetime | None = None,
) -> CallbackTask:
    """A call that did not produce the answers: not convenient → the appointment (CB-01) re-queues the task for
    then; no answer / busy / wrong number → retried after `callbacks.retry_interval_minutes`, and after
    `callbacks.max_attempts` the callback is closed as unreachable."""
    now = now or timezone.now()
    user = _user(actor)
    task = _locked(task_id)
    _require(user, MAKE, task.organization, _("您没有回访权限"))
    _own_claim(task, user, now)
    if result not in (AttemptResult.NOT_CONVENIENT, *UNREACHED_RESULTS):
        raise ValidationFailed(_("请选择有效的回访结果"), fields={"result": [_("请选择有效的选项")]})
    text = str(note or "").strip()[:300]
    fields = ["attempts", "next_attempt_at", "claimed_by", "claimed_until"]
    task.attempts += 1
    task.claimed_by = None
    task.claimed_until = None
    if result == AttemptResult.NOT_CONVENIENT:
        policies.check_appointment(appointment_at=appointment_at, now=now)
        assert appointment_at is not None
        task.appointment_at = appointment_at
        task.next_attempt_at = appointment_at
        fields.append("appointment_at")
        _attempt(task, user=user, at=now, result=result, note=text, appointment_at=appointment_at, clause="CB-01")
        _bump(task, fields)
        audit.record(actor=user, verb="callbacks.task.appointment", target=task, clause="CB-01", note=text)
        return task
    retry = policies.after_unanswered(organization=task.organization, attempts=task.attempts, now=now)
    _attempt(task, user=user, at=now, result=result, note=text or retry.citation, clause="WO-10")
    if retry.next_at is None:
        task.status = TaskStatus.UNREACHABLE
        task.closed_note = retry.citation[:300]
        task.completed_at = now
        task.completed_by = user
        fields += ["status", "closed_note", "completed_at", "completed_by"]
    else:
        task.next_attempt_at = retry.next_at
    _bump(task, fields)
    audit.record(actor=user, verb="callbacks.task.attempt", target=task, clause="WO-10", note=retry.citation)
    return task


@transaction.atomic
@implements("CB-06", "CB-13")
def task_answer(*, actor: Any, task_id: Any, answers: dict[str, Any], now: datetime | None = None) -> CallbackTask:
    """The customer answered (CB-02…CB-06): the answers are validated against the task's questionnaire, the charge
    is cross-checked against the order (CB-04), a suggestion becomes an opinion record (CB-06, CB-13), and a bad
    result opens a follow-up for the manager (G-03)."""
    now = now or timezone.now()
    user = _user(actor)
    task = _locked(task_id)
    _require(user, MAKE, task.organization, _("您没有回访权限"))
    _own_claim(task, user, now)
    questionnaire = questionnaire_for(task.organization)
    params = resolve_many(policies.ANSWER_KEYS, org=task.organization, at=now)
    scale = policies.score_range(params["callbacks.score_range"].value)
    cleaned = policies.clean_answers(questions=questionnaire.questions, raw=answers, scale=scale)
    order = task.order
    check = policies.check_charge(
        charged=cleaned.charged,
        fee_total=order.fee_total if order else Decimal("0"),
        collected=order.collected_amount if order else None,
        payment_path=order.get_payment_path_display() if order else "",
    )
    reminder = policies.fee_reminder(
        attitude=cleaned.attitude, solved=cleaned.solved, fee_status=task.customer.fee_status
    )
    task.questionnaire = questionnaire
    task.answers = cleaned.by_code
    task.solved = cleaned.solved
    task.attitude = cleaned.attitude
    task.charged = cleaned.charged
    task.charge_mismatch = check.mismatch
    task.charge_note = check.note[:300]
    task.score = cleaned.score
    task.score_pct = cleaned.score_pct
    task.suggestion = cleaned.suggestion
    task.fee_reminder_shown = bool(reminder)
    task.status = TaskStatus.DONE
    task.completed_at = now
    task.completed_by = user
    task.attempts += 1
    task.claimed_by = None
    task.claimed_until = None
    _bump(
        task,
        [
            "questionnaire",
            "answers",
            "solved",
            "attitude",
            "charged",
            "charge_mismatch",
            "charge_note",
            "score",
            "score_pct",
            "suggestion",
            "fee_reminder_shown",
            "status",
            "completed_at",
            "completed_by",
            "attempts",
            "claimed_by",
            "claimed_until",
        ],
    )
    _attempt(task, user=user, at=now, result=AttemptResult.ANSWERED, clause="CB-02")
    audit.record(
        actor=user,
        verb="callbacks.task.answered",
        target=task,
        clause="CB-02、CB-03、CB-04、CB-05",
        note=check.note if check.mismatch else "",
    )
    if cleaned.suggestion:
        Opinion.objects.create(
            organization=task.organization,
            kind=OpinionKind.GRIEVANCE if cleaned.attitude == "dissatisfied" else OpinionKind.SUGGESTION,
            source=OpinionSource.CALLBACK,
            text=cleaned.suggestion,
            customer=task.customer,
            staff_id=task.technician_id,
            task=task,
        )
    reasons = policies.followup_reasons(answers=cleaned, organization=task.organization, at=now)
    if check.mismatch:
        reasons.append({"code": "charge_mismatch", "text": check.note, "clause": "CB-04"})
    if reasons:
        managers = _managers(task.organization)
        followup = FollowUp.objects.create(
            organization=task.organization,
            task=task,
            order=order,
            reasons=reasons,
            clause=reasons[0]["clause"],
            assigned_to_id=managers[0] if managers else None,
        )
        audit.record(
            actor=None,
            verb="callbacks.followup.opened",
            target=followup,
            clause="G-03",
            note="；".join(r["text"] for r in reasons),
            organization=task.organization,
        )
        _notify(
            organization=task.organization,
            user_ids=managers,
            verb="callbacks.followup",
            title=_("回访需跟进：%(name)s（%(why)s）")
            % {"name": task.customer_name, "why": "、".join(r["text"] for r in reasons)},
            body=_("工单 %(no)s") % {"no": order.number} if order else task.reason,
            link=f"/callbacks/followups/{followup.pk}/",
            target=followup,
            key=f"cb-followup-{followup.pk}",
        )
    return task


@transaction.atomic
def task_cancel(*, actor: Any, task_id: Any, reason: Any, now: datetime | None = None) -> CallbackTask:
    """A manager cancels a callback that no longer applies (duplicate, customer asked not to be called); kept."""
    now = now or timezone.now()
    user = _user(actor)
    task = _locked(task_id)
    _require(user, MANAGE, task.organization, _("您没有取消回访的权限"))
    if task.status != TaskStatus.PENDING:
        raise Conflict(_("该回访已结束（%(status)s）") % {"status": task.get_status_display()})
    text = str(reason or "").strip()[:300]
    if not text:
        raise ValidationFailed(_("请填写取消原因"), fields={"reason": [_("此项必填")]})
    task.status = TaskStatus.CANCELLED
    task.closed_note = text
    task.completed_at = now
    task.completed_by = user
    _bump(task, ["status", "closed_note", "completed_at", "completed_by"])
    audit.record(actor=user, verb="callbacks.task.cancelled", target=task, note=text)
    return task


# --- follow-ups (G-03) -------------------------------------------------------------------------------------------


def _locked_followup(followup_id: Any) -> FollowUp:
    try:
        return (
            FollowUp.objects.select_for_update(of=("self",))
            .select_related("organization", "task", "order")
            .get(pk=followup_id)
        )
    except (FollowUp.DoesNotExist, ValueError, TypeError):
        raise ValidationFailed(_("跟进记录不存在")) from None


@transaction.atomic
@implements("G-03")
def followup_resolve(
    *, actor: Any, followup_id: Any, action: Any, note: Any = "", severity: Any = "normal", now: datetime | None = None
) -> FollowUp:
    """The manager decides a follow-up: "rework" opens a new repair order for the same customer, linked to the
    original; "complaint" opens a complaint case from the callback; "close" ends it with an explanation."""
    from servicecenter.complaints.services import complaint_create
    from servicecenter.workorders.services import order_create

    now = now or timezone.now()
    user = _user(actor)
    followup = _locked_followup(followup_id)
    _require(user, MANAGE, followup.organization, _("您没有处理回访跟进的权限"))
    if followup.status != FollowUpStatus.OPEN:
        raise Conflict(_("该跟进已处理（%(status)s）") % {"status": followup.get_status_display()})
    text = str(note or "").strip()[:2000]
    task = followup.task
    order = followup.order
    why = "、".join(r.get("text", "") for r in followup.reasons)
    if action == "rework":
        if order is None:
            raise ValidationFailed(_("没有原工单，不能派返工单"), fields={"action": [_("请选择其他处理方式")]})
        rework = order_create(
            actor=user,
            organization=followup.organization,
            kind="repair",
            service_type=order.service_type,
            channel="internal",
            customer_id=order.customer_id,
            customer_name=order.customer_name,
            phone=order.phone,
            address=order.address,
            problem=(
                _("返工（回访：%(why)s，原工单 %(no)s）") % {"why": why, "no": order.number}
                + ("：" + text if text else "")
            )[:2000],
            read_back=["problem", "address", "name", "phone"],
            priority="high",
            now=now,
        )
        followup.rework_order = rework
        followup.status = FollowUpStatus.REWORK
        fields = ["rework_order"]
    elif action == "complaint":
        complaint = complaint_create(
            actor=user,
            organization=followup.organization,
            channel="callback",
            complainant_name=task.customer_name,
            phone=task.phone,
            summary=(_("回访反馈：%(why)s") % {"why": why})[:200],
            details=(text or task.suggestion or why)[:4000],
            category="quality"
            if task.solved is False
            else ("attitude" if task.attitude == "dissatisfied" else "other"),
            severity=severity or "normal",
            order_id=order.pk if order else None,
            against_staff_id=task.technician_id if task.attitude == "dissatisfied" else None,
            customer_id=task.customer_id,
            now=now,
        )
        followup.complaint = complaint
        followup.status = FollowUpStatus.COMPLAINT
        fields = ["complaint"]
    elif action == "close":
        if not text:
            raise ValidationFailed(_("请填写处理说明"), fields={"note": [_("此项必填")]})
        followup.status = FollowUpStatus.CLOSED
        fields = []
    else:
        raise ValidationFailed(_("请选择处理方式"), fields={"action": [_("请选择有效的选项")]})
    followup.resolution = text
    followup.resolved_by = user
    followup.resolved_at = now
    followup.save(update_fields=[*fields, "status", "resolution", "resolved_by", "resolved_at", "updated_at"])
    audit.record(actor=user, verb=f"callbacks.followup.{action}", target=followup, clause="G-03", note=text)
    return followup


# --- opinions (CB-13, CMP-06) ------------------------------------------------------------------------------------


@transaction.atomic
@implements("CMP-06")
def opinion_close(*, actor: Any, opinion_id: Any, response: Any, now: datetime | None = None) -> Opinion:
    """CMP-06: a suggestion or grievance is closed only with a recorded response; the handler is the actor."""
    now = now or timezone.now()
    user = _user(actor)
    try:
        opinion = Opinion.objects.select_for_update().select_related("organization").get(pk=opinion_id)
    except (Opinion.DoesNotExist, ValueError, TypeError):
        raise ValidationFailed(_("意见记录不存在")) from None
    _require(user, MANAGE, opinion.organization, _("您没有答复客户意见的权限"))
    if opinion.status == OpinionStatus.CLOSED:
        raise Conflict(_("该意见已由 %(who)s 答复") % {"who": _name(opinion.handled_by)})
    text = str(response or "").strip()
    if not text:
        raise ValidationFailed(
            _("须填写答复内容后才能关闭（CMP-06）"), fields={"response": [_("此项必填")]}, clause="CMP-06"
        )
    opinion.response = text[:2000]
    opinion.handled_by = user
    opinion.handled_at = now
    opinion.status = OpinionStatus.CLOSED
    opinion.save(update_fields=["response", "handled_by", "handled_at", "status", "updated_at"])
    audit.record(actor=user, verb="callbacks.opinion.closed", target=opinion, clause="CMP-06", note=text[:200])
    return opinion


@transaction.atomic
def opinion_record(
    *, actor: Any, organization: Organization, kind: Any, text: Any, customer_id: Any = None, staff_id: Any = None
) -> Opinion:
    """CB-13: an opinion received another way (letter, walk-in), typed suggestion / grievance / staff rating."""
    user = _user(actor)
    _require(user, MAKE, organization, _("您没有登记客户意见的权限"))
    if kind not in OpinionKind.values:
        raise ValidationFailed(_("请选择意见类型"), fields={"kind": [_("请选择有效的选项")]}, clause="CB-13")
    body = str(text or "").strip()
    if not body or len(body) > 2000:
        raise ValidationFailed(_("请填写意见内容（不超过 2000 字）"), fields={"text": [_("此项必填")]})
    if kind == OpinionKind.STAFF_RATING and staff_id in (None, ""):
        raise ValidationFailed(
            _("对服务人员的品评须选择人员（CB-13）"), fields={"staff": [_("此项必填")]}, clause="CB-13"
        )
    # The customer and the staff member must be the center's (an id from elsewhere is refused, never stored).
    from servicecenter.customers.models import Customer
    from servicecenter.org.models import Staff

    customer = staff = None
    try:
        if customer_id not in (None, ""):
            customer = Customer.objects.filter(pk=int(customer_id), organization=organization).first()
            if customer is None:
                raise ValueError
    except (TypeError, ValueError, OverflowError):
        raise ValidationFailed(_("客户不存在或不属于本中心"), fields={"customer": [_("请选择本中心的客户")]}) from None
    try:
        if staff_id not in (None, ""):
            staff = Staff.objects.filter(pk=int(staff_id), organization__path__startswith=organization.path).first()
            if staff is None:
                raise ValueError
    except (TypeError, ValueError, OverflowError):
        raise ValidationFailed(_("人员不存在或不属于本中心"), fields={"staff": [_("请选择本中心的人员")]}) from None
    opinion = Opinion.objects.create(
        organization=organization,
        kind=kind,
        source=OpinionSource.MANUAL,
        text=body,
        customer=customer,
        staff=staff,
    )
    audit.record(actor=user, verb="callbacks.opinion.recorded", target=opinion, clause="CB-13")
    return opinion
