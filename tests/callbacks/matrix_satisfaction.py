"""Permission-matrix cases of the satisfaction report (CB-18): the page without a center shows only the viewer's
centers (center A's technician is not on center B's page); a center or team outside the viewer's scope is a 404,
for the page and for its .xlsx."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from servicecenter.callbacks import services as callback_services
from servicecenter.callbacks.models import CallbackTask
from servicecenter.core.testing import Case
from servicecenter.workorders import services
from tests.workorders.conftest import png_bytes

MARKER = "甲师傅"  # world.staff_a, the technician of center A's answered callback


def _answered_callback(world) -> None:
    """An order of center A worked by 甲师傅 and its callback answered this month (the report's current month)."""
    clerk, worker = world.clerk_a.user, world.staff_a.user
    order = services.order_create(
        actor=clerk,
        organization=world.tree["a"],
        kind="repair",
        service_type="C",
        customer_name="满意度矩阵客户",
        phone="13800138055",
        address="矩阵路 5 号",
        problem="满意度矩阵",
        read_back=["problem", "address", "name", "phone"],
    )
    services.order_dispatch(actor=clerk, order_id=order.pk, assignee_id=world.staff_a.pk)
    services.order_accept(actor=worker, order_id=order.pk)
    services.order_arrive(actor=worker, order_id=order.pk)
    now = timezone.now()
    services.order_complete(
        actor=worker,
        order_id=order.pk,
        work_content="更换阀门",
        service_started_at=now - timedelta(minutes=1),
        service_ended_at=now,
        signature_png=png_bytes(),
        signer_name="满意度矩阵客户",
    )
    task = CallbackTask.objects.get(order=order, kind__in=["after_service", "courtesy"])
    callback_services.task_claim(actor=clerk, task_id=task.pk)
    callback_services.task_answer(
        actor=clerk, task_id=task.pk, answers={"a": "yes", "b": "satisfied", "c": "no", "d": "9", "e": ""}
    )


def _is_xlsx(world, response) -> None:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def build(world) -> list[Case]:
    _answered_callback(world)
    center, team = world.tree["a"].pk, world.tree["team_a"].pk
    return [
        Case("callbacks:satisfaction", marker=MARKER),
        Case("callbacks:satisfaction", actor="clerk_a", marker=MARKER),
        Case("callbacks:satisfaction", query=f"?center={center}&by=team"),
        Case("callbacks:satisfaction", query=f"?team={team}&by=staff", actor="clerk_a"),
        Case("callbacks:satisfaction", query=f"?center={center}&format=xlsx", check=_is_xlsx),
    ]
