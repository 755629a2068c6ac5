"""Every write of the points ledger (DESIGN.md §2.6, REQUIREMENTS §3.4).

- `entries_post` is the one way entries are written: idempotent by key (a job run twice, or two workers racing,
  write each entry once), and an event dated in a locked month is booked on the first open day instead (PTS-09).
- `collect_day` turns one center-day's events (returned orders, callbacks, attendance results, violations, event
  attendance) into draft entries; it also reverses entries whose source changed (a corrected attendance day, a
  withdrawn violation) — never a silent edit.
- `day_verify` (PTS-04), `entry_reverse` (before the lock directly, after it through the manager's approval),
  `instant_reward_request` (PTS-28), `month_settle` (PTS-10, PTS-18 and later apps' month-end hooks),
  `month_lock` (PTS-09), and the periodic reminders: shift-end alert, next-morning summary (PTS-06), the recheck
  reminder and overdue alert (PTS-09, C-08), board postings (PUB-14).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from servicecenter.approvals.selectors import role_holders_up_tree
from servicecenter.core import audit
from servicecenter.core.actors import display_name as _name
from servicecenter.core.actors import require as _require
from servicecenter.core.actors import user_of as _user
from servicecenter.core.errors import Conflict, ValidationFailed
from servicecenter.core.policy import implements
from servicecenter.notifications.services import notify
from servicecenter.org.models import Organization, RoleAssignment, Staff
from servicecenter.policy.values import local_today, resolve_many, value, zone_of
from servicecenter.workcalendar.selectors import calendar_for

from . import policies
from .choices import EntryStatus, MonthStatus, RequestStatus, Source
from .models import BoardPosting, DailyCheck, InstantReward, MonthClose, PointEntry, ReversalRequest

VERIFY = "points.verify_points"
MANAGE = "points.manage_points"
DEDUCTION_KEYS = ["points.deduction.late", "points.deduction.early_leave", "points.deduction.absenteeism"]

# Hooks of later apps (renewals): called by `month_settle(organization, month, now)` inside its transaction, each
# returning the number of entries it posted (PTS-18).
MONTH_END: list[Callable[..., int]] = []


# --- posting ---------------------------------------------------------------------------------------------------


@dataclass
class Draft:
    """An entry to write. `key` makes it idempotent: the same source and rule always give the same key."""

    organization_id: int
    staff_id: int
    day: date
    rule: policies.Rule
    source: str
    source_id: int | None
    source_label: str
    key: str
    status: str = EntryStatus.DRAFT
    created_by: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


def _locked_months(organization_ids: set[int], months: set[date]) -> set[tuple[int, date]]:
    if not organization_ids or not months:
        return set()
    rows = MonthClose.objects.filter(
        organization_id__in=organization_ids, month__in=months, status=MonthStatus.LOCKED
    ).values_list("organization_id", "month")
    return set(rows)


def _first_open_day(organization_id: int, day: date, locked: set[tuple[int, date]]) -> date:
    while (organization_id, policies.month_of(day)) in locked:
        day = policies.month_end(day) + timedelta(days=1)
    return day


def entries_post(drafts: Iterable[Draft], *, now: datetime | None = None) -> int:
    """Write the drafts whose key is not in the ledger yet; return how many were written.

    One SELECT of the existing keys and one INSERT … ON CONFLICT DO NOTHING: a second run, or a concurrent worker
    that got there first, writes nothing more (the unique key decides). An event dated in a locked month is
    booked on the first day of the next open month, its citation saying so (PTS-09: a locked month changes only
    by approved reversals)."""
    now = now or timezone.now()
    drafts = [d for d in drafts if d.rule.points]
    if not drafts:
        return 0
    existing = set(PointEntry.objects.filter(key__in=[d.key for d in drafts]).values_list("key", flat=True))
    todo = [d for d in drafts if d.key not in existing]
    if not todo:
        return 0
    locked = _locked_months({d.organization_id for d in todo}, {policies.month_of(d.day) for d in todo})
    rows = []
    for d in todo:
        day = _first_open_day(d.organization_id, d.day, locked) if locked else d.day
        citation = d.rule.citation
        if day != d.day:
            citation += f"；原属 {d.day:%Y-%m} 月已复核锁定（PTS-09），计入 {day:%Y-%m-%d}"
        rows.append(
            PointEntry(
                organization_id=d.organization_id,
                staff_id=d.staff_id,
                day=day,
                points=d.rule.points,
                category=d.rule.category,
                source=d.source,
                source_id=d.source_id,
                source_label=d.source_label[:120],
                rule=d.rule.rule,
                clause=d.rule.clause,
                citation=citation,
                key=d.key,
                status=d.status,
                verified_at=now if d.status == EntryStatus.VERIFIED else None,
                verified_by=d.created_by if d.status == EntryStatus.VERIFIED else None,
                created_by=d.created_by,
                created_at=now,
                **d.extra,
            )
        )
    created = PointEntry.objects.bulk_create(rows, ignore_conflicts=True)
    return len(created)


def _reverse_entry(
    entry: PointEntry, *, reason: str, actor: Any, now: datetime, after_lock: bool = False, approval: Any = None
) -> PointEntry:
    """The reversing entry of `entry` (−points, same day, staff, column and source), verified at once."""
    reversal = PointEntry.objects.create(
        organization_id=entry.organization_id,
        staff_id=entry.staff_id,
        day=entry.day,
        points=-entry.points,
        category=entry.category,
        source=entry.source,
        source_id=entry.source_id,
        source_label=entry.source_label,
        rule=entry.rule,
        clause=entry.clause,
        citation=f"冲正 #{entry.pk}：{reason}",
        key=f"reversal:{entry.pk}",
        status=EntryStatus.VERIFIED,
        verified_by=actor,
        verified_at=now,
        reverses=entry,
        reason=reason[:300],
        after_lock=after_lock,
        approval=approval,
        created_by=actor,
        created_at=now,
    )
    audit.record(
        actor=actor,
        verb="points.reversed",
        target=reversal,
        changes={"points": [str(entry.points), str(-entry.points)]},
        clause="PTS-09" if after_lock else "DESIGN §2.6",
        note=reason,
        organization=entry.organization,
    )
    return reversal


# --- collecting one center-day ------------------------------------------------------------------------------------


def _local_bounds(organization: Organization, day: date) -> tuple[datetime, datetime]:
    tz = zone_of(organization)
    start = datetime.combine(day, time(0), tzinfo=tz)
    return start, start + timedelta(days=1)


def _deductions(organization: Organization, day: date) -> policies.Deductions:
    return policies.deductions_in_force(resolve_many(DEDUCTION_KEYS, org=organization, at=day))


def _order_drafts(organization: Organization, orders: Iterable[Any], day: date) -> list[Draft]:
    from servicecenter.workorders.choices import OrderKind

    table = value("points.work_order", org=organization, at=day)
    labels = dict(OrderKind.choices)
    drafts = []
    for order in orders:
        rule = policies.work_order_rule(
            kind=order.kind,
            kind_label=str(labels.get(order.kind, order.kind)),
            table=table.value,
            citation=table.citation,
        )
        if rule is None or order.assignee_id is None:
            continue
        drafts.append(
            Draft(
                organization.pk,
                order.assignee_id,
                day,
                rule,
                Source.WORK_ORDER,
                order.pk,
                order.number,
                f"wo:{order.pk}",
            )
        )
    return drafts


def entries_for_returned_order(order: Any) -> None:
    """ON_RETURNED hook: the assignee's draft work entry for the order, at once (inside the return transaction)."""
    center = order.organization.service_center() or order.organization
    day = timezone.localdate(order.returned_at or timezone.now(), zone_of(center))
    entries_post(_order_drafts(center, [order], day))


