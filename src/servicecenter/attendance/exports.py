"""The monthly attendance sheet as .xlsx: the layout a payroll clerk expects (one row per person, one column per
day with a one-character code, then the totals), with a legend sheet."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from servicecenter.workcalendar.selectors import WEEKDAY_SHORT

from .choices import SHEET_CODES, ResultStatus
from .selectors import Sheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
WEEKEND_FILL = PatternFill("solid", fgColor="F2F2F2")
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WEEKDAYS = WEEKDAY_SHORT


def sheet_xlsx(sheet: Sheet) -> bytes:
    workbook = Workbook()
    ws = workbook.active
    ws.title = f"{sheet.year}年{sheet.month}月"
    totals = [
        "出勤天数",
        "迟到次数",
        "早退次数",
        "旷工天数",
        *(label for _, label in sheet.leave_kinds),
        "缺签次数",
        "缺卡次数",
        "罚款（元）",
    ]
    n_days = len(sheet.days)
    last_col = 3 + n_days + len(totals)
    ws.cell(row=1, column=1, value=f"{sheet.organization.name} {sheet.year}年{sheet.month}月考勤表").font = Font(
        bold=True, size=14
    )
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last_col)
    ws.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    header = ["序号", "工号", "姓名", *(str(d.day) for d in sheet.days), *totals]
    weekday_row = ["", "", "", *(str(WEEKDAYS[d.weekday()]) for d in sheet.days), *([""] * len(totals))]
    ws.append(header)
    ws.append(weekday_row)
    for number, row in enumerate(sheet.rows, start=1):
        leave = row.leave_days or {}
        ws.append(
            [
                number,
                row.staff.staff_no,
                row.staff.name,
                *row.cells,
                row.days_worked,
                row.late,
                row.early,
                float(row.absent_days),
                *(leave.get(code, 0) for code, _ in sheet.leave_kinds),
                row.missed_sign_ins,
                row.missing_punches,
                float(row.fines),
            ]
        )
    for r in range(2, ws.max_row + 1):
        for c in range(1, last_col + 1):
            cell = ws.cell(row=r, column=c)
            cell.border = BORDER
            cell.alignment = Alignment(horizontal="center", vertical="center")
            if r <= 3:
                cell.font, cell.fill = HEADER_FONT, HEADER_FILL
            elif 4 <= c < 4 + n_days and sheet.days[c - 4].weekday() >= 5:
                cell.fill = WEEKEND_FILL
    ws.column_dimensions["A"].width = 5
    ws.column_dimensions["B"].width = 10
    ws.column_dimensions["C"].width = 10
    for c in range(4, 4 + n_days):
        ws.column_dimensions[get_column_letter(c)].width = 3.5
    for c in range(4 + n_days, last_col + 1):
        ws.column_dimensions[get_column_letter(c)].width = 9
    ws.freeze_panes = "D4"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    legend = workbook.create_sheet("图例")
    legend.append(["代码", "含义"])
    for code, label in ResultStatus.choices:
        if code != ResultStatus.PENDING:
            legend.append([SHEET_CODES[code], str(label)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
