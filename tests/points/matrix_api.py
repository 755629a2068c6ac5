"""Permission-matrix cases of /api/v1/points/: center B's people see none of center A's entries in the list
(marker) and get 404 on every record, center and action; anonymous callers 401/403."""

from __future__ import annotations

from datetime import timedelta

from servicecenter.core.testing import Case
from servicecenter.points import policies
from servicecenter.policy.values import local_today

from .matrix_pages import entry

MARKER = "接口矩阵积分甲"


def build(world) -> list[Case]:
    center = world.tree["a"]
    today = local_today(center)
    shown = entry(world, "matrix-api-1", MARKER)
    reversed_ = entry(world, "matrix-api-2", "接口矩阵冲正")
    # two months back: the pages' cases lock the previous month
    month = {"center_pk": center.pk, "month": f"{policies.previous_month(policies.previous_month(today)):%Y-%m}"}
    return [
        Case("api-points-entries", api=True, actor="clerk_a", marker=MARKER),
        Case("api-points-entry", kwargs={"pk": shown.pk}, api=True, actor="clerk_a"),
        Case(
            "api-points-entry-reverse",
            kwargs={"pk": reversed_.pk},
            api=True,
            actor="clerk_a",
            method="post",
            data={"reason": "接口矩阵"},
            ok=(201,),
        ),
        Case(
            "api-points-day-verify",
            api=True,
            actor="clerk_a",
            method="post",
            data={"center": center.pk, "day": f"{today:%Y-%m-%d}"},
        ),
        Case("api-points-board", api=True, actor="staff_a", query=f"?center={center.pk}"),
        Case("api-points-month", kwargs=month, api=True, actor="finance_a"),
        Case("api-points-month-lock", kwargs=month, api=True, actor="finance_a", method="post", data={"note": "接口"}),
        Case(
            "api-points-rewards",
            api=True,
            actor="clerk_a",
            method="post",
            data={
                "center": center.pk,
                "staff": world.staff_a.pk,
                "day": f"{(today - timedelta(days=1)):%Y-%m-%d}",
                "points": "1.5",
                "reason": "接口矩阵奖励",
            },
            ok=(201,),
        ),
    ]
