"""The rules of leave (REQUIREMENTS.md §3.3 LEV, ATT-06, ATT-14, C-03, C-04, C-23, G-14) as pure functions.

Nothing here reads the database: services load the calendar, parameter values and the person's other requests and
ask these functions. A refusal raises `ValidationFailed` / `Conflict` with a Chinese message and the clause; a
computed answer carries its citation.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Any, Final

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from servicecenter.approvals.policies import Route, route_from_bands
from servicecenter.core.errors import Conflict, ValidationFailed
from servicecenter.core.policy import implements

from .choices import Half, LeaveKind

HALF: Final = Decimal("0.5")
ONE: Final = Decimal("1")
ZERO: Final = Decimal("0")
# The boundary between the morning and the afternoon half of a local day (both D01's 08:30–20:00 day and D19's
# 08:30–11:30 / 14:30–17:30 split day fall on either side of it).
NOON: Final = time(12, 0)


# ------------------------------------------------------------------------------------------------ time and days


def half_day_bounds(
    *, start_date: date, start_half: str, end_date: date, end_half: str, zone: tzinfo
) -> tuple[datetime, datetime]:
    """The aware instants of a date-based leave: morning starts at local 00:00, afternoon at 12:00; a leave ending
    in the morning ends at 12:00, one ending in the afternoon at the next local midnight."""
    start_clock = time(0, 0) if start_half == Half.AM else NOON
    starts_at = datetime.combine(start_date, start_clock, tzinfo=zone)
    if end_half == Half.AM:
        ends_at = datetime.combine(end_date, NOON, tzinfo=zone)
    else:
        ends_at = datetime.combine(end_date + timedelta(days=1), time(0, 0), tzinfo=zone)
    return starts_at, ends_at


def local_halves(*, starts_at: datetime, ends_at: datetime, zone: tzinfo) -> tuple[date, str, date, str]:
    """The local dates and halves a timed leave (leave-post, official outing) touches."""
    start_local = starts_at.astimezone(zone)
    end_local = (ends_at - timedelta(microseconds=1)).astimezone(zone)
    return (
        start_local.date(),
        Half.AM if start_local.time() < NOON else Half.PM,
        end_local.date(),
        Half.AM if end_local.time() < NOON else Half.PM,
    )


def check_order(*, starts_at: datetime, ends_at: datetime, start_date: date, end_date: date) -> None:
    """End before (or at) start is an input error, named on the end field."""
    if end_date < start_date or ends_at <= starts_at:
        message = _("结束时间不能早于开始时间")
        raise ValidationFailed(message, fields={"end_date": [message]})


def days_per_date(
    *, open_days: Mapping[date, bool], start_date: date, start_half: str, end_date: date, end_half: str
) -> dict[date, Decimal]:
    """The leave days of each working date of the center (C-03: durations in half days).

    `open_days[d]` says whether the center works on local date `d` (the business calendar: a holiday of a gov hall
    is not a working day, a make-up workday 调休 is). A first day starting in the afternoon and a last day ending in
    the morning count half a day; every other working day of the range counts one; closed days count nothing.
    """
    result: dict[date, Decimal] = {}
    day = start_date
    while day <= end_date:
        if open_days.get(day, False):
            amount = ONE
            if day == start_date and start_half == Half.PM:
                amount -= HALF
            if day == end_date and end_half == Half.AM:
                amount -= HALF
            if amount > 0:
                result[day] = amount
        day += timedelta(days=1)
    return result


def timed_days(*, working_minutes: float, workday_hours: int) -> Decimal:
    """A leave-post or official outing in half-day steps: its working minutes rounded up to half workdays."""
    if working_minutes <= 0:
        return ZERO
    half_day_minutes = max(1, workday_hours) * 60 / 2
    return HALF * math.ceil(working_minutes / half_day_minutes)


def require_days(days: Decimal) -> None:
    """A leave of 0 days (e.g. only on days the center is closed) is refused."""
    if days <= 0:
        message = _("所选时间内没有工作日，请假天数为 0，无需请假")
        raise ValidationFailed(message, fields={"end_date": [message]})


def format_days(days: Decimal) -> str:
    text = f"{Decimal(days).normalize():f}"
    return text


@dataclass(frozen=True)
class Span:
    """Another request of the same person: its id, dates (for the message) and instants."""

    request_id: int
    kind_label: str
    starts_at: datetime
    ends_at: datetime
    label: str  # e.g. «2026-12-03 上午 至 2026-12-04 下午»


def check_overlap(*, starts_at: datetime, ends_at: datetime, others: Iterable[Span]) -> None:
    """A leave that overlaps another submitted or approved leave of the same person is refused, naming the dates."""
    clashes = [span for span in others if span.starts_at < ends_at and starts_at < span.ends_at]
    if clashes:
        named = "；".join(f"{span.kind_label} {span.label}（#{span.request_id}）" for span in clashes[:3])
        message = _("与已提交或已批准的请假时间冲突：%(dates)s") % {"dates": named}
        raise Conflict(message, fields={"start_date": [message]})


# ------------------------------------------------------------------------------------------------ rules by kind


@dataclass(frozen=True)
class PersonalCap:
    days: Decimal
    scope: str  # request | month | year


def parse_personal_cap(raw: Any) -> PersonalCap:
    """The `leave.personal_max_days` value: {"days": 6, "scope": "month"} (C-04); a bad value is the seed default."""
    try:
        days = Decimal(str(raw.get("days")))
        scope = str(raw.get("scope") or "month")
    except (AttributeError, ArithmeticError, ValueError):
        return PersonalCap(Decimal(6), "month")
    if scope not in ("request", "month", "year") or not days.is_finite():
        return PersonalCap(Decimal(6), "month")
    return PersonalCap(days, scope)


SCOPE_LABELS: Final = {"request": gettext_lazy("每次"), "month": gettext_lazy("每月"), "year": gettext_lazy("每年")}


@implements("LEV-03", "C-04")
def check_personal_cap(
    *, cap: PersonalCap, requested: Mapping[date, Decimal], taken: Mapping[date, Decimal], citation: str
) -> None:
    """LEV-03 / C-04: personal leave at most `cap.days` per request, per calendar month or per calendar year.

    `requested` are this request's days per date, `taken` the person's other submitted or approved personal-leave
    days per date (only the periods this request touches matter). Over the cap → refused at submission.
    """
    total = sum(requested.values(), ZERO)
    if cap.scope == "request":
        buckets = {"": (total, ZERO)}
    else:

        def key(day: date) -> str:
            return f"{day:%Y-%m}" if cap.scope == "month" else f"{day:%Y}"

        buckets = {}
        for day, amount in requested.items():
            mine, _other = buckets.get(key(day), (ZERO, ZERO))
            buckets[key(day)] = (mine + amount, ZERO)
        for day, amount in taken.items():
            if key(day) in buckets:
                mine, other = buckets[key(day)]
                buckets[key(day)] = (mine, other + amount)
    for period, (mine, other) in sorted(buckets.items()):
        if mine + other > cap.days:
            where = f"{period} " if period else ""
            message = _(
                "事假超过上限：%(where)s%(scope)s最多 %(cap)s 天，已有 %(other)s 天，本次 %(mine)s 天（%(citation)s）"
            ) % {
                "where": where,
                "scope": str(SCOPE_LABELS[cap.scope]),
                "cap": format_days(cap.days),
                "other": format_days(other),
                "mine": format_days(mine),
                "citation": citation,
            }
            raise ValidationFailed(message, fields={"end_date": [message]}, clause="LEV-03")


@implements("LEV-04")
def rest_days_left_value(*, quota: int, personal_days: Decimal, offsets: bool) -> Decimal:
    """LEV-04: rest days left in a month = monthly rest quota − personal-leave days (never below 0), when the
    center offsets personal leave against rest days (`leave.personal_offsets_rest_days`); else the quota."""
    if not offsets:
        return Decimal(quota)
    return max(ZERO, Decimal(quota) - personal_days)


@implements("LEV-05")
def check_sick_length(*, days: Decimal, max_days: int, special_case: bool, special_reason: str, citation: str) -> None:
    """LEV-05: sick leave of more than `leave.sick_max_days` only as a special case with a written reason."""
    if days <= max_days:
        return
    if not special_case:
        message = _("病假超过 %(max)s 天须按特殊情况申请：请勾选“特殊情况”并写明原因（%(citation)s）") % {
            "max": max_days,
            "citation": citation,
        }
        raise ValidationFailed(message, fields={"special_case": [message]}, clause="LEV-05")
    if not special_reason.strip():
        message = _("请写明特殊情况的原因")
        raise ValidationFailed(message, fields={"special_reason": [message]}, clause="LEV-05")


@implements("LEV-05")
def sick_special_route(*, route: Route, bands: Sequence[Mapping[str, Any]], max_days: int) -> Route:
    """LEV-05: a special-case sick leave goes to the next-higher approver: the band above the one that takes a
    normal sick leave of `max_days`; where there is none (D01: 3 days is the top band) the top band's approver,
    as the C-03 route already chose."""
    normal = route_from_bands(quantity=Decimal(max_days), bands=bands)
    index = next((i for i, band in enumerate(bands) if tuple(band["approvers"]) == normal.steps), len(bands) - 1)
    if index + 1 < len(bands) and not route.flag:
        higher = bands[index + 1]
        steps = tuple(higher["approvers"])
        if steps != route.steps:
            route = replace(route, steps=steps, notify=tuple(higher.get("notify") or ()))
    return replace(route, clause=f"{route.clause}、LEV-05" if route.clause else "LEV-05")


@implements("LEV-06")
def certificate_refusal(*, kind: str, has_certificate: bool, required: bool, citation: str) -> str:
    """LEV-06: sick leave cannot be approved without a doctor's certificate; returns the refusal ("" = fine)."""
    if kind != LeaveKind.SICK or not required or has_certificate:
        return ""
    return _("病假须附医生开具的病历证明后方可批准：请申请人先上传证明（%(citation)s）") % {"citation": citation}


