"""Every read of the callback pages: scoped by the one helper (core.access), bounded queries (no N+1).

Sections per part of the app (the queue, the call page, follow-ups, opinions and questionnaires first; other parts
add theirs below, each under its own comment)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404

from servicecenter.core.access import has_permission_in, organizations_where, scope
from servicecenter.core.policy import implements
from servicecenter.org.choices import CENTER_KINDS, OrganizationKind
from servicecenter.org.selectors import mask_phone

from .choices import FollowUpStatus, TaskStatus
from .models import CallbackAttempt, CallbackTask, FollowUp, Opinion, Questionnaire

# --- queue / call / follow-ups -----------------------------------------------------------------------------------

MAKE = "callbacks.make_callback"  # the queue, the call page's actions
VIEW = "callbacks.view_callbacktask"  # the history list (the satisfaction report's drill-down), a task's page
MANAGE = "callbacks.manage_callbacks"  # follow-ups, opinions, questionnaires, cancelling, care callbacks

QUEUE_PAGE = 50
HISTORY_PAGE = 50
CLOSED_STATUSES = (TaskStatus.DONE, TaskStatus.UNREACHABLE, TaskStatus.CANCELLED)
STAFF_CHOICES_LIMIT = 500
ATTEMPT_LOG_LIMIT = 100


def callback_centers(*, user: Any, permission: str) -> list[Any]:
    """The active service centers where the user holds `permission` (the center pickers of the pages)."""
    return list(
        organizations_where(user=user, permission=permission)
        .filter(is_active=True, kind__in=CENTER_KINDS)
        .order_by("path")
    )


def can_see_phone(*, user: Any, organization: Any) -> bool:
    """Who sees a customer's full number in lists: whoever makes callbacks in that center (callbacks.make_callback
    — they dial it). Everyone else who may read callbacks (a report reader holding only view_callbacktask or
    view_satisfaction) sees it masked, 138****1234. Reads the user's cached grants: no query per row."""
    return has_permission_in(user=user, permission=MAKE, organization=organization)


def phone_as_seen(*, user: Any, task: CallbackTask) -> str:
    return task.phone if can_see_phone(user=user, organization=task.organization) else mask_phone(task.phone)


@dataclass(frozen=True)
class QueueFilters:
    """The queue's filters: `centers` (already within the user's scope), `kind`, only overdue (due_at passed),
    only appointments (CB-01), only the tasks the user has claimed now."""

    centers: list[Any]
    kind: str = ""
    overdue: bool = False
    appointments: bool = False
    mine: bool = False


def _cursor_after(qs: QuerySet, after: tuple[datetime, int] | None, column: str, *, descending: bool) -> QuerySet:
    if after is None:
        return qs
    at, pk = after
    if descending:
        return qs.filter(Q(**{f"{column}__lt": at}) | Q(**{column: at, "id__lt": pk}))
    return qs.filter(Q(**{f"{column}__gt": at}) | Q(**{column: at, "id__gt": pk}))


def keyset_page(
    qs: QuerySet, *, after: tuple[datetime, int] | None, size: int, column: str, descending: bool = False
) -> tuple[list[Any], tuple[datetime, int] | None]:
    """Keyset pagination over (`column`, id) — ascending or descending as `qs` is ordered: the rows after the
    cursor and the cursor of the next page (None on the last page). No COUNT, no OFFSET over a large table."""
    rows = list(_cursor_after(qs, after, column, descending=descending)[: size + 1])
    if len(rows) > size:
        last = rows[size - 1]
        return rows[:size], (getattr(last, column), last.pk)
    return rows, None


# The long texts a list row never shows (the order's problem, work content and citations; the task's answers):
# loading a queue page reads the order only for its number (bench/results.d/callbacks.md).
LIST_DEFERRED = (
    "answers",
    "suggestion",
    "due_citation",
    "order__problem",
    "order__work_content",
    "order__answer",
    "order__read_back",
    "order__sla_citation",
    "order__payment_citation",
    "order__priority_reason",
    "order__cancel_reason",
    "order__address",
)


