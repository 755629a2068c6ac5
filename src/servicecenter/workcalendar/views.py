"""The calendar page «营业日历»: a center's month grid, its regular hours and where they come from, seasons,
one-day overrides, admin-entered statutory days, and a working-time calculator (the selectors' API made visible).

Views only parse, load through selectors (deny = 404), call a service and render (STYLE.md §2.9). The add and
withdraw actions are POSTs answered with the re-rendered section for htmx (200, errors included, plus the
`calendarChanged` trigger that refreshes the month grid) and with a redirect (or the page with the form's errors)
without htmx.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from servicecenter.core.errors import DomainError
from servicecenter.core.htmx import HtmxHttpRequest
from servicecenter.org.models import Organization
from servicecenter.policy.values import local_today, zone_of

from . import selectors, services
from .engine import NoWorkingTimeError
from .forms import CalculatorForm, HolidayForm, OverrideForm, SeasonForm

SECTIONS = {
    "seasons": "workcalendar/_partials/seasons.html",
    "overrides": "workcalendar/_partials/overrides.html",
    "holidays": "workcalendar/_partials/holidays.html",
}
OVERRIDES_AHEAD = 366  # days of overrides listed after the first day of the shown month


# --------------------------------------------------------------------------------------------- parsing


def _month_of(text: str | None, today: date) -> tuple[int, int, bool]:
    """`2026-10` → (2026, 10, True); anything else → today's month and False."""
    try:
        year_text, month_text = (text or "").split("-")
        year, month = int(year_text), int(month_text)
        if 1970 <= year <= 2100 and 1 <= month <= 12:
            return year, month, True
    except ValueError:
        pass
    return today.year, today.month, False


def _page_organization(request: HtmxHttpRequest, raw: str | None) -> Organization:
    """?org= (404 when not visible), else the user's own center; 403 when the user may view no calendar."""
    if raw:
        return selectors.access_calendar_organization(user=request.user, pk=raw)
    organization = selectors.default_calendar_organization(user=request.user)
    if organization is None:
        raise PermissionDenied
    return organization


def _calendar_url(organization: Organization, year: int, month: int, anchor: str = "") -> str:
    query = urlencode({"org": organization.pk, "month": f"{year:04d}-{month:02d}"})
    return f"{reverse('workcalendar:calendar')}?{query}{anchor}"


def _parameter_url(key: str, organization: Organization) -> str | None:
    """The policy page of a parameter for this organization, when the policy app provides it."""
    try:
        return f"{reverse('policy:parameter_detail', kwargs={'key': key})}?org={organization.pk}"
    except NoReverseMatch:
        return None


# --------------------------------------------------------------------------------------------- contexts


def _section_context(request: HtmxHttpRequest, organization: Organization, year: int, month: int) -> dict[str, Any]:
    """What the seasons, overrides and holidays sections show (also re-rendered alone after an htmx POST).

    Days already gone cannot be rewritten (C-01/C-02): the date inputs start at the local today, a started season
    or a past day's override shows no withdraw button, and the override form proposes no past date."""
    user = request.user
    first = date(year, month, 1)
    today = local_today(organization)
    seasons = list(selectors.season_list_for(organization=organization, since=date(year - 1, 1, 1)))
    overrides = list(
        selectors.override_list_for(organization=organization, start=first, end=first + timedelta(days=OVERRIDES_AHEAD))
    )
    holidays = list(selectors.holiday_list_for(organization=organization, since=date(year, 1, 1)))
    for row, first_day in [*((s, s.start_date) for s in seasons), *((o, o.date) for o in overrides)]:
        row.inherited = row.organization_id != organization.pk
        # a started season or a past day's override is history: the services refuse to withdraw it
        row.can_withdraw = first_day >= local_today(row.organization) and selectors.can_change_calendar(
            user=user, organization=row.organization
        )
    for season in seasons:
        # a running season of this organization can be ended early: its end date moves to today or later (C-02)
        season.can_end = (
            not season.inherited
            and season.start_date < today <= season.end_date
            and selectors.can_change_calendar(user=user, organization=season.organization)
        )
    can_change_holidays = selectors.can_change_holidays(user=user, organization=organization)
    for holiday in holidays:
        holiday.can_withdraw = user.is_superuser if holiday.organization is None else can_change_holidays
    return {
        "organization": organization,
        "month_value": f"{year:04d}-{month:02d}",
        "seasons": seasons,
        "overrides": overrides,
        "holidays": holidays,
        "can_change": selectors.can_change_calendar(user=user, organization=organization),
        "can_change_holidays": can_change_holidays,
        "season_form": SeasonForm(today=today),
        "override_form": OverrideForm(initial={"date": max(first, today)}, today=today),
        "holiday_form": HolidayForm(today=today),
    }


