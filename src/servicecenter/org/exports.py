"""Spreadsheets written for people: the import template, the staff export and an import's error report (.xlsx).

The export's first seven columns are the import template's, in the same order, so an exported list can be edited
and imported elsewhere (docs/org.md).
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .imports import COLUMNS, HEADERS
from .models import Organization, Role, Staff, StaffImport

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="0D6EFD")
ERROR_FILL = PatternFill("solid", fgColor="F8D7DA")


def _header(sheet: Worksheet, headers: Iterable[str], widths: Iterable[int]) -> None:
    sheet.append(list(headers))
    for index, width in enumerate(widths, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def _text_columns(sheet: Worksheet, columns: Iterable[int], rows: int) -> None:
    """Format cells as text ("@") so Excel keeps leading zeros of staff numbers and phone numbers."""
    for col in columns:
        for row in range(2, rows + 1):
            sheet.cell(row=row, column=col).number_format = "@"


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


COLUMN_WIDTHS = (14, 12, 20, 14, 16, 14, 30)


def import_template(*, organizations: Iterable[Organization], roles: Iterable[Role]) -> bytes:
    """The import template: the seven headers, one example row (using the first organization the importer may
    import into), a sheet explaining each column, and the organization codes and role codes the importer may use."""
    organizations = list(organizations)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "员工"
    _header(sheet, HEADERS, COLUMN_WIDTHS)
    example = {c.key: c.example for c in COLUMNS}
    if organizations:
        example["org_code"] = organizations[0].code
    sheet.append([example[c.key] for c in COLUMNS])
    _text_columns(sheet, (1, 3, 5), 500)
    for col in (1, 3, 5):
        sheet.cell(row=2, column=col).number_format = "@"
    sheet.cell(row=2, column=6).number_format = "yyyy-mm-dd"

    guide = workbook.create_sheet("填写说明")
    _header(guide, ("列", "必填", "说明"), (16, 8, 70))
    for column in COLUMNS:
        guide.append([column.header, "是" if column.required else "否", column.help])
    guide.append([])
    guide.append(["规则", "", "先校验全部数据行并给出逐行报告；确认后只导入有效行（一次性全部成功或全部不导入），"])
    guide.append(["", "", "有问题的行不导入，可下载错误报告修改后再导入。文件须为 .xlsx，不超过 2 MB、5000 行。"])

    orgs_sheet = workbook.create_sheet("组织编码")
    _header(orgs_sheet, ("所属组织编码", "名称", "层级"), (20, 30, 12))
    for org in organizations:
        orgs_sheet.append([org.code, org.name, org.get_kind_display()])

    roles_sheet = workbook.create_sheet("角色编码")
    _header(roles_sheet, ("角色编码", "名称", "说明"), (28, 16, 60))
    for role in roles:
        roles_sheet.append([role.code, role.name, role.description])
    return _save(workbook)


def staff_export(*, staff: Iterable[Staff], phones: dict[int, str]) -> bytes:
    """The staff list: the import template's seven columns, then organization name, status and leaving date.

    `phones` maps staff id → the phone as the exporting user may see it (masked where they may not change the
    record); role codes are the staff member's active roles (prefetched `user.active_assignments`).
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "员工"
    _header(sheet, (*HEADERS, "所属组织", "状态", "离职日期"), (*COLUMN_WIDTHS, 24, 10, 14))
    count = 0
    for member in staff:
        assignments = getattr(member.user, "active_assignments", []) if member.user_id else []
        codes = list(dict.fromkeys(a.role.code for a in assignments))
        sheet.append(
            [
                member.staff_no,
                member.name,
                member.organization.code,
                member.position,
                phones.get(member.pk, ""),
                member.hire_date,
                ",".join(codes),
                member.organization.name,
                member.get_status_display(),
                member.left_date,
            ]
        )
        count += 1
        for col in (6, 10):
            sheet.cell(row=count + 1, column=col).number_format = "yyyy-mm-dd"
    _text_columns(sheet, (1, 3, 5), count + 1)
    return _save(workbook)


def import_error_report(*, staff_import: StaffImport) -> bytes:
    """The rows of an import that were not (or will not be) imported: row number, the values as read, reasons."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "错误报告"
    _header(sheet, ("行号", *HEADERS, "错误原因"), (8, *COLUMN_WIDTHS, 60))
    count = 0
    for row in staff_import.rows:
        if not row["errors"]:
            continue
        reasons = "；".join(f"{column}：{message}" for column, message in row["errors"])
        sheet.append([row["row"], *[row["values"].get(c.key, "") for c in COLUMNS], reasons])
        count += 1
        last = sheet.cell(row=count + 1, column=len(COLUMNS) + 2)
        last.fill = ERROR_FILL
        last.alignment = Alignment(wrap_text=True, vertical="top")
    _text_columns(sheet, (2, 4, 6), count + 1)
    return _save(workbook)
