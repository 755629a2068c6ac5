"""Time the dispatch board alone on the 1,000,000-order data set (a short run; bench_workorders_pages.py times all
the hot paths and the SLA sweep burst).

    .venv/bin/python bench/bench_workorders_board.py [-n 50] [--explain]
        [--database-url postgres://postgres@127.0.0.1:5432/sc_bench_wo]

Same method as bench_workorders_pages.py (its `timed`: in-process Django test client, production settings, 3
warm-up runs, `n` timed runs, median and p95 in ms, SQL queries of one run), as center 001's order clerk:
the board's first page, its second page, the htmx refresh fragment, the dispatch form fetched for one row; the
size of the HTML. `--explain`: EXPLAIN (ANALYZE, BUFFERS) of the board's first page, its counts per state and the
"breaches today" count, exactly as the selectors build them. Writes nothing but the login session.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_workorders_pages import DEFAULT_URL, page, timed  # noqa: E402
from common import database_url, machine, setup_django  # noqa: E402

ROW = b'id="order-row-'


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=50)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args(argv)
    setup_django(database_url(args.database_url))
    import logging
    import os

    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse
    from django.utils import timezone

    setup_test_environment()
    from servicecenter.org.models import Staff
    from servicecenter.workorders import selectors
    from servicecenter.workorders.choices import OPEN_STATUSES
    from servicecenter.workorders.models import WorkOrder

    clerk = Staff.objects.select_related("user", "organization").get(staff_no="BN00002")  # center 001
    center = clerk.organization
    print("machine: " + ", ".join(f"{k} {v}" for k, v in machine().items()))
    print("load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(
        f"center {center.name}: {WorkOrder.objects.filter(organization=center).count():,} orders, "
        f"{WorkOrder.objects.filter(organization=center, status__in=OPEN_STATUSES).count():,} open\n"
    )
    client = Client()
    client.force_login(clerk.user)
    q = f"?center={center.pk}"
    board = reverse("workorders:board") + q
    first = client.get(board)
    print(f"board first page: {len(first.content):,} bytes of HTML, {first.content.count(ROW)} rows")
    second_url = board + "&page=2"
    second = client.get(second_url)
    print(f"board page 2: {len(second.content):,} bytes, {second.content.count(ROW)} rows\n")

    print(f"{args.n} timed runs each after 3 warm-up runs; ms\n")
    print("| what | median ms | p95 ms | queries |")
    print("|---|---:|---:|---:|")
    timed("dispatch board, one center", page(client, board), args.n)
    timed("dispatch board, one center, page 2", page(client, second_url), args.n)
    fragment = reverse("workorders:board_rows") + q
    htmx = Client(HTTP_HX_REQUEST="true")
    htmx.force_login(clerk.user)
    timed("board refresh fragment (htmx)", page(htmx, fragment), args.n)
    new_order = WorkOrder.objects.filter(organization=center, status="new").order_by("created_at").first()
    if new_order is not None:
        form_url = reverse("workorders:order_dispatch", args=[new_order.pk]) + "?next=board"
        timed("dispatch form of one row (htmx)", page(htmx, form_url), args.n)

    if args.explain:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            selectors.board_orders(centers=[center])
            selectors.board_counts(centers=[center], now=timezone.now())
        labels = ["board first page (selectors.board_orders)", "counts per state", "breaches today"]
        for label, query in zip(labels, captured.captured_queries, strict=False):
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                plan = "\n".join(row[0] for row in cursor.fetchall())
            print(f"\n#### EXPLAIN ANALYZE: {label}\n\n```\n{query['sql']}\n\n{plan}\n```")
    return 0


if __name__ == "__main__":
    sys.exit(main())
