"""Every state change of the approvals engine (STYLE.md §2.5): submit, decide, resubmit, withdraw, remind.

Each service locks what it changes (the request row first, then its steps), checks the policy, writes, records one
AuditEvent per business event with the clause, and notifies through notifications.services.notify (which writes
the in-app messages in this transaction and sends external channels only after commit).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from servicecenter.core import audit
from servicecenter.core.errors import Conflict, NotAllowed, ValidationFailed, full_clean_or_raise
from servicecenter.notifications.services import notifications_settle, notify
from servicecenter.org.models import Organization, Staff
from servicecenter.policy.values import value

from . import policies, selectors
from .choices import ApprovalRequestStatus, ApprovalStepStatus, StepDecision
from .kinds import RouteContext, get_kind
from .lock_objects import approval_request_qs_select_for_update, approval_step_qs_select_for_update
from .models import ApprovalNotice, ApprovalRequest, ApprovalStep

R = ApprovalRequestStatus
St = ApprovalStepStatus

# Reminder sweep (every 15 minutes): at most this many steps per run. One reminder is ~6 queries (lock, save,
# notify, audit), so 500 take about a second on PostgreSQL; a larger backlog drains over the next runs.
REMINDER_BATCH = 500


# --- helpers -----------------------------------------------------------------------------------------------------


def _user(actor: Any) -> Any:
    """Services accept a user or a Staff row as `actor`; the audit and the steps store the user."""
    return getattr(actor, "user", actor) if actor is not None else None


def person_name(user: Any) -> str:
    """How a person is shown: their name (the staff name is the login's first name), else the login name."""
    if user is None:
        return ""
    return (user.first_name or user.get_username()).strip()


def _link(request: ApprovalRequest) -> str:
    return reverse("approvals:request_detail", args=[request.pk])


def _clock(at: datetime, now: datetime) -> str:
    local, today = timezone.localtime(at), timezone.localtime(now)
    return f"{local:%H:%M}" if local.date() == today.date() else f"{local:%m-%d %H:%M}"


def _clause(*codes: str) -> str:
    return "、".join(dict.fromkeys(code for part in codes for code in part.split("、") if code))


def _resolution_origin(*, user: Any, organization: Organization) -> Organization:
    """Where role resolution starts: the requester's own unit when it lies inside the request's organization
    (a team under the center finds its team leader first), else the request's organization."""
    staff = Staff.objects.filter(user=user).select_related("organization").first()
    if staff is not None and staff.organization.path.startswith(organization.path):
        return staff.organization
    return organization


def _escalation(*, organization: Organization, at: datetime) -> dict[str, str]:
    escalation = value("approvals.escalation_roles", org=organization, at=at).value or {}
    return {str(k): str(v) for k, v in escalation.items()} if isinstance(escalation, dict) else {}


class _Resolver:
    """Resolves route roles to people for one request (one role-holder query, cached)."""

    def __init__(self, *, request: ApprovalRequest, roles: list[str], at: datetime) -> None:
        self.request = request
        self.escalation = _escalation(organization=request.organization, at=at)
        self.origin = _resolution_origin(user=request.requested_by, organization=request.organization)
        codes = set(roles) | set(self.escalation) | set(self.escalation.values())
        self.holders = selectors.role_holders_up_tree(organization=self.origin, role_codes=codes)
        self.names = selectors.role_names(codes=codes)
        self._admins: list[int] | None = None

    def choose(self, *, role_code: str, later_roles: list[str]) -> policies.ApproverChoice:
        choice = policies.choose_approver(
            role_code=role_code,
            holders=self.holders,
            requester_id=self.request.requested_by_id,
            escalation=self.escalation,
            later_roles=later_roles,
            role_names=self.names,
        )
        if choice.user_id is not None or choice.skip:
            return choice
        # C-11 fallback: nobody holds the role — the nearest system administrator takes it, flagged.
        if self._admins is None:
            self._admins = selectors.fallback_admins(organization=self.origin)
        admins = [user_id for user_id in self._admins if user_id != self.request.requested_by_id]
        if not admins:
            raise ValidationFailed(
                f"没有人担任“{self.names.get(role_code, role_code)}”，也没有系统管理员可以处理，请先配置角色",
                clause="C-11",
            )
        return policies.ApproverChoice(role_code=role_code, user_id=admins[0], flag=choice.flag, note=choice.note)


def _add_flag(request: ApprovalRequest, flag: str) -> None:
    if flag and flag not in request.route_flags:
        request.route_flags = [*request.route_flags, flag]


def _activate(
    *,
    request: ApprovalRequest,
    step: ApprovalStep,
    later_roles: list[str],
    actor: Any,
    now: datetime,
    resolver: _Resolver | None = None,
) -> bool:
    """Make `step` pending: resolve its role again (role holders may have changed since submission), hand it to the
    assignee's delegate when a delegation is in force (ORG-13), notify whoever must act. Returns False when the
    step turns out to be skipped (the requester holds its role and a later step is the escalation)."""
    resolver = resolver or _Resolver(request=request, roles=[step.route_role], at=now)
    choice = resolver.choose(role_code=step.route_role, later_roles=later_roles)
    if choice.skip:
        step.status, step.assignee, step.resolution_note = St.SKIPPED, None, choice.note
        step.save(update_fields=["status", "assignee", "resolution_note", "updated_at"])
        return False
    _add_flag(request, choice.flag)
    step.role_code = choice.role_code
    step.assignee_id = choice.user_id
    step.acting_for = None
    step.delegation = None
    step.resolution_note = choice.note
    step.status = St.PENDING
    step.activated_at = now
    step.decided_by, step.decided_at, step.comment = None, None, ""
    step.last_reminded_at, step.reminder_count = None, 0
    delegation = policies.active_delegation(
        delegations=selectors.delegations_from(principal_ids=[choice.user_id], at=now).get(choice.user_id, []),
        at=now,
        requester_id=request.requested_by_id,
    )
    if delegation is not None:
        step.acting_for_id = choice.user_id
        step.assignee_id = delegation.delegate_id
        step.delegation = delegation
    step.save()
    if delegation is not None:
        # The hand-over is the system applying the principal's delegation, not an act of whoever triggered it.
        audit.record(
            actor=None,
            verb="approvals.step.delegated",
            target=request,
            changes={"step": [None, step.order], "assignee": [choice.user_id, delegation.delegate_id]},
            clause="ORG-13",
            note=f"系统按委托转交：{person_name(delegation.delegate)} 代 {person_name(step.acting_for)} 审批",
        )
    request.current_step_order = step.order
    notify(
        recipients=[step.assignee],
        title=f"待您审批：{request.title}",
        body=f"{request.requested_by_name} 提交的{get_kind(request.kind).label}，第 {step.order} 步",
        verb="approvals.step.assigned",
        link=_link(request),
        target=request,
        organization=request.organization,
        actor=_user(actor),
    )
    return True


def _activate_from(
    *,
    request: ApprovalRequest,
    steps: list[ApprovalStep],
    start: int,
    actor: Any,
    now: datetime,
    resolver: _Resolver | None = None,
) -> bool:
    """Activate the first step from index `start` that is not skipped. False when no step is left."""
    for index in range(start, len(steps)):
        step = steps[index]
        if step.status == St.SKIPPED:
            continue
        later = [s.route_role for s in steps[index + 1 :] if s.status != St.SKIPPED]
        if _activate(request=request, step=step, later_roles=later, actor=actor, now=now, resolver=resolver):
            return True
    return False


def _notify_parties(*, request: ApprovalRequest, event: str, title: str, body: str = "", actor: Any) -> None:
    """ORG-06: tell the requester and the notify-only parties what they must know about `event`."""
    notice_ids = list(request.notices.values_list("user_id", flat=True))
    recipient_ids = policies.notice_recipients(
        event=event, requester_id=request.requested_by_id, notice_user_ids=notice_ids
    )
    actor_user = _user(actor)
    recipient_ids = [uid for uid in recipient_ids if actor_user is None or uid != actor_user.pk]
    if not recipient_ids:
        return
    from django.contrib.auth import get_user_model

    notify(
        recipients=get_user_model().objects.filter(pk__in=recipient_ids),
        title=title,
        body=body,
        verb=f"approvals.request.{event}",
        link=_link(request),
        target=request,
        organization=request.organization,
        actor=actor_user,
    )


def _finish(request: ApprovalRequest) -> None:
    """The kind's reaction to a final status, inside this transaction (kinds.py documents the contract)."""
    kind = get_kind(request.kind)
    if kind.on_decided is not None:
        kind.on_decided(request)


# --- services ----------------------------------------------------------------------------------------------------


@transaction.atomic
def request_submit(
    *,
    actor: Any,
    kind: str,
    organization: Organization,
    title: str,
    description: str = "",
    payload: Mapping[str, Any] | None = None,
    subject: Model | None = None,
    now: datetime | None = None,
) -> ApprovalRequest:
    """Submit a request of a registered `kind` to `organization` (the requester's service center).

    The kind builds the route (role codes, notify-only roles, clause, fallback flag: C-03); each role resolves to
    the nearest holder up the organization tree, never the requester (ORG-05, C-11; nobody → nearest system
    administrator, flagged `no_approver`); the first step becomes pending (to a delegate when one is in force,
    ORG-13) and its approver is notified, as are the notify-only parties (ORG-06).

    Raises:
        NotAllowed: the actor may not submit requests in `organization` (approvals.add_approvalrequest).
        ValidationFailed: unknown kind, bad title or payload (with `fields`).
    """
    now = now or timezone.now()
    user = _user(actor)
    spec = get_kind(kind)
    if not selectors.can_submit(user=user, organization=organization):
        raise NotAllowed("您没有在该组织提交审批的权限")
    title = (title or "").strip()
    if not title:
        raise ValidationFailed("请填写标题", fields={"title": ["请填写标题"]})
    payload = dict(payload or {})
    route = spec.route_builder(
        RouteContext(organization=organization, requested_by=user, payload=payload, subject=subject, at=now)
    )
    staff = Staff.objects.filter(user=user).only("name").first()
    request = ApprovalRequest(
        organization=organization,
        kind=spec.code,
        title=title,
        description=(description or "").strip(),
        payload=payload,
        requested_by=user,
        requested_by_name=(staff.name if staff else person_name(user))[:100],
        status=R.PENDING,
        route_clause=route.clause[:100],
        route_citation=route.citation,
        route_flags=[route.flag] if route.flag else [],
        route_message=route.message[:300],
        submitted_at=now,
    )
    if subject is not None:
        request.subject_type = ContentType.objects.get_for_model(subject)
        request.subject_id = str(subject.pk)
    full_clean_or_raise(request)
    request.save()

    # Preview the whole route now (so the requester sees who will approve); each step is resolved again when it
    # becomes pending.
    resolver = _Resolver(request=request, roles=[*route.steps, *route.notify], at=now)
    steps: list[ApprovalStep] = []
    for index, role in enumerate(route.steps):
        later = list(route.steps[index + 1 :])
        choice = resolver.choose(role_code=role, later_roles=later)
        _add_flag(request, choice.flag)
        steps.append(
            ApprovalStep(
                request=request,
                order=index + 1,
                route_role=role,
                role_code=choice.role_code,
                assignee_id=choice.user_id,
                status=St.SKIPPED if choice.skip else St.WAITING,
                resolution_note=choice.note,
            )
        )
    ApprovalStep.objects.bulk_create(steps)
    notices = []
    for role in route.notify:
        levels = resolver.holders.get(role, [])
        nearest = [uid for uid in (levels[0] if levels else []) if uid != user.pk]
        notices += [ApprovalNotice(request=request, role_code=role, user_id=uid) for uid in nearest]
    ApprovalNotice.objects.bulk_create(notices, ignore_conflicts=True)

    if not _activate_from(request=request, steps=steps, start=0, actor=user, now=now, resolver=resolver):
        raise ValidationFailed("审批路由没有可处理的步骤", clause=route.clause)
    request.save(update_fields=["route_flags", "current_step_order", "updated_at"])
    audit.record(
        actor=user,
        verb="approvals.request.submitted",
        target=request,
        changes={
            "status": [None, R.PENDING],
            "route": [None, [s.route_role for s in steps]],
            "assignees": [None, [s.assignee_id for s in steps]],
            "notify": [None, [n.user_id for n in notices]],
            "route_flags": [None, request.route_flags],
        },
        clause=_clause(route.clause),
        note="；".join(filter(None, [route.message, *(s.resolution_note for s in steps)])),
    )
    _notify_parties(request=request, event="submitted", title=f"报备：{request.title}", actor=user)
    return request


# Notifications that ask someone to act on a request; settled (marked read) once that action is moot.
SETTLED_VERBS = ("approvals.step.assigned", "approvals.step.reminded")


@transaction.atomic
def step_decide(
    *, actor: Any, step_id: int, decision: str, comment: str = "", now: datetime | None = None
) -> ApprovalStep:
    """Approve, reject or return one pending step.

    Locks the request, then the step. Only the step's assignee, the principal it was delegated from, or someone
    the assignee has delegated to right now may decide (ORG-13), never the requester (ORG-05). Approving moves
    the request to its next step (resolved and notified) or approves it; rejecting ends it; returning sends it
    back to the requester, who may resubmit. Reject and return need a comment. A final decision calls the kind's
    `on_decided` and tells the requester and the notify-only parties (ORG-06).

    Raises:
        Conflict: the step was already decided (two people, or a double click): «该审批已由 X 于 HH:MM 处理».
        NotAllowed: the actor may not decide this step.
        ValidationFailed: unknown decision, or reject/return without a comment.
    """
    now = now or timezone.now()
    user = _user(actor)
    if decision not in StepDecision.values:
        raise ValidationFailed("无效的审批操作", fields={"decision": ["请选择同意、驳回或退回"]})
    comment = (comment or "").strip()
    request_id = ApprovalStep.objects.filter(pk=step_id).values_list("request_id", flat=True).get()
    request = approval_request_qs_select_for_update().get(pk=request_id)
    step = approval_step_qs_select_for_update().get(pk=step_id)

    authority = policies.decide_authority(
        actor_id=user.pk,
        requester_id=request.requested_by_id,
        assignee_id=step.assignee_id or 0,
        acting_for_id=step.acting_for_id,
        delegators_of_actor=selectors.delegators_of(user=user, at=now),
    )
    if not authority.allowed:
        raise NotAllowed(authority.reason, clause=authority.clause)
    if step.status != St.PENDING or request.status != R.PENDING:
        raise Conflict(_conflict_message(request=request, step=step, now=now), clause="ORG-13")
    if policies.comment_required(decision) and not comment:
        raise ValidationFailed("驳回或退回时必须填写意见", fields={"comment": ["驳回或退回时必须填写意见"]})

    old_step, old_request = step.status, request.status
    # The «待您审批» and reminder notifications of this request are done with; the next step gets its own.
    notifications_settle(target=request, verbs=SETTLED_VERBS, now=now)
    step.status = policies.DECISION_STEP_STATUS[decision]
    step.decided_by = user
    step.decided_at = now
    step.comment = comment
    step.acting_for_id = authority.on_behalf_of_id
    step.save(update_fields=["status", "decided_by", "decided_at", "comment", "acting_for", "updated_at"])

    steps = list(approval_step_qs_select_for_update().filter(request=request))
    if decision == StepDecision.APPROVE:
        index = next(i for i, s in enumerate(steps) if s.pk == step.pk)
        if not _activate_from(request=request, steps=steps, start=index + 1, actor=user, now=now):
            request.status = R.APPROVED
    elif decision == StepDecision.REJECT:
        request.status = R.REJECTED
        ApprovalStep.objects.filter(request=request, status=St.WAITING).update(status=St.SKIPPED, updated_at=now)
    else:
        request.status = R.RETURNED
    if request.status in (R.APPROVED, R.REJECTED):
        request.decided_at = now
        request.current_step_order = None
    request.save(update_fields=["status", "decided_at", "current_step_order", "route_flags", "updated_at"])

    changes: dict[str, list[Any]] = {"step_status": [old_step, step.status]}
    if request.status != old_request:
        changes["status"] = [old_request, request.status]
    if request.current_step_order != step.order:
        changes["current_step_order"] = [step.order, request.current_step_order]
    if step.acting_for_id:
        changes["acting_for"] = [None, step.acting_for_id]
    audit.record(
        actor=user,
        verb=f"approvals.step.{step.status}",
        target=request,
        changes=changes,
        clause=_clause(request.route_clause, authority.clause),
        note=comment,
    )
    label = StepDecision(decision).label
    who = person_name(user) + (f"（代 {person_name(step.acting_for)}）" if step.acting_for_id else "")
    if request.status in (R.APPROVED, R.REJECTED):
        _finish(request)
        _notify_parties(
            request=request,
            event="decided",
            title=f"审批{request.get_status_display()}：{request.title}",
            body=f"{who}：{label}" + (f"。意见：{comment}" if comment else ""),
            actor=user,
        )
    elif request.status == R.RETURNED:
        _notify_parties(
            request=request,
            event="returned",
            title=f"申请被退回：{request.title}",
            body=f"{who} 退回，意见：{comment}",
            actor=user,
        )
    return step


def _conflict_message(*, request: ApprovalRequest, step: ApprovalStep, now: datetime) -> str:
    if step.is_decided and step.decided_by_id:
        who = person_name(step.decided_by)
        if step.acting_for_id:
            who += f"（代 {person_name(step.acting_for)}）"
        return f"该审批已由 {who} 于 {_clock(step.decided_at, now)} 处理（{step.get_status_display()}），无需重复操作"
    if request.status == R.WITHDRAWN:
        return "该申请已被申请人撤回"
    if request.status == R.REJECTED:
        return "该申请已被驳回，无需再审批"
    return "该步骤当前不在待审批状态"


@transaction.atomic
def request_resubmit(
    *, actor: Any, request_id: int, description: str | None = None, now: datetime | None = None
) -> ApprovalRequest:
    """After a return, the requester resubmits (optionally with a new description); the route restarts at the
    step that returned it, resolved again (and delegated when a delegation is in force)."""
    now = now or timezone.now()
    user = _user(actor)
    request = approval_request_qs_select_for_update().get(pk=request_id)
    if request.requested_by_id != user.pk:
        raise NotAllowed("只有申请人可以重新提交")
    if request.status != R.RETURNED:
        raise Conflict("只有被退回的申请可以重新提交")
    steps = list(approval_step_qs_select_for_update().filter(request=request))
    index = next(i for i, s in enumerate(steps) if s.order == request.current_step_order)
    changes: dict[str, list[Any]] = {"status": [R.RETURNED, R.PENDING]}
    if description is not None and description.strip() != request.description:
        changes["description"] = [request.description, description.strip()]
        request.description = description.strip()
    request.status = R.PENDING
    if not _activate_from(request=request, steps=steps, start=index, actor=user, now=now):
        raise ValidationFailed("审批路由没有可处理的步骤")
    request.save(update_fields=["status", "description", "current_step_order", "route_flags", "updated_at"])
    audit.record(
        actor=user,
        verb="approvals.request.resubmitted",
        target=request,
        changes={**changes, "step": [None, request.current_step_order]},
        clause=_clause(request.route_clause),
    )
    return request


@transaction.atomic
def request_withdraw(*, actor: Any, request_id: int, now: datetime | None = None) -> ApprovalRequest:
    """The requester withdraws a pending or returned request: open steps are skipped, the pending approver is told,
    the kind's `on_decided` hook runs (status withdrawn)."""
    now = now or timezone.now()
    user = _user(actor)
    request = approval_request_qs_select_for_update().get(pk=request_id)
    if request.requested_by_id != user.pk:
        raise NotAllowed("只有申请人可以撤回申请")
    if not policies.can_transition(from_status=request.status, to_status=R.WITHDRAWN):
        raise Conflict(f"该申请{request.get_status_display()}，不能撤回")
    steps = list(approval_step_qs_select_for_update().filter(request=request))
    waiting_on = [s for s in steps if s.status == St.PENDING]
    for step in steps:
        if step.status in (St.PENDING, St.WAITING):
            step.status = St.SKIPPED
            step.save(update_fields=["status", "updated_at"])
    old = request.status
    request.status = R.WITHDRAWN
    notifications_settle(target=request, verbs=SETTLED_VERBS, now=now)
    request.decided_at = now
    request.current_step_order = None
    request.save(update_fields=["status", "decided_at", "current_step_order", "updated_at"])
    audit.record(
        actor=user,
        verb="approvals.request.withdrawn",
        target=request,
        changes={"status": [old, R.WITHDRAWN]},
        clause=_clause(request.route_clause),
    )
    _finish(request)
    people = [p for s in waiting_on for p in (s.assignee, s.acting_for) if p is not None]
    if people:
        notify(
            recipients=people,
            title=f"申请已撤回：{request.title}",
            body=f"{request.requested_by_name} 撤回了申请，无需再审批",
            verb="approvals.request.withdrawn",
            link=_link(request),
            target=request,
            organization=request.organization,
            actor=user,
        )
    return request


def approvals_send_reminders(*, now: datetime) -> int:
    """Remind the approvers of steps pending for `approvals.reminder_hours` (per organization) since they became
    pending or since the last reminder; returns how many steps were reminded.

    Idempotent: a step is reminded at most once per interval (`last_reminded_at`), and each reminder carries a
    dedupe key, so a second run at the same `now`, or a retried task, sends nothing twice. Each step is handled
    in its own transaction (one failure does not undo the others); a step locked by a decision in progress is
    skipped and picked up by the next run.
    """
    floor = now - timedelta(hours=1)  # reminder_hours is at least 1: rows younger than that are never due
    candidates = list(
        ApprovalStep.objects.filter(status=St.PENDING, activated_at__lte=floor)
        .exclude(last_reminded_at__gt=floor)
        .order_by("activated_at", "id")
        .values_list("pk", "request__organization_id")[:REMINDER_BATCH]
    )
    hours_by_org: dict[int, int] = {}
    orgs = Organization.objects.in_bulk({org_id for _, org_id in candidates})
    reminded = 0
    for step_id, org_id in candidates:
        if org_id not in hours_by_org:
            hours_by_org[org_id] = int(value("approvals.reminder_hours", org=orgs[org_id], at=now).value or 24)
        if _remind_step(step_id=step_id, hours=hours_by_org[org_id], now=now):
            reminded += 1
    return reminded


@transaction.atomic
def _remind_step(*, step_id: int, hours: int, now: datetime) -> bool:
    step = (
        ApprovalStep.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("request", "assignee")
        .filter(pk=step_id, status=St.PENDING)
        .first()
    )
    if step is None or not policies.reminder_due(
        activated_at=step.activated_at, last_reminded_at=step.last_reminded_at, hours=hours, now=now
    ):
        return False
    request = step.request
    step.reminder_count += 1
    step.last_reminded_at = now
    step.save(update_fields=["reminder_count", "last_reminded_at", "updated_at"])
    stand_ins = selectors.delegations_from(principal_ids=[step.assignee_id], at=now).get(step.assignee_id, [])
    waited = int((now - step.activated_at).total_seconds() // 3600)
    notify(
        recipients=[step.assignee, *(d.delegate for d in stand_ins)],
        title=f"催办：{request.title}",
        body=f"{request.requested_by_name} 的申请已等待您审批 {waited} 小时",
        verb="approvals.step.reminded",
        link=_link(request),
        target=request,
        organization=request.organization,
        dedupe_key=f"approvals.remind:{step.pk}:{int(step.activated_at.timestamp())}:{step.reminder_count}",
    )
    audit.record(
        actor=None,
        verb="approvals.step.reminded",
        target=request,
        changes={"reminder_count": [step.reminder_count - 1, step.reminder_count]},
        note=f"approvals_send_reminders：第 {step.order} 步",
    )
    return True
