"""Every write of the attendance app (STYLE.md §2.5): punches, corrections, daily results, violations, events,
the ATT-02 coverage sweep."""

from __future__ import annotations

import bisect
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from servicecenter.approvals import services as approval_services
from servicecenter.core import audit
from servicecenter.core.access import has_permission_in
from servicecenter.core.errors import Conflict, NotAllowed, ValidationFailed
from servicecenter.core.policy import implements
from servicecenter.notifications.services import notify
from servicecenter.org.choices import CENTER_KINDS, StaffStatus
from servicecenter.org.models import Organization, RoleAssignment, Staff
from servicecenter.policy.values import PolicyValue, resolve_many, value, zone_of
from servicecenter.workcalendar.engine import DayKind
from servicecenter.workcalendar.selectors import calendar_for, is_working_time

from . import engine, inputs, policies
from .choices import (
    CorrectionStatus,
    EventAttendanceStatus,
    EventKind,
    PunchKind,
    PunchSource,
    ViolationStatus,
    ViolationType,
)
from .models import AttendanceEvent, AttendanceResult, EventAttendance, Punch, PunchCorrection, Violation

PUNCH = "attendance.punch"
MANAGE = "attendance.manage_attendance"
NONWORK_TYPES = {
    ViolationType.GAMES,
    ViolationType.INTERNET,
    ViolationType.GAMBLING,
    ViolationType.CHESS,
    ViolationType.OTHER_NONWORK,
}
# Calendar parameters: a center overriding one of them has its own holidays (workcalendar), so it is not shared.
CALENDAR_KEYS = ["attendance.business_hours", "attendance.open_days", "attendance.round_the_clock"]
RULE_KEYS = [
    "attendance.late_grace_minutes",
    "attendance.sign_in_required",
    "attendance.fine.missed_sign_in_cny",
    "attendance.fine.absenteeism_cny_per_day",
]
MAX_PHOTO_BYTES = 5 * 1024 * 1024
TERMINAL_BACKDATE = timedelta(hours=24)


def _user(actor: Any) -> Any:
    return getattr(actor, "user", actor) if actor is not None else None


def _local_date(instant: datetime, org: Any) -> date:
    return timezone.localtime(instant, zone_of(org)).date()


def _center_of(org: Organization) -> Organization:
    return org.service_center() or org


# --- punches (ATT-03) ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PunchOutcome:
    punch: Punch
    duplicate: bool  # a second tap within attendance.punch_dedupe_seconds: the first punch is returned

    @property
    def accepted(self) -> bool:
        return self.punch.accepted


def _refuse_disabled(staff: Staff) -> None:
    user = staff.user
    if staff.status == StaffStatus.LEFT or user is None or not user.is_active:
        raise ValidationFailed("该账号已停用或人员已离职，不能打卡", code="account_disabled", clause="ATT-03")


@implements("ATT-03")
@transaction.atomic
def punch_record(
    *,
    actor: Any,
    kind: str,
    staff: Staff | None = None,
    at: datetime | None = None,
    source: str = PunchSource.WEB,
    ip: str | None = None,
    lat: Decimal | float | None = None,
    lng: Decimal | float | None = None,
    now: datetime | None = None,
) -> PunchOutcome:
    """Clock in or out (ATT-03).

    Own punch: `staff` omitted (the actor's own record), time = now. A terminal account punching for `staff`
    needs attendance.manage_attendance over the person's unit and may send `at` (a buffered punch, at most 24 h
    old, never in the future). Idempotent: a punch of the same kind within `attendance.punch_dedupe_seconds`
    returns the first one. A punch from outside the center's IP ranges / geofence is kept as refused (with its
    reason) and counts for nothing. A left or disabled account is refused and nothing is saved.

    Raises: NotAllowed (no attendance.punch / not allowed to punch for others), ValidationFailed (bad kind or time,
    disabled account).
    """
    now = now or timezone.now()
    user = _user(actor)
    own = staff is None
    if own:
        # Own punch: find and lock the person's row in one query (the morning rush, ATT-03).
        staff = (
            Staff.objects.select_for_update(of=("self",))
            .select_related("organization", "user")
            .filter(user=user)
            .first()
        )
        if staff is None:
            raise NotAllowed("当前账号未关联员工档案，不能打卡", clause="ATT-03")
    assert staff is not None
    if kind not in PunchKind.values:
        raise ValidationFailed("打卡类型应为上班或下班", fields={"kind": ["打卡类型应为上班或下班"]})
    if source not in PunchSource.values or source == PunchSource.CORRECTION:
        raise ValidationFailed("打卡来源无效", fields={"source": ["打卡来源无效"]})
    if own or staff.user_id == getattr(user, "pk", None):
        if not has_permission_in(user=user, permission=PUNCH, organization=staff.organization):
            raise NotAllowed("您没有打卡权限", clause="ATT-03")
        at = now
    else:
        if not has_permission_in(user=user, permission=MANAGE, organization=staff.organization):
            raise NotAllowed("您不能为他人打卡", clause="ATT-03")
        at = at or now
        if at > now + timedelta(minutes=2) or at < now - TERMINAL_BACKDATE:
            raise ValidationFailed(
                "打卡时间无效：不能晚于当前时间，也不能早于 24 小时前", fields={"at": ["打卡时间无效"]}
            )
    # Serialize one person's punches: the double tap of the morning rush finds the first punch.
    if not own:
        staff = Staff.objects.select_for_update(of=("self",)).select_related("organization", "user").get(pk=staff.pk)
    _refuse_disabled(staff)
    params = resolve_many(
        ["attendance.punch_dedupe_seconds", "attendance.punch_ip_ranges", "attendance.punch_geofence"],
        org=staff.organization,
        at=at,
    )
    window = timedelta(seconds=int(params["attendance.punch_dedupe_seconds"].value or 0))
    if window:
        first = (
            Punch.objects.filter(staff=staff, kind=kind, at__gte=at - window, at__lte=at + window)
            .order_by("at", "id")
            .first()
        )
        if first is not None:
            first.staff = staff  # the row locked above: the answer needs no second look-up
            return PunchOutcome(first, duplicate=True)
    decision = policies.punch_place_allowed(
        source=source,
        ip=ip,
        lat=lat,
        lng=lng,
        ip_ranges=params["attendance.punch_ip_ranges"].value,
        geofence=params["attendance.punch_geofence"].value,
        citation=params["attendance.punch_geofence"].citation
        if params["attendance.punch_geofence"].value
        else params["attendance.punch_ip_ranges"].citation,
    )
    punch = Punch.objects.create(
        staff=staff,
        organization=staff.organization,
        at=at,
        kind=kind,
        source=source,
        ip=ip or None,
        lat=Decimal(str(round(float(lat), 6))) if lat is not None else None,
        lng=Decimal(str(round(float(lng), 6))) if lng is not None else None,
        accepted=decision.allowed,
        refused_reason=decision.reason[:200],
        recorded_by=user if getattr(user, "is_authenticated", False) else None,
    )
    audit.record(
        actor=user,
        verb="attendance.punch" if decision.allowed else "attendance.punch.refused",
        target=punch,
        changes={"kind": [None, kind], "at": [None, at], "source": [None, source]},
        clause="ATT-03",
        note=decision.reason,
    )
    return PunchOutcome(punch, duplicate=False)


