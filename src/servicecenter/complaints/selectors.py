"""Every read of complaints: scoped by the one helper (core.access), bounded queries (no N+1).

Sections: cases (list, page, print), public lookup, improvement actions (CMP-02), guidance (CMP-05 / CON-12)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from servicecenter.core.access import has_permission_in, organizations_where, scope
from servicecenter.core.policy import implements
from servicecenter.customers.models import phone_digits
from servicecenter.org.choices import StaffStatus
from servicecenter.org.models import Organization, Staff
from servicecenter.org.selectors import mask_phone
from servicecenter.policy.values import zone_of

from .choices import OPEN_COMPLAINT_STATUSES, ActionStatus, ComplaintStatus, ComplaintVerb
from .models import Complaint, ComplaintEvent, GuidanceArticle, ImprovementAction

VIEW = "complaints.view_complaint"
ADD = "complaints.add_complaint"
HANDLE = "complaints.handle_complaint"
REGISTER = "complaints.view_complaint_register"
VIEW_GUIDANCE = "complaints.view_guidancearticle"
MANAGE_GUIDANCE = "complaints.manage_guidance"
DUE_SOON = timedelta(hours=4)  # the list colours a pending deadline amber this long before it


# --- cases ---------------------------------------------------------------------------------------------------------


def complaint_list_visible_to(*, user: Any) -> QuerySet[Complaint]:
    """The complaints of the centers in the user's scope (complaints.view_complaint)."""
    return scope(Complaint.objects.all(), user=user, permission=VIEW)


def access_complaint(*, user: Any, pk: Any) -> Complaint:
    """One complaint the user may see, with what its page shows; outside the user's scope it does not exist (404)."""
    try:
        return (
            complaint_list_visible_to(user=user)
            .select_related(
                "organization",
                "owner__staff",
                "against_staff",
                "order",
                "customer",
                "violation",
                "received_by__staff",
                "resolved_by__staff",
                "closed_by__staff",
            )
            .get(pk=int(pk))
        )
    except (Complaint.DoesNotExist, ValueError, TypeError):
        raise Http404("no such complaint") from None


def complaint_centers(*, user: Any, permission: str = VIEW) -> list[Organization]:
    """The active service centers where the user holds `permission` (the list's and the intake's center choice)."""
    return list(
        organizations_where(user=user, permission=permission).active().centers().order_by("path")  # type: ignore[attr-defined]
    )


@dataclass
class ComplaintFilters:
    """The list's filters, already validated (forms.ComplaintFilterForm)."""

    center: Organization | None = None
    status: str = ""
    severity: str = ""
    category: str = ""
    channel: str = ""
    overdue: bool = False
    mine: bool = False
    q: str = ""
    against_staff: int | None = None
    month: date | None = None  # the first day of a month: complaints received in it


def _overdue_q(now: datetime) -> Q:
    """Open cases whose pending deadline has passed (the acknowledgement while unacknowledged, the resolution)."""
    return Q(status__in=OPEN_COMPLAINT_STATUSES) & (
        Q(resolve_due_at__lte=now) | Q(acknowledged_at__isnull=True, acknowledge_due_at__lte=now)
    )


def _scoped(*, user: Any, center: Organization | None) -> QuerySet[Complaint]:
    qs = complaint_list_visible_to(user=user)
    return qs.filter(organization=center) if center is not None else qs


def complaint_list(*, user: Any, filters: ComplaintFilters, now: datetime) -> QuerySet[Complaint]:
    """The list's complaints, newest first (index cmp_org_received_idx serves one center's pages; with a status
    cmp_org_status_idx). Text matches the number, the complainant's name or the summary; a phone number (7+ digits)
    matches the stored digits exactly (cmp_phone_idx) — a partial number never reveals a masked phone."""
    qs = _scoped(user=user, center=filters.center)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.severity:
        qs = qs.filter(severity=filters.severity)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.overdue:
        qs = qs.filter(_overdue_q(now))
    if filters.mine:
        qs = qs.filter(owner=user)
    if filters.against_staff:
        qs = qs.filter(against_staff_id=filters.against_staff)
    if filters.month is not None:
        zone = zone_of(filters.center) if filters.center is not None else timezone.get_current_timezone()
        start = datetime(filters.month.year, filters.month.month, 1, tzinfo=zone)
        end = (start + timedelta(days=32)).replace(day=1)
        qs = qs.filter(received_at__gte=start, received_at__lt=end)
    text = filters.q.strip()
    if text:
        digits = phone_digits(text)
        match = Q(number__icontains=text) | Q(complainant_name__icontains=text) | Q(summary__icontains=text)
        if len(digits) >= 7 and len(digits) >= len(text.replace(" ", "").replace("-", "")):
            match |= Q(phone_digits=digits)
        qs = qs.filter(match)
    return (
        qs.select_related("organization", "owner__staff", "against_staff")
        .defer("details", "demand", "response", "feedback_note", "deadline_citation", "escalation_reason")
        .order_by("-received_at", "-id")
    )