def _day_drafts(organization: Organization, day: date) -> tuple[list[Draft], dict[str, set[str]]]:
    """Every entry the day's events call for, and per source the keys that are still wanted (for reversals)."""
    from servicecenter.attendance.models import AttendanceResult, EventAttendance, Violation
    from servicecenter.callbacks.choices import Attitude, TaskStatus
    from servicecenter.callbacks.models import CallbackTask
    from servicecenter.workorders.models import WorkOrder

    start, end = _local_bounds(organization, day)
    subtree = Q(organization__path__startswith=organization.path)
    orders = WorkOrder.objects.filter(
        subtree, returned_at__gte=start, returned_at__lt=end, assignee__isnull=False
    ).only("pk", "kind", "number", "assignee_id")
    drafts = _order_drafts(organization, orders, day)
    wanted: dict[str, set[str]] = {}

    table = value("points.callback", org=organization, at=day)
    attitudes = dict(Attitude.choices)
    tasks = (
        CallbackTask.objects.filter(
            subtree, status=TaskStatus.DONE, completed_at__gte=start, completed_at__lt=end, technician__isnull=False
        )
        .exclude(attitude="")
        .only("pk", "attitude", "technician_id", "customer_name")
    )
    for task in tasks:
        rule = policies.callback_rule(
            attitude=task.attitude,
            attitude_label=str(attitudes.get(task.attitude, task.attitude)),
            table=table.value,
            citation=table.citation,
        )
        if rule is not None:
            drafts.append(
                Draft(
                    organization.pk,
                    int(task.technician_id or 0),
                    day,
                    rule,
                    Source.CALLBACK,
                    task.pk,
                    f"回访 #{task.pk}",
                    f"cb:{task.pk}",
                )
            )

    deductions = _deductions(organization, day)
    att_keys: set[str] = set()
    for result in AttendanceResult.objects.filter(subtree, day=day, status__in=["late", "early_leave", "absent"]).only(
        "pk", "staff_id", "status", "absent_days"
    ):
        rule = policies.attendance_rule(status=result.status, absent_days=result.absent_days, deductions=deductions)
        if rule is not None:
            key = f"att:{result.pk}:{result.status}:{result.absent_days}"
            att_keys.add(key)
            drafts.append(
                Draft(
                    organization.pk, result.staff_id, day, rule, Source.ATTENDANCE, result.pk, f"考勤 {day:%m-%d}", key
                )
            )
    wanted[Source.ATTENDANCE] = att_keys

    vio_keys: set[str] = set()
    from servicecenter.attendance.choices import ViolationType

    types = dict(ViolationType.choices)
    for violation in Violation.objects.filter(subtree, day=day, status="active", units__gt=0).only(
        "pk", "staff_id", "units", "ordinal", "type"
    ):
        rule = policies.violation_rule(
            units=violation.units,
            ordinal=violation.ordinal,
            type_label=str(types.get(violation.type, violation.type)),
            deductions=deductions,
        )
        if rule is not None:
            key = f"vio:{violation.pk}"
            vio_keys.add(key)
            drafts.append(
                Draft(
                    organization.pk,
                    violation.staff_id,
                    day,
                    rule,
                    Source.VIOLATION,
                    violation.pk,
                    f"违纪 #{violation.pk}",
                    key,
                )
            )
    wanted[Source.VIOLATION] = vio_keys

    evt_keys: set[str] = set()
    for row in EventAttendance.objects.filter(
        event__organization__path__startswith=organization.path,
        event__starts_at__gte=start,
        event__starts_at__lt=end,
        status__in=["late", "absent"],
    ).select_related("event"):
        rule = policies.event_rule(status=row.status, units=row.units, title=row.event.title, deductions=deductions)
        if rule is not None:
            key = f"evt:{row.pk}:{row.status}"
            evt_keys.add(key)
            drafts.append(Draft(organization.pk, row.staff_id, day, rule, Source.EVENT, row.pk, row.event.title, key))
    wanted[Source.EVENT] = evt_keys
    return drafts, wanted