# --- missed-punch corrections (ATT-03, through approvals) --------------------------------------------------------


def _month_bounds(day: date, org: Any) -> tuple[datetime, datetime]:
    tz = zone_of(org)
    first = day.replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    return datetime.combine(first, datetime.min.time(), tzinfo=tz), datetime.combine(
        nxt, datetime.min.time(), tzinfo=tz
    )


@implements("ATT-03")
@transaction.atomic
def correction_request(
    *, actor: Any, kind: str, at: datetime, reason: str, now: datetime | None = None
) -> PunchCorrection:
    """Ask for a missed punch to be added (补卡): routed through the approvals engine (kind "punch_correction")
    to the center's head; at most `attendance.punch_corrections_per_month` requests (pending or approved) a month.

    Raises: NotAllowed (no staff record), ValidationFailed (future time, more than 31 days ago, empty reason, over
    the monthly limit — with the citation)."""
    now = now or timezone.now()
    user = _user(actor)
    staff = Staff.objects.select_for_update(of=("self",)).select_related("organization").filter(user=user).first()
    if staff is None:
        raise NotAllowed("当前账号未关联员工档案")
    _refuse_disabled(staff)
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if kind not in PunchKind.values:
        errors["kind"] = ["请选择上班或下班"]
    if at is None or timezone.is_naive(at):
        errors["at"] = ["请填写补卡时间"]
    elif at > now:
        errors["at"] = ["补卡时间不能晚于现在"]
    elif at < now - timedelta(days=31):
        errors["at"] = ["只能补 31 天内的打卡"]
    if not reason:
        errors["reason"] = ["请说明未打卡的原因"]
    if errors:
        raise ValidationFailed("输入有误，请检查标出的字段", fields=errors, clause="ATT-03")
    limit = value("attendance.punch_corrections_per_month", org=staff.organization, at=at)
    lo, hi = _month_bounds(_local_date(at, staff.organization), staff.organization)
    used = PunchCorrection.objects.filter(
        staff=staff, at__gte=lo, at__lt=hi, status__in=[CorrectionStatus.PENDING, CorrectionStatus.APPROVED]
    ).count()
    decision = policies.correction_allowed(used_this_month=used, limit=limit.value, citation=limit.citation)
    if not decision:
        raise ValidationFailed(decision.reason, code="correction_limit", clause="ATT-03")
    correction = PunchCorrection.objects.create(
        staff=staff, organization=staff.organization, at=at, kind=kind, reason=reason, citation=limit.citation
    )
    local = timezone.localtime(at, zone_of(staff.organization))
    request = approval_services.request_submit(
        actor=user,
        kind="punch_correction",
        organization=_center_of(staff.organization),
        title=f"补卡申请：{staff.name} {local:%m-%d %H:%M} {correction.get_kind_display()}",
        description=reason,
        payload={"at": at.isoformat(), "kind": kind, "staff_id": staff.pk},
        subject=correction,
        now=now,
    )
    correction.approval = request
    correction.save(update_fields=["approval", "updated_at"])
    audit.record(actor=user, verb="attendance.correction.requested", target=correction, clause="ATT-03", note=reason)
    return correction