def status_counts(*, user: Any, center: Organization | None, now: datetime) -> dict[str, Any]:
    """The list header: complaints per status and the open ones overdue, in the user's scope (one aggregate query;
    cmp_org_status_idx)."""
    qs = _scoped(user=user, center=center)
    row = qs.order_by().aggregate(
        total=Count("id"),
        overdue=Count("id", filter=_overdue_q(now)),
        **{s.value: Count("id", filter=Q(status=s.value)) for s in ComplaintStatus},
    )
    return {
        "total": row["total"],
        "overdue": row["overdue"],
        "states": [(s.value, s.label, row[s.value]) for s in ComplaintStatus],
    }


@dataclass(frozen=True)
class Deadline:
    """The pending deadline of a case as the list and the page show it."""

    kind: str  # "acknowledge" | "resolve" | "confirm"
    label: str
    due: datetime
    state: str  # "breached" | "soon" | "ok"
    css: str


def pending_deadline(complaint: Complaint, *, now: datetime) -> Deadline | None:
    """The deadline the case is waiting on: the acknowledgement while unacknowledged, then the resolution; for a
    resolved case the end of the complainant's wait. None once confirmed or closed."""
    if complaint.status == ComplaintStatus.RESOLVED and complaint.confirm_due_at is not None:
        return Deadline("confirm", _("等待投诉人确认"), complaint.confirm_due_at, "ok", "text-bg-info")
    if complaint.status not in OPEN_COMPLAINT_STATUSES:
        return None
    if complaint.acknowledged_at is None:
        kind, label, due, flagged = (
            "acknowledge",
            _("确认受理"),
            complaint.acknowledge_due_at,
            complaint.acknowledge_breached_at,
        )
    else:
        kind, label, due, flagged = "resolve", _("答复处理"), complaint.resolve_due_at, complaint.resolve_breached_at
    if flagged is not None or due <= now:
        return Deadline(kind, label, due, "breached", "text-bg-danger")
    if due - now <= DUE_SOON:
        return Deadline(kind, label, due, "soon", "text-bg-warning")
    return Deadline(kind, label, due, "ok", "text-bg-light border")


def phone_visible(*, user: Any, complaint: Complaint) -> bool:
    """Full complainant phone numbers are for the complaint handlers of the center; others see 138****1234."""
    return has_permission_in(user=user, permission=HANDLE, organization=complaint.organization)


def with_display(rows: list[Complaint], *, user: Any, now: datetime) -> list[Complaint]:
    """Set `phone_display`, `deadline`, `owner_name` and the labels on each row, so templates only print (one dict
    per request for the labels: get_FOO_display() re-hashes the lazy choices on every call)."""
    from .choices import Category, ComplaintChannel, Severity

    labels = {
        "status": {k: str(v) for k, v in ComplaintStatus.choices},
        "severity": {k: str(v) for k, v in Severity.choices},
        "category": {k: str(v) for k, v in Category.choices},
        "channel": {k: str(v) for k, v in ComplaintChannel.choices},
    }
    for row in rows:
        visible = phone_visible(user=user, complaint=row)
        row.phone_display = row.phone if visible else mask_phone(row.phone)  # type: ignore[attr-defined]
        row.deadline = pending_deadline(row, now=now)  # type: ignore[attr-defined]
        row.owner_name = user_name(row.owner)  # type: ignore[attr-defined]
        row.status_label = labels["status"].get(row.status, row.status)  # type: ignore[attr-defined]
        row.severity_label = labels["severity"].get(row.severity, row.severity)  # type: ignore[attr-defined]
        row.category_label = labels["category"].get(row.category, row.category)  # type: ignore[attr-defined]
        row.channel_label = labels["channel"].get(row.channel, row.channel)  # type: ignore[attr-defined]
    return rows


def user_name(user: Any) -> str:
    """A staff member's name for a login (reads `user.staff`, select_related by the callers), else the username."""
    if user is None:
        return ""
    staff = getattr(user, "staff", None) if hasattr(user, "staff") else None
    return staff.name if staff is not None else (user.get_full_name() or user.get_username())


