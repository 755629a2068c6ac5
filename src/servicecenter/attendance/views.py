"""Attendance pages: clock-in (phone), my month, corrections, the manager's dashboard, the monthly sheet (.xlsx),
violations and events. Views parse, load through selectors (out of scope = 404), call a service and render;
DomainErrors become messages or form errors, never a 500."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicecenter.core.access import has_permission_anywhere, has_permission_in, scope
from servicecenter.core.errors import DomainError
from servicecenter.org.choices import StaffStatus
from servicecenter.org.models import Staff
from servicecenter.policy.values import local_today, zone_of

from . import exports, selectors, services
from .choices import SHEET_CODES, PunchSource, ResultStatus
from .forms import CorrectionForm, EventForm, PunchForm, ReasonForm, RecomputeForm, ViolationForm

PAGE_SIZE = 30
ONCE = "setTimeout(() => this.querySelectorAll('button').forEach(b => b.disabled = true))"


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _is_phone(request: HttpRequest) -> bool:
    agent = request.META.get("HTTP_USER_AGENT", "")
    return "Mobile" in agent or "Android" in agent


def _form_errors(form: Any, exc: DomainError) -> None:
    placed = False
    for field, errors in exc.fields.items():
        if field in form.fields:
            for error in errors:
                form.add_error(field, error)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def _month_context(request: HttpRequest, org: Any) -> tuple[int, int, str]:
    year, month = selectors.parse_month(request.GET.get("month"), today=local_today(org))
    return year, month, f"{year:04d}-{month:02d}"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """考勤: the clock-in page for staff; a results viewer without a staff record goes to the dashboard."""
    if selectors.staff_of(request.user) is None and has_permission_anywhere(
        user=request.user, permission=selectors.VIEW
    ):
        return redirect("attendance:dashboard")
    return punch(request)


@login_required
def punch(request: HttpRequest) -> HttpResponse:
    """The phone clock-in page: one big button, today's shift, my punches and my result so far."""
    staff = selectors.staff_of(request.user)
    if staff is None:
        raise Http404
    if request.method == "POST":
        form = PunchForm(request.POST)
        if form.is_valid():
            try:
                outcome = services.punch_record(
                    actor=request.user,
                    kind=form.cleaned_data["kind"],
                    source=PunchSource.PHONE if _is_phone(request) else PunchSource.WEB,
                    ip=_client_ip(request),
                    lat=form.cleaned_data["lat"],
                    lng=form.cleaned_data["lng"],
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                local = timezone.localtime(outcome.punch.at, zone_of(staff.organization))
                if not outcome.accepted:
                    messages.error(request, outcome.punch.refused_reason)
                elif outcome.duplicate:
                    messages.info(request, _("已于 %(t)s 打卡，无需重复打卡") % {"t": f"{local:%H:%M:%S}"})
                else:
                    messages.success(
                        request,
                        _("%(kind)s打卡成功：%(t)s")
                        % {"kind": outcome.punch.get_kind_display(), "t": f"{local:%H:%M:%S}"},
                    )
        else:
            messages.error(request, _("打卡类型无效"))
        return redirect("attendance:punch")
    now = timezone.now()
    today = selectors.my_today(staff=staff, now=now)
    ins = [p for p in today.punches if p.accepted and p.kind == "in"]
    next_kind = (
        "out" if ins and not any(p.accepted and p.kind == "out" and p.at > ins[-1].at for p in today.punches) else "in"
    )
    return render(
        request,
        "attendance/punch.html",
        {
            "staff": staff,
            "today": today,
            "next_kind": next_kind,
            "tz": zone_of(staff.organization),
            "once": ONCE,
            "status_labels": dict(ResultStatus.choices),
        },
    )


@login_required
def my_month(request: HttpRequest) -> HttpResponse:
    staff = selectors.staff_of(request.user)
    if staff is None:
        raise Http404
    return _staff_month(request, staff, own=True)


@login_required
def staff_month(request: HttpRequest, pk: int) -> HttpResponse:
    staff = selectors.access_staff(user=request.user, pk=pk)
    return _staff_month(request, staff, own=staff.user_id == request.user.pk)


def _staff_month(request: HttpRequest, staff: Staff, *, own: bool) -> HttpResponse:
    year, month, month_text = _month_context(request, staff.organization)
    days = selectors.month_days(year, month)
    results = list(selectors.results_of_staff(staff=staff, start=days[0], end=days[-1]))
    violations = list(staff.violations.filter(day__gte=days[0], day__lte=days[-1]).order_by("day"))
    corrections = list(staff.punch_corrections.filter(at__date__gte=days[0] - timedelta(days=1)).order_by("-at")[:20])
    prev_month = (days[0] - timedelta(days=1)).strftime("%Y-%m")
    next_month = (days[-1] + timedelta(days=1)).strftime("%Y-%m")
    return render(
        request,
        "attendance/staff_month.html",
        {
            "staff": staff,
            "own": own,
            "month": month_text,
            "prev_month": prev_month,
            "next_month": next_month,
            "results": results,
            "violations": violations,
            "corrections": corrections,
            "codes": SHEET_CODES,
            "tz": zone_of(staff.organization),
        },
    )


@login_required
def correction_create(request: HttpRequest) -> HttpResponse:
    staff = selectors.staff_of(request.user)
    if staff is None:
        raise Http404
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        at = form.cleaned_data["at"]
        if timezone.is_naive(at):
            at = timezone.make_aware(at, zone_of(staff.organization))
        try:
            services.correction_request(
                actor=request.user, kind=form.cleaned_data["kind"], at=at, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("补卡申请已提交，等待审批"))
            return redirect("attendance:my_month")
    return render(request, "attendance/correction_form.html", {"form": form, "once": ONCE})


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The manager's dashboard of today: who is on duty, late, not clocked in, on leave; ATT-02 coverage now."""
    center = selectors.access_center(user=request.user, pk=request.GET.get("center"))
    now = timezone.now()
    data = selectors.dashboard_today(organization=center, now=now)
    return render(
        request,
        "attendance/dashboard.html",
        {
            **data,
            "center": center,
            "centers": selectors.centers_visible_to(user=request.user),
            "now": now,
            "tz": zone_of(center),
            "can_manage": has_permission_in(user=request.user, permission=selectors.MANAGE, organization=center),
        },
    )


@login_required
def sheet(request: HttpRequest) -> HttpResponse:
    """The monthly attendance sheet of a center (printable), with the recompute form for managers."""
    center = selectors.access_center(user=request.user, pk=request.GET.get("center"))
    year, month, month_text = _month_context(request, center)
    data = selectors.monthly_sheet(organization=center, year=year, month=month)
    can_manage = has_permission_in(user=request.user, permission=selectors.MANAGE, organization=center)
    first = data.days[0]
    return render(
        request,
        "attendance/sheet.html",
        {
            "sheet": data,
            "center": center,
            "centers": selectors.centers_visible_to(user=request.user),
            "month": month_text,
            "prev_month": (first - timedelta(days=1)).strftime("%Y-%m"),
            "next_month": (data.days[-1] + timedelta(days=1)).strftime("%Y-%m"),
            "codes": [(label, SHEET_CODES[code]) for code, label in ResultStatus.choices if code != "pending"],
            "can_manage": can_manage,
            "recompute_form": RecomputeForm(initial={"start": first, "end": data.days[-1]}),
            "once": ONCE,
        },
    )


@login_required
def sheet_xlsx(request: HttpRequest) -> HttpResponse:
    center = selectors.access_center(user=request.user, pk=request.GET.get("center"))
    year, month, month_text = _month_context(request, center)
    data = selectors.monthly_sheet(organization=center, year=year, month=month)
    response = HttpResponse(exports.sheet_xlsx(data), content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="attendance-{center.code}-{month_text}.xlsx"'
    return response


@login_required
@require_POST
def recompute(request: HttpRequest) -> HttpResponse:
    center = selectors.access_center(user=request.user, pk=request.POST.get("center"), permission=selectors.MANAGE)
    form = RecomputeForm(request.POST)
    month = ""
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        month = start.strftime("%Y-%m")
        try:
            summary = services.results_recompute(actor=request.user, organization=center, start=start, end=end)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("已重算：新增 %(c)s 条，变更 %(u)s 条，未变 %(n)s 条")
                % {"c": summary.created, "u": summary.changed, "n": summary.unchanged},
            )
    else:
        messages.error(request, _("请填写有效的日期"))
    return redirect(f"{reverse('attendance:sheet')}?center={center.pk}&month={month}")


# --- violations ---------------------------------------------------------------------------------------------------


@login_required
def violation_list(request: HttpRequest) -> HttpResponse:
    if not has_permission_anywhere(user=request.user, permission=selectors.VIEW):
        raise Http404
    qs = selectors.violations_visible_to(user=request.user)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "attendance/violation_list.html",
        {
            "page": page,
            "can_manage": has_permission_anywhere(user=request.user, permission=selectors.MANAGE),
            "once": ONCE,
        },
    )


