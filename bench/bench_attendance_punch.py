"""Load the punch endpoint like the morning rush (issue 5: ≥ 300 requests/s with 8 clients, p95 ≤ 50 ms, gunicorn
with 2 workers).

    .venv/bin/python bench/bench_attendance_punch.py [--database-url …] [--seconds 15] [--clients 8] [--port 8153]

Runs on the bench data set (bench/generate.py). Starts gunicorn (2 sync workers, production settings) on the bench
database, gives every bench staff member an API token, then 8 client threads each POST
/api/v1/attendance/punch/ {"kind": "in"} with the token of the next person (a real clock-in: lookup, row lock,
parameters, de-duplication, insert, audit) over keep-alive connections for `--seconds`. Every person punches once
per round; later rounds alternate out/in, so most requests write. Prints and records requests/s, median, p95 and
p99 latency and the error count in bench/results.d/attendance.md (the monthly computation section is kept).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CODE_PREFIX, database_url, machine, setup_django  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results.d" / "attendance.md"


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(round(pct / 100 * len(ordered))) - 1))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8153)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (1 = sync workers)")
    args = parser.parse_args(argv)
    url = database_url(args.database_url)
    setup_django(url)

    from rest_framework.authtoken.models import Token

    from servicecenter.org.models import Staff

    staff = list(
        Staff.objects.filter(organization__code__startswith=CODE_PREFIX, user__isnull=False)
        .select_related("user")
        .order_by("pk")
    )
    existing = {t.user_id: t.key for t in Token.objects.filter(user__in=[s.user for s in staff])}
    for person in staff:
        if person.user_id not in existing:
            existing[person.user_id] = Token.objects.create(user=person.user).key
    tokens = [existing[s.user_id] for s in staff]

    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "servicecenter.settings.production",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT / "src"),
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "servicecenter.wsgi:application",
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--bind",
            f"127.0.0.1:{args.port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=2)
                conn.request("GET", "/healthz")
                conn.getresponse().read()
                break
            except OSError:
                time.sleep(0.3)
        latencies: list[float] = []
        errors: dict[int, int] = {}
        lock = threading.Lock()
        counter = iter(range(10**9))
        stop_at = time.perf_counter() + args.seconds + 2  # 2 s warm-up, not counted
        measure_from = time.perf_counter() + 2

        def client() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=10)
            while True:
                now = time.perf_counter()
                if now >= stop_at:
                    break
                with lock:
                    n = next(counter)
                token = tokens[n % len(tokens)]
                kind = "in" if (n // len(tokens)) % 2 == 0 else "out"
                body = json.dumps({"kind": kind})
                started = time.perf_counter()
                try:
                    conn.request(
                        "POST",
                        "/api/v1/attendance/punch/",
                        body=body,
                        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
                    )
                    response = conn.getresponse()
                    response.read()
                    status = response.status
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=10)
                    status = 0
                elapsed = time.perf_counter() - started
                if started >= measure_from:
                    with lock:
                        latencies.append(elapsed)
                        if status not in (200, 201):
                            errors[status] = errors.get(status, 0) + 1

        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        server.terminate()
        server.wait(timeout=10)

    rate = len(latencies) / args.seconds
    med, p95, p99 = (
        statistics.median(latencies) * 1000,
        percentile(latencies, 95) * 1000,
        percentile(latencies, 99) * 1000,
    )
    print(
        f"{len(latencies)} requests in {args.seconds:.0f} s: {rate:.0f} req/s, median {med:.1f} ms, "
        f"p95 {p95:.1f} ms, p99 {p99:.1f} ms, errors {errors or 0}"
    )
    info = machine()
    section = [
        "# Attendance: punch endpoint",
        "",
        f"Command: `.venv/bin/python bench/bench_attendance_punch.py --seconds {args.seconds:.0f} "
        f"--clients {args.clients} --threads {args.threads}` · {date.today()} · gunicorn {args.workers} workers × "
        f"{args.threads} thread(s), production settings · "
        f"{info.get('nproc')} × {info.get('cpu')}, PostgreSQL {info.get('postgresql', '').split()[0]}",
        "",
        "| clients | requests | requests/s | median | p95 | p99 | errors | target |",
        "|---|---|---|---|---|---|---|---|",
        f"| {args.clients} | {len(latencies):,} | {rate:.0f} | {med:.1f} ms | {p95:.1f} ms | {p99:.1f} ms | "
        f"{sum(errors.values()) if errors else 0} | ≥ 300/s, p95 ≤ 50 ms |",
        "",
        "Each request is a real clock-in of a different person (token auth, row lock, parameters, de-duplication,",
        "insert, audit event); clients and server share the machine.",
        "",
    ]
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    keep = old[: old.index("# Attendance: punch endpoint")] if "# Attendance: punch endpoint" in old else old
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(keep.rstrip() + "\n\n" + "\n".join(section), encoding="utf-8")
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