def queue_tasks(*, user: Any, filters: QueueFilters, now: datetime) -> QuerySet:
    """The pending callbacks of the chosen centers, the soonest `next_attempt_at` first: tasks due now (their time
    has come: new, retries, appointments reached), then later retries and appointments. For one center this walks
    the partial index cb_queue_idx (organization, next_attempt_at, id) WHERE status = 'pending'."""
    qs = CallbackTask.objects.filter(status=TaskStatus.PENDING, organization__in=filters.centers)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.overdue:
        qs = qs.filter(due_at__lt=now)
    if filters.appointments:
        qs = qs.filter(appointment_at__isnull=False)
    if filters.mine:
        qs = qs.filter(claimed_by=user, claimed_until__gt=now)
    return (
        qs.select_related("organization", "order", "technician", "claimed_by__staff")
        .defer(*LIST_DEFERRED)
        .order_by("next_attempt_at", "id")
    )


def queue_counts(*, user: Any, centers: list[Any], now: datetime) -> dict[str, int]:
    """The counts above the queue (every pending task of the centers, whatever the filters): one query."""
    return CallbackTask.objects.filter(status=TaskStatus.PENDING, organization__in=centers).aggregate(
        pending=Count("id"),
        due_now=Count("id", filter=Q(next_attempt_at__lte=now)),
        overdue=Count("id", filter=Q(due_at__lt=now)),
        appointments=Count("id", filter=Q(appointment_at__isnull=False)),
        mine=Count("id", filter=Q(claimed_by=user, claimed_until__gt=now)),
    )


def next_due_task(*, user: Any, organization: Any, now: datetime, exclude: Any = None) -> CallbackTask | None:
    """The next callback to make in a center («下一个»): due now, not being called by someone else."""
    qs = CallbackTask.objects.filter(
        status=TaskStatus.PENDING, organization=organization, next_attempt_at__lte=now
    ).filter(Q(claimed_by__isnull=True) | Q(claimed_until__lte=now) | Q(claimed_by=user))
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs.order_by("next_attempt_at", "id").only("id").first()


@dataclass(frozen=True)
class HistoryFilters:
    """The history's filters (the drill-down of the satisfaction report): `centers` within the user's scope,
    `start`/`end` (aware, end exclusive) on completed_at, and the task's fields."""

    centers: list[Any]
    start: datetime | None = None
    end: datetime | None = None
    technician: int | None = None
    kind: str = ""
    statuses: tuple[str, ...] = CLOSED_STATUSES
    attitude: str = ""
    solved: bool | None = None
    charge_mismatch: bool | None = None
    score_max: int | None = None


def history_tasks(*, filters: HistoryFilters) -> QuerySet:
    """Finished callbacks (done, unreachable, cancelled) of the chosen centers, the latest first. A center's
    month walks cb_org_completed_idx (organization, completed_at); a technician's, cb_tech_completed_idx."""
    qs = CallbackTask.objects.filter(organization__in=filters.centers, completed_at__isnull=False)
    qs = qs.filter(status__in=filters.statuses)
    if filters.start is not None:
        qs = qs.filter(completed_at__gte=filters.start)
    if filters.end is not None:
        qs = qs.filter(completed_at__lt=filters.end)
    if filters.technician is not None:
        qs = qs.filter(technician_id=filters.technician)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.attitude:
        qs = qs.filter(attitude=filters.attitude)
    if filters.solved is not None:
        qs = qs.filter(solved=filters.solved)
    if filters.charge_mismatch is not None:
        qs = qs.filter(charge_mismatch=filters.charge_mismatch)
    if filters.score_max is not None:
        qs = qs.filter(score__lte=filters.score_max)
    return (
        qs.select_related("organization", "order", "technician", "completed_by__staff")
        .defer(*LIST_DEFERRED)
        .order_by("-completed_at", "-id")
    )


def center_staff_choices(*, center: Any) -> list[tuple[int, str]]:
    """The staff of a center's subtree (technicians of the history filter, the staff of an opinion)."""
    from servicecenter.org.models import Staff

    if center is None:
        return []
    return list(
        Staff.objects.filter(organization__path__startswith=center.path)
        .order_by("staff_no")
        .values_list("pk", "name")[:STAFF_CHOICES_LIMIT]
    )


