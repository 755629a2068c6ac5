"""The call page (`/callbacks/<pk>/`): one callback, made with a headset on, keyboard friendly.

Opening it shows the task, the customer's order (work content, fee, technician) and the calls so far; everybody who
may read the task sees that (read-only while someone else is calling: «该回访正由 X 进行»). «开始回访» claims the
task for `callbacks.claim_minutes` (services.task_claim; a second clerk is refused: a flash message, or 409 in place
through htmx). Then the script of the center's questionnaire in force (C-10): the opening with the center's name
and hotline (CB-08), «是否方便?» — yes: the questions as big radio buttons, the score as 1–10 buttons
(callbacks.score_range), the fee reminder shown live when the customer is satisfied and their fee unpaid (CB-07;
the server decides again on submit), the order's charges beside «跟您收费了吗?» (CB-04) and the closing; no: an
appointment time (CB-01). No answer / busy / wrong number re-queue the task (or end it as unreachable after the
last try). Every submit goes through `callbacks.services`; buttons disable themselves on submit and the services
refuse a second write by state, so a double click records one call. After a call the next due callback opens.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from servicecenter.core.access import has_permission_in
from servicecenter.core.errors import Conflict, DomainError, NotAllowed
from servicecenter.core.htmx import HtmxHttpRequest
from servicecenter.org.selectors import mask_phone
from servicecenter.policy.values import resolve_many, zone_of

from .. import policies, selectors, services
from ..choices import AttemptResult, Attitude, QuestionRole, QuestionType, TaskStatus
from ..forms import AttemptForm, CancelForm
from ..models import CallbackTask, FollowUp
from .queue import form_errors, user_name

SCRIPT_KEYS = ["callbacks.hotline_number", "callbacks.score_range", "callbacks.attitude_scale"]


def _url(name: str, *args: Any) -> str:
    """A page of another app when it exists (the page links to it)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def attitude_labels(raw: Any) -> dict[str, str]:
    """CB-03: the labels of the three attitude levels — the center's callbacks.attitude_scale (three words, best
    first) where it is set that way, else the built-in ones."""
    values = list(Attitude.values)
    if isinstance(raw, list) and len(raw) == len(values) and all(isinstance(x, str) and x.strip() for x in raw):
        return dict(zip(values, [x.strip() for x in raw], strict=True))
    return {k: str(v) for k, v in Attitude.choices}


def present_questions(
    questions: list[dict[str, Any]],
    *,
    scale: tuple[int, int],
    labels: dict[str, str],
    values: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
) -> list[dict[str, Any]]:
    """The questionnaire's questions as the page prints them: options (value, label, checked), the answer given,
    the errors of the last submit (by question code)."""
    values = values or {}
    errors = errors or {}
    out = []
    for index, q in enumerate(questions):
        code = str(q.get("code"))
        kind = q.get("type")
        given = values.get(code)
        given_text = "" if given is None else ("yes" if given is True else "no" if given is False else str(given))
        options: list[tuple[str, str]] = []
        if kind == QuestionType.YES_NO:
            options = [("yes", _("是")), ("no", _("否"))]
        elif kind == QuestionType.CHOICE:
            if q.get("role") == QuestionRole.ATTITUDE:
                options = [(str(c), labels.get(str(c), str(c))) for c in q.get("choices") or []]
            else:
                options = [(str(c), str(c)) for c in q.get("choices") or []]
        elif kind == QuestionType.SCORE:
            try:
                low, high = int(q.get("min", scale[0])), int(q.get("max", scale[1]))
            except (TypeError, ValueError):
                low, high = scale
            options = [(str(n), str(n)) for n in range(low, high + 1)]
        out.append(
            {
                "code": code,
                "number": index + 1,
                "name": f"q_{code}",
                "label": q.get("label", code),
                "type": kind,
                "role": q.get("role", QuestionRole.OTHER),
                "required": bool(q.get("required")),
                "clause": q.get("clause", ""),
                "options": [(v, label, v == given_text) for v, label in options],
                "value": given_text,
                "answer_label": next((label for v, label in options if v == given_text), given_text),
                "errors": errors.get(code, []),
            }
        )
    return out