def service_years(*, hire_date: date, on: date) -> int:
    """Completed years of service on `on` (a person hired on 29 Feb completes a year on 28 Feb)."""
    years = on.year - hire_date.year
    try:
        anniversary = hire_date.replace(year=on.year)
    except ValueError:
        anniversary = date(on.year, 2, 28)
    return years - (1 if on < anniversary else 0)


@implements("LEV-07")
def check_annual(
    *,
    hire_date: date | None,
    today: date,
    first_day: date,
    min_years: int,
    notice_days: int,
    citation: str,
) -> None:
    """LEV-07: annual leave only for staff with ≥ `min_years` completed years of service on the day they ask, and
    asked ≥ `notice_days` before the first leave day."""
    if hire_date is None:
        message = _("未登记入职日期，无法计算工龄，请联系管理员")
        raise ValidationFailed(message, fields={"kind": [message]}, clause="LEV-07")
    years = service_years(hire_date=hire_date, on=today)
    if years < min_years:
        message = _("年休假须工龄满 %(years)s 年（入职日期 %(hired)s）（%(citation)s）") % {
            "years": min_years,
            "hired": f"{hire_date:%Y-%m-%d}",
            "citation": citation,
        }
        raise ValidationFailed(message, fields={"kind": [message]}, clause="LEV-07")
    if (first_day - today).days < notice_days:
        message = _("年休假须提前 %(days)s 天申请，最早可从 %(first)s 开始（%(citation)s）") % {
            "days": notice_days,
            "first": f"{today + timedelta(days=notice_days):%Y-%m-%d}",
            "citation": citation,
        }
        raise ValidationFailed(message, fields={"start_date": [message]}, clause="LEV-07")


