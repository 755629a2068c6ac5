"""Satisfaction analytics (CB-18, CB-15, C-10): callbacks, complaints and ratings of a month, per staff member, team,
center and month (a 12-month trend). Every figure is a database aggregate (COUNT/SUM with FILTER, one GROUP BY per
grouping and source); Python only merges the grouped rows and divides.

Definitions (CB-18 is a kind "c" report: the definitions are ours; docs/callbacks/satisfaction.md repeats them):

- **done** (回访完成): callbacks answered by the customer (status done) whose `completed_at` lies in the month;
  **unreachable** (无法联系): callbacks that ended unreachable in the month. Both are drill-down counts of the
  callback history list (`completed_at` month).
- **satisfaction rate** = attitude "satisfied" ÷ done callbacks with an attitude answer (CB-03); the attitude
  distribution counts satisfied / average / dissatisfied.
- **mean score** = mean of the 1–10 scores (CB-05) of the done callbacks; **mean normalised score** = mean of
  `score_pct`, the score on 0–100 (C-10: `policies.normalize_score`, stored with the answer) — the figure to compare
  centers whose questionnaires use different scales.
- **solved rate** = "solved: yes" ÷ answers to the solved question (CB-02).
- **unexpected-charge rate** = `charge_mismatch` ÷ answers to the charged question (CB-04 cross-check).
- **completion rate** = callbacks due in the month (`due_at` in the month, cancelled ones left out) that are done ÷
  callbacks due in the month; of those, the unreachable and the still pending are counted separately.
- **complaints**: complaints received (`received_at`) in the month — for a staff row those against the person;
  **on-time handling** = answered (`resolved_at`) by `resolve_due_at` ÷ answered (G-01 deadline).
- **bad ratings**: 好差评 ratings of the month judged bad when given (level ≤ `callbacks.bad_rating_max_level` of the
  center at that time), i.e. the ratings that opened a rectification — the decision stored with the rating, so a
  later change of the parameter does not rewrite past months.

Groupings: staff = the callback's technician (a complaint's `against_staff`, a rating's `staff`); team = that
person's organization unit (a team under the center, or the center itself when it has no teams); center = the
record's organization; month = the month of the date that defines each figure (`completed_at`, `due_at`,
`received_at`, `rated_at`) in the server's time zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, F, Min, Q, QuerySet, Sum, Value
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from servicecenter.complaints.models import Complaint
from servicecenter.core.access import organizations_where
from servicecenter.core.access import scope as scoped
from servicecenter.core.policy import implements
from servicecenter.org.choices import CENTER_KINDS
from servicecenter.org.models import Organization, Staff

from .choices import BAD_TAGS, GOOD_TAGS, Attitude, TaskStatus
from .models import CallbackTask, Rating, Rectification

SATISFACTION = "callbacks.view_satisfaction"
GROUPS = ("staff", "team", "center", "month")
TREND_MONTHS = 12

# Counts summed into totals; the rates are computed from them (never averaged).
COUNTS = (
    "done",
    "unreachable",
    "satisfied",
    "average",
    "dissatisfied",
    "attitude_n",
    "score_n",
    "pct_n",
    "solved_yes",
    "solved_n",
    "mismatch",
    "charged_n",
    "due",
    "due_done",
    "due_unreachable",
    "complaints",
    "cmp_resolved",
    "cmp_on_time",
    "ratings",
    "bad_ratings",
)
SUMS = ("score_sum", "pct_sum")


# --- period and scope ------------------------------------------------------------------------------------------


def shift_month(month: date, months: int) -> date:
    """The first day of the month `months` after (negative: before) `month`."""
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """A run of whole months in the server's time zone: [start, end)."""

    first: date  # first day of the first month
    months: int
    start: datetime
    end: datetime

    @classmethod
    def of(cls, month: date, months: int = 1) -> Period:
        zone = timezone.get_current_timezone()
        first = shift_month(month.replace(day=1), 1 - months)
        last = shift_month(month.replace(day=1), 1)
        return cls(
            first=first,
            months=months,
            start=datetime(first.year, first.month, 1, tzinfo=zone),
            end=datetime(last.year, last.month, 1, tzinfo=zone),
        )

    @property
    def month_list(self) -> list[date]:
        return [shift_month(self.first, i) for i in range(self.months)]

    @property
    def label(self) -> str:
        last = shift_month(self.first, self.months - 1)
        return f"{last:%Y-%m}" if self.months == 1 else f"{self.first:%Y-%m} — {last:%Y-%m}"