def _context(
    request: HtmxHttpRequest,
    task: CallbackTask,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    error_message: str = "",
    attempt_form: AttemptForm | None = None,
    cancel_form: CancelForm | None = None,
    open_form: str = "",
) -> dict[str, Any]:
    now = timezone.now()
    center = task.organization
    user = request.user
    done = task.status != TaskStatus.PENDING
    questionnaire = task.questionnaire if done and task.questionnaire else services.questionnaire_for(center)
    params = resolve_many(SCRIPT_KEYS, org=center, at=now)
    hotline = params["callbacks.hotline_number"].value
    scale = policies.score_range(params["callbacks.score_range"].value)
    labels = attitude_labels(params["callbacks.attitude_scale"].value)
    can_make = has_permission_in(user=user, permission=selectors.MAKE, organization=center)
    can_manage = has_permission_in(user=user, permission=selectors.MANAGE, organization=center)
    claimed = task.claimed_by_id is not None and task.claimed_until is not None and task.claimed_until > now
    mine = claimed and task.claimed_by_id == user.pk
    order = task.order
    fee_status = task.customer.fee_status
    followup = selectors.task_followup(task)
    questions = present_questions(
        questionnaire.questions,
        scale=scale,
        labels=labels,
        values=values if values is not None else (task.answers if done else {}),
        errors=errors,
    )
    attempts = selectors.task_attempts(task=task)
    result_labels = {k: str(v) for k, v in AttemptResult.choices}
    for attempt in attempts:
        attempt.result_label = result_labels.get(attempt.result, attempt.result)  # type: ignore[attr-defined]
    with timezone.override(zone_of(center)):
        default_appointment = timezone.localtime(now).replace(second=0, microsecond=0)
    return {
        "task": task,
        "now": now,
        "center": center,
        "order": order,
        "order_url": _url("workorders:order_detail", order.pk) if order else "",
        "customer_url": _url("customers:detail", task.customer_id),
        "phone_shown": task.phone if can_make else mask_phone(task.phone),
        "technician_name": task.technician.name if task.technician is not None else "",
        "questionnaire": questionnaire,
        "questions": questions,
        "opening": policies.render_script(questionnaire.opening, center=center.name, hotline=hotline),
        "closing": policies.render_script(questionnaire.closing, center=center.name, hotline=hotline),
        "fee_reminder": questionnaire.fee_reminder,
        "fee_status": fee_status,
        "fee_status_label": task.customer.get_fee_status_display(),
        "fee_unpaid": fee_status == "unpaid",
        "hotline_missing": not hotline,
        "charges": {
            "total": order.fee_total if order else Decimal("0"),
            "path": order.get_payment_path_display() if order else "",
            "collected": order.collected_amount if order else None,
        },
        "attempts": attempts,
        "followup": followup,
        "followup_url": _url("callbacks:followup_detail", followup.pk) if followup else "",
        "claimed": claimed,
        "mine": mine,
        "claimed_name": user_name(task.claimed_by) if claimed else "",
        "completed_name": user_name(task.completed_by),
        "done": done,
        "can_make": can_make,
        "can_manage": can_manage,
        "calling": not done and mine and can_make,
        "can_claim": not done and can_make and not (claimed and not mine),
        "attempt_form": attempt_form or AttemptForm(initial={"result": AttemptResult.NOT_CONVENIENT}),
        "cancel_form": cancel_form or CancelForm(),
        "open_form": open_form,
        "errors_shown": bool(errors),
        "error_message": error_message,
        "min_appointment": default_appointment.strftime("%Y-%m-%dT%H:%M"),
        "queue_url": reverse("callbacks:queue"),
    }


def _page(request: HtmxHttpRequest, task: CallbackTask, *, status: int = 200, **extra: Any) -> HttpResponse:
    return render(request, "callbacks/call.html", _context(request, task, **extra), status=status)


def _may_make(request: HtmxHttpRequest, task: CallbackTask) -> None:
    if not has_permission_in(user=request.user, permission=selectors.MAKE, organization=task.organization):
        raise PermissionDenied


def _next(request: HtmxHttpRequest, task: CallbackTask) -> HttpResponse:
    """After a call: the next due callback of the center nobody else is making («下一个»), else the queue."""
    following = selectors.next_due_task(
        user=request.user, organization=task.organization, now=timezone.now(), exclude=task.pk
    )
    if following is not None:
        return redirect("callbacks:call", pk=following.pk)
    messages.info(request, _("队列中暂时没有到期的回访"))
    return redirect(reverse("callbacks:queue") + f"?center={task.organization_id}")


def _local(at: datetime | None, task: CallbackTask) -> str:
    return timezone.localtime(at, zone_of(task.organization)).strftime("%m-%d %H:%M") if at else ""


@login_required
@require_GET
def call_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """回访: the task, its order and calls; the script for the clerk who is making the call."""
    return _page(request, selectors.access_task(user=request.user, pk=pk))


@login_required
@require_POST
def call_claim_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """开始回访: the task is the caller's for callbacks.claim_minutes; someone else's call is refused (409 in place
    through htmx, a message on the page otherwise)."""
    task = selectors.access_task(user=request.user, pk=pk)
    _may_make(request, task)
    try:
        services.task_claim(actor=request.user, task_id=task.pk)
    except NotAllowed:
        raise PermissionDenied from None
    except DomainError as exc:
        if request.htmx:
            context = {"task": task, "message": exc.message, "conflict": isinstance(exc, Conflict)}
            return render(request, "callbacks/call_claim.html", context, status=exc.status_code)
        messages.warning(request, exc.message)
        return redirect("callbacks:call", pk=task.pk)
    url = reverse("callbacks:call", args=[task.pk])
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