def _staff_choices(user: Any) -> Any:
    return scope(
        Staff.objects.exclude(status=StaffStatus.LEFT).select_related("organization"),
        user=user,
        permission=selectors.MANAGE,
    ).order_by("organization__path", "staff_no")


@login_required
def violation_create(request: HttpRequest) -> HttpResponse:
    if not has_permission_anywhere(user=request.user, permission=selectors.MANAGE):
        raise Http404
    form = ViolationForm(request.POST or None, request.FILES or None, staff_qs=_staff_choices(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            violation = services.violation_record(
                actor=request.user,
                staff=data["staff"],
                day=data["day"],
                type=data["type"],
                description=data["description"],
                evidence_text=data["evidence_text"],
                evidence_photo=data["evidence_photo"],
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, violation.citation)
            return redirect("attendance:violation_list")
    return render(request, "attendance/violation_form.html", {"form": form, "once": ONCE})


@login_required
def violation_photo(request: HttpRequest, pk: int) -> FileResponse:
    """The evidence photo, served only to those who may see the violation (never from a public URL)."""
    violation = selectors.access_violation(user=request.user, pk=pk)
    if not violation.evidence_photo:
        raise Http404
    return FileResponse(violation.evidence_photo.open("rb"))


@login_required
@require_POST
def violation_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    violation = selectors.access_violation(user=request.user, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写撤销原因"))
    else:
        try:
            services.violation_withdraw(
                actor=request.user, violation_id=violation.pk, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("违纪记录已撤销"))
    return redirect("attendance:violation_list")


# --- events -------------------------------------------------------------------------------------------------------


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.events_visible_to(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "attendance/event_list.html",
        {"page": page, "can_manage": has_permission_anywhere(user=request.user, permission=selectors.MANAGE)},
    )


@login_required
def event_create(request: HttpRequest) -> HttpResponse:
    center = selectors.access_center(user=request.user, pk=request.GET.get("center"), permission=selectors.MANAGE)
    staff_qs = (
        Staff.objects.filter(organization__path__startswith=center.path)
        .exclude(status=StaffStatus.LEFT)
        .order_by("staff_no")
    )
    form = EventForm(request.POST or None, staff_qs=staff_qs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        tz = zone_of(center)
        starts, ends = (
            timezone.make_aware(v, tz) if timezone.is_naive(v) else v for v in (data["starts_at"], data["ends_at"])
        )
        try:
            event = services.event_create(
                actor=request.user,
                organization=center,
                kind=data["kind"],
                title=data["title"],
                starts_at=starts,
                ends_at=ends,
                location=data["location"],
                staff_ids=[s.pk for s in data["staff"]],
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            return redirect("attendance:event_detail", pk=event.pk)
    return render(request, "attendance/event_form.html", {"form": form, "center": center, "once": ONCE})


@login_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.access_event(user=request.user, pk=pk)
    rows = list(event.attendances.select_related("staff").order_by("staff__staff_no"))
    return render(
        request,
        "attendance/event_detail.html",
        {
            "event": event,
            "rows": rows,
            "can_manage": has_permission_in(
                user=request.user, permission=selectors.MANAGE, organization=event.organization
            ),
            "tz": zone_of(event.organization),
            "once": ONCE,
        },
    )


@login_required
@require_POST
def event_check(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.access_event(user=request.user, pk=pk)
    row = event.attendances.filter(pk=request.POST.get("attendance")).first()
    if row is None:
        row = event.attendances.filter(staff__user=request.user).first()
    if row is None:
        raise Http404
    try:
        services.event_check(actor=request.user, attendance_id=row.pk, action=request.POST.get("action", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("attendance:event_detail", pk=event.pk)


@login_required
@require_POST
def event_close(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.access_event(user=request.user, pk=pk)
    try:
        services.event_close(actor=request.user, event_id=event.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("活动考勤已结算"))
    return redirect("attendance:event_detail", pk=event.pk)
