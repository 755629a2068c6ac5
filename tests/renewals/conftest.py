"""Fixtures of the renewals tests: a renewal specialist of station A, rows of a month's lists, .xlsx uploads."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from servicecenter.renewals import services
from servicecenter.renewals.imports import HEADERS
from servicecenter.renewals.models import RenewalRow
from tests import factories

MONTH = date(2026, 11, 1)
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 in Asia/Shanghai, inside the month
AFTER = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # the month is over


@pytest.fixture
def specialist_a(tree):
    return factories.make_staff(tree["a"], "renewal_specialist", name="甲续费")


@pytest.fixture
def specialist_a2(tree):
    return factories.make_staff(tree["a"], "renewal_specialist", name="甲续费二")


def add_rows(
    center,
    *,
    n: int,
    kind: str = "due",
    assignee=None,
    tier: str = "6.0",
    month: date = MONTH,
    prefix: str = "U",
    phone: str = "13912345678",
) -> list[RenewalRow]:
    """`n` households on the center's list (the minimum valid rows; the import path is tested on its own)."""
    start = RenewalRow.objects.filter(organization=center).count()
    return [
        RenewalRow.objects.create(
            organization=center,
            month=month,
            kind=kind,
            subscriber_no=f"{prefix}{start + i:05d}",
            name=f"用户{start + i}",
            phone=phone,
            tier=tier,
            due_date=month.replace(day=20) if kind == "due" else None,
            assignee=assignee,
        )
        for i in range(n)
    ]


def record(actor, row, outcome: str, new_tier: str = "", *, now: datetime = NOW, note: str = ""):
    return services.outcome_record(
        actor=actor.user if hasattr(actor, "user") else actor,
        row_id=row.pk,
        outcome=outcome,
        new_tier=new_tier,
        note=note,
        now=now,
    )


def xlsx(
    rows: list[list], *, headers: tuple[str, ...] | list[str] = HEADERS, name: str = "名单.xlsx"
) -> SimpleUploadedFile:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")