def correction_apply_decision(*, approval: Any) -> None:
    """on_decided hook of "punch_correction" (inside the decision's transaction): approved → the punch is added
    (source 补卡) and the day's closed result recomputed; rejected / withdrawn → the request stops counting."""
    correction = (
        PunchCorrection.objects.select_for_update().select_related("staff__organization").get(pk=approval.subject_id)
    )
    status = {"approved": CorrectionStatus.APPROVED, "rejected": CorrectionStatus.REJECTED}.get(
        approval.status, CorrectionStatus.WITHDRAWN
    )
    correction.status = status
    if status == CorrectionStatus.APPROVED and correction.punch_id is None:
        correction.punch = Punch.objects.create(
            staff=correction.staff,
            organization=correction.organization,
            at=correction.at,
            kind=correction.kind,
            source=PunchSource.CORRECTION,
            accepted=True,
        )
    correction.save(update_fields=["status", "punch", "updated_at"])
    audit.record(
        actor=None,
        verb=f"attendance.correction.{status}",
        target=correction,
        clause="ATT-03",
        note=f"审批单 #{approval.pk}",
    )
    if status == CorrectionStatus.APPROVED:
        day = _local_date(correction.at, correction.organization)
        if day < _local_date(timezone.now(), correction.organization):
            results_compute(
                organization=correction.staff.organization,
                start=day - timedelta(days=1),
                end=day,
                staff_ids=[correction.staff_id],
                note=f"补卡通过（审批单 #{approval.pk}）",
            )


# --- daily results (ATT-03/04/05/18/22–24, LEV-08, C-24) -------------------------------------------------------


@dataclass(frozen=True)
class ComputeSummary:
    created: int
    changed: int
    unchanged: int
    days: int
    staff: int


RESULT_FIELDS = [
    "organization_id",
    "status",
    "shift_code",
    "shift_label",
    "scheduled_start",
    "scheduled_end",
    "first_in",
    "last_out",
    "minutes_late",
    "minutes_early",
    "not_early",
    "missed_sign_in",
    "missing_punch",
    "absent_days",
    "leave_kind",
    "fine_cny",
    "fines",
    "clause",
    "citation",
]


def _rules_from(values: dict[str, PolicyValue]) -> engine.Rules:
    return engine.Rules(
        late_grace_minutes=int(values["attendance.late_grace_minutes"].value or 0),
        sign_in_required=bool(values["attendance.sign_in_required"].value),
        fine_missed_sign_in=Decimal(str(values["attendance.fine.missed_sign_in_cny"].value or 0)),
        fine_absent_per_day=Decimal(str(values["attendance.fine.absenteeism_cny_per_day"].value or 0)),
        citations={key: pv.citation for key, pv in values.items()},
    )


class _CenterRules:
    """Parameters and calendar of one center over a period: resolved at both ends, per day only if they differ.
    The calendar is read only when a day without a working shift needs its holiday name."""

    def __init__(self, center: Organization, start: date, end: date) -> None:
        self.center = center
        self.end = end
        first = _rules_from(resolve_many(RULE_KEYS, org=center, at=start))
        last = _rules_from(resolve_many(RULE_KEYS, org=center, at=end)) if end != start else first
        self.constant = first if first == last else None
        self._by_day: dict[date, engine.Rules] = {}
        self._calendar: Any = None
        self.tz = zone_of(center)

    def for_day(self, day: date) -> engine.Rules:
        if self.constant is not None:
            return self.constant
        if day not in self._by_day:
            self._by_day[day] = _rules_from(resolve_many(RULE_KEYS, org=self.center, at=day))
        return self._by_day[day]

    def holiday(self, day: date) -> str:
        if self._calendar is None:
            self._calendar = calendar_for(organization=self.center, at=self.end)
        kind, name = self._calendar.day_kind(day)
        return (name or "节假日") if kind == DayKind.HOLIDAY else ""


def _rules_per_center(centers: list[Organization], start: date, end: date) -> dict[int, _CenterRules]:
    """One `_CenterRules` per center, shared by the centers whose parameters cannot differ: same center type (same
    preset) and the same set of organizations with overrides of the rule keys on their chain (one query)."""
    from servicecenter.policy.models import ParameterValue

    override_paths = set(
        ParameterValue.objects.filter(key__in=[*RULE_KEYS, *CALENDAR_KEYS], organization__isnull=False)
        .values_list("organization__path", flat=True)
        .distinct()
    )
    shared: dict[tuple[Any, ...], _CenterRules] = {}
    result: dict[int, _CenterRules] = {}
    for center in centers:
        chain = tuple(sorted(p for p in override_paths if center.path.startswith(p)))
        key = (center.center_type, str(zone_of(center)), chain) if not chain else (center.pk,)
        if key not in shared:
            shared[key] = _CenterRules(center, start, end)
        result[center.pk] = shared[key]
    return result


