"""Every read of the renewal pages and the month result other apps read (appraisal, points month end).

Scoping: a center's rows are read by whoever holds renewals.manage_renewals over it (the manager, all rows) or
renewals.make_renewal_call (a specialist: the rows assigned to them and the unassigned ones); anything else is not
found (404). Phone numbers are shown in full only to the row's assignee and the managers (org.selectors.mask_phone).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from servicecenter.core.access import has_permission_in, organizations_where
from servicecenter.org.choices import CENTER_KINDS
from servicecenter.org.models import Organization, Staff
from servicecenter.org.selectors import mask_phone
from servicecenter.points.policies import month_end, month_of
from servicecenter.policy.values import resolve_many

from . import policies
from .choices import RENEWED_OUTCOMES, TIER_CHANGES, ListKind
from .models import RenewalCall, RenewalImport, RenewalRow

MAKE = "renewals.make_renewal_call"
MANAGE = "renewals.manage_renewals"
ROWS_PAGE = 30
PARAM_KEYS = [
    "points.renewal_baseline_pct",
    "points.renewal_points_per_pct",
    "points.renewal_below_baseline_per_pct",
    "points.renewal_target_pct",
    "points.plan_change",
    "renewals.product_tiers",
]


# --- who may read what ---------------------------------------------------------------------------------------------


def renewal_centers(*, user: Any, permission: str = MAKE) -> list[Organization]:
    """The active service centers where the user holds `permission` (the center pickers)."""
    return list(
        organizations_where(user=user, permission=permission)
        .filter(is_active=True, kind__in=CENTER_KINDS)
        .order_by("path")
    )


def pick_center(centers: list[Organization], raw: Any) -> Organization:
    """The chosen center (`?center=`), else the first one; outside the user's centers, or none at all: 404."""
    if raw:
        chosen = next((c for c in centers if str(c.pk) == str(raw)), None)
        if chosen is None:
            raise Http404("no such center")
        return chosen
    if not centers:
        raise Http404("no center")
    return centers[0]


def is_manager(*, user: Any, organization: Any) -> bool:
    return has_permission_in(user=user, permission=MANAGE, organization=organization)


def center_specialists(*, organization: Organization) -> QuerySet[Staff]:
    """The staff of the center who make renewal calls there (their role, on the center or above, grants
    renewals.make_renewal_call) and are not gone."""
    return (
        Staff.objects.filter(
            organization__path__startswith=organization.path,
            status__in=["active", "on_leave"],
            user__role_assignments__is_active=True,
            user__role_assignments__organization__in=organization.ancestors(),
            user__role_assignments__role__group__permissions__codename="make_renewal_call",
            user__role_assignments__role__group__permissions__content_type__app_label="renewals",
        )
        .distinct()
        .order_by("staff_no")
    )


def _visible(qs: QuerySet[RenewalRow], *, user: Any, organization: Organization) -> QuerySet[RenewalRow]:
    if is_manager(user=user, organization=organization):
        return qs
    if not has_permission_in(user=user, permission=MAKE, organization=organization):
        return qs.none()
    return qs.filter(Q(assignee__user=user) | Q(assignee__isnull=True))


@dataclass(frozen=True)
class RowFilters:
    organization: Organization
    month: date
    kind: str = ""
    outcome: str = ""  # "" all, "pending" not called yet, or an Outcome value
    mine: bool = False


def row_list(*, user: Any, filters: RowFilters) -> QuerySet[RenewalRow]:
    """The month's rows of the center the user may see, pending first, then by due date."""
    qs = RenewalRow.objects.filter(organization=filters.organization, month=month_of(filters.month))
    qs = _visible(qs, user=user, organization=filters.organization)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.outcome == "pending":
        qs = qs.filter(outcome="")
    elif filters.outcome:
        qs = qs.filter(outcome=filters.outcome)
    if filters.mine:
        qs = qs.filter(assignee__user=user)
    pending_first = Case(When(outcome="", then=Value(0)), default=Value(1), output_field=IntegerField())
    return (
        qs.select_related("assignee", "outcome_by__staff")
        .annotate(done=pending_first)
        .order_by("done", "kind", "due_date", "id")
    )


