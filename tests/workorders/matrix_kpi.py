"""Permission-matrix cases of the KPI page and its export (WO-07): a center outside the viewer's KPI scope is a 404;
the page without a center shows only the viewer's centers."""

from __future__ import annotations

from servicecenter.core.testing import Case
from servicecenter.workorders import services


def build(world) -> list[Case]:
    services.order_create(
        actor=world.clerk_a.user,
        organization=world.tree["a"],
        kind="repair",
        service_type="C",
        customer_name="考核矩阵客户",
        phone="13800138001",
        address="矩阵路 3 号",
        problem="考核矩阵",
        channel="api",
    )
    center = f"?center={world.tree['a'].pk}"
    return [
        Case("workorders:kpi", marker="甲内勤"),
        Case("workorders:kpi", query=center, actor="clerk_a"),
        Case("workorders:kpi_export", query=center),
    ]
