"""core.months: the one YYYY-MM parser and the month arithmetic the points, renewals, pay and appraisal pages use."""

from __future__ import annotations

from datetime import date

import pytest

from servicecenter.core.months import month_end, month_of, next_month, parse_month, previous_month


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-11", date(2026, 11, 1)),
        (" 2026-01 ", date(2026, 1, 1)),
        ("2026-1", None),  # two digits for the month
        ("2026-13", None),
        ("2026-00", None),
        ("1999-12", None),  # years 2000–2100
        ("2101-01", None),
        ("26-11", None),
        ("2026/11", None),
        ("", None),
        (None, None),
        (202611, None),
    ],
)
def test_parse_month(raw, expected):
    assert parse_month(raw) == expected


def test_month_arithmetic_across_year_ends_and_february():
    assert month_of(date(2026, 12, 31)) == date(2026, 12, 1)
    assert month_end(date(2026, 2, 10)) == date(2026, 2, 28) and month_end(date(2028, 2, 1)) == date(2028, 2, 29)
    assert next_month(date(2026, 12, 1)) == date(2027, 1, 1)
    assert previous_month(date(2027, 1, 15)) == date(2026, 12, 1)
