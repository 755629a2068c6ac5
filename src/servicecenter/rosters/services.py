"""Every write of the rosters app: one function per transition (permission → validate → write → audit → effects).

Roster life: draft → published → superseded. A published roster is never edited: `roster_open_draft` copies it
into a new draft version, and an approved swap (ATT-20) publishes a new version with the two cells exchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from servicecenter.approvals.kinds import register_kind
from servicecenter.approvals.models import ApprovalRequest
from servicecenter.core import audit
from servicecenter.core.errors import Conflict, DomainError, NotAllowed, ValidationFailed, full_clean_or_raise
from servicecenter.core.policy import implements
from servicecenter.notifications.services import notify
from servicecenter.org.models import Organization, Staff
from servicecenter.policy.values import local_today

from . import selectors
from .inputs import Planning, option_of, planning_for
from .models import (
    HandoverNote,
    OnCallEntry,
    Roster,
    RosterEntry,
    RosterStatus,
    ShiftTemplate,
    SwapRequest,
    SwapStatus,
)
from .policies import SWAP_KIND, may_request_swap, swap_route
from .solver import Conflict as RosterConflict
from .solver import Proposal, propose, validate

REST = "REST"


class NotFound(DomainError):
    """A colleague or record outside the actor's center: answers 404 like any object outside one's scope."""

    code = "not_found"
    status_code = 404


CLOCK = re.compile(r"^([01]\d|2[0-4]):[0-5]\d$")
MOBILE = re.compile(r"^1\d{10}$|^[0-9+\-]{5,20}$")


def _user(actor: Any) -> Any:
    return getattr(actor, "user", actor)


def _staff_of(user: Any) -> Staff | None:
    return Staff.objects.filter(user=user).select_related("organization").first() if user is not None else None


def _require_manage(user: Any, organization: Organization) -> None:
    if not selectors.can_manage(user=user, organization=organization):
        raise NotAllowed("您没有维护该中心排班的权限", clause="ATT-09")


def _center_of(staff: Staff) -> Organization:
    center = staff.organization.service_center()
    if center is None:
        raise ValidationFailed("您不属于任何服务中心，无法使用排班功能")
    return center


# ------------------------------------------------------------------------------------------- shift templates


def _clean_periods(raw: Any, field: str, *, required: bool) -> list[list[str]]:
    periods: list[list[str]] = []
    for item in raw or []:
        if not isinstance(item, list | tuple) or len(item) != 2:
            raise ValidationFailed("时段格式应为 开始–结束", fields={field: ["时段格式应为 开始–结束"]})
        start, end = (str(v).strip() for v in item)
        if not (CLOCK.match(start) and CLOCK.match(end)):
            raise ValidationFailed("时间应为 HH:MM（如 08:30）", fields={field: ["时间应为 HH:MM（如 08:30）"]})
        periods.append([start, end])
    if required and not periods:
        raise ValidationFailed("请至少填写一个时段", fields={field: ["请至少填写一个时段"]})
    return periods


def parse_periods_text(text: str) -> list[list[str]]:
    """«08:30-11:30, 14:30-17:30» → [["08:30", "11:30"], ["14:30", "17:30"]] (also –, ～, ~ and 、 ；)."""
    result = []
    for chunk in re.split(r"[,，;；、\s]+", (text or "").strip()):
        if not chunk:
            continue
        parts = re.split(r"[-–—~～至]", chunk)
        result.append([p.strip() for p in parts] if len(parts) == 2 else [chunk, ""])
    return result


@transaction.atomic
def template_save(
    *,
    actor: Any,
    organization: Organization,
    template_id: int | None = None,
    code: str,
    label: str,
    periods: Any,
    sign_in_window: Any = (),
    on_call: bool = False,
    check_workday_hours: bool = True,
    counts_for_coverage: bool = True,
    rank: int = 100,
    is_active: bool = True,
) -> ShiftTemplate:
    """Create or change a shift template (C-17). A template used by a roster keeps its code."""
    user = _user(actor)
    _require_manage(user, organization)
    code = (code or "").strip().upper()
    if not re.match(r"^[A-Z0-9-]{1,20}$", code):
        raise ValidationFailed("代码只能包含字母、数字和连字符", fields={"code": ["代码只能包含字母、数字和连字符"]})
    clean = _clean_periods(periods, "periods", required=True)
    window = _clean_periods(sign_in_window, "sign_in_window", required=False)
    if template_id is None:
        template = ShiftTemplate(organization=organization)
        before: dict[str, Any] = {}
    else:
        template = ShiftTemplate.objects.select_for_update().get(pk=template_id, organization=organization)
        before = {
            "code": template.code,
            "label": template.label,
            "periods": template.periods,
            "is_active": template.is_active,
        }
    if ShiftTemplate.objects.filter(organization=organization, code=code).exclude(pk=template.pk).exists():
        raise ValidationFailed("该中心已有同代码的班次", fields={"code": ["该中心已有同代码的班次"]})
    template.code = code
    template.label = (label or "").strip()
    template.periods = clean
    template.sign_in_window = window
    template.on_call = bool(on_call)
    template.check_workday_hours = bool(check_workday_hours)
    template.counts_for_coverage = bool(counts_for_coverage) and not on_call
    template.rank = int(rank)
    template.is_active = bool(is_active)
    full_clean_or_raise(template)
    template.save()
    after = {"code": code, "label": template.label, "periods": clean, "is_active": template.is_active}
    audit.record(
        actor=user,
        verb="rosters.template.created" if not before else "rosters.template.changed",
        target=template,
        changes={k: [before.get(k), v] for k, v in after.items() if before.get(k) != v},
        clause="C-17",
    )
    return template


PRESETS: dict[str, list[dict[str, Any]]] = {
    # D01 service station: 8-hour shifts inside 08:30–20:00 (ATT-01, ATT-07).
    "service_station": [
        {"code": "EARLY", "label": "早班", "periods": [["08:30", "16:30"]], "rank": 10},
        {"code": "LATE", "label": "晚班", "periods": [["12:00", "20:00"]], "rank": 20},
    ],
    # D19 government hall: split day with sign-in window (ATT-21, ATT-22); 6 h by design (C-17: no 8-h check).
    "gov_hall": [
        {
            "code": "SPLIT",
            "label": "政务大厅班",
            "periods": [["08:30", "11:30"], ["14:30", "17:30"]],
            "sign_in_window": [["08:00", "08:30"]],
            "check_workday_hours": False,
            "rank": 10,
        },
    ],
    # D02 call center: 24-h rotation in the heating season (ATT-17), a day shift otherwise, on-call duty (C-24).
    "call_center": [
        {"code": "D8", "label": "白班", "periods": [["08:30", "16:30"]], "rank": 10},
        {"code": "LATE", "label": "晚班", "periods": [["12:00", "20:00"]], "rank": 15},
        {
            "code": "R24",
            "label": "24小时倒班",
            "periods": [["08:00", "08:00"]],
            "check_workday_hours": False,
            "rank": 20,
        },
    ],
    # D17 online customer service: 7×24 in three 8-hour shifts (ATT-34).
    "cs_dept": [
        {"code": "DAY", "label": "白班", "periods": [["08:00", "16:00"]], "rank": 10},
        {"code": "EVE", "label": "中班", "periods": [["16:00", "24:00"]], "rank": 20},
        {"code": "NIGHT", "label": "夜班", "periods": [["00:00", "08:00"]], "rank": 30},
    ],
}
ON_CALL_PRESET = {
    "code": "ONCALL",
    "label": "下班值班（手机畅通）",
    "periods": [["20:00", "08:30"]],
    "on_call": True,
    "check_workday_hours": False,
    "counts_for_coverage": False,
    "rank": 90,
}


@transaction.atomic
def templates_install_presets(*, actor: Any, organization: Organization) -> list[ShiftTemplate]:
    """Create the preset templates of the center's type (C-01, C-17) that it does not have yet (idempotent)."""
    presets = [*PRESETS.get(organization.center_type or "", PRESETS["service_station"]), ON_CALL_PRESET]
    existing = set(ShiftTemplate.objects.filter(organization=organization).values_list("code", flat=True))
    created = []
    for preset in presets:
        if preset["code"] in existing:
            continue
        created.append(template_save(actor=actor, organization=organization, **preset))
    return created


