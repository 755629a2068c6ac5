"""Permission-matrix cases of the points staff pages: 每日积分核对 (PTS-04), 积分明细 / 积分记录 / 冲正, 月度复核
and its lock and print (PTS-09), 及时奖励 (PTS-28). Center A's entries are posted through services.entries_post;
center B's people see none of them in the lists (marker) and get 404 on every record, center and action."""

from __future__ import annotations

from decimal import Decimal

from servicecenter.core.testing import Case
from servicecenter.points import policies, services
from servicecenter.points.choices import Category, Source
from servicecenter.points.models import PointEntry
from servicecenter.policy.values import local_today

MARKER = "矩阵积分甲"
REWARD = "矩阵奖励甲"


def entry(world, key: str, label: str = MARKER) -> PointEntry:
    center = world.tree["a"]
    rule = policies.Rule(Decimal("2"), Category.WORK, "matrix", "PTS-04", "依据 PTS-04：矩阵")
    services.entries_post(
        [services.Draft(center.pk, world.staff_a.pk, local_today(center), rule, Source.WORK_ORDER, None, label, key)]
    )
    return PointEntry.objects.get(key=key)


def build(world) -> list[Case]:
    center = world.tree["a"]
    today = local_today(center)
    shown = entry(world, "matrix-pages-1")
    reversed_ = entry(world, "matrix-pages-2", "矩阵冲正")
    services.instant_reward_request(
        actor=world.clerk_a.user, organization=center, staff_id=world.staff_a.pk, day=today, reason=REWARD, points="1"
    )
    previous = policies.previous_month(today)
    month = {"center_pk": center.pk, "month": f"{previous:%Y-%m}"}
    day = {"center": center.pk, "day": f"{today:%Y-%m-%d}"}
    return [
        Case("points:daily", actor="clerk_a", query=f"?center={center.pk}"),
        Case("points:daily_verify", actor="clerk_a", method="post", data={**day, "all": "1"}, ok=(302,)),
        Case("points:ledger", actor="clerk_a", marker=MARKER),
        Case("points:entry", kwargs={"pk": shown.pk}, actor="clerk_a"),
        Case(
            "points:entry_reverse",
            kwargs={"pk": reversed_.pk},
            actor="clerk_a",
            method="post",
            data={"reason": "矩阵冲正"},
            ok=(302,),
        ),
        Case("points:month_index", actor="finance_a", marker="甲师傅"),
        Case("points:month", kwargs=month, actor="finance_a"),
        Case("points:month_print", kwargs=month, actor="finance_a"),
        Case("points:month_lock", kwargs=month, actor="finance_a", method="post", data={"note": "矩阵"}, ok=(302,)),
        Case("points:rewards", actor="clerk_a", marker=REWARD),
        Case("points:reward_create", actor="clerk_a", query=f"?center={center.pk}"),
        Case(
            "points:reward_create",
            actor="clerk_a",
            method="post",
            data={
                "center": center.pk,
                "staff": world.staff_a.pk,
                "day": f"{today:%Y-%m-%d}",
                "points": "2",
                "reason": "矩阵",
            },
            ok=(302,),
        ),
    ]