def _result_values(res: engine.DayResult, organization_id: int) -> dict[str, Any]:
    return {
        "organization_id": organization_id,
        "status": res.status,
        "shift_code": res.shift_code[:20],
        "shift_label": res.shift_label[:50],
        "scheduled_start": res.scheduled_start,
        "scheduled_end": res.scheduled_end,
        "first_in": res.first_in,
        "last_out": res.last_out,
        "minutes_late": res.minutes_late,
        "minutes_early": res.minutes_early,
        "not_early": res.not_early,
        "missed_sign_in": res.missed_sign_in,
        "missing_punch": res.missing_punch,
        "absent_days": res.absent_days.quantize(Decimal("0.1")),
        "leave_kind": res.leave_kind,
        "fine_cny": res.fine_cny.quantize(Decimal("0.01")),
        "fines": [f.as_json() for f in res.fines],
        "clause": res.clause,
        "citation": res.citation,
    }


COPY_COLUMNS = [
    "created_at",
    "updated_at",
    "staff_id",
    "day",
    "inputs_hash",
    "computed_at",
    *RESULT_FIELDS,
]


def _insert_results(rows: list[dict[str, Any]], now: datetime) -> None:
    """Insert new results: PostgreSQL's COPY for a month of a whole company (tens of thousands of rows, the
    ORM's per-field preparation would dominate the computation), bulk_create elsewhere."""
    from django.db import connection

    if not rows:
        return
    if connection.vendor != "postgresql" or len(rows) < 500:
        AttendanceResult.objects.bulk_create([AttendanceResult(**row) for row in rows], batch_size=2000)
        return
    from psycopg.types.json import Jsonb

    table = AttendanceResult._meta.db_table
    columns = ", ".join(f'"{c}"' for c in COPY_COLUMNS)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
            for row in rows:
                values = [now, now, row["staff_id"], row["day"], row["inputs_hash"], row["computed_at"]]
                values += [Jsonb(row[name]) if name == "fines" else row[name] for name in RESULT_FIELDS]
                copy.write_row(values)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, datetime) and isinstance(b, datetime):
        return a == b
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return Decimal(str(a)) == Decimal(str(b))
    return bool(a == b)


def _day_punches(punches: list[engine.PunchIn], keys: list[datetime], lo: datetime, hi: datetime) -> tuple:
    return tuple(punches[bisect.bisect_left(keys, lo) : bisect.bisect_right(keys, hi)])


def _centers_for(orgs: Iterable[Organization], root: Organization) -> dict[int, Organization]:
    """Each organization id → its service center (root's own center when above; root itself when none)."""
    org_list = list(orgs)
    centers = [o for o in org_list if o.kind in CENTER_KINDS]
    root_center = root.service_center() if root.kind not in CENTER_KINDS else root
    result: dict[int, Organization] = {}
    for org in org_list:
        matches = [c for c in centers if org.path.startswith(c.path)]
        result[org.pk] = max(matches, key=lambda c: len(c.path)) if matches else (root_center or root)
    return result


