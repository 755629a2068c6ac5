"""The service register (SVC-03) as .xlsx: openpyxl's write-only mode, rows streamed from the database.

Write-only mode keeps one row in memory at a time; the rows come from a `values_list` iterator in chunks, so even
the capped 50,000-row export stays small. The file is spooled to a temporary file (in memory up to a few MB, then
on disk) and handed to the response as a stream.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from .choices import OrderKind, OrderStatus, PaymentPath, ServiceType

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_CAP = 50_000
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="0D6EFD")

FIELDS = (
    "number",
    "created_at",
    "organization__name",
    "customer_name",
    "phone",
    "address",
    "kind",
    "service_type",
    "status",
    "assignee__name",
    "problem",
    "work_content",
    "service_started_at",
    "service_ended_at",
    "fee_total",
    "payment_path",
    "signed_at",
    "countersigned_at",
    "archived_at",
)
COLUMNS = (
    ("登记号", 18),
    ("登记时间", 17),
    ("服务中心", 16),
    ("客户", 12),
    ("电话", 15),
    ("地址", 28),
    ("类别", 8),
    ("服务类型", 10),
    ("状态", 9),
    ("服务人员", 10),
    ("问题描述", 30),
    ("服务内容", 30),
    ("实际开始", 17),
    ("实际结束", 17),
    ("费用合计", 10),
    ("收费方式", 12),
    ("凭证", 10),
)


def voucher_state(*, signed_at: Any, countersigned_at: Any, archived_at: Any) -> str:
    """The voucher's sign-off stage as the register shows it (SVC-05 → SVC-10 → SVC-06)."""
    if archived_at:
        return _("已归档")
    if countersigned_at:
        return _("已核签")
    if signed_at:
        return _("客户已签字")
    return _("—")


def _local(value: Any) -> Any:
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _rows(qs: Any) -> Iterator[tuple[Any, ...]]:
    yield from qs.values_list(*FIELDS).iterator(chunk_size=2000)


def register_workbook(*, qs: Any, cap: int = EXPORT_CAP) -> tuple[IO[bytes], int, bool]:
    """Write the filtered register `qs` (already ordered) to an .xlsx; returns (file positioned at 0, rows written,
    whether the cap cut the list). A capped export ends with a row saying so."""
    kinds, types, statuses = dict(OrderKind.choices), dict(ServiceType.choices), dict(OrderStatus.choices)
    paths = dict(PaymentPath.choices)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("服务登记簿"))
    for index, (_label, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    header = []
    for label, _width in COLUMNS:
        cell = WriteOnlyCell(sheet, value=_(label))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        header.append(cell)
    sheet.append(header)
    count = 0
    capped = False
    for row in _rows(qs[: cap + 1]):
        if count >= cap:
            capped = True
            break
        (number, created, center, name, phone, address, kind, stype, status, staff, problem, content, start, end,
         fee, path, signed, countersigned, archived) = row  # fmt: skip
        phone_cell = WriteOnlyCell(sheet, value=phone)
        phone_cell.number_format = "@"
        number_cell = WriteOnlyCell(sheet, value=number)
        number_cell.number_format = "@"
        sheet.append(
            [
                number_cell,
                _local(created),
                center,
                name,
                phone_cell,
                address,
                str(kinds.get(kind, kind)),
                f"{stype} {types.get(stype, '')}",
                str(statuses.get(status, status)),
                staff or "",
                problem,
                content,
                _local(start),
                _local(end),
                fee,
                str(paths.get(path, path)),
                voucher_state(signed_at=signed, countersigned_at=countersigned, archived_at=archived),
            ]
        )
        count += 1
    if capped:
        sheet.append([_("仅导出前 %(n)s 条，请缩小筛选范围后再导出其余记录") % {"n": cap}])
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - handed to the response
    workbook.save(spool)
    spool.seek(0)
    return spool, count, capped
