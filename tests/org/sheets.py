"""Spreadsheets for the import tests, written with openpyxl as Excel would save them."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from servicecenter.org.imports import HEADERS


def xlsx_bytes(
    rows: Iterable[Sequence[Any]], headers: Sequence[str] = HEADERS, number_formats: dict | None = None
) -> bytes:
    """A workbook whose first sheet has `headers` in row 1 and `rows` below; `number_formats` maps (row, col) →
    an Excel number format (e.g. to store a date as a plain serial number)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    for (row, col), fmt in (number_formats or {}).items():
        sheet.cell(row=row, column=col).number_format = fmt
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name: str = "员工.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def staff_file(rows: Iterable[Sequence[Any]], **kwargs: Any) -> SimpleUploadedFile:
    return upload(xlsx_bytes(rows, **kwargs))


def read_sheet(content: bytes, sheet: int | str = 0) -> list[list[Any]]:
    """All rows of a sheet of an .xlsx as lists of cell values."""
    workbook = load_workbook(io.BytesIO(content), data_only=True)
    ws = workbook.worksheets[sheet] if isinstance(sheet, int) else workbook[sheet]
    return [list(r) for r in ws.iter_rows(values_only=True)]
