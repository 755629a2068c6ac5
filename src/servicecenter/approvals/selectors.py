"""Every read of the approvals engine (STYLE.md §2.8): what a user may see, and what waits for them.

A request is visible to its requester, to every person on its route (assignee, principal, decider, the current
stand-in of an assignee), to its notify-only parties, and to holders of `approvals.view_all_requests` over its
organization (scoped by core.access). Anything else is "not found" (404).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from servicecenter.core.access import has_permission_in, organizations_where, scope
from servicecenter.core.errors import ValidationFailed
from servicecenter.core.models import AuditEvent
from servicecenter.org.models import Delegation, Organization, Role, RoleAssignment, Staff

from .choices import ApprovalRequestStatus, ApprovalStepStatus
from .models import ApprovalNotice, ApprovalRequest, ApprovalStep

VIEW_ALL = "approvals.view_all_requests"
SUBMIT = "approvals.add_approvalrequest"


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_active


def _delegators_now(*, user: Any, at: datetime) -> QuerySet:
    """Ids of the principals whose delegation to `user` is in force at `at` (ORG-13), as a subquery."""
    return Delegation.objects.filter(delegate=user, is_active=True, starts_at__lte=at, ends_at__gt=at).values(
        "principal_id"
    )


def steps_awaiting(*, user: Any, at: datetime | None = None) -> QuerySet[ApprovalStep]:
    """The pending steps `user` may decide now, oldest first: assigned to them, delegated away from them (they may
    still act when back early), or assigned to someone who has delegated to them right now (ORG-13).

    One query with its request, organization and people loaded; callers slice and count it (home page, inbox).
    """
    if not _signed_in(user):
        return ApprovalStep.objects.none()
    at = at or timezone.now()
    return (
        ApprovalStep.objects.filter(status=ApprovalStepStatus.PENDING)
        .filter(Q(assignee=user) | Q(acting_for=user) | Q(assignee_id__in=_delegators_now(user=user, at=at)))
        .exclude(request__requested_by=user)
        .select_related("request", "request__organization", "assignee", "acting_for")
        .order_by("activated_at", "id")
    )


def steps_decided_by(*, user: Any) -> QuerySet[ApprovalStep]:
    """The steps `user` has decided (我已处理), newest first."""
    if not _signed_in(user):
        return ApprovalStep.objects.none()
    return (
        ApprovalStep.objects.filter(decided_by=user)
        .select_related("request", "request__organization", "assignee", "acting_for", "decided_by")
        .order_by("-decided_at", "-id")
    )


def _participant_request_ids(*, user: Any, at: datetime) -> Q:
    on_route = ApprovalStep.objects.filter(
        Q(assignee=user)
        | Q(acting_for=user)
        | Q(decided_by=user)
        | Q(status=ApprovalStepStatus.PENDING, assignee_id__in=_delegators_now(user=user, at=at))
    ).values("request_id")
    noticed = ApprovalNotice.objects.filter(user=user).values("request_id")
    return Q(pk__in=on_route) | Q(pk__in=noticed)


def request_list_visible_to(
    *,
    user: Any,
    filters: Mapping[str, Any] | None = None,
    at: datetime | None = None,
    with_steps: bool = False,
) -> QuerySet[ApprovalRequest]:
    """The requests `user` may see, newest first, narrowed by `filters`:

    - `status`: one of ApprovalRequestStatus (anything else → ValidationFailed, a 400 on the API);
    - `kind`: a kind code; `q`: text in the title; `mine`: only the user's own requests.

    `with_steps` prefetches each request's route with its people (API lists: two queries per page in all).
    """
    if not _signed_in(user):
        return ApprovalRequest.objects.none()
    at = at or timezone.now()
    qs = ApprovalRequest.objects.select_related("organization", "requested_by")
    if not user.is_superuser:
        qs = qs.filter(
            Q(requested_by=user)
            | Q(organization__in=organizations_where(user=user, permission=VIEW_ALL))
            | _participant_request_ids(user=user, at=at)
        )
    filters = filters or {}
    status = (filters.get("status") or "").strip()
    if status:
        if status not in ApprovalRequestStatus.values:
            raise ValidationFailed(_("无效的状态"), fields={"status": [_("无效的状态")]})
        qs = qs.filter(status=status)
    kind = (filters.get("kind") or "").strip()
    if kind:
        qs = qs.filter(kind=kind)
    text = (filters.get("q") or "").strip()
    if text:
        qs = qs.filter(title__icontains=text)
    if filters.get("mine") in (True, "1", "true", "on"):
        qs = qs.filter(requested_by=user)
    if with_steps:
        qs = qs.prefetch_related(
            Prefetch("steps", queryset=ApprovalStep.objects.select_related("assignee", "acting_for", "decided_by"))
        )
    return qs.order_by("-created_at", "-id")


def access_request(*, user: Any, pk: Any, with_steps: bool = False) -> ApprovalRequest:
    """One request `user` may see; anything else (or a missing one) → Http404."""
    return get_object_or_404(request_list_visible_to(user=user, with_steps=with_steps), pk=pk)


def access_step(*, user: Any, pk: Any) -> ApprovalStep:
    """One step of a request `user` may see (whether they may decide it is the service's question) → else Http404."""
    return get_object_or_404(
        ApprovalStep.objects.filter(request__in=request_list_visible_to(user=user).values("pk")).select_related(
            "request", "request__organization", "assignee", "acting_for", "decided_by"
        ),
        pk=pk,
    )


def request_steps(*, request: ApprovalRequest) -> QuerySet[ApprovalStep]:
    """The route of one (already accessed) request, in order, with its people."""
    return request.steps.select_related("assignee", "acting_for", "decided_by").order_by("order")


def request_notices(*, request: ApprovalRequest) -> QuerySet[ApprovalNotice]:
    return request.notices.select_related("user").order_by("id")


def request_history(*, request: ApprovalRequest) -> QuerySet[AuditEvent]:
    """The audit timeline of one (already accessed) request."""
    return AuditEvent.objects.for_target(request).select_related("actor")


def can_submit(*, user: Any, organization: Organization | None) -> bool:
    """May `user` submit requests to `organization`? They need approvals.add_approvalrequest over it, or over their
    own unit inside it (a team member whose role is held on the team submits to their center)."""
    if organization is None or not _signed_in(user):
        return False
    if has_permission_in(user=user, permission=SUBMIT, organization=organization):
        return True
    staff = Staff.objects.filter(user=user).select_related("organization").first()
    return (
        staff is not None
        and staff.organization.path.startswith(organization.path)
        and has_permission_in(user=user, permission=SUBMIT, organization=staff.organization)
    )


def home_organization(*, user: Any) -> Organization | None:
    """The organization a user's requests belong to: their service center, or their own unit above center level."""
    staff = Staff.objects.filter(user=user).select_related("organization").first() if _signed_in(user) else None
    if staff is None:
        return None
    return staff.organization.service_center() or staff.organization


def role_holders_up_tree(*, organization: Organization, role_codes: Iterable[str]) -> dict[str, list[list[int]]]:
    """For each role code, the user ids of its active holders at `organization` and each ancestor, nearest level
    first, in assignment order — one query (C-11, ORG-05). Levels without a holder are left out."""
    codes = sorted(set(role_codes))
    paths = organization.ancestor_paths()
    level_of = {path: i for i, path in enumerate(paths)}
    rows = (
        RoleAssignment.objects.filter(
            role__code__in=codes,
            organization__path__in=paths,
            is_active=True,
            role__is_active=True,
            organization__is_active=True,
            user__is_active=True,
        )
        .order_by("pk")
        .values_list("role__code", "organization__path", "user_id")
    )
    grid: dict[str, list[list[int]]] = {code: [[] for _ in paths] for code in codes}
    for code, path, user_id in rows:
        level = grid[code][level_of[path]]
        if user_id not in level:
            level.append(user_id)
    return {code: [level for level in levels if level] for code, levels in grid.items()}


def role_names(*, codes: Iterable[str]) -> dict[str, str]:
    """Display names of roles by code (center labels, C-11); unknown codes map to themselves."""
    codes = set(codes)
    names = dict(Role.objects.filter(code__in=codes).values_list("code", "name"))
    return {code: names.get(code, code) for code in codes}


def delegations_from(*, principal_ids: Iterable[int], at: datetime) -> dict[int, list[Delegation]]:
    """Delegations in force at `at` given by each of `principal_ids`, for the delegation policy (ORG-13)."""
    out: dict[int, list[Delegation]] = {}
    rows = Delegation.objects.filter(
        principal_id__in=set(principal_ids),
        is_active=True,
        starts_at__lte=at,
        ends_at__gt=at,
        delegate__is_active=True,
    ).select_related("delegate")
    for delegation in rows:
        out.setdefault(delegation.principal_id, []).append(delegation)
    return out


def delegators_of(*, user: Any, at: datetime) -> set[int]:
    """Ids of the principals who have delegated to `user` at `at` (may act on their pending steps, ORG-13)."""
    return set(_delegators_now(user=user, at=at).values_list("principal_id", flat=True))


def delegations_of(*, user: Any, at: datetime | None = None) -> QuerySet[Delegation]:
    """The delegations `user` gave or received that have not ended yet, soonest first (inbox page)."""
    if not _signed_in(user):
        return Delegation.objects.none()
    at = at or timezone.now()
    return (
        Delegation.objects.filter(Q(principal=user) | Q(delegate=user), is_active=True, ends_at__gt=at)
        .select_related("principal", "delegate")
        .order_by("starts_at", "id")
    )


def access_own_delegation(*, user: Any, pk: int) -> Delegation:
    """A running or future delegation that `user` gave (only the principal may end it, ORG-13); otherwise 404."""
    return get_object_or_404(delegations_of(user=user).filter(principal=user), pk=pk)


def delegate_candidates(*, user: Any) -> QuerySet[Staff]:
    """Colleagues `user` may delegate to: active staff who can actually sign in (a login with a usable password —
    Django marks unusable ones with a leading "!"), in the organizations `user` can see."""
    qs = (
        Staff.objects.filter(user__isnull=False, user__is_active=True, status__in=["active", "on_leave"])
        .exclude(user=user)
        .exclude(user__password__startswith="!")
    )
    return scope(qs, user=user, permission="org.view_staff").select_related("user", "organization")


def fallback_admins(*, organization: Organization) -> list[int]:
    """Who takes a step nobody holds the role for: system administrators nearest to `organization` first, then
    superusers (an installation always has one)."""
    from django.contrib.auth import get_user_model

    levels = role_holders_up_tree(organization=organization, role_codes=["system_admin"]).get("system_admin", [])
    ids = [user_id for level in levels for user_id in level]
    ids += list(
        get_user_model()
        .objects.filter(is_superuser=True, is_active=True)
        .exclude(pk__in=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return ids
