"""Time the issue-6 pages and jobs (points board, daily verification, month-end settlement + payroll) on 5 M entries.

    .venv/bin/python bench/bench_points.py [-n 50] [--month YYYY-MM] [--settle-runs 3] [--explain]
        [--only pages|selectors|month] [--plain] [--database-url postgres://postgres@127.0.0.1:5432/sc_bench_pts]

Run bench/generate_points.py first. In-process like bench/bench_callbacks.py (Django test client, production
settings, DEBUG off; server time: view, templates and queries, no network or WSGI server). After 3 warm-up runs,
`n` timed runs each: median and p95 of the wall time, the median CPU time of this process (the rest is PostgreSQL
and waiting for a core) and the SQL query count of one run.

- (a) the board page of one center (50 staff) for a whole month, `/points/board/<center>/?month=YYYY-MM`, as the
  center manager: target ≤ 200 ms. Also the current month as of today, a locked month (it also lists the
  after-lock reversals), the print view and the wall screen's JSON feed;
- (b) the daily verification page `/points/daily/?center=&day=` as the order clerk: today (≈ 300 draft entries)
  and a verified day (≈ 350 entries): target ≤ 100 ms; beside it `services.day_verify` of all today's drafts (the
  «核对全部» write, rolled back each run);
- (c) month-end for the whole company: `points.services.month_settle` for every one of the 40 centers, then
  `pay.services.payroll_compute_all(month)`: target ≤ 30 s. Each run is done inside a transaction that is rolled
  back afterwards, so every run does the full work (posts the 40 fixed items, writes 40 sheet versions with their
  2,000 lines and audit events) on the same data; the same transaction then runs both again (the idempotent
  re-run: nothing posted, every sheet "unchanged"). `--settle-runs` runs (default 3);
- (d) EXPLAIN (ANALYZE, BUFFERS) of the board aggregate (`selectors.board_totals`, SQL captured from the call) to
  show whether `pointentry_org_day_idx` is read index-only, with its heap fetches;
- the selectors under the pages called directly (`board_rows`, `day_entries`), so a slow page can be split;
- after the rolled-back writes, `VACUUM (ANALYZE)` of the tables they touched (autovacuum is off on the bench
  server; the dead row versions would otherwise skew the plans printed below and the next run);
- `--explain`: also the three slowest SELECTs of one request of each page (captured from the request).

A page whose URL does not exist yet (other helpers are building them) is reported as missing, not as a failure.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_callbacks import explain_slowest, load, page, timed, url_or_none  # noqa: E402
from bench_workorders_pages import percentile  # noqa: E402
from common import database_url, machine, setup_django  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/sc_bench_pts"
TARGETS_MS = {"a": 200.0, "b": 100.0, "c": 30_000.0}
MANAGER = "BN00001"  # center manager of center 01 (generate_points.py)
CLERK = "BN00002"  # its first order clerk


class Table:
    """The result table, printed row by row (same columns as bench_callbacks.py)."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        print("| id | what | median ms | p95 ms | CPU ms (median) | queries | target | load 1/5 min |")
        print("|---|---|---:|---:|---:|---:|---|---|", flush=True)

    def add(self, key: str, label: str, times: list[float], cpu: list[float], queries: int | str) -> None:
        median, p95 = statistics.median(times), percentile(times, 95)
        target = TARGETS_MS.get(key)
        verdict = ""
        if target is not None:
            verdict = f"p95 ≤ {target:.0f}: {'met' if p95 <= target else 'missed'} ({p95 / target:.2f}×)"
        row = {"key": key, "label": label, "median": median, "p95": p95, "cpu": statistics.median(cpu)}
        self.rows.append(row)
        print(
            f"| {key} | {label} | {median:.1f} | {p95:.1f} | {row['cpu']:.1f} | {queries} | {verdict} | {load()} |",
            flush=True,
        )

    def missing(self, key: str, label: str, why: str) -> None:
        print(f"| {key} | {label} | — | — | — | — | not measured: {why} | {load()} |", flush=True)


