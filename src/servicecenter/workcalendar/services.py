"""Every change to a business calendar (STYLE.md §2.5): seasons, one-day overrides, statutory days.

`actor` is the user (or their Staff record) responsible; None only for data loading and system jobs, which skip
the permission check. With an actor, each service requires `workcalendar.change_calendar` over the organization
concerned (ORG-04); statutory days are entered at the root of the tree (the company), installation-wide ones by a
superuser. One transaction and one AuditEvent per change; nothing is deleted (deactivated instead). The
in-process calendar cache is cleared by the post_save receiver of apps.py; other processes see the new version
key (selectors.center_calendar_for).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction

from servicecenter.core import audit
from servicecenter.core.access import has_permission_in
from servicecenter.core.errors import Conflict, NotAllowed, ValidationFailed, full_clean_or_raise
from servicecenter.org.models import Organization
from servicecenter.policy.types import TYPES

from .choices import SeasonOpenOn
from .models import DateOverride, Season, StatutoryHoliday

CHANGE_CALENDAR = "workcalendar.change_calendar"
SEASON_FIELDS = ["name", "start_date", "end_date", "periods", "round_the_clock", "open_on"]
OVERRIDE_FIELDS = ["is_open", "periods", "name"]
MAX_SEASON_DAYS = 366
"""A season is entered per year (C-02): at most one year long (a heating season spans the new year)."""
YEARS = range(2000, 2101)
"""Dates a calendar entry may have: a typo such as 20266 or 1026 is refused instead of stored."""


def _user_of(actor: Any) -> Any:
    return getattr(actor, "user", actor) if actor is not None else None


def _require(actor: Any, organization: Organization, message: str, clause: str) -> None:
    """Refuse unless the actor holds change_calendar over `organization`; the system (None) may do anything."""
    if actor is None:
        return
    if not has_permission_in(user=_user_of(actor), permission=CHANGE_CALENDAR, organization=organization):
        raise NotAllowed(message, clause=clause)


def _lock_organization(organization: Organization) -> Organization:
    """Serialise calendar changes of one organization (overlap and uniqueness checks cannot interleave)."""
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    if not org.is_active:
        raise ValidationFailed("该组织已停用，不能修改其营业日历", fields={"organization": ["组织已停用"]})
    return org


def _save_new(obj: Any, message: str) -> None:
    """Insert under a savepoint; a concurrent insert that wins the unique index becomes a Conflict, not a 500."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise Conflict(message) from None


def _check_date(value: Any, field: str, label: str) -> date:
    if not isinstance(value, date):
        raise ValidationFailed(f"请填写{label}", fields={field: [f"请填写{label}"]})
    if value.year not in YEARS:
        raise ValidationFailed(
            f"{label}应在 {YEARS[0]}–{YEARS[-1]} 年之间", fields={field: [f"年份应在 {YEARS[0]}–{YEARS[-1]} 之间"]}
        )
    return value


def _check_text(value: Any, field: str, label: str, max_length: int) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValidationFailed(f"请填写{label}", fields={field: [f"请填写{label}"]})
    if len(text) > max_length:
        raise ValidationFailed(f"{label}不能超过 {max_length} 字", fields={field: [f"最多 {max_length} 字"]})
    return text


def _check_periods(value: Any, field: str = "periods") -> list[list[str]]:
    try:
        return TYPES["time_ranges"].validate(value)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(f"营业时段有误：{exc}", fields={field: [str(exc)]}) from None


# --------------------------------------------------------------------------------------------- seasons (C-02)


def _clean_season(fields: dict[str, Any]) -> dict[str, Any]:
    """Validate a season's fields (C-02): name, a date range of at most a year, hours or 24 h, day rule."""
    name = _check_text(fields.get("name"), "name", "季节名称", 50)
    start = _check_date(fields.get("start_date"), "start_date", "开始日期")
    end = _check_date(fields.get("end_date"), "end_date", "结束日期")
    if end < start:
        raise ValidationFailed("结束日期不能早于开始日期", fields={"end_date": ["不能早于开始日期"]}, clause="C-02")
    if (end - start).days + 1 > MAX_SEASON_DAYS:
        raise ValidationFailed(
            f"季节最长 {MAX_SEASON_DAYS} 天：请按年度分别录入",
            fields={"end_date": [f"最长 {MAX_SEASON_DAYS} 天"]},
            clause="C-02",
        )
    round_the_clock = bool(fields.get("round_the_clock"))
    periods = fields.get("periods") or []
    if round_the_clock:
        periods = []
    elif not periods:
        raise ValidationFailed(
            "请填写季节的营业时段，或选择 24 小时值班", fields={"periods": ["请填写营业时段"]}, clause="C-02"
        )
    else:
        periods = _check_periods(periods)
    open_on = fields.get("open_on") or ""
    if open_on not in SeasonOpenOn.values:
        raise ValidationFailed("营业日选项无效", fields={"open_on": ["请选择有效的选项"]})
    return {
        "name": name,
        "start_date": start,
        "end_date": end,
        "periods": periods,
        "round_the_clock": round_the_clock,
        "open_on": open_on,
    }