@dataclass(frozen=True)
class Scope:
    """Whose figures: the user's centers (permission callbacks.view_satisfaction), narrowed to one `center`, one
    `team` (organization unit of the staff) and one callback `kind` when given."""

    user: Any
    center: Organization | None = None
    team: Organization | None = None
    kind: str = ""


def satisfaction_centers(*, user: Any) -> QuerySet[Organization]:
    """The service centers whose satisfaction figures the user may see (the page's center picker): a clerk or a
    manager his center, an ops-center GM the centers below him, a company-level role every center."""
    return organizations_where(user=user, permission=SATISFACTION).filter(is_active=True, kind__in=CENTER_KINDS)


def satisfaction_team(*, user: Any, pk: Any) -> Organization | None:
    """An organization unit inside the user's satisfaction scope (the team filter); None when it is not one."""
    try:
        return organizations_where(user=user, permission=SATISFACTION).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


# Filters take primary keys, not model instances: Django copies a lookup's value with every clone of the query, and
# copying an Organization (with its history manager) cost ~1 ms per clone — most of a center's report time.


def _tasks(where: Scope) -> QuerySet[CallbackTask]:
    qs = scoped(CallbackTask.objects.all(), user=where.user, permission=SATISFACTION)
    if where.center is not None:
        qs = qs.filter(organization_id=where.center.pk)
    if where.team is not None:
        qs = qs.filter(technician__organization_id=where.team.pk)
    if where.kind:
        qs = qs.filter(kind=where.kind)
    return qs


def _complaints(where: Scope) -> QuerySet[Complaint]:
    qs = scoped(Complaint.objects.all(), user=where.user, permission=SATISFACTION)
    if where.center is not None:
        qs = qs.filter(organization_id=where.center.pk)
    if where.team is not None:
        qs = qs.filter(against_staff__organization_id=where.team.pk)
    return qs


def _ratings(where: Scope) -> QuerySet[Rating]:
    qs = scoped(Rating.objects.all(), user=where.user, permission=SATISFACTION)
    if where.center is not None:
        qs = qs.filter(organization_id=where.center.pk)
    if where.team is not None:
        qs = qs.filter(staff__organization_id=where.team.pk)
    return qs


def _rectifications(where: Scope) -> QuerySet[Rectification]:
    """The bad ratings: one rectification per rating judged bad when it was given."""
    qs = scoped(Rectification.objects.all(), user=where.user, permission=SATISFACTION)
    if where.center is not None:
        qs = qs.filter(organization_id=where.center.pk)
    if where.team is not None:
        qs = qs.filter(rating__staff__organization_id=where.team.pk)
    return qs


# --- the aggregates --------------------------------------------------------------------------------------------


# COUNT(status) (never null) rather than COUNT(id): every column these aggregates read is in the covering indexes
# cb_completed_report_idx / cb_due_report_idx, so PostgreSQL answers from the index alone (no table access).


def _done_aggregates() -> dict[str, Any]:
    """Over callbacks that ended in the period (the caller filters `completed_at`): answered (done) with their
    answers, and unreachable."""
    done = Q(status=TaskStatus.DONE)
    return {
        "done": Count("status", filter=done),
        "unreachable": Count("status", filter=Q(status=TaskStatus.UNREACHABLE)),
        "satisfied": Count("status", filter=done & Q(attitude=Attitude.SATISFIED)),
        "average": Count("status", filter=done & Q(attitude=Attitude.AVERAGE)),
        "dissatisfied": Count("status", filter=done & Q(attitude=Attitude.DISSATISFIED)),
        "attitude_n": Count("status", filter=done & ~Q(attitude="")),
        "score_sum": Sum("score", filter=done),
        "score_n": Count("score", filter=done),
        "pct_sum": Sum("score_pct", filter=done),
        "pct_n": Count("score_pct", filter=done),
        "solved_yes": Count("status", filter=done & Q(solved=True)),
        "solved_n": Count("solved", filter=done),
        "mismatch": Count("status", filter=done & Q(charge_mismatch=True)),
        "charged_n": Count("charged", filter=done),
    }


