"""Time the issue-4 pages (callback queue, complaint list, satisfaction report) on the 1,000,000-order data set.

    .venv/bin/python bench/bench_callbacks.py [-n 50] [--month YYYY-MM] [--explain] [--only pages|selectors]
        [--plain] [--database-url postgres://postgres@127.0.0.1:5432/sc_bench_wo]

`--month` defaults to the last complete month. On the generated data set pass a month that ended 30+ days before
the generation: generate_workorders.py keeps 60 % of the last 30 days' orders open, so the month just ended has
about a fifth of a normal month's callbacks (results.d/callbacks.md).

Run bench/generate_workorders.py and then bench/generate_callbacks.py first. In-process like
bench/bench_workorders_pages.py (Django test client, production settings, DEBUG off): the figures are server time
— view, templates and queries, without network and WSGI server. After 3 warm-up runs, `n` timed runs each (the
reports over many centers n/2, at least 10); median and p95 of the wall time, the median CPU time of this process
(what is left is waiting: PostgreSQL, and the other processes on the shared cores) and the SQL query count of one
run:

- (a) the callback queue, first page, one center, as its order clerk (`callbacks:queue`): target p95 ≤ 50 ms;
- (b) the complaint list, first page, one center, as its order clerk (`complaints:list`): target p95 ≤ 50 ms;
- (c) the monthly satisfaction report of one center, as its manager (`callbacks:satisfaction?month=&center=`):
  target ≤ 300 ms;
- (d) the same report for the whole company (every center; login BNCO of generate_callbacks.py): target ≤ 3 s;
- beside them (no target): the complaint list of the whole company, the callback history of a month (the report's
  drill-down), the report by month (12-month trend), the report of an ops-center GM (10 centers), the .xlsx export;
- the underlying selectors called directly when they are importable (callbacks.selectors, callbacks.reports,
  complaints.selectors), so a slow page can be split into its queries and the rest;
- two calibration rows first (`ref`): the home page and the dispatch board of the same clerk, measured before
  (results.d/workorders.md), so that runs at different loads of the shared machine can be compared;
- `--explain`: EXPLAIN (ANALYZE, BUFFERS) of the three slowest SELECTs of one request of each page (captured from
  the request itself, so the plans are those of the SQL the page really runs);
- `--plain`: skip `setup_test_environment()` (the test client then does not instrument every template render —
  the harness cost that results.md measured on the staff list); the default keeps bench_workorders_pages' harness.

A page whose URL does not exist yet (other helpers are building them) is reported as missing, not as a failure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_workorders_pages import percentile  # noqa: E402
from common import database_url, machine, setup_django  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/sc_bench_wo"
TARGETS_MS = {"a": 50.0, "b": 50.0, "c": 300.0, "d": 3000.0}
CLERK = "BN00002"  # order clerk of center 001
MANAGER = "BN00001"  # manager of center 001
GM = "BNG01"  # ops center 01: 10 centers
COMPANY = "BNCO"  # generate_callbacks.company_reader: every center


def load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"{one:.2f}/{five:.2f}"


class Table:
    """The result table: printed row by row as the figures come in."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        print("| id | what | median ms | p95 ms | CPU ms (median) | queries | target | load 1/5 min |")
        print("|---|---|---:|---:|---:|---:|---|---|", flush=True)

    def add(self, key: str, label: str, times: list[float], cpu: list[float], queries: int) -> None:
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


def timed(table: Table, key: str, label: str, call: Callable[[], Any], n: int) -> list[dict[str, Any]]:
    """Warm up 3 times, time `n` runs (wall and process CPU), count the queries of one more run; return that run's
    captured queries (for --explain)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        call()
    times, cpu = [], []
    for _ in range(n):
        started, started_cpu = time.perf_counter(), time.process_time()
        call()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    with CaptureQueriesContext(connection) as queries:
        call()
    table.add(key, label, times, cpu, len(queries))
    return list(queries.captured_queries)


def page(client: Any, url: str) -> Callable[[], Any]:
    def call() -> Any:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    return call


def url_or_none(name: str) -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def explain_slowest(label: str, queries: list[dict[str, Any]], top: int = 3) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of the `top` slowest SELECTs of one captured request (as the page ran them)."""
    from django.db import connection

    selects = [q for q in queries if q["sql"].lstrip().upper().startswith(("SELECT", "WITH", "(SELECT"))]
    selects.sort(key=lambda q: float(q["time"] or 0), reverse=True)
    total = sum(float(q["time"] or 0) for q in queries) * 1000
    print(f"\n### {label}: {len(queries)} queries, {total:.1f} ms in the database (as captured)\n")
    for q in selects[:top]:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        sql = q["sql"] if len(q["sql"]) < 1500 else q["sql"][:1500] + " …"
        print(f"#### {float(q['time'] or 0) * 1000:.1f} ms captured\n\n```sql\n{sql}\n```\n\n```\n{plan}\n```\n")