def _refuse_overlap(*, organization: Organization, start: date, end: date, exclude_pk: int | None = None) -> None:
    others = Season.objects.filter(
        organization=organization, is_active=True, start_date__lte=end, end_date__gte=start
    ).exclude(pk=exclude_pk)  # type: ignore[misc]  # pk=None excludes nothing, as intended
    other = others.order_by("start_date").first()
    if other is not None:
        message = f"与本级已有季节「{other}」日期重叠：同一组织的季节不能重叠"
        raise ValidationFailed(
            message,
            code="season_overlap",
            fields={"start_date": [f"与「{other.name}」重叠"], "end_date": [f"与「{other.name}」重叠"]},
            clause="C-02",
        )


def _withdraw(row: Any, *, actor: Any, verb: str, clause: str, note: str, organization: Any = None) -> Any:
    """Deactivate a locked calendar row (kept for history) and record it: the last step of every withdrawal."""
    row.is_active = False
    row.save(update_fields=["is_active", "updated_at"])
    audit.record(
        actor=actor,
        verb=verb,
        target=row,
        organization=organization,
        changes={"is_active": [True, False]},
        clause=clause,
        note=note,
    )
    return row


def _refuse_past(*, organization: Any, day: date, clause: str, what: str) -> None:
    """A calendar change never rewrites days already gone (in the organization's own time zone): working time
    already counted (SLA deadlines, attendance) must stay explainable, as parameters refuse backdating."""
    from servicecenter.policy.values import local_today

    today = local_today(organization)
    if day < today:
        raise ValidationFailed(
            f"{what}不能早于今天（{today:%Y-%m-%d}）：已经过去的日子按当时的日历计算，不能追溯修改",
            fields={"date" if "日期" in what and "开始" not in what else "start_date": ["不能早于今天"]},
            code="backdating_refused",
            clause=clause,
        )


@transaction.atomic
def season_create(
    *,
    actor: Any,
    organization: Organization,
    name: str,
    start_date: date,
    end_date: date,
    periods: list[list[str]] | None = None,
    round_the_clock: bool = False,
    open_on: str = "",
) -> Season:
    """Add a named season (C-02) to `organization`'s calendar (inherited by its subtree), e.g. 供暖期 with
    24-hour duty (ATT-17) or 夏季 06:30–22:30.

    Preconditions: change_calendar over the organization; a date range of at most 366 days; periods
    (`time_ranges`) unless round the clock; no overlap with another active season of the same organization.
    Audit: `workcalendar.season.created` (C-02).

    Raises:
        NotAllowed: no permission. ValidationFailed: invalid fields or an overlapping season.
    """
    _require(actor, organization, f"您没有权限修改「{organization}」的营业日历", "C-02")
    cleaned = _clean_season(
        {
            "name": name,
            "start_date": start_date,
            "end_date": end_date,
            "periods": periods,
            "round_the_clock": round_the_clock,
            "open_on": open_on,
        }
    )
    _refuse_past(organization=organization, day=cleaned["start_date"], clause="C-02", what="季节开始日期")
    organization = _lock_organization(organization)
    _refuse_overlap(organization=organization, start=cleaned["start_date"], end=cleaned["end_date"])
    season = Season(organization=organization, **cleaned)
    full_clean_or_raise(season)
    season.save()
    audit.record(
        actor=actor,
        verb="workcalendar.season.created",
        target=season,
        organization=organization,
        changes={name: [None, value] for name, value in cleaned.items()},
        clause="C-02",
    )
    return season