@implements("ATT-03", "ATT-04", "ATT-05", "LEV-08")
@transaction.atomic
def results_compute(
    *,
    organization: Organization,
    start: date,
    end: date,
    staff_ids: Iterable[int] | None = None,
    actor: Any = None,
    note: str = "",
    now: datetime | None = None,
) -> ComputeSummary:
    """Compute and store the daily results of every staff member of the organization subtree for [start, end]
    (local dates; days from today on are skipped: a day is closed once it is over).

    Inputs are loaded in bulk (staff, published shifts, rest days, approved absences, punches, existing results:
    a handful of queries whatever the size), each day is computed by `engine.compute_day`, new results are bulk
    created, and an existing result is written only when its outcome differs — that change is audited with the
    before/after values. Recomputing with unchanged inputs writes nothing (reproducibility).
    """
    now = now or timezone.now()
    end = min(end, _local_date(now, organization) - timedelta(days=1))
    if start > end:
        return ComputeSummary(0, 0, 0, 0, 0)
    # Serialize computations of the same scope (the nightly job and a manager's recompute).
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    staff_qs = Staff.objects.filter(organization__path__startswith=organization.path).filter(
        ~Q(status=StaffStatus.LEFT) | Q(left_date__gte=start)
    )
    if staff_ids is not None:
        staff_qs = staff_qs.filter(pk__in=list(staff_ids))
    staff_rows = list(staff_qs.only("id", "organization_id", "hire_date", "left_date", "status"))
    ids = [s.pk for s in staff_rows]
    if not ids:
        return ComputeSummary(0, 0, 0, 0, 0)
    orgs = Organization.objects.filter(
        Q(pk__in={s.organization_id for s in staff_rows} | {organization.pk})
        | Q(path__startswith=organization.path, kind__in=CENTER_KINDS)
    )
    center_of = _centers_for(orgs, organization)
    center_rules = _rules_per_center(list({c.pk: c for c in center_of.values()}.values()), start, end)

    selector_ids = ids if staff_ids is not None else None
    shifts: dict[tuple[int, date], list[Any]] = defaultdict(list)
    for shift in inputs.scheduled_shifts(start=start, end=end, organization=organization, staff_ids=selector_ids):
        shifts[(shift.staff_id, shift.day)].append(shift)
    rests = inputs.rest_days(start=start, end=end, organization=organization, staff_ids=selector_ids)
    absences: dict[int, list[Any]] = defaultdict(list)
    for absence in inputs.approved_absences(start=start, end=end, organization=organization, staff_ids=selector_ids):
        absences[absence.staff_id].append(absence)
    tz = zone_of(organization)
    lo = datetime.combine(start, datetime.min.time(), tzinfo=tz) - engine.PUNCH_LEAD
    hi = datetime.combine(end + timedelta(days=2), datetime.min.time(), tzinfo=tz) + engine.PUNCH_TAIL
    punches: dict[int, list[engine.PunchIn]] = defaultdict(list)
    for sid, at, kind in (
        Punch.objects.filter(staff_id__in=ids, accepted=True, at__gte=lo, at__lte=hi)
        .order_by("at", "id")
        .values_list("staff_id", "at", "kind")
    ):
        # In the center's zone: comparisons with the shifts (same tzinfo) skip the UTC-offset arithmetic.
        punches[sid].append(engine.PunchIn(at=at.astimezone(tz), kind=kind))
    punch_keys = {sid: [p.at for p in rows] for sid, rows in punches.items()}
    # Existing results: fingerprints first (light); full rows only for those whose inputs changed.
    existing_hash = {
        (sid, day): (pk, fingerprint)
        for pk, sid, day, fingerprint in AttendanceResult.objects.filter(
            staff_id__in=ids, day__gte=start, day__lte=end
        ).values_list("pk", "staff_id", "day", "inputs_hash")
    }
    pending: list[tuple[int, engine.DayInput, engine.Rules, str, _CenterRules, int]] = []

    created: list[dict[str, Any]] = []
    changed: list[tuple[AttendanceResult, dict[str, list[Any]]]] = []
    unchanged = 0
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    for staff in staff_rows:
        center = center_of[staff.organization_id]
        rules_src = center_rules[center.pk]
        my_punches, my_keys = punches.get(staff.pk, []), punch_keys.get(staff.pk, [])
        my_rests = rests.get(staff.pk, set())
        my_absences = absences.get(staff.pk, [])
        for day in days:
            if (staff.hire_date and day < staff.hire_date) or (staff.left_date and day > staff.left_date):
                continue
            day_shifts = tuple(shifts.get((staff.pk, day), ()))
            if day_shifts:
                periods = [p for s in day_shifts for p in s.periods]
                p_lo = min(p[0] for p in periods) - engine.PUNCH_LEAD
                p_hi = max(p[1] for p in periods) + engine.PUNCH_TAIL
                day_punches = _day_punches(my_punches, my_keys, p_lo, p_hi)
                day_absences = tuple(a for a in my_absences if a.starts_at < p_hi and a.ends_at > p_lo)
            else:
                day_punches, day_absences = (), ()
            rules = rules_src.for_day(day)
            rest_day = day in my_rests
            working = any(not s.on_call for s in day_shifts)
            inp = engine.DayInput(
                staff_id=staff.pk,
                day=day,
                shifts=day_shifts,
                punches=day_punches,
                absences=day_absences,
                rest_day=rest_day,
                holiday_name="" if working or rest_day else rules_src.holiday(day),
            )
            fingerprint = engine.inputs_fingerprint(inp, rules)
            known = existing_hash.get((staff.pk, day))
            if known is not None and known[1] == fingerprint:
                unchanged += 1
                continue
            if known is not None:
                pending.append((known[0], inp, rules, fingerprint, rules_src, center.pk))
                continue
            fields = _result_values(engine.compute_day(inp, rules, tz=rules_src.tz), center.pk)
            created.append({"staff_id": staff.pk, "day": day, "inputs_hash": fingerprint, "computed_at": now, **fields})
    olds = AttendanceResult.objects.in_bulk([p[0] for p in pending]) if pending else {}
    for pk, inp, rules, fingerprint, rules_src, center_pk in pending:
        old = olds[pk]
        fields = _result_values(engine.compute_day(inp, rules, tz=rules_src.tz), center_pk)
        diff = {k: [getattr(old, k), v] for k, v in fields.items() if not _same(getattr(old, k), v)}
        old.inputs_hash = fingerprint
        old.computed_at = now
        old.updated_at = now
        for key, new in fields.items():
            setattr(old, key, new)
        changed.append((old, diff))
    try:
        with transaction.atomic():
            _insert_results(created, now)
    except IntegrityError as exc:  # another computation of an overlapping scope stored these days first
        raise Conflict("考勤正在由另一次结算写入，请稍后再试", clause="ATT-03") from exc
    if changed:
        AttendanceResult.objects.bulk_update(
            [r for r, _ in changed], [*RESULT_FIELDS, "inputs_hash", "computed_at", "updated_at"], batch_size=1000
        )
    really_changed = 0
    for result, diff in changed:
        if not diff:
            continue  # new fingerprint, same outcome (e.g. a punch added inside a day already counted): no event
        really_changed += 1
        audit.record(
            actor=actor,
            verb="attendance.result.changed",
            target=result,
            changes={k: v for k, v in diff.items() if k not in ("citation", "fines")},
            clause=result.clause,
            note=note or "考勤重算：输入有变化",
        )
    if created or really_changed:
        audit.record(
            actor=actor,
            verb="attendance.results.computed",
            target=organization,
            changes={
                "period": [None, f"{start}..{end}"],
                "created": [None, len(created)],
                "changed": [None, really_changed],
            },
            clause="ATT-03",
            note=note or "考勤结算",
        )
    return ComputeSummary(len(created), really_changed, unchanged + len(changed) - really_changed, len(days), len(ids))