# ------------------------------------------------------------------------------------------- rosters


def _locked_roster(roster_id: Any) -> Roster:
    try:
        return Roster.objects.select_for_update(of=("self",)).select_related("organization").get(pk=int(roster_id))
    except (Roster.DoesNotExist, TypeError, ValueError):
        raise ValidationFailed("排班表不存在") from None


def _require_draft(roster: Roster) -> None:
    if roster.status == RosterStatus.DRAFT:
        return
    if roster.published_at is not None:
        who = roster.published_by.first_name or roster.published_by.get_username() if roster.published_by else "系统"
        staff = (
            Staff.objects.filter(user_id=roster.published_by_id).only("name").first()
            if roster.published_by_id
            else None
        )
        raise Conflict(
            f"该版本已由 {staff.name if staff else who} 于 {timezone.localtime(roster.published_at):%m-%d %H:%M} 发布，"
            "不能直接修改；请先“调整排班”生成新版本",
            clause="ATT-09",
        )
    raise Conflict("该版本已被新版本取代，不能修改", clause="ATT-09")


def _copy_entries(source: Roster, target: Roster) -> None:
    RosterEntry.objects.bulk_create(
        [
            RosterEntry(roster=target, staff_id=e.staff_id, day=e.day, shift_id=e.shift_id, reason=e.reason)
            for e in RosterEntry.objects.filter(roster=source)
        ]
    )


