"""Sample renewal lists for `servicecenter demo` (CB-11, PTS-12…PTS-17), loaded through the real import and the
outcome services: for the demo station, last month's due list (50 households) and suspended list (10), called
through — 34 renewed of 50 = 68.0 %, so the month result shows the seed's 80 points, with the acceptance
conversions (three 6.0→3.0, two 3.0→6.0, one →8.2: +1) — and this month's lists (40 + 10), a few called so far,
two households left unassigned for the specialist to take. Idempotent: nothing is added once the station has rows.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from servicecenter.core.access import has_permission_in
from servicecenter.core.demo_data import as_list
from servicecenter.points.policies import previous_month
from servicecenter.policy.values import local_today, zone_of

from . import services
from .imports import HEADERS
from .models import RenewalRow

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"


class _Upload(io.BytesIO):
    """An in-memory .xlsx with the name the import checks."""

    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name = name
        self.size = len(data)


def _workbook(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(list(HEADERS))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _households(month: date, kind: str, count: int, staff_no: str, *, unassigned: int = 0) -> list[list[Any]]:
    prefix = ("D" if kind == "due" else "T") + f"{month:%y%m}"
    rows = []
    for i in range(count):
        tier = "3.0" if i % 5 in (3, 4) else "6.0"
        if kind == "due" and i < 3:
            tier = "6.0"
        if kind == "due" and 3 <= i < 5:
            tier = "3.0"
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)] + ("" if i < 20 else GIVEN[i % len(GIVEN)])
        due = month.replace(day=1 + (i * 3) % 27) if kind == "due" else ""
        rows.append(
            [f"{prefix}{i:03d}", name, f"139{month:%m}{i:06d}", tier, due, "" if i >= count - unassigned else staff_no]
        )
    return rows


def _list(manager: Any, station: Any, month: date, kind: str, rows: list[list[Any]]) -> list[RenewalRow]:
    upload = _Upload(_workbook(rows), f"{month:%Y-%m}-{'到期续费' if kind == 'due' else '历史停机'}.xlsx")
    imp = services.import_upload(actor=manager.user, organization=station, month=month, kind=kind, file=upload)
    services.import_commit(actor=manager.user, imp=imp)
    return list(RenewalRow.objects.filter(source=imp).order_by("subscriber_no"))


# Last month's due list, in order: the acceptance conversions, then plain renewals up to 34, then the rest.
LAST_MONTH: tuple[tuple[str, str], ...] = (
    ((("downgraded", "3.0"),) * 3 + (("upgraded", "6.0"),) * 2 + (("upgraded", "8.2"),) + (("renewed", ""),) * 28)
    + (("refused", ""),) * 9
    + (("unreachable", ""),) * 7
)


def load_demo(*, centers: Mapping[str, Any] | Iterable[Any], people: Mapping[str, Any] | Iterable[Any]) -> int:
    station = next((c for c in as_list(centers) if c.center_type == "service_station"), None)
    if station is None or RenewalRow.objects.filter(organization=station).exists():
        return 0
    local = [s for s in as_list(people) if s.user_id and s.organization.path.startswith(station.path)]
    manager = next(
        (
            s
            for s in local
            if has_permission_in(user=s.user, permission="renewals.manage_renewals", organization=station)
        ),
        None,
    )
    specialist = next(
        (
            s
            for s in local
            if has_permission_in(user=s.user, permission="renewals.make_renewal_call", organization=station)
            and s is not manager
            and not has_permission_in(user=s.user, permission="renewals.manage_renewals", organization=station)
        ),
        None,
    )
    if manager is None or specialist is None:
        return 0
    today = local_today(station)
    this_month = today.replace(day=1)
    last_month = previous_month(today)
    zone = zone_of(station)

    def at(day: date, hour: int) -> datetime:
        moment = datetime.combine(day, time(hour), tzinfo=zone)
        return min(moment, timezone.now() - timedelta(minutes=5))

    done = 0
    due = _list(manager, station, last_month, "due", _households(last_month, "due", 50, specialist.staff_no))
    for i, (row, (outcome, tier)) in enumerate(zip(due, LAST_MONTH, strict=True)):
        day = last_month + timedelta(days=i % 25)
        services.outcome_record(actor=specialist.user, row_id=row.pk, outcome=outcome, new_tier=tier, now=at(day, 10))
        done += 1
    suspended = _list(
        manager, station, last_month, "suspended", _households(last_month, "suspended", 10, specialist.staff_no)
    )
    for i, row in enumerate(suspended):
        outcome = "renewed" if i < 3 else ("refused" if i < 7 else "unreachable")
        services.outcome_record(
            actor=specialist.user, row_id=row.pk, outcome=outcome, now=at(last_month + timedelta(days=10 + i), 15)
        )
        done += 1
    current = _list(
        manager, station, this_month, "due", _households(this_month, "due", 40, specialist.staff_no, unassigned=2)
    )
    _list(manager, station, this_month, "suspended", _households(this_month, "suspended", 10, specialist.staff_no))
    for i, row in enumerate(current[5:11]):
        outcome = ("renewed", "renewed", "refused", "unreachable", "renewed", "renewed")[i]
        services.outcome_record(actor=specialist.user, row_id=row.pk, outcome=outcome, now=at(today, 9))
        done += 1
    return done


load = load_demo
