"""Time the work-order hot paths on the 1,000,000-order data set (run bench/generate_workorders.py first).

    .venv/bin/python bench/bench_workorders_pages.py [-n 50] [--burst 1000] [--explain]
        [--database-url postgres://postgres@127.0.0.1:5432/sc_bench_wo]

In-process (Django test client / direct selector calls, production settings, DEBUG off), so the figures are
server time: the view, its templates and its queries, without network and WSGI server. After 3 warm-up runs,
`n` timed runs each, median and p95 in ms, and the SQL query count of one run:

- dispatch board and register first page of one center (as its order clerk; `workorders:board`,
  `workorders:register` with `?center=`), and the board/register/API list filtered by a customer's phone;
- phone search: the intake's match of a caller (customers.selectors.match_by_phone), the customer search by a
  full and a partial number, the API list `?phone=`;
- KPI page of one center for the current month (`workorders:kpi`) and of an ops center's 10 centers (its GM);
- `services.sla_sweep` over all open orders: steady state (nothing new due), then a burst: `--burst` open orders
  of one center get their warning flags cleared (as if they had just come due) and the sweep runs until it has
  processed them (each run takes at most 500 rows per kind), timing each run. The burst's flags end set again;
- `--explain`: EXPLAIN (ANALYZE, BUFFERS) of the board query and the register first-page query.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import database_url, machine, setup_django  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/sc_bench_wo"


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def timed(label: str, call: Any, n: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        call()
    times = []
    for _ in range(n):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        call()
    print(f"| {label} | {statistics.median(times):.1f} | {percentile(times, 95):.1f} | {len(queries)} |", flush=True)


def page(client: Any, url: str) -> Any:
    def call() -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    return call


def explain(label: str, qs: Any) -> None:
    from django.db import connection

    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    print(f"\n#### EXPLAIN ANALYZE: {label}\n\n```\n{plan}\n```")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=50)
    parser.add_argument("--burst", type=int, default=1000)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args(argv)
    setup_django(database_url(args.database_url))
    import logging

    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    from django.contrib.auth import get_user_model
    from django.db.models import Q
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse
    from django.utils import timezone

    setup_test_environment()
    from servicecenter.customers import selectors as customer_selectors
    from servicecenter.org.models import Staff
    from servicecenter.workorders import selectors, services
    from servicecenter.workorders.choices import OPEN_STATUSES
    from servicecenter.workorders.models import WorkOrder

    clerk = Staff.objects.select_related("user", "organization").get(staff_no="BN00002")  # center 001
    center = clerk.organization
    gm = get_user_model().objects.get(username="BNG01")  # ops center 01: 10 centers
    print("machine: " + ", ".join(f"{k} {v}" for k, v in machine().items()))
    print(
        f"orders: {WorkOrder.objects.count():,}; open: {WorkOrder.objects.filter(status__in=OPEN_STATUSES).count():,};"
        f" center {center.name}: {WorkOrder.objects.filter(organization=center).count():,} orders, "
        f"{WorkOrder.objects.filter(organization=center, status__in=OPEN_STATUSES).count():,} open\n"
    )
    client = Client()
    client.force_login(clerk.user)
    gm_client = Client()
    gm_client.force_login(gm)
    phone = WorkOrder.objects.filter(organization=center).order_by("-created_at").values_list("phone", flat=True)[0]

    print(f"{args.n} timed runs each after 3 warm-up runs; ms\n")
    print("| what | median ms | p95 ms | queries |")
    print("|---|---:|---:|---:|")
    q = f"?center={center.pk}"
    timed("dispatch board, one center", page(client, reverse("workorders:board") + q), args.n)
    timed("register first page, one center", page(client, reverse("workorders:register") + q), args.n)
    timed("register filtered by phone", page(client, reverse("workorders:register") + q + f"&phone={phone}"), args.n)
    timed("API order list ?phone=", page(client, reverse("api-workorders-list") + f"?phone={phone}"), args.n)
    timed("API order list, one center", page(client, reverse("api-workorders-list") + f"?center={center.pk}"), args.n)
    timed(
        "phone search: intake match (match_by_phone)",
        lambda: customer_selectors.match_by_phone(organization=center, phone=phone),
        args.n,
    )
    timed(
        "phone search: customer search, full number",
        lambda: list(customer_selectors.customer_search(user=clerk.user, q=phone)[:20]),
        args.n,
    )
    timed(
        "phone search: customer search, last 6 digits",
        lambda: list(customer_selectors.customer_search(user=clerk.user, q=phone[-6:])[:20]),
        args.n,
    )
    timed("API customer search ?q=<phone>", page(client, reverse("api-customers-list") + f"?q={phone}"), args.n)
    timed("KPI page, one center, this month", page(client, reverse("workorders:kpi") + q), max(args.n // 5, 5))
    timed("KPI page, 10 centers (ops-center GM)", page(gm_client, reverse("workorders:kpi")), max(args.n // 5, 5))

    print("\n| SLA sweep | ms | rows flagged |")
    print("|---|---:|---:|")
    for i in range(3):
        started = time.perf_counter()
        result = services.sla_sweep()
        flagged = sum(vars(result).values())
        print(f"| steady state, run {i + 1} | {(time.perf_counter() - started) * 1000:.1f} | {flagged} |", flush=True)
    now = timezone.now()
    burst_ids = list(
        WorkOrder.objects.filter(organization=center, status__in=OPEN_STATUSES, resolve_warn_at__lte=now)
        .order_by("-created_at")
        .values_list("pk", flat=True)[: args.burst]
    )
    WorkOrder.objects.filter(pk__in=burst_ids).update(resolve_warned_at=None)
    WorkOrder.objects.filter(pk__in=burst_ids).filter(Q(resolve_due_at__lte=now)).update(resolve_breached_at=None)
    run = 0
    while True:
        run += 1
        started = time.perf_counter()
        result = services.sla_sweep()
        flagged = sum(vars(result).values())
        print(
            f"| burst of {len(burst_ids)} due rows, run {run} | {(time.perf_counter() - started) * 1000:.1f} "
            f"| {flagged} |",
            flush=True,
        )
        if not flagged or run >= 10:
            break

    if args.explain:
        from servicecenter.workorders.views.register import Filters

        centers = selectors.board_centers(user=clerk.user)
        centers = [c for c in centers if c.pk == center.pk]
        board_qs = (
            WorkOrder.objects.filter(organization__in=[c.pk for c in centers], status__in=OPEN_STATUSES)
            .annotate(priority_rank=selectors._priority_rank(), sla_due=selectors._sla_due())
            .select_related("assignee", "organization")
            .defer("read_back", "answer", "work_content", "sla_citation", "payment_citation")
            .order_by("priority_rank", "sla_due", "created_at", "id")[: selectors.BOARD_LIMIT + 1]
        )
        explain("board (selectors.board_orders, one center)", board_qs)
        filters = Filters({}, center)
        register_qs = selectors.register_entries(user=clerk.user, filters=filters)[:51]
        explain("register first page (selectors.register_entries, one center)", register_qs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
