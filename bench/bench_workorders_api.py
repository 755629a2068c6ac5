"""Create work orders through the API under load: gunicorn (2 sync workers, production settings, DEBUG off) on a
private port, 8 concurrent clients on the same machine, token auth, a fresh Idempotency-Key per request.

    .venv/bin/python bench/bench_workorders_api.py [-n 250] [--clients 8] [--port 8164]
        [--database-url postgres://postgres@127.0.0.1:5432/sc_bench_wo]

Run bench/generate_workorders.py first. Client i logs in (DRF token) as an order clerk of bench center i and creates
orders in that center (one register sequence per center, as eight call-center lines would). After 10 warm-up
requests per client, every client sends `n` creates back to back; the script prints requests/s over the timed
phase, the latency median / p95 / max as the client saw it (connect + request + response), the status codes, then
`n // 5` retries that repeat an already used key (replays: no new order), and the resident set size (VmRSS) of
each gunicorn worker after the load. The orders it creates stay in the bench database (they are real orders).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import database_url, machine, setup_django  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/sc_bench_wo"


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def clerks(count: int) -> list[tuple[str, int]]:
    """(token, center id) of the first order clerk of bench centers 1…count."""
    from rest_framework.authtoken.models import Token

    from servicecenter.org.models import Staff

    out = []
    for i in range(count):
        staff = Staff.objects.select_related("user", "organization").get(staff_no=f"BN{20 * i + 2:05d}")
        token, _ = Token.objects.get_or_create(user=staff.user)
        out.append((token.key, staff.organization_id))
    return out


def start_gunicorn(url: str, port: int, workers: int) -> subprocess.Popen:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="servicecenter.settings.production",
        SECRET_KEY=env.get("SECRET_KEY") or secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT / "src"),
    )
    process = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "servicecenter.wsgi:application",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    for _ in range(100):
        time.sleep(0.2)
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status < 500:
                return process
        except OSError:
            continue
    process.terminate()
    raise SystemExit("gunicorn did not start")


def worker_rss_mb(master: int) -> list[float]:
    children = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout.split()
    sizes = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sizes


def body(center: int, i: int) -> bytes:
    return json.dumps(
        {
            "organization": center,
            "kind": "repair",
            "service_type": "C",
            "customer_name": "压测客户",
            "phone": f"1770{center % 1000:03d}{i % 10000:04d}",
            "address": f"压测路 {i} 号",
            "problem": "宽带无法上网（压测）",
        },
        ensure_ascii=False,
    ).encode()


def post(port: int, token: str, payload: bytes, key: str) -> tuple[int, float]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(
        "POST",
        "/api/v1/workorders/",
        body=payload,
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json", "Idempotency-Key": key},
    )
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status, (time.perf_counter() - started) * 1000


def run_clients(port: int, logins: list[tuple[str, int]], n: int, *, replay: dict | None = None) -> dict:
    """Every client sends `n` creates (or replays of its used keys); returns the latencies and status counts."""
    barrier = threading.Barrier(len(logins))
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    used: dict[int, list[tuple[bytes, str]]] = {}
    lock = threading.Lock()

    def client(index: int, token: str, center: int) -> None:
        mine: list[float] = []
        codes: dict[int, int] = {}
        keys: list[tuple[bytes, str]] = []
        barrier.wait()
        for i in range(n):
            if replay is not None:
                payload, key = replay[index][i % len(replay[index])]
            else:
                payload, key = body(center, index * 100000 + i), str(uuid.uuid4())
            status, ms = post(port, token, payload, key)
            mine.append(ms)
            codes[status] = codes.get(status, 0) + 1
            keys.append((payload, key))
        with lock:
            latencies.extend(mine)
            for code, count in codes.items():
                statuses[code] = statuses.get(code, 0) + count
            used[index] = keys

    threads = [threading.Thread(target=client, args=(i, t, c)) for i, (t, c) in enumerate(logins)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {"latencies": latencies, "statuses": statuses, "elapsed": elapsed, "used": used}


def report(label: str, result: dict) -> None:
    lat = result["latencies"]
    print(
        f"| {label} | {len(lat)} | {len(lat) / result['elapsed']:.0f} | {statistics.median(lat):.1f} "
        f"| {percentile(lat, 95):.1f} | {max(lat):.1f} | {result['statuses']} |",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=250, help="timed creates per client (default 250)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8164)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args(argv)
    url = database_url(args.database_url)
    setup_django(url)
    from servicecenter.workorders.models import WorkOrder

    logins = clerks(args.clients)
    before = WorkOrder.objects.count()
    print("machine: " + ", ".join(f"{k} {v}" for k, v in machine().items()))
    print(
        f"work orders before: {before:,}; gunicorn {args.workers} sync workers on 127.0.0.1:{args.port}; "
        f"{args.clients} clients\n"
    )
    server = start_gunicorn(url, args.port, args.workers)
    try:
        run_clients(args.port, logins, 10)  # warm-up: imports, connections, caches
        print("| phase | requests | req/s | median ms | p95 ms | max ms | statuses |")
        print("|---|---:|---:|---:|---:|---:|---|")
        created = run_clients(args.port, logins, args.n)
        report("create (new key each)", created)
        replays = run_clients(args.port, logins, max(args.n // 5, 1), replay=created["used"])
        report("retry (same key, same body)", replays)
        rss = worker_rss_mb(server.pid)
        after = WorkOrder.objects.count()
        print(f"\nnew orders: {after - before:,} (expected {args.clients * (args.n + 10):,}: replays create none)")
        print("gunicorn worker RSS after the load: " + ", ".join(f"{mb:.0f} MB" for mb in rss))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