def handler_choices(*, center: Organization) -> list[tuple[int, str]]:
    """Who may be named the handler of a case of `center`: active logins holding complaints.handle_complaint
    through a role on the center or above it. One query."""
    users = (
        get_user_model()
        .objects.filter(
            is_active=True,
            role_assignments__is_active=True,
            role_assignments__role__is_active=True,
            role_assignments__organization__is_active=True,
            role_assignments__organization__path__in=center.ancestor_paths(),
            role_assignments__role__group__permissions__codename="handle_complaint",
            role_assignments__role__group__permissions__content_type__app_label="complaints",
        )
        .select_related("staff")
        .distinct()
        .order_by("id")
    )
    return [(u.pk, user_name(u)) for u in users]


def staff_choices(*, center: Organization) -> list[tuple[int, str]]:
    """The staff members of a center (and its teams) a complaint may be against. One query."""
    rows = (
        Staff.objects.filter(organization__path__startswith=center.path)
        .exclude(status=StaffStatus.LEFT)
        .order_by("name", "staff_no")
        .values_list("pk", "name", "staff_no")[:500]
    )
    return [(pk, f"{name}（{staff_no}）") for pk, name, staff_no in rows]


def staff_user_choices(*, center: Organization) -> list[tuple[int, str]]:
    """The logins of the center's staff (the owner of an improvement action, CMP-02). One query."""
    rows = (
        Staff.objects.filter(organization__path__startswith=center.path, user__isnull=False, user__is_active=True)
        .exclude(status=StaffStatus.LEFT)
        .order_by("name", "staff_no")
        .values_list("user_id", "name", "staff_no")[:500]
    )
    return [(user_id, f"{name}（{staff_no}）") for user_id, name, staff_no in rows]


def staff_choices_by_center(*, centers: list[Organization]) -> list[tuple[Organization, list[tuple[int, str]]]]:
    """The intake's «被投诉人员» select: the staff of each of the user's centers (and their teams), grouped by center
    (optgroups; the page shows the chosen center's group). One query."""
    if not centers:
        return []
    match = Q(pk__in=[])
    for center in centers:
        match |= Q(organization__path__startswith=center.path)
    rows = (
        Staff.objects.filter(match)
        .exclude(status=StaffStatus.LEFT)
        .order_by("name", "staff_no")
        .values_list("pk", "name", "staff_no", "organization__path")[:2000]
    )
    groups: dict[int, list[tuple[int, str]]] = {c.pk: [] for c in centers}
    for pk, name, staff_no, path in rows:
        owner = max((c for c in centers if path.startswith(c.path)), key=lambda c: len(c.path), default=None)
        if owner is not None:
            groups[owner.pk].append((pk, f"{name}（{staff_no}）"))
    return [(c, groups[c.pk]) for c in centers]


def order_search(*, user: Any, center: Organization, q: str, limit: int = 10) -> list[Any]:
    """Intake: the center's work orders whose number starts with `q` (the caller types a number from the slip),
    as far as the user may see orders. One query (the number is unique and indexed)."""
    from servicecenter.workorders.selectors import order_list_visible_to

    text = "".join(ch for ch in (q or "") if ch.isalnum())[:20]
    if len(text) < 4:
        return []
    return list(
        order_list_visible_to(user=user)
        .filter(organization=center, number__startswith=text)
        .only("id", "number", "customer_name", "problem", "status", "created_at")
        .order_by("number")[:limit]
    )


def order_for_intake(*, user: Any, center: Organization, number: str) -> Any:
    """The work order of `center` with exactly this number that the user may see, else None."""
    from servicecenter.workorders.selectors import order_list_visible_to

    text = (number or "").strip()[:20]
    if not text:
        return None
    return order_list_visible_to(user=user).filter(organization=center, number=text).only("id", "number").first()


@dataclass
class CasePage:
    """What the complaint page shows besides the case row: the timeline, the texts sent to the complainant, the
    callbacks follow-up that opened it, its improvement actions and the guidance for its category."""

    events: list[ComplaintEvent]
    messages: list[Any]
    followups: list[Any]
    actions: list[ImprovementAction]
    guidance: list[GuidanceArticle]
    extra: dict[str, Any] = field(default_factory=dict)