@transaction.atomic
def collect_day(*, organization: Organization, day: date, now: datetime | None = None) -> dict[str, int]:
    """Post the draft entries of one center-day's events and reverse those whose source no longer calls for them
    (an attendance day recomputed to on time, a withdrawn violation). Safe to run any number of times."""
    now = now or timezone.now()
    drafts, wanted = _day_drafts(organization, day)
    posted = entries_post(drafts, now=now)
    reversed_count = 0
    if _month_locked(organization.pk, day):
        # PTS-09: a locked month changes only by reversals the manager approves, never by a sweep.
        return {"posted": posted, "reversed": 0}
    stale = PointEntry.objects.filter(
        organization=organization,
        day=day,
        source__in=list(wanted),
        reverses__isnull=True,
        reversed_by__isnull=True,
    ).exclude(key__in=set().union(*wanted.values()))
    for entry in stale.select_related("organization").select_for_update(of=("self",)):
        _reverse_entry(entry, reason=_("来源记录已更正或撤销"), actor=None, now=now)
        reversed_count += 1
    return {"posted": posted, "reversed": reversed_count}


def collect_all(*, day: date | None = None, now: datetime | None = None) -> dict[str, int]:
    """The periodic sweep: today's (and, before 06:00, yesterday's) events of every active service center."""
    now = now or timezone.now()
    totals = {"posted": 0, "reversed": 0}
    for center in Organization.objects.centers().active():
        today = day or timezone.localdate(now, zone_of(center))
        days = [today]
        if day is None and timezone.localtime(now, zone_of(center)).hour < 6:
            days.insert(0, today - timedelta(days=1))
        for d in days:
            result = collect_day(organization=center, day=d, now=now)
            for k in totals:
                totals[k] += result[k]
    return totals


# --- daily verification (PTS-04) -------------------------------------------------------------------------------


@implements("PTS-04")
@transaction.atomic
def day_verify(
    *,
    actor: Any,
    organization: Organization,
    day: date,
    entry_ids: Iterable[int] | None = None,
    now: datetime | None = None,
) -> DailyCheck:
    """The order clerk verifies the day's draft entries (all, or the chosen ones): draft → verified, who and when.

    Raises:
        NotAllowed: the actor may not verify points in this center.
        ValidationFailed: a day in the future, or a chosen entry that is not a draft of this center-day.
    """
    now = now or timezone.now()
    user = _user(actor)
    _require(user, VERIFY, organization, _("您无权核对本中心的积分"))
    if day > local_today(organization):
        raise ValidationFailed(_("不能核对未来日期的积分"))
    drafts = PointEntry.objects.filter(organization=organization, day=day, status=EntryStatus.DRAFT)
    if entry_ids is not None:
        ids = {int(i) for i in entry_ids}
        drafts = drafts.filter(pk__in=ids)
        if drafts.count() != len(ids):
            raise ValidationFailed(_("所选记录不是本中心当日的待核对积分（可能已被他人核对），请刷新后重试"))
    count = drafts.update(status=EntryStatus.VERIFIED, verified_by=user, verified_at=now)
    check, _created = DailyCheck.objects.select_for_update().get_or_create(organization=organization, day=day)
    check.verified_by = user
    check.verified_at = now
    check.verified_count += count
    check.save(update_fields=["verified_by", "verified_at", "verified_count", "updated_at"])
    audit.record(
        actor=user,
        verb="points.day_verified",
        target=check,
        clause="PTS-04",
        note=f"{day} 核对 {count} 条",
        organization=organization,
    )
    return check