def _due_aggregates() -> dict[str, Any]:
    """Over callbacks due in the period (the caller filters `due_at`; cancelled ones are left out) and how they
    ended."""
    due = ~Q(status=TaskStatus.CANCELLED)
    return {
        "due": Count("status", filter=due),
        "due_done": Count("status", filter=Q(status=TaskStatus.DONE)),
        "due_unreachable": Count("status", filter=Q(status=TaskStatus.UNREACHABLE)),
    }


def _complaint_aggregates() -> dict[str, Any]:
    resolved = Q(resolved_at__isnull=False)
    return {
        "complaints": Count("id"),
        "cmp_resolved": Count("id", filter=resolved),
        "cmp_on_time": Count("id", filter=resolved & Q(resolved_at__lte=F("resolve_due_at"))),
    }


def _rating_aggregates() -> dict[str, Any]:
    return {"ratings": Count("rated_at")}  # a column of cb_rating_rated_idx: an index-only count


def _bad_rating_aggregates() -> dict[str, Any]:
    # Counted from the rectifications (a few % of the ratings) joined to their rating, not by joining every rating
    # to its possible rectification.
    return {"bad_ratings": Count("id")}


# The grouping key of each source: (callbacks, complaints, ratings, rectifications).
_KEYS: dict[str, tuple[str, str, str, str]] = {
    "staff": ("technician_id", "against_staff_id", "staff_id", "rating__staff_id"),
    "team": (
        "technician__organization_id",
        "against_staff__organization_id",
        "staff__organization_id",
        "rating__staff__organization_id",
    ),
    "center": ("organization_id", "organization_id", "organization_id", "organization_id"),
}


def _grouped(qs: QuerySet, key: Any, aggregates: Mapping[str, Any]) -> Iterable[dict[str, Any]]:
    expression = F(key) if isinstance(key, str) else key
    return qs.annotate(k=expression).values("k").annotate(**aggregates).order_by()


def _by_month(
    qs: QuerySet, field: str, aggregates: Mapping[str, Any], period: Period, *, narrow: bool
) -> Iterator[dict[str, Any]]:
    """The aggregates of each month of `period` over the rows whose `field` lies in that month (`k`: a datetime in
    the month).

    One center (`narrow`: about 10,000 callbacks a year) is one GROUP BY on the truncated month over one index scan.
    Many centers (a GM's, the company's: up to a million rows a year) are one statement of one plain aggregate per
    month joined by UNION ALL: each branch is a range scan of the covering index on `field` and needs no sort,
    where the GROUP BY sorts every row of the year (PostgreSQL cannot estimate the number of months and picks a
    sort that spills to disk: 3× slower on the 1M-order data set). The aggregates are resolved once; the branches
    are clones that differ only in the range, and a branch's month is read back from its earliest `field`."""
    zone = timezone.get_current_timezone()
    window = qs.filter(**{f"{field}__gte": period.start, f"{field}__lt": period.end})
    if narrow:
        yield from _grouped(window, TruncMonth(field, tzinfo=zone), aggregates)
        return
    base = qs.annotate(one=Value(1)).values("one").annotate(k=Min(field), **aggregates).order_by()
    parts = []
    for month in period.month_list:
        after = shift_month(month, 1)
        start = datetime(month.year, month.month, 1, tzinfo=zone)
        end = datetime(after.year, after.month, 1, tzinfo=zone)
        parts.append(base.filter(**{f"{field}__gte": start, f"{field}__lt": end}))
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    for row in union:
        row.pop("one", None)
        if row["k"] is not None:
            yield row


