"""Every read of work orders: scoped by the one helper (core.access), bounded queries (no N+1).

Sections per part of the app; keep each function in its section."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q

from servicecenter.core.access import organizations_where, scope
from servicecenter.core.policy import implements
from servicecenter.customers.models import phone_digits
from servicecenter.policy.values import value

from .choices import OPEN_STATUSES
from .models import WorkOrder

VIEW = "workorders.view_workorder"
ADD = "workorders.add_workorder"


def order_list_visible_to(*, user: Any) -> Any:
    """The orders of the centers in the user's scope (view permission)."""
    return scope(WorkOrder.objects.all(), user=user, permission=VIEW)


def access_order(*, user: Any, pk: Any) -> WorkOrder:
    """One order the user may see, with what its page shows; outside the user's scope it does not exist (404)."""
    from django.http import Http404

    try:
        return (
            order_list_visible_to(user=user)
            .select_related("organization", "customer", "assignee", "special_group", "duplicate_of")
            .get(pk=int(pk))
        )
    except (WorkOrder.DoesNotExist, ValueError, TypeError):
        raise Http404("no such work order") from None


# --- intake ----------------------------------------------------------------------------------------------------------

_ADDRESS_NOISE = re.compile(r"[\s,，.。;；:：、#＃\-－—_()（）\[\]【】]+")
DUPLICATE_SCAN_LIMIT = 500


def normalized_address(address: str) -> str:
    """An address reduced for comparison: full-width folded to half-width (NFKC), lower case, without spaces and
    punctuation — «古城路12号 3单元» and «古城路 12 号，3 单元» are the same place."""
    return _ADDRESS_NOISE.sub("", unicodedata.normalize("NFKC", address or "")).lower()


@implements("WO-01")
def likely_duplicates(*, organization: Any, phone: str = "", address: str = "", now: datetime) -> list[WorkOrder]:
    """WO-01: the open orders of the center that the call probably repeats — same phone (digits) or same normalized
    address — created within `workorders.duplicate_window_hours`. One bounded query (open orders of the window)."""
    digits = phone_digits(phone)
    wanted = normalized_address(address)
    if len(digits) < 5 and len(wanted) < 4:
        return []
    hours = int(value("workorders.duplicate_window_hours", org=organization, at=now).value or 0)
    if hours <= 0:
        return []
    since = now - timedelta(hours=hours)
    # The open orders of one center within the window are few (the board's partial index serves them); the address
    # is compared normalized in Python, so «12号» and «１２ 号» match without a stored normalized column.
    candidates = (
        WorkOrder.objects.filter(organization=organization, status__in=OPEN_STATUSES, created_at__gte=since)
        .only("id", "number", "status", "kind", "address", "phone_digits", "customer_name", "problem", "created_at")
        .order_by("-created_at")[:DUPLICATE_SCAN_LIMIT]
    )
    found = []
    for order in candidates:
        if (len(digits) >= 5 and order.phone_digits == digits) or (
            len(wanted) >= 4 and normalized_address(order.address) == wanted
        ):
            found.append(order)
    return found


def customer_history(*, customer: Any, limit: int = 5) -> tuple[list[WorkOrder], list[WorkOrder]]:
    """Intake: the customer's open orders (all of them, oldest first) and latest closed ones (`limit`)."""
    open_orders = list(
        WorkOrder.objects.filter(customer=customer, status__in=OPEN_STATUSES)
        .select_related("assignee")
        .order_by("created_at")[:50]
    )
    recent = list(
        WorkOrder.objects.filter(customer=customer).exclude(status__in=OPEN_STATUSES).order_by("-created_at")[:limit]
    )
    return open_orders, recent


def intake_centers(*, user: Any) -> list[Any]:
    """The active service centers where the user may take calls (workorders.add_workorder)."""
    from servicecenter.org.choices import CENTER_KINDS

    return list(
        organizations_where(user=user, permission=ADD).filter(is_active=True, kind__in=CENTER_KINDS).order_by("path")
    )


def public_centers(*, at: datetime) -> list[Any]:
    """The active service centers that accept reports from the public (`workorders.public_intake_enabled`)."""
    from servicecenter.org.choices import CENTER_KINDS
    from servicecenter.org.models import Organization

    centers = list(Organization.objects.filter(is_active=True, kind__in=CENTER_KINDS).order_by("path"))
    return [c for c in centers if value("workorders.public_intake_enabled", org=c, at=at).value]