def _next_version(organization: Organization, month: date) -> int:
    top = Roster.objects.filter(organization=organization, month=month).aggregate(top=Max("version"))["top"]
    return int(top or 0) + 1


@transaction.atomic
def roster_open_draft(*, actor: Any, organization: Organization, month: date) -> Roster:
    """The draft of a center's month: the existing one, or a new version copied from the published roster, or an
    empty version 1."""
    user = _user(actor)
    _require_manage(user, organization)
    month = month.replace(day=1)
    Organization.objects.select_for_update().filter(pk=organization.pk).first()  # serialize draft creation
    draft = selectors.draft_roster(organization=organization, month=month)
    if draft is not None:
        return draft
    published = selectors.published_roster(organization=organization, month=month)
    roster = Roster.objects.create(
        organization=organization,
        month=month,
        version=_next_version(organization, month),
        status=RosterStatus.DRAFT,
        based_on=published,
        created_by=user,
    )
    if published is not None:
        _copy_entries(published, roster)
    audit.record(
        actor=user,
        verb="rosters.roster.draft_opened",
        target=roster,
        changes={"version": [published.version if published else None, roster.version]},
        clause="ATT-09",
    )
    return roster


@transaction.atomic
def roster_set_cell(
    *, actor: Any, roster_id: Any, staff_id: Any, day: date, value: str, expected: str | None = None
) -> RosterEntry | None:
    """Set one cell of a draft: a template code, "REST" (排休) or "" (not scheduled). With `expected` (the value the
    editor showed), a cell another manager changed meanwhile is left alone (Conflict naming its new value)."""
    user = _user(actor)
    roster = _locked_roster(roster_id)
    _require_manage(user, roster.organization)
    _require_draft(roster)
    if not (roster.month <= day <= roster.last_day):
        raise ValidationFailed("日期不在该月内", fields={"day": ["日期不在该月内"]})
    staff = Staff.objects.filter(pk=staff_id, organization__path__startswith=roster.organization.path).first()
    if staff is None:
        raise ValidationFailed("该员工不属于本中心", fields={"staff": ["该员工不属于本中心"]})
    entry = RosterEntry.objects.filter(roster=roster, staff=staff, day=day).select_related("shift").first()
    old = (entry.shift.code if entry.shift else REST) if entry else ""
    if expected is not None and expected.strip().upper() != old:
        shown = (entry.shift.label if entry.shift else "休") if entry else "空"
        raise Conflict(f"该格已被他人改为「{shown}」，已刷新；如需修改请再点一次", clause="ATT-09")
    value = (value or "").strip().upper()
    if value == old:
        return entry
    if value == "":
        if entry is not None:
            entry.delete()  # a draft cell, not history: the audit event keeps the old value
        result = None
    else:
        shift = None
        if value != REST:
            shift = ShiftTemplate.objects.filter(organization=roster.organization, code=value, is_active=True).first()
            if shift is None:
                raise ValidationFailed("班次不存在或已停用", fields={"value": ["班次不存在或已停用"]})
            if shift.on_call:
                raise ValidationFailed(
                    "值班请在值班表中安排（C-24）", fields={"value": ["值班请在值班表中安排"]}, clause="C-24"
                )
        if entry is None:
            entry = RosterEntry(roster=roster, staff=staff, day=day)
        entry.shift = shift
        entry.reason = "经理手工调整"
        entry.save()
        result = entry
    audit.record(
        actor=user,
        verb="rosters.roster.cell_changed",
        target=roster,
        changes={f"{staff.staff_no} {day.isoformat()}": [old, value]},
        clause="ATT-09",
    )
    return result


def _planning_with_all_templates(roster: Roster) -> Planning:
    planning = planning_for(organization=roster.organization, month=roster.month)
    return planning


def roster_conflicts(roster: Roster, planning: Planning | None = None) -> list[RosterConflict]:
    """The validation of a roster (editor panel and publishing): same check as the solver (read-only)."""
    planning = planning or _planning_with_all_templates(roster)
    all_templates = list(ShiftTemplate.objects.filter(organization=roster.organization))
    problem = replace(planning.problem, shifts=tuple(option_of(t) for t in all_templates))
    assignment = {
        (e.staff_id, e.day): (e.shift.code if e.shift else None)
        for e in RosterEntry.objects.filter(roster=roster).select_related("shift")
    }
    return validate(problem, assignment)


@dataclass(frozen=True)
class ProposalResult:
    roster: Roster
    proposal: Proposal