def month_end_runs(table: Table, *, month: date, runs: int) -> None:
    """(c): settle every center, then the company's payroll; each run rolled back (see the module docstring)."""
    from django.db import connection, reset_queries, transaction
    from django.test.utils import CaptureQueriesContext

    from servicecenter.org.models import Organization
    from servicecenter.points import services as points_services

    try:
        from servicecenter.pay import services as pay_services

        compute_all: Callable[..., Any] | None = pay_services.payroll_compute_all
    except (ImportError, AttributeError) as error:
        print(f"pay.services.payroll_compute_all not importable ({error!r}): settlement timed alone")
        compute_all = None
    centers = list(Organization.objects.centers().active().order_by("path"))
    phases: dict[str, list[float]] = {"settle": [], "payroll": [], "both": [], "settle again": [], "payroll again": []}
    cpu: dict[str, list[float]] = {k: [] for k in phases}
    queries: dict[str, int] = {}
    posted = computed = None
    for run in range(runs):
        with transaction.atomic():
            for name in ("settle", "payroll", "settle again", "payroll again"):
                if name.startswith("payroll") and compute_all is None:
                    continue
                reset_queries()  # the query log keeps 9,000 entries: a full log breaks the capture's count
                started, started_cpu = time.perf_counter(), time.process_time()
                with CaptureQueriesContext(connection) as captured:
                    if name.startswith("settle"):
                        result: Any = sum(points_services.month_settle(organization=c, month=month) for c in centers)
                    else:
                        result = compute_all(month=month)
                phases[name].append((time.perf_counter() - started) * 1000)
                cpu[name].append((time.process_time() - started_cpu) * 1000)
                queries[name] = len(captured)
                if run == 0:
                    print(f"    run 1, {name}: {result}", flush=True)
                if name == "settle":
                    posted = result
                if name == "payroll":
                    computed = result
            transaction.set_rollback(True)
        phases["both"].append(phases["settle"][-1] + (phases["payroll"][-1] if compute_all else 0.0))
        cpu["both"].append(cpu["settle"][-1] + (cpu["payroll"][-1] if compute_all else 0.0))
        queries["both"] = queries["settle"] + queries.get("payroll", 0)
    n = len(centers)
    table.add(
        "c.1", f"month_settle × {n} centers (posted {posted})", phases["settle"], cpu["settle"], queries["settle"]
    )
    if compute_all is not None:
        table.add("c.2", f"payroll_compute_all ({computed})", phases["payroll"], cpu["payroll"], queries["payroll"])
    label = "month-end, whole company: settlement + payroll" if compute_all else "month-end: settlement ONLY"
    table.add("c", label, phases["both"], cpu["both"], queries["both"])
    table.add(
        "c.3",
        "idempotent re-run: month_settle × all",
        phases["settle again"],
        cpu["settle again"],
        queries["settle again"],
    )
    if compute_all is not None:
        table.add(
            "c.4",
            "idempotent re-run: payroll_compute_all",
            phases["payroll again"],
            cpu["payroll again"],
            queries["payroll again"],
        )


def vacuum_touched() -> None:
    """The rolled-back runs leave dead row versions (autovacuum is off on the bench server): vacuum the tables they
    touched, so that the plans printed afterwards and the next run see the table as generated. INDEX_CLEANUP ON:
    with dead rows on < 2 % of the pages PostgreSQL otherwise skips the indexes, and the covering index keeps
    pointing at them (the bitmap scan of today's 300 entries then read 14,000 index entries and 580 pages)."""
    from django.apps import apps
    from django.db import connection

    tables = ["points_pointentry", "points_monthclose", "points_dailycheck", "core_auditevent"]
    if apps.is_installed("servicecenter.pay"):
        tables += ["pay_payrollsheet", "pay_payrollline", "pay_payrolldeduction"]
    existing = set(connection.introspection.table_names())
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (INDEX_CLEANUP ON, ANALYZE) " + ", ".join(t for t in tables if t in existing))
    print(f"\n(vacuumed the tables the rolled-back runs touched: {time.perf_counter() - started:.1f} s)")


