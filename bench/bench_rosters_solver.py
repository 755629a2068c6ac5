"""Time the roster proposal (rosters/solver.py) for a center of 30 staff and a month (target ≤ 2 s, issue 5).

    .venv/bin/python bench/bench_rosters_solver.py [-n 30] [--db] [--database-url postgres://…/sc_rosters_bench]

Pure solver (no database): a service station 08:30–20:00 with early/late 8-hour shifts, min 3 on duty, quota 6,
two people with approved leave; and a 24×7 center (heating season) with 24-h rotation and a day shift. Prints
median and p95 of `propose` + `validate` and writes bench/results.d/rosters.md.

With --db, also the whole "生成排班建议" service on PostgreSQL (`roster_propose`: calendar, parameters, leave,
templates, solver, bulk insert, audit) followed by the conflicts check the page shows (`roster_conflicts`), for a
station of 30 staff, each round rolled back. Uses its own database (default sc_rosters_bench, created and
migrated if missing, organizations coded bench-rosters-*), never the shared bench data set.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from servicecenter.rosters.solver import DayInput, Problem, ShiftOption, StaffInput, propose, validate  # noqa: E402


def problem(kind: str) -> Problem:
    first = date(2026, 3, 1)
    hours = ((510, 1200),) if kind == "station" else ((0, 1440),)
    days = tuple(DayInput(first + timedelta(days=i), hours) for i in range(31))
    leave = {1: frozenset({date(2026, 3, 10), date(2026, 3, 11)}), 2: frozenset({date(2026, 3, 20)})}
    staff = tuple(StaffInput(i, f"S{i:03d}", f"员工{i}", 6, leave.get(i, frozenset())) for i in range(1, 31))
    if kind == "station":
        shifts = (ShiftOption("EARLY", "早班", ((510, 990),)), ShiftOption("LATE", "晚班", ((720, 1200),)))
        return Problem(staff, days, shifts, min_staff=3)
    shifts = (ShiftOption("D8", "白班", ((510, 990),)), ShiftOption("R24", "24小时", ((480, 1920),)))
    return Problem(staff, days, shifts, min_staff=2, carry_in=((0, 480), (0, 480)))


def _db_rounds(url: str, n: int) -> list[float]:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from common import ensure_database, setup_django

    ensure_database(url)
    setup_django(url)
    from django.core.management import call_command
    from django.db import transaction

    call_command("migrate", verbosity=0)
    from servicecenter.org import services as org
    from servicecenter.org.choices import CenterType, OrganizationKind
    from servicecenter.org.models import Organization, Staff
    from servicecenter.rosters import services

    center = Organization.objects.filter(code="bench-rosters-a").first()
    if center is None:
        company = org.organization_create(
            actor=None, name="排班基准公司", code="bench-rosters-co", kind=OrganizationKind.COMPANY
        )
        center = org.organization_create(
            actor=None,
            name="排班基准服务站",
            code="bench-rosters-a",
            kind=OrganizationKind.SERVICE_CENTER,
            parent=company,
            center_type=CenterType.SERVICE_STATION,
        )
        for i in range(30):
            staff = org.staff_create(
                actor=None, organization=center, staff_no=f"BR{i:04d}", name=f"排班员工{i}", password=None, roles=[]
            )
            if i == 0:
                org.role_assign(actor=None, user=staff.user, role_code="center_manager", organization=center)
    manager = Staff.objects.get(staff_no="BR0000").user
    services.templates_install_presets(actor=manager, organization=center)
    month = date(2026, 3, 1)
    times = []
    for _ in range(n):

        class Rollback(Exception):
            pass

        try:
            with transaction.atomic():
                draft = services.roster_open_draft(actor=manager, organization=center, month=month)
                start = time.perf_counter()
                services.roster_propose(actor=manager, roster_id=draft.pk)
                services.roster_conflicts(draft)
                times.append(time.perf_counter() - start)
                raise Rollback
        except Rollback:
            pass
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=30)
    parser.add_argument("--db", action="store_true", help="also time roster_propose on PostgreSQL")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/sc_rosters_bench")
    args = parser.parse_args()
    lines = [
        "# Rosters: proposal solver",
        "",
        f"Command: `.venv/bin/python bench/bench_rosters_solver.py -n {args.n}{' --db' if args.db else ''}` · "
        f"{date.today()} · "
        f"{platform.python_implementation()} {platform.python_version()} on {platform.machine()}",
        "",
        "| case | median | p95 | gaps (ATT-02) | target |",
        "|---|---|---|---|---|",
    ]
    for kind, label in (
        ("station", "30 staff × 31 days, 08:30–20:00, min 3"),
        ("rtc", "30 staff × 31 days, 24×7, min 2"),
    ):
        p = problem(kind)
        times = []
        gaps = 0
        for _ in range(args.n):
            start = time.perf_counter()
            proposal = propose(p)
            conflicts = validate(p, proposal.assignment)
            times.append(time.perf_counter() - start)
            gaps = sum(1 for c in conflicts if c.severity == "error")
        times.sort()
        median = statistics.median(times) * 1000
        p95 = times[int(0.95 * (len(times) - 1))] * 1000
        print(f"{label}: median {median:.1f} ms, p95 {p95:.1f} ms, gaps {gaps}")
        lines.append(f"| {label} | {median:.1f} ms | {p95:.1f} ms | {gaps} | ≤ 2,000 ms |")
    if args.db:
        times = sorted(_db_rounds(args.database_url, args.n))
        median = statistics.median(times) * 1000
        p95 = times[int(0.95 * (len(times) - 1))] * 1000
        print(f"roster_propose + roster_conflicts on PostgreSQL: median {median:.1f} ms, p95 {p95:.1f} ms")
        lines.append(
            f"| 生成排班建议 service on PostgreSQL (30 staff, `roster_propose` + `roster_conflicts`) "
            f"| {median:.1f} ms | {p95:.1f} ms | — | ≤ 2,000 ms |"
        )
    lines += [
        "",
        "The first two rows are the pure solver + validation (no database). The service row (`--db`) adds the reads of",
        "the calendar, parameters, approved leave (LEV-04 offsets read only for people with personal leave) and",
        "templates, the bulk insert of the month's cells and the audit event; each round is rolled back.",
        f"Machine: {os.cpu_count()} CPUs shared with other jobs while measuring (figures are upper bounds).",
        "",
    ]
    out = Path(__file__).resolve().parent / "results.d" / "rosters.md"
    out.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