@implements("ATT-02", "ATT-08", "ATT-17", "ATT-34")
@transaction.atomic
def roster_propose(*, actor: Any, roster_id: Any) -> ProposalResult:
    """Fill a draft with the solver's proposal (replacing its cells; the audit event keeps the count)."""
    user = _user(actor)
    roster = _locked_roster(roster_id)
    _require_manage(user, roster.organization)
    _require_draft(roster)
    planning = planning_for(organization=roster.organization, month=roster.month)
    if not planning.problem.shifts:
        raise ValidationFailed("请先为本中心建立班次模板", clause="C-17")
    if not planning.problem.staff:
        raise ValidationFailed("本中心没有在职员工，无法排班")
    proposal = propose(planning.problem)
    templates = {t.code: t for t in planning.templates}
    old_count = RosterEntry.objects.filter(roster=roster).count()
    RosterEntry.objects.filter(roster=roster).delete()
    RosterEntry.objects.bulk_create(
        [
            RosterEntry(
                roster=roster,
                staff_id=staff_id,
                day=day,
                shift=templates[code] if code else None,
                reason=proposal.reasons.get((staff_id, day), "")[:300],
            )
            for (staff_id, day), code in proposal.assignment.items()
        ]
    )
    audit.record(
        actor=user,
        verb="rosters.roster.proposed",
        target=roster,
        changes={"entries": [old_count, len(proposal.assignment)]},
        clause="ATT-02、ATT-08",
        note="；".join(c.message for c in proposal.unmet[:10]),
    )
    return ProposalResult(roster=roster, proposal=proposal)


class ConfirmationRequired(DomainError):
    """Publishing with warnings (rest quota, leave, 8-hour templates) needs an explicit confirmation."""

    code = "confirmation_required"
    status_code = 409


def _supersede(organization: Organization, month: date, now: datetime, user: Any) -> Roster | None:
    current = (
        Roster.objects.select_for_update()
        .filter(organization=organization, month=month, status=RosterStatus.PUBLISHED)
        .first()
    )
    if current is not None:
        current.status = RosterStatus.SUPERSEDED
        current.superseded_at = now
        current.save(update_fields=["status", "superseded_at", "updated_at"])
        audit.record(
            actor=user,
            verb="rosters.roster.superseded",
            target=current,
            changes={"status": [RosterStatus.PUBLISHED, RosterStatus.SUPERSEDED]},
            clause="ATT-09",
        )
    return current


def _notify_published(roster: Roster, user: Any, note: str = "") -> None:
    people = [
        s.user
        for s in Staff.objects.filter(
            pk__in=RosterEntry.objects.filter(roster=roster).values("staff_id"), user__isnull=False
        ).select_related("user")
    ]
    link = reverse("rosters:published", args=[roster.organization_id, roster.month.year, roster.month.month])
    notify(
        recipients=people,
        title=f"{roster.organization.name} {roster.month_label}排班表已发布（第 {roster.version} 版）",
        body=note,
        verb="rosters.roster.published",
        link=link,
        target=roster,
        organization=roster.organization,
        actor=user,
    )


@implements("ATT-02", "ATT-09")
@transaction.atomic
def roster_publish(
    *, actor: Any, roster_id: Any, confirm_warnings: bool = False, now: datetime | None = None
) -> Roster:
    """Publish a draft (ATT-09): refused while a business interval is uncovered (ATT-02 / ATT-17 / ATT-34, listed);
    other warnings need `confirm_warnings`. The previous published version becomes superseded."""
    now = now or timezone.now()
    user = _user(actor)
    roster = _locked_roster(roster_id)
    _require_manage(user, roster.organization)
    _require_draft(roster)
    if not RosterEntry.objects.filter(roster=roster).exists():
        raise ValidationFailed("排班表为空，请先生成或填写排班")
    conflicts = roster_conflicts(roster)
    errors = [c for c in conflicts if c.severity == "error"]
    if errors:
        lines = "；".join(c.message for c in errors[:8])
        more = f"；等共 {len(errors)} 处" if len(errors) > 8 else ""
        raise ValidationFailed(f"营业时间存在无人值守的时段，不能发布：{lines}{more}", clause=errors[0].clause)
    warnings = [c.message for c in conflicts]
    if warnings and not confirm_warnings:
        raise ConfirmationRequired(
            f"排班表有 {len(warnings)} 条提示，请确认后发布：" + "；".join(warnings[:5]), clause="ATT-08"
        )
    previous = _supersede(roster.organization, roster.month, now, user)
    roster.status = RosterStatus.PUBLISHED
    roster.published_at = now
    roster.published_by = user
    roster.publish_warnings = warnings
    try:
        with transaction.atomic():
            roster.save()
    except IntegrityError:
        raise Conflict("该月排班表刚被他人发布，请刷新后重试") from None
    audit.record(
        actor=user,
        verb="rosters.roster.published",
        target=roster,
        changes={
            "status": [RosterStatus.DRAFT, RosterStatus.PUBLISHED],
            "supersedes": [None, previous.version if previous else None],
        },
        clause="ATT-09",
        note="；".join(warnings[:10]),
    )
    _notify_published(roster, user)
    return roster