def row_counts(*, user: Any, filters: RowFilters) -> dict[str, int]:
    """Pending / called counts of what the user sees this month (the filter tabs)."""
    qs = _visible(
        RenewalRow.objects.filter(organization=filters.organization, month=month_of(filters.month)),
        user=user,
        organization=filters.organization,
    )
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return qs.aggregate(all=Count("id"), pending=Count("id", filter=Q(outcome="")))


def access_row(*, user: Any, pk: Any) -> RenewalRow:
    """A row the user may work on or read; anything else is not found."""
    row = (
        RenewalRow.objects.select_related("organization", "assignee", "outcome_by__staff").filter(pk=pk).first()
        if str(pk).isdigit()
        else None
    )
    if row is None or not _visible(RenewalRow.objects.filter(pk=row.pk), user=user, organization=row.organization):
        raise Http404("no such row")
    return row


def can_see_phone(*, user: Any, row: RenewalRow, manager: bool | None = None) -> bool:
    """The assignee dials the number, the manager may too; everyone else sees it masked."""
    if manager is None:
        manager = is_manager(user=user, organization=row.organization)
    return manager or (row.assignee is not None and row.assignee.user_id == getattr(user, "pk", None))


def phone_as_seen(*, user: Any, row: RenewalRow, manager: bool | None = None) -> str:
    return row.phone if can_see_phone(user=user, row=row, manager=manager) else mask_phone(row.phone)


def row_calls(*, row: RenewalRow) -> list[RenewalCall]:
    return list(row.call_log.select_related("called_by__staff").order_by("-called_at", "-id")[:50])


def import_list(*, organization: Organization) -> QuerySet[RenewalImport]:
    return RenewalImport.objects.filter(organization=organization).defer("rows").select_related("uploaded_by")[:10]


def access_import(*, user: Any, pk: Any) -> RenewalImport:
    imp = RenewalImport.objects.select_related("organization").filter(pk=pk).first() if str(pk).isdigit() else None
    if imp is None or not is_manager(user=user, organization=imp.organization):
        raise Http404("no such import")
    return imp


# --- the month result (PTS-12…PTS-17) -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Conversion:
    """One household that changed tier at renewal, and what it earns its specialist (PTS-15…PTS-17)."""

    row_id: int
    staff_id: int | None
    subscriber_no: str
    name: str
    old: str
    new: str
    points: Decimal
    known: bool
    explanation: str
    clause: str


@dataclass
class RenewalResult:
    """A specialist's month (or, with staff None, the whole center's): the due list's rate and points, the target,
    the conversions. Suspended-list rows are counted apart (`suspended`, `reactivated`) and never enter `due`."""

    staff: Staff | None
    due: int
    renewed: int
    rate_pct: Decimal | None
    points: Decimal
    target_pct: Decimal
    target_met: bool | None
    conversions: list[Conversion]
    conversion_points: Decimal
    citation: str
    explanation: str = ""
    suspended: int = 0
    reactivated: int = 0
    pending: int = 0

    @property
    def total_points(self) -> Decimal:
        return self.points + self.conversion_points


@dataclass
class CenterMonth:
    """The result page: one row per specialist, the center's totals, the unassigned rows."""

    organization: Organization
    month: date
    results: list[RenewalResult]
    total: RenewalResult
    unassigned: int = 0
    tiers: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MonthParams:
    rate: policies.RateParams
    plan_change: dict[str, Any]
    tiers: list[str]
    citation: str


def month_params(*, organization: Organization, month: date) -> MonthParams:
    """The parameters in force for the center on the month's last day, with their citations."""
    values = resolve_many(PARAM_KEYS, org=organization, at=month_end(month_of(month)))
    rate_citation = "；".join(values[k].citation for k in PARAM_KEYS[:4])
    rate = policies.RateParams(
        baseline_pct=policies.as_decimal(values["points.renewal_baseline_pct"].value, "58"),
        per_pct=policies.as_decimal(values["points.renewal_points_per_pct"].value, "8"),
        below_per_pct=policies.as_decimal(values["points.renewal_below_baseline_per_pct"].value, "0"),
        target_pct=policies.as_decimal(values["points.renewal_target_pct"].value, "70"),
        citation=rate_citation,
    )
    table = values["points.plan_change"].value
    return MonthParams(
        rate=rate,
        plan_change=dict(table) if isinstance(table, dict) else {},
        tiers=policies.tier_list(values["renewals.product_tiers"].value),
        citation=rate_citation
        + "；"
        + values["points.plan_change"].citation
        + "；"
        + values["renewals.product_tiers"].citation,
    )


