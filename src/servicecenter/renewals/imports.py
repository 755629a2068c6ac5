"""Reading and checking a renewal call list (.xlsx) for import (docs/renewals.md «名单导入»).

The same two steps as the staff import (org.imports): `read_workbook` turns an upload into rows of text or refuses
the whole file with a clear reason; `check_rows` names every problem of every row (missing number, unknown tier,
bad date, duplicates within the file or already on this month's list, unknown specialist). No writes here.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _

from servicecenter.core.errors import ValidationFailed
from servicecenter.org.imports import parse_date
from servicecenter.org.models import Organization

from .choices import ListKind
from .models import RenewalRow

MAX_UPLOAD_BYTES = 2 * 1024 * 1024  # 2 MB: far above the row limit below
MAX_ROWS = 5000  # one center's month; committed in one request with bulk_create
MAX_CELL_CHARS = 200


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    example: str
    help: str


COLUMNS: tuple[Column, ...] = (
    Column("subscriber_no", "用户编号", True, "U20260001", "每户唯一，同一月份同一名单中不能重复"),
    Column("name", "姓名", True, "王五", "最多 100 字"),
    Column("phone", "电话", False, "13800001234", "可留空"),
    Column("tier", "当前产品", True, "6.0", "产品档次，见「产品档次」参数（由低到高）"),
    Column("due_date", "到期日期", False, "2026-12-20", "到期续费名单必填；2026-12-20、2026/12/20 或 Excel 日期"),
    Column("staff_no", "续费专员工号", False, "", "可留空；填写后该户分配给该续费专员"),
)
HEADERS = tuple(c.header for c in COLUMNS)
KEYS = tuple(c.key for c in COLUMNS)
LABEL = {c.key: c.header for c in COLUMNS}
PHONE = re.compile(r"^[0-9+\- ]{5,20}$")


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={"file": [message]})


def _cell_text(key: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()[:MAX_CELL_CHARS]


def read_workbook(file: Any) -> list[dict[str, Any]]:
    """Rows of the first sheet as `{"row": n, "values": {key: text}}`, blank rows skipped.

    Raises ValidationFailed (field `file`) for a file that is not .xlsx, too large, unreadable, without the
    required headers, empty, or with more than MAX_ROWS rows."""
    name = str(getattr(file, "name", "") or "")
    if not name.lower().endswith(".xlsx"):
        raise _refuse(_("只支持 .xlsx 格式（Excel 2007 及以上），请另存为 .xlsx 后上传。"))
    data = file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise _refuse(_("文件超过 2 MB，请分批导入。"))
    if not data or not zipfile.is_zipfile(io.BytesIO(data)):
        raise _refuse(_("文件已损坏或不是有效的 .xlsx 文件，请用 Excel 打开后重新保存再上传。"))
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken file; all mean the same
        raise _refuse(_("文件已损坏或不是有效的 .xlsx 文件，请用 Excel 打开后重新保存再上传。")) from exc
    try:
        return _read_rows(workbook)
    finally:
        workbook.close()


def _read_rows(workbook: Any) -> list[dict[str, Any]]:
    sheet = workbook.worksheets[0]
    rows_iter = sheet.iter_rows(values_only=True, max_col=30)
    header = next(rows_iter, None) or ()
    positions: dict[str, int] = {}
    for index, value in enumerate(header):
        label = re.sub(r"[\s*＊]", "", str(value or ""))
        for column in COLUMNS:
            if label == column.header and column.key not in positions:
                positions[column.key] = index
    missing = [c.header for c in COLUMNS if c.required and c.key not in positions]
    if missing:
        raise _refuse(
            _("第 1 行表头缺少必填列：%(missing)s。请下载导入模板，按模板的表头填写。")
            % {"missing": "、".join(missing)}
        )
    rows: list[dict[str, Any]] = []
    for number, cells in enumerate(rows_iter, start=2):
        values = {key: _cell_text(key, cells[pos] if pos < len(cells) else None) for key, pos in positions.items()}
        for key in KEYS:
            values.setdefault(key, "")
        if not any(values.values()):
            continue
        if len(rows) >= MAX_ROWS:
            raise _refuse(_("数据超过 %(n)s 行，请分批导入。") % {"n": MAX_ROWS})
        rows.append({"row": number, "values": values})
    if not rows:
        raise _refuse(_("文件中没有数据行（第 2 行起）。"))
    return rows


@dataclass
class RowCheck:
    """The verdict on one row: its problems as `[column header, message]` pairs; `assignee_id` when assigned."""

    errors: list[list[str]] = field(default_factory=list)
    assignee_id: int | None = None

    def add(self, key: str, message: str) -> None:
        self.errors.append([LABEL[key], message])


def specialists_by_number(*, organization: Organization, numbers: list[str]) -> dict[str, int]:
    """Staff numbers (upper-cased) → staff id, for the listed numbers that are renewal specialists of the center."""
    from .selectors import center_specialists

    wanted = {n.strip().upper() for n in numbers if n.strip()}
    if not wanted:
        return {}
    return {
        no.upper(): pk
        for pk, no in center_specialists(organization=organization).values_list("pk", "staff_no")
        if no.upper() in wanted
    }


def check_rows(
    rows: list[dict[str, Any]], *, organization: Organization, month: date, kind: str, tiers: list[str]
) -> list[RowCheck]:
    """Check every row: required cells, the tier known in `renewals.product_tiers`, the due date readable (and
    required on a due list), the number unique in the file and not yet on this month's list of this kind, the
    specialist's number one of the center's renewal specialists. A readable date is rewritten as YYYY-MM-DD.
    Bounded queries: one for the numbers already listed, one for the center's staff (plus the cached grants)."""
    numbers = [r["values"].get("subscriber_no", "").strip() for r in rows]
    listed = set(
        RenewalRow.objects.filter(
            organization=organization, month=month, kind=kind, subscriber_no__in=[n for n in numbers if n]
        ).values_list("subscriber_no", flat=True)
    )
    specialists = specialists_by_number(
        organization=organization, numbers=[r["values"].get("staff_no", "") for r in rows]
    )
    seen: dict[str, list[int]] = defaultdict(list)
    for item, number in zip(rows, numbers, strict=True):
        if number:
            seen[number].append(item["row"])
    results: list[RowCheck] = []
    for item in rows:
        values: dict[str, str] = item["values"]
        check = RowCheck()
        number = values.get("subscriber_no", "").strip()
        if not number:
            check.add("subscriber_no", _("请填写用户编号"))
        elif len(number) > 40:
            check.add("subscriber_no", _("用户编号最多 40 个字符"))
        else:
            twins = [n for n in seen[number] if n != item["row"]]
            if twins:
                check.add(
                    "subscriber_no",
                    _("与本文件第 %(rows)s 行用户编号重复") % {"rows": "、".join(str(n) for n in twins)},
                )
            if number in listed:
                check.add("subscriber_no", _("该用户已在本月名单中"))
        name = values.get("name", "").strip()
        if not name:
            check.add("name", _("请填写姓名"))
        elif len(name) > 100:
            check.add("name", _("姓名最多 100 字"))
        phone = values.get("phone", "").strip()
        if phone and not PHONE.match(phone):
            check.add("phone", _("电话号码格式不正确"))
        tier = values.get("tier", "").strip()
        if not tier:
            check.add("tier", _("请填写当前产品"))
        elif tier not in tiers:
            check.add(
                "tier", _("未知的产品档次「%(tier)s」（可选：%(tiers)s）") % {"tier": tier, "tiers": "、".join(tiers)}
            )
        due_text = values.get("due_date", "").strip()
        if due_text:
            due = parse_date(due_text)
            if due is None:
                check.add("due_date", _("无法识别的日期「%(text)s」，请填写如 2026-12-20") % {"text": due_text})
            else:
                values["due_date"] = due.isoformat()
        elif kind == ListKind.DUE:
            check.add("due_date", _("到期续费名单须填写到期日期"))
        staff_no = values.get("staff_no", "").strip()
        if staff_no:
            check.assignee_id = specialists.get(staff_no.upper())
            if check.assignee_id is None:
                check.add("staff_no", _("工号「%(no)s」不是本中心的续费专员") % {"no": staff_no})
        results.append(check)
    return results


def template_workbook(*, tiers: list[str]) -> bytes:
    """The import template: the header row, one example row, and a sheet explaining each column and the tiers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "续费名单"
    sheet.append(list(HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append([c.example for c in COLUMNS])
    for index, _column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[chr(64 + index)].width = 16
    notes = book.create_sheet("填写说明")
    notes.append(["列", "必填", "说明"])
    for column in COLUMNS:
        notes.append([column.header, "是" if column.required else "否", column.help])
    notes.append([])
    notes.append(["产品档次（由低到高）", "", "、".join(tiers)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
