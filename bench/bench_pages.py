"""Time the hot pages on the bench data set (run bench/generate.py first), in-process with Django's test client.

    .venv/bin/python bench/bench_pages.py [-n 50] [--database-url …]

For each bench user — a center manager (20 staff in view), an ops-center GM (200) and the system admin (2,011) —
and each page (home, staff list, approvals inbox), it makes `n` timed requests after 3 warm-up requests and
prints the median, the 95th percentile and the number of SQL queries of one request. A page whose URL does not
exist yet, or that does not answer 200, is skipped with a message. In-process timings leave out the network and
the WSGI server; they measure the view, the templates and the queries.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CODE_PREFIX, database_url, machine, setup_django  # noqa: E402

PAGES = [
    ("home", "home"),
    ("staff list", "org:staff_list"),
    ("approvals inbox", "approvals:inbox"),
]
USERS = [
    ("center manager", "BN00001"),  # center 001
    ("ops-center GM", "BNG01"),  # ops center 01: 10 centers
    ("system admin", "bench-admin"),  # the whole company
]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=50, help="timed requests per page and user (default 50)")
    parser.add_argument("--database-url", help="PostgreSQL URL (default: BENCH_DATABASE_URL or sc_bench on localhost)")
    args = parser.parse_args(argv)

    setup_django(database_url(args.database_url))
    import logging

    logging.getLogger("django.request").setLevel(logging.CRITICAL)  # failures are reported in the table
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import NoReverseMatch, reverse

    setup_test_environment()  # lets the test client run against this (non-test) database, as `manage.py shell` would
    from servicecenter.org.models import Organization

    if not Organization.objects.filter(code__startswith=CODE_PREFIX).exists():
        print("no bench data: run bench/generate.py first", file=sys.stderr)
        return 1
    print("machine: " + ", ".join(f"{k} {v}" for k, v in machine().items()))
    print(f"requests per page and user: {args.n} (after 3 warm-up requests)\n")
    print("| user | page | median ms | p95 ms | queries | status |")
    print("|---|---|---:|---:|---:|---|")
    User = get_user_model()
    for label, username in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            print(f"| {label} | — | | | | skipped: no user {username} |")
            continue
        client = Client()
        client.force_login(user)  # the login itself (Argon2, axes) is not what is measured here
        for page, url_name in PAGES:
            try:
                url = reverse(url_name)
            except NoReverseMatch:
                print(f"| {label} | {page} | | | | skipped: URL {url_name} does not exist yet |")
                continue
            try:
                warm = [client.get(url).status_code for _ in range(3)]
            except Exception as exc:  # noqa: BLE001 - a page still being built: report it, measure the others
                first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                print(f"| {label} | {page} | | | | skipped: {url} raised {exc.__class__.__name__}: {first_line} |")
                continue
            if warm[-1] != 200:
                print(f"| {label} | {page} | | | | skipped: {url} answered {warm[-1]} |")
                continue
            times = []
            for _ in range(args.n):
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            print(
                f"| {label} | {page} `{url}` | {statistics.median(times):.1f} | {percentile(times, 95):.1f} "
                f"| {len(queries)} | 200 |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
