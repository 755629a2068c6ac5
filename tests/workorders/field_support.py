"""Helpers of the field, voucher, register and attachment tests: orders walked through the services."""

from __future__ import annotations

import base64
from datetime import timedelta

from servicecenter.workorders import services

from .conftest import MORNING, intake, png_bytes


def dispatched(clerk, center, worker, **overrides):
    order = intake(clerk, center, **overrides)
    return services.order_dispatch(
        actor=clerk.user, order_id=order.pk, assignee_id=worker.pk, now=MORNING + timedelta(minutes=1)
    )


def returned(clerk, center, worker, *, signature=True, **overrides):
    """An order dispatched, accepted, on site and completed (with the customer's on-screen signature)."""
    order = dispatched(clerk, center, worker, **overrides)
    services.order_accept(actor=worker.user, order_id=order.pk, now=MORNING + timedelta(minutes=2))
    services.order_arrive(actor=worker.user, order_id=order.pk, now=MORNING + timedelta(minutes=3))
    return services.order_complete(
        actor=worker.user,
        order_id=order.pk,
        work_content="更换光猫电源",
        service_started_at=MORNING + timedelta(minutes=3),
        service_ended_at=MORNING + timedelta(minutes=4),
        signature_png=png_bytes() if signature else None,
        voucher_photo=None if signature else png_bytes((30, 30)),
        signer_name="王先生",
        now=MORNING + timedelta(minutes=5),
    )


def data_url(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode()