@login_required
@require_POST
def call_release_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """稍后再打: give the task back to the queue without recording a call."""
    task = selectors.access_task(user=request.user, pk=pk)
    _may_make(request, task)
    services.task_release(actor=request.user, task_id=task.pk)
    messages.info(request, _("已放回回访队列"))
    return redirect(reverse("callbacks:queue") + f"?center={task.organization_id}")


@login_required
@require_POST
def call_answer_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """提交回访记录 (CB-02…CB-07, G-03): the answers by question code (inputs q_<code>); a bad answer re-shows the
    page with the message beside the question (400, nothing saved)."""
    task = selectors.access_task(user=request.user, pk=pk)
    _may_make(request, task)
    questionnaire = services.questionnaire_for(task.organization)
    raw = {str(q.get("code")): request.POST.get(f"q_{q.get('code')}", "") for q in questionnaire.questions}
    try:
        done = services.task_answer(actor=request.user, task_id=task.pk, answers=raw)
    except NotAllowed:
        raise PermissionDenied from None
    except Conflict as exc:
        task.refresh_from_db()
        if task.status == TaskStatus.DONE and task.completed_by_id == request.user.pk:
            return _next(request, task)  # a double submit: the first one was recorded
        messages.warning(request, exc.message)
        return redirect("callbacks:call", pk=task.pk)
    except DomainError as exc:
        return _page(request, task, status=exc.status_code, values=raw, errors=exc.fields, error_message=exc.message)
    text = _("已完成回访：%(name)s") % {"name": done.customer_name}
    extra = []
    if done.fee_reminder_shown:
        extra.append(_("已提醒缴费（CB-07）"))
    if done.charge_mismatch:
        extra.append(done.charge_note)
    if FollowUp.objects.filter(task=done).exists():
        extra.append(_("已生成回访跟进，交中心经理处理（G-03）"))
    messages.success(request, "；".join([text, *extra]))
    return _next(request, done)


@login_required
@require_POST
def call_attempt_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A call without the answers: 不方便 with the appointment (CB-01), or 无人接听 / 占线 / 号码错误 (re-queued
    after callbacks.retry_interval_minutes; unreachable after callbacks.max_attempts)."""
    task = selectors.access_task(user=request.user, pk=pk)
    _may_make(request, task)
    with timezone.override(zone_of(task.organization)):
        form = AttemptForm(request.POST)
        valid = form.is_valid()
    if not valid:
        return _page(request, task, status=400, attempt_form=form, open_form="appointment")
    data = form.cleaned_data
    try:
        done = services.task_record_attempt(
            actor=request.user,
            task_id=task.pk,
            result=data["result"],
            note=data["note"],
            appointment_at=data.get("appointment_at"),
        )
    except NotAllowed:
        raise PermissionDenied from None
    except Conflict as exc:
        messages.warning(request, exc.message)
        return redirect("callbacks:call", pk=task.pk)
    except DomainError as exc:
        form_errors(form, exc)
        return _page(request, task, status=exc.status_code, attempt_form=form, open_form="appointment")
    if data["result"] == AttemptResult.NOT_CONVENIENT:
        messages.success(
            request,
            _("客户不方便，已预约 %(at)s 再回访（CB-01）") % {"at": _local(done.appointment_at, done)},
        )
    elif done.status == TaskStatus.UNREACHABLE:
        messages.warning(request, _("回访结束：无法联系。%(why)s") % {"why": done.closed_note})
    else:
        messages.info(
            request,
            _("第 %(n)s 次未接通，%(at)s 再拨") % {"n": done.attempts, "at": _local(done.next_attempt_at, done)},
        )
    return _next(request, done)


@login_required
@require_POST
def call_cancel_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """取消回访 (manager): a callback that no longer applies ends as cancelled, with the reason."""
    task = selectors.access_task(user=request.user, pk=pk)
    if not has_permission_in(user=request.user, permission=selectors.MANAGE, organization=task.organization):
        raise PermissionDenied
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _page(request, task, status=400, cancel_form=form, open_form="cancel")
    try:
        services.task_cancel(actor=request.user, task_id=task.pk, reason=form.cleaned_data["reason"])
    except NotAllowed:
        raise PermissionDenied from None
    except Conflict as exc:
        messages.warning(request, exc.message)
        return redirect("callbacks:call", pk=task.pk)
    except DomainError as exc:
        form_errors(form, exc)
        return _page(request, task, status=exc.status_code, cancel_form=form, open_form="cancel")
    messages.success(request, _("已取消回访：%(name)s") % {"name": task.customer_name})
    return redirect("callbacks:call", pk=task.pk)
