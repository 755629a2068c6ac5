"""Permission-matrix cases of the field-staff pages, attachments, vouchers, the register and reconciliation."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from servicecenter.core.testing import Case
from servicecenter.workorders import services
from servicecenter.workorders.models import OrderAttachment, WorkOrder

from .conftest import png_bytes

MARKER = "矩阵客户甲"


def _order(world, name: str, phone: str) -> WorkOrder:
    return services.order_create(
        actor=world.clerk_a.user,
        organization=world.tree["a"],
        kind="repair",
        service_type="C",
        customer_name=name,
        phone=phone,
        address="矩阵路 1 号",
        problem="水管漏水",
        read_back=["problem", "address", "name", "phone"],
    )


def _dispatched(world, name: str, phone: str) -> WorkOrder:
    order = _order(world, name, phone)
    return services.order_dispatch(actor=world.clerk_a.user, order_id=order.pk, assignee_id=world.staff_a.pk)


def _returned(world, name: str, phone: str) -> WorkOrder:
    order = _dispatched(world, name, phone)
    user = world.staff_a.user
    services.order_accept(actor=user, order_id=order.pk)
    services.order_arrive(actor=user, order_id=order.pk)
    now = timezone.now()
    return services.order_complete(
        actor=user,
        order_id=order.pk,
        work_content="更换阀门",
        service_started_at=now - timedelta(minutes=30),
        service_ended_at=now,
        signature_png=png_bytes(),
        signer_name=name,
    )


def _status_is(pk: int, field: str):
    def check(world, response) -> None:
        assert getattr(WorkOrder.objects.get(pk=pk), field) is not None

    return check


def build(world) -> list[Case]:
    listed = _dispatched(world, MARKER, "138 7000 0001")
    to_accept = _dispatched(world, "矩阵待接单", "138 7000 0002")
    done = _returned(world, "矩阵已回单", "138 7000 0003")
    to_countersign = _returned(world, "矩阵待核签", "138 7000 0004")
    to_archive = _returned(world, "矩阵待归档", "138 7000 0005")
    services.order_countersign(actor=world.manager_a.user, order_id=to_archive.pk)
    signature = OrderAttachment.objects.filter(order=done, kind="signature").first()
    assert signature is not None
    center = f"?center={world.tree['a'].pk}"
    return [
        # --- the serviceman's phone ---
        Case("workorders:field_list", actor="staff_a", marker=MARKER),
        Case("workorders:field_order", kwargs={"pk": listed.pk}, actor="staff_a"),
        Case("workorders:field_complete", kwargs={"pk": done.pk}, actor="staff_a", ok=(302,)),
        Case(
            "workorders:field_action",
            kwargs={"pk": to_accept.pk, "action": "accept"},
            actor="staff_a",
            method="post",
            ok=(302,),
            check=_status_is(to_accept.pk, "accepted_at"),
        ),
        Case(
            "workorders:field_photo",
            kwargs={"pk": listed.pk},
            actor="staff_a",
            method="post",
            data={},
            ok=(302,),
        ),
        # --- attachments, vouchers ---
        Case("workorders:attachment", kwargs={"pk": signature.pk}, actor="clerk_a"),
        Case("workorders:voucher", kwargs={"pk": done.pk}),
        Case(
            "workorders:voucher_countersign",
            kwargs={"pk": to_countersign.pk},
            method="post",
            ok=(302,),
            check=_status_is(to_countersign.pk, "countersigned_at"),
        ),
        Case(
            "workorders:voucher_archive",
            kwargs={"pk": to_archive.pk},
            method="post",
            ok=(302,),
            check=_status_is(to_archive.pk, "archived_at"),
        ),
        # --- the register and reconciliation ---
        Case("workorders:register", marker=MARKER),
        Case("workorders:register", query=center, actor="clerk_a"),
        Case("workorders:register_export", query=center),
        Case("workorders:reconcile", query=center),
    ]