def selector_calls(
    *, clerk: Any, manager: Any, company: Any, center: Any, month: date
) -> list[tuple[str, str, Callable[[], Any]]]:
    """The selectors under the pages, each as (id, label, call) — those that are importable with the signature
    this script knows (the pages are being built: a changed signature is reported, not fatal)."""
    from django.utils import timezone

    calls: list[tuple[str, str, Callable[[], Any]]] = []
    now = timezone.now()
    try:
        from servicecenter.callbacks import selectors as cb

        filters = cb.QueueFilters(centers=[center])

        def queue_page() -> Any:
            qs = cb.queue_tasks(user=clerk.user, filters=filters, now=now)
            return cb.keyset_page(qs, after=None, size=cb.QUEUE_PAGE, column="next_attempt_at")

        calls.append(("a.sel", "selectors.queue_tasks + keyset_page (first page)", queue_page))
        calls.append(
            ("a.sel", "selectors.queue_counts", lambda: cb.queue_counts(user=clerk.user, centers=[center], now=now))
        )
    except (ImportError, AttributeError, TypeError) as error:
        print(f"callbacks.selectors (queue) not measured: {error!r}")
    try:
        from django.core.paginator import Paginator

        from servicecenter.complaints import selectors as cmp

        def complaint_page() -> Any:
            qs = cmp.complaint_list(user=clerk.user, filters=cmp.ComplaintFilters(center=center), now=now)
            return list(Paginator(qs, 25).get_page(1).object_list)

        calls.append(("b.sel", "complaints.selectors.complaint_list (page 1, with its COUNT)", complaint_page))
        calls.append(
            (
                "b.sel",
                "complaints.selectors.status_counts",
                lambda: cmp.status_counts(user=clerk.user, center=center, now=now),
            )
        )
    except (ImportError, AttributeError, TypeError) as error:
        print(f"complaints.selectors not measured: {error!r}")
    try:
        from servicecenter.callbacks import reports

        period = reports.Period.of(month)
        one = reports.Scope(user=manager.user, center=center)
        calls.append(
            (
                "c.sel",
                "reports.satisfaction_table, one center, by staff",
                lambda: reports.satisfaction_table(where=one, group="staff", period=period),
            )
        )
        if company is not None:
            everyone = reports.Scope(user=company)
            calls.append(
                (
                    "d.sel",
                    "reports.satisfaction_table, company, by center",
                    lambda: reports.satisfaction_table(where=everyone, group="center", period=period),
                )
            )
            calls.append(
                (
                    "d.sel",
                    "reports.satisfaction_table, company, by staff (1,600 rows)",
                    lambda: reports.satisfaction_table(where=everyone, group="staff", period=period),
                )
            )
            trend = reports.Period.of(month, reports.TREND_MONTHS)
            calls.append(
                (
                    "d.sel",
                    "reports.satisfaction_table, company, by month (12 months)",
                    lambda: reports.satisfaction_table(where=everyone, group="month", period=trend),
                )
            )
    except (ImportError, AttributeError, TypeError) as error:
        print(f"callbacks.reports not measured: {error!r}")
    return calls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=50)
    parser.add_argument("--month", help="the report month, YYYY-MM (default: the last complete month)")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--only", choices=["pages", "selectors"])
    parser.add_argument(
        "--plain",
        action="store_true",
        help="without setup_test_environment(): templates not instrumented (closer to a deployment; see results.md)",
    )
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args(argv)
    setup_django(database_url(args.database_url))
    import logging

    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    if not args.plain:
        setup_test_environment()  # as bench_workorders_pages.py: every template render is instrumented
    from servicecenter.callbacks.models import CallbackTask, Rating
    from servicecenter.complaints.models import Complaint
    from servicecenter.org.models import Staff
    from servicecenter.workorders.models import WorkOrder

    clerk = Staff.objects.select_related("user", "organization").get(staff_no=CLERK)
    manager = Staff.objects.select_related("user", "organization").get(staff_no=MANAGER)
    center = clerk.organization
    users = get_user_model().objects
    gm = users.get(username=GM)
    company = users.filter(username=COMPANY).first()
    if args.month:
        year, month_no = (int(x) for x in args.month.split("-"))
        month = date(year, month_no, 1)
    else:
        today = timezone.localdate()
        month = (today.replace(day=1) - date.resolution).replace(day=1)
    print("machine: " + ", ".join(f"{k} {v}" for k, v in machine().items()))
    pending = CallbackTask.objects.filter(organization=center, status="pending").count()
    print(
        f"orders: {WorkOrder.objects.count():,}; callback tasks: {CallbackTask.objects.count():,} "
        f"({CallbackTask.objects.filter(status='pending').count():,} pending); complaints: "
        f"{Complaint.objects.count():,}; ratings: {Rating.objects.count():,}\n"
        f"center {center.name} (id {center.pk}): {pending:,} pending callbacks, "
        f"{CallbackTask.objects.filter(organization=center).count():,} tasks, "
        f"{Complaint.objects.filter(organization=center).count():,} complaints; report month {month:%Y-%m}; "
        f"load average at start {load()}\n"
    )
    clerk_client, manager_client, gm_client, company_client = Client(), Client(), Client(), Client()
    clerk_client.force_login(clerk.user)
    manager_client.force_login(manager.user)
    gm_client.force_login(gm)
    if company is not None:
        company_client.force_login(company)
    n_many = max(args.n // 2, 10)  # the reports over many centers take seconds: fewer runs (p95 of n≥20 is not the max)
    explained: list[tuple[str, list[dict[str, Any]]]] = []

    print(f"{args.n} timed runs each ({n_many} for the reports over many centers) after 3 warm-up runs; ms\n")
    table = Table()
    if args.only != "selectors":
        # calibration: the machine is shared, its speed varies 2-3x with the load; these two pages were measured
        # before (results.d/workorders.md: board 25-28 ms CPU, p95 51-60 ms at load ~2), so a run can be scaled
        timed(table, "ref", "home page / (clerk): middleware, session, menu", page(clerk_client, "/"), args.n)
        board = url_or_none("workorders:board")
        if board:
            timed(table, "ref", "dispatch board, one center (clerk)", page(clerk_client, board), args.n)
        queue = url_or_none("callbacks:queue")
        if queue:
            q = timed(table, "a", "callback queue, first page, one center (clerk)", page(clerk_client, queue), args.n)
            explained.append(("(a) callback queue", q))
        else:
            table.missing("a", "callback queue", "URL callbacks:queue does not exist yet")
        complaints = url_or_none("complaints:list")
        if complaints:
            q = timed(
                table, "b", "complaint list, first page, one center (clerk)", page(clerk_client, complaints), args.n
            )
            explained.append(("(b) complaint list", q))
            if company is not None:
                timed(
                    table,
                    "b+",
                    "complaint list, whole company (20,000), first page",
                    page(company_client, complaints),
                    args.n,
                )
        else:
            table.missing("b", "complaint list", "URL complaints:list does not exist yet")
        report = url_or_none("callbacks:satisfaction")
        if report:
            one = f"{report}?month={month:%Y-%m}&center={center.pk}"
            q = timed(table, "c", "satisfaction report, one center, month (manager)", page(manager_client, one), args.n)
            explained.append(("(c) satisfaction, one center", q))
            if company is not None:
                whole = f"{report}?month={month:%Y-%m}"
                q = timed(
                    table,
                    "d",
                    "satisfaction report, whole company (100 centers), month",
                    page(company_client, whole),
                    n_many,
                )
                explained.append(("(d) satisfaction, company", q))
                timed(
                    table,
                    "d+",
                    "… the same by staff (1,600 people, page 1)",
                    page(company_client, whole + "&by=staff"),
                    n_many,
                )
                timed(
                    table,
                    "d+",
                    "… the same by month (12-month trend)",
                    page(company_client, whole + "&by=month"),
                    n_many,
                )
            else:
                table.missing("d", "satisfaction, company", f"no login {COMPANY}: run generate_callbacks.py")
            timed(
                table,
                "c+",
                "satisfaction, one center, by month (12-month trend)",
                page(manager_client, one + "&by=month"),
                args.n,
            )
            timed(
                table,
                "c+",
                "satisfaction, ops-center GM (10 centers), month",
                page(gm_client, f"{report}?month={month:%Y-%m}"),
                n_many,
            )
            timed(table, "c+", "satisfaction .xlsx, one center", page(manager_client, one + "&format=xlsx"), args.n)
        else:
            table.missing("c", "satisfaction report", "URL callbacks:satisfaction does not exist yet")
        history = url_or_none("callbacks:queue_history")
        if history:
            timed(
                table,
                "a+",
                "callback history (drill-down), one center, month, page 1",
                page(manager_client, f"{history}?center={center.pk}&month={month:%Y-%m}"),
                args.n,
            )
    if args.only != "pages":
        for key, label, call in selector_calls(
            clerk=clerk, manager=manager, company=company, center=center, month=month
        ):
            try:
                q = timed(table, key, label, call, n_many if key[0] == "d" else args.n)
            except (TypeError, AttributeError) as error:  # a signature changed under us: report, go on
                table.missing(key, label, repr(error)[:120])
                continue
            if args.only == "selectors":
                explained.append((label, q))
    print(f"\nload average at the end {load()}")
    if args.explain:
        for label, queries in explained:
            explain_slowest(label, queries)
    return 0


if __name__ == "__main__":
    sys.exit(main())
