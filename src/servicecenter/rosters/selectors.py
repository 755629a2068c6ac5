"""Reads of the rosters app. The first two functions are the contract with attendance (issue5-contracts.md)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from servicecenter.core.access import has_permission_in, scope  # noqa: F401  (views use selectors.scope)
from servicecenter.org.models import Organization, Staff
from servicecenter.policy.values import value, zone_of
from servicecenter.workcalendar.selectors import WEEKDAY_LABELS

from .models import HandoverNote, OnCallEntry, Roster, RosterEntry, RosterStatus, ShiftTemplate, SwapRequest
from .shifts import periods_on

VIEW_ROSTER = "rosters.view_roster"
MANAGE_ROSTER = "rosters.manage_roster"
REQUEST_SWAP = "rosters.request_swap"


# ------------------------------------------------------------------------------------------- contract (attendance)


@dataclass(frozen=True)
class ScheduledShift:
    staff_id: int
    day: date  # the local date the shift starts on
    shift_code: str  # template code, e.g. "D8", "SPLIT", "R24", "ONCALL"
    shift_label: str
    periods: tuple[tuple[datetime, datetime], ...]  # aware; one period, or two for the D19 split day
    sign_in_window: tuple[datetime, datetime] | None  # D19 08:00–08:30 window on that day, else None
    early_arrival_minutes: int  # ATT-18 (0 where the rule does not apply)
    on_call: bool  # on-call duty roster (C-24): never produces attendance violations by itself
    citation: str


def _month_floor(day: date) -> date:
    return day.replace(day=1)


def _published_entries(
    *, start: date, end: date, organization: Organization | None, staff_ids: Iterable[int] | None
) -> QuerySet[RosterEntry]:
    qs = RosterEntry.objects.filter(
        roster__status=RosterStatus.PUBLISHED,
        roster__month__gte=_month_floor(start),
        roster__month__lte=_month_floor(end),
        day__gte=start,
        day__lte=end,
    )
    if organization is not None:
        qs = qs.filter(roster__organization__path__startswith=organization.path)
    if staff_ids is not None:
        qs = qs.filter(staff_id__in=list(staff_ids))
    return qs


class _CenterFacts:
    """Per-center time zone and ATT-18 minutes, read once per center for a whole call."""

    def __init__(self) -> None:
        self._cache: dict[int, tuple[Any, int, str]] = {}

    def get(self, organization: Organization, day: date) -> tuple[Any, int, str]:
        key = organization.pk
        if key not in self._cache:
            early = value("attendance.early_arrival_minutes", org=organization, at=day)
            self._cache[key] = (zone_of(organization), int(early.value or 0), early.citation)
        return self._cache[key]


def _shift_of(
    *, staff_id: int, day: date, template: ShiftTemplate, organization: Organization, facts: _CenterFacts, cite: str
) -> ScheduledShift:
    tz, early, early_citation = facts.get(organization, day)
    periods = periods_on(day, template.periods, tz)
    window = periods_on(day, template.sign_in_window, tz)[0] if template.sign_in_window else None
    on_call = template.on_call
    citation = cite if on_call else f"{cite}；{early_citation}"
    return ScheduledShift(
        staff_id=staff_id,
        day=day,
        shift_code=template.code,
        shift_label=template.label,
        periods=periods,
        sign_in_window=window,
        early_arrival_minutes=0 if on_call else early,
        on_call=on_call,
        citation=citation,
    )


def scheduled_shifts(
    *, start: date, end: date, organization: Organization | None = None, staff_ids: Iterable[int] | None = None
) -> list[ScheduledShift]:
    """Shifts of the PUBLISHED roster(s) between start and end inclusive (after approved swaps), plus the active
    on-call duties (C-24, `on_call=True`). Sorted by day, staff. Two queries plus one parameter read per center."""
    ids = list(staff_ids) if staff_ids is not None else None
    facts = _CenterFacts()
    result: list[ScheduledShift] = []
    entries = (
        _published_entries(start=start, end=end, organization=organization, staff_ids=ids)
        .filter(shift__isnull=False)
        .select_related("shift", "roster__organization")
    )
    for entry in entries:
        roster = entry.roster
        assert entry.shift is not None
        cite = f"依据 ATT-09：{roster.organization.name} {roster.month:%Y-%m} 排班表第 {roster.version} 版"
        result.append(
            _shift_of(
                staff_id=entry.staff_id,
                day=entry.day,
                template=entry.shift,
                organization=roster.organization,
                facts=facts,
                cite=cite,
            )
        )
    on_calls = OnCallEntry.objects.filter(is_active=True, day__gte=start, day__lte=end).select_related(
        "shift", "organization"
    )
    if organization is not None:
        on_calls = on_calls.filter(organization__path__startswith=organization.path)
    if ids is not None:
        on_calls = on_calls.filter(staff_id__in=ids)
    for duty in on_calls:
        cite = f"依据 ATT-35/C-24：值班安排（手机 {duty.mobile}）"
        result.append(
            _shift_of(
                staff_id=duty.staff_id,
                day=duty.day,
                template=duty.shift,
                organization=duty.organization,
                facts=facts,
                cite=cite,
            )
        )
    result.sort(key=lambda s: (s.day, s.staff_id, s.on_call, s.periods[0][0] if s.periods else s.day))
    return result


def rest_days(
    *, start: date, end: date, organization: Organization | None = None, staff_ids: Iterable[int] | None = None
) -> dict[int, set[date]]:
    """Rest days (排休) of the published roster(s). One query."""
    result: dict[int, set[date]] = defaultdict(set)
    rows = (
        _published_entries(start=start, end=end, organization=organization, staff_ids=staff_ids)
        .filter(shift__isnull=True)
        .values_list("staff_id", "day")
    )
    for staff_id, day in rows:
        result[staff_id].add(day)
    return dict(result)


# ------------------------------------------------------------------------------------------- pages and API


def month_start(year: int, month: int) -> date:
    return date(year, month, 1)


def month_days(month: date) -> list[date]:
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return [month + timedelta(days=i) for i in range((following - month).days)]


def roster_centers_for(*, user: Any, permission: str = VIEW_ROSTER) -> QuerySet[Organization]:
    """Service centers whose roster `user` may see (or manage)."""
    return scope(Organization.objects.centers().active(), user=user, permission=permission, field="").order_by("path")


def access_center(*, user: Any, pk: Any, permission: str = VIEW_ROSTER) -> Organization:
    """The center `pk` if `user` holds `permission` over it, else 404."""
    try:
        return roster_centers_for(user=user, permission=permission).get(pk=int(pk))
    except (Organization.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def default_center(*, user: Any, permission: str = VIEW_ROSTER) -> Organization | None:
    staff = getattr(user, "staff", None) if getattr(user, "is_authenticated", False) else None
    if staff is not None:
        center = staff.organization.service_center()
        if center is not None and has_permission_in(user=user, permission=permission, organization=center):
            return center
    return roster_centers_for(user=user, permission=permission).first()


def can_manage(*, user: Any, organization: Organization) -> bool:
    return has_permission_in(user=user, permission=MANAGE_ROSTER, organization=organization)


def templates_for(*, organization: Organization, active_only: bool = False) -> QuerySet[ShiftTemplate]:
    qs = ShiftTemplate.objects.filter(organization=organization)
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("rank", "code")


def staff_of(*, organization: Organization, at: date | None = None) -> list[Staff]:
    """Active staff of the center's subtree, by staff number (the solver's tie-break)."""
    from servicecenter.org.choices import StaffStatus

    qs = Staff.objects.filter(organization__path__startswith=organization.path)
    if at is not None:
        qs = qs.filter(Q(status=StaffStatus.ACTIVE) | Q(left_date__gte=at))
    else:
        qs = qs.filter(status=StaffStatus.ACTIVE)
    return list(qs.order_by("staff_no"))


def published_roster(*, organization: Organization, month: date) -> Roster | None:
    return Roster.objects.filter(organization=organization, month=month, status=RosterStatus.PUBLISHED).first()


def draft_roster(*, organization: Organization, month: date) -> Roster | None:
    return Roster.objects.filter(organization=organization, month=month, status=RosterStatus.DRAFT).first()


def roster_versions(*, organization: Organization, month: date) -> QuerySet[Roster]:
    return (
        Roster.objects.filter(organization=organization, month=month)
        .select_related("published_by")
        .order_by("-version")
    )


def access_roster(*, user: Any, pk: Any, permission: str = VIEW_ROSTER) -> Roster:
    qs = scope(Roster.objects.select_related("organization"), user=user, permission=permission)
    try:
        roster: Roster = qs.get(pk=int(pk))
    except (Roster.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if roster.status == RosterStatus.DRAFT and not can_manage(user=user, organization=roster.organization):
        raise Http404
    return roster


def entries_of(roster: Roster) -> QuerySet[RosterEntry]:
    return RosterEntry.objects.filter(roster=roster).select_related("shift")


def grid_of(roster: Roster) -> dict[tuple[int, date], RosterEntry]:
    return {(e.staff_id, e.day): e for e in entries_of(roster)}


def my_shifts(*, staff: Staff, start: date, end: date) -> list[dict[str, Any]]:
    """The published days of one person (shift or rest) and their on-call duties, by day (phone page and API)."""
    rows: list[dict[str, Any]] = []
    entries = (
        RosterEntry.objects.filter(
            staff=staff,
            day__gte=start,
            day__lte=end,
            roster__status=RosterStatus.PUBLISHED,
        )
        .select_related("shift", "roster")
        .order_by("day")
    )
    for entry in entries:
        rows.append(
            {
                "day": entry.day,
                "rest": entry.shift is None,
                "code": entry.shift.code if entry.shift else "REST",
                "label": entry.shift.label if entry.shift else "休",
                "periods": entry.shift.periods_text if entry.shift else "",
                "on_call": False,
                "roster_id": entry.roster_id,
                "version": entry.roster.version,
            }
        )
    duties = OnCallEntry.objects.filter(staff=staff, day__gte=start, day__lte=end, is_active=True).select_related(
        "shift"
    )
    for duty in duties:
        rows.append(
            {
                "day": duty.day,
                "rest": False,
                "code": duty.shift.code,
                "label": duty.shift.label,
                "periods": duty.shift.periods_text,
                "on_call": True,
                "roster_id": None,
                "version": None,
            }
        )
    rows.sort(key=lambda r: (r["day"], r["on_call"]))
    for row in rows:
        row["weekday"] = str(WEEKDAY_LABELS[row["day"].weekday()])
    return rows


def swaps_for(*, staff: Staff | None, user: Any) -> QuerySet[SwapRequest]:
    """Swap requests the user made or was asked to consent to, plus those of centers they manage."""
    base = SwapRequest.objects.select_related("requester", "counterpart", "organization", "approval")
    managed = scope(base, user=user, permission=MANAGE_ROSTER)
    if staff is None:
        return managed
    mine = base.filter(Q(requester=staff) | Q(counterpart=staff))
    return (mine | managed).distinct()


def access_swap(*, user: Any, pk: Any) -> SwapRequest:
    staff = getattr(user, "staff", None)
    try:
        return swaps_for(staff=staff, user=user).get(pk=int(pk))
    except (SwapRequest.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def handovers_for(*, staff: Staff | None, user: Any) -> QuerySet[HandoverNote]:
    base = HandoverNote.objects.select_related("from_staff", "to_staff", "shift")
    managed = scope(base, user=user, permission=MANAGE_ROSTER)
    if staff is None:
        return managed
    return (base.filter(Q(from_staff=staff) | Q(to_staff=staff)) | managed).distinct()


def pending_handovers(*, staff: Staff) -> QuerySet[HandoverNote]:
    return HandoverNote.objects.filter(to_staff=staff, acknowledged_at__isnull=True).select_related(
        "from_staff", "shift"
    )


def on_call_for(*, organization: Organization, start: date, end: date) -> QuerySet[OnCallEntry]:
    return (
        OnCallEntry.objects.filter(organization=organization, day__gte=start, day__lte=end, is_active=True)
        .select_related("staff", "shift")
        .order_by("day", "id")
    )


def on_call_now(*, organization: Organization, day: date) -> list[OnCallEntry]:
    """Who to call after hours on `day` (ATT-35): the active duties of the center that day."""
    return list(on_call_for(organization=organization, start=day, end=day))