def _publish_changed_copy(
    *, user: Any, published: Roster, changes: dict[tuple[int, date], int | None], note: str, now: datetime
) -> Roster:
    """A new published version of `published` with `changes` applied (the swap's path: no draft in between)."""
    Roster.objects.filter(pk=published.pk).select_for_update().first()
    _supersede(published.organization, published.month, now, user)
    version = _next_version(published.organization, published.month)
    roster = Roster.objects.create(
        organization=published.organization,
        month=published.month,
        version=version,
        status=RosterStatus.PUBLISHED,
        based_on=published,
        created_by=user,
        published_at=now,
        published_by=user,
        change_note=note[:300],
    )
    _copy_entries(published, roster)
    for (staff_id, day), shift_id in changes.items():
        RosterEntry.objects.update_or_create(
            roster=roster, staff_id=staff_id, day=day, defaults={"shift_id": shift_id, "reason": note[:300]}
        )
    audit.record(
        actor=user,
        verb="rosters.roster.published",
        target=roster,
        changes={"version": [published.version, version]},
        clause="ATT-20",
        note=note,
    )
    return roster


# ------------------------------------------------------------------------------------------- swaps (ATT-20)


def _cell(roster: Roster, staff: Staff, day: date) -> RosterEntry | None:
    return RosterEntry.objects.filter(roster=roster, staff=staff, day=day).select_related("shift").first()


def _cell_code(entry: RosterEntry | None) -> str:
    if entry is None:
        return ""
    return entry.shift.code if entry.shift else REST


def _cell_label(entry: RosterEntry | None) -> str:
    if entry is None:
        return "未排班"
    return entry.shift.label if entry.shift else "休息"


@transaction.atomic
def swap_request(
    *,
    actor: Any,
    counterpart_id: Any,
    requester_day: date,
    counterpart_day: date | None = None,
    reason: str,
    now: datetime | None = None,
) -> SwapRequest:
    """Ask a colleague to swap (ATT-20). Exchanges both people's assignments on the two days (one day if equal).
    Nothing changes in the roster until the colleague consents and the supervisor approves."""
    now = now or timezone.now()
    user = _user(actor)
    requester = _staff_of(user)
    if requester is None:
        raise NotAllowed("只有员工本人可以申请调班", clause="ATT-20")
    center = _center_of(requester)
    if not selectors.has_permission_in(user=user, permission=selectors.REQUEST_SWAP, organization=center):
        raise NotAllowed("您没有申请调班的权限", clause="ATT-20")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请填写调班原因", fields={"reason": ["请填写调班原因"]})
    counterpart_day = counterpart_day or requester_day
    if requester_day.replace(day=1) != counterpart_day.replace(day=1):
        raise ValidationFailed("两个日期须在同一个月", fields={"counterpart_day": ["两个日期须在同一个月"]})
    try:
        counterpart = Staff.objects.get(pk=int(counterpart_id), organization__path__startswith=center.path)
    except (Staff.DoesNotExist, TypeError, ValueError):
        raise NotFound("请选择本中心的同事", fields={"counterpart": ["请选择本中心的同事"]}) from None
    roster = selectors.published_roster(organization=center, month=requester_day.replace(day=1))
    if roster is None:
        raise ValidationFailed("该月排班表尚未发布，不能调班", clause="ATT-20")
    today = local_today(center)
    if min(requester_day, counterpart_day) < today:
        raise ValidationFailed("不能调整已过去的日期", fields={"requester_day": ["不能调整已过去的日期"]})
    mine = _cell(roster, requester, requester_day)
    theirs = _cell(roster, counterpart, counterpart_day)
    decision = may_request_swap(
        requester=requester,
        counterpart=counterpart,
        pairs=[
            (_cell_code(_cell(roster, requester, day)), _cell_code(_cell(roster, counterpart, day)))
            for day in sorted({requester_day, counterpart_day})
        ],
    )
    if not decision:
        raise ValidationFailed(decision.reason, clause=decision.clause)
    swap = SwapRequest(
        organization=center,
        roster=roster,
        requester=requester,
        counterpart=counterpart,
        requester_day=requester_day,
        counterpart_day=counterpart_day,
        requester_shift=_cell_code(mine),
        counterpart_shift=_cell_code(theirs),
        reason=reason[:300],
    )
    full_clean_or_raise(swap)
    swap.save()
    audit.record(
        actor=user,
        verb="rosters.swap.requested",
        target=swap,
        changes={"status": [None, swap.status]},
        clause="ATT-20",
        note=reason,
    )
    if counterpart.user_id:
        notify(
            recipients=[counterpart.user],
            title=f"{requester.name} 请求与您调班（{requester_day:%m-%d}）",
            body=f"{_cell_label(mine)} ↔ {_cell_label(theirs)}：{reason}",
            verb="rosters.swap.consent_requested",
            link=reverse("rosters:swap_detail", args=[swap.pk]),
            target=swap,
            organization=center,
            actor=user,
        )
    return swap


