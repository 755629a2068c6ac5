"""Calendar months as the first day of the month: the one parser of `YYYY-MM` and the month arithmetic that
points, renewals, pay and appraisal pages share (the business calendar's working days are in workcalendar)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
FIRST_YEAR, LAST_YEAR = 2000, 2100


def parse_month(raw: Any) -> date | None:
    """`YYYY-MM` (years 2000–2100) → the month's first day; None for anything else (the caller answers 400)."""
    match = MONTH.match(str(raw or "").strip())
    if match is None:
        return None
    year, month = int(match[1]), int(match[2])
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
        return None
    return date(year, month, 1)


def month_of(day: date) -> date:
    return day.replace(day=1)


def month_end(month: date) -> date:
    """The last day of the month of `month`."""
    return next_month(month) - timedelta(days=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def previous_month(day: date) -> date:
    """The first day of the month before the month of `day`."""
    return month_of(month_of(day) - timedelta(days=1))
