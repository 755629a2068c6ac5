"""Roster pages: shift templates, the month grid editor (htmx), the printable published roster, my shifts, swaps,
handover notes and the on-call roster. Views parse, load through selectors (deny = 404), call one service and
render; DomainErrors become messages or form errors, never a 500."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicecenter.core.access import has_permission_anywhere
from servicecenter.core.errors import DomainError
from servicecenter.core.htmx import HtmxHttpRequest
from servicecenter.org.models import Organization, Staff
from servicecenter.policy.values import local_today, value
from servicecenter.workcalendar.selectors import WEEKDAY_SHORT

from . import selectors, services
from .forms import HandoverForm, OnCallForm, SwapForm, TemplateForm
from .inputs import planning_for
from .models import OnCallEntry, Roster, RosterStatus, ShiftTemplate
from .policies import workday_hours_flag

PAGE_SIZE = 20
WEEKDAYS = WEEKDAY_SHORT


def _month_arg(year: int, month: int) -> date:
    try:
        return date(int(year), int(month), 1)
    except ValueError:
        raise Http404 from None


def _shift_month(month: date, delta: int) -> date:
    index = month.year * 12 + month.month - 1 + delta
    return date(index // 12, index % 12 + 1, 1)


def _staff(request: HtmxHttpRequest) -> Staff | None:
    return Staff.objects.filter(user_id=request.user.pk or 0).select_related("organization").first()


def _colleagues(staff: Staff | None, center: Organization | None) -> Any:
    if center is None:
        return Staff.objects.none()
    qs = Staff.objects.filter(organization__path__startswith=center.path, status="active").order_by("staff_no")
    return qs.exclude(pk=staff.pk) if staff is not None else qs


def _add_form_errors(form: Any, exc: DomainError) -> None:
    placed = False
    for field, errors in exc.fields.items():
        for error in errors:
            if field in form.fields:
                form.add_error(field, error)
                placed = True
    if not placed:
        form.add_error(None, exc.message)


@login_required
def home_view(request: HtmxHttpRequest) -> HttpResponse:
    """排班: links to my shifts and, for managers, the month editor of each center they manage."""
    staff = _staff(request)
    center = staff.organization.service_center() if staff else None
    today = local_today(center)
    managed = selectors.roster_centers_for(user=request.user, permission=selectors.MANAGE_ROSTER)
    return render(
        request,
        "rosters/home.html",
        {
            "center": center,
            "today": today,
            "next_month": _shift_month(today.replace(day=1), 1),
            "managed": managed,
            "staff": staff,
        },
    )


# ------------------------------------------------------------------------------------------- templates


@login_required
def templates_view(request: HtmxHttpRequest, center_id: int) -> HttpResponse:
    center = selectors.access_center(user=request.user, pk=center_id, permission=selectors.MANAGE_ROSTER)
    edit_id = request.GET.get("edit") or request.POST.get("template_id")
    template = None
    if edit_id:
        template = selectors.templates_for(organization=center).filter(pk=edit_id).first()
        if template is None:
            raise Http404
    if request.method == "POST":
        form = TemplateForm(request.POST)
        if form.is_valid():
            try:
                services.template_save(
                    actor=request.user,
                    organization=center,
                    template_id=template.pk if template else None,
                    **form.service_kwargs(),
                )
            except DomainError as exc:
                _add_form_errors(form, exc)
            else:
                messages.success(request, _("班次模板已保存"))
                return redirect("rosters:templates", center.pk)
    else:
        form = TemplateForm.from_template(template) if template else TemplateForm()
    planning_values = value("attendance.workday_hours", org=center)
    templates = list(selectors.templates_for(organization=center))
    rows = [
        (t, workday_hours_flag(minutes=t.minutes, workday_hours=planning_values.value, check=t.check_workday_hours))
        for t in templates
    ]
    return render(
        request,
        "rosters/templates.html",
        {"center": center, "rows": rows, "form": form, "template": template, "workday": planning_values},
    )


@login_required
@require_POST
def templates_presets_view(request: HtmxHttpRequest, center_id: int) -> HttpResponse:
    center = selectors.access_center(user=request.user, pk=center_id, permission=selectors.MANAGE_ROSTER)
    try:
        created = services.templates_install_presets(actor=request.user, organization=center)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已创建 %(n)s 个预设班次") % {"n": len(created)})
    return redirect("rosters:templates", center.pk)


# ------------------------------------------------------------------------------------------- grid


def _cycle(templates: list[ShiftTemplate]) -> list[str]:
    return [t.code for t in templates if not t.on_call] + [services.REST, ""]


def _grid_context(roster: Roster | None, center: Organization, month: date) -> dict[str, Any]:
    planning = planning_for(organization=center, month=month)
    days = list(planning.problem.days)
    entries = selectors.grid_of(roster) if roster is not None else {}
    leave = {p.id: p.unavailable for p in planning.problem.staff}
    quota = {p.id: p.rest_quota for p in planning.problem.staff}
    rows = []
    for person in planning.staff:
        cells = []
        rests = 0
        for d in days:
            entry = entries.get((person.pk, d.day))
            code = "" if entry is None else (entry.shift.code if entry.shift else services.REST)
            rests += code == services.REST
            cells.append(
                {
                    "day": d.day,
                    "code": code,
                    "label": ("休" if code == services.REST else (entry.shift.label if entry and entry.shift else "")),
                    "leave": d.day in leave.get(person.pk, ()),
                    "reason": entry.reason if entry else "",
                    "staff_id": person.pk,
                }
            )
        rows.append({"staff": person, "cells": cells, "rests": rests, "quota": quota.get(person.pk, 0)})
    conflicts = services.roster_conflicts(roster, planning) if roster is not None else []
    header = [
        {
            "day": d.day,
            "weekday": str(WEEKDAYS[d.day.weekday()]),
            "closed": not d.intervals,
            "note": d.note,
            "rtc": d.round_the_clock,
        }
        for d in days
    ]
    return {
        "roster": roster,
        "center": center,
        "month": month,
        "rows": rows,
        "header": header,
        "conflicts": conflicts,
        "errors": [c for c in conflicts if c.severity == "error"],
        "warnings": [c for c in conflicts if c.severity != "error"],
        "citations": planning.citations,
        "templates": planning.templates,
        "min_staff": planning.problem.min_staff,
    }


@login_required
def editor_view(request: HtmxHttpRequest, center_id: int, year: int, month: int) -> HttpResponse:
    """The month grid: staff × days; a click on a draft cell cycles shift → rest → empty (htmx)."""
    center = selectors.access_center(user=request.user, pk=center_id, permission=selectors.MANAGE_ROSTER)
    first = _month_arg(year, month)
    draft = selectors.draft_roster(organization=center, month=first)
    published = selectors.published_roster(organization=center, month=first)
    shown = draft or published
    context = _grid_context(shown, center, first)
    context.update(
        {
            "draft": draft,
            "published": published,
            "editable": draft is not None,
            "has_entries": draft is not None and draft.entries.exists(),
            "previous": _shift_month(first, -1),
            "next": _shift_month(first, 1),
            "versions": selectors.roster_versions(organization=center, month=first)[:10],
            "centers": selectors.roster_centers_for(user=request.user, permission=selectors.MANAGE_ROSTER),
        }
    )
    return render(request, "rosters/editor.html", context)


@login_required
@require_POST
def draft_open_view(request: HtmxHttpRequest, center_id: int, year: int, month: int) -> HttpResponse:
    center = selectors.access_center(user=request.user, pk=center_id, permission=selectors.MANAGE_ROSTER)
    try:
        services.roster_open_draft(actor=request.user, organization=center, month=_month_arg(year, month))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("rosters:editor", center.pk, year, month)


def _roster_for_manager(request: HtmxHttpRequest, roster_id: int) -> Roster:
    roster = selectors.access_roster(user=request.user, pk=roster_id, permission=selectors.MANAGE_ROSTER)
    return roster


def _editor_url(roster: Roster) -> str:
    return reverse("rosters:editor", args=[roster.organization_id, roster.month.year, roster.month.month])


@login_required
@require_POST
def propose_view(request: HtmxHttpRequest, roster_id: int) -> HttpResponse:
    roster = _roster_for_manager(request, roster_id)
    try:
        result = services.roster_propose(actor=request.user, roster_id=roster.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        unmet = result.proposal.unmet
        if unmet:
            messages.warning(
                request, _("已生成排班建议，但有 %(n)s 项约束未能满足，见右侧冲突列表") % {"n": len(unmet)}
            )
        else:
            messages.success(request, _("已生成排班建议：营业时间全覆盖，公休天数符合额度"))
    return redirect(_editor_url(roster))


@login_required
@require_POST
def publish_view(request: HtmxHttpRequest, roster_id: int) -> HttpResponse:
    roster = _roster_for_manager(request, roster_id)
    try:
        services.roster_publish(
            actor=request.user, roster_id=roster.pk, confirm_warnings=request.POST.get("confirm") == "1"
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_editor_url(roster))
    messages.success(request, _("排班表已发布，员工可在“我的班次”查看"))
    return redirect("rosters:published", roster.organization_id, roster.month.year, roster.month.month)


@login_required
@require_POST
def cell_view(request: HtmxHttpRequest, roster_id: int) -> HttpResponse:
    """htmx: cycle (or set, with `value`) one cell; answers the cell and, out of band, the conflicts panel."""
    roster = _roster_for_manager(request, roster_id)
    try:
        day = date.fromisoformat(request.POST.get("day", ""))
        staff_id = int(request.POST.get("staff", ""))
    except ValueError:
        return HttpResponse(_("参数有误"), status=400)
    templates = list(selectors.templates_for(organization=roster.organization, active_only=True))
    expected: str | None = None
    if "value" in request.POST:
        value = request.POST["value"]
    else:
        cycle = _cycle(templates)
        expected = request.POST.get("current", "")
        value = cycle[(cycle.index(expected) + 1) % len(cycle)] if expected in cycle else cycle[0]
    error = ""
    try:
        services.roster_set_cell(
            actor=request.user, roster_id=roster.pk, staff_id=staff_id, day=day, value=value, expected=expected
        )
    except DomainError as exc:
        error = exc.message
    roster.refresh_from_db()
    context = _grid_context(roster, roster.organization, roster.month)
    row = next((r for r in context["rows"] if r["staff"].pk == staff_id), None)
    if row is None:
        return HttpResponse(_("该员工不属于本中心"), status=400)
    cell = next(c for c in row["cells"] if c["day"] == day)
    context.update({"cell": cell, "row": row, "editable": roster.is_draft, "error": error, "oob": True})
    # 200 even for a refused click: htmx swaps only 2xx answers, and the refreshed cell + message are the answer
    return render(request, "rosters/_partials/cell_response.html", context)


# ------------------------------------------------------------------------------------------- published


@login_required
def published_view(request: HtmxHttpRequest, center_id: int, year: int, month: int) -> HttpResponse:
    """The published roster, printable on A4 landscape for the center's board (ATT-09)."""
    center = selectors.access_center(user=request.user, pk=center_id)
    first = _month_arg(year, month)
    roster = selectors.published_roster(organization=center, month=first)
    context = _grid_context(roster, center, first) if roster is not None else {"center": center, "month": first}
    context.update(
        {
            "published": roster,
            "previous": _shift_month(first, -1),
            "next": _shift_month(first, 1),
            "can_manage": selectors.can_manage(user=request.user, organization=center),
            "on_call": selectors.on_call_for(
                organization=center, start=first, end=_shift_month(first, 1) - timedelta(days=1)
            ),
        }
    )
    return render(request, "rosters/published.html", context)


