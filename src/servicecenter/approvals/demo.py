"""Sample approvals for `servicecenter demo` (called by servicecenter.demo.loader inside a transaction).

Three 事项请示 of the D01-style service station, submitted and decided through the real services: one approved by
the center manager, one waiting for the manager, one above the manager's limit waiting for the ops-center GM.
Idempotent: a sample whose title already exists is skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils import timezone

from servicecenter.core.demo_data import as_list
from servicecenter.org.models import RoleAssignment

from . import selectors, services
from .kinds import GENERAL
from .models import ApprovalRequest

# (title, description, amount in yuan, how far the demo takes it: "approved" | "pending" | "manager_approved")
SAMPLES: tuple[tuple[str, str, str, str], ...] = (
    ("申请更换营业厅打印机硒鼓", "营业厅打印机硒鼓已用尽，影响打印服务凭证。", "380", "approved"),
    ("申请为维修一班购置安全帽10顶", "现有安全帽老化，按安全规定更换。", "650", "pending"),
    ("申请采购维修备品备件一批", "光猫、分光器、尾纤等备件库存不足，预计可用两周。", "8600", "manager_approved"),
)


def load_demo(*, centers: Mapping[str, Any] | Iterable[Any], people: Mapping[str, Any] | Iterable[Any]) -> int:
    """Submit the samples for the first service station among `centers`, by its staff among `people` (Staff rows);
    returns how many were created (0 when they exist already or there is no station with staff)."""
    station = next((c for c in as_list(centers) if c.center_type == "service_station"), None)
    if station is None:
        return 0
    managers = set(
        RoleAssignment.objects.filter(role__code="center_manager", is_active=True).values_list("user_id", flat=True)
    )
    requesters = sorted(
        (
            staff
            for staff in as_list(people)
            if staff.user_id
            and staff.user_id not in managers
            and staff.organization.path.startswith(station.path)
            and selectors.can_submit(user=staff.user, organization=station)
        ),
        key=lambda staff: staff.staff_no,
    )
    if not requesters:
        return 0
    existing = set(
        ApprovalRequest.objects.filter(organization=station, title__in=[s[0] for s in SAMPLES]).values_list(
            "title", flat=True
        )
    )
    created = 0
    for index, (title, description, amount, stage) in enumerate(SAMPLES):
        if title in existing:
            continue
        request = services.request_submit(
            actor=requesters[index % len(requesters)].user,
            kind=GENERAL,
            organization=station,
            title=title,
            description=description,
            payload={"amount": amount},
            now=timezone.now(),
        )
        created += 1
        if stage in ("approved", "manager_approved"):
            step = request.steps.get(order=request.current_step_order)
            services.step_decide(
                actor=step.assignee, step_id=step.pk, decision="approve", comment="同意，请按规定采购并保留票据。"
            )
    return created