def _regular_hours(center: selectors.CenterCalendar, organization: Organization) -> list[dict[str, Any]]:
    """The regular-hours parameters in force: label, value in words, origin, link to the parameter page."""
    rows = []
    heating_relevant = center.values[selectors.RTC_IN_SEASON] or center.values[selectors.HEATING_SEASON]
    for key in selectors.CALENDAR_PARAMETERS:
        if key == selectors.HEATING_SEASON and not heating_relevant:
            continue  # no 24-hour duty in the heating season here: its dates would only be noise
        pv = center.parameters[key]
        shown = center.values[key]
        if pv.spec.choices:
            text = dict(pv.spec.choices).get(shown, pv.spec.display(shown))
        else:
            text = pv.spec.display(shown)
        rows.append(
            {
                "key": key,
                "label": pv.spec.label,
                "text": text,
                "origin": pv.origin,
                "url": _parameter_url(key, organization),
            }
        )
    return rows


def _page_context(
    request: HtmxHttpRequest, organization: Organization, year: int, month: int, **forms: Any
) -> dict[str, Any]:
    today = local_today(organization)
    view = selectors.month_view(organization=organization, year=year, month=month, today=today)
    center = view.center
    first = view.first
    previous = first - timedelta(days=1)
    following = first + timedelta(days=32)
    context = _section_context(request, organization, year, month)
    heating_wanted = center.values[selectors.RTC_IN_SEASON] and not center.values[selectors.ROUND_THE_CLOCK_KEY]
    context.update(
        {
            "view": view,
            "weekdays": selectors.WEEKDAY_LABELS,
            "today": today,
            "center": center,
            "regular_hours": _regular_hours(center, organization),
            "profile_citation": center.profile_citation,
            "heating_missing": heating_wanted and not center.values[selectors.HEATING_SEASON],
            "heating_url": _parameter_url(selectors.HEATING_SEASON, organization),
            "switcher": selectors.calendar_switcher_choices(user=request.user, current=organization),
            "grid_url": _calendar_url(organization, year, month),
            "previous_url": _calendar_url(organization, previous.year, previous.month),
            "next_url": _calendar_url(organization, following.year, following.month),
            "this_month_url": _calendar_url(organization, today.year, today.month),
            "is_this_month": (today.year, today.month) == (year, month),
        }
    )
    context.update(_calc_defaults(organization))
    context.update(forms)
    return context


def _posted_month(request: HtmxHttpRequest, organization: Organization) -> tuple[int, int]:
    year, month, _valid = _month_of(request.POST.get("month"), local_today(organization))
    return year, month


def _section_response(
    request: HtmxHttpRequest, organization: Organization, section: str, *, changed: bool, **forms: Any
) -> HttpResponse:
    """htmx: the section (200) with the calendarChanged trigger after a change. Plain POST: back to the page after
    a change, or the whole page with the form's errors (200)."""
    year, month = _posted_month(request, organization)
    if request.htmx:
        context = _section_context(request, organization, year, month)
        context.update(forms)
        response = render(request, SECTIONS[section], context)
        if changed:
            response["HX-Trigger"] = "calendarChanged"
        return response
    if changed:
        return redirect(_calendar_url(organization, year, month, f"#{section}"))
    return render(request, "workcalendar/calendar.html", _page_context(request, organization, year, month, **forms))


def _page_org_for_row(request: HtmxHttpRequest, fallback: Organization) -> Organization:
    """The calendar page a withdraw button was pressed on (hidden `org`), when visible; else the row's own."""
    raw = request.POST.get("org")
    if raw:
        try:
            return selectors.access_calendar_organization(user=request.user, pk=raw)
        except Http404:  # a stale or foreign page id: show the row's own organization instead
            pass
    return fallback