def _result(
    *, staff: Staff | None, counts: dict[str, int], conversions: list[Conversion], params: MonthParams
) -> RenewalResult:
    decided = policies.rate_result(renewed=counts["renewed"], due=counts["due"], params=params.rate)
    return RenewalResult(
        staff=staff,
        due=counts["due"],
        renewed=counts["renewed"],
        rate_pct=decided.rate_pct,
        points=decided.points,
        target_pct=params.rate.target_pct,
        target_met=decided.target_met,
        conversions=conversions,
        conversion_points=sum((c.points for c in conversions), Decimal(0)),
        citation=params.citation,
        explanation=decided.explanation,
        suspended=counts["suspended"],
        reactivated=counts["reactivated"],
        pending=counts["pending"],
    )


def _empty() -> dict[str, int]:
    return {"due": 0, "renewed": 0, "suspended": 0, "reactivated": 0, "pending": 0}


def center_month(*, organization: Organization, month: date, staff: Staff | None = None) -> CenterMonth:
    """The month's result of a center: per specialist (only `staff` when given) and the center's totals.

    The denominator (PTS-12) is the due list only; suspended-list rows are called too, and a reactivation is
    counted apart (docs/renewals.md «分母»). Conversions count on both lists. Three queries plus the parameters."""
    month = month_of(month)
    params = month_params(organization=organization, month=month)
    rows = RenewalRow.objects.filter(organization=organization, month=month)
    if staff is not None:
        rows = rows.filter(assignee=staff)
    renewed = Q(outcome__in=RENEWED_OUTCOMES)
    counts: dict[int | None, dict[str, int]] = {}
    aggregated: Any = rows.values("assignee_id").annotate(
        due=Count("id", filter=Q(kind=ListKind.DUE)),
        renewed=Count("id", filter=Q(kind=ListKind.DUE) & renewed),
        suspended=Count("id", filter=Q(kind=ListKind.SUSPENDED)),
        reactivated=Count("id", filter=Q(kind=ListKind.SUSPENDED) & renewed),
        pending=Count("id", filter=Q(outcome="")),
    )
    for item in aggregated:
        counts[item.pop("assignee_id")] = dict(item)
    conversions: dict[int | None, list[Conversion]] = {}
    changed = rows.filter(outcome__in=TIER_CHANGES).exclude(new_tier="").order_by("id")
    for row_id, staff_id, number, name, old, new in changed.values_list(
        "id", "assignee_id", "subscriber_no", "name", "tier", "new_tier"
    ):
        rule = policies.conversion_points(old=old, new=new, table=params.plan_change, tiers=params.tiers)
        conversions.setdefault(staff_id, []).append(
            Conversion(row_id, staff_id, number, name, old, new, rule.points, rule.known, rule.explanation, rule.clause)
        )
    staff_ids = [pk for pk in counts if pk is not None]
    if staff is not None and staff.pk not in staff_ids:
        staff_ids.append(staff.pk)
    people = {s.pk: s for s in Staff.objects.filter(pk__in=staff_ids)} if staff is None else {staff.pk: staff}
    results = [
        _result(staff=people[pk], counts=counts.get(pk, _empty()), conversions=conversions.get(pk, []), params=params)
        for pk in sorted(staff_ids, key=lambda pk: people[pk].staff_no)
        if pk in people
    ]
    totals = _empty()
    for counted in counts.values():
        for key in totals:
            totals[key] += counted[key]
    total = _result(
        staff=None, counts=totals, conversions=[c for cs in conversions.values() for c in cs], params=params
    )
    # The center's points are its specialists' (unassigned rows earn nobody anything).
    total.points = sum((r.points for r in results), Decimal(0))
    total.conversion_points = sum((r.conversion_points for r in results), Decimal(0))
    return CenterMonth(organization, month, results, total, counts.get(None, _empty())["due"], params.tiers)


def month_result(organization: Organization, month: date, staff: Staff | None = None) -> list[RenewalResult]:
    """For other apps (appraisal, the month end): one `RenewalResult` per specialist with rows in the center's
    month — or, with `staff`, exactly one (due 0 and "无到期用户" when they had no rows)."""
    return center_month(organization=organization, month=month, staff=staff).results
