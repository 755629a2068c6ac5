"""月度考评 (issue 6 item 7; PTS-22, PTS-14): the center overview and one printable page per staff member and month.

Each figure links to the rows behind it where a list page with filters exists (the callback history, the ratings
list, the work-order register, the person's attendance month, the points ledger). Reads only; figures and rules in
`selectors` and `policies`, documented in docs/appraisal.md.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from servicecenter.attendance.choices import ResultStatus
from servicecenter.core.months import parse_month as core_parse_month
from servicecenter.org.models import Organization, Staff
from servicecenter.points.policies import month_end, month_of
from servicecenter.policy.values import local_today

from . import policies, selectors

PAGE_SIZE = 50
ALWAYS_SHOWN = ("on_time", "late", "early_leave", "absent", "on_leave")
LABELS = {
    "points": gettext_lazy("积分"),
    "sla": gettext_lazy("工单时效"),
    "satisfaction": gettext_lazy("客户满意度"),
    "attendance": gettext_lazy("考勤"),
}


def parse_month(raw: str, *, center: Organization) -> date | None:
    """`YYYY-MM` → the month's first day; None when malformed, before 2000 or after the center's current month."""
    month = core_parse_month(raw)
    if month is None or month > local_today(center).replace(day=1):
        return None
    return month


def _url(name: str, params: dict[str, Any] | None = None, **kwargs: Any) -> str:
    """A list page's URL with filters; "" when that page is not installed."""
    try:
        base = reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""
    query = urlencode({k: v for k, v in (params or {}).items() if v not in (None, "")})
    return f"{base}?{query}" if query else base


def _prev_next(month: date, center: Organization) -> tuple[str, str]:
    prev = month_of(month - timedelta(days=1)).strftime("%Y-%m")
    nxt = month_end(month) + timedelta(days=1)
    return prev, nxt.strftime("%Y-%m") if nxt <= local_today(center) else ""


# --- the center overview -------------------------------------------------------------------------------------------


