"""The leave register as a spreadsheet (LEV-12 请销假登记簿, .xlsx)."""

from __future__ import annotations

import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from servicecenter.policy.values import zone_of

from .models import LeaveRequest
from .policies import format_days

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = (
    "编号", "中心", "工号", "姓名", "类型", "开始", "结束", "天数", "事由", "状态",
    "提交时间", "审批时间", "审批依据", "销假时间", "实际返岗", "实际天数", "销假登记人", "说明",
)  # fmt: skip
WIDTHS = (8, 18, 10, 10, 10, 18, 18, 7, 30, 8, 17, 17, 40, 17, 17, 9, 10, 24)


def _local(value, zone):  # type: ignore[no-untyped-def]
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else ""


def register_xlsx(rows: Iterable[LeaveRequest]) -> bytes:
    """One line per request with its closure (销假), in the center's local time."""
    from .services import span_label

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "请销假登记"
    sheet.append(list(HEADERS))
    for index, width in enumerate(WIDTHS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="0D6EFD")
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    for leave in rows:
        zone = zone_of(leave.organization)
        start, _sep, end = span_label(leave).partition(" 至 ")
        closer = ""
        if leave.closed_by_id and leave.closed_by is not None:
            closer = getattr(getattr(leave.closed_by, "staff", None), "name", "") or leave.closed_by.get_username()
        sheet.append(
            [
                leave.pk,
                leave.organization.name,
                leave.staff.staff_no,
                leave.staff.name,
                leave.get_kind_display(),
                start,
                end,
                float(leave.days),
                leave.reason or leave.purpose,
                leave.get_status_display(),
                _local(leave.submitted_at, zone),
                _local(leave.decided_at, zone),
                leave.decision_citation or leave.route_citation,
                _local(leave.closed_at or leave.cancelled_at, zone),
                _local(leave.actual_return_at, zone),
                format_days(leave.actual_days) if leave.actual_days is not None else "",
                closer,
                leave.close_note,
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