def complaint_page_parts(*, complaint: Complaint) -> CasePage:
    """Five bounded queries, whatever the length of the case's history."""
    from servicecenter.notifications.models import CustomerMessage

    events = list(complaint.events.all())
    messages = list(
        CustomerMessage.objects.filter(
            target_type=ContentType.objects.get_for_model(Complaint), target_id=str(complaint.pk)
        ).order_by("created_at", "id")
    )
    # callbacks.FollowUp.complaint (related_name "followups"): read through the relation — the callbacks app sits
    # above this one and is not imported here.
    related = getattr(complaint, "followups", None)
    followups = list(related.select_related("task").order_by("created_at")) if related is not None else []
    actions = list(complaint.actions.select_related("owner__staff").order_by("due_date", "id"))
    return CasePage(
        events=events,
        messages=messages,
        followups=followups,
        actions=actions,
        guidance=guidance_for(complaint=complaint),
    )


@implements("CMP-04")
def complaint_print_parts(*, complaint: Complaint) -> dict[str, Any]:
    """CMP-04: the 投诉处理单 — the case data, the handling steps (every timeline event except the automatic text
    notices), the response and the feedback; the form adds the signature lines. Two queries."""
    steps = [e for e in complaint.events.all() if e.verb != ComplaintVerb.NOTIFIED]
    actions = list(complaint.actions.select_related("owner__staff").order_by("due_date", "id"))
    return {"steps": steps, "actions": actions}


# --- the public lookup (CMP-11) ------------------------------------------------------------------------------------


def public_status(*, number: str, phone_last4: str) -> Complaint | None:
    """The complaint with this number whose phone ends in these four digits, else None (the caller answers the same
    neutral message whether the number exists or not)."""
    text = (number or "").strip().upper()
    last4 = phone_digits(phone_last4 or "")
    if not text or len(text) > 24 or len(last4) != 4:
        return None
    complaint = Complaint.objects.select_related("organization").filter(number=text).first()
    if complaint is None or not complaint.phone_digits.endswith(last4):
        return None
    return complaint


def public_events(*, complaint: Complaint) -> list[ComplaintEvent]:
    """The events the complainant may see (ComplaintEvent.public), oldest first."""
    return list(complaint.events.filter(public=True).only("id", "at", "verb", "to_status", "complaint_id"))


# --- improvement actions (CMP-02) ----------------------------------------------------------------------------------


def action_centers(*, user: Any) -> list[Organization]:
    return complaint_centers(user=user, permission=REGISTER)


def actions_in_period(
    *, user: Any, center: Organization | None, start: datetime, end: datetime, status: str = "", mine: bool = False
) -> QuerySet[ImprovementAction]:
    """The improvement actions raised in [start, end) in the user's scope (view_complaint_register) — or, `mine`,
    all those the user is responsible for — open ones first, by due date (cmp_action_created_idx)."""
    if mine:  # every action the user is responsible for, whatever the period
        qs = ImprovementAction.objects.filter(owner=user)
    else:
        qs = scope(ImprovementAction.objects.all(), user=user, permission=REGISTER).filter(
            created_at__gte=start, created_at__lt=end
        )
    if center is not None:
        qs = qs.filter(organization=center)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("organization", "complaint", "owner__staff", "created_by__staff").order_by(
        "-status", "due_date", "id"
    )


def action_report(
    *, user: Any, center: Organization | None, start: datetime, end: datetime, today: date
) -> dict[str, int]:
    """CMP-02 report of the period: actions raised, done, dropped, still open, open past their due date — and the
    complaints closed in the period (how many could have spawned one). Two aggregate queries."""
    actions = scope(ImprovementAction.objects.all(), user=user, permission=REGISTER).filter(
        created_at__gte=start, created_at__lt=end
    )
    closed = scope(Complaint.objects.all(), user=user, permission=REGISTER).filter(
        status=ComplaintStatus.CLOSED, closed_at__gte=start, closed_at__lt=end
    )
    if center is not None:
        actions = actions.filter(organization=center)
        closed = closed.filter(organization=center)
    row = actions.order_by().aggregate(
        raised=Count("id"),
        done=Count("id", filter=Q(status=ActionStatus.DONE)),
        dropped=Count("id", filter=Q(status=ActionStatus.DROPPED)),
        open=Count("id", filter=Q(status=ActionStatus.OPEN)),
        overdue=Count("id", filter=Q(status=ActionStatus.OPEN, due_date__lt=today)),
    )
    row["closed_complaints"] = closed.order_by().count()
    return row


