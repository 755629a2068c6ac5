"""Reading an uploaded spreadsheet (.xlsx) into rows of text by its header row — the one reader of every import
(staff, renewal call lists). The caller declares its columns; this checks the file (format, size, headers, rows)
and refuses the whole file with one clear reason, or returns `{"row": n, "values": {key: text}}` per data row,
blank rows skipped. Checking the values against the database is the caller's business."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _

from .errors import ValidationFailed

MAX_CELL_CHARS = 200  # longer texts are cut when read; the row is reported for the field's own limit anyway
BROKEN = "文件已损坏或不是有效的 .xlsx 文件，请用 Excel 打开后重新保存再上传。"


@dataclass(frozen=True)
class Column:
    """One column of an import: its key in the rows, the header to find it by, whether it must be there, an example
    for the template and a help text."""

    key: str
    header: str
    required: bool
    example: str
    help: str


def refuse(message: str) -> ValidationFailed:
    """The whole file is refused (form field `file`)."""
    return ValidationFailed(message, fields={"file": [message]})


def normalise_header(value: Any) -> str:
    text = str(value or "").strip()
    return re.sub(r"[\s*＊]|（必填）|\(必填\)", "", text)


def excel_serial_to_date(value: float) -> date | None:
    """A date typed into a cell formatted as a number arrives as Excel's day serial (1 = 1900-01-01)."""
    from openpyxl.utils.datetime import from_excel

    if not 1 <= value <= 2958465:  # 9999-12-31, Excel's own limit
        return None
    try:
        result = from_excel(value)
    except (ValueError, OverflowError):
        return None
    return result.date() if isinstance(result, datetime) else result


def cell_text(value: Any, *, is_date: bool = False) -> str:
    """One cell as text: dates as YYYY-MM-DD (also from a day serial in a date column), whole numbers without
    ".0", everything stripped and cut to MAX_CELL_CHARS."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if is_date else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        if is_date:
            as_date = excel_serial_to_date(float(value))
            return as_date.isoformat() if as_date else str(value)
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)
    return str(value).strip()[:MAX_CELL_CHARS]


def read_rows(
    file: Any,
    columns: Sequence[Column],
    *,
    max_bytes: int,
    max_rows: int,
    date_keys: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """Rows of the first sheet of an uploaded .xlsx, by the headers of `columns`.

    Raises ValidationFailed (field `file`) for a file that is not .xlsx, too large, empty or unreadable, without a
    required header or with one twice, without data rows, or with more than `max_rows` data rows."""
    name = str(getattr(file, "name", "") or "")
    if not name.lower().endswith(".xlsx"):
        raise refuse(_("只支持 .xlsx 格式（Excel 2007 及以上）。.xls 或 .csv 文件请先在 Excel 中另存为 .xlsx。"))
    too_large = _("文件超过 %(mb)s MB，请分批导入。") % {"mb": max_bytes // (1024 * 1024)}
    size = getattr(file, "size", None)
    if size is not None and size > max_bytes:
        raise refuse(too_large)
    data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise refuse(too_large)
    if not data:
        raise refuse(_("文件是空的。"))
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise refuse(_(BROKEN))
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken file; all mean the same
        raise refuse(_(BROKEN)) from exc
    try:
        return _rows(workbook, columns, max_rows=max_rows, date_keys=set(date_keys))
    except ValidationFailed:
        raise
    except Exception as exc:  # noqa: BLE001 - a sheet that breaks while streaming is a broken file too
        raise refuse(_("文件内容无法读取，请用 Excel 打开后重新保存再上传。")) from exc
    finally:
        workbook.close()


def _rows(workbook: Any, columns: Sequence[Column], *, max_rows: int, date_keys: set[str]) -> list[dict[str, Any]]:
    headers = "、".join(c.header for c in columns)
    if not workbook.worksheets:
        raise refuse(_("文件中没有工作表。"))
    sheet = workbook.worksheets[0]
    rows_iter = sheet.iter_rows(values_only=True, max_col=40)
    header = next(rows_iter, None)
    if header is None:
        raise refuse(_("第一个工作表是空的：第 1 行应为表头（%(headers)s）。") % {"headers": headers})
    positions: dict[str, int] = {}
    for index, value in enumerate(header):
        label = normalise_header(value)
        for column in columns:
            if label == column.header:
                if column.key in positions:
                    raise refuse(_("表头「%(header)s」出现了两次。") % {"header": column.header})
                positions[column.key] = index
    missing = [c.header for c in columns if c.required and c.key not in positions]
    if missing:
        raise refuse(
            _("第 1 行表头缺少必填列：%(missing)s。请下载导入模板，按模板的表头填写（%(headers)s）。")
            % {"missing": "、".join(missing), "headers": headers}
        )
    keys = [c.key for c in columns]
    rows: list[dict[str, Any]] = []
    for number, cells in enumerate(rows_iter, start=2):
        values = {
            key: cell_text(cells[pos] if pos < len(cells) else None, is_date=key in date_keys)
            for key, pos in positions.items()
        }
        for key in keys:
            values.setdefault(key, "")
        if not any(values.values()):
            continue
        if len(rows) >= max_rows:
            raise refuse(_("数据超过 %(n)s 行，请分批导入。") % {"n": max_rows})
        rows.append({"row": number, "values": values})
    if not rows:
        raise refuse(_("文件中没有数据行（第 2 行起）。"))
    return rows