def results_recompute(
    *, actor: Any, organization: Organization, start: date, end: date, now: datetime | None = None
) -> ComputeSummary:
    """A manager recomputes a period of their center (attendance.manage_attendance); at most 62 days at once."""
    user = _user(actor)
    if not has_permission_in(user=user, permission=MANAGE, organization=organization):
        raise NotAllowed("您没有重算考勤的权限")
    if end < start:
        raise ValidationFailed("结束日期不能早于开始日期", fields={"end": ["结束日期不能早于开始日期"]})
    if (end - start).days > 62:
        raise ValidationFailed("一次最多重算 62 天", fields={"end": ["一次最多重算 62 天"]})
    return results_compute(organization=organization, start=start, end=end, actor=user, note="经理重算", now=now)


def results_close_day(*, day: date | None = None, now: datetime | None = None) -> dict[int, ComputeSummary]:
    """The nightly job: close `day` (default: yesterday of each center) for every active center. Idempotent."""
    now = now or timezone.now()
    summaries: dict[int, ComputeSummary] = {}
    for center in Organization.objects.filter(kind__in=CENTER_KINDS, is_active=True).order_by("path"):
        target = day or (_local_date(now, center) - timedelta(days=1))
        summaries[center.pk] = results_compute(
            organization=center, start=target, end=target, note="每日考勤结算", now=now
        )
    return summaries


# --- ATT-02: nobody on duty during business hours ---------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    open_now: bool
    on_duty: int
    minimum: int
    citation: str

    @property
    def ok(self) -> bool:
        return not self.open_now or self.on_duty >= self.minimum


@implements("ATT-02")
def coverage_now(*, organization: Organization, at: datetime) -> Coverage:
    """ATT-02: during business hours at least `attendance.min_staff_on_duty` people must be clocked in."""
    from .selectors import ON_DUTY, availability

    open_now = is_working_time(organization=organization, at=at).value
    minimum = value("attendance.min_staff_on_duty", org=organization, at=at)
    on_duty = 0
    if open_now:
        on_duty = sum(1 for a in availability(organization=organization, at=at).values() if a.state == ON_DUTY)
    return Coverage(
        open_now=bool(open_now), on_duty=on_duty, minimum=int(minimum.value or 1), citation=minimum.citation
    )


def coverage_sweep(*, now: datetime | None = None) -> list[int]:
    """Every few minutes: each open center with fewer people clocked in than the minimum → its managers are
    notified (once per center and hour: deduplicated). Returns the ids of the centers alerted."""
    now = now or timezone.now()
    alerted: list[int] = []
    for center in Organization.objects.filter(kind__in=CENTER_KINDS, is_active=True).order_by("path"):
        cov = coverage_now(organization=center, at=now)
        if cov.ok:
            continue
        managers = [
            ra.user
            for ra in RoleAssignment.objects.filter(
                organization=center, is_active=True, role__code="center_manager"
            ).select_related("user")
        ]
        local = timezone.localtime(now, zone_of(center))
        notify(
            recipients=managers,
            title=f"{center.name}：营业时间内在岗 {cov.on_duty} 人，少于 {cov.minimum} 人",
            verb="attendance.coverage.alert",
            body=f"{local:%H:%M} 营业时间内无人（或人数不足）打卡在岗。{cov.citation}",
            link=reverse("attendance:dashboard"),
            target=center,
            organization=center,
            dedupe_key=f"att02:{center.pk}:{local:%Y%m%d%H}",
        )
        alerted.append(center.pk)
    return alerted


# --- violations (ATT-10…13, ATT-28, CON-14, C-06) ---------------------------------------------------------------


def validate_photo(upload: UploadedFile | None) -> None:
    """A photo must decode as an image (Pillow) and be at most 5 MB."""
    if upload is None:
        return
    from PIL import Image

    if upload.size and upload.size > MAX_PHOTO_BYTES:
        raise ValidationFailed("照片不能超过 5 MB", fields={"evidence_photo": ["照片不能超过 5 MB"]})
    try:
        upload.seek(0)
        Image.open(io.BytesIO(upload.read())).verify()
    except Exception as exc:
        raise ValidationFailed("证据照片不是有效的图片", fields={"evidence_photo": ["请上传 JPG/PNG 图片"]}) from exc
    upload.seek(0)


