"""Reading and checking a staff spreadsheet (.xlsx) for import (docs/org.md «批量导入»).

Two steps, both free of writes: `read_staff_workbook` turns an upload into rows of text (or refuses the whole file
with a clear Chinese reason), `check_rows` names every problem of every row against the database and the
importer's scope. The services store the result (`StaffImport`) and import the valid rows on confirmation.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from servicecenter.core import xlsx
from servicecenter.core.xlsx import Column

from . import policies
from .models import Organization, phone_validator

MAX_UPLOAD_BYTES = 2 * 1024 * 1024  # 2 MB: ~20,000 plain rows, far above the row limit below
MAX_ROWS = 5000  # one synchronous request commits them (≈ 10 queries a row)


COLUMNS: tuple[Column, ...] = (
    Column("staff_no", "工号", True, "S10001", "字母、数字或连字符，2–20 位，全系统唯一"),
    Column("name", "姓名", True, "张三", "最多 50 字"),
    Column("org_code", "所属组织编码", True, "", "见模板的「组织编码」工作表；须在您的管理范围内"),
    Column("position", "岗位", False, "维修员", "最多 50 字"),
    Column("phone", "手机", False, "13800001234", "可留空"),
    Column("hire_date", "入职日期", False, "2024-03-01", "2024-03-01、2024/3/1 或 Excel 日期"),
    Column("role_codes", "角色编码", False, "service_staff", "多个用逗号分隔，见模板的「角色编码」工作表；可留空"),
)
HEADERS = tuple(c.header for c in COLUMNS)
KEYS = tuple(c.key for c in COLUMNS)
LABEL = {c.key: c.header for c in COLUMNS}

DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
ROLE_SPLIT = re.compile(r"[,，、;；\s]+")


def read_staff_workbook(file: Any) -> list[dict[str, Any]]:
    """Rows of the first sheet of an uploaded .xlsx as `{"row": n, "values": {key: text}}`, blank rows skipped
    (core.xlsx: the file is refused as a whole with a clear reason when it cannot be read)."""
    return xlsx.read_rows(file, COLUMNS, max_bytes=MAX_UPLOAD_BYTES, max_rows=MAX_ROWS, date_keys=("hire_date",))


def parse_date(text: str) -> date | None:
    """A hire date as typed: 2024-03-01, 2024/3/1, 2024.3.1, 2024年3月1日, 20240301, or an Excel day serial."""
    text = text.strip()
    if not text:
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    if re.fullmatch(r"\d{1,7}(\.\d+)?", text):
        return xlsx.excel_serial_to_date(float(text))
    return None


@dataclass
class RowCheck:
    """The verdict on one row: its problems as `[column header, message]` pairs, and, when it has none, what
    `staff_create` needs (`staff_fields`, `role_codes`)."""

    errors: list[list[str]] = field(default_factory=list)
    staff_fields: dict[str, Any] = field(default_factory=dict)
    role_codes: list[str] = field(default_factory=list)

    def add(self, key: str, message: str) -> None:
        self.errors.append([LABEL[key], message])


def import_scope(*, user: Any) -> dict[str, Organization]:
    """Active organizations where `user` may both import and add staff, by code (lower-cased)."""
    from servicecenter.core.access import organizations_where

    importable = organizations_where(user=user, permission="org.import_staff").filter(is_active=True)
    addable = organizations_where(user=user, permission="org.add_staff").values("pk")
    return {org.code.lower(): org for org in importable.filter(pk__in=addable)}


def check_rows(rows: list[dict[str, Any]], *, user: Any) -> list[RowCheck]:
    """Check every row (`{"row": sheet row number, "values": {key: text}}`): required cells, formats, staff
    numbers unique in the file and in the system (ORG-08), organization code known and inside `user`'s import
    scope, role codes known and grantable by `user` over that organization (ORG-04).

    A readable hire date is rewritten in `rows` as YYYY-MM-DD. Bounded queries: a few for the whole file (plus one
    per 500 staff numbers), one per distinct organization."""
    from .selectors import grantor_over, roles_with_permissions, staff_numbers_taken

    organizations = import_scope(user=user)
    roles = roles_with_permissions()
    role_by_name = {role.name: code for code, (role, _perms) in roles.items()}
    taken = staff_numbers_taken(staff_numbers=[r["values"].get("staff_no", "").strip() for r in rows])
    seen: dict[str, list[int]] = defaultdict(list)
    for item in rows:
        number = item["values"].get("staff_no", "").strip().upper()
        if number:
            seen[number].append(item["row"])
    grantors: dict[int, policies.Grantor] = {}
    today = timezone.localdate()
    results: list[RowCheck] = []
    for item in rows:
        row: dict[str, str] = item["values"]
        check = RowCheck()
        staff_no = row.get("staff_no", "").strip()
        decision = policies.check_staff_no(staff_no=staff_no, taken=staff_no.upper() in taken)
        if not decision.allowed:
            check.add(
                "staff_no", decision.reason if staff_no.upper() not in taken else "工号已存在（系统中已有该工号）"
            )
        twins = [n for n in seen.get(staff_no.upper(), []) if n != item["row"]]
        if staff_no and twins:
            check.add("staff_no", "与本文件中其他行工号重复（第 " + "、".join(str(n) for n in twins) + " 行）")
        name = row.get("name", "").strip()
        if not name:
            check.add("name", "请填写姓名")
        elif len(name) > 50:
            check.add("name", "姓名最多 50 字")
        org = None
        code = row.get("org_code", "").strip()
        if not code:
            check.add("org_code", "请填写所属组织编码")
        else:
            org = organizations.get(code.lower())
            if org is None:
                # Same words for "no such code" and "not yours": the report must not reveal other centers' codes.
                check.add("org_code", f"组织编码「{code}」不存在或不在您的管理范围内")
        position = row.get("position", "").strip()
        if len(position) > 50:
            check.add("position", "岗位最多 50 字")
        phone = row.get("phone", "").strip()
        if phone:
            try:
                phone_validator(phone)
            except ValidationError:
                check.add("phone", "手机号码格式不正确")
        hire_date = None
        hire_text = row.get("hire_date", "").strip()
        if hire_text:
            hire_date = parse_date(hire_text)
            if hire_date is not None:
                row["hire_date"] = hire_date.isoformat()  # stored normalised: the report shows what will be saved
            if hire_date is None:
                check.add("hire_date", f"无法识别的日期「{hire_text}」，请填写如 2024-03-01")
            elif not date(1950, 1, 1) <= hire_date <= date(today.year + 1, 12, 31):
                check.add("hire_date", f"入职日期「{hire_date.isoformat()}」不在合理范围内")
        role_codes: list[str] = []
        for token in [t for t in ROLE_SPLIT.split(row.get("role_codes", "")) if t]:
            role_code = token if token in roles else role_by_name.get(token)
            if role_code is None or not roles[role_code][0].is_active:
                check.add("role_codes", f"角色「{token}」不存在")
                continue
            if org is not None:
                if org.pk not in grantors:
                    grantors[org.pk] = grantor_over(user=user, organization=org)
                role, permissions = roles[role_code]
                verdict = policies.can_assign_role(
                    grantor=grantors[org.pk],
                    role_code=role_code,
                    role_is_active=role.is_active,
                    role_permissions=permissions,
                )
                if not verdict.allowed:
                    check.add("role_codes", f"不能授予角色「{role.name}」：{verdict.reason}")
                    continue
            if role_code not in role_codes:
                role_codes.append(role_code)
        if not check.errors and org is not None:
            check.staff_fields = {
                "organization": org,
                "staff_no": staff_no,
                "name": name,
                "position": position,
                "phone": phone,
                "hire_date": hire_date,
            }
            check.role_codes = role_codes
        results.append(check)
    return results
