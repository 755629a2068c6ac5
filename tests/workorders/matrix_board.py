"""Permission-matrix cases of the dispatch board and the order page (core.testing.Case).

Center A's clerk takes orders; center B's people must not see them on their board (lists without the marker) and get
404 on the order page and every action."""

from __future__ import annotations

import io
from datetime import timedelta

from django.utils import timezone
from PIL import Image

from servicecenter.core.testing import Case
from servicecenter.workorders import services
from servicecenter.workorders.models import WorkOrder
from tests import factories

MARKER = "看板客户甲"


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 15), (255, 255, 255)).save(buffer, format="PNG")
    return buffer.getvalue()


def _order(world, name: str = MARKER, **extra) -> WorkOrder:
    return services.order_create(
        actor=world.clerk_a.user,
        organization=world.tree["a"],
        kind="repair",
        service_type="C",
        customer_name=name,
        phone="13900139000",
        address="甲路 1 号",
        problem="报修",
        read_back=["problem", "address", "name", "phone"],
        **extra,
    )


def _status_is(pk: int, status: str):
    def check(world, response) -> None:
        assert WorkOrder.objects.get(pk=pk).status == status, WorkOrder.objects.get(pk=pk).status

    return check


def _has(pk: int, relation: str):
    def check(world, response) -> None:
        assert getattr(WorkOrder.objects.get(pk=pk), relation).exists()

    return check


def build(world) -> list[Case]:
    clerk, staff = world.clerk_a.user, world.staff_a
    other = factories.make_staff(world.tree["a"], "service_staff", name="甲师傅二")
    listed = _order(world)
    to_dispatch = _order(world, "待派单")
    to_reassign = _order(world, "待改派")
    to_take_back = _order(world, "待收回")
    for order in (to_reassign, to_take_back):
        services.order_dispatch(actor=clerk, order_id=order.pk, assignee_id=staff.pk)
    to_cancel = _order(world, "待取消")
    to_close = _order(world, "待关闭")
    now = timezone.now()
    services.order_dispatch(actor=clerk, order_id=to_close.pk, assignee_id=staff.pk)
    services.order_accept(actor=staff.user, order_id=to_close.pk)
    services.order_complete(
        actor=staff.user,
        order_id=to_close.pk,
        work_content="修复",
        service_started_at=now - timedelta(minutes=30),
        service_ended_at=now,
        signature_png=_png(),
        signer_name="客户",
    )
    offsite = _order(world, "异地客户", is_offsite=True, offsite_destination="邻县")
    return [
        Case("workorders:board", actor="clerk_a", marker=MARKER),
        Case("workorders:board", actor="manager_a", marker=MARKER, query=f"?center={world.tree['a'].pk}"),
        Case("workorders:board_rows", actor="clerk_a", marker=MARKER),
        # a page number (the board is paged; a page past the end shows the last one)
        Case("workorders:board", actor="clerk_a", marker=MARKER, query="?page=2"),
        Case("workorders:board_rows", actor="manager_a", marker=MARKER, query=f"?center={world.tree['a'].pk}&page=9"),
        Case("workorders:order_detail", kwargs={"pk": listed.pk}, actor="clerk_a"),
        Case("workorders:order_detail", kwargs={"pk": listed.pk}, actor="staff_a", cross="staff_b"),
        Case("workorders:order_dispatch", kwargs={"pk": listed.pk}, actor="clerk_a"),
        Case(
            "workorders:order_dispatch",
            kwargs={"pk": to_dispatch.pk},
            actor="clerk_a",
            method="post",
            data={"assignee": staff.pk},
            ok=(302,),
            check=_status_is(to_dispatch.pk, "dispatched"),
        ),
        Case(
            "workorders:order_reassign",
            kwargs={"pk": to_reassign.pk},
            actor="manager_a",
            method="post",
            data={"assignee": other.pk, "reason": "调整", "expected_assignee": staff.pk},
            ok=(302,),
            check=_status_is(to_reassign.pk, "dispatched"),
        ),
        Case(
            "workorders:order_take_back",
            kwargs={"pk": to_take_back.pk},
            actor="clerk_a",
            method="post",
            data={"reason": "客户改约"},
            ok=(302,),
            check=_status_is(to_take_back.pk, "new"),
        ),
        Case(
            "workorders:order_cancel",
            kwargs={"pk": to_cancel.pk},
            actor="clerk_a",
            method="post",
            data={"reason": "客户撤销"},
            ok=(302,),
            check=_status_is(to_cancel.pk, "cancelled"),
        ),
        Case(
            "workorders:order_close",
            kwargs={"pk": to_close.pk},
            actor="manager_a",
            method="post",
            data={"note": "回访满意"},
            ok=(302,),
            check=_status_is(to_close.pk, "closed"),
        ),
        Case(
            "workorders:order_add_expense",
            kwargs={"pk": listed.pk},
            actor="clerk_a",
            method="post",
            data={"kind": "travel", "amount": "20", "incurred_on": now.date().isoformat()},
            ok=(302,),
            check=_has(listed.pk, "expenses"),
        ),
        Case(
            "workorders:order_add_note",
            kwargs={"pk": listed.pk},
            actor="clerk_a",
            method="post",
            data={"note": "备注"},
            ok=(302,),
        ),
        Case(
            "workorders:order_request_offsite",
            kwargs={"pk": offsite.pk},
            actor="clerk_a",
            method="post",
            data={"reason": "客户在邻县"},
            ok=(302,),
            check=lambda world, response: WorkOrder.objects.get(pk=offsite.pk).offsite_status == "pending",
        ),
    ]
