"""Generate the work-order benchmark data set on PostgreSQL (database `sc_bench_wo`, never `sc_bench`).

    nice -n 10 .venv/bin/python bench/generate_workorders.py [--reset] [--orders 1000000]
        [--database-url postgres://postgres@127.0.0.1:5432/sc_bench_wo]

The organizations and staff are those of bench/generate.py (100 service centers, 2,011 staff with logins; its
`generate()` is reused), then per center: 2,000 customers and 10,000 work orders spread over the last 365 days
with their timelines (3–6 events each), loaded with PostgreSQL COPY (psycopg `cursor.copy`), one center per
transaction. About 5 % of the orders are open: orders of the last 30 days are open with probability 0.6, spread
over new / dispatched / accepted / in progress / paused, so the dispatch board has ~500 open orders per center,
many of them overdue (as on a real board). The SLA flags are in steady state: an open order whose warning or
deadline has passed already carries its warning/breach flag (the sweep has run), so `sla_sweep` finds only what
became due since.

Like bench/generate.py this bypasses the services on purpose (no audit events; one service call per order would
take hours). Rows are valid: every CHECK and UNIQUE constraint of the tables holds (PostgreSQL checks them), the
register numbers are sequential per center and year and the `WorkOrderSequence` rows match.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate as org_generate  # noqa: E402
from common import database_url, ensure_database, machine, phase, setup_django  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/sc_bench_wo"
CUSTOMERS_PER_CENTER = 2000
ROADS = "古城路 解放路 人民路 建设路 中山路 和平路 新华路 胜利路 文化路 长江路".split()
PROBLEMS = [
    "宽带无法上网，光猫红灯闪烁",
    "电视没有信号",
    "固话有杂音",
    "热水器不出热水",
    "空调不制冷",
    "新装宽带预约上门",
    "咨询资费套餐",
    "投诉维修人员迟到",
]
KINDS = ["repair"] * 6 + ["installation"] * 2 + ["complaint", "inquiry"]
OPEN = ["new", "dispatched", "accepted", "in_progress", "paused"]


def _copy(cursor: Any, model: Any, rows: list[dict[str, Any]], *, with_id: bool) -> None:
    """COPY `rows` (dicts of attname → value) into the model's table; missing fields take the model default."""
    fields = [f for f in model._meta.concrete_fields if with_id or not f.primary_key]
    defaults = [field.get_default() for field in fields]  # "" for a blank text field, None for a nullable one
    columns = ", ".join(f'"{f.column}"' for f in fields)
    names = [f.attname for f in fields]
    with cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            out = []
            for name, default in zip(names, defaults, strict=True):
                value = row.get(name, default)
                if isinstance(value, list | dict):
                    value = json.dumps(value, ensure_ascii=False)
                out.append(value)
            copy.write_row(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reset", action="store_true", help="drop and recreate the bench database first")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--centers", type=int, default=100)
    args = parser.parse_args(argv)
    url = database_url(args.database_url)
    if url.rstrip("/").endswith("/sc_bench"):
        sys.exit("bench: this generator writes sc_bench_wo; sc_bench belongs to the earlier benches")
    timings: dict[str, float] = {}
    started = time.perf_counter()
    print(f"bench database: {url}", flush=True)
    if args.reset:
        import psycopg
        from psycopg import sql

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    with phase("create database", timings):
        ensure_database(url)
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection, transaction

    with phase("migrate", timings):
        call_command("migrate", interactive=False, verbosity=0)

    from servicecenter.org.models import Organization
    from servicecenter.workorders.models import WorkOrder

    if WorkOrder.objects.exists():
        print("work orders present; use --reset to rebuild the data set")
        return 0
    if not Organization.objects.filter(code__startswith="bench-").exists():
        with transaction.atomic():
            org_generate.generate(ops_centers=10, centers=args.centers, timings=timings)
    now = datetime.now(UTC).replace(microsecond=0)
    counts = generate_orders(orders=args.orders, now=now, timings=timings)
    with phase("analyze", timings), connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    total = time.perf_counter() - started
    print(f"  {'total':<28} {total:7.2f} s")
    print("data set: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
    print("machine: " + ", ".join(f"{k} {v}" for k, v in machine().items()))
    return 0


def generate_orders(*, orders: int, now: datetime, timings: dict[str, float]) -> dict[str, int]:
    from django.db import connection, transaction

    from servicecenter.customers.models import Customer
    from servicecenter.org.models import Organization, Staff
    from servicecenter.workorders.models import WorkOrder, WorkOrderEvent, WorkOrderSequence

    rng = random.Random(2026)
    centers = list(Organization.objects.filter(code__startswith="bench-c-", kind="service_center").order_by("pk"))
    per_center = orders // len(centers)
    staff_by_center: dict[int, dict[str, list[Staff]]] = {}
    for staff in (
        Staff.objects.select_related("organization")
        .filter(staff_no__startswith="BN")
        .exclude(staff_no__startswith="BNG")
    ):
        center_id = staff.organization.parent_id if staff.organization.kind == "team" else staff.organization_id
        staff_by_center.setdefault(center_id, {}).setdefault(staff.position, []).append(staff)
    names = {s.user_id: s.name for group in staff_by_center.values() for lst in group.values() for s in lst}
    order_id = 0
    customer_id = 0
    n_events = 0
    n_open = 0
    citation = "依据 WO-03（默认）：响应 30 分钟、处理 240 分钟（全天候计时）"
    started = time.perf_counter()
    for c, center in enumerate(centers):
        people = staff_by_center[center.pk]
        clerks = people["order_clerk"]
        workers = people["service_staff"]
        customers = []
        for i in range(CUSTOMERS_PER_CENTER):
            customer_id += 1
            phone = f"1{rng.choice('3589')}{center.pk % 100:02d}{i:07d}"[:11]
            customers.append(
                {
                    "id": customer_id,
                    "created_at": now - timedelta(days=400),
                    "updated_at": now - timedelta(days=400),
                    "organization_id": center.pk,
                    "name": org_generate._name(rng),
                    "phone": phone,
                    "phone_digits": phone,
                    "address": f"{rng.choice(ROADS)} {rng.randint(1, 300)} 号 {rng.randint(1, 30)}0{rng.randint(1, 4)}",
                    "created_by_id": clerks[0].user_id,
                }
            )
        order_rows = []
        event_rows: list[dict[str, Any]] = []
        serial_by_year: dict[int, int] = {}
        # created instants, oldest first, so register numbers run with time
        instants = sorted(now - timedelta(seconds=rng.randint(60, 365 * 86400)) for _ in range(per_center))
        for created in instants:
            order_id += 1
            cust = rng.choice(customers)
            clerk = rng.choice(clerks)
            worker = rng.choice(workers)
            year = (created + timedelta(hours=8)).year
            serial_by_year[year] = serial_by_year.get(year, 0) + 1
            serial = serial_by_year[year]
            age = now - created
            if age < timedelta(days=30) and rng.random() < 0.6:
                status = rng.choice(OPEN)
            else:
                status = rng.choices(["closed", "returned", "cancelled"], weights=[88, 9, 3])[0]
            kind = rng.choice(KINDS)
            response_due = created + timedelta(minutes=30)
            resolve_due = created + timedelta(minutes=240)
            row: dict[str, Any] = {
                "id": order_id,
                "created_at": created,
                "updated_at": created,
                "organization_id": center.pk,
                "number": f"{year}{center.pk:04d}{serial:06d}",
                "register_year": year,
                "register_no": serial,
                "kind": kind,
                "service_type": rng.choice("ABCC"),
                "channel": rng.choice(["phone", "phone", "phone", "api", "public_web"]),
                "priority": rng.choices(["normal", "high", "urgent"], weights=[90, 8, 2])[0],
                "customer_id": cust["id"],
                "customer_name": cust["name"],
                "phone": cust["phone"],
                "phone_digits": cust["phone_digits"],
                "address": cust["address"],
                "problem": rng.choice(PROBLEMS),
                "read_back": ["problem", "address", "name", "phone"],
                "status": status,
                "created_by_id": clerk.user_id,
                "sla_clock": "24x7",
                "response_minutes": 30,
                "resolve_minutes": 240,
                "warning_fraction": Decimal("0.800"),
                "on_missing_info": "none",
                "sla_citation": citation,
                "response_due_at": response_due,
                "response_warn_at": created + timedelta(minutes=24),
                "resolve_due_at": resolve_due,
                "resolve_warn_at": created + timedelta(minutes=192),
            }
            events = [("created", created, "", "new", citation)]
            if status == "cancelled":
                row["cancelled_at"] = created + timedelta(minutes=rng.randint(5, 120))
                row["cancel_reason"] = "客户取消"
                events += [
                    ("call", created + timedelta(minutes=2), "new", "new", "客户来电确认"),
                    ("cancelled", row["cancelled_at"], "new", "cancelled", "客户取消"),
                ]
            elif status != "new":
                dispatched = created + timedelta(minutes=rng.randint(1, 20))
                row.update(assignee_id=worker.pk, dispatched_by_id=clerk.user_id, dispatched_at=dispatched)
                events.append(("dispatched", dispatched, "new", "dispatched", worker.name))
                if status != "dispatched":
                    accepted = dispatched + timedelta(minutes=rng.randint(1, 40))
                    row.update(accepted_at=accepted, responded_at=accepted)
                    events.append(("accepted", accepted, "dispatched", "accepted", ""))
                if status in ("in_progress", "paused", "returned", "closed"):
                    arrived = row["accepted_at"] + timedelta(minutes=rng.randint(10, 90))
                    row.update(arrived_at=arrived, service_started_at=arrived)
                    events.append(("arrived", arrived, "accepted", "in_progress", ""))
                if status == "paused":
                    row.update(paused_at=row["arrived_at"] + timedelta(minutes=20), pause_reason="waiting_parts")
                    events.append(("paused", row["paused_at"], "in_progress", "paused", "等待配件"))
                if status in ("returned", "closed"):
                    ended = row["arrived_at"] + timedelta(minutes=rng.randint(20, 240))
                    row.update(
                        service_ended_at=ended,
                        returned_at=ended,
                        work_content="已处理",
                        signer_name=cust["name"],
                        signed_at=ended,
                    )
                    events.append(("completed", ended, "in_progress", "returned", "已处理"))
                if status == "closed":
                    row["closed_at"] = row["returned_at"] + timedelta(hours=rng.randint(1, 48))
                    events.append(("closed", row["closed_at"], "returned", "closed", ""))
            else:
                events.append(("call", created + timedelta(minutes=3), "new", "new", "客户来电催促"))
                events.append(("note", created + timedelta(minutes=4), "new", "new", "待派单"))
            # steady state of the SLA flags: what has come due is flagged (the sweep has run)
            if status in OPEN:
                n_open += 1
                if row.get("responded_at") is None and status in ("new", "dispatched"):
                    if row["response_warn_at"] <= now:
                        row["response_warned_at"] = row["response_warn_at"]
                    if response_due <= now:
                        row["response_breached_at"] = response_due
                if row["resolve_warn_at"] <= now:
                    row["resolve_warned_at"] = row["resolve_warn_at"]
                if resolve_due <= now:
                    row["resolve_breached_at"] = resolve_due
            else:
                if row.get("responded_at") and row["responded_at"] > response_due:
                    row["response_breached_at"] = response_due
                if row.get("returned_at") and row["returned_at"] > resolve_due:
                    row["resolve_breached_at"] = resolve_due
            order_rows.append(row)
            for verb, at, before, after, note in events:
                actor = worker if verb in ("accepted", "arrived", "paused", "completed") else clerk
                event_rows.append(
                    {
                        "order_id": order_id,
                        "at": at,
                        "actor_id": actor.user_id,
                        "actor_name": names.get(actor.user_id, ""),
                        "verb": verb,
                        "from_status": before,
                        "to_status": after,
                        "note": note,
                        "data": {},
                        "clause": "WO-03" if verb == "created" else "",
                    }
                )
        with transaction.atomic(), connection.cursor() as cursor:
            raw = cursor.cursor
            _copy(raw, Customer, customers, with_id=True)
            _copy(raw, WorkOrder, order_rows, with_id=True)
            _copy(raw, WorkOrderEvent, event_rows, with_id=False)
            WorkOrderSequence.objects.bulk_create(
                [WorkOrderSequence(organization=center, year=y, last_no=n) for y, n in serial_by_year.items()]
            )
        n_events += len(event_rows)
        if c % 10 == 9:
            print(
                f"    {c + 1} centers, {order_id:,} orders, {n_events:,} events, {time.perf_counter() - started:.0f} s",
                flush=True,
            )
    timings["work orders (COPY)"] = time.perf_counter() - started
    with connection.cursor() as cursor:
        for model in (Customer, WorkOrder):
            table = model._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    return {
        "service centers": len(centers),
        "customers": customer_id,
        "work orders": order_id,
        "open orders": n_open,
        "timeline events": n_events,
    }


if __name__ == "__main__":
    sys.exit(main())