# --- reversals -------------------------------------------------------------------------------------------------


def _month_locked(organization_id: int, day: date) -> bool:
    return MonthClose.objects.filter(
        organization_id=organization_id, month=policies.month_of(day), status=MonthStatus.LOCKED
    ).exists()


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationFailed(_("请写明冲正原因"), fields={"reason": [_("请写明冲正原因")]})
    if len(reason) > 300:
        raise ValidationFailed(_("冲正原因最多 300 字"), fields={"reason": [_("冲正原因最多 300 字")]})
    return reason


@transaction.atomic
def entry_reverse(
    *, actor: Any, entry_id: Any, reason: str, now: datetime | None = None
) -> PointEntry | ReversalRequest:
    """Correct an entry by a reversing entry (DESIGN §2.6). In an open month the order clerk or finance clerk
    reverses at once; in a locked month (PTS-09) this files a request the center manager approves, and the
    reversal is written — marked «锁定后冲正» — only on approval.

    Raises:
        NotAllowed, ValidationFailed (no reason, unknown entry), Conflict (already reversed, a reversal itself, a
        request pending).
    """
    now = now or timezone.now()
    user = _user(actor)
    try:
        entry = PointEntry.objects.select_for_update().select_related("organization", "staff").get(pk=int(entry_id))
    except (PointEntry.DoesNotExist, ValueError, TypeError):
        raise ValidationFailed(_("积分记录不存在")) from None
    organization = entry.organization
    reason = _clean_reason(reason)
    if entry.reverses_id is not None:
        raise Conflict(_("这是一条冲正记录，不能再冲正"))
    if PointEntry.objects.filter(reverses=entry).exists():
        raise Conflict(_("该记录已被冲正"))
    if not _month_locked(entry.organization_id, entry.day):
        from servicecenter.core.access import has_permission_in

        if not (
            has_permission_in(user=user, permission=VERIFY, organization=organization)
            or has_permission_in(user=user, permission=MANAGE, organization=organization)
        ):
            _require(user, MANAGE, organization, _("您无权冲正本中心的积分"))
        return _reverse_entry(entry, reason=reason, actor=user, now=now)
    _require(user, MANAGE, organization, _("该月积分已复核锁定，只有积分管理人员可申请冲正"))
    if ReversalRequest.objects.filter(entry=entry, status=RequestStatus.PENDING).exists():
        raise Conflict(_("该记录已有待审批的冲正申请"))
    from servicecenter.approvals.services import request_submit

    request = ReversalRequest.objects.create(entry=entry, reason=reason, requested_by=user)
    approval = request_submit(
        actor=user,
        kind="points_reversal",
        organization=organization,
        title=_("锁定后冲正：%(staff)s %(day)s %(points)s 分")
        % {"staff": entry.staff.name, "day": entry.day, "points": entry.points},
        description=reason,
        payload={"entry": entry.pk, "points": str(entry.points), "day": entry.day.isoformat(), "reason": reason},
        subject=request,
        now=now,
    )
    request.approval = approval
    request.save(update_fields=["approval", "updated_at"])
    audit.record(
        actor=user,
        verb="points.reversal_requested",
        target=request,
        clause="PTS-09",
        note=reason,
        organization=organization,
    )
    return request


def reversal_apply_decision(*, approval: Any) -> None:
    """approvals hook (kind "points_reversal"): approved → the reversing entry, marked after-lock, naming the
    approval; rejected or withdrawn → the request says so and the entry stands."""
    request = ReversalRequest.objects.select_for_update().select_related("entry").get(pk=approval.subject_id)
    if request.status != RequestStatus.PENDING:
        return
    if approval.status == "approved":
        entry = PointEntry.objects.select_for_update().get(pk=request.entry_id)
        if PointEntry.objects.filter(reverses=entry).exists():
            raise Conflict(_("该记录已被冲正"))
        request.reversal = _reverse_entry(
            entry,
            reason=f"{request.reason}（锁定后冲正，审批 #{approval.pk}）",
            actor=request.requested_by,
            now=timezone.now(),
            after_lock=True,
            approval=approval,
        )
        request.status = RequestStatus.APPROVED
    else:
        request.status = RequestStatus.REJECTED if approval.status == "rejected" else RequestStatus.WITHDRAWN
    request.save(update_fields=["status", "reversal", "updated_at"])


