"""Time the monthly attendance computation (issue 5: 2,000 staff × 31 days ≤ 20 s; one center of 50 staff ≤ 1 s).

    .venv/bin/python bench/bench_attendance_month.py [--database-url …] [-n 5]

Runs on the bench data set (bench/generate.py: 100 centers, 2,011 staff). The roster and leave inputs are
synthetic and in memory (an 8-hour day shift on 25 days of the month, 6 rest days, one day of approved leave for
every tenth person) so that the figure measures attendance's own work: loading punches and existing results in
bulk, the engine for every staff-day, the bulk insert and the comparison. Punches (two per shift, a few late, a few
missing) are bulk-inserted into attendance_punch for March 2026 once; the bench results are deleted before each
"first computation" run.

Figures: the first computation of the whole company (62,000 results created), the recomputation with unchanged
inputs (everything compared, nothing written: reproducibility), and 50 staff of one ops center (first computation
and recomputation). Writes bench/results.d/attendance.md (the punch endpoint section is kept).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import CODE_PREFIX, database_url, machine, setup_django  # noqa: E402

FIRST, LAST = date(2026, 3, 1), date(2026, 3, 31)
SH = ZoneInfo("Asia/Shanghai")
RESULTS = Path(__file__).resolve().parent / "results.d" / "attendance.md"


def _at(day: date, hh: int, mm: int) -> datetime:
    return datetime.combine(day, dtime(hh, mm), tzinfo=SH)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("-n", type=int, default=3, help="timed runs of each case (default 3)")
    args = parser.parse_args(argv)
    setup_django(database_url(args.database_url))

    from django.db import connection
    from tests.attendance.fakes import Absence, FakeRoster, d8

    from servicecenter.attendance import inputs, services
    from servicecenter.attendance.models import AttendanceResult, Punch
    from servicecenter.org.models import Organization, Staff

    company = Organization.objects.get(code=f"{CODE_PREFIX}co")
    staff = list(Staff.objects.filter(organization__path__startswith=company.path).order_by("pk"))
    rng = random.Random(5)
    roster = FakeRoster()
    days = [FIRST + timedelta(days=i) for i in range(31)]
    for person in staff:
        rest = set(rng.sample(days, 6))
        roster.rests[person.pk] = rest
        roster.shifts += [d8(person.pk, d) for d in days if d not in rest]
        if person.pk % 10 == 0:
            leave_day = next(d for d in days if d not in rest)
            roster.absences.append(Absence(person.pk, _at(leave_day, 0, 0), _at(leave_day + timedelta(days=1), 0, 0)))
    inputs.scheduled_shifts = roster.scheduled_shifts  # type: ignore[assignment]
    inputs.rest_days = roster.rest_days  # type: ignore[assignment]
    inputs.approved_absences = roster.approved_absences  # type: ignore[assignment]

    ids = [s.pk for s in staff]
    if not Punch.objects.filter(staff_id__in=ids, at__gte=_at(FIRST, 0, 0), at__lt=_at(LAST, 23, 59)).exists():
        rows = []
        for shift in roster.shifts:
            roll = rng.random()
            if roll < 0.01:
                continue  # absent
            person = shift.staff_id
            late = roll < 0.05
            rows.append(
                Punch(
                    staff_id=person,
                    organization_id=company.pk,
                    kind="in",
                    source="terminal",
                    at=_at(shift.day, 8, 40 if late else 20),
                )
            )
            if roll > 0.02:
                rows.append(
                    Punch(
                        staff_id=person,
                        organization_id=company.pk,
                        kind="out",
                        source="terminal",
                        at=_at(shift.day, 16, 35),
                    )
                )
        Punch.objects.bulk_create(rows, batch_size=5000)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE attendance_punch")
        print(f"inserted {len(rows):,} punches")

    now = _at(date(2026, 4, 2), 9, 0)
    ops = Organization.objects.filter(code__startswith=f"{CODE_PREFIX}ops-").order_by("code").first()
    fifty = list(
        Staff.objects.filter(organization__path__startswith=ops.path).order_by("pk").values_list("pk", flat=True)[:50]
    )

    def clear(staff_ids: list[int]) -> None:
        AttendanceResult.objects.filter(staff_id__in=staff_ids, day__gte=FIRST, day__lte=LAST).delete()

    def timed(fn) -> tuple[float, object]:
        started = time.perf_counter()
        value = fn()
        return time.perf_counter() - started, value

    cases: list[tuple[str, list[float], str, str]] = []
    firsts, agains, summary_first, summary_again = [], [], None, None
    for _ in range(args.n):
        clear(ids)
        t, summary_first = timed(lambda: services.results_compute(organization=company, start=FIRST, end=LAST, now=now))
        firsts.append(t)
        t, summary_again = timed(lambda: services.results_compute(organization=company, start=FIRST, end=LAST, now=now))
        agains.append(t)
    cases.append(
        (f"2,011 staff × 31 days, first computation ({summary_first.created:,} created)", firsts, "≤ 20 s", "")
    )
    cases.append(
        (
            f"2,011 staff × 31 days, recomputation ({summary_again.unchanged:,} unchanged, "
            f"{summary_again.changed} changed)",
            agains,
            "≤ 20 s",
            "",
        )
    )
    f50, a50 = [], []
    for _ in range(max(args.n, 5)):
        clear(fifty)
        t, _s = timed(
            lambda: services.results_compute(organization=ops, staff_ids=fifty, start=FIRST, end=LAST, now=now)
        )
        f50.append(t)
        t, _s = timed(
            lambda: services.results_compute(organization=ops, staff_ids=fifty, start=FIRST, end=LAST, now=now)
        )
        a50.append(t)
    cases.append(("50 staff × 31 days, first computation (1,550 results)", f50, "≤ 1 s", ""))
    cases.append(("50 staff × 31 days, recomputation", a50, "≤ 1 s", ""))

    info = machine()
    lines = [
        "# Attendance: monthly computation",
        "",
        f"Command: `.venv/bin/python bench/bench_attendance_month.py -n {args.n}` · {date.today()} · "
        f"{info.get('nproc')} × {info.get('cpu')}, PostgreSQL {info.get('postgresql', '').split()[0]}, "
        f"Python {info.get('python')}",
        "",
        "| case | median | max | target |",
        "|---|---|---|---|",
    ]
    for name, values, target, _ in cases:
        lines.append(f"| {name} | {statistics.median(values):.2f} s | {max(values):.2f} s | {target} |")
        print(f"{name:<80} median {statistics.median(values):.2f} s  max {max(values):.2f} s")
    lines += [
        "",
        "Roster and leave inputs are synthetic and in memory (attendance's own cost); with the real providers add",
        "`rosters.selectors.scheduled_shifts` / `rest_days` and `leave.selectors.approved_absences` for the same",
        "period (bulk queries, see their benches). Results are bulk-created; a recomputation with unchanged inputs",
        "compares fingerprints and writes nothing.",
        "",
    ]
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    keep = old[old.index("# Attendance: punch endpoint") :] if "# Attendance: punch endpoint" in old else ""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + ("\n" + keep if keep else ""), encoding="utf-8")
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
