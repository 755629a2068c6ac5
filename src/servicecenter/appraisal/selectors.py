"""Reads of the monthly appraisal (PTS-22, PTS-14, issue 6 item 7): the month's figures of a list of staff members
of one center — points, work-order SLA, satisfaction, attendance — and the composite score (`policies`).

Every figure is one aggregate query over the page's staff (GROUP BY the person), so a page costs the same number
of queries whatever the number of orders, callbacks or attendance days. Who may read: points.view_ledger over the
person's center (manager, clerks, finance), or the person themself; anyone else gets a 404.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404

from servicecenter.attendance.choices import ResultStatus, ViolationStatus
from servicecenter.attendance.models import AttendanceResult, Violation
from servicecenter.callbacks.choices import Attitude, TaskStatus
from servicecenter.callbacks.models import CallbackTask, Rating
from servicecenter.core.access import has_permission_in
from servicecenter.org.models import Organization, RoleAssignment, Staff
from servicecenter.points import selectors as points_selectors
from servicecenter.points.models import MonthClose, PointEntry
from servicecenter.points.policies import month_end, month_of
from servicecenter.policy.values import PolicyValue, resolve_many, zone_of
from servicecenter.workorders.models import WorkOrder

from . import policies

VIEW = points_selectors.VIEW_LEDGER
PARAM_KEYS = ["appraisal.weights", "appraisal.attendance_scale"]
GOOD_RATING = 4  # 好差评 levels 4 (满意) and 5 (非常满意) count as satisfied
BAD_RATING = 2  # levels 1–2 (不满意, 非常不满意)
# Days that are not working days for the attendance component (no score from them alone).
NOT_WORKED = (ResultStatus.REST, ResultStatus.NOT_SCHEDULED, ResultStatus.PENDING)
ZERO = Decimal("0.00")


# --- access --------------------------------------------------------------------------------------------------------


def access_center(*, user: Any, pk: Any) -> Organization:
    """A center where the user holds points.view_ledger (else 404)."""
    return points_selectors.access_center(user=user, pk=pk, permission=VIEW)


def default_center(*, user: Any) -> Organization | None:
    return points_selectors.default_center(user=user, permission=VIEW)


@dataclass(frozen=True)
class Subject:
    """Whose appraisal: the person, their center, whether the viewer is the person, whether the viewer may read the
    center's ledger (then the page links to the rows behind each figure)."""

    staff: Staff
    center: Organization
    own: bool
    can_drill: bool


def access_staff(*, user: Any, pk: Any) -> Subject:
    """The person `pk` if the viewer is that person or holds points.view_ledger over the person's center; else 404
    (another center's staff, or someone else's page for a plain staff member, do not exist for the viewer)."""
    try:
        staff = Staff.objects.select_related("organization").get(pk=int(pk))
    except (Staff.DoesNotExist, ValueError, TypeError):
        raise Http404("no such staff") from None
    center = staff.organization.service_center()
    if center is None:
        raise Http404("not in a service center")
    own = staff.user_id is not None and staff.user_id == getattr(user, "pk", None)
    can_drill = has_permission_in(user=user, permission=VIEW, organization=center)
    if not (own or can_drill):
        raise Http404("no such staff")
    return Subject(staff, center, own, can_drill)


def center_staff(*, center: Organization, month: date, totals: Iterable[int] = ()) -> QuerySet[Staff]:
    """The center's staff for the overview: everyone employed (active or on leave) under the center, plus anyone
    with points in the month, by staff number (as the points board)."""
    return (
        Staff.objects.filter(organization__path__startswith=center.path)
        .filter(Q(status__in=["active", "on_leave"]) | Q(pk__in=list(totals)))
        .select_related("organization")
        .order_by("staff_no", "pk")
    )


# --- the month's figures -------------------------------------------------------------------------------------------