def _locked_swap(swap_id: Any) -> SwapRequest:
    try:
        return (
            SwapRequest.objects.select_for_update(of=("self",))
            .select_related("requester__user", "counterpart__user", "organization", "roster")
            .get(pk=int(swap_id))
        )
    except (SwapRequest.DoesNotExist, TypeError, ValueError):
        raise ValidationFailed("调班申请不存在") from None


@transaction.atomic
def swap_consent(*, actor: Any, swap_id: Any, accept: bool, now: datetime | None = None) -> SwapRequest:
    """The counterpart consents (then the request goes to approval under the requester's name) or declines."""
    now = now or timezone.now()
    user = _user(actor)
    swap = _locked_swap(swap_id)
    if swap.counterpart.user_id != getattr(user, "pk", None):
        raise NotAllowed("只有被请求的同事本人可以同意或拒绝", clause="ATT-20")
    if swap.status != SwapStatus.AWAITING_CONSENT:
        raise Conflict(f"该调班申请已处理（{swap.get_status_display()}）")
    old = swap.status
    if not accept:
        swap.status = SwapStatus.DECLINED
        swap.decided_at = now
        swap.save(update_fields=["status", "decided_at", "updated_at"])
    else:
        swap.status = SwapStatus.PENDING_APPROVAL
        swap.consented_at = now
        swap.save(update_fields=["status", "consented_at", "updated_at"])
        from servicecenter.approvals.services import request_submit

        approval = request_submit(
            actor=swap.requester.user,
            kind=SWAP_KIND,
            organization=swap.organization,
            title=f"调班：{swap.requester.name} ↔ {swap.counterpart.name}（{swap.requester_day:%m-%d}）",
            description=swap.reason,
            payload={
                "swap_id": swap.pk,
                "requester": swap.requester.name,
                "counterpart": swap.counterpart.name,
                "requester_day": swap.requester_day.isoformat(),
                "counterpart_day": swap.counterpart_day.isoformat(),
                "requester_shift": swap.requester_shift,
                "counterpart_shift": swap.counterpart_shift,
            },
            subject=swap,
            now=now,
        )
        swap.approval = approval
        swap.save(update_fields=["approval", "updated_at"])
    audit.record(
        actor=user,
        verb="rosters.swap.consented" if accept else "rosters.swap.declined",
        target=swap,
        changes={"status": [old, swap.status]},
        clause="ATT-20",
    )
    if swap.requester.user_id:
        notify(
            recipients=[swap.requester.user],
            title=f"{swap.counterpart.name} {'同意' if accept else '拒绝'}了您的调班请求",
            verb="rosters.swap.consent_given" if accept else "rosters.swap.declined",
            link=reverse("rosters:swap_detail", args=[swap.pk]),
            target=swap,
            organization=swap.organization,
            actor=user,
        )
    return swap


@transaction.atomic
def swap_withdraw(*, actor: Any, swap_id: Any, now: datetime | None = None) -> SwapRequest:
    """The requester withdraws an open swap (its approval request too)."""
    now = now or timezone.now()
    user = _user(actor)
    swap = _locked_swap(swap_id)
    if swap.requester.user_id != getattr(user, "pk", None):
        raise NotAllowed("只有申请人可以撤回调班申请")
    if not swap.is_open:
        raise Conflict(f"该调班申请已处理（{swap.get_status_display()}）")
    if swap.status == SwapStatus.PENDING_APPROVAL and swap.approval_id:
        from servicecenter.approvals.services import request_withdraw

        request_withdraw(actor=user, request_id=swap.approval_id, now=now)  # on_decided → withdrawn
        swap.refresh_from_db()
        return swap
    old = swap.status
    swap.status = SwapStatus.WITHDRAWN
    swap.decided_at = now
    swap.save(update_fields=["status", "decided_at", "updated_at"])
    audit.record(actor=user, verb="rosters.swap.withdrawn", target=swap, changes={"status": [old, swap.status]})
    return swap