@dataclass(frozen=True)
class EntitlementRow:
    min_service_years: int
    days: Decimal


@implements("G-14")
def annual_entitlement(*, rows: Sequence[EntitlementRow], years: int) -> Decimal | None:
    """G-14: the days of the center's table row with the largest `min_service_years` ≤ `years`; None when the
    center has entered no table (then annual leave cannot be granted: the table must be entered first)."""
    if not rows:
        return None
    fitting = [row for row in rows if row.min_service_years <= years]
    if not fitting:
        return ZERO
    return max(fitting, key=lambda row: row.min_service_years).days


def check_annual_balance(*, entitlement: Decimal | None, taken: Decimal, requested: Decimal) -> None:
    """G-14: annual leave within the year's balance (entitlement − taken)."""
    if entitlement is None:
        message = _("本中心尚未录入年休假标准，请中心经理先在“年休假标准”中录入")
        raise ValidationFailed(message, fields={"kind": [message]}, clause="G-14")
    balance = entitlement - taken
    if requested > balance:
        message = _("年休假余额不足：全年 %(total)s 天，已用 %(taken)s 天，剩余 %(left)s 天") % {
            "total": format_days(entitlement),
            "taken": format_days(taken),
            "left": format_days(max(ZERO, balance)),
        }
        raise ValidationFailed(message, fields={"end_date": [message]}, clause="G-14")