@dataclass
class Figures:
    """One person's month. Counts are 0 and rates None where there is nothing to count."""

    staff_id: int
    # 积分 (the board's verified entries, PUB-01)
    work: Decimal = ZERO
    auxiliary: Decimal = ZERO
    fixed: Decimal = ZERO
    # 工单时效: orders assigned to the person and returned in the month
    returned: int = 0
    responded_on_time: int = 0
    resolved_on_time: int = 0
    # 客户满意度: callbacks done in the month (technician = the person) and public ratings of the month
    cb_done: int = 0
    cb_satisfied: int = 0
    cb_average: int = 0
    cb_dissatisfied: int = 0
    cb_attitude_n: int = 0
    cb_pct_sum: Decimal = ZERO
    cb_pct_n: int = 0
    ratings: int = 0
    ratings_good: int = 0
    ratings_bad: int = 0
    ratings_level_sum: int = 0
    # 考勤
    attendance: dict[str, int] = field(default_factory=dict)
    absent_days: Decimal = ZERO
    violations: int = 0
    # the components and the composite (filled by `month_figures`)
    scores: dict[str, Decimal | None] = field(default_factory=dict)
    composite: policies.Composite | None = None

    @property
    def total(self) -> Decimal:
        return self.work + self.auxiliary + self.fixed

    @property
    def response_rate(self) -> Decimal | None:
        return policies.percent(self.responded_on_time, self.returned)

    @property
    def resolve_rate(self) -> Decimal | None:
        return policies.percent(self.resolved_on_time, self.returned)

    @property
    def cb_satisfied_rate(self) -> Decimal | None:
        return policies.percent(self.cb_satisfied, self.cb_attitude_n)

    @property
    def cb_pct_mean(self) -> Decimal | None:
        return policies.round1(self.cb_pct_sum / self.cb_pct_n) if self.cb_pct_n else None

    @property
    def ratings_mean(self) -> Decimal | None:
        return policies.round1(Decimal(self.ratings_level_sum) / self.ratings) if self.ratings else None

    @property
    def satisfied(self) -> int:
        return self.cb_satisfied + self.ratings_good

    @property
    def answered(self) -> int:
        return self.cb_attitude_n + self.ratings

    @property
    def satisfied_rate(self) -> Decimal | None:
        return policies.percent(self.satisfied, self.answered)

    @property
    def late(self) -> int:
        return self.attendance.get(ResultStatus.LATE, 0)

    @property
    def early(self) -> int:
        return self.attendance.get(ResultStatus.EARLY_LEAVE, 0)

    @property
    def absent(self) -> int:
        return self.attendance.get(ResultStatus.ABSENT, 0)

    @property
    def worked_days(self) -> int:
        return sum(n for status, n in self.attendance.items() if status not in NOT_WORKED)


@dataclass(frozen=True)
class MonthParams:
    weights: dict[str, Decimal]
    scale: tuple[Decimal, Decimal]
    weights_value: PolicyValue
    scale_value: PolicyValue


def month_params(*, center: Organization, month: date) -> MonthParams:
    """The weights and the attendance scale in force for the center on the month's last day (two queries)."""
    values = resolve_many(PARAM_KEYS, org=center, at=month_end(month_of(month)))
    return MonthParams(
        weights=policies.weights_of(values["appraisal.weights"].value),
        scale=policies.scale_of(values["appraisal.attendance_scale"].value),
        weights_value=values["appraisal.weights"],
        scale_value=values["appraisal.attendance_scale"],
    )


def month_bounds(*, center: Organization, month: date) -> tuple[datetime, datetime]:
    """The month as [start, end) instants in the center's time zone."""
    zone = zone_of(center)
    first = month_of(month)
    nxt = month_end(first) + timedelta(days=1)
    return datetime.combine(first, time.min, tzinfo=zone), datetime.combine(nxt, time.min, tzinfo=zone)


@dataclass(frozen=True)
class CenterMonth:
    """The figures of the asked staff, the center's best points total (the points component's 100) and the
    parameters with their citations."""

    figures: dict[int, Figures]
    best_total: Decimal | None
    params: MonthParams
    totals: dict[int, dict[str, Decimal]]


def month_figures(*, center: Organization, month: date, staff_ids: list[int]) -> CenterMonth:
    """The month's figures of `staff_ids` (people of `center`): eight queries whatever the data — the center's
    board totals, the orders, callbacks, ratings, attendance results and violations grouped by person, and the two
    parameters."""
    month = month_of(month)
    last = month_end(month)
    start, end = month_bounds(center=center, month=month)
    figures = {pk: Figures(pk) for pk in staff_ids}
    totals = points_selectors.board_totals(organization=center, month=month, day=last)
    best = max((t["month_work"] + t["auxiliary"] + t["fixed"] for t in totals.values()), default=None)
    for pk, t in totals.items():
        if pk in figures:
            f = figures[pk]
            f.work, f.auxiliary, f.fixed = t["month_work"], t["auxiliary"], t["fixed"]
    if staff_ids:
        _orders(figures, staff_ids, start, end)
        _callbacks(figures, staff_ids, start, end)
        _ratings(figures, staff_ids, start, end)
        _attendance(figures, staff_ids, month, last)
    params = month_params(center=center, month=month)
    for f in figures.values():
        f.scores = {
            "points": policies.points_score(total=f.total, best=best),
            "sla": policies.sla_score(returned=f.returned, resolved_on_time=f.resolved_on_time),
            "satisfaction": policies.satisfaction_score(
                satisfied=f.satisfied, answered=f.answered, pct_mean=f.cb_pct_mean
            ),
            "attendance": policies.attendance_score(
                days=f.worked_days, late=f.late, early=f.early, absent_days=f.absent_days, scale=params.scale
            ),
        }
        f.composite = policies.composite(scores=f.scores, weights=params.weights)
    return CenterMonth(figures, best, params, totals)