def public_status(*, number: str, phone_last4: str) -> WorkOrder | None:
    """The public status lookup: the order with this number whose phone ends in these four digits, else None
    (the caller answers the same neutral message whether the number exists or not)."""
    number = (number or "").strip()
    last4 = phone_digits(phone_last4 or "")
    if not number or len(number) > 20 or len(last4) != 4:
        return None
    order = WorkOrder.objects.select_related("organization").filter(number=number).first()
    if order is None or not order.phone_digits.endswith(last4):
        return None
    return order


# --- board and order page ------------------------------------------------------------------------------------------

BOARD_LIMIT = 50  # one page of the board: the most urgent open orders first, the next page behind a "more" link
DISPATCH = "workorders.dispatch_workorder"
WORK = "workorders.work_workorder"
# Available first on the board's staff panel and in the dispatch choice (WO-05).
AVAILABILITY_RANK = {"on_duty": 0, "scheduled": 1, "off": 2, "resting": 3, "on_leave": 4}


def board_centers(*, user: Any) -> list[Any]:
    """The active service centers whose orders the user may see (the board's center filter). One query."""
    from servicecenter.core.access import organizations_where

    return list(
        organizations_where(user=user, permission=VIEW).active().centers().order_by("path")  # type: ignore[attr-defined]
    )


def _sla_due() -> Any:
    """The nearest pending deadline: the response while unresponded, else the resolution (WO-05 urgency). The same
    expression as the index `wo_board_order_idx`, which serves the board's pages in this order."""
    from .models import board_pending_due

    return board_pending_due()


def _priority_rank() -> Any:
    from .models import board_priority_rank

    return board_priority_rank()


@dataclass
class BoardOrder:
    """One row of the dispatch board: what it shows and what its SLA clocks need (`order_clocks`), read as plain
    values — a page of rows costs no model instances (a WorkOrder has ~80 columns; a board row needs 26)."""

    pk: int
    number: str
    center_name: str
    kind: str
    priority: str
    priority_reason: str
    rolled_over_at: datetime | None
    is_facility_issue: bool
    reescalation_count: int
    customer_name: str
    address: str
    problem: str
    status: str
    is_offsite: bool
    offsite_status: str
    assignee_id: int | None
    assignee_name: str | None
    responded_at: datetime | None
    response_due_at: datetime
    response_warn_at: datetime
    response_breached_at: datetime | None
    resolve_due_at: datetime
    resolve_warn_at: datetime
    resolve_breached_at: datetime | None
    on_missing_info: str
    returned_at: datetime | None
    closed_at: datetime | None
    cancelled_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


_BOARD_COLUMNS = {"pk": "pk", "center_name": "organization__name", "assignee_name": "assignee__name"}


def board_orders(*, centers: list[Any], limit: int = BOARD_LIMIT, offset: int = 0) -> tuple[list[BoardOrder], bool]:
    """WO-05: the open orders of `centers` by urgency — priority (urgent, high, normal), then the nearest pending
    deadline, then arrival — one page of them: `limit` orders after the first `offset` (one query, served in this
    order by the index `wo_board_order_idx` for one center), and whether there are more."""
    from dataclasses import fields

    names = [f.name for f in fields(BoardOrder)]
    columns = [_BOARD_COLUMNS.get(name, name) for name in names]
    rows = list(
        WorkOrder.objects.filter(organization__in=[c.pk for c in centers], status__in=OPEN_STATUSES)
        .annotate(priority_rank=_priority_rank(), sla_due=_sla_due())
        .order_by("priority_rank", "sla_due", "created_at", "id")
        .values_list(*columns)[offset : offset + limit + 1]
    )
    return [BoardOrder(*row) for row in rows[:limit]], len(rows) > limit