# --- instant rewards (PTS-28) -------------------------------------------------------------------------------------


def _decimal(raw: Any, label: str, field_name: str) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        number = Decimal(str(raw)).quantize(policies.TWO)
    except (InvalidOperation, ValueError):
        raise ValidationFailed(
            _("%(label)s须为数字") % {"label": label}, fields={field_name: [_("请输入数字")]}
        ) from None
    if number <= 0 or number >= Decimal("100000"):
        raise ValidationFailed(
            _("%(label)s须大于 0 且小于 100000") % {"label": label}, fields={field_name: [_("超出范围")]}
        )
    return number


@implements("PTS-28")
@transaction.atomic
def instant_reward_request(
    *,
    actor: Any,
    organization: Organization,
    staff_id: Any,
    day: date,
    reason: str,
    points: Any = None,
    amount_cny: Any = None,
    now: datetime | None = None,
) -> InstantReward:
    """Record an instant reward (及时奖励: points and/or yuan) and send it to the center manager for approval."""
    now = now or timezone.now()
    user = _user(actor)
    _require(user, VERIFY, organization, _("您无权登记本中心的及时奖励"))
    try:
        staff = Staff.objects.get(pk=int(staff_id), organization__path__startswith=organization.path)
    except (Staff.DoesNotExist, ValueError, TypeError):
        raise ValidationFailed(_("请选择本中心的员工"), fields={"staff": [_("请选择本中心的员工")]}) from None
    pts = _decimal(points, _("奖励积分"), "points")
    amount = _decimal(amount_cny, _("奖励金额"), "amount_cny")
    if pts is None and amount is None:
        raise ValidationFailed(_("请填写奖励积分或奖励金额"), fields={"points": [_("请填写奖励积分或奖励金额")]})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请写明奖励事由"), fields={"reason": [_("请写明奖励事由")]})
    if day > local_today(organization):
        raise ValidationFailed(_("奖励日期不能晚于今天"), fields={"day": [_("奖励日期不能晚于今天")]})
    reward = InstantReward.objects.create(
        organization=organization,
        staff=staff,
        day=day,
        points=pts,
        amount_cny=amount,
        reason=reason[:300],
        requested_by=user,
    )
    from servicecenter.approvals.services import request_submit

    reward.approval = request_submit(
        actor=user,
        kind="instant_reward",
        organization=organization,
        title=_("及时奖励：%(staff)s") % {"staff": staff.name},
        description=reason,
        payload={"reward": reward.pk, "points": str(pts or ""), "amount_cny": str(amount or ""), "staff": staff.name},
        subject=reward,
        now=now,
    )
    reward.save(update_fields=["approval", "updated_at"])
    audit.record(actor=user, verb="points.reward_requested", target=reward, clause="PTS-28", organization=organization)
    return reward


def instant_reward_apply_decision(*, approval: Any) -> None:
    """approvals hook (kind "instant_reward"): approved points become an auxiliary reward entry (verified)."""
    reward = InstantReward.objects.select_for_update().select_related("staff").get(pk=approval.subject_id)
    if reward.status != RequestStatus.PENDING:
        return
    if approval.status != "approved":
        reward.status = RequestStatus.REJECTED if approval.status == "rejected" else RequestStatus.WITHDRAWN
        reward.save(update_fields=["status", "updated_at"])
        return
    reward.status = RequestStatus.APPROVED
    if reward.points:
        approver = _("服务中心经理")
        rule = policies.instant_reward_rule(points=reward.points, reason=reward.reason, approver=approver)
        entries_post(
            [
                Draft(
                    reward.organization_id,
                    reward.staff_id,
                    reward.day,
                    rule,
                    Source.INSTANT_REWARD,
                    reward.pk,
                    reward.reason[:120],
                    f"reward:{reward.pk}",
                    status=EntryStatus.VERIFIED,
                    extra={"approval": approval},
                )
            ]
        )
        reward.entry = PointEntry.objects.get(key=f"reward:{reward.pk}")
    reward.save(update_fields=["status", "entry", "updated_at"])


# --- the month: settlement, recheck and lock (PTS-09, PTS-10, PTS-18) ---------------------------------------------


def _holders(organization: Organization, role: str) -> list[int]:
    return list(
        RoleAssignment.objects.filter(
            organization=organization, role__code=role, is_active=True, user__is_active=True
        ).values_list("user_id", flat=True)
    )


