"""Pure helpers: local shift periods → minutes and aware instants (no ORM, shared by the solver and selectors)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta, tzinfo

MINUTES_PER_DAY = 1440


def clock_minutes(text: str) -> int:
    """«08:30» → 510; «24:00» → 1440."""
    hours, minutes = (int(part) for part in str(text).split(":"))
    return hours * 60 + minutes


def period_offsets(periods: Iterable[Sequence[str]]) -> tuple[tuple[int, int], ...]:
    """Local periods as minute offsets from the start day's midnight; an end at or before its start (or «24:00»)
    ends on the next day: 08:00–08:00 → (480, 1920), 20:00–08:00 → (1200, 1920)."""
    result = []
    for start_text, end_text in periods:
        start = clock_minutes(start_text)
        end = clock_minutes(end_text)
        if end <= start:
            end += MINUTES_PER_DAY
        result.append((start, end))
    return tuple(result)


def _instant(day: date, minutes: int, tz: tzinfo) -> datetime:
    days, rest = divmod(minutes, MINUTES_PER_DAY)
    local = datetime.combine(day + timedelta(days=days), time(rest // 60, rest % 60), tzinfo=tz)
    return local


def periods_on(day: date, periods: Iterable[Sequence[str]], tz: tzinfo) -> tuple[tuple[datetime, datetime], ...]:
    """Aware (start, end) instants of a template's periods when the shift starts on `day` in time zone `tz`."""
    return tuple((_instant(day, a, tz), _instant(day, b, tz)) for a, b in period_offsets(periods))


def total_minutes(periods: Iterable[Sequence[str]]) -> int:
    return sum(b - a for a, b in period_offsets(periods))
