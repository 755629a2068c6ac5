"""Every read of the leave app (STYLE.md §2.8), including the contract selectors of issue 5 used by rosters and
attendance (`approved_absences`, `personal_leave_days`) — their signatures are fixed by /work/briefs contracts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from servicecenter.core.policy import implements
from servicecenter.org.models import Organization
from servicecenter.policy.values import zone_of

from .choices import GRANTED_STATUSES, NOT_DEDUCTED_KINDS, LeaveKind, LeaveStatus
from .models import LeaveRequest

ZERO = Decimal("0")


@dataclass(frozen=True)
class Absence:
    """An approved absence of one person (contract of issue 5: attendance excuses it, rosters plan around it)."""

    staff_id: int
    kind: str  # "personal" | "sick" | "annual" | "rest" | "event" | "official_outing" | "leave_post"
    kind_label: str  # 事假 / 病假 / 年休假 / 公休 / 活动请假 / 因公外出 / 临时离岗
    starts_at: datetime  # aware
    ends_at: datetime  # aware
    request_id: int
    deducted: bool  # False for official outing (LEV-14)
    citation: str  # e.g. "依据 LEV-01 …, 审批单 #12"


def _absence_citation(leave: LeaveRequest) -> str:
    clause = leave.route_citation or "依据 LEV-01"
    text = f"{clause}，请假单 #{leave.pk}"
    if leave.approval_request_id:
        text += f"，审批单 #{leave.approval_request_id}"
    if leave.status == LeaveStatus.CLOSED and leave.actual_return_at is not None:
        text += "，已销假"
    return text


def approved_absences(
    *,
    staff_ids: Iterable[int] | None = None,
    organization: Organization | None = None,
    start: date,
    end: date,
) -> list[Absence]:
    """Approved (and not cancelled) leave / leave-post / official outings overlapping [start, end] (local dates),
    of the given staff or of every staff of the organization subtree. Cancelled or closed-early (销假) leave is cut
    at its actual return time. Bounded queries (one or two).

    One query. Rows are selected by their local dates (`start_date` ≤ end and `end_date` ≥ start), then leave closed
    early whose actual return falls before `start` (local time of the request's center) is dropped. Ordered by
    person, then start.
    """
    qs = LeaveRequest.objects.filter(status__in=GRANTED_STATUSES, start_date__lte=end, end_date__gte=start)
    if staff_ids is not None:
        qs = qs.filter(staff_id__in=list(staff_ids))
    if organization is not None:
        qs = qs.filter(staff__organization__path__startswith=organization.path)
    if staff_ids is None and organization is None:
        raise ValueError("approved_absences needs staff_ids or organization")
    rows = qs.select_related("organization").only(
        "id",
        "staff_id",
        "kind",
        "status",
        "starts_at",
        "ends_at",
        "actual_return_at",
        "approval_request_id",
        "route_citation",
        "organization__timezone",
    )
    result: list[Absence] = []
    labels = dict(LeaveKind.choices)
    for leave in rows.order_by("staff_id", "starts_at", "id"):
        ends_at = leave.effective_ends_at
        window_start = datetime.combine(start, time(0, 0), tzinfo=zone_of(leave.organization))
        if ends_at <= leave.starts_at or ends_at <= window_start:
            continue  # closed before it started, or before the window
        result.append(
            Absence(
                staff_id=leave.staff_id,
                kind=leave.kind,
                kind_label=str(labels.get(leave.kind, leave.kind)),
                starts_at=leave.starts_at,
                ends_at=ends_at,
                request_id=leave.pk,
                deducted=leave.kind not in NOT_DEDUCTED_KINDS,
                citation=_absence_citation(leave),
            )
        )
    return result


def _month_bounds(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return first, last


def breakdown_in(leave: LeaveRequest, first: date, last: date) -> Decimal:
    """The request's leave days (its stored per-date breakdown, actual after 销假) falling in [first, last]."""
    total = ZERO
    for key, amount in (leave.day_breakdown or {}).items():
        if first.isoformat() <= key <= last.isoformat():
            total += Decimal(str(amount))
    return total


def personal_leave_days(*, staff_id: int, year: int, month: int) -> Decimal:
    """Approved personal-leave days (half-day steps) falling in the month (LEV-04 offset). One query."""
    first, last = _month_bounds(year, month)
    rows = LeaveRequest.objects.filter(
        staff_id=staff_id,
        kind=LeaveKind.PERSONAL,
        status__in=GRANTED_STATUSES,
        start_date__lte=last,
        end_date__gte=first,
    ).only("id", "day_breakdown")
    return sum((breakdown_in(leave, first, last) for leave in rows), ZERO)


def days_by_date(
    *, staff_id: int, kinds: Iterable[str], first: date, last: date, statuses: Iterable[str], exclude_id: Any = None
) -> dict[date, Decimal]:
    """A person's leave days per date of the given kinds and statuses in [first, last] (cap and balance checks)."""
    qs = LeaveRequest.objects.filter(
        staff_id=staff_id, kind__in=list(kinds), status__in=list(statuses), start_date__lte=last, end_date__gte=first
    ).only("id", "day_breakdown")
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    result: dict[date, Decimal] = {}
    for leave in qs:
        for key, amount in (leave.day_breakdown or {}).items():
            day = date.fromisoformat(key)
            if first <= day <= last:
                result[day] = result.get(day, ZERO) + Decimal(str(amount))
    return result


def overlapping_requests(
    *, staff_id: int, starts_at: datetime, ends_at: datetime, exclude_id: Any = None
) -> QuerySet[LeaveRequest]:
    """A person's submitted / approved / closed requests whose time overlaps [starts_at, ends_at)."""
    qs = LeaveRequest.objects.filter(
        Q(staff_id=staff_id),
        Q(status__in=(LeaveStatus.SUBMITTED, LeaveStatus.APPROVED, LeaveStatus.CLOSED)),
        Q(starts_at__lt=ends_at),
        Q(ends_at__gt=starts_at),
    )
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return qs.order_by("starts_at")


@dataclass(frozen=True)
class RestAllowance:
    """LEV-04: rest days left in a month = quota − personal-leave days, with the numbers and the citation."""

    value: Decimal
    quota: int
    personal_days: Decimal
    offsets: bool
    citation: str


def rest_days_left(staff: Any, year: int, month: int) -> RestAllowance:
    """LEV-04: the rest days (公休) a person has left in a month after approved personal leave is offset against
    the monthly quota (`attendance.monthly_rest_days`, `leave.personal_offsets_rest_days`)."""
    from servicecenter.policy.values import resolve_many

    from .policies import rest_days_left_value

    first, _last = _month_bounds(year, month)
    values = resolve_many(
        ["attendance.monthly_rest_days", "leave.personal_offsets_rest_days"], org=staff.organization, at=first
    )
    quota = int(values["attendance.monthly_rest_days"].value or 0)
    offsets = bool(values["leave.personal_offsets_rest_days"].value)
    personal = personal_leave_days(staff_id=staff.pk, year=year, month=month)
    left = rest_days_left_value(quota=quota, personal_days=personal, offsets=offsets)
    citation = values["attendance.monthly_rest_days"].citation
    if offsets:
        citation += f"；{values['leave.personal_offsets_rest_days'].citation}"
    return RestAllowance(value=left, quota=quota, personal_days=personal, offsets=offsets, citation=citation)


# ------------------------------------------------------------------------------------------------ spans and days


@dataclass(frozen=True)
class LeaveSpan:
    """Where a requested leave falls and how long it is on the center's business calendar (C-03: half days)."""

    start_date: date
    start_half: str
    end_date: date
    end_half: str
    starts_at: datetime
    ends_at: datetime
    days: Decimal
    breakdown: dict[date, Decimal]
    citation: str


def leave_span(
    *,
    center: Organization,
    kind: str,
    start_date: date | None = None,
    start_half: str = "am",
    end_date: date | None = None,
    end_half: str = "pm",
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> LeaveSpan:
    """The instants, days and per-date breakdown of a leave at `center`.

    Date-based kinds take dates and halves (working days of the center's calendar: holidays of a gov hall count
    nothing, make-up workdays count); leave-post and official outing take instants (working minutes rounded up to
    half workdays). Raises ValidationFailed for missing or reversed input; 0 days is for the caller to refuse.
    """
    from django.utils.translation import gettext as _

    from servicecenter.core.errors import ValidationFailed
    from servicecenter.policy.values import value
    from servicecenter.workcalendar.selectors import calendars_for_days, working_minutes_between

    from . import policies
    from .choices import TIMED_KINDS

    zone = zone_of(center)
    if kind in TIMED_KINDS:
        fields: dict[str, list[str]] = {}
        if starts_at is None:
            fields["starts_at"] = [_("请填写开始时间")]
        if ends_at is None:
            fields["ends_at"] = [_("请填写结束时间")]
        if fields or starts_at is None or ends_at is None:
            raise ValidationFailed(_("请填写开始和结束时间"), fields=fields)
        if ends_at <= starts_at:
            message = _("结束时间不能早于开始时间")
            raise ValidationFailed(message, fields={"ends_at": [message]})
        if not (2000 <= starts_at.year <= 2100 and 2000 <= ends_at.year <= 2100):
            message = _("请填写有效的时间")
            raise ValidationFailed(message, fields={"starts_at": [message]})
        if ends_at - starts_at > timedelta(days=31):
            message = _("临时离岗、因公外出不能超过 31 天，请按请假办理")
            raise ValidationFailed(message, fields={"ends_at": [message]})
        first, first_half, last, last_half = policies.local_halves(starts_at=starts_at, ends_at=ends_at, zone=zone)
        minutes = working_minutes_between(organization=center, start=starts_at, end=ends_at)
        hours = value("attendance.workday_hours", org=center, at=first)
        days = policies.timed_days(working_minutes=minutes.value, workday_hours=int(hours.value or 8))
        breakdown = {first: days} if days else {}
        citation = f"{minutes.citation}；{hours.citation}"
        return LeaveSpan(first, first_half, last, last_half, starts_at, ends_at, days, breakdown, citation)

    fields = {}
    if start_date is None:
        fields["start_date"] = [_("请填写开始日期")]
    if end_date is None:
        fields["end_date"] = [_("请填写结束日期")]
    if fields or start_date is None or end_date is None:
        raise ValidationFailed(_("请填写开始和结束日期"), fields=fields)
    if not (2000 <= start_date.year <= 2100 and 2000 <= end_date.year <= 2100):
        message = _("请填写有效的日期")
        raise ValidationFailed(message, fields={"start_date": [message]})
    if start_half not in ("am", "pm") or end_half not in ("am", "pm"):
        raise ValidationFailed(_("请选择上午或下午"), fields={"start_half": [_("请选择上午或下午")]})
    begin, finish = policies.half_day_bounds(
        start_date=start_date, start_half=start_half, end_date=end_date, end_half=end_half, zone=zone
    )
    policies.check_order(starts_at=begin, ends_at=finish, start_date=start_date, end_date=end_date)
    if (end_date - start_date).days > 366:
        message = _("请假时间不能超过一年")
        raise ValidationFailed(message, fields={"end_date": [message]})
    calendars = calendars_for_days(organization=center, first=start_date, last=end_date)
    open_days = {day: bool(cal.calendar.day_periods(day)) for day, cal in calendars.items()}
    breakdown = policies.days_per_date(
        open_days=open_days, start_date=start_date, start_half=start_half, end_date=end_date, end_half=end_half
    )
    days = sum(breakdown.values(), ZERO)
    citation = calendars[start_date].span_citation(start_date, end_date)
    return LeaveSpan(start_date, start_half, end_date, end_half, begin, finish, days, breakdown, citation)


# ------------------------------------------------------------------------------------------------ annual leave


@dataclass(frozen=True)
class AnnualBalance:
    """G-14: a person's annual leave of a year: entitlement (None = the center has no table), taken, left."""

    year: int
    service_years: int | None
    entitlement: Decimal | None
    taken: Decimal

    @property
    def left(self) -> Decimal | None:
        return None if self.entitlement is None else max(ZERO, self.entitlement - self.taken)


def entitlement_rows(*, center: Organization) -> list[Any]:
    from .models import AnnualLeaveEntitlement

    return list(
        AnnualLeaveEntitlement.objects.filter(organization=center, is_active=True).order_by("min_service_years")
    )


def annual_balance(
    *, staff: Any, year: int, center: Organization | None = None, today: date | None = None
) -> AnnualBalance:
    """G-14: entitlement from the center's table by the completed service years today,
    minus the annual-leave days submitted or approved that year. Two queries."""
    from servicecenter.policy.values import local_today

    from .policies import EntitlementRow, annual_entitlement, service_years

    center = center or staff.organization.service_center()
    rows = [EntitlementRow(r.min_service_years, r.days) for r in entitlement_rows(center=center)] if center else []
    today = today or local_today(center)
    years = service_years(hire_date=staff.hire_date, on=today) if staff.hire_date else None
    entitlement = annual_entitlement(rows=rows, years=years or 0)
    taken_by_date = days_by_date(
        staff_id=staff.pk,
        kinds=[LeaveKind.ANNUAL],
        first=date(year, 1, 1),
        last=date(year, 12, 31),
        statuses=(LeaveStatus.SUBMITTED, LeaveStatus.APPROVED, LeaveStatus.CLOSED),
    )
    return AnnualBalance(
        year=year, service_years=years, entitlement=entitlement, taken=sum(taken_by_date.values(), ZERO)
    )


# ------------------------------------------------------------------------------------------------ pages and API


def leave_qs() -> QuerySet[LeaveRequest]:
    return LeaveRequest.objects.select_related("staff", "organization", "approval_request", "closed_by__staff")


def my_requests(*, user: Any) -> QuerySet[LeaveRequest]:
    """The signed-in person's own requests, newest first."""
    if not getattr(user, "is_authenticated", False):
        return LeaveRequest.objects.none()
    return leave_qs().filter(staff__user=user).order_by("-start_date", "-id")


def visible_requests(*, user: Any) -> QuerySet[LeaveRequest]:
    """Requests `user` may open: their own, and those of the centers where they hold leave.view_leaverequest."""
    from servicecenter.core.access import organizations_where

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return LeaveRequest.objects.none()
    scoped = organizations_where(user=user, permission="leave.view_leaverequest").values("pk")
    return leave_qs().filter(Q(staff__user=user) | Q(organization__in=scoped))


def leave_for(*, user: Any, pk: Any) -> LeaveRequest:
    """One request `user` may see, else 404 (never 403: existence is not revealed)."""
    from django.http import Http404

    try:
        return visible_requests(user=user).get(pk=int(pk))
    except (LeaveRequest.DoesNotExist, ValueError, TypeError):
        raise Http404("请假申请不存在") from None


def attachments_of(leave: LeaveRequest) -> list[Any]:
    return list(leave.attachments.filter(is_active=True).select_related("uploaded_by__staff"))


def attachment_for(*, user: Any, pk: Any) -> Any:
    """A certificate `user` may download (the requester, or leave.view_leaverequest over its center), else 404."""
    from django.http import Http404

    from .models import LeaveAttachment

    try:
        attachment = LeaveAttachment.objects.select_related("request").get(pk=int(pk), is_active=True)
    except (LeaveAttachment.DoesNotExist, ValueError, TypeError):
        raise Http404("文件不存在") from None
    leave_for(user=user, pk=attachment.request_id)
    return attachment


def register_centers(*, user: Any, permission: str = "leave.view_leaverequest") -> list[Organization]:
    """The service centers whose leave register (or entitlement table) `user` may open."""
    from servicecenter.core.access import scope
    from servicecenter.org.choices import CENTER_KINDS

    qs = Organization.objects.filter(kind__in=CENTER_KINDS, is_active=True).order_by("path")
    return list(scope(qs, user=user, permission=permission, field=""))


@dataclass(frozen=True)
class RegisterFilters:
    center: Organization | None = None
    month: tuple[int, int] | None = None
    staff_id: int | None = None
    person: str = ""
    kind: str = ""
    status: str = ""


@implements("LEV-12")
def register_rows(*, user: Any, filters: RegisterFilters) -> QuerySet[LeaveRequest]:
    """LEV-12 (请销假登记): every request (drafts aside) and its closure of the centers `user` may view, filtered by
    center, month (requests touching it), person, kind, status; newest first."""
    from servicecenter.core.access import scope

    qs = scope(leave_qs(), user=user, permission="leave.view_leaverequest").exclude(status=LeaveStatus.DRAFT)
    if filters.center is not None:
        qs = qs.filter(organization__path__startswith=filters.center.path)
    if filters.month is not None:
        first, last = _month_bounds(*filters.month)
        qs = qs.filter(start_date__lte=last, end_date__gte=first)
    if filters.staff_id:
        qs = qs.filter(staff_id=filters.staff_id)
    if filters.person.strip():
        text = filters.person.strip()
        qs = qs.filter(Q(staff__name__icontains=text) | Q(staff__staff_no__iexact=text))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs.order_by("-start_date", "-id")


@dataclass(frozen=True)
class CalendarCell:
    day: date
    in_month: bool
    away: tuple[tuple[str, str, int], ...]  # (name, kind label, request id)


def team_calendar(*, center: Organization, year: int, month: int) -> list[list[CalendarCell]]:
    """The month grid (weeks from Monday) of who is away at `center`: approved, closed and pending leave (pending
    ones marked «待批»). One query."""
    first, last = _month_bounds(year, month)
    grid_start = first - timedelta(days=first.weekday())
    grid_end = last + timedelta(days=6 - last.weekday())
    rows = (
        LeaveRequest.objects.filter(
            organization__path__startswith=center.path,
            status__in=(LeaveStatus.SUBMITTED, LeaveStatus.APPROVED, LeaveStatus.CLOSED),
            start_date__lte=grid_end,
            end_date__gte=grid_start,
        )
        .select_related("staff")
        .only("id", "kind", "status", "start_date", "end_date", "day_breakdown", "staff__name")
        .order_by("staff__name", "start_date")
    )
    labels = dict(LeaveKind.choices)
    by_day: dict[date, list[tuple[str, str, int]]] = {}
    for leave in rows:
        label = str(labels.get(leave.kind, leave.kind))
        if leave.status == LeaveStatus.SUBMITTED:
            label += "（待批）"
        days = [date.fromisoformat(key) for key in (leave.day_breakdown or {})]
        for day in days:
            by_day.setdefault(day, []).append((leave.staff.name, label, leave.pk))
    weeks: list[list[CalendarCell]] = []
    day = grid_start
    while day <= grid_end:
        week = []
        for _ in range(7):
            week.append(CalendarCell(day, day.month == month, tuple(by_day.get(day, ()))))
            day += timedelta(days=1)
        weeks.append(week)
    return weeks