@implements("PTS-18")
@transaction.atomic
def month_settle(*, organization: Organization, month: date, now: datetime | None = None) -> int:
    """Month-end: the fixed items (the finance clerk's asset management, PTS-10) and the later apps' month-end
    totals (renewal and conversion points into the auxiliary column, PTS-18). Idempotent; returns the entries
    written by this run."""
    now = now or timezone.now()
    month = policies.month_of(month)
    last = policies.month_end(month)
    close, _created = MonthClose.objects.select_for_update().get_or_create(organization=organization, month=month)
    asset = value("points.asset_management_points", org=organization, at=last)
    rule = policies.asset_item_rule(points=asset.value, citation=asset.citation)
    drafts = []
    if rule is not None:
        staff_ids = Staff.objects.filter(
            user__role_assignments__organization=organization,
            user__role_assignments__role__code="finance_clerk",
            user__role_assignments__is_active=True,
            status__in=["active", "on_leave"],
        ).values_list("pk", flat=True)
        for staff_id in sorted(set(staff_ids)):
            drafts.append(
                Draft(
                    organization.pk,
                    staff_id,
                    last,
                    rule,
                    Source.FIXED_ITEM,
                    None,
                    _("资产管理"),
                    f"fixed:asset:{staff_id}:{month:%Y-%m}",
                    status=EntryStatus.VERIFIED,
                )
            )
    posted = entries_post(drafts, now=now)
    for hook in MONTH_END:
        posted += hook(organization=organization, month=month, now=now)
    close.settled_at = now
    close.save(update_fields=["settled_at", "updated_at"])
    return posted


@implements("PTS-09")
@transaction.atomic
def month_lock(
    *, actor: Any, organization: Organization, month: date, note: str = "", now: datetime | None = None
) -> MonthClose:
    """The finance clerk's recheck: once the month is over, settled and every entry verified, lock it with a
    snapshot of each staff member's totals. After this, changes only as approved reversals (shown against it).

    Raises:
        NotAllowed; ValidationFailed (month not over, drafts left); Conflict (already locked).
    """
    from .selectors import board_rows

    now = now or timezone.now()
    user = _user(actor)
    _require(user, MANAGE, organization, _("您无权复核锁定本中心的月度积分"))
    month = policies.month_of(month)
    if not policies.can_lock(today=local_today(organization), month=month):
        raise ValidationFailed(_("%(month)s 尚未结束，不能复核锁定") % {"month": f"{month:%Y-%m}"})
    close, _created = MonthClose.objects.select_for_update().get_or_create(organization=organization, month=month)
    if close.status == MonthStatus.LOCKED:
        raise Conflict(
            _("%(month)s 已由 %(who)s 复核锁定") % {"month": f"{month:%Y-%m}", "who": _name(close.locked_by)}
        )
    if close.settled_at is None:
        month_settle(organization=organization, month=month, now=now)
        close.refresh_from_db()
    drafts = PointEntry.objects.filter(
        organization=organization, day__gte=month, day__lte=policies.month_end(month), status=EntryStatus.DRAFT
    ).count()
    if drafts:
        raise ValidationFailed(
            _("%(month)s 还有 %(n)s 条积分未核对，请先核对后再锁定") % {"month": f"{month:%Y-%m}", "n": drafts}
        )
    rows = board_rows(organization=organization, month=month, day=policies.month_end(month))
    close.snapshot = {
        str(r.staff_id): {
            "work": str(r.month_work),
            "auxiliary": str(r.auxiliary),
            "fixed": str(r.fixed),
            "total": str(r.total),
        }
        for r in rows
    }
    close.status = MonthStatus.LOCKED
    close.locked_by = user
    close.locked_at = now
    close.note = (note or "").strip()[:300]
    close.save()
    audit.record(
        actor=user,
        verb="points.month_locked",
        target=close,
        clause="PTS-09",
        note=close.note,
        organization=organization,
    )
    managers = (
        role_holders_up_tree(organization=organization, role_codes=["center_manager"]).get("center_manager") or []
    )
    if managers:
        notify(
            recipients=managers[0],
            title=_("%(month)s 积分已复核锁定，请查阅打印版") % {"month": f"{month:%Y-%m}"},
            verb="points.month_locked",
            body=_("复核人：%(who)s。依据 PTS-09：核查无误后打印并交服务中心经理。") % {"who": _name(user)},
            link=f"/points/month/{organization.pk}/{month:%Y-%m}/print/",
            target=close,
            organization=organization,
        )
    return close


# --- periodic reminders ---------------------------------------------------------------------------------------------


def _shift_end(organization: Organization, day: date) -> datetime | None:
    calendar = calendar_for(organization=organization, at=day)
    periods = calendar.day_periods(day)
    if not periods:
        return None
    last = periods[-1]
    tz = zone_of(organization)
    if last.end == time(0):
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return datetime.combine(day, last.end, tzinfo=tz)