def access_action(*, user: Any, pk: Any) -> ImprovementAction:
    """An action the user may see (the register permission, or being its owner); else 404."""
    base = ImprovementAction.objects.select_related("organization", "complaint")
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("no such action") from None
    action = scope(base, user=user, permission=REGISTER).filter(pk=pk).first()
    if action is None and getattr(user, "is_authenticated", False):
        action = base.filter(pk=pk, owner=user).first()
    if action is None:
        raise Http404("no such action")
    return action


# --- guidance (CMP-05 / CON-12) ------------------------------------------------------------------------------------


def _guidance_org_q(*, user: Any) -> Q:
    """Company-wide articles, those of the organizations in the user's scope and of their ancestors (a center reads
    the articles of its ops center)."""
    if getattr(user, "is_superuser", False):
        return Q()
    paths = set(organizations_where(user=user, permission=VIEW_GUIDANCE).values_list("path", flat=True))
    step = Organization.PATH_STEP + 1
    wanted = set(paths)
    for path in paths:
        wanted.update(path[: i * step] for i in range(1, len(path) // step))
    return Q(organization__isnull=True) | Q(organization__path__in=sorted(wanted))


def guidance_visible_to(*, user: Any, current_only: bool = True) -> QuerySet[GuidanceArticle]:
    qs = GuidanceArticle.objects.filter(_guidance_org_q(user=user))
    if current_only:
        qs = qs.filter(is_current=True)
    return qs.select_related("organization", "created_by__staff")


def access_guidance(*, user: Any, pk: Any) -> GuidanceArticle:
    """One article (any version) the user may read; else 404."""
    try:
        return guidance_visible_to(user=user, current_only=False).get(pk=int(pk))
    except (GuidanceArticle.DoesNotExist, ValueError, TypeError):
        raise Http404("no such article") from None


def guidance_versions(*, article: GuidanceArticle, limit: int = 10) -> list[GuidanceArticle]:
    """The earlier versions of an article, newest first (at most `limit`; one query each — an article is rarely
    revised more than a few times)."""
    versions: list[GuidanceArticle] = []
    previous_id = article.supersedes_id
    while previous_id is not None and len(versions) < limit:
        previous = GuidanceArticle.objects.select_related("created_by__staff").filter(pk=previous_id).first()
        if previous is None:
            break
        versions.append(previous)
        previous_id = previous.supersedes_id
    return versions


def guidance_for(*, complaint: Complaint) -> list[GuidanceArticle]:
    """The current articles for the case's category (or for every complaint, tag "general") that its center reads:
    company-wide and of the center or above. One query; the tags are compared here (a few dozen articles)."""
    rows = GuidanceArticle.objects.filter(
        Q(organization__isnull=True) | Q(organization__path__in=complaint.organization.ancestor_paths()),
        is_current=True,
    ).order_by("title", "id")
    matching = [a for a in rows if complaint.category in (a.tags or [])]
    general = [a for a in rows if "general" in (a.tags or []) and a not in matching]
    return matching + general


# --- api (/api/v1/complaints/) -------------------------------------------------------------------------------------
# The API reuses the cases section (complaint_list with ComplaintFilters, access_complaint, phone_visible); what it
# needs beyond the pages is here.


def api_filters(*, filters: dict[str, Any]) -> ComplaintFilters:
    """The API's validated query (center as an id) as the list's filters. A center that does not exist gives an
    unsaved placeholder, so the list is empty rather than unfiltered; one outside the scope is empty by scope."""
    center = None
    if filters.get("center"):
        center = Organization.objects.filter(pk=filters["center"]).first() or Organization(pk=0)
    return ComplaintFilters(
        center=center,
        status=filters.get("status") or "",
        severity=filters.get("severity") or "",
        category=filters.get("category") or "",
        channel=filters.get("channel") or "",
        overdue=bool(filters.get("overdue")),
        q=filters.get("q") or "",
    )


def complaint_api_events(*, complaint: Complaint) -> QuerySet[ComplaintEvent]:
    """The timeline of one (already accessed) complaint, oldest first (cmp_event_idx)."""
    return ComplaintEvent.objects.filter(complaint=complaint).order_by("at", "id")


def api_center_with_role(*, user: Any, pk: Any) -> Organization:
    """The center a complaint is registered for over the API: one where the user holds any role (else 404, like
    every organization out of reach); whether that role may take complaints is the service's question (403)."""
    try:
        center = organizations_where(user=user).filter(pk=int(pk)).first()
    except (TypeError, ValueError, OverflowError):
        center = None
    if center is None:
        raise Http404("no such center")
    return center
