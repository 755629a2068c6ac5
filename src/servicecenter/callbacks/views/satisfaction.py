"""满意度统计 (CB-18, CB-15, C-10): the month's callbacks, complaints and ratings per staff member, team, center or
month, two server-drawn SVG charts (no JavaScript library, no CDN), the .xlsx export (`?format=xlsx`), and the
improvement box that leads to the complaint module's improvement actions (CB-15 → CMP-02).

Figures come from `callbacks.reports` (GROUP BY in the database; the definitions are documented there). Every count
links to the list it counts: the callback history (`/callbacks/queue/history/`), the complaint list, the ratings
list; a team's figures drill down to its staff on this page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from servicecenter.core.access import has_permission_anywhere
from servicecenter.core.charts import bar_line_chart, share_bar
from servicecenter.org.models import Organization

from .. import report_export, reports
from ..choices import Attitude, TaskKind

PAGE_SIZE = 50
ALL = "all"
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
FIRST_YEAR = 2000

# The drill-down lists (their query parameters are documented in docs/callbacks.md, docs/complaints.md and
# docs/callbacks/surveys.md; docs/callbacks/satisfaction.md lists what each figure links to).
HISTORY_URL = "/callbacks/queue/history/"
COMPLAINTS_URL = "/complaints/"
RATINGS_URL = "/callbacks/ratings/"
ACTIONS_URL = "/complaints/actions/"

GROUP_LABELS = {
    "staff": gettext_lazy("按服务人员"),
    "team": gettext_lazy("按班组"),
    "center": gettext_lazy("按服务中心"),
    "month": gettext_lazy("按月（近 12 个月）"),
}
# The counts of a row that link to a list.
LINKED = (
    "done",
    "satisfied",
    "average",
    "dissatisfied",
    "unsolved",
    "mismatch",
    "unreachable",
    "complaints",
    "ratings",
    "bad_ratings",
)
SORT_LABELS = {
    "name": gettext_lazy("按名称"),
    "done": gettext_lazy("回访量从多到少"),
    "rate": gettext_lazy("满意率从低到高"),
    "complaints": gettext_lazy("投诉从多到少"),
}


class SatisfactionFilterForm(forms.Form):
    month = forms.CharField(label=gettext_lazy("月份"), required=False, max_length=7)
    center = forms.ChoiceField(label=gettext_lazy("服务中心"), required=False)
    kind = forms.ChoiceField(
        label=gettext_lazy("回访类型"), required=False, choices=[("", gettext_lazy("全部")), *TaskKind.choices]
    )
    by = forms.ChoiceField(label=gettext_lazy("统计维度"), required=False, choices=list(GROUP_LABELS.items()))
    sort = forms.ChoiceField(label=gettext_lazy("排序"), required=False, choices=list(SORT_LABELS.items()))
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000)

    def __init__(self, *args: Any, centers: list[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.centers = {str(c.pk): c for c in centers}
        self.fields["center"].choices = [  # type: ignore[attr-defined]
            (ALL, _("全部可见中心")),
            *((str(c.pk), c.name) for c in centers),
        ]

    def clean_month(self) -> date:
        raw = (self.cleaned_data.get("month") or "").strip()
        today = timezone.localdate()
        if not raw:
            return today.replace(day=1)
        match = MONTH.match(raw)
        if match is None or not 1 <= int(match.group(2)) <= 12:
            raise forms.ValidationError(_("月份格式应为 YYYY-MM，例如 2026-12"))
        month = date(int(match.group(1)), int(match.group(2)), 1)
        if month.year < FIRST_YEAR:
            raise forms.ValidationError(_("月份不能早于 %(y)s 年") % {"y": FIRST_YEAR})
        if month > today.replace(day=1):
            raise forms.ValidationError(_("不能统计未来的月份"))
        return month


@dataclass
class Report:
    form: SatisfactionFilterForm
    month: date
    center: Organization | None
    team: Organization | None
    kind: str
    group: str
    sort: str
    where: reports.Scope
    centers: list[Organization] = field(default_factory=list)


def _parse(request: HttpRequest) -> Report | SatisfactionFilterForm:
    """Check the permission and the scope (a center or team outside it does not exist: 404), validate the filters
    (bad input: the form with its errors)."""
    user = request.user
    if not has_permission_anywhere(user=user, permission=reports.SATISFACTION):
        raise PermissionDenied
    centers = list(reports.satisfaction_centers(user=user).order_by("path"))
    asked = request.GET.get("center") or ALL
    if asked != ALL and asked not in {str(c.pk) for c in centers}:
        raise Http404("no such center")
    team = None
    if request.GET.get("team"):
        team = reports.satisfaction_team(user=user, pk=request.GET["team"])
        if team is None:
            raise Http404("no such team")
    form = SatisfactionFilterForm(request.GET, centers=centers)
    if not form.is_valid():
        return form
    data = form.cleaned_data
    center = form.centers.get(str(data.get("center") or ""))
    if center is None and len(centers) == 1:
        center = centers[0]
    if team is not None and center is not None and not team.path.startswith(center.path):
        raise Http404("team outside the center")
    group = data.get("by") or ("center" if center is None and team is None and len(centers) > 1 else "staff")
    where = reports.Scope(user=user, center=center, team=team, kind=data.get("kind") or "")
    return Report(
        form=form,
        month=data["month"],
        center=center,
        team=team,
        kind=where.kind,
        group=group,
        sort=data.get("sort") or "name",
        where=where,
        centers=centers,
    )


# --- drill-down links --------------------------------------------------------------------------------------------


def _url(base: str, params: dict[str, Any]) -> str:
    return base + "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


def row_links(row: dict[str, Any], *, group: str, report: Report) -> dict[str, str]:
    """The lists behind the counts of one row: callback history (done, each attitude, not solved, unexpected
    charge, unreachable), complaints, ratings and bad ratings. A team row leads to its staff on this page; the row
    of callbacks without a person has no list to lead to (empty)."""
    month = f"{row['key']:%Y-%m}" if group == "month" else f"{report.month:%Y-%m}"
    center = report.center.pk if report.center else None
    key = row.get("key")
    if group in ("staff", "team") and key is None:
        return {}
    if report.team is not None and group in ("month", "total"):
        return {}  # the lists have no team filter: the team's figures drill down through its staff rows
    if group == "team":
        params = {"by": "staff", "team": key, "month": month, "center": center, "kind": report.kind}
        return dict.fromkeys(LINKED, _url(reverse("callbacks:satisfaction"), params))
    history: dict[str, Any] = {"month": month, "center": center, "kind": report.kind}
    complaints: dict[str, Any] = {"month": month, "center": center}
    ratings: dict[str, Any] = {"month": month, "center": center}
    if group == "staff":
        history["technician"] = key
        complaints["against_staff"] = key
        # the ratings list offers the staff of one center: name the person's center when the report covers several
        ratings.update(staff=key, center=center or row.get("center_id"))
    elif group == "center":
        history["center"] = complaints["center"] = ratings["center"] = key
    done = {**history, "status": "done"}
    links = {
        "done": _url(HISTORY_URL, done),
        "satisfied": _url(HISTORY_URL, {**done, "attitude": Attitude.SATISFIED}),
        "average": _url(HISTORY_URL, {**done, "attitude": Attitude.AVERAGE}),
        "dissatisfied": _url(HISTORY_URL, {**done, "attitude": Attitude.DISSATISFIED}),
        "unsolved": _url(HISTORY_URL, {**done, "solved": "no"}),
        "mismatch": _url(HISTORY_URL, {**done, "charge_mismatch": "1"}),
        "unreachable": _url(HISTORY_URL, {**history, "status": "unreachable"}),
        "complaints": _url(COMPLAINTS_URL, complaints),
        "ratings": _url(RATINGS_URL, ratings),
        "bad_ratings": _url(RATINGS_URL, {**ratings, "bad": "1"}),
    }
    return links


def _sorted(rows: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    if sort == "done":
        return sorted(rows, key=lambda r: (-r["done"], r["key"] is None, str(r["label"])))
    if sort == "rate":
        return sorted(
            rows, key=lambda r: (r["satisfaction_rate"] is None, r["satisfaction_rate"] or 0, str(r["label"]))
        )
    if sort == "complaints":
        return sorted(rows, key=lambda r: (-r["complaints"], r["key"] is None, str(r["label"])))
    return rows  # reports.satisfaction_table sorts by name


def _query(report: Report, **changes: Any) -> str:
    params: dict[str, Any] = {
        "month": f"{report.month:%Y-%m}",
        "center": report.center.pk if report.center else ALL,
        "team": report.team.pk if report.team else "",
        "kind": report.kind,
        "by": report.group,
        "sort": report.sort,
    }
    params.update(changes)
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


# --- the page ------------------------------------------------------------------------------------------------------


@login_required
@require_GET
def satisfaction_view(request: HttpRequest) -> HttpResponse:
    """CB-18: the satisfaction report page, or its .xlsx (`format=xlsx`)."""
    report = _parse(request)
    if isinstance(report, SatisfactionFilterForm):
        if request.GET.get("format") == "xlsx":
            errors = "; ".join(str(e) for errs in report.errors.values() for e in errs)
            return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
        return render(request, "callbacks/satisfaction.html", {"form": report, "report": None}, status=400)
    if request.GET.get("format") == "xlsx":
        return _export(report)
    trend = reports.satisfaction_table(where=report.where, group="month", period=reports.Period.of(report.month, 12))
    summary = trend[-1]
    if report.group == "month":
        rows = list(reversed(trend))  # newest first in the table; the chart runs left to right
    else:
        rows = _sorted(
            reports.satisfaction_table(where=report.where, group=report.group, period=reports.Period.of(report.month)),
            report.sort,
        )
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(report.form.cleaned_data.get("page") or 1, pages)
    shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    for row in shown:
        row["links"] = row_links(row, group=report.group, report=report)
    summary["links"] = row_links(summary, group="total", report=report)
    findings = reports.survey_findings(where=report.where, period=reports.Period.of(report.month))
    context = {
        "form": report.form,
        "report": report,
        "group_label": GROUP_LABELS[report.group],
        "groups": [(key, label) for key, label in GROUP_LABELS.items()],
        "sorts": list(SORT_LABELS.items()),
        "rows": shown,
        "summary": summary,
        "page": page,
        "pages": pages,
        "row_count": len(rows),
        "prev_url": "?" + _query(report, page=page - 1) if page > 1 else "",
        "next_url": "?" + _query(report, page=page + 1) if page < pages else "",
        "export_url": "?" + _query(report, format="xlsx"),
        "clear_team_url": "?" + _query(report, team="", by="team") if report.team else "",
        "trend_chart": bar_line_chart(
            trend, bar="done", lines=("satisfaction_rate", "pct_avg"), labels=[f"{r['key']:%y-%m}" for r in trend]
        ),
        "attitude_chart": _attitude_chart(summary),
        "findings": findings,
        "actions_url": ACTIONS_URL,
        "scope_name": _scope_name(report),
    }
    return render(request, "callbacks/satisfaction.html", context)


ATTITUDE_COLOURS = {"satisfied": "#198754", "average": "#ffc107", "dissatisfied": "#dc3545"}


def _attitude_chart(summary: dict[str, Any]) -> dict[str, Any]:
    """CB-03's three levels of the month as one bar split in proportion (green, amber, red)."""
    chart = share_bar([(level.value, level.label, summary[level.value]) for level in Attitude])
    for part in chart["parts"]:
        part["color"] = ATTITUDE_COLOURS[part["key"]]
    return chart


def _scope_name(report: Report) -> str:
    name = report.center.name if report.center else _("全部可见中心")
    if report.team is not None and report.team != report.center:
        name = f"{name} · {report.team.name}"
    if report.kind:
        name = f"{name} · {TaskKind(report.kind).label}"
    return name


def _export(report: Report) -> HttpResponse:
    content = report_export.satisfaction_workbook(
        where=report.where, month=report.month, scope_name=_scope_name(report)
    )
    response = HttpResponse(content, content_type=report_export.XLSX_CONTENT_TYPE)
    suffix = report.center.code if report.center else "all"
    response["Content-Disposition"] = f'attachment; filename="satisfaction-{suffix}-{report.month:%Y-%m}.xlsx"'
    return response
