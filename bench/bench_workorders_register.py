"""Time the service register (SVC-03) and the reconciliation page on the work-order bench data set, and print the
`EXPLAIN ANALYZE` of the register's first-page query filtered to one center.

    nice -n 10 .venv/bin/python bench/generate_workorders.py            # first (database sc_bench_wo)
    .venv/bin/python bench/bench_workorders_register.py [-n 50] [--database-url …]

In-process with Django's test client (server time: view, templates, queries; no network, no WSGI server), after 3
warm-up requests; prints median, p95 and the query count of one request per page, then the plans.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine, setup_django  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/sc_bench_wo"
USERS = [("center manager", "BN00001"), ("ops-center GM", "BNG01")]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=50, help="timed requests per page (default 50)")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args(argv)

    setup_django(args.database_url)
    import logging

    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    from servicecenter.workorders import selectors
    from servicecenter.workorders.models import WorkOrder
    from servicecenter.workorders.views.register import Filters

    total = WorkOrder.objects.count()
    if not total:
        print("no work orders: run bench/generate_workorders.py first", file=sys.stderr)
        return 1
    print("machine: " + ", ".join(f"{k} {v}" for k, v in machine().items()))
    print(f"work orders: {total:,}; requests per page: {args.n} (after 3 warm-up requests)\n")
    print("| user | page | median ms | p95 ms | queries | status |")
    print("|---|---|---:|---:|---:|---|")
    User = get_user_model()
    plans: list[tuple[str, str]] = []
    for label, username in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            print(f"| {label} | — | | | | skipped: no user {username} |")
            continue
        center = selectors.register_centers(user=user).first()
        sample = WorkOrder.objects.filter(organization=center).order_by("-created_at").first()
        assert center is not None and sample is not None
        client = Client()
        client.force_login(user)
        pages = [
            ("register, first page", f"/workorders/register/?center={center.pk}"),
            ("register, status=returned", f"/workorders/register/?center={center.pk}&status=returned"),
            ("register, phone search", f"/workorders/register/?center={center.pk}&phone={sample.phone_digits}"),
            ("reconcile, one day", f"/workorders/register/reconcile/?center={center.pk}"),
        ]
        for page, url in pages:
            for _ in range(3):
                client.get(url)
            queries: list[str] = []

            def count(execute, sql, params, many, context, queries=queries):  # type: ignore[no-untyped-def]
                queries.append(sql)
                return execute(sql, params, many, context)

            with connection.execute_wrapper(count):
                status = client.get(url).status_code
            timings = []
            for _ in range(args.n):
                start = time.perf_counter()
                client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
            print(
                f"| {label} | {page} | {statistics.median(timings):.1f} | {percentile(timings, 95):.1f} | "
                f"{len(queries)} | {status} |"
            )
        variants: tuple[tuple[str, dict[str, str]], ...] = (
            ("first page", {}),
            ("status=returned", {"status": "returned"}),
            ("phone search", {"phone": sample.phone_digits}),
        )
        for name, extra in variants:
            data = {"staff": None, "kind": "", "service_type": "", "status": "", "phone": ""} | extra
            qs = selectors.register_entries(user=user, filters=Filters(data, center))[:51]
            plans.append((f"{label}, {name}", qs.explain(analyze=True)))
    for name, plan in plans:
        print(f"\n### EXPLAIN ANALYZE — register {name}\n\n```\n{plan}\n```")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
