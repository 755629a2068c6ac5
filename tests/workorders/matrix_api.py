"""Permission-matrix cases of /api/v1/workorders/ (core.testing.Case): each transition gets its own order of center A
in the state it needs; center B's people get 404 (list: 200 without the marker), anonymous 401/403."""

from __future__ import annotations

import base64
import io
from datetime import timedelta

from django.utils import timezone
from PIL import Image

from servicecenter.core.testing import Case
from servicecenter.workorders import services
from servicecenter.workorders.models import WorkOrder

MARKER = "接口矩阵客户甲"


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), (255, 255, 255)).save(buffer, format="PNG")
    return buffer.getvalue()


def _order(world, state: str = "new", name: str = "接口矩阵客户") -> WorkOrder:
    clerk, worker, manager = world.clerk_a.user, world.staff_a.user, world.manager_a.user
    order = services.order_create(
        actor=clerk,
        organization=world.tree["a"],
        kind="repair",
        service_type="C",
        customer_name=name,
        phone="13800138000",
        address="矩阵路 1 号",
        problem="矩阵测试",
        channel="api",
    )
    steps = ["dispatched", "accepted", "in_progress", "returned", "countersigned"]
    if state == "paused":
        steps = ["dispatched", "accepted", "paused"]
    for step in steps[: steps.index(state) + 1] if state in steps else []:
        if step == "dispatched":
            services.order_dispatch(actor=clerk, order_id=order.pk, assignee_id=world.staff_a.pk)
        elif step == "accepted":
            services.order_accept(actor=worker, order_id=order.pk)
        elif step == "in_progress":
            services.order_arrive(actor=worker, order_id=order.pk)
        elif step == "paused":
            services.order_pause(actor=worker, order_id=order.pk, reason="waiting_parts")
        elif step == "returned":
            services.order_complete(
                actor=worker,
                order_id=order.pk,
                work_content="矩阵完工",
                service_started_at=None,
                service_ended_at=timezone.now(),
                signature_png=_png(),
                signer_name=name,
            )
        elif step == "countersigned":
            services.order_countersign(actor=manager, order_id=order.pk)
    return order


def _status_is(pk: int, status: str):
    def check(world, response) -> None:
        assert WorkOrder.objects.get(pk=pk).status == status, response.json()

    return check


def _complete_data(world) -> dict:
    return {
        "work_content": "更换配件",
        # Explicit times: the arrival (the default start) may be later than "a second ago" on a fast run.
        "service_started_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "service_ended_at": (timezone.now() - timedelta(seconds=1)).isoformat(),
        "signature": base64.b64encode(_png()).decode(),
        "signer_name": "矩阵客户",
    }


def build(world) -> list[Case]:
    listed = _order(world, name=MARKER)

    def post(name, order, actor="clerk_a", data=None, ok=(200,), status=None, **kw):
        return Case(
            f"api-workorders-{name}",
            kwargs={"pk": order.pk},
            method="post",
            api=True,
            actor=actor,
            data=data or {},
            ok=ok,
            check=_status_is(order.pk, status) if status else None,
            **kw,
        )

    return [
        Case("api-workorders-list", api=True, marker=MARKER),
        Case(
            "api-workorders-list",
            method="post",
            api=True,
            actor="clerk_a",
            ok=(201,),
            data_factory=lambda w: {
                "organization": w.tree["a"].pk,
                "kind": "repair",
                "service_type": "C",
                "customer_name": "接口新建",
                "phone": "13900001111",
                "address": "矩阵路 2 号",
                "problem": "接口新建工单",
            },
        ),
        Case("api-workorders-detail", kwargs={"pk": listed.pk}, api=True),
        Case("api-workorders-events", kwargs={"pk": listed.pk}, api=True),
        post("dispatch", _order(world), data={"assignee": world.staff_a.pk}, status="dispatched"),
        post(
            "reassign",
            _order(world, "dispatched"),
            data={"assignee": world.manager_a.pk, "reason": "改派矩阵"},
            status="dispatched",
        ),
        post("take-back", _order(world, "dispatched"), data={"reason": "收回矩阵"}, status="new"),
        post("accept", _order(world, "dispatched"), actor="staff_a", status="accepted"),
        post("contact", _order(world, "dispatched"), actor="staff_a", data={"note": "已联系"}),
        post("arrive", _order(world, "accepted"), actor="staff_a", status="in_progress"),
        post("pause", _order(world, "accepted"), actor="staff_a", data={"reason": "waiting_customer"}, status="paused"),
        post("resume", _order(world, "paused"), actor="staff_a", status="accepted"),
        Case(
            "api-workorders-complete",
            kwargs={"pk": _order(world, "in_progress").pk},
            method="post",
            api=True,
            actor="staff_a",
            data_factory=_complete_data,
        ),
        post("cancel", _order(world), data={"reason": "客户取消"}, status="cancelled"),
        post("close", _order(world, "returned"), status="closed"),
        post("countersign", _order(world, "returned"), actor="manager_a"),
        post("archive", _order(world, "countersigned"), actor="manager_a"),
        post("notes", listed, data={"note": "矩阵备注"}, ok=(201,)),
        post("expenses", listed, data={"kind": "travel", "amount": "8", "incurred_on": "2026-12-01"}, ok=(201,)),
        post("log-call", listed, data={"note": "客户再次来电"}),
    ]