@transaction.atomic
def season_update(*, actor: Any, season: Season, **fields: Any) -> Season:
    """Change a season's name, dates, hours, 24-hour flag or day rule (C-02); same checks as `season_create`.

    Audit: `workcalendar.season.updated` with the changed fields. Refused when nothing changes.
    """
    unknown = set(fields) - set(SEASON_FIELDS)
    if unknown:
        raise ValidationFailed(f"不能修改字段：{', '.join(sorted(unknown))}")
    season = Season.objects.select_for_update().select_related("organization").get(pk=season.pk)
    _require(actor, season.organization, f"您没有权限修改「{season.organization}」的营业日历", "C-02")
    if not season.is_active:
        raise ValidationFailed("该季节已停用", code="inactive", clause="C-02")
    before = audit.snapshot(season, SEASON_FIELDS)
    cleaned = _clean_season({**before, **fields})
    _refuse_rewriting_past_season(season=season, before=before, cleaned=cleaned)
    _lock_organization(season.organization)
    _refuse_overlap(
        organization=season.organization, start=cleaned["start_date"], end=cleaned["end_date"], exclude_pk=season.pk
    )
    for name, value in cleaned.items():
        setattr(season, name, value)
    changes = audit.diff(season, before, SEASON_FIELDS)
    if not changes:
        raise ValidationFailed("没有需要保存的变更", code="no_change", clause="C-02")
    full_clean_or_raise(season)
    season.save(update_fields=[*changes, "updated_at"])
    audit.record(actor=actor, verb="workcalendar.season.updated", target=season, changes=changes, clause="C-02")
    return season


def _refuse_rewriting_past_season(*, season: Season, before: dict[str, Any], cleaned: dict[str, Any]) -> None:
    """Once a season has started, only its name and a future end date may change (the past stays as it was);
    a season still ahead may change freely, but not start in the past."""
    from servicecenter.policy.values import local_today

    today = local_today(season.organization)
    if before["start_date"] >= today:
        if cleaned["start_date"] < today:
            _refuse_past(
                organization=season.organization, day=cleaned["start_date"], clause="C-02", what="季节开始日期"
            )
        return
    changed = {name for name in SEASON_FIELDS if cleaned[name] != before[name]}
    if changed - {"name", "end_date"} or ("end_date" in changed and cleaned["end_date"] < today):
        field = "end_date" if changed <= {"name", "end_date"} else "start_date"
        raise ValidationFailed(
            f"该季节已于 {before['start_date']:%Y-%m-%d} 开始：只能修改名称，"
            f"或把结束日期改为今天（{today:%Y-%m-%d}）或以后",
            fields={field: ["已开始的季节不能追溯修改"]},
            code="backdating_refused",
            clause="C-02",
        )


@transaction.atomic
def season_deactivate(*, actor: Any, season: Season, note: str = "") -> Season:
    """Withdraw a season (C-02): from now on its dates follow the regular hours (or a parent's season).

    Audit: `workcalendar.season.deactivated`.
    """
    season = Season.objects.select_for_update().select_related("organization").get(pk=season.pk)
    _require(actor, season.organization, f"您没有权限修改「{season.organization}」的营业日历", "C-02")
    if not season.is_active:
        raise ValidationFailed("该季节已停用", code="no_change", clause="C-02")
    _refuse_past(
        organization=season.organization,
        day=season.start_date,
        clause="C-02",
        what="已开始的季节不能撤销（可把结束日期改为今天或以后以提前结束）；季节开始日期",
    )
    return _withdraw(season, actor=actor, verb="workcalendar.season.deactivated", clause="C-02", note=note)


# --------------------------------------------------------------------------------------------- overrides (C-01)


@transaction.atomic
def override_set(
    *,
    actor: Any,
    organization: Organization,
    date: date,
    is_open: bool,
    name: str,
    periods: list[list[str]] | None = None,
) -> DateOverride:
    """Decide one date of `organization`'s calendar (C-01): closed, or open — with `periods`, or (None) with the
    regular periods even on a weekend or holiday. Replaces the organization's active override of that date.

    Audit: `workcalendar.override.set` with the old and new decision. Refused when nothing would change.
    """
    _require(actor, organization, f"您没有权限修改「{organization}」的营业日历", "C-01")
    day = _check_date(date, "date", "日期")
    _refuse_past(organization=organization, day=day, clause="C-01", what="特殊安排的日期")
    name = _check_text(name, "name", "事由", 100)
    is_open = bool(is_open)
    cleaned_periods = _check_periods(periods) if (is_open and periods) else None
    organization = _lock_organization(organization)
    current = DateOverride.objects.filter(organization=organization, date=day, is_active=True).first()
    before = audit.snapshot(current, OVERRIDE_FIELDS) if current else dict.fromkeys(OVERRIDE_FIELDS)
    if current is not None and (current.is_open, current.periods, current.name) == (is_open, cleaned_periods, name):
        raise ValidationFailed(f"{day:%Y-%m-%d} 已有相同的特殊安排", code="no_change", clause="C-01")
    if current is not None:
        current.is_active = False
        current.save(update_fields=["is_active", "updated_at"])
    override = DateOverride(organization=organization, date=day, is_open=is_open, periods=cleaned_periods, name=name)
    full_clean_or_raise(override)
    _save_new(override, f"{day:%Y-%m-%d} 的特殊安排刚被他人修改，请刷新后重试")
    audit.record(
        actor=actor,
        verb="workcalendar.override.set",
        target=override,
        changes=audit.diff(override, before, OVERRIDE_FIELDS),
        clause="C-01",
    )
    return override


