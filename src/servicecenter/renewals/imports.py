"""Reading and checking a renewal call list (.xlsx) for import (docs/renewals.md «名单导入»).

The same two steps as the staff import (org.imports): `read_workbook` turns an upload into rows of text or refuses
the whole file with a clear reason; `check_rows` names every problem of every row (missing number, unknown tier,
bad date, duplicates within the file or already on this month's list, unknown specialist). No writes here.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from servicecenter.core import xlsx
from servicecenter.core.xlsx import Column
from servicecenter.org.imports import parse_date
from servicecenter.org.models import Organization

from .choices import ListKind
from .models import RenewalRow

MAX_UPLOAD_BYTES = 2 * 1024 * 1024  # 2 MB: far above the row limit below
MAX_ROWS = 5000  # one center's month; committed in one request with bulk_create


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


def read_workbook(file: Any) -> list[dict[str, Any]]:
    """Rows of the first sheet as `{"row": n, "values": {key: text}}`, blank rows skipped (core.xlsx: the file is
    refused as a whole with a clear reason when it cannot be read)."""
    return xlsx.read_rows(file, COLUMNS, max_bytes=MAX_UPLOAD_BYTES, max_rows=MAX_ROWS, date_keys=("due_date",))


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
