"""The attendance app's one door to its providers (docs: /work/briefs/issue5-contracts.md): the published roster
(rosters.selectors) and approved absences (leave.selectors). Every computation reads its inputs through here, so
tests and benches see exactly what the engine sees.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any


def scheduled_shifts(
    *, start: date, end: date, organization: Any = None, staff_ids: Iterable[int] | None = None
) -> list[Any]:
    """`rosters.selectors.scheduled_shifts`: published shifts starting between `start` and `end` (local dates)."""
    from servicecenter.rosters import selectors

    return list(selectors.scheduled_shifts(start=start, end=end, organization=organization, staff_ids=staff_ids))


def rest_days(
    *, start: date, end: date, organization: Any = None, staff_ids: Iterable[int] | None = None
) -> dict[int, set[date]]:
    """`rosters.selectors.rest_days`: rest days (排休) of the published roster(s)."""
    from servicecenter.rosters import selectors

    return dict(selectors.rest_days(start=start, end=end, organization=organization, staff_ids=staff_ids))


def approved_absences(
    *, start: date, end: date, organization: Any = None, staff_ids: Iterable[int] | None = None
) -> list[Any]:
    """`leave.selectors.approved_absences`: approved leave / leave-post / official outings overlapping the days."""
    from servicecenter.leave import selectors

    return list(selectors.approved_absences(staff_ids=staff_ids, organization=organization, start=start, end=end))