def board_counts(*, centers: list[Any], now: Any) -> dict[str, Any]:
    """The board header: open orders per state (one aggregate query) and the breaches flagged since local midnight
    (one query)."""
    from django.db.models import Count, Q
    from django.utils import timezone

    from servicecenter.policy.values import zone_of

    from .choices import OPEN_STATUSES, OrderStatus

    ids = [c.pk for c in centers]
    per_state = dict(
        WorkOrder.objects.filter(organization__in=ids, status__in=OPEN_STATUSES)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    zone = zone_of(centers[0]) if centers else None
    midnight = timezone.localtime(now, zone).replace(hour=0, minute=0, second=0, microsecond=0)
    breaches = (
        WorkOrder.objects.filter(organization__in=ids)
        .filter(Q(response_breached_at__gte=midnight) | Q(resolve_breached_at__gte=midnight))
        .count()
    )
    states = [(s, OrderStatus(s).label, per_state.get(s, 0)) for s in OPEN_STATUSES]
    return {"states": states, "open": sum(per_state.values()), "breaches_today": breaches}


@dataclass(frozen=True)
class StaffRow:
    """One serviceman on the board's side panel / in the dispatch choice: availability and current load."""

    staff: Any
    state: str
    label: str
    until: Any
    load: int

    @property
    def available(self) -> bool:
        return self.state in ("on_duty", "scheduled")


def board_staff(*, center: Any, at: Any) -> list[StaffRow]:
    """WO-05: the service staff of a center (holding the field-work permission), available first, then by current
    load (open orders assigned: a count per person in the same query, on the assignee/status index); availability
    from the attendance app (≤ 5 queries)."""
    from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    from servicecenter.attendance.selectors import availability
    from servicecenter.org.models import RoleAssignment, Staff

    from .choices import OPEN_STATUSES

    app_label, codename = WORK.split(".")
    open_load = (
        WorkOrder.objects.filter(assignee=OuterRef("pk"), status__in=OPEN_STATUSES)
        .order_by()
        .values("assignee")
        .annotate(n=Count("id"))
        .values("n")
    )
    holds_permission = RoleAssignment.objects.filter(
        user=OuterRef("user"),
        is_active=True,
        role__group__permissions__codename=codename,
        role__group__permissions__content_type__app_label=app_label,
    )
    staff = list(
        Staff.objects.filter(
            Exists(holds_permission),
            organization__path__startswith=center.path,
            status="active",
            user__is_active=True,
        )
        .annotate(open_load=Coalesce(Subquery(open_load, output_field=IntegerField()), Value(0)))
        .order_by("staff_no")
    )
    loads = {s.pk: s.open_load for s in staff}
    states = availability(organization=center, at=at) if staff else {}
    rows = []
    for s in staff:
        a = states.get(s.pk)
        rows.append(
            StaffRow(
                staff=s,
                state=a.state if a else "off",
                label=a.label if a else "—",
                until=a.until if a else None,
                load=loads.get(s.pk, 0),
            )
        )
    rows.sort(key=lambda r: (AVAILABILITY_RANK.get(r.state, 9), r.load, r.staff.staff_no))
    return rows


@dataclass(frozen=True)
class Clock:
    """One SLA deadline as the board and the order page show it; the server decides the state."""

    kind: str  # "response" | "resolution"
    due: Any
    warn_at: Any
    state: str  # "ok" | "warn" | "breach" | "met" | "stopped"
    done_at: Any = None


def order_clocks(order: WorkOrder | BoardOrder, *, now: Any) -> list[Clock]:
    """WO-03 / C-19: the response and resolution deadlines of one order with their state at `now`: met (answered),
    stopped (paused with the clock stopped), breach (flagged or past due), warn (past the warning instant), ok."""
    clocks = []
    if order.responded_at is not None:
        clocks.append(Clock("response", order.response_due_at, order.response_warn_at, "met", order.responded_at))
    elif order.is_open or order.response_breached_at:
        clocks.append(
            Clock(
                "response",
                order.response_due_at,
                order.response_warn_at,
                _clock_state(order.response_breached_at, order.response_due_at, order.response_warn_at, now),
            )
        )
    done = order.returned_at or order.closed_at or order.cancelled_at
    if not order.is_open:
        clocks.append(
            Clock(
                "resolution",
                order.resolve_due_at,
                order.resolve_warn_at,
                "breach" if order.resolve_breached_at else "met",
                done,
            )
        )
    elif order.status == "paused" and order.on_missing_info in ("pause", "restart"):
        clocks.append(Clock("resolution", order.resolve_due_at, order.resolve_warn_at, "stopped"))
    else:
        clocks.append(
            Clock(
                "resolution",
                order.resolve_due_at,
                order.resolve_warn_at,
                _clock_state(order.resolve_breached_at, order.resolve_due_at, order.resolve_warn_at, now),
            )
        )
    return clocks


def _clock_state(breached_at: Any, due: Any, warn_at: Any, now: Any) -> str:
    if breached_at is not None or now >= due:
        return "breach"
    if now >= warn_at:
        return "warn"
    return "ok"


def order_page_parts(*, order: WorkOrder) -> dict[str, Any]:
    """Everything the order page lists besides the order itself: the timeline (WO-06), materials, expenses
    (SVC-14), attachments, and — from the timeline — the C-19 pause moves and the SLA breaches. Four queries."""
    from .choices import EventVerb
    from .models import ExpenseLine, MaterialLine, OrderAttachment, WorkOrderEvent

    events = list(WorkOrderEvent.objects.filter(order=order).order_by("at", "id"))
    return {
        "events": events,
        "materials": list(MaterialLine.objects.filter(order=order).order_by("id")),
        "expenses": list(
            ExpenseLine.objects.filter(order=order).select_related("recorded_by__staff").order_by("incurred_on", "id")
        ),
        "attachments": list(OrderAttachment.objects.filter(order=order).order_by("created_at", "id")),
        "pause_moves": [e for e in events if e.verb in (EventVerb.PAUSED, EventVerb.RESUMED)],
        "sla_events": [e for e in events if e.verb in (EventVerb.SLA_WARNING, EventVerb.SLA_BREACH)],
    }


def order_actions(*, order: WorkOrder, user: Any) -> dict[str, bool]:
    """What the user may do to the order now (the page shows only these; the services check again)."""
    from servicecenter.core.access import has_permission_in

    from .choices import OffsiteStatus

    dispatcher = has_permission_in(user=user, permission=DISPATCH, organization=order.organization)
    staff = getattr(user, "staff", None) if hasattr(user, "staff") else None
    mine = staff is not None and order.assignee_id == staff.pk
    archived = order.archived_at is not None
    assigned = order.status in ("dispatched", "accepted", "in_progress", "paused")
    return {
        "dispatch": dispatcher and order.status == "new",
        "reassign": dispatcher and assigned,
        "take_back": dispatcher and assigned,
        "cancel": dispatcher and order.is_open,
        "close": dispatcher and order.status == "returned",
        "note": dispatcher or mine,
        "expense": (dispatcher or mine) and not archived,
        "offsite": (dispatcher or mine)
        and order.is_offsite
        and order.is_open
        and order.offsite_status not in (OffsiteStatus.PENDING, OffsiteStatus.APPROVED),
        "field": mine and order.is_open,
        "any_dispatch": dispatcher,
    }


# --- field staff ---------------------------------------------------------------------------------------------------

FIELD_OPEN_LIMIT = 100


def my_orders(*, user: Any, now: Any) -> tuple[list[WorkOrder], list[WorkOrder]]:
    """The serviceman's phone list: open orders assigned to him by resolution deadline, then those he returned
    today (in his center's local day). Two bounded queries."""
    from datetime import datetime, time

    from servicecenter.org.models import Staff
    from servicecenter.policy.values import zone_of

    from .choices import OPEN_STATUSES

    try:
        staff = user.staff
    except (Staff.DoesNotExist, AttributeError):
        return [], []
    tz = zone_of(staff.organization if staff.organization_id else None)
    day_start = datetime.combine(now.astimezone(tz).date(), time.min, tzinfo=tz)
    base = order_list_visible_to(user=user).filter(assignee=staff).select_related("organization")
    open_orders = list(base.filter(status__in=OPEN_STATUSES).order_by("resolve_due_at", "id")[:FIELD_OPEN_LIMIT])
    done = list(
        base.filter(Q(status__in=["returned", "closed"]), returned_at__gte=day_start).order_by("-returned_at")[:50]
    )
    return open_orders, done


def access_my_order(*, user: Any, pk: Any) -> WorkOrder:
    """One order of the serviceman's phone screen: only the order assigned to him (else 404)."""
    from django.http import Http404

    order = access_order(user=user, pk=pk)
    staff = getattr(user, "staff", None) if hasattr(user, "staff") else None
    if staff is None or order.assignee_id != staff.pk:
        raise Http404("not assigned to you")
    return order


def access_attachment(*, user: Any, pk: Any) -> Any:
    """An attachment (photo, signature, voucher photo) of an order the user may see; otherwise 404."""
    from django.http import Http404

    from .models import OrderAttachment

    try:
        return OrderAttachment.objects.select_related("order").get(
            pk=int(pk), order__in=order_list_visible_to(user=user).values("pk")
        )
    except (OrderAttachment.DoesNotExist, ValueError, TypeError):
        raise Http404("no such attachment") from None


def order_attachments(*, order: WorkOrder) -> list[Any]:
    from .models import OrderAttachment

    return list(OrderAttachment.objects.filter(order=order).order_by("created_at", "id"))


# --- register, vouchers, reconciliation ----------------------------------------------------------------------------

VIEW_REGISTER = "workorders.view_register"
EXPORT_REGISTER = "workorders.export_register"
COUNTERSIGN = "workorders.countersign_workorder"


def register_centers(*, user: Any) -> Any:
    """The service centers whose register the user may read (SVC-03)."""
    from servicecenter.core.access import organizations_where
    from servicecenter.org.choices import CENTER_KINDS

    qs = organizations_where(user=user, permission=VIEW_REGISTER)
    return qs.filter(kind__in=CENTER_KINDS, is_active=True).order_by("path")


def register_entries(*, user: Any, filters: Any, permission: str = VIEW_REGISTER) -> Any:
    """SVC-03: the register — every order of the centers the user may read, newest first, filtered.

    `filters` has `center` (Organization or None), `date_from` / `date_to` (aware datetimes, end exclusive),
    `staff`, `kind`, `service_type`, `status` and `phone` (digits). Ordered by (-created_at, -id) so a center's
    first page walks the `wo_org_created_idx` / `wo_org_status_idx` index; the phone uses `wo_phone_idx`."""
    qs = scope(WorkOrder.objects.all(), user=user, permission=permission)
    if filters.center is not None:
        qs = qs.filter(organization=filters.center)
    if filters.date_from is not None:
        qs = qs.filter(created_at__gte=filters.date_from)
    if filters.date_to is not None:
        qs = qs.filter(created_at__lt=filters.date_to)
    if filters.staff:
        qs = qs.filter(assignee_id=filters.staff)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.service_type:
        qs = qs.filter(service_type=filters.service_type)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.phone:
        qs = qs.filter(phone_digits=filters.phone)
    return qs.select_related("organization", "assignee").order_by("-created_at", "-id")


def register_page(*, qs: Any, after: Any, size: int) -> tuple[list[WorkOrder], Any]:
    """Keyset pagination over (-created_at, -id): the rows after the cursor `(created_at, id)` and the cursor of
    the next page (None on the last page). No COUNT over a million rows."""

    if after is not None:
        at, pk = after
        qs = qs.filter(Q(created_at__lt=at) | Q(created_at=at, id__lt=pk))
    rows = list(qs[: size + 1])
    if len(rows) > size:
        last = rows[size - 1]
        return rows[:size], (last.created_at, last.pk)
    return rows, None


def register_staff_choices(*, center: Any) -> list[tuple[int, str]]:
    from servicecenter.org.models import Staff

    if center is None:
        return []
    return list(
        Staff.objects.filter(organization__path__startswith=center.path)
        .order_by("staff_no")
        .values_list("pk", "name")[:500]
    )


def voucher_for(*, user: Any, pk: Any) -> tuple[WorkOrder, list[Any], list[Any]]:
    """A service voucher (SVC-04…SVC-10): the order with its sign-off people, its materials and attachments."""
    from .models import MaterialLine, OrderAttachment

    order = access_order(user=user, pk=pk)
    if order.countersigned_by_id:
        order = (
            order_list_visible_to(user=user)
            .select_related("organization", "customer", "assignee", "countersigned_by__staff")
            .get(pk=order.pk)
        )
    materials = list(MaterialLine.objects.filter(order=order).order_by("id"))
    attachments = list(OrderAttachment.objects.filter(order=order).order_by("created_at", "id"))
    return order, materials, attachments


@dataclass(frozen=True)
class Reconciliation:
    center: Any
    day: Any
    entries: Sequence[WorkOrder]
    vouchers: Sequence[Any]
    mismatches: list[Any]


def reconcile_day(*, center: Any, day: Any) -> Reconciliation:
    """SVC-11: one center's register entries completed on `day` (returned or closed, returned that local day) against
    the vouchers uploaded that day (customer signatures and photographed paper vouchers); the mismatches come from
    `policies.reconcile_register`. Three queries. The caller checked that the user may read the center's register."""
    from datetime import datetime, time, timedelta

    from django.db.models import Exists, OuterRef

    from servicecenter.policy.values import zone_of

    from . import policies
    from .choices import AttachmentKind
    from .models import OrderAttachment

    tz = zone_of(center)
    start = datetime.combine(day, time.min, tzinfo=tz)
    end = start + timedelta(days=1)
    voucher_kinds = [AttachmentKind.SIGNATURE, AttachmentKind.VOUCHER_PHOTO]
    entries = list(
        WorkOrder.objects.filter(
            organization=center, status__in=["returned", "closed"], returned_at__gte=start, returned_at__lt=end
        )
        .annotate(has_voucher=Exists(OrderAttachment.objects.filter(order=OuterRef("pk"), kind__in=voucher_kinds)))
        .select_related("assignee")
        .order_by("register_no")
    )
    vouchers = list(
        OrderAttachment.objects.filter(
            order__organization=center, kind__in=voucher_kinds, created_at__gte=start, created_at__lt=end
        )
        .select_related("order")
        .order_by("created_at", "id")
    )
    mismatches = policies.reconcile_register(
        entries=[
            policies.RegisterEntryFacts(
                order_id=o.pk, number=o.number, has_voucher=o.has_voucher, countersigned=o.countersigned_at is not None
            )
            for o in entries
        ],
        vouchers=[
            policies.VoucherFacts(
                attachment_id=a.pk,
                order_id=a.order_id,
                number=a.order.number,
                order_status=a.order.status,
                returned_on_day=a.order.returned_at is not None and start <= a.order.returned_at < end,
            )
            for a in vouchers
        ],
    )
    return Reconciliation(center=center, day=day, entries=entries, vouchers=vouchers, mismatches=mismatches)


# --- KPI and API ---------------------------------------------------------------------------------------------------


def order_api_list(*, user: Any, filters: Mapping[str, Any], ordering: Sequence[str] = ("-created_at", "-id")) -> Any:
    """The API's order list: the user's scope, narrowed by the validated filters (center, state, kind, type,
    assignee, phone digits, created date range in the server's time zone)."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    qs = order_list_visible_to(user=user).select_related("organization", "assignee")
    if filters.get("center"):
        qs = qs.filter(organization_id=filters["center"])
    if filters.get("state"):
        qs = qs.filter(status=filters["state"])
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("type"):
        qs = qs.filter(service_type=filters["type"])
    if filters.get("assignee"):
        qs = qs.filter(assignee_id=filters["assignee"])
    if filters.get("phone"):
        # A prefix as a range, not LIKE 'x%': the btree index wo_phone_idx serves a range under any collation (LIKE
        # only under "C": a seq scan over 1M rows, 0.5 s). ";" sorts right after "9" and digits are all there is.
        digits = filters["phone"]
        qs = qs.filter(phone_digits__gte=digits, phone_digits__lt=f"{digits};")
    zone = timezone.get_current_timezone()
    if filters.get("created_after"):
        qs = qs.filter(created_at__gte=datetime.combine(filters["created_after"], time.min, tzinfo=zone))
    if filters.get("created_before"):
        end = datetime.combine(filters["created_before"], time.min, tzinfo=zone) + timedelta(days=1)
        qs = qs.filter(created_at__lt=end)
    return qs.order_by(*ordering)


def order_api_detail(*, user: Any, pk: Any) -> WorkOrder:
    """One order with its timeline, materials and expenses (a fixed number of queries); 404 outside the scope."""
    from django.db.models import Prefetch
    from django.http import Http404

    from .models import ExpenseLine, MaterialLine, WorkOrderEvent

    try:
        return (
            order_list_visible_to(user=user)
            .select_related("organization", "assignee")
            .prefetch_related(
                Prefetch("events", queryset=WorkOrderEvent.objects.order_by("at", "id")),
                Prefetch("materials", queryset=MaterialLine.objects.order_by("id")),
                Prefetch("expenses", queryset=ExpenseLine.objects.order_by("incurred_on", "id")),
            )
            .get(pk=int(pk))
        )
    except (WorkOrder.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("no such work order") from None


def order_events(*, order: WorkOrder) -> Any:
    """The timeline of one (already accessed) order, oldest first (WO-06)."""
    from .models import WorkOrderEvent

    return WorkOrderEvent.objects.filter(order=order).order_by("at", "id")


def center_for_intake(*, user: Any, pk: Any) -> Any:
    """The organization an API client creates an order in: one the user sees orders of; otherwise 404."""
    from django.http import Http404

    from servicecenter.core.access import organizations_where

    center = organizations_where(user=user, permission=VIEW).filter(pk=pk).first()
    if center is None:
        raise Http404("no such center")
    return center


# --- KPI (WO-07, kind c: the compliance definition below is ours, documented in docs/workorders/kpi.md) -------------

KPI = "workorders.view_kpi"
KPI_GROUPS = ("clerk", "staff", "center", "day", "month")


def kpi_orders(*, user: Any, start: Any, end: Any, center: Any = None) -> Any:
    """The orders a KPI counts: created in [start, end), not cancelled, in the centers where the user may see KPIs
    (a clerk: his center; a GM: the ops center's subtree)."""
    from servicecenter.core.access import scope

    qs = scope(WorkOrder.objects.all(), user=user, permission=KPI).filter(created_at__gte=start, created_at__lt=end)
    if center is not None:
        qs = qs.filter(organization=center)
    return qs.exclude(status="cancelled")


def sla_compliance_aggregates(*, now: Any) -> dict[str, Any]:
    """WO-07 compliance, as database aggregates over work orders (one GROUP BY, no per-row Python).

    - received: orders registered; dispatched: orders that were dispatched; handled: orders returned (回单).
    - response compliance = responded on time / response decided. "Responded" is the first acceptance or contact
      (WO-03, `responded_at`; an inquiry answered on the spot responds at once). The response is decided once it
      happened or its deadline has passed (`response_due_at <= now`); on time means `responded_at <=
      response_due_at`. Orders whose response is still pending and not yet due are not counted either way.
    - resolution compliance = returned on time / resolution decided: returned (`returned_at`) or past its
      deadline; on time means `returned_at <= resolve_due_at` (the deadline as moved by pauses, C-19). Inquiries
      answered on the spot never get a resolution clock of their own and are left out of it.
    - average response minutes: mean of `responded_at - created_at` (wall-clock minutes) over responded orders.
    Cancelled orders are left out of every figure (kpi_orders)."""
    from django.db.models import Avg, Count, F, Q

    responded = Q(responded_at__isnull=False)
    returned = Q(returned_at__isnull=False)
    answered = Q(kind="inquiry", returned_at__isnull=True, status="closed")
    return {
        "received": Count("id"),
        "dispatched": Count("id", filter=Q(dispatched_at__isnull=False)),
        "handled": Count("id", filter=returned),
        "responded": Count("id", filter=responded),
        "response_met": Count("id", filter=responded & Q(responded_at__lte=F("response_due_at"))),
        "response_decided": Count("id", filter=responded | Q(response_due_at__lte=now)),
        "resolve_met": Count("id", filter=returned & Q(returned_at__lte=F("resolve_due_at"))),
        "resolve_decided": Count("id", filter=(returned | Q(resolve_due_at__lte=now)) & ~answered),
        "response_avg": Avg(F("responded_at") - F("created_at"), filter=responded),
    }


def _percent(met: int, decided: int) -> float | None:
    return round(100.0 * met / decided, 1) if decided else None


# The callbacks of a returned order (WO-10: one per order, a courtesy one when sampled, CB-09). A bad rating's
# callback and care contacts are other work and are left out.
KPI_CALLBACK_KINDS = ("after_service", "courtesy")
KPI_CALLBACK_FIELDS = ("callbacks_due", "callbacks_done", "callbacks_answered", "callbacks_satisfied")


def callbacks_installed() -> bool:
    from django.apps import apps

    return apps.is_installed("servicecenter.callbacks")


def callback_aggregates(*, now: Any) -> dict[str, Any]:
    """WO-07 回访完成, over the orders of a KPI row, through the reverse relation `callback_tasks` (workorders lies
    below callbacks and never imports it; the relation exists once the callbacks app is installed).

    - callbacks_due: the order's callback is decided — done, ended unreachable, or its deadline (`due_at`) passed.
      A callback still pending before its deadline is not counted either way; cancelled ones never.
    - callbacks_done: the customer was reached and answered (status done).
    - callbacks_answered / callbacks_satisfied: done callbacks with an attitude answer (CB-03) / answered "satisfied";
      the satisfaction rate is satisfied ÷ answered.
    Run as a query of its own (a second GROUP BY): joining tasks into the order counts would count an order once
    per task."""
    from django.db.models import Count, Q

    task = Q(callback_tasks__kind__in=KPI_CALLBACK_KINDS) & ~Q(callback_tasks__status="cancelled")
    done = task & Q(callback_tasks__status="done")
    decided = task & (Q(callback_tasks__status__in=("done", "unreachable")) | Q(callback_tasks__due_at__lte=now))
    return {
        "callbacks_due": Count("callback_tasks", filter=decided),
        "callbacks_done": Count("callback_tasks", filter=done),
        "callbacks_answered": Count("callback_tasks", filter=done & ~Q(callback_tasks__attitude="")),
        "callbacks_satisfied": Count("callback_tasks", filter=done & Q(callback_tasks__attitude="satisfied")),
    }


def _finish(row: dict[str, Any]) -> dict[str, Any]:
    avg = row.pop("response_avg", None)
    row["response_avg_minutes"] = round(avg.total_seconds() / 60, 1) if avg is not None else None
    row["response_rate"] = _percent(row["response_met"], row["response_decided"])
    row["resolve_rate"] = _percent(row["resolve_met"], row["resolve_decided"])
    for name in KPI_CALLBACK_FIELDS:
        row.setdefault(name, 0)
    row["callbacks_rate"] = _percent(row["callbacks_done"], row["callbacks_due"])
    row["satisfaction_rate"] = _percent(row["callbacks_satisfied"], row["callbacks_answered"])
    return row


def kpi_table(*, user: Any, group: str, start: Any, end: Any, center: Any = None, now: Any = None) -> list[dict]:
    """WO-07: KPI rows per clerk, serviceman, center, day or month, aggregated in the database.

    Per clerk the orders are counted twice: those the clerk registered (received, with their SLA figures) and
    those the clerk dispatched (dispatched) — two GROUP BY queries merged by person. Per serviceman: the orders
    assigned to him now (the last assignee answers for them). Day and month are in the server's time zone.
    The callbacks of the row's orders (`callback_aggregates`) come from one more GROUP BY when the callbacks app is
    installed. Each row: key, label, received, dispatched, handled, response_met/decided/rate,
    resolve_met/decided/rate, response_avg_minutes, callbacks_due/done/answered/satisfied, callbacks_rate,
    satisfaction_rate. Rows sorted by label (days and months in time order)."""
    from django.db.models import Count, F, Q
    from django.db.models.functions import TruncDate, TruncMonth
    from django.utils import timezone

    from servicecenter.org.models import Organization, Staff

    now = now or timezone.now()
    orders = kpi_orders(user=user, start=start, end=end, center=center)
    aggregates = sla_compliance_aggregates(now=now)
    tz = timezone.get_current_timezone()
    key_expr: dict[str, Any] = {
        "clerk": "created_by_id",
        "staff": "assignee_id",
        "center": "organization_id",
        "day": TruncDate("created_at", tzinfo=tz),
        "month": TruncMonth("created_at", tzinfo=tz),
    }
    if group not in key_expr:
        raise ValueError(group)
    expr = key_expr[group]
    qs = orders.annotate(k=F(expr) if isinstance(expr, str) else expr)
    rows = {row["k"]: dict(row) for row in qs.values("k").annotate(**aggregates).order_by()}
    if group == "clerk":
        dispatched = (
            orders.filter(dispatched_by__isnull=False)
            .values("dispatched_by_id")
            .annotate(n=Count("id", filter=Q(dispatched_at__isnull=False)))
            .order_by()
        )
        for row in rows.values():
            row["dispatched"] = 0
        for item in dispatched:
            key = item["dispatched_by_id"]
            if key not in rows:
                rows[key] = {"k": key, **{name: 0 for name in aggregates}, "response_avg": None}
            rows[key]["dispatched"] = item["n"]
    if callbacks_installed():
        for item in qs.values("k").annotate(**callback_aggregates(now=now)).order_by():
            key = item.pop("k")
            if key in rows:  # every order's row exists already (same orders, same key)
                rows[key].update(item)
    labels: dict[Any, str] = {}
    if group == "clerk":
        labels = dict(Staff.objects.filter(user_id__in=[k for k in rows if k]).values_list("user_id", "name"))
    elif group == "staff":
        labels = dict(Staff.objects.filter(pk__in=[k for k in rows if k]).values_list("pk", "name"))
    elif group == "center":
        labels = dict(Organization.objects.filter(pk__in=list(rows)).values_list("pk", "name"))
    result = []
    for key, row in rows.items():
        row.pop("k", None)
        if group == "day":
            label = key.isoformat()
        elif group == "month":
            label = f"{key:%Y-%m}" if key else "—"
        else:
            label = labels.get(key) or ("—" if key is None else str(key))
        result.append(_finish({"key": key, "label": label, **row}))
    if group in ("day", "month"):
        result.sort(key=lambda r: r["label"])
    else:
        result.sort(key=lambda r: (r["key"] is None, r["label"]))
    return result


def kpi_totals(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The total line of a KPI table (sums of the counts, rates over the sums; the average is weighted)."""
    total: dict[str, Any] = {"key": None, "label": "合计"}
    counts = ("received", "dispatched", "handled", "responded", "response_met", "response_decided", "resolve_met")
    for name in (*counts, "resolve_decided", *KPI_CALLBACK_FIELDS):
        total[name] = sum(int(r.get(name) or 0) for r in rows)
    total["callbacks_rate"] = _percent(total["callbacks_done"], total["callbacks_due"])
    total["satisfaction_rate"] = _percent(total["callbacks_satisfied"], total["callbacks_answered"])
    responded = [(r["response_avg_minutes"], r["responded"]) for r in rows if r.get("response_avg_minutes") is not None]
    total["response_rate"] = _percent(total["response_met"], total["response_decided"])
    total["resolve_rate"] = _percent(total["resolve_met"], total["resolve_decided"])
    weight = sum(n for _, n in responded)
    total["response_avg_minutes"] = round(sum(avg * n for avg, n in responded) / weight, 1) if weight else None
    return total


def kpi_centers(*, user: Any) -> Any:
    """The service centers whose KPIs the user may see (the page's center picker)."""
    from servicecenter.core.access import organizations_where
    from servicecenter.org.choices import CENTER_KINDS

    return organizations_where(user=user, permission=KPI).filter(is_active=True, kind__in=CENTER_KINDS).order_by("path")