# --------------------------------------------------------------------------------------------- pages


@require_GET
@login_required
def calendar_view(request: HtmxHttpRequest) -> HttpResponse:
    """营业日历: the month grid (?month=2026-10) of a center (?org=, default the user's own), its regular hours,
    seasons, overrides and statutory days, the coverage warning, and the calculator."""
    organization = _page_organization(request, request.GET.get("org"))
    year, month, valid = _month_of(request.GET.get("month"), local_today(organization))
    if request.GET.get("month") and not valid:
        messages.warning(request, _("月份格式应为 2026-10，已显示本月"))
    return render(request, "workcalendar/calendar.html", _page_context(request, organization, year, month))


@require_GET
@login_required
def calculate_view(request: HtmxHttpRequest) -> HttpResponse:
    """计算器: start + minutes → due time (mode=add), or two instants → working minutes (mode=between), with the
    citation. htmx gets the calculator card; a plain GET the whole page with the result."""
    organization = _page_organization(request, request.GET.get("org"))
    tz = zone_of(organization)
    form = CalculatorForm(request.GET, tz=tz)
    result: dict[str, Any] | None = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["mode"] == "add":
                answer = selectors.add_working_minutes(
                    organization=organization, start=data["start"], minutes=data["minutes"]
                )
                result = {"mode": "add", "due": answer.value, "citation": answer.citation}
            else:
                answer = selectors.working_minutes_between(
                    organization=organization, start=data["start"], end=data["end"]
                )
                minutes = answer.value
                result = {
                    "mode": "between",
                    "minutes": int(minutes) if float(minutes).is_integer() else round(minutes, 2),
                    "hours": round(minutes / 60, 2),
                    "citation": answer.citation,
                }
        except NoWorkingTimeError:
            form.add_error(None, _("该中心在此后两年内没有营业时间，无法计算"))
        except ValueError as exc:
            form.add_error(None, str(exc))
    mode = form.data.get("mode") if form.data.get("mode") in {"add", "between"} else "add"
    forms = {"calc_form" if mode == "add" else "calc_between_form": form, "calc_result": result, "calc_mode": mode}
    if request.htmx:
        return render(
            request,
            "workcalendar/_partials/calculator.html",
            {"organization": organization, **_calc_defaults(organization), **forms},
        )
    year, month, _valid = _month_of(request.GET.get("month"), local_today(organization))
    return render(request, "workcalendar/calendar.html", _page_context(request, organization, year, month, **forms))


def _calc_defaults(organization: Organization) -> dict[str, Any]:
    now = timezone.now().astimezone(zone_of(organization)).replace(second=0, microsecond=0, tzinfo=None)
    tz = zone_of(organization)
    return {
        "calc_form": CalculatorForm(
            initial={"mode": "add", "start": now.isoformat(timespec="minutes"), "minutes": 240}, tz=tz
        ),
        "calc_between_form": CalculatorForm(
            initial={
                "mode": "between",
                "start": now.isoformat(timespec="minutes"),
                "end": (now + timedelta(days=1)).isoformat(timespec="minutes"),
            },
            tz=tz,
        ),
    }


# --------------------------------------------------------------------------------------------- actions


