"""The payroll sheet and the coefficient-table template as .xlsx (openpyxl write-only, header style of
workorders.exports)."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from servicecenter.workorders.exports import HEADER_FILL, HEADER_FONT, XLSX_CONTENT_TYPE

from .services import COEFF_COLUMNS

__all__ = ["XLSX_CONTENT_TYPE", "coefficient_template", "sheet_workbook"]

SHEET_COLUMNS = (
    ("工号", 10),
    ("姓名", 10),
    ("岗位", 14),
    ("工资项目与公式", 60),
    ("应发", 12),
    ("及时奖励", 10),
    ("扣款", 10),
    ("实发", 12),
    ("错误", 30),
)


def _header(sheet: Any, columns: tuple[tuple[str, int], ...] | tuple[str, ...]) -> None:
    cells = []
    for index, column in enumerate(columns, start=1):
        label, width = column if isinstance(column, tuple) else (column, 14)
        sheet.column_dimensions[get_column_letter(index)].width = width
        cell = WriteOnlyCell(sheet, value=_(label))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cells.append(cell)
    sheet.append(cells)


def _money(value: Any) -> float | None:
    return float(value) if value is not None else None  # xlsx stores numbers as doubles; the sheet keeps Decimals


def sheet_workbook(*, sheet: Any, lines: Any) -> bytes:
    """The payroll sheet (FIN-19): one row per staff member with the components as «名称 = 公式 = 值（条款）»."""
    book = Workbook(write_only=True)
    ws = book.create_sheet(_("工资表"))
    ws.freeze_panes = "A3"
    ws.append([f"{sheet.organization.name} {sheet.month:%Y-%m} {_('工资表')} v{sheet.version}"])
    _header(ws, SHEET_COLUMNS)
    for line in lines:
        parts = [
            f"{c['name']} = {c['formula']} = {c['value'] if c['value'] is not None else c['error']}（{c['clause']}）"
            for c in line.components
        ]
        staff_no = WriteOnlyCell(ws, value=line.staff_no)
        staff_no.number_format = "@"
        ws.append(
            [
                staff_no,
                line.name,
                line.role_label,
                "\n".join(parts),
                _money(line.gross),
                _money(line.rewards),
                _money(line.deductions),
                _money(line.net),
                line.error,
            ]
        )
    ws.append([])
    ws.append([_("合计（不含有误行）"), "", "", "", "", "", "", _money(sheet.total_net)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def coefficient_template(codes: list[str]) -> bytes:
    """The upload template (PTS-03): the five columns and one row per center code of the uploader's scope."""
    book = Workbook(write_only=True)
    ws = book.create_sheet(_("考评系数"))
    _header(ws, COEFF_COLUMNS)
    for code in codes:
        ws.append([code, None, None, None, None])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