@login_required
@require_GET
def overview_view(request: HttpRequest) -> HttpResponse:
    """The center's staff with the month's key figures and composite scores, 50 a page by staff number.
    points.view_ledger over the center; a staff member without it is taken to their own page."""
    if request.GET.get("center"):
        center = selectors.access_center(user=request.user, pk=request.GET["center"])
    else:
        found = selectors.default_center(user=request.user)
        if found is None:
            own = Staff.objects.filter(user_id=request.user.pk or 0).only("pk").first()
            if own is None:
                raise Http404("no center")
            return redirect("appraisal:staff", staff_pk=own.pk, month=local_today().strftime("%Y-%m"))
        center = found
    centers = list(selectors.points_selectors.points_centers_for(user=request.user, permission=selectors.VIEW))
    raw = request.GET.get("month") or local_today(center).strftime("%Y-%m")
    month = parse_month(raw, center=center)
    if month is None:
        context = {
            "center": center,
            "centers": centers,
            "month_text": raw,
            "error": _("月份格式应为 YYYY-MM，且不能是未来的月份"),
        }
        return render(request, "appraisal/overview.html", context, status=400)
    totals = selectors.points_selectors.board_totals(organization=center, month=month, day=month_end(month))
    paginator = Paginator(selectors.center_staff(center=center, month=month, totals=totals), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    people = list(page.object_list)
    data = selectors.month_figures(center=center, month=month, staff_ids=[s.pk for s in people])
    month_text = month.strftime("%Y-%m")
    rows = [
        {
            "staff": s,
            "f": data.figures[s.pk],
            "url": reverse("appraisal:staff", kwargs={"staff_pk": s.pk, "month": month_text}),
        }
        for s in people
    ]
    prev, nxt = _prev_next(month, center)
    base: dict[str, Any] = {"center": center.pk}
    context = {
        "center": center,
        "centers": centers,
        "month": month,
        "month_text": month_text,
        "rows": rows,
        "page": page,
        "best_total": data.best_total,
        "params": data.params,
        "weights": _weights(data.params),
        "prev_url": "?" + urlencode({**base, "month": prev}),
        "next_url": "?" + urlencode({**base, "month": nxt}) if nxt else "",
        "page_query": urlencode({**base, "month": month_text}),
    }
    return render(request, "appraisal/overview.html", context)


def _weights(params: selectors.MonthParams) -> list[dict[str, Any]]:
    return [{"key": k, "label": LABELS[k], "weight": params.weights[k]} for k in policies.COMPONENTS]


# --- one person's month --------------------------------------------------------------------------------------------


@login_required
@require_GET
def staff_view(request: HttpRequest, staff_pk: int, month: str) -> HttpResponse:
    """The printable appraisal of one person and month: points, SLA, satisfaction, attendance, renewals (PTS-14)
    and the weighted composite (PTS-22). The person may open their own; others need points.view_ledger over the
    person's center; anything else — another center, a bad or future month — is a 404."""
    subject = selectors.access_staff(user=request.user, pk=staff_pk)
    staff, center = subject.staff, subject.center
    first = parse_month(month, center=center)
    if first is None:
        raise Http404("bad month")
    data = selectors.month_figures(center=center, month=first, staff_ids=[staff.pk])
    f = data.figures[staff.pk]
    assert f.composite is not None
    close = selectors.month_close(center=center, month=first)
    reversals = selectors.reversals_of(center=center, month=first, staff=staff)
    renewal: dict[str, Any] = {"enabled": True, "applies": False, "result": None}
    try:
        if selectors.holds_renewals(center=center, month=first, staff=staff):
            renewal.update(applies=True, result=selectors.renewal_result(center=center, month=first, staff=staff))
    except ImportError:  # the renewals module is not installed: the section says so
        renewal.update(enabled=False, applies=True)
    month_text = first.strftime("%Y-%m")
    prev, nxt = _prev_next(first, center)
    parts = [
        {"key": p.key, "label": LABELS[p.key], "score": p.score, "weight": p.weight, "share": p.share, "used": p.used}
        for p in f.composite.parts
    ]
    context = {
        "staff": staff,
        "center": center,
        "subject": subject,
        "month": first,
        "month_text": month_text,
        "f": f,
        "best_total": data.best_total,
        "close": close,
        "reversals": reversals,
        "renewal": renewal,
        "parts": parts,
        "left_out": [LABELS[k] for k in f.composite.left_out],
        "params": data.params,
        "attendance": [
            {"status": st.value, "label": st.label, "n": f.attendance.get(st.value, 0)}
            for st in ResultStatus
            if st.value in ALWAYS_SHOWN or f.attendance.get(st.value)
        ],
        "links": _links(subject, first) if subject.can_drill else {},
        "prev_url": reverse("appraisal:staff", kwargs={"staff_pk": staff.pk, "month": prev}),
        "next_url": reverse("appraisal:staff", kwargs={"staff_pk": staff.pk, "month": nxt}) if nxt else "",
        "overview_url": _url("appraisal:overview", {"center": center.pk, "month": month_text})
        if subject.can_drill
        else "",
    }
    return render(request, "appraisal/staff.html", context)


def _links(subject: selectors.Subject, month: date) -> dict[str, str]:
    """The lists behind the figures (filters as those pages take them; docs/appraisal.md lists them)."""
    staff, center = subject.staff, subject.center
    month_text = month.strftime("%Y-%m")
    history = {"center": center.pk, "technician": staff.pk, "month": month_text, "status": "done"}
    return {
        "ledger": _url("points:ledger", {"center": center.pk, "staff": staff.pk, "month": month_text}),
        "orders": _url(
            "workorders:register",
            {
                "center": center.pk,
                "staff": staff.pk,
                "date_from": month.isoformat(),
                "date_to": month_end(month).isoformat(),
            },
        ),
        "callbacks": _url("callbacks:queue_history", history),
        "satisfied": _url("callbacks:queue_history", {**history, "attitude": "satisfied"}),
        "average": _url("callbacks:queue_history", {**history, "attitude": "average"}),
        "dissatisfied": _url("callbacks:queue_history", {**history, "attitude": "dissatisfied"}),
        "ratings": _url("callbacks:ratings", {"center": center.pk, "staff": staff.pk, "month": month_text}),
        "attendance": _url("attendance:staff_month", {"month": month_text}, pk=staff.pk),
        "renewals": _url("renewals:result", {"center": center.pk, "month": month_text}),
    }