@require_POST
@login_required
def season_create_view(request: HtmxHttpRequest, org_id: int) -> HttpResponse:
    """Add a season (C-02) to the organization's calendar; change_calendar over it, else 404."""
    organization = selectors.access_calendar_organization(
        user=request.user, pk=org_id, permission=selectors.CHANGE_CALENDAR
    )
    today = local_today(organization)
    form = SeasonForm(request.POST, today=today)
    changed = False
    if form.is_valid():
        try:
            season = services.season_create(actor=request.user, organization=organization, **form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            changed = True
            messages.success(request, _("已添加季节「%(name)s」") % {"name": season})
            form = SeasonForm(today=today)
    return _section_response(request, organization, "seasons", changed=changed, season_form=form)


@require_POST
@login_required
def season_deactivate_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Withdraw a season; change_calendar over its organization, else 404."""
    season = selectors.access_season(user=request.user, pk=pk)
    page_org = _page_org_for_row(request, season.organization)
    try:
        services.season_deactivate(actor=request.user, season=season)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _section_response(request, page_org, "seasons", changed=False)
    messages.success(request, _("已停用季节「%(name)s」") % {"name": season})
    return _section_response(request, page_org, "seasons", changed=True)


@require_POST
@login_required
def season_end_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """End a running season early (C-02): its end date moves to the given day (today or later)."""
    season = selectors.access_season(user=request.user, pk=pk)
    page_org = _page_org_for_row(request, season.organization)
    try:
        end = date.fromisoformat(request.POST.get("end_date", ""))
    except ValueError:
        messages.error(request, _("请填写有效的结束日期"))
        return _section_response(request, page_org, "seasons", changed=False)
    try:
        services.season_update(actor=request.user, season=season, end_date=end)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _section_response(request, page_org, "seasons", changed=False)
    messages.success(request, _("季节「%(name)s」将于 %(day)s 结束") % {"name": season, "day": f"{end:%Y-%m-%d}"})
    return _section_response(request, page_org, "seasons", changed=True)


@require_POST
@login_required
def override_create_view(request: HtmxHttpRequest, org_id: int) -> HttpResponse:
    """Decide one date of the organization's calendar (closed / open); change_calendar over it, else 404."""
    organization = selectors.access_calendar_organization(
        user=request.user, pk=org_id, permission=selectors.CHANGE_CALENDAR
    )
    today = local_today(organization)
    form = OverrideForm(request.POST, today=today)
    changed = False
    if form.is_valid():
        try:
            override = services.override_set(actor=request.user, organization=organization, **form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            changed = True
            messages.success(request, _("已设置 %(day)s 的特殊安排") % {"day": f"{override.date:%Y-%m-%d}"})
            form = OverrideForm(initial={"date": override.date}, today=today)
    return _section_response(request, organization, "overrides", changed=changed, override_form=form)


@require_POST
@login_required
def override_deactivate_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Withdraw a one-day override; change_calendar over its organization, else 404."""
    override = selectors.access_override(user=request.user, pk=pk)
    page_org = _page_org_for_row(request, override.organization)
    try:
        services.override_remove(actor=request.user, override=override)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _section_response(request, page_org, "overrides", changed=False)
    messages.success(request, _("已撤销 %(day)s 的特殊安排") % {"day": f"{override.date:%Y-%m-%d}"})
    return _section_response(request, page_org, "overrides", changed=True)


@require_POST
@login_required
def holiday_create_view(request: HtmxHttpRequest, org_id: int) -> HttpResponse:
    """Enter a statutory day for the tree of the shown organization (stored at its root, the company). Needs
    change_calendar over the root (docs/calendar.md); otherwise 404."""
    organization = selectors.access_calendar_organization(user=request.user, pk=org_id)
    if not selectors.can_change_holidays(user=request.user, organization=organization):
        raise Http404
    root = selectors.root_of(organization)
    today = local_today(root)
    form = HolidayForm(request.POST, today=today)
    changed = False
    if form.is_valid():
        try:
            holiday = services.holiday_add(actor=request.user, organization=root, **form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            changed = True
            messages.success(request, _("已录入 %(holiday)s") % {"holiday": holiday})
            form = HolidayForm(today=today)
    return _section_response(request, organization, "holidays", changed=changed, holiday_form=form)


@require_POST
@login_required
def holiday_deactivate_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Withdraw an admin-entered statutory day; change_calendar over its root (installation-wide: superuser)."""
    holiday = selectors.access_holiday(user=request.user, pk=pk)
    fallback = holiday.organization or selectors.default_calendar_organization(user=request.user)
    if fallback is None:
        raise Http404
    page_org = _page_org_for_row(request, fallback)
    try:
        services.holiday_remove(actor=request.user, holiday=holiday)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _section_response(request, page_org, "holidays", changed=False)
    messages.success(request, _("已删除 %(holiday)s") % {"holiday": holiday})
    return _section_response(request, page_org, "holidays", changed=True)