def staff_choice(*, pk: int, centers: list[Any]) -> tuple[int, str] | None:
    """(id, name) of a staff member of one of `centers` (their subtrees), else None."""
    from servicecenter.org.models import Staff

    inside = Q(pk__in=[])
    for center in centers:
        inside |= Q(organization__path__startswith=center.path)
    return Staff.objects.filter(inside, pk=pk).values_list("pk", "name").first()


def access_task(*, user: Any, pk: Any) -> CallbackTask:
    """One callback the user may read (callbacks.view_callbacktask in its center), with what its page shows;
    outside the user's scope it does not exist (404)."""
    try:
        return (
            scope(CallbackTask.objects.all(), user=user, permission=VIEW)
            .select_related(
                "organization",
                "order__assignee",
                "customer",
                "technician",
                "claimed_by__staff",
                "completed_by__staff",
                "questionnaire",
                "followup",
            )
            .get(pk=int(pk))
        )
    except (CallbackTask.DoesNotExist, ValueError, TypeError):
        raise Http404("no such callback") from None


def task_followup(task: CallbackTask) -> FollowUp | None:
    """The follow-up a callback opened (G-03), if any (loaded with the task by access_task)."""
    try:
        return task.followup
    except FollowUp.DoesNotExist:
        return None


def task_attempts(*, task: CallbackTask) -> list[CallbackAttempt]:
    """The calls made so far, oldest first (capped: a task has at most callbacks.max_attempts + appointments)."""
    return list(CallbackAttempt.objects.filter(task=task).order_by("at", "id")[:ATTEMPT_LOG_LIMIT])


