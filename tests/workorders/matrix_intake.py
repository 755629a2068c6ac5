"""Permission-matrix cases of the intake pages (receiving calls, greeting windows) and the public pages."""

from __future__ import annotations

from servicecenter.core.testing import Case
from servicecenter.customers import services as customer_services
from servicecenter.workorders import services

GREETING_MARKER = "甲中心 2027 国庆节通知"


def _order(world, address: str):
    return services.order_create(
        actor=world.clerk_a.user,
        organization=world.tree["a"],
        kind="repair",
        service_type="C",
        customer_name="矩阵客户",
        phone="13800138000",
        address=address,
        problem="暖气不热",
        read_back=["problem", "address", "name", "phone"],
    )


def _window(world, note: str):
    return customer_services.greeting_window_create(
        actor=world.manager_a.user,
        organization=world.tree["a"],
        holiday="national_day",
        starts_on="2027-09-30",
        ends_on="2027-10-07",
        note=note,
    )


def _called(order_pk: int):
    def check(world, response) -> None:
        from servicecenter.workorders.models import WorkOrderEvent

        assert WorkOrderEvent.objects.filter(order_id=order_pk, verb="call").count() == 1

    return check


def build(world) -> list[Case]:
    order = _order(world, "古城路 1 号")
    _window(world, GREETING_MARKER)
    to_withdraw = _window(world, "待撤销的时段")
    a = world.tree["a"]
    return [
        Case("workorders:intake", actor="clerk_a", marker=a.name),
        Case(
            "workorders:intake_lookup",
            actor="clerk_a",
            data={"organization": a.pk, "phone": "13800138000"},
        ),
        Case(
            "workorders:intake_log_call",
            kwargs={"pk": order.pk},
            actor="clerk_a",
            method="post",
            data={"note": "再次来电"},
            ok=(302,),
            check=_called(order.pk),
        ),
        Case("workorders:intake_done", kwargs={"pk": order.pk}, actor="clerk_a"),
        Case("workorders:greeting_windows", actor="manager_a", marker=GREETING_MARKER),
        Case(
            "workorders:greeting_window_withdraw",
            kwargs={"pk": to_withdraw.pk},
            actor="manager_a",
            method="post",
            ok=(302,),
        ),
        # the public pages: no login
        Case("workorders:public_report", public=True),
        Case("workorders:public_report_done", public=True),
        Case("workorders:public_status", public=True),
    ]
