"""Reads of the points ledger: the board (PUB-01), a center-day's entries for verification (PTS-04), the ledger,
the month's recheck state, and access helpers (organization scoping through core.access)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from servicecenter.core.access import has_permission_in, scope
from servicecenter.core.policy import implements
from servicecenter.org.models import Organization, Staff

from . import policies
from .choices import AUXILIARY, Category, EntryStatus, MonthStatus
from .models import BoardPosting, MonthClose, PointEntry

VIEW_BOARD = "points.view_board"
VIEW_LEDGER = "points.view_ledger"
VERIFY = "points.verify_points"
MANAGE = "points.manage_points"
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class BoardRow:
    """One line of the points board (PUB-01): name and staff number only, no other personal data."""

    staff_id: int
    staff_no: str
    name: str
    day_points: Decimal
    month_work: Decimal
    auxiliary: Decimal
    fixed: Decimal

    @property
    def total(self) -> Decimal:
        return self.month_work + self.auxiliary + self.fixed


def _sum(condition: Q) -> Coalesce:
    return Coalesce(
        Sum("points", filter=condition), Value(ZERO), output_field=DecimalField(max_digits=12, decimal_places=2)
    )


def board_totals(
    *, organization: Organization, month: date, day: date, verified_only: bool = True
) -> dict[int, dict[str, Decimal]]:
    """Per staff id: the day's points, month-to-date work, auxiliary and fixed, from the 1st through `day`.
    One aggregate query on the covering index (organization, day)."""
    month = policies.month_of(month)
    qs = PointEntry.objects.filter(organization=organization, day__gte=month, day__lte=day)
    if verified_only:
        qs = qs.filter(status=EntryStatus.VERIFIED)
    rows = qs.values("staff_id").annotate(
        day_points=_sum(Q(day=day)),
        month_work=_sum(Q(category=Category.WORK)),
        auxiliary=_sum(Q(category__in=AUXILIARY)),
        fixed=_sum(Q(category=Category.FIXED)),
    )
    return {
        r["staff_id"]: {
            "day_points": r["day_points"],
            "month_work": r["month_work"],
            "auxiliary": r["auxiliary"],
            "fixed": r["fixed"],
        }
        for r in rows
    }


@implements("PUB-01")
def board_rows(
    *,
    organization: Organization,
    month: date,
    day: date | None = None,
    totals: dict[int, dict[str, Decimal]] | None = None,
) -> list[BoardRow]:
    """PUB-01: the board of a center for `month` as of `day` (default: the month's last day): every staff member of the
    center who is employed or has entries, ordered by staff number. Two queries (one when the caller passes the
    `board_totals` it already has)."""
    month = policies.month_of(month)
    day = min(day or policies.month_end(month), policies.month_end(month))
    if totals is None:
        totals = board_totals(organization=organization, month=month, day=day)
    staff = (
        Staff.objects.filter(organization__path__startswith=organization.path)
        .filter(Q(status__in=["active", "on_leave"]) | Q(pk__in=list(totals)))
        .only("pk", "staff_no", "name")
        .order_by("staff_no")
    )
    rows = []
    for s in staff:
        t = totals.get(s.pk)
        rows.append(
            BoardRow(
                s.pk,
                s.staff_no,
                s.name,
                t["day_points"] if t else ZERO,
                t["month_work"] if t else ZERO,
                t["auxiliary"] if t else ZERO,
                t["fixed"] if t else ZERO,
            )
        )
    return rows


def day_entries(*, organization: Organization, day: date) -> QuerySet[PointEntry]:
    """A center-day's entries for the verification page, with the staff and who verified."""
    return (
        PointEntry.objects.filter(organization=organization, day=day)
        .select_related("staff", "verified_by", "reverses")
        .order_by("staff__staff_no", "id")
    )


def month_close(*, organization: Organization, month: date) -> MonthClose | None:
    return MonthClose.objects.filter(organization=organization, month=policies.month_of(month)).first()


def is_locked(*, organization: Organization, day: date) -> bool:
    return MonthClose.objects.filter(
        organization=organization, month=policies.month_of(day), status=MonthStatus.LOCKED
    ).exists()


def after_lock_reversals(*, organization: Organization, month: date) -> QuerySet[PointEntry]:
    """Reversals written after the month was locked (shown on the board and sheet with who, why and approval)."""
    month = policies.month_of(month)
    return (
        PointEntry.objects.filter(
            organization=organization, day__gte=month, day__lte=policies.month_end(month), after_lock=True
        )
        .select_related("staff", "created_by__staff", "approval", "reverses")
        .order_by("created_at")
    )


def postings(*, organization: Organization) -> QuerySet[BoardPosting]:
    return BoardPosting.objects.filter(organization=organization).select_related("posted_by__staff").defer("rows")


def latest_posting(*, organization: Organization, day: date) -> BoardPosting | None:
    """The last posting of the center's board for `day` (its time is the board's 公示时间, PUB-14)."""
    return postings(organization=organization).filter(day=day).first()


def access_posting(*, organization: Organization, pk: Any) -> BoardPosting:
    """One archived posting of `organization` (already access-checked), else 404."""
    try:
        return BoardPosting.objects.select_related("posted_by__staff").get(organization=organization, pk=int(pk))
    except (BoardPosting.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def points_centers_for(*, user: Any, permission: str = VIEW_BOARD) -> QuerySet[Organization]:
    return scope(Organization.objects.centers().active(), user=user, permission=permission, field="").order_by("path")


def access_center(*, user: Any, pk: Any, permission: str = VIEW_BOARD) -> Organization:
    """The center `pk` if `user` holds `permission` over it, else 404."""
    try:
        return points_centers_for(user=user, permission=permission).get(pk=int(pk))
    except (Organization.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def default_center(*, user: Any, permission: str = VIEW_BOARD) -> Organization | None:
    staff = getattr(user, "staff", None) if getattr(user, "is_authenticated", False) else None
    if staff is not None:
        center = staff.organization.service_center()
        if center is not None and has_permission_in(user=user, permission=permission, organization=center):
            return center
    return points_centers_for(user=user, permission=permission).first()


def ledger(*, user: Any, organization: Organization | None = None) -> QuerySet[PointEntry]:
    """Entries the user may read (points.view_ledger over the entry's center), newest day first."""
    qs = scope(PointEntry.objects.all(), user=user, permission=VIEW_LEDGER)
    if organization is not None:
        qs = qs.filter(organization=organization)
    return qs.select_related("staff", "reverses", "created_by").order_by("-day", "-id")


def access_entry(*, user: Any, pk: Any) -> PointEntry:
    try:
        return ledger(user=user).select_related("organization", "verified_by", "approval").get(pk=int(pk))
    except (PointEntry.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@dataclass(frozen=True)
class RestRoster:
    """The month's published rest days (排休) beside the board (PUB-03): `rows` = (staff number, name, one flag per
    day of `days`); `published_at` None = no published roster for the month."""

    days: list[date]
    rows: list[tuple[str, str, list[bool]]]
    published_at: Any = None
    version: int | None = None


@implements("PUB-03")
def rest_roster(*, organization: Organization, month: date, staff: list[BoardRow]) -> RestRoster:
    """PUB-03: the rest-day roster of the center's month as published (rosters.selectors.rest_days, after approved
    swaps), for the staff on the board (name and number only, like the board). Two queries."""
    from servicecenter.rosters import selectors as roster_selectors

    month = policies.month_of(month)
    end = policies.month_end(month)
    days = [month.replace(day=d) for d in range(1, end.day + 1)]
    roster = roster_selectors.published_roster(organization=organization, month=month)
    if roster is None:
        return RestRoster(days=days, rows=[])
    rest = roster_selectors.rest_days(start=month, end=end, organization=organization)
    rows = [(r.staff_no, r.name, [d in rest[r.staff_id] for d in days]) for r in staff if r.staff_id in rest]
    return RestRoster(days=days, rows=rows, published_at=roster.published_at, version=roster.version)