@implements("ATT-06")
def check_leave_post_in_advance(*, now: datetime, starts_at: datetime) -> None:
    """ATT-06: a temporary leave-post must be approved before the absence starts: asking after the start is
    refused (the absence is then unapproved, LEV-08)."""
    if starts_at <= now:
        message = _("临时离岗须在离岗前提出并经批准，开始时间已过，不能补办")
        raise ValidationFailed(message, fields={"starts_at": [message]}, clause="ATT-06")


@implements("ATT-14", "C-23")
def check_event_in_advance(*, now: datetime, starts_at: datetime) -> None:
    """ATT-14 / C-23: leave from a company event (training, team-building, meeting) must be submitted before the
    event starts."""
    if starts_at <= now:
        message = _("活动请假须在活动开始前提交，活动已开始，不能补办")
        raise ValidationFailed(message, fields={"start_date": [message]}, clause="ATT-14")


@implements("LEV-14")
def check_outing_details(*, destination: str, purpose: str, expected_return_at: datetime | None) -> None:
    """LEV-14: an official outing records where, why and when the person expects to be back."""
    fields: dict[str, list[str]] = {}
    if not destination.strip():
        fields["destination"] = [_("请填写外出地点")]
    if not purpose.strip():
        fields["purpose"] = [_("请填写外出事由")]
    if expected_return_at is None:
        fields["expected_return_at"] = [_("请填写预计返回时间")]
    if fields:
        raise ValidationFailed(_("因公外出须填写地点、事由和预计返回时间"), fields=fields, clause="LEV-14")


@implements("LEV-11")
def check_written_form(*, form: str, handover_note: str, reason: str) -> None:
    """LEV-11: a band that requires the written form (gov hall ≥ 2 days) needs the reason and the work handover."""
    if form != "written":
        return
    fields: dict[str, list[str]] = {}
    if not reason.strip():
        fields["reason"] = [_("书面请假须写明事由")]
    if not handover_note.strip():
        fields["handover_note"] = [_("书面请假须写明工作交接安排")]
    if fields:
        raise ValidationFailed(_("请假两天以上须书面申请：请填写事由和工作交接"), fields=fields, clause="LEV-11")


@implements("LEV-01", "LEV-02", "LEV-10", "LEV-11", "C-03", "C-23")
def leave_route(*, days: Decimal, bands: Sequence[Mapping[str, Any]], citation: str) -> Route:
    """LEV-01/02 (D01), LEV-10/11 (D19) through C-03: the approvers of the first band whose
    max_days ≥ the leave's days (half-day steps), its notify list (渠道部 for D01 > 1 day), its form; no band → the
    highest band's approver flagged «无匹配规则». Every kind (event leave and official outing included, C-23)
    takes the center's bands."""
    route = route_from_bands(quantity=days, bands=bands)
    clause = (
        "LEV-10、LEV-11、C-03"
        if route.form == "written" or "leader_in_charge" in route.steps
        else "LEV-01、LEV-02、C-03"
    )
    if citation.startswith("依据 ") and "：" in citation:
        # the parameter cites all its IDs (LEV-01、LEV-02、C-03); the route cites the ones that chose it
        citation = f"依据 {clause}：{citation.split('：', 1)[1]}"
    return replace(route, clause=clause, citation=citation)