def _month_key(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return date(value.year, value.month, 1)
    return date(value.year, value.month, 1)


def _merge(rows: dict[Any, dict[str, Any]], items: Iterable[Mapping[str, Any]], *, month: bool = False) -> None:
    for item in items:
        data = dict(item)
        key = data.pop("k")
        if month:
            key = _month_key(key)
        row = rows.setdefault(key, {"key": key})
        for name, amount in data.items():
            row[name] = row.get(name) or 0
            row[name] += amount or 0


# --- rows, rates and labels ------------------------------------------------------------------------------------


def _percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _mean(total: Any, n: int) -> float | None:
    return round(float(Decimal(total or 0) / n), 1) if n else None


def finish(row: dict[str, Any]) -> dict[str, Any]:
    """Fill the missing counts with 0 and compute the rates and means of one row (or of the totals)."""
    for name in COUNTS:
        row[name] = int(row.get(name) or 0)
    for name in SUMS:
        row[name] = row.get(name) or 0
    row["satisfaction_rate"] = _percent(row["satisfied"], row["attitude_n"])
    row["score_avg"] = _mean(row["score_sum"], row["score_n"])
    row["pct_avg"] = _mean(row["pct_sum"], row["pct_n"])
    row["unsolved"] = row["solved_n"] - row["solved_yes"]
    row["solved_rate"] = _percent(row["solved_yes"], row["solved_n"])
    row["mismatch_rate"] = _percent(row["mismatch"], row["charged_n"])
    row["completion_rate"] = _percent(row["due_done"], row["due"])
    row["due_pending"] = row["due"] - row["due_done"] - row["due_unreachable"]
    row["cmp_on_time_rate"] = _percent(row["cmp_on_time"], row["cmp_resolved"])
    return row


def totals(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The total line: sums of the counts and of the score sums, rates and means recomputed from them."""
    total: dict[str, Any] = {"key": None, "label": _("合计")}
    for name in COUNTS:
        total[name] = sum(int(r.get(name) or 0) for r in rows)
    for name in SUMS:
        total[name] = sum((Decimal(r.get(name) or 0) for r in rows), Decimal(0))
    return finish(total)


def _label(group: str, rows: dict[Any, dict[str, Any]]) -> None:
    """Names for the keys (one query for the whole table): staff name + unit, team (center · team), center."""
    keys = [k for k in rows if k is not None]
    if group == "staff":
        people = Staff.objects.filter(pk__in=keys).values_list(
            "pk", "name", "organization_id", "organization__name", "organization__kind", "organization__parent_id"
        )
        found = {}
        for pk, name, unit_id, unit, kind, parent_id in people:
            found[pk] = (name, unit)
            # the person's center: his unit, or the center the unit (a team, a window) belongs to
            rows[pk]["center_id"] = unit_id if kind in CENTER_KINDS else parent_id
        missing = (_("（未指定人员）"), "")
    elif group == "team":
        found = {
            pk: (name, parent if kind not in CENTER_KINDS and parent else "")
            for pk, name, kind, parent in Organization.objects.filter(pk__in=keys).values_list(
                "pk", "name", "kind", "parent__name"
            )
        }
        missing = (_("（未指定班组）"), "")
    else:
        found = {pk: (name, "") for pk, name in Organization.objects.filter(pk__in=keys).values_list("pk", "name")}
        missing = ("—", "")
    for key, row in rows.items():
        row["label"], row["sub"] = found.get(key, (str(key), "")) if key is not None else missing


@implements("CB-18", "C-10")
def satisfaction_table(*, where: Scope, group: str, period: Period) -> list[dict[str, Any]]:
    """CB-18: the satisfaction report of `period` for `where`, one row per staff member, team or center (sorted by
    name; the row without a person/team last), or per month of `period` (every month, in time order, empty months
    included). C-10: each row carries the mean normalised score (0–100) beside the raw mean.

    Queries: one per source — callbacks that ended in the period, callbacks due in it, complaints, ratings, bad
    ratings (rectifications) — plus one for the names (staff/team/center). Never a query per row. The callbacks and
    ratings are read from the covering indexes cb_completed_report_idx, cb_due_report_idx and cb_rating_rated_idx
    (by month for many centers: see `_by_month`)."""
    rows: dict[Any, dict[str, Any]] = {}
    tasks, complaints, ratings, bad = _tasks(where), _complaints(where), _ratings(where), _rectifications(where)
    received = Q(received_at__gte=period.start, received_at__lt=period.end)
    rated = Q(rated_at__gte=period.start, rated_at__lt=period.end)
    bad_rated = Q(rating__rated_at__gte=period.start, rating__rated_at__lt=period.end)
    if group == "month":
        zone = timezone.get_current_timezone()
        narrow = where.center is not None or where.team is not None
        _merge(rows, _by_month(tasks, "completed_at", _done_aggregates(), period, narrow=narrow), month=True)
        _merge(rows, _by_month(tasks, "due_at", _due_aggregates(), period, narrow=narrow), month=True)
        _merge(
            rows,
            _grouped(complaints.filter(received), TruncMonth("received_at", tzinfo=zone), _complaint_aggregates()),
            month=True,
        )
        _merge(rows, _by_month(ratings, "rated_at", _rating_aggregates(), period, narrow=narrow), month=True)
        _merge(
            rows,
            _grouped(bad.filter(bad_rated), TruncMonth("rating__rated_at", tzinfo=zone), _bad_rating_aggregates()),
            month=True,
        )
        result = []
        for month in period.month_list:
            row = rows.get(month, {"key": month})
            row["label"], row["sub"] = f"{month:%Y-%m}", ""
            result.append(finish(row))
        return result
    if group not in _KEYS:
        raise ValueError(group)
    task_key, complaint_key, rating_key, bad_key = _KEYS[group]
    # Two passes over the callbacks rather than one with "ended OR due": each is a range on one indexed column
    # (an OR of two ranges is a scan of the whole table).
    ended = Q(completed_at__gte=period.start, completed_at__lt=period.end)
    due = Q(due_at__gte=period.start, due_at__lt=period.end)
    _merge(rows, _grouped(tasks.filter(ended), task_key, _done_aggregates()))
    _merge(rows, _grouped(tasks.filter(due), task_key, _due_aggregates()))
    _merge(rows, _grouped(complaints.filter(received), complaint_key, _complaint_aggregates()))
    _merge(rows, _grouped(ratings.filter(rated), rating_key, _rating_aggregates()))
    _merge(rows, _grouped(bad.filter(bad_rated), bad_key, _bad_rating_aggregates()))
    _label(group, rows)
    result = [finish(row) for row in rows.values()]
    result.sort(key=lambda r: (r["key"] is None, str(r["label"]), str(r["sub"])))
    return result


# --- CB-15: what the customers said, as a basis for improvement actions ------------------------------------------


def _tag_match(code: str) -> Q:
    # A rating's tags are a JSON list of codes: containment on PostgreSQL (jsonb @>); SQLite (the embedded default)
    # has no JSON containment, so the quoted code is looked for in the JSON text there.
    if connection.vendor == "postgresql":
        return Q(tags__contains=[code])
    return Q(tags__icontains=f'"{code}"')


@implements("CB-15")
def survey_findings(*, where: Scope, period: Period) -> dict[str, list[dict[str, Any]]]:
    """CB-15: the reasons customers gave in the 好差评 ratings of the period (each reason tag with its count, the most
    frequent first; one query), the analysis a manager turns into improvement actions (complaints.ImprovementAction,
    CMP-02). The callback answers' problems (not solved, dissatisfied, unexpected charges) are the report's totals."""
    tags = {**{f"good_{code}": code for code in GOOD_TAGS}, **{f"bad_{code}": code for code in BAD_TAGS}}
    rated = Q(rated_at__gte=period.start, rated_at__lt=period.end)
    counts = (
        _ratings(where)
        .filter(rated)
        .aggregate(**{name: Count("id", filter=_tag_match(code)) for name, code in tags.items()})
    )

    def ranked(prefix: str, labels: Mapping[str, str]) -> list[dict[str, Any]]:
        items = [(int(counts.get(f"{prefix}_{code}") or 0), code, _(label)) for code, label in labels.items()]
        items.sort(key=lambda item: -item[0])
        return [{"code": code, "label": label, "n": n} for n, code, label in items]

    return {"bad": ranked("bad", BAD_TAGS), "good": ranked("good", GOOD_TAGS)}
