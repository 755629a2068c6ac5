"""The satisfaction report (CB-18) as .xlsx: one sheet per grouping (staff, team, center, the 12-month trend) and a
sheet of definitions. The title row names the period and the scope; each sheet is capped at EXPORT_CAP rows (a last
row says so). The header style and content type are the service register's (workorders.exports)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from servicecenter.workorders.exports import HEADER_FILL, HEADER_FONT, XLSX_CONTENT_TYPE

from . import reports

__all__ = ["EXPORT_CAP", "XLSX_CONTENT_TYPE", "satisfaction_workbook"]

EXPORT_CAP = 5_000  # rows per sheet; a company has about 2,000 staff, so the cap is a guard, not a limit
SHEETS = (
    ("staff", gettext_lazy("按服务人员")),
    ("team", gettext_lazy("按班组")),
    ("center", gettext_lazy("按服务中心")),
    ("month", gettext_lazy("近12个月")),
)
# (row key, header, column width)
COLUMNS: tuple[tuple[str, Any, int], ...] = (
    ("done", gettext_lazy("回访完成"), 9),
    ("satisfied", gettext_lazy("满意"), 7),
    ("average", gettext_lazy("一般"), 7),
    ("dissatisfied", gettext_lazy("不满意"), 7),
    ("satisfaction_rate", gettext_lazy("满意率 %"), 9),
    ("score_avg", gettext_lazy("平均评分"), 9),
    ("pct_avg", gettext_lazy("百分制均分"), 10),
    ("solved_rate", gettext_lazy("解决率 %"), 9),
    ("unsolved", gettext_lazy("未解决"), 7),
    ("mismatch", gettext_lazy("收费不符"), 9),
    ("mismatch_rate", gettext_lazy("收费不符率 %"), 11),
    ("due", gettext_lazy("应回访"), 8),
    ("due_done", gettext_lazy("其中已回访"), 10),
    ("completion_rate", gettext_lazy("回访完成率 %"), 11),
    ("unreachable", gettext_lazy("无法联系"), 9),
    ("complaints", gettext_lazy("投诉"), 7),
    ("cmp_on_time_rate", gettext_lazy("投诉按时处理率 %"), 14),
    ("ratings", gettext_lazy("评价"), 7),
    ("bad_ratings", gettext_lazy("差评"), 7),
)


def definitions() -> list[str]:
    return [
        _("回访完成：本月完成（客户接听并回答）的回访；无法联系：本月以“无法联系”结束的回访。"),
        _("满意率 = 态度“满意”÷ 回答了态度问题的回访（CB-03）；满意 / 一般 / 不满意为态度分布。"),
        _("平均评分：1–10 分（CB-05）的平均值；百分制均分：评分换算为 0–100 分后的平均值（C-10），用于跨中心比较。"),
        _("解决率 = 回答“已解决”÷ 回答了该问题的回访（CB-02）。"),
        _("收费不符率 = 收费核对不符 ÷ 回答了收费问题的回访（CB-04）。"),
        _("应回访：回访期限在本月的回访（不含已取消）；回访完成率 = 其中已回访 ÷ 应回访；其余为无法联系或尚未回访。"),
        _("投诉：本月受理的投诉（按人员统计时为投诉该人员的）；按时处理率 = 在处理期限内答复 ÷ 已答复（G-01）。"),
        _("差评：本月的好差评中评价时不高于差评界限（callbacks.bad_rating_max_level）、已立整改的评价。"),
        _("按班组：服务人员所属的组织单元（中心下设班组时为班组，否则为中心）。月份按服务器时区（Asia/Shanghai）计。"),
    ]


def _sheet(workbook: Workbook, *, title: str, caption: list[str], first: str, rows: Sequence[dict[str, Any]]) -> None:
    sheet = workbook.create_sheet(title[:31])
    sheet.append(caption)
    sheet["A1"].font = Font(bold=True)
    sheet.append([])
    sheet.append([first, *(str(label) for _key, label, _width in COLUMNS)])
    for cell in sheet[3]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    sheet.column_dimensions["A"].width = 22
    for index, (_key, _label, width) in enumerate(COLUMNS, start=2):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "B4"
    for row in rows[:EXPORT_CAP]:
        label = str(row["label"]) + (f"（{row['sub']}）" if row.get("sub") else "")
        sheet.append([label, *row_values(row)])
    if len(rows) > EXPORT_CAP:
        sheet.append([_("仅导出前 %(n)s 行，请缩小范围后再导出其余部分") % {"n": EXPORT_CAP}])


def row_values(row: dict[str, Any]) -> list[Any]:
    return [row.get(key) for key, _label, _width in COLUMNS]


def satisfaction_workbook(*, where: reports.Scope, month: date, scope_name: str) -> bytes:
    """The report of `month` for `where` (every grouping), with the period and the scope in each title row."""
    period = reports.Period.of(month)
    trend_period = reports.Period.of(month, reports.TREND_MONTHS)
    workbook = Workbook()
    workbook.remove(workbook.active)
    for group, title in SHEETS:
        chosen = trend_period if group == "month" else period
        rows = reports.satisfaction_table(where=where, group=group, period=chosen)
        rows = [*rows, reports.totals(rows)] if group != "month" else rows
        caption = [_("满意度统计（CB-18）"), scope_name, chosen.label, str(title)]
        first = _("月份") if group == "month" else str(title).removeprefix("按")
        _sheet(workbook, title=str(title), caption=caption, first=first, rows=rows)
    notes = workbook.create_sheet(_("口径说明"))
    notes.append([_("满意度统计（CB-18）"), scope_name, period.label])
    for line in definitions():
        notes.append([line])
    notes.column_dimensions["A"].width = 120
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