@implements("PTS-04")
def shift_end_alerts(*, now: datetime | None = None) -> int:
    """At the end of the last business period of the day, drafts left unverified alert the order clerks and the
    manager once (PTS-04, `points.daily_verify_before_shift_end`)."""
    now = now or timezone.now()
    sent = 0
    centers = Organization.objects.centers().active()
    for center in centers:
        day = timezone.localdate(now, zone_of(center))
        if not value("points.daily_verify_before_shift_end", org=center, at=day).value:
            continue
        end = _shift_end(center, day)
        if end is None or now < end:
            continue
        drafts = PointEntry.objects.filter(organization=center, day=day, status=EntryStatus.DRAFT).count()
        if not drafts:
            continue
        with transaction.atomic():
            check, _c = DailyCheck.objects.select_for_update().get_or_create(organization=center, day=day)
            if check.alerted_at is not None:
                continue
            check.alerted_at = now
            check.save(update_fields=["alerted_at", "updated_at"])
            users = _holders(center, "order_clerk") + _holders(center, "center_manager")
            notify(
                recipients=users,
                title=_("%(day)s 还有 %(n)s 条积分未核对") % {"day": f"{day:%m-%d}", "n": drafts},
                verb="points.unverified",
                body=_("依据 PTS-04：下班前须核对服务中心人员当日的工作积分。"),
                link=f"/points/daily/?center={center.pk}&day={day:%Y-%m-%d}",
                target=check,
                organization=center,
                dedupe_key=f"points.unverified:{center.pk}:{day}",
            )
            sent += 1
    return sent


def _summary_time(organization: Organization, day: date) -> time:
    raw = value("points.daily_report_time", org=organization, at=day).value or "08:30"
    try:
        hours, minutes = str(raw).split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        return time(8, 30)


def _recipient_users(codes: Iterable[Any]) -> tuple[list[int], list[str]]:
    codes = [str(c).strip() for c in codes or [] if str(c).strip()]
    found = dict(Staff.objects.filter(staff_no__in=codes, user__isnull=False).values_list("staff_no", "user_id"))
    return [found[c] for c in codes if c in found], [c for c in codes if c not in found]


@implements("PTS-06", "PTS-05", "C-08")
def daily_summaries(*, now: datetime | None = None) -> int:
    """On the next working day (C-08: a day the center's calendar opens) at `points.daily_report_time`, each
    center's verified points of every day since the last summary go to the recipients of
    `points.daily_report_recipients` with the copy list (staff numbers as data, PTS-06, C-15), and each such day's
    board is archived as a posting (PTS-05, PUB-14). A station open every day reports each morning; a hall closed
    at weekends reports Saturday's and Sunday's points on Monday. Once per center-day, looking back a week."""
    now = now or timezone.now()
    sent = 0
    for center in Organization.objects.centers().active():
        local = timezone.localtime(now, zone_of(center))
        today = local.date()
        if local.time() < _summary_time(center, today) or not calendar_for(organization=center, at=today).day_periods(
            today
        ):
            continue
        days = set(
            PointEntry.objects.filter(organization=center, day__gte=today - timedelta(days=7), day__lt=today)
            .values_list("day", flat=True)
            .distinct()
        )
        done = set(
            DailyCheck.objects.filter(organization=center, day__in=days, summary_sent_at__isnull=False).values_list(
                "day", flat=True
            )
        )
        for day in sorted(days - done):
            sent += _send_summary(center, day, now)
    return sent


def _send_summary(center: Organization, day: date, now: datetime) -> int:
    from .selectors import board_rows

    with transaction.atomic():
        check, _c = DailyCheck.objects.select_for_update().get_or_create(organization=center, day=day)
        if check.summary_sent_at is not None:
            return 0
        recipients = value("points.daily_report_recipients", org=center, at=day).value or {}
        to_ids, to_missing = _recipient_users(recipients.get("to") or [])
        cc_ids, cc_missing = _recipient_users(recipients.get("cc") or [])
        rows = board_rows(organization=center, month=policies.month_of(day), day=day)
        lines = [
            f"{r.name}（{r.staff_no}）当日 {r.day_points}，本月累计 {r.total}" for r in rows if r.day_points or r.total
        ]
        body = "\n".join(lines) or _("当日无已核对积分")
        check.summary_sent_at = now
        check.summary_recipients = {"to": to_ids, "cc": cc_ids, "missing": to_missing + cc_missing}
        check.summary_body = body
        check.save(update_fields=["summary_sent_at", "summary_recipients", "summary_body", "updated_at"])
        title = _("%(center)s %(day)s 积分汇总") % {"center": center.name, "day": f"{day:%m-%d}"}
        link = f"/points/board/{center.pk}/"
        if to_ids:
            notify(
                recipients=to_ids,
                title=title,
                verb="points.daily_summary",
                body=body,
                link=link,
                target=check,
                organization=center,
            )
        if cc_ids:
            notify(
                recipients=cc_ids,
                title=_("抄送：%(title)s") % {"title": title},
                verb="points.daily_summary_cc",
                body=body,
                link=link,
                target=check,
                organization=center,
            )
        board_post(organization=center, day=day, actor=None, now=now)
    return 1