@login_required
def mine_view(request: HtmxHttpRequest) -> HttpResponse:
    """我的班次 (phone-friendly): this month and next of the signed-in person."""
    staff = _staff(request)
    center = staff.organization.service_center() if staff else None
    today = local_today(center)
    rows: list[dict[str, Any]] = []
    if staff is not None:
        start = today.replace(day=1)
        rows = selectors.my_shifts(staff=staff, start=start, end=_shift_month(start, 2) - timedelta(days=1))
    return render(
        request,
        "rosters/mine.html",
        {
            "staff": staff,
            "center": center,
            "rows": rows,
            "today": today,
            "weekdays": WEEKDAYS,
            "pending": selectors.pending_handovers(staff=staff)[:5] if staff else [],
            "can_swap": has_permission_anywhere(user=request.user, permission=selectors.REQUEST_SWAP),
        },
    )


# ------------------------------------------------------------------------------------------- swaps


@login_required
def swaps_view(request: HtmxHttpRequest) -> HttpResponse:
    staff = _staff(request)
    center = staff.organization.service_center() if staff else None
    form = SwapForm(request.POST or None, colleagues=_colleagues(staff, center))
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                swap = services.swap_request(
                    actor=request.user,
                    counterpart_id=data["counterpart"].pk,
                    requester_day=data["requester_day"],
                    counterpart_day=data.get("counterpart_day"),
                    reason=data["reason"],
                )
            except DomainError as exc:
                _add_form_errors(form, exc)
            else:
                messages.success(request, _("调班申请已发出，等待对方同意"))
                return redirect("rosters:swap_detail", swap.pk)
    page = Paginator(selectors.swaps_for(staff=staff, user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "rosters/swaps.html", {"form": form, "page": page, "staff": staff})


@login_required
def swap_detail_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    swap = selectors.access_swap(user=request.user, pk=pk)
    staff = _staff(request)
    labels = {t.code: f"{t.label} {t.periods_text}" for t in selectors.templates_for(organization=swap.organization)}
    labels.update({services.REST: _("休息"), "": _("未排班")})
    return render(
        request,
        "rosters/swap_detail.html",
        {
            "requester_label": labels.get(swap.requester_shift, swap.requester_shift),
            "counterpart_label": labels.get(swap.counterpart_shift, swap.counterpart_shift),
            "swap": swap,
            "is_counterpart": staff is not None and swap.counterpart_id == staff.pk,
            "is_requester": staff is not None and swap.requester_id == staff.pk,
        },
    )


@login_required
@require_POST
def swap_action_view(request: HtmxHttpRequest, pk: int, action: str) -> HttpResponse:
    swap = selectors.access_swap(user=request.user, pk=pk)
    try:
        if action in ("accept", "decline"):
            services.swap_consent(actor=request.user, swap_id=swap.pk, accept=action == "accept")
            messages.success(request, _("已同意，已提交主管审批") if action == "accept" else _("已拒绝"))
        elif action == "withdraw":
            services.swap_withdraw(actor=request.user, swap_id=swap.pk)
            messages.success(request, _("已撤回"))
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("rosters:swap_detail", swap.pk)


# ------------------------------------------------------------------------------------------- handovers


@login_required
def handovers_view(request: HtmxHttpRequest) -> HttpResponse:
    staff = _staff(request)
    center = staff.organization.service_center() if staff else None
    today = local_today(center)
    form = HandoverForm(request.POST or None, colleagues=_colleagues(staff, center), initial={"day": today})
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.handover_create(
                    actor=request.user,
                    to_staff_id=data["to_staff"].pk,
                    day=data["day"],
                    open_orders=data["open_orders"],
                    pending_callbacks=data["pending_callbacks"],
                    incidents=data["incidents"],
                    text=data["text"],
                )
            except DomainError as exc:
                _add_form_errors(form, exc)
            else:
                messages.success(request, _("交接班记录已提交，等待接班人确认"))
                return redirect("rosters:handovers")
    page = Paginator(selectors.handovers_for(staff=staff, user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "rosters/handovers.html",
        {
            "form": form,
            "page": page,
            "staff": staff,
            "pending": selectors.pending_handovers(staff=staff) if staff else [],
        },
    )


@login_required
@require_POST
def handover_ack_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    note = selectors.handovers_for(staff=_staff(request), user=request.user).filter(pk=pk).first()
    if note is None:
        raise Http404
    try:
        services.handover_acknowledge(actor=request.user, note_id=note.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已确认接班"))
    return redirect("rosters:handovers")


# ------------------------------------------------------------------------------------------- on call


@login_required
def on_call_view(request: HtmxHttpRequest, center_id: int) -> HttpResponse:
    center = selectors.access_center(user=request.user, pk=center_id)
    can_manage = selectors.can_manage(user=request.user, organization=center)
    today = local_today(center)
    form = OnCallForm(request.POST or None, colleagues=_colleagues(None, center), initial={"day": today})
    if request.method == "POST":
        if not can_manage:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.on_call_add(
                    actor=request.user,
                    organization=center,
                    staff_id=data["staff"].pk,
                    day=data["day"],
                    mobile=data["mobile"],
                    note=data["note"],
                )
            except DomainError as exc:
                _add_form_errors(form, exc)
            else:
                messages.success(request, _("值班安排已添加"))
                return redirect("rosters:on_call", center.pk)
    start = today - timedelta(days=7)
    qs = selectors.on_call_for(organization=center, start=start, end=today + timedelta(days=62))
    page = Paginator(qs, PAGE_SIZE * 2).get_page(request.GET.get("page"))
    return render(
        request, "rosters/on_call.html", {"center": center, "page": page, "form": form, "can_manage": can_manage}
    )


@login_required
@require_POST
def on_call_withdraw_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    entry = (
        selectors.scope(OnCallEntry.objects.all(), user=request.user, permission=selectors.MANAGE_ROSTER)
        .filter(pk=pk)
        .first()
    )
    if entry is None:
        raise Http404
    try:
        services.on_call_withdraw(actor=request.user, entry_id=entry.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("值班安排已撤销"))
    return redirect("rosters:on_call", entry.organization_id)


__all__ = ["RosterStatus"]