def _orders(figures: dict[int, Figures], ids: list[int], start: datetime, end: datetime) -> None:
    rows = (
        WorkOrder.objects.filter(assignee_id__in=ids, returned_at__gte=start, returned_at__lt=end)
        .values("assignee_id")
        .annotate(
            returned=Count("id"),
            responded=Count("id", filter=Q(response_breached_at__isnull=True)),
            resolved=Count("id", filter=Q(resolve_breached_at__isnull=True)),
        )
    )
    for r in rows:
        f = figures[r["assignee_id"]]
        f.returned, f.responded_on_time, f.resolved_on_time = r["returned"], r["responded"], r["resolved"]


def _callbacks(figures: dict[int, Figures], ids: list[int], start: datetime, end: datetime) -> None:
    rows = (
        CallbackTask.objects.filter(
            technician_id__in=ids, status=TaskStatus.DONE, completed_at__gte=start, completed_at__lt=end
        )
        .values("technician_id")
        .annotate(
            done=Count("id"),
            satisfied=Count("id", filter=Q(attitude=Attitude.SATISFIED)),
            average=Count("id", filter=Q(attitude=Attitude.AVERAGE)),
            dissatisfied=Count("id", filter=Q(attitude=Attitude.DISSATISFIED)),
            attitude_n=Count("id", filter=~Q(attitude="")),
            pct_sum=Sum("score_pct"),
            pct_n=Count("score_pct"),
        )
    )
    for r in rows:
        f = figures[r["technician_id"]]
        f.cb_done, f.cb_satisfied, f.cb_average = r["done"], r["satisfied"], r["average"]
        f.cb_dissatisfied, f.cb_attitude_n = r["dissatisfied"], r["attitude_n"]
        f.cb_pct_sum, f.cb_pct_n = Decimal(r["pct_sum"] or 0), r["pct_n"]


def _ratings(figures: dict[int, Figures], ids: list[int], start: datetime, end: datetime) -> None:
    rows = (
        Rating.objects.filter(staff_id__in=ids, rated_at__gte=start, rated_at__lt=end)
        .values("staff_id")
        .annotate(
            n=Count("id"),
            good=Count("id", filter=Q(level__gte=GOOD_RATING)),
            bad=Count("id", filter=Q(level__lte=BAD_RATING)),
            level_sum=Sum("level"),
        )
    )
    for r in rows:
        f = figures[r["staff_id"]]
        f.ratings, f.ratings_good, f.ratings_bad, f.ratings_level_sum = r["n"], r["good"], r["bad"], r["level_sum"] or 0


def _attendance(figures: dict[int, Figures], ids: list[int], first: date, last: date) -> None:
    """The month's attendance results by status (with the absent days) and the active violations: two queries."""
    rows = (
        AttendanceResult.objects.filter(staff_id__in=ids, day__gte=first, day__lte=last)
        .values("staff_id", "status")
        .annotate(n=Count("id"), absent=Sum("absent_days"))
    )
    for r in rows:
        f = figures[r["staff_id"]]
        f.attendance[r["status"]] = r["n"]
        if r["status"] == ResultStatus.ABSENT:
            f.absent_days += Decimal(r["absent"] or 0)
    violations = (
        Violation.objects.filter(staff_id__in=ids, day__gte=first, day__lte=last, status=ViolationStatus.ACTIVE)
        .values("staff_id")
        .annotate(n=Count("id"))
    )
    for v in violations:
        figures[v["staff_id"]].violations = v["n"]


# --- the person's page extras --------------------------------------------------------------------------------------


def month_close(*, center: Organization, month: date) -> MonthClose | None:
    return points_selectors.month_close(organization=center, month=month)


def reversals_of(*, center: Organization, month: date, staff: Staff) -> list[PointEntry]:
    """The person's reversals written after the month was locked (PTS-09: visible as such)."""
    return list(points_selectors.after_lock_reversals(organization=center, month=month).filter(staff=staff))


def holds_renewals(*, center: Organization, month: date, staff: Staff) -> bool:
    """Whether the renewal section applies (PTS-14): the person holds the renewal specialist role in the center, or
    has rows on the center's renewal lists of the month. One query."""
    from servicecenter.renewals.models import RenewalRow

    role = RoleAssignment.objects.filter(
        user_id=OuterRef("user_id"),
        is_active=True,
        role__code="renewal_specialist",
        organization__path__startswith=center.path,
    )
    rows = RenewalRow.objects.filter(organization=center, month=month_of(month), assignee_id=OuterRef("pk"))
    return Staff.objects.filter(pk=staff.pk).filter(Exists(role) | Exists(rows)).exists()


def renewal_result(*, center: Organization, month: date, staff: Staff) -> Any:
    """The person's renewal month (rate vs the 70 % target, PTS-14; points PTS-13…17) from the renewals app. Raises
    ImportError when the renewals module is not installed (the page then says «续费模块未启用»)."""
    from servicecenter.renewals.selectors import month_result

    results = month_result(center, month_of(month), staff=staff)
    return results[0] if results else None