def followup_list(*, centers: list[Any], status: str = "") -> QuerySet:
    """The follow-ups (G-03) of the chosen centers: one status (the index cb_followup_org_idx serves it), or all with
    the open ones first, newest first within."""
    from django.db.models import Case, IntegerField, Value, When

    qs = FollowUp.objects.filter(organization__in=centers).select_related(
        "organization", "task__technician", "order", "assigned_to__staff", "rework_order", "complaint"
    )
    if status:
        return qs.filter(status=status).order_by("-created_at", "-id")
    opened = Case(When(status=FollowUpStatus.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField())
    return qs.annotate(_closed=opened).order_by("_closed", "-created_at", "-id")


def followup_counts(*, centers: list[Any]) -> dict[str, int]:
    rows = FollowUp.objects.filter(organization__in=centers).values_list("status").annotate(n=Count("id"))
    return {status: n for status, n in rows}


def access_followup(*, user: Any, pk: Any) -> FollowUp:
    """One follow-up the user may handle (callbacks.manage_callbacks in its center); else 404."""
    try:
        return (
            scope(FollowUp.objects.all(), user=user, permission=MANAGE)
            .select_related(
                "organization",
                "task__technician",
                "task__questionnaire",
                "task__customer",
                "task__completed_by__staff",
                "order__assignee",
                "assigned_to__staff",
                "resolved_by__staff",
                "rework_order",
                "complaint",
            )
            .get(pk=int(pk))
        )
    except (FollowUp.DoesNotExist, ValueError, TypeError):
        raise Http404("no such follow-up") from None


def opinion_list(*, centers: list[Any], kind: str = "", status: str = "", source: str = "") -> QuerySet:
    """Customer opinions (CB-13) of the chosen centers, newest first (cb_opinion_org_idx)."""
    qs = Opinion.objects.filter(organization__in=centers)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if source:
        qs = qs.filter(source=source)
    return qs.select_related("organization", "customer", "staff", "task", "handled_by__staff").order_by(
        "-created_at", "-id"
    )


def access_opinion(*, user: Any, pk: Any) -> Opinion:
    try:
        return (
            scope(Opinion.objects.all(), user=user, permission=MANAGE)
            .select_related("organization", "customer", "staff", "handled_by__staff")
            .get(pk=int(pk))
        )
    except (Opinion.DoesNotExist, ValueError, TypeError):
        raise Http404("no such opinion") from None


QUESTIONNAIRE_KINDS = (OrganizationKind.COMPANY, OrganizationKind.OPS_CENTER, *CENTER_KINDS)


def questionnaire_organizations(*, user: Any) -> list[Any]:
    """Where the user may publish a questionnaire (C-10): their centers, and the company / ops center above them
    when they manage callbacks there (a version there is inherited by every center below without its own)."""
    return list(
        organizations_where(user=user, permission=MANAGE)
        .filter(is_active=True, kind__in=QUESTIONNAIRE_KINDS)
        .order_by("path")
    )


def questionnaire_versions(*, organization: Any) -> QuerySet:
    """Every version published for one organization, the newest first (cb_questionnaire_version_uniq)."""
    return (
        Questionnaire.objects.filter(organization=organization).select_related("created_by__staff").order_by("-version")
    )


# --- surveys and ratings -----------------------------------------------------------------------------------------

VIEW_SATISFACTION = "callbacks.view_satisfaction"  # ratings, rectifications, the courtesy summary (read)
RATING_PAGE = 50
RECTIFICATION_PAGE = 50
CAMPAIGN_PAGE = 20
ANSWER_PAGE = 50
PRINT_PAGE = 500


@dataclass(frozen=True)
class RatingFilters:
    """The ratings list's filters: the `centers` shown (within the user's scope), a level, the serviceman, a period
    (`start`/`end` aware, end exclusive, on rated_at) and «bad only»: the ratings that were bad under the rule in force
    when given (`callbacks.bad_rating_max_level` of their center then) — exactly those with a rectification."""

    centers: list[Any]
    level: int | None = None
    staff: int | None = None
    start: datetime | None = None
    end: datetime | None = None
    bad_only: bool = False


def rating_list(*, filters: RatingFilters) -> QuerySet:
    """The ratings (好差评) of the centers, the latest first: cb_rating_org_idx (organization, -rated_at), or
    cb_rating_staff_idx for one serviceman. Each row carries its order, serviceman and rectification (one query)."""
    from .models import Rating

    qs = Rating.objects.filter(organization__in=filters.centers)
    if filters.staff is not None:
        qs = qs.filter(staff_id=filters.staff)
    if filters.level is not None:
        qs = qs.filter(level=filters.level)
    if filters.bad_only:
        qs = qs.filter(rectification__isnull=False)
    if filters.start is not None:
        qs = qs.filter(rated_at__gte=filters.start)
    if filters.end is not None:
        qs = qs.filter(rated_at__lt=filters.end)
    return qs.select_related("organization", "order", "staff", "rectification").order_by("-rated_at", "-id")


def rating_level_counts(*, filters: RatingFilters) -> dict[int, int]:
    """How many ratings of each level match the filters but the level (the counts above the list): one query."""
    from dataclasses import replace

    rows = (
        rating_list(filters=replace(filters, level=None, bad_only=False))
        .order_by()
        .values_list("level")
        .annotate(n=Count("id"))
    )
    return {level: n for level, n in rows}


def rating_order(*, center: Any, number: str) -> Any:
    """The order of `center` with this number that a rating may be recorded for (done: returned or closed), with
    its rating if it has one; None when there is no such order in the center."""
    from servicecenter.workorders.models import WorkOrder

    from .surveys import RATED_STATUSES

    text = (number or "").strip()[:20]
    if not text:
        return None
    return (
        WorkOrder.objects.filter(organization=center, number=text, status__in=RATED_STATUSES)
        .select_related("organization", "assignee", "rating")
        .first()
    )


RECTIFICATION_STATES = ("open", "overdue", "done", "all")


def rectification_list(*, centers: list[Any], state: str, now: datetime) -> QuerySet:
    """The centers' rectifications: "open" (the nearest deadline first, so the overdue lead), "overdue", "done" (the
    latest first) or "all" (open ones first). cb_rectification_idx (organization, status, due_at) serves them."""
    from django.db.models import Case, IntegerField, Value, When

    from .choices import RectificationStatus
    from .models import Rectification

    qs = Rectification.objects.filter(organization__in=centers).select_related(
        "organization", "rating__order", "rating__staff", "owner__staff", "done_by__staff", "callback"
    )
    if state == "overdue":
        return qs.filter(status=RectificationStatus.OPEN, due_at__lt=now).order_by("due_at", "id")
    if state == "done":
        return qs.filter(status=RectificationStatus.DONE).order_by("-done_at", "-id")
    if state == "all":
        opened = Case(
            When(status=RectificationStatus.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        return qs.annotate(_done=opened).order_by("_done", "due_at", "id")
    return qs.filter(status=RectificationStatus.OPEN).order_by("due_at", "id")


def rectification_counts(*, centers: list[Any], now: datetime) -> dict[str, int]:
    from .choices import RectificationStatus
    from .models import Rectification

    return Rectification.objects.filter(organization__in=centers).aggregate(
        open=Count("id", filter=Q(status=RectificationStatus.OPEN)),
        overdue=Count("id", filter=Q(status=RectificationStatus.OPEN, due_at__lt=now)),
        done=Count("id", filter=Q(status=RectificationStatus.DONE)),
        all=Count("id"),
    )


def access_rectification(*, user: Any, pk: Any) -> Any:
    """One rectification the user may read (callbacks.view_satisfaction in its center); else 404."""
    from .models import Rectification

    try:
        return (
            scope(Rectification.objects.all(), user=user, permission=VIEW_SATISFACTION)
            .select_related(
                "organization",
                "rating__order",
                "rating__staff",
                "rating__customer",
                "rating__recorded_by__staff",
                "owner__staff",
                "done_by__staff",
                "callback",
            )
            .get(pk=int(pk))
        )
    except (Rectification.DoesNotExist, ValueError, TypeError):
        raise Http404("no such rectification") from None


def campaign_list(*, centers: list[Any]) -> QuerySet:
    """The centers' survey campaigns (CB-12), the newest first, each with its invitation and answer counts (one
    GROUP BY over the page's campaigns; invitations are found through their campaign_id index)."""
    from .models import SurveyCampaign

    return (
        SurveyCampaign.objects.filter(organization__in=centers)
        .select_related("organization", "created_by__staff")
        .annotate(
            invited=Count("invitations"),
            answered=Count("invitations", filter=Q(invitations__answered_at__isnull=False)),
        )
        .order_by("-created_at", "-id")
    )


def access_campaign(*, user: Any, pk: Any) -> Any:
    """One campaign the user may manage (callbacks.manage_callbacks in its center); else 404."""
    from .models import SurveyCampaign

    try:
        return (
            scope(SurveyCampaign.objects.all(), user=user, permission=MANAGE)
            .select_related("organization", "created_by__staff")
            .get(pk=int(pk))
        )
    except (SurveyCampaign.DoesNotExist, ValueError, TypeError):
        raise Http404("no such campaign") from None


def campaign_stats(*, campaign: Any) -> dict[str, Any]:
    """A campaign's figures in one aggregate query: invited, sent, opened, answered, the response rate, the rating
    distribution of the answers (level 5…1), solved yes/no and how many left a comment."""
    from .choices import RatingLevel
    from .models import SurveyInvitation

    answered = Q(answered_at__isnull=False)
    aggregates: dict[str, Any] = {
        "invited": Count("id"),
        "sent": Count("id", filter=Q(sent_at__isnull=False)),
        "opened": Count("id", filter=Q(opened_at__isnull=False)),
        "answered": Count("id", filter=answered),
        "solved_yes": Count("id", filter=answered & Q(answers__solved=True)),
        "solved_no": Count("id", filter=answered & Q(answers__solved=False)),
        "commented": Count("id", filter=answered & Q(answers__has_key="comment") & ~Q(answers__comment="")),
    }
    for level in RatingLevel.values:
        aggregates[f"level_{level}"] = Count("id", filter=answered & Q(answers__level=level))
    row = SurveyInvitation.objects.filter(campaign=campaign).aggregate(**aggregates)
    invited, answered_n = row["invited"], row["answered"]
    row["response_rate"] = round(100.0 * answered_n / invited, 1) if invited else None
    row["levels"] = [
        {
            "level": level,
            "label": str(label),
            "count": row[f"level_{level}"],
            "pct": round(100.0 * row[f"level_{level}"] / answered_n, 1) if answered_n else 0.0,
        }
        for level, label in sorted(RatingLevel.choices, reverse=True)
    ]
    return row


def campaign_answers(*, campaign: Any) -> QuerySet:
    """A campaign's answered invitations, the latest first (its order for the number; no customer phone)."""
    from .models import SurveyInvitation

    return (
        SurveyInvitation.objects.filter(campaign=campaign, answered_at__isnull=False)
        .select_related("order")
        .order_by("-answered_at", "-id")
    )


def campaign_invitations(*, campaign: Any) -> QuerySet:
    """Every invitation of a campaign in service order (the printed list of links, the mailing list)."""
    from .models import SurveyInvitation

    return (
        SurveyInvitation.objects.filter(campaign=campaign)
        .select_related("order", "customer")
        .order_by("order__returned_at", "id")
    )


@implements("CB-10")
def courtesy_summary(*, centers: list[Any], start: datetime, end: datetime) -> list[dict[str, Any]]:
    """CB-10: the courtesy callbacks (CB-09) of the centers finished in [start, end), per technician — done,
    unreachable, solved rate, the attitude distribution, the mean score and its 0–100 form (C-10). One GROUP BY
    over cb_org_completed_idx (organization, completed_at); rows sorted by name, the unassigned last."""
    from django.db.models import Avg, Sum

    from .choices import Attitude, TaskKind

    done = Q(status=TaskStatus.DONE)
    rows = (
        CallbackTask.objects.filter(
            organization__in=centers, kind=TaskKind.COURTESY, completed_at__gte=start, completed_at__lt=end
        )
        .values("technician_id", "technician__name", "technician__staff_no")
        .annotate(
            done=Count("id", filter=done),
            unreachable=Count("id", filter=Q(status=TaskStatus.UNREACHABLE)),
            solved_yes=Count("id", filter=done & Q(solved=True)),
            solved_answered=Count("id", filter=done & Q(solved__isnull=False)),
            satisfied=Count("id", filter=done & Q(attitude=Attitude.SATISFIED)),
            average=Count("id", filter=done & Q(attitude=Attitude.AVERAGE)),
            dissatisfied=Count("id", filter=done & Q(attitude=Attitude.DISSATISFIED)),
            attitude_answered=Count("id", filter=done & ~Q(attitude="")),
            score_sum=Sum("score", filter=done),
            scored=Count("score", filter=done),
            mean_score=Avg("score", filter=done),
            mean_pct=Avg("score_pct", filter=done),
        )
        .order_by()
    )
    result = [_courtesy_row(dict(row)) for row in rows]
    result.sort(key=lambda r: (r["technician_id"] is None, r["technician__name"] or "", r["technician_id"] or 0))
    return result


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _courtesy_row(row: dict[str, Any]) -> dict[str, Any]:
    row["solved_rate"] = _pct(row["solved_yes"], row["solved_answered"])
    row["satisfied_rate"] = _pct(row["satisfied"], row["attitude_answered"])
    for key in ("mean_score", "mean_pct"):
        row[key] = round(float(row[key]), 1) if row[key] is not None else None
    return row


def courtesy_totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The center's line of the courtesy summary: sums of the counts, rates over the sums, means weighted."""
    keys = (
        "done",
        "unreachable",
        "solved_yes",
        "solved_answered",
        "satisfied",
        "average",
        "dissatisfied",
        "attitude_answered",
        "scored",
    )
    total: dict[str, Any] = {key: sum(int(r[key] or 0) for r in rows) for key in keys}
    total["score_sum"] = sum(int(r["score_sum"] or 0) for r in rows)
    total["mean_score"] = round(total["score_sum"] / total["scored"], 1) if total["scored"] else None
    pct_weight = [(r["mean_pct"], r["scored"]) for r in rows if r["mean_pct"] is not None]
    weight = sum(n for _pct_value, n in pct_weight)
    total["mean_pct"] = round(sum(p * n for p, n in pct_weight) / weight, 1) if weight else None
    return _courtesy_row({**total, "technician_id": None, "technician__name": None})


# --- api (/api/v1/callbacks/) ------------------------------------------------------------------------------------
# The API reuses the sections above (access_task, task_attempts, followup_list, access_followup, opinion_list,
# access_opinion, can_see_phone); what it needs beyond the pages is here. A list asked for by someone who holds its
# permission in no center is a 403 (`require_anywhere`): a client with a missing role learns it.

API_TASK_ORDERING: dict[str, tuple[Any, ...]] = {
    "next_attempt_at": ("next_attempt_at", "id"),  # the queue order (cb_queue_idx for the pending ones)
    "due_at": ("due_at", "id"),
    # The history order (cb_org_completed_idx); pending tasks (no completion yet) last.
    "-completed_at": (F("completed_at").desc(nulls_last=True), "-id"),
    "-created_at": ("-created_at", "-id"),  # cb_org_created_idx
}


def require_anywhere(*, user: Any, permission: str, message: str) -> None:
    """Refuse (403) a caller who holds `permission` in no center; the rows are then scoped per center."""
    from servicecenter.core.access import has_permission_anywhere
    from servicecenter.core.errors import NotAllowed

    if not has_permission_anywhere(user=user, permission=permission):
        raise NotAllowed(message)


def api_centers(*, user: Any, permission: str, center: int | None) -> list[Any]:
    """The centers an API list covers: every center where the user holds `permission`, or only `center` (an id;
    one outside the user's scope gives no center, hence an empty list)."""
    centers = callback_centers(user=user, permission=permission)
    return [c for c in centers if c.pk == center] if center else centers


def task_api_list(*, user: Any, filters: dict[str, Any]) -> QuerySet:
    """Callback tasks of every status in the user's scope (callbacks.view_callbacktask), narrowed by the validated
    filters (status, kind, center, technician, due_before) and ordered by `ordering` (API_TASK_ORDERING; by default
    as `api_task_default_ordering`)."""
    qs = scope(CallbackTask.objects.all(), user=user, permission=VIEW)
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("center"):
        qs = qs.filter(organization_id=filters["center"])
    if filters.get("technician"):
        qs = qs.filter(technician_id=filters["technician"])
    if filters.get("due_before"):
        qs = qs.filter(due_at__lt=filters["due_before"])
    ordering = filters.get("ordering") or api_task_default_ordering(filters.get("status") or "")
    return qs.select_related("organization", "order", "technician", "claimed_by__staff").order_by(
        *API_TASK_ORDERING[ordering]
    )


def api_task_default_ordering(status: str) -> str:
    """The order an index serves for the status asked: the queue for pending tasks (cb_queue_idx), the latest
    finished first for done / unreachable / cancelled ones (cb_org_completed_idx), the newest first otherwise
    (cb_org_created_idx)."""
    if status == TaskStatus.PENDING:
        return "next_attempt_at"
    if status in CLOSED_STATUSES:
        return "-completed_at"
    return "-created_at"


def api_center_with_role(*, user: Any, pk: Any) -> Any:
    """The center an API client records something in: one where the user holds any role (else 404, like every
    organization out of reach); whether that role may do it is the service's question (403)."""
    try:
        center = organizations_where(user=user).filter(pk=int(pk)).first()
    except (TypeError, ValueError, OverflowError):
        center = None
    if center is None:
        raise Http404("no such center")
    return center


def rating_api_list(*, user: Any, filters: dict[str, Any]) -> QuerySet:
    """Ratings (好差评) of every center where the user may see them (callbacks.view_satisfaction), the latest first
    (cb_rating_org_idx), narrowed by center, staff, level, level_max, channel and the rated_after / rated_before
    days (in the server's time zone)."""
    from datetime import time, timedelta

    from django.utils import timezone

    from .models import Rating

    qs = scope(Rating.objects.all(), user=user, permission=VIEW_SATISFACTION)
    for key, lookup in (
        ("center", "organization_id"),
        ("staff", "staff_id"),
        ("level", "level"),
        ("level_max", "level__lte"),
        ("channel", "channel"),
    ):
        if filters.get(key):
            qs = qs.filter(**{lookup: filters[key]})
    zone = timezone.get_current_timezone()
    if filters.get("rated_after"):
        qs = qs.filter(rated_at__gte=datetime.combine(filters["rated_after"], time.min, tzinfo=zone))
    if filters.get("rated_before"):
        end = datetime.combine(filters["rated_before"], time.min, tzinfo=zone) + timedelta(days=1)
        qs = qs.filter(rated_at__lt=end)
    return qs.select_related("organization", "order", "staff", "recorded_by").order_by("-rated_at", "-id")


def order_for_rating(*, user: Any, pk: Any) -> Any:
    """The work order a staff member records a rating for: one the user may see (workorders scope), else 404."""
    from servicecenter.workorders.selectors import access_order

    return access_order(user=user, pk=pk)
