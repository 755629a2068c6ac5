"""Sample rosters for `servicecenter demo` (called by servicecenter.demo.loader inside a transaction).

For the demo station and the government hall: preset shift templates, a published roster for the previous and the
current month (so attendance has a month to compute), one pending swap and one handover note, all through the real
services as a center manager. Idempotent: a month that already has a published roster is left alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model

from servicecenter.core.demo_data import as_list
from servicecenter.org.models import RoleAssignment, Staff
from servicecenter.policy.values import local_today

from . import selectors, services
from .models import HandoverNote, RosterEntry, SwapRequest

CENTER_TYPES = ("service_station", "gov_hall")


def _manager_of(center: Any) -> Any:
    row = (
        RoleAssignment.objects.filter(
            role__group__permissions__codename="manage_roster",
            organization__path__in=[o.path for o in center.ancestors()],
            is_active=True,
        )
        .select_related("user")
        .order_by("-organization__depth", "id")
        .first()
    )
    if row is not None:
        return row.user
    return get_user_model().objects.filter(is_superuser=True, is_active=True).first()


def _publish(center: Any, user: Any, month: Any) -> int:
    if selectors.published_roster(organization=center, month=month) is not None:
        return 0
    draft = services.roster_open_draft(actor=user, organization=center, month=month)
    services.roster_propose(actor=user, roster_id=draft.pk)
    errors = [c for c in services.roster_conflicts(draft) if c.severity == "error"]
    if errors:
        return 0  # leave the draft for the manager: the demo center cannot be covered
    services.roster_publish(actor=user, roster_id=draft.pk, confirm_warnings=True)
    return 1


def load_demo(*, centers: Mapping[str, Any] | Iterable[Any], people: Mapping[str, Any] | Iterable[Any]) -> int:
    """Returns how many rosters were published."""
    created = 0
    for center in as_list(centers):
        if center.center_type not in CENTER_TYPES:
            continue
        user = _manager_of(center)
        if user is None:
            continue
        services.templates_install_presets(actor=user, organization=center)
        today = local_today(center)
        month = today.replace(day=1)
        previous = (month - timedelta(days=1)).replace(day=1)
        created += _publish(center, user, previous)
        created += _publish(center, user, month)
        if center.center_type == "service_station":
            _samples(center, today)
    return created


def _samples(center: Any, today: Any) -> None:
    staff = [s for s in selectors.staff_of(organization=center) if s.user_id]
    if len(staff) < 2:
        return
    roster = selectors.published_roster(organization=center, month=today.replace(day=1))
    if roster is None:
        return
    a, b = staff[0], staff[1]
    if not SwapRequest.objects.filter(organization=center).exists():
        cells = {(e.staff_id, e.day): e.shift_id for e in RosterEntry.objects.filter(roster=roster, staff__in=[a, b])}
        day = today + timedelta(days=1)
        while day.month == today.month and cells.get((a.pk, day)) == cells.get((b.pk, day)):
            day += timedelta(days=1)
        if day.month == today.month:
            services.swap_request(
                actor=a.user, counterpart_id=b.pk, requester_day=day, reason="孩子家长会，想与同事换班"
            )
    if not HandoverNote.objects.filter(organization=center).exists():
        services.handover_create(
            actor=a.user,
            to_staff_id=b.pk,
            day=today,
            open_orders="工单待上门：幸福小区3栋宽带故障，已约明早9点",
            pending_callbacks="张女士报修已修复，待回访",
            incidents="无",
        )


__all__ = ["Staff", "load_demo"]