@implements("ATT-20")
def swap_apply_decision(request: ApprovalRequest) -> None:
    """on_decided hook of the "shift_swap" kind (inside the deciding transaction): an approval publishes a new roster
    version with the two people's cells exchanged; the roster must still hold the cells the swap was asked about."""
    swap = _locked_swap(request.subject_id)
    if not swap.is_open:
        return
    now = timezone.now()
    old = swap.status
    status = str(request.status)
    if status == "approved":
        roster = selectors.published_roster(organization=swap.organization, month=swap.requester_day.replace(day=1))
        if roster is None:
            raise Conflict("该月已无已发布的排班表，无法调班", clause="ATT-20")
        mine = _cell(roster, swap.requester, swap.requester_day)
        theirs = _cell(roster, swap.counterpart, swap.counterpart_day)
        if _cell_code(mine) != swap.requester_shift or _cell_code(theirs) != swap.counterpart_shift:
            raise Conflict("申请后排班已变更，请驳回后重新申请调班", clause="ATT-20")
        changes: dict[tuple[int, date], int | None] = {}
        for day in sorted({swap.requester_day, swap.counterpart_day}):
            a = _cell(roster, swap.requester, day)
            b = _cell(roster, swap.counterpart, day)
            changes[(swap.requester_id, day)] = b.shift_id if b else None
            changes[(swap.counterpart_id, day)] = a.shift_id if a else None
        new = _publish_changed_copy(
            user=None,
            published=roster,
            changes=changes,
            note=f"调班 #{swap.pk}：{swap.requester.name} ↔ {swap.counterpart.name}，审批单 #{request.pk}",
            now=now,
        )
        _carry_into_draft(roster=roster, changes=changes, note=new.change_note)
        swap.status = SwapStatus.APPROVED
        swap.applied_roster = new
    elif status == "rejected":
        swap.status = SwapStatus.REJECTED
    else:
        swap.status = SwapStatus.WITHDRAWN
    swap.decided_at = now
    swap.save(update_fields=["status", "decided_at", "applied_roster", "updated_at"])
    audit.record(
        actor=None,
        verb=f"rosters.swap.{swap.status}",
        target=swap,
        changes={"status": [old, swap.status]},
        clause="ATT-20",
        note=f"审批单 #{request.pk}",
    )
    recipients = [u for u in (swap.requester.user, swap.counterpart.user) if u is not None]
    notify(
        recipients=recipients,
        title=f"调班申请{swap.get_status_display()}（{swap.requester_day:%m-%d}）",
        verb=f"rosters.swap.{swap.status}",
        link=reverse("rosters:swap_detail", args=[swap.pk]),
        target=swap,
        organization=swap.organization,
    )


def _carry_into_draft(*, roster: Roster, changes: dict[tuple[int, date], int | None], note: str) -> None:
    """An open draft of the month was copied from the version the swap changed: apply the swap to it too, cell by
    cell where the manager has not changed that cell, so publishing the draft does not silently undo the swap."""
    draft = (
        Roster.objects.select_for_update()
        .filter(organization=roster.organization, month=roster.month, status=RosterStatus.DRAFT)
        .first()
    )
    if draft is None:
        return
    before = {
        (e.staff_id, e.day): e for e in RosterEntry.objects.filter(roster=roster, staff_id__in=[k[0] for k in changes])
    }
    applied, kept = [], []
    for (staff_id, day), shift_id in changes.items():
        old = before.get((staff_id, day))
        current = RosterEntry.objects.filter(roster=draft, staff_id=staff_id, day=day).first()
        same = (old is None and current is None) or (
            old is not None and current is not None and old.shift_id == current.shift_id
        )
        if not same:
            kept.append(f"{staff_id}@{day.isoformat()}")
            continue
        RosterEntry.objects.update_or_create(
            roster=draft, staff_id=staff_id, day=day, defaults={"shift_id": shift_id, "reason": note[:300]}
        )
        applied.append(f"{staff_id}@{day.isoformat()}")
    audit.record(
        actor=None,
        verb="rosters.roster.swap_carried",
        target=draft,
        changes={"applied": [None, applied], "kept_manager_edit": [None, kept]},
        clause="ATT-20",
        note=note,
    )


def swap_describe(payload: Any) -> list[tuple[Any, str]]:
    return [
        (
            "申请人",
            f"{payload.get('requester', '')} {payload.get('requester_day', '')} {payload.get('requester_shift')}",
        ),
        (
            "对调人",
            f"{payload.get('counterpart', '')} {payload.get('counterpart_day', '')} {payload.get('counterpart_shift')}",
        ),
    ]


register_kind(SWAP_KIND, "调班", swap_route, on_decided=swap_apply_decision, describe=swap_describe)


# ------------------------------------------------------------------------------------------- handover (ATT-19)