# A second «立即公示» of the same day by the same user within this many seconds is a double click: the first posting
# is returned instead of archiving the board twice.
BOARD_POST_REPEAT_SECONDS = 60


@implements("PUB-14")
@transaction.atomic
def board_post(
    *, organization: Organization, day: date, actor: Any = None, now: datetime | None = None
) -> BoardPosting:
    """Archive the board as posted now: the rows (name, staff number and points only), the period, the time.
    A user's repeat of the same day within BOARD_POST_REPEAT_SECONDS returns the first posting (double click)."""
    from .selectors import board_rows

    now = now or timezone.now()
    user = _user(actor) if actor is not None else None
    if user is not None:
        _require(user, VERIFY, organization, _("您无权公示本中心的积分"))
        # The center row serializes two clicks racing each other.
        Organization.objects.select_for_update().filter(pk=organization.pk).first()
        recent = (
            BoardPosting.objects.filter(
                organization=organization,
                day=day,
                posted_by=user,
                posted_at__gte=now - timedelta(seconds=BOARD_POST_REPEAT_SECONDS),
            )
            .order_by("-posted_at", "-id")
            .first()
        )
        if recent is not None:
            return recent
    month = policies.month_of(day)
    rows = board_rows(organization=organization, month=month, day=day)
    data = [
        {
            "staff_no": r.staff_no,
            "name": r.name,
            "day": str(r.day_points),
            "month_work": str(r.month_work),
            "auxiliary": str(r.auxiliary),
            "fixed": str(r.fixed),
            "total": str(r.total),
        }
        for r in rows
    ]
    totals = {"staff": len(rows), "total": str(sum((r.total for r in rows), Decimal(0)))}
    posting = BoardPosting.objects.create(
        organization=organization, month=month, day=day, posted_at=now, posted_by=user, rows=data, totals=totals
    )
    return posting


@implements("PTS-09", "C-08")
def month_reminders(*, now: datetime | None = None) -> int:
    """From the 1st the finance clerk is reminded daily until the previous month is locked; after the deadline day
    the finance clerk and the manager get an overdue alert (once)."""
    now = now or timezone.now()
    sent = 0
    for center in Organization.objects.centers().active():
        today = timezone.localdate(now, zone_of(center))
        state = policies.recheck_state(
            today=today, deadline_day=value("points.month_recheck_deadline_day", org=center, at=today).value
        )
        with transaction.atomic():
            close, _c = MonthClose.objects.select_for_update().get_or_create(organization=center, month=state.month)
            if close.status == MonthStatus.LOCKED:
                continue
            link = f"/points/month/{center.pk}/{state.month:%Y-%m}/"
            clerks = _holders(center, "finance_clerk")
            if state.state == "remind" and close.reminded_on != today:
                close.reminded_on = today
                close.save(update_fields=["reminded_on", "updated_at"])
                notify(
                    recipients=clerks or _holders(center, "center_manager"),
                    title=_("请在 %(deadline)s 前复核并锁定 %(month)s 积分")
                    % {"deadline": f"{state.deadline:%m-%d}", "month": f"{state.month:%Y-%m}"},
                    verb="points.recheck_reminder",
                    body=_("依据 PTS-09：每月5号之前须对上月服务中心人员积分表重新核查一次。"),
                    link=link,
                    target=close,
                    organization=center,
                    dedupe_key=f"points.recheck:{center.pk}:{today}",
                )
                sent += 1
            elif state.state == "overdue" and close.overdue_alerted_at is None:
                close.overdue_alerted_at = now
                close.save(update_fields=["overdue_alerted_at", "updated_at"])
                notify(
                    recipients=clerks + _holders(center, "center_manager"),
                    title=_("%(month)s 积分逾期未复核") % {"month": f"{state.month:%Y-%m}"},
                    verb="points.recheck_overdue",
                    body=_("依据 PTS-09、C-08：上月积分须在 %(deadline)s 前复核锁定。")
                    % {"deadline": f"{state.deadline:%m-%d}"},
                    link=link,
                    target=close,
                    organization=center,
                )
                sent += 1
    return sent


def month_end_all(*, now: datetime | None = None) -> int:
    """On the 1st (and every run until done), settle the previous month of every center once."""
    now = now or timezone.now()
    posted = 0
    for center in Organization.objects.centers().active():
        month = policies.previous_month(timezone.localdate(now, zone_of(center)))
        if MonthClose.objects.filter(organization=center, month=month, settled_at__isnull=False).exists():
            continue
        posted += month_settle(organization=center, month=month, now=now)
    return posted