def explain_board_totals(*, center: Any, month: date, day: date) -> None:
    """(d): the plan of the board aggregate as the selector runs it."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from servicecenter.points import selectors

    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        selectors.board_totals(organization=center, month=month, day=day)
    (query,) = captured.captured_queries
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    scan = (
        "index-only scan on pointentry_org_day_idx"
        if "Index Only Scan using pointentry_org_day_idx" in plan
        else ("NOT an index-only scan on pointentry_org_day_idx")
    )
    print(f"\n### (d) board_totals, center {center.pk}, {month:%Y-%m} through {day}: {scan}\n")
    print(f"```sql\n{query['sql']}\n```\n\n```\n{plan}\n```\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=50)
    parser.add_argument(
        "--month", help="the month of the board and of month-end, YYYY-MM (default: the last complete one)"
    )
    parser.add_argument("--settle-runs", type=int, default=3)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--only", choices=["pages", "selectors", "month"])
    parser.add_argument("--plain", action="store_true", help="without setup_test_environment() (see bench_callbacks)")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args(argv)
    setup_django(database_url(args.database_url))
    import logging

    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    if not args.plain:
        setup_test_environment()
    from servicecenter.org.models import Staff
    from servicecenter.points import policies, selectors
    from servicecenter.points.models import MonthClose, PointEntry

    manager = Staff.objects.select_related("user", "organization").get(staff_no=MANAGER)
    clerk = Staff.objects.select_related("user", "organization").get(staff_no=CLERK)
    center = manager.organization
    today = timezone.localdate()
    if args.month:
        year, month_no = (int(x) for x in args.month.split("-"))
        month = date(year, month_no, 1)
    else:
        month = policies.previous_month(today)
    locked = (
        MonthClose.objects.filter(organization=center, status="locked")
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )
    month_end = policies.month_end(month)
    verified_day = month_end - timedelta(days=1)
    print("machine: " + ", ".join(f"{k} {v}" for k, v in machine().items()))
    staff_n = Staff.objects.filter(organization__path__startswith=center.path).count()
    in_month = PointEntry.objects.filter(organization=center, day__gte=month, day__lte=month_end).count()
    on_today = PointEntry.objects.filter(organization=center, day=today).count()
    print(
        f"entries: {PointEntry.objects.count():,}; center {center.name} (id {center.pk}): {staff_n} staff, "
        f"{in_month:,} entries in {month:%Y-%m}, {on_today} today ({today}); load average at start {load()}\n"
    )
    manager_client, clerk_client = Client(), Client()
    manager_client.force_login(manager.user)
    clerk_client.force_login(clerk.user)
    explained: list[tuple[str, list[dict[str, Any]]]] = []
    print(f"{args.n} timed runs each after 3 warm-up runs; ms\n")
    table = Table()
    if args.only in (None, "pages"):
        timed(table, "ref", "home page / (manager): middleware, session, menu", page(manager_client, "/"), args.n)
        board = url_or_none("points_board:home")
        if board:
            base = f"{board}{center.pk}/"
            q = timed(
                table,
                "a",
                f"board, one center, month {month:%Y-%m} (manager)",
                page(manager_client, f"{base}?month={month:%Y-%m}"),
                args.n,
            )
            explained.append((f"(a) board {month:%Y-%m}", q))
            timed(table, "a+", f"board, current month as of today {today}", page(manager_client, base), args.n)
            if locked:
                q = timed(
                    table,
                    "a+",
                    f"board, locked month {locked:%Y-%m}",
                    page(manager_client, f"{base}?month={locked:%Y-%m}"),
                    args.n,
                )
                explained.append((f"(a) board, locked {locked:%Y-%m}", q))
            timed(
                table, "a+", "board print view (A4)", page(manager_client, f"{base}print/?month={month:%Y-%m}"), args.n
            )
            timed(
                table,
                "a+",
                "wall screen JSON feed",
                page(manager_client, f"{base}screen/data/?month={month:%Y-%m}"),
                args.n,
            )
        else:
            table.missing("a", "board page", "URL points_board:home does not exist yet")
        daily = url_or_none("points:daily")
        if daily:
            q = timed(
                table,
                "b",
                f"daily verification, today {today} (clerk)",
                page(clerk_client, f"{daily}?center={center.pk}&day={today}"),
                args.n,
            )
            explained.append(("(b) daily, today", q))
            q = timed(
                table,
                "b",
                f"daily verification, verified day {verified_day} (clerk)",
                page(clerk_client, f"{daily}?center={center.pk}&day={verified_day}"),
                args.n,
            )
            explained.append(("(b) daily, verified day", q))
        else:
            table.missing("b", "daily verification page", "URL points:daily does not exist yet")
    if args.only in (None, "selectors"):
        timed(
            table,
            "a.sel",
            "selectors.board_rows (month)",
            lambda: selectors.board_rows(organization=center, month=month),
            args.n,
        )
        timed(
            table,
            "a.sel",
            "selectors.board_totals (month)",
            lambda: selectors.board_totals(organization=center, month=month, day=month_end),
            args.n,
        )
        timed(
            table,
            "b.sel",
            "selectors.day_entries (today, listed) + board_rows (as of today)",
            lambda: (
                list(selectors.day_entries(organization=center, day=today)),
                selectors.board_rows(organization=center, month=today, day=today),
            ),
            args.n,
        )
        from django.db import transaction

        from servicecenter.points import services

        def verify_all() -> None:
            with transaction.atomic():
                services.day_verify(actor=clerk.user, organization=center, day=today)
                transaction.set_rollback(True)

        timed(table, "b.sel", f"services.day_verify, all {on_today} drafts of today (rolled back)", verify_all, args.n)
    if args.only in (None, "month"):
        month_end_runs(table, month=month, runs=args.settle_runs)
    if args.only in (None, "selectors", "month"):
        vacuum_touched()
    print(f"\nload average at the end {load()}")
    if args.only in (None, "selectors"):
        explain_board_totals(center=center, month=month, day=month_end)
    if args.explain:
        for label, queries in explained:
            explain_slowest(label, queries)
    return 0


if __name__ == "__main__":
    sys.exit(main())