@implements("ATT-19")
@transaction.atomic
def handover_create(
    *,
    actor: Any,
    to_staff_id: Any,
    day: date,
    shift_id: Any = None,
    open_orders: str = "",
    pending_callbacks: str = "",
    incidents: str = "",
    text: str = "",
) -> HandoverNote:
    """The outgoing agent writes the handover (open orders, pending callbacks, incidents) for the incoming one."""
    user = _user(actor)
    author = _staff_of(user)
    if author is None:
        raise NotAllowed("只有员工本人可以填写交接班记录", clause="ATT-19")
    center = _center_of(author)
    try:
        receiver = Staff.objects.get(pk=int(to_staff_id), organization__path__startswith=center.path)
    except (Staff.DoesNotExist, TypeError, ValueError):
        raise ValidationFailed("请选择本中心的接班人", fields={"to_staff": ["请选择本中心的接班人"]}) from None
    if receiver.pk == author.pk:
        raise ValidationFailed("接班人不能是自己", fields={"to_staff": ["接班人不能是自己"]})
    texts = [(t or "").strip() for t in (open_orders, pending_callbacks, incidents, text)]
    if not any(texts):
        raise ValidationFailed("请至少填写一项交接内容", fields={"text": ["请至少填写一项交接内容"]})
    shift = None
    if shift_id:
        shift = ShiftTemplate.objects.filter(pk=shift_id, organization=center).first()
    note = HandoverNote.objects.create(
        organization=center,
        from_staff=author,
        to_staff=receiver,
        day=day,
        shift=shift,
        open_orders=texts[0],
        pending_callbacks=texts[1],
        incidents=texts[2],
        text=texts[3],
    )
    audit.record(actor=user, verb="rosters.handover.written", target=note, clause="ATT-19")
    if receiver.user_id:
        notify(
            recipients=[receiver.user],
            title=f"{author.name} 给您的交接班记录待确认",
            verb="rosters.handover.written",
            link=reverse("rosters:handovers"),
            target=note,
            organization=center,
            actor=user,
        )
    return note


@transaction.atomic
def handover_acknowledge(*, actor: Any, note_id: Any, now: datetime | None = None) -> HandoverNote:
    """ATT-19: the incoming agent confirms he has read the handover (once)."""
    now = now or timezone.now()
    user = _user(actor)
    try:
        note = HandoverNote.objects.select_for_update(of=("self",)).select_related("to_staff").get(pk=int(note_id))
    except (HandoverNote.DoesNotExist, TypeError, ValueError):
        raise ValidationFailed("交接班记录不存在") from None
    if note.to_staff.user_id != getattr(user, "pk", None):
        raise NotAllowed("只有接班人本人可以确认", clause="ATT-19")
    if note.acknowledged_at is not None:
        raise Conflict(f"已于 {timezone.localtime(note.acknowledged_at):%m-%d %H:%M} 确认过")
    note.acknowledged_at = now
    note.save(update_fields=["acknowledged_at", "updated_at"])
    audit.record(
        actor=user,
        verb="rosters.handover.acknowledged",
        target=note,
        changes={"acknowledged_at": [None, now.isoformat()]},
        clause="ATT-19",
    )
    return note


# ------------------------------------------------------------------------------------------- on call (ATT-35, C-24)


@implements("ATT-35", "C-24")
@transaction.atomic
def on_call_add(
    *,
    actor: Any,
    organization: Organization,
    staff_id: Any,
    day: date,
    shift_id: Any = None,
    mobile: str = "",
    note: str = "",
) -> OnCallEntry:
    """Put a person on the on-call roster for a day with the mobile number to call after hours (ATT-35). A separate
    roster: it creates no attendance obligation (C-24)."""
    user = _user(actor)
    _require_manage(user, organization)
    try:
        staff = Staff.objects.get(pk=int(staff_id), organization__path__startswith=organization.path)
    except (Staff.DoesNotExist, TypeError, ValueError):
        raise ValidationFailed("请选择本中心的员工", fields={"staff": ["请选择本中心的员工"]}) from None
    templates = ShiftTemplate.objects.filter(organization=organization, on_call=True, is_active=True)
    shift = templates.filter(pk=shift_id).first() if shift_id else templates.order_by("rank").first()
    if shift is None:
        raise ValidationFailed("本中心没有值班班次模板", fields={"shift": ["本中心没有值班班次模板"]}, clause="C-24")
    mobile = (mobile or staff.phone or "").strip()
    if not MOBILE.match(mobile):
        raise ValidationFailed("请填写有效的值班手机号", fields={"mobile": ["请填写有效的值班手机号"]}, clause="ATT-35")
    if OnCallEntry.objects.filter(organization=organization, staff=staff, day=day, is_active=True).exists():
        raise ValidationFailed("该员工当天已在值班表上", fields={"day": ["该员工当天已在值班表上"]})
    entry = OnCallEntry.objects.create(
        organization=organization, staff=staff, day=day, shift=shift, mobile=mobile, note=(note or "").strip()[:200]
    )
    audit.record(actor=user, verb="rosters.on_call.added", target=entry, clause="ATT-35、C-24")
    return entry


@transaction.atomic
def on_call_withdraw(*, actor: Any, entry_id: Any) -> OnCallEntry:
    user = _user(actor)
    try:
        entry = OnCallEntry.objects.select_for_update(of=("self",)).select_related("organization").get(pk=int(entry_id))
    except (OnCallEntry.DoesNotExist, TypeError, ValueError):
        raise ValidationFailed("值班安排不存在") from None
    _require_manage(user, entry.organization)
    if not entry.is_active:
        raise Conflict("该值班安排已撤销")
    entry.is_active = False
    entry.save(update_fields=["is_active", "updated_at"])
    audit.record(actor=user, verb="rosters.on_call.withdrawn", target=entry, changes={"is_active": [True, False]})
    return entry