@implements("ATT-10", "ATT-11", "ATT-12", "ATT-13", "ATT-28", "CON-14")
@transaction.atomic
def violation_record(
    *,
    actor: Any,
    staff: Staff,
    day: date,
    type: str,
    description: str = "",
    evidence_text: str = "",
    evidence_photo: UploadedFile | None = None,
    now: datetime | None = None,
) -> Violation:
    """Record a discipline violation and apply the month's ladder.

    Non-work activities (ATT-10, CON-14: games, internet, gambling, chess …) follow
    `attendance.nonwork_violation_ladder` (C-06): 1st → 1 absenteeism unit, 2nd → 2 units, 3rd → escalation to
    the ops center with a demotion request (approval kind "violation_escalation"). Post violations (ATT-28: 串岗,
    脱岗, 离岗) count as one absenteeism unit each (ATT-05, LEV-08). Units are stored for the points issue (G-04).
    """
    now = now or timezone.now()
    user = _user(actor)
    if not has_permission_in(user=user, permission=MANAGE, organization=staff.organization):
        raise NotAllowed("您没有登记违纪的权限")
    staff = Staff.objects.select_for_update(of=("self",)).select_related("organization").get(pk=staff.pk)
    errors: dict[str, list[str]] = {}
    if type not in ViolationType.values:
        errors["type"] = ["请选择违纪类型"]
    if day is None:
        errors["day"] = ["请填写发生日期"]
    elif day > _local_date(now, staff.organization):
        errors["day"] = ["发生日期不能晚于今天"]
    if not (description or "").strip() and not (evidence_text or "").strip() and evidence_photo is None:
        errors["description"] = ["请填写情况说明或提供证据"]
    if errors:
        raise ValidationFailed("输入有误，请检查标出的字段", fields=errors)
    validate_photo(evidence_photo)
    first = day.replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    if type in NONWORK_TYPES:
        ladder = value("attendance.nonwork_violation_ladder", org=staff.organization, at=day)
        ordinal = (
            Violation.objects.filter(
                staff=staff,
                day__gte=first,
                day__lt=nxt,
                type__in=list(NONWORK_TYPES),
                status=ViolationStatus.ACTIVE,
            ).count()
            + 1
        )
        step = engine.ladder_step(ordinal=ordinal, ladder=ladder.value or {})
        units, escalate, clause = step.units, step.escalate, step.clause
        citation = f"{step.explanation}；{ladder.citation}"
    elif type == ViolationType.LANGUAGE:
        ordinal = (
            Violation.objects.filter(
                staff=staff, day__gte=first, day__lt=nxt, type=type, status=ViolationStatus.ACTIVE
            ).count()
            + 1
        )
        units, escalate, clause = Decimal("0"), False, "CON-12"
        citation = "依据 CON-12：禁止使用伤害感情、激化矛盾、损害形象的语言；制度未规定扣分，由中心经理另行处理"
    else:
        ordinal = (
            Violation.objects.filter(staff=staff, day__gte=first, day__lt=nxt, status=ViolationStatus.ACTIVE)
            .exclude(type__in=[*NONWORK_TYPES, ViolationType.LANGUAGE])
            .count()
            + 1
        )
        units, escalate, clause = Decimal("1"), False, "ATT-28"
        citation = "依据 ATT-28、ATT-05、LEV-08：串岗、脱岗、离岗且无已批准的请假，按旷工一次处理"
    violation = Violation(
        staff=staff,
        organization=staff.organization,
        day=day,
        type=type,
        description=(description or "").strip(),
        evidence_text=(evidence_text or "").strip(),
        reporter=user,
        ordinal=ordinal,
        units=units,
        escalated=escalate,
        clause=clause,
        citation=citation,
    )
    if evidence_photo is not None:
        violation.evidence_photo.save(evidence_photo.name or "photo.jpg", evidence_photo, save=False)
    violation.save()
    audit.record(
        actor=user,
        verb="attendance.violation.recorded",
        target=violation,
        changes={"type": [None, type], "units": [None, units], "ordinal": [None, ordinal]},
        clause=clause,
        note=citation,
    )
    if escalate:
        center = _center_of(staff.organization)
        request = approval_services.request_submit(
            actor=user,
            kind="violation_escalation",
            organization=center,
            title=f"违纪上报：{staff.name} 本月第 {ordinal} 次（{violation.get_type_display()}），申请处罚并降职",
            description=citation,
            payload={"violation_id": violation.pk, "staff_id": staff.pk, "ordinal": ordinal, "type": type},
            subject=violation,
            now=now,
        )
        violation.escalation = request
        violation.save(update_fields=["escalation", "updated_at"])
    if staff.user_id:
        notify(
            recipients=[staff.user],
            title=f"违纪记录：{violation.get_type_display()}（{day:%m-%d}）",
            verb="attendance.violation.recorded",
            body=citation,
            link=reverse("attendance:my_month"),
            target=violation,
            organization=staff.organization,
            actor=user,
        )
    return violation


@transaction.atomic
def violation_withdraw(*, actor: Any, violation_id: int, reason: str) -> Violation:
    """Withdraw a violation recorded in error (soft: kept as withdrawn, audited). Later ordinals are not
    renumbered: the ladder counts active violations at the time each one was recorded."""
    user = _user(actor)
    violation = Violation.objects.select_for_update().select_related("organization").get(pk=violation_id)
    if not has_permission_in(user=user, permission=MANAGE, organization=violation.organization):
        raise NotAllowed("您没有撤销违纪的权限")
    if violation.status == ViolationStatus.WITHDRAWN:
        return violation
    if not (reason or "").strip():
        raise ValidationFailed("请填写撤销原因", fields={"reason": ["请填写撤销原因"]})
    violation.status = ViolationStatus.WITHDRAWN
    violation.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=user,
        verb="attendance.violation.withdrawn",
        target=violation,
        changes={"status": [ViolationStatus.ACTIVE, ViolationStatus.WITHDRAWN]},
        note=reason.strip(),
    )
    return violation


