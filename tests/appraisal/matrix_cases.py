"""Permission-matrix cases of the monthly appraisal: the overview of center A (points.view_ledger: the manager, the
order clerk, the finance clerk) and a staff member's page (those, and the person themself); the same role in center
B gets a 404 for both, and so does another staff member for someone else's page."""

from __future__ import annotations

from servicecenter.core.testing import Case
from servicecenter.policy.values import local_today


def build(world) -> list[Case]:
    center = world.tree["a"]
    month = local_today(center).strftime("%Y-%m")
    page = {"staff_pk": world.staff_a.pk, "month": month}
    overview = f"?center={center.pk}&month={month}"
    return [
        Case("appraisal:overview", actor="manager_a", query=overview),
        Case("appraisal:overview", actor="clerk_a", query=overview),
        Case("appraisal:overview", actor="finance_a", query=overview),
        Case("appraisal:staff", kwargs=page, actor="manager_a"),
        Case("appraisal:staff", kwargs=page, actor="clerk_a"),
        Case("appraisal:staff", kwargs=page, actor="finance_a"),
        Case("appraisal:staff", kwargs=page, actor="staff_a"),  # their own page; staff_b gets a 404
    ]
