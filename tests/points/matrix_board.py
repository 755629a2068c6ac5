"""Permission-matrix cases of the public points board (PUB-01, PUB-14): every member of a center sees its board, the
print and screen views, the JSON feed and the archive; another center's board is a 404; «立即公示» needs
points.verify_points over the center (the order clerk)."""

from __future__ import annotations

from decimal import Decimal

from servicecenter.core.testing import Case
from servicecenter.points import policies, services
from servicecenter.points.choices import Category, EntryStatus, Source
from servicecenter.points.models import BoardPosting
from servicecenter.policy.values import local_today

MARKER = "甲师傅"  # world.staff_a, on center A's board (name only, with the staff number)


def _posted(world, response) -> None:
    assert response["Location"].startswith(f"/points/board/{world.tree['a'].pk}/postings/")


def _json(world, response) -> None:
    assert response["Content-Type"].startswith("application/json") and "rows" in response.json()


def build(world) -> list[Case]:
    center = world.tree["a"]
    today = local_today(center)
    rule = policies.Rule(Decimal("2"), Category.WORK, "matrix", "PTS-04", "矩阵")
    services.entries_post(
        [
            services.Draft(
                center.pk,
                world.staff_a.pk,
                today,
                rule,
                Source.WORK_ORDER,
                None,
                "矩阵",
                f"matrix-board-{center.pk}",
                status=EntryStatus.VERIFIED,
            )
        ]
    )
    posting: BoardPosting = services.board_post(organization=center, day=today)
    kw = {"center_pk": center.pk}
    return [
        Case("points_board:home", actor="staff_a", marker=MARKER),
        Case("points_board:board", kwargs=kw, actor="staff_a"),
        Case("points_board:board", kwargs=kw, actor="gm", cross="manager_b"),
        Case("points_board:print", kwargs=kw, actor="staff_a"),
        Case("points_board:screen", kwargs=kw, actor="manager_a"),
        Case("points_board:screen_data", kwargs=kw, actor="staff_a", check=_json),
        Case("points_board:postings", kwargs=kw, actor="staff_a"),
        Case("points_board:posting_detail", kwargs={**kw, "pk": posting.pk}, actor="staff_a"),
        Case(
            "points_board:post", kwargs=kw, actor="clerk_a", method="post", data={"day": ""}, ok=(302,), check=_posted
        ),
    ]
