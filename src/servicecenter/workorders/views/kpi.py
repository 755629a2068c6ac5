"""Clerk KPIs (WO-07): the table per clerk / serviceman / center / day / month, a server-side SVG chart (orders per day
with the resolution compliance line; no JavaScript library, no CDN) and the .xlsx export of the table.

Numbers come from `selectors.kpi_table` (GROUP BY in the database); the compliance definition is documented there
and in docs/workorders/kpi.md. Callbacks (回访, `selectors.callback_aggregates`) are counted through the ORM's reverse
relation (workorders never imports callbacks); without the callbacks app the columns show "—" and the page says so.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from servicecenter.core.access import has_permission_anywhere
from servicecenter.core.charts import bar_line_chart

from .. import selectors

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_DAYS = 366
ALL = "all"
GROUP_LABELS = {
    "clerk": gettext_lazy("按内勤"),
    "staff": gettext_lazy("按服务人员"),
    "center": gettext_lazy("按服务中心"),
    "day": gettext_lazy("按日"),
    "month": gettext_lazy("按月"),
}
COLUMNS = (
    ("received", gettext_lazy("受理量")),
    ("dispatched", gettext_lazy("派单量")),
    ("handled", gettext_lazy("回单量")),
    ("response_rate", gettext_lazy("响应达标率 %")),
    ("resolve_rate", gettext_lazy("处理达标率 %")),
    ("response_avg_minutes", gettext_lazy("平均响应（分钟）")),
)
# WO-07 回访完成 (selectors.callback_aggregates): only the export lists them as columns of their own.
CALLBACK_COLUMNS = (
    ("callbacks_done", gettext_lazy("回访完成")),
    ("callbacks_due", gettext_lazy("应回访")),
    ("satisfaction_rate", gettext_lazy("回访满意率 %")),
)


def callbacks_enabled() -> bool:
    """Callbacks done (回访) are counted once a callbacks app is installed; until then the page says so."""
    return selectors.callbacks_installed()


class KpiFilterForm(forms.Form):
    by = forms.ChoiceField(label=gettext_lazy("统计维度"), required=False, choices=list(GROUP_LABELS.items()))
    center = forms.ChoiceField(label=gettext_lazy("服务中心"), required=False)
    date_from = forms.DateField(label=gettext_lazy("起始日期"), required=False)
    date_to = forms.DateField(label=gettext_lazy("截止日期"), required=False)

    def __init__(self, *args: Any, centers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.centers = {str(c.pk): c for c in centers}
        choices = [(ALL, _("全部可见中心")), *((str(c.pk), c.name) for c in centers)]
        self.fields["center"].choices = choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        start = data.get("date_from") or today.replace(day=1)
        end = data.get("date_to") or today
        if end < start:
            self.add_error("date_to", _("截止日期不能早于起始日期"))
        elif (end - start).days >= MAX_DAYS:
            self.add_error("date_to", _("统计区间最长 %(n)s 天") % {"n": MAX_DAYS})
        data["date_from"], data["date_to"] = start, end
        data["by"] = data.get("by") or "clerk"
        return data


@dataclass
class Report:
    form: KpiFilterForm
    group: str
    center: Any
    start: date
    end: date
    rows: list[dict[str, Any]]
    total: dict[str, Any]
    daily: list[dict[str, Any]]


def _report(request: HttpRequest) -> Report | KpiFilterForm:
    user = request.user
    if not has_permission_anywhere(user=user, permission=selectors.KPI):
        raise PermissionDenied
    centers = list(selectors.kpi_centers(user=user))
    asked = request.GET.get("center") or ALL
    if asked != ALL and asked not in {str(c.pk) for c in centers}:
        raise Http404("no such center")  # a center outside the user's KPI scope does not exist for them
    form = KpiFilterForm(request.GET, centers=centers)  # always bound: no filter at all = the defaults
    if not form.is_valid():
        return form
    data = form.cleaned_data
    center = form.centers.get(str(data.get("center") or ""))
    if center is None and len(centers) == 1:
        center = centers[0]
    zone = timezone.get_current_timezone()
    start = datetime.combine(data["date_from"], time.min, tzinfo=zone)
    end = datetime.combine(data["date_to"] + timedelta(days=1), time.min, tzinfo=zone)
    now = timezone.now()
    group = data["by"]
    rows = selectors.kpi_table(user=user, group=group, start=start, end=end, center=center, now=now)
    daily = (
        rows
        if group == "day"
        else selectors.kpi_table(user=user, group="day", start=start, end=end, center=center, now=now)
    )
    return Report(form, group, center, data["date_from"], data["date_to"], rows, selectors.kpi_totals(rows), daily)


# --- the chart: bars of orders per day, the resolution compliance line (server-side SVG, core.charts) -----------------


def chart(daily: list[dict[str, Any]], start: date, end: date) -> dict[str, Any]:
    """Geometry of the chart, in SVG user units: one bar per day of the period (0 on days without orders), the
    compliance polyline over the days that have a rate, y ticks for both axes and a few date labels."""
    by_day = {row["label"]: row for row in daily}
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    items = [{**by_day.get(day.isoformat(), {}), "day": day} for day in days]
    return bar_line_chart(items, bar="received", lines=("resolve_rate",), labels=[f"{day:%m-%d}" for day in days])


@login_required
@require_GET
def kpi_view(request: HttpRequest) -> HttpResponse:
    """WO-07: the KPI page (table, chart, export link)."""
    report = _report(request)
    if isinstance(report, KpiFilterForm):
        return render(request, "workorders/kpi/kpi.html", {"form": report, "report": None}, status=400)
    query = urlencode(
        {
            "by": report.group,
            "center": report.center.pk if report.center else ALL,
            "date_from": report.start.isoformat(),
            "date_to": report.end.isoformat(),
        }
    )
    context = {
        "form": report.form,
        "report": report,
        "group_label": GROUP_LABELS[report.group],
        "groups": [(key, label, key == report.group) for key, label in GROUP_LABELS.items()],
        "columns": COLUMNS,
        "chart": chart(report.daily, report.start, report.end),
        "query": query,
        "callbacks_enabled": callbacks_enabled(),
    }
    return render(request, "workorders/kpi/kpi.html", context)


@login_required
@require_GET
def kpi_export_view(request: HttpRequest) -> HttpResponse:
    """The KPI table as .xlsx (the same filters as the page), with a sheet explaining each figure."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    report = _report(request)
    if isinstance(report, KpiFilterForm):
        errors = "; ".join(str(e) for errs in report.errors.values() for e in errs)
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("内勤考核")
    scope_name = report.center.name if report.center else _("全部可见中心")
    sheet.append(
        [_("工单考核（WO-07）"), scope_name, f"{report.start} — {report.end}", str(GROUP_LABELS[report.group])]
    )
    sheet.append([])
    headers = [
        str(GROUP_LABELS[report.group]).removeprefix("按"),
        *(str(label) for _, label in COLUMNS),
        *(str(label) for _, label in CALLBACK_COLUMNS),
    ]
    sheet.append(headers)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    enabled = callbacks_enabled()
    for row in [*report.rows, report.total]:
        sheet.append(
            [
                str(row["label"]),
                *("" if row.get(key) is None else row.get(key) for key, _ in COLUMNS),
                *(("" if row.get(key) is None else row.get(key)) if enabled else "—" for key, _ in CALLBACK_COLUMNS),
            ]
        )
    sheet.freeze_panes = "A4"
    for letter, width in zip("ABCDEFGHIJ", (18, 10, 10, 10, 14, 14, 16, 10, 10, 14), strict=True):
        sheet.column_dimensions[letter].width = width
    notes = workbook.create_sheet(_("口径说明"))
    for line in _definitions():
        notes.append([line])
    notes.column_dimensions["A"].width = 120
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="kpi-{report.group}-{report.start}-{report.end}.xlsx"'
    return response


def _definitions() -> list[str]:
    lines = [
        _(
            "受理量：区间内登记的工单（不含已取消）。派单量：其中已派单的；"
            "按内勤统计时为该内勤派出的。回单量：已完工回单的。"
        ),
        _("响应达标率 = 按时响应数 ÷ 响应已到期或已响应数；响应指服务人员接单或首次联系客户（WO-03）。"),
        _(
            "处理达标率 = 按时回单数 ÷ 已回单或处理已到期数；"
            "截止时间为暂停顺延后的处理截止（C-19）。当场答复的咨询不计。"
        ),
        _("平均响应（分钟）：受理至响应的自然分钟数的平均值。"),
    ]
    if callbacks_enabled():
        lines.append(
            _(
                "回访完成 / 应回访：行内工单的回单回访（WO-10，含温馨回访）；"
                "已回访、无法联系或已过回访期限的计入应回访，未到期且未回访的不计，已取消的不计。"
                "回访满意率 = 态度“满意”÷ 回答了态度问题的回访（CB-03）。"
            )
        )
    else:
        lines.append(_("回访完成：回访模块未启用，暂不统计。"))
    return lines