# --- events (ATT-14…16, C-23) -----------------------------------------------------------------------------------


@transaction.atomic
def event_create(
    *,
    actor: Any,
    organization: Organization,
    kind: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    staff_ids: Iterable[int],
    location: str = "",
) -> AttendanceEvent:
    """Create a training / meeting / team building with its attendance list (staff of the organization)."""
    user = _user(actor)
    if not has_permission_in(user=user, permission=MANAGE, organization=organization):
        raise NotAllowed("您没有组织活动考勤的权限")
    errors: dict[str, list[str]] = {}
    if kind not in EventKind.values:
        errors["kind"] = ["请选择活动类型"]
    if not (title or "").strip():
        errors["title"] = ["请填写活动名称"]
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        errors["ends_at"] = ["结束时间必须晚于开始时间"]
    ids = sorted(set(staff_ids))
    people = list(Staff.objects.filter(pk__in=ids, organization__path__startswith=organization.path))
    if not people or len(people) != len(ids):
        errors["staff_ids"] = ["请选择本组织的参加人员"]
    if errors:
        raise ValidationFailed("输入有误，请检查标出的字段", fields=errors)
    event = AttendanceEvent.objects.create(
        organization=organization,
        kind=kind,
        title=title.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        location=(location or "").strip(),
        created_by=user,
    )
    EventAttendance.objects.bulk_create([EventAttendance(event=event, staff=p) for p in people])
    audit.record(
        actor=user,
        verb="attendance.event.created",
        target=event,
        changes={"attendees": [None, len(people)]},
        clause="ATT-14",
    )
    return event


@transaction.atomic
def event_check(
    *, actor: Any, attendance_id: int, action: str, at: datetime | None = None, now: datetime | None = None
) -> EventAttendance:
    """Check an attendee in or out (the attendee themselves, or a manager recording the list)."""
    now = now or timezone.now()
    user = _user(actor)
    row = (
        EventAttendance.objects.select_for_update().select_related("event__organization", "staff").get(pk=attendance_id)
    )
    own = row.staff.user_id == getattr(user, "pk", None)
    if not own and not has_permission_in(user=user, permission=MANAGE, organization=row.event.organization):
        raise NotAllowed("您不能为他人签到")
    at = now if own or at is None else at
    if action == "in":
        if row.checked_in_at is None:
            row.checked_in_at = at
    elif action == "out":
        if row.checked_in_at is None:
            raise ValidationFailed("尚未签到，不能签退")
        row.checked_out_at = at
    else:
        raise ValidationFailed("无效的操作")
    row.save(update_fields=["checked_in_at", "checked_out_at", "updated_at"])
    audit.record(actor=user, verb=f"attendance.event.check_{action}", target=row, clause="ATT-15")
    return row


@transaction.atomic
def event_close(*, actor: Any, event_id: int, now: datetime | None = None) -> AttendanceEvent:
    """After the event: each attendee's result by ATT-15 (late / early) and ATT-16 (no-show without approved
    leave = absenteeism), with units for the points issue. Closing again recomputes (leave approved later)."""
    now = now or timezone.now()
    user = _user(actor)
    event = AttendanceEvent.objects.select_for_update().select_related("organization").get(pk=event_id)
    if not has_permission_in(user=user, permission=MANAGE, organization=event.organization):
        raise NotAllowed("您没有结算活动考勤的权限")
    if now < event.ends_at:
        raise ValidationFailed("活动结束后才能结算考勤")
    rows = list(event.attendances.select_related("staff"))
    tz = zone_of(event.organization)
    absences: dict[int, list[Any]] = defaultdict(list)
    for absence in inputs.approved_absences(
        staff_ids=[r.staff_id for r in rows],
        start=timezone.localtime(event.starts_at, tz).date(),
        end=timezone.localtime(event.ends_at, tz).date(),
    ):
        absences[absence.staff_id].append(absence)
    for row in rows:
        outcome = engine.event_outcome(
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            checked_in_at=row.checked_in_at,
            checked_out_at=row.checked_out_at,
            absences=absences.get(row.staff_id, []),
        )
        before = (row.status, row.units)
        row.status = EventAttendanceStatus(outcome.status)
        row.units = outcome.units
        row.clause = outcome.clause
        row.citation = outcome.explanation
        row.updated_at = now
        if before != (row.status, row.units):
            audit.record(
                actor=user,
                verb="attendance.event.result",
                target=row,
                changes={"status": [before[0], row.status], "units": [before[1], row.units]},
                clause=outcome.clause,
            )
    EventAttendance.objects.bulk_update(rows, ["status", "units", "clause", "citation", "updated_at"])
    event.closed_at = now
    event.save(update_fields=["closed_at", "updated_at"])
    return event