@transaction.atomic
def override_remove(*, actor: Any, override: DateOverride, note: str = "") -> DateOverride:
    """Withdraw a one-day override (deactivated, kept for history): the date follows its normal rules again.

    Audit: `workcalendar.override.removed`.
    """
    override = DateOverride.objects.select_for_update().select_related("organization").get(pk=override.pk)
    _require(actor, override.organization, f"您没有权限修改「{override.organization}」的营业日历", "C-01")
    if not override.is_active:
        raise ValidationFailed("该特殊安排已撤销", code="no_change", clause="C-01")
    _refuse_past(organization=override.organization, day=override.date, clause="C-01", what="特殊安排的日期")
    return _withdraw(override, actor=actor, verb="workcalendar.override.removed", clause="C-01", note=note)


# --------------------------------------------------------------------------------------------- statutory days


@transaction.atomic
def holiday_add(
    *, actor: Any, organization: Organization | None, date: date, name: str, is_workday: bool = False
) -> StatutoryHoliday:
    """Enter a statutory holiday (or, `is_workday`, a make-up workday 调休) for a year chinesecalendar does not
    cover yet (or to correct it). `organization` is the root of a tree (the company) — the entry applies to the
    whole tree — or None for the whole installation (superusers only).

    Preconditions: change_calendar over the root; a make-up workday falls on a Saturday or Sunday; no active entry
    for that date at that level. Audit: `workcalendar.holiday.added` (C-01).
    """
    user = _user_of(actor)
    if organization is None:
        if actor is not None and not (getattr(user, "is_authenticated", False) and user.is_superuser):
            raise NotAllowed("只有系统超级管理员可以录入全系统的法定节假日", clause="C-01")
    else:
        if organization.parent_id is not None:
            raise ValidationFailed(
                "法定节假日在组织树的最上级（公司）录入，适用于整个公司", fields={"organization": ["请选择公司"]}
            )
        _require(actor, organization, f"您没有权限为「{organization}」录入法定节假日", "C-01")
    day = _check_date(date, "date", "日期")
    if organization is not None:
        _refuse_past(organization=organization, day=day, clause="C-01", what="节假日日期")
    name = _check_text(name, "name", "节日名称", 50)
    is_workday = bool(is_workday)
    if is_workday and day.weekday() < 5:
        raise ValidationFailed(
            "调休上班日应为周六或周日（周一至周五本来就是工作日）",
            fields={"is_workday": ["应为周六或周日"]},
            clause="C-01",
        )
    if organization is not None:
        organization = _lock_organization(organization)
    existing = StatutoryHoliday.objects.filter(organization=organization, date=day, is_active=True).first()
    if existing is not None:
        raise ValidationFailed(
            f"{day:%Y-%m-%d} 已录入「{existing}」，如需更改请先删除", fields={"date": ["该日期已录入"]}, clause="C-01"
        )
    holiday = StatutoryHoliday(organization=organization, date=day, name=name, is_workday=is_workday)
    full_clean_or_raise(holiday)
    _save_new(holiday, f"{day:%Y-%m-%d} 刚被他人录入，请刷新后查看")
    audit.record(
        actor=actor,
        verb="workcalendar.holiday.added",
        target=holiday,
        organization=organization,
        changes={"date": [None, day], "name": [None, name], "is_workday": [None, is_workday]},
        clause="C-01",
    )
    return holiday


@transaction.atomic
def holiday_remove(*, actor: Any, holiday: StatutoryHoliday, note: str = "") -> StatutoryHoliday:
    """Withdraw an admin-entered statutory day (deactivated, kept for history).

    Audit: `workcalendar.holiday.removed`.
    """
    holiday = StatutoryHoliday.objects.select_for_update(of=("self",)).select_related("organization").get(pk=holiday.pk)
    user = _user_of(actor)
    if holiday.organization is None:
        if actor is not None and not (getattr(user, "is_authenticated", False) and user.is_superuser):
            raise NotAllowed("只有系统超级管理员可以修改全系统的法定节假日", clause="C-01")
    else:
        _require(actor, holiday.organization, f"您没有权限修改「{holiday.organization}」的法定节假日", "C-01")
    if not holiday.is_active:
        raise ValidationFailed("该节假日已删除", code="no_change", clause="C-01")
    if holiday.organization is not None:
        _refuse_past(organization=holiday.organization, day=holiday.date, clause="C-01", what="节假日日期")
    return _withdraw(
        holiday,
        actor=actor,
        verb="workcalendar.holiday.removed",
        clause="C-01",
        note=note,
        organization=holiday.organization,
    )
