"""Generate the issue-6 bench data set (points ledger) on PostgreSQL: 40 centers × 50 staff, 5,000,000 point entries.

    nice -n 15 .venv/bin/python bench/generate_points.py [--reset] [--entries 5000000]
        [--database-url postgres://postgres@127.0.0.1:5432/sc_bench_pts]

Creates the database if it is missing and migrates it (so re-running after another app's new migration brings its
tables); `--reset` drops and recreates the database first. Without `--reset` the steps already done are kept and
the missing ones added (the pay inputs, once the pay app's tables exist), so the script is safe to re-run.

What it writes (like bench/generate.py it bypasses the services on purpose: no audit events, no history rows, no
notifications; every CHECK, UNIQUE and FOREIGN KEY constraint is checked by PostgreSQL):

- 1 company, 4 ops centers, 40 service centers (all service stations: the renewal specialist role is station-only),
  2 teams per center; per center 50 staff with logins (password as bench/common.py) and one role each:
  1 center manager, 2 order clerks, 1 finance clerk, 1 renewal specialist, 45 service staff in the two teams;
  a GM per ops center (10 centers each) and a system admin at the root. Staff numbers BN00001… in center order
  (BN00001 = manager of center 01, BN00002 = its first order clerk, BN00004 = its finance clerk).
- `points_pointentry`: `--entries` rows (5,000,000) over the 366 days from today − 365 through today (12 whole
  months plus today: ≈ 208 per staff-month, ≈ 6.8 per staff-day, ≈ 340 per center-day), every staff member
  the same count spread evenly over the days. Per entry: 90 % work (returned work order, 1/2/3/5 points,
  PTS-04), 4 % callback reward +1, 1 % callback penalty −2 (PTS-22), 3 % late −2 (PTS-19), 1 % violation −5,
  1 % instant reward +5 (PTS-28); each with the key its service would give (`wo:<id>`, `cb:<id>`,
  `att:<id>:late:0`, `vio:<id>`, `reward:<id>`), rule, clause and a citation of realistic length (one
  fixed text per kind: the work entries' citation says 2.00 points whatever their points). The fixed
  asset item (PTS-10, 50 points, `fixed:asset:<staff>:<YYYY-MM>`) of each finance clerk on the last day of every
  month but the last complete one, which is left to `month_settle` (what the settlement bench times).
  5,000 reversals (`reverses`, key `reversal:<id>`, −points, reason) of older work entries. Entries before today
  are verified (by the center's first order clerk, 18:00 local that day); today's are drafts.
- `points_dailycheck` for every center-day before today (verified), `points_monthclose` locked with its
  snapshot for every whole month but the last complete one (that one is open: month-end has not run).
- When the renewals tables exist: the last complete month's call lists, per center 300 due and 60 suspended
  households assigned to its renewal specialist, every one called once (renewed 55 %, upgraded 8 %, downgraded
  5 %, refused 20 %, unreachable 12 %: a 68 % renewal rate, 80 points by PTS-13's own example), tiers from the
  catalogue's default product list; no `RenewalCall` log rows (the month end does not read them).
- When the pay tables exist: `pay_payinput` for every staff member for the last complete month (base salary;
  invoices and the finance-liaison amount for the clerks), a coefficient table for that month (one row per
  center), and the four `pay.*` parameters at the company level (the catalogue declares them without a value).

The entries are inserted by SQL (`INSERT … SELECT generate_series`, one statement) with the table's secondary
indexes and its foreign-key / unique constraints dropped first and rebuilt afterwards, all in one transaction: an
index built once over 5 M rows is much faster than 5 M index insertions into ~12 indexes. The definitions are
read from the catalogue before the drop, so the rebuilt ones are exactly the migration's. Then
`VACUUM (ANALYZE)` (autovacuum is off on the shared bench server: without it the visibility map is empty and
the covering index cannot be read index-only).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate as org_generate  # noqa: E402
from common import BENCH_PASSWORD, CODE_PREFIX, database_url, ensure_database, machine, phase, setup_django  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/sc_bench_pts"
CENTERS = 40
OPS_CENTERS = 4
CENTER_ROLES = ["center_manager", "order_clerk", "order_clerk", "finance_clerk", "renewal_specialist"] + [
    "service_staff"
] * 45
DAYS = 366  # today − 365 … today
REVERSALS = 5000
ENTRY_TABLE = "points_pointentry"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reset", action="store_true", help="drop and recreate the bench database first")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--entries", type=int, default=5_000_000)
    args = parser.parse_args(argv)
    url = database_url(args.database_url)
    if url.rstrip("/").rsplit("/", 1)[1] in {"sc_bench", "sc_bench_wo"}:
        sys.exit("bench: this generator writes its own database (sc_bench_pts); the others belong to earlier benches")
    timings: dict[str, float] = {}
    started = time.perf_counter()
    print(f"bench database: {url}", flush=True)
    if args.reset:
        import psycopg
        from psycopg import sql

        name = url.rstrip("/").rsplit("/", 1)[1]
        with psycopg.connect(url.rstrip("/").rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    with phase("create database", timings):
        ensure_database(url)
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    with phase("migrate", timings):
        call_command("migrate", interactive=False, verbosity=0)

    from servicecenter.org.models import Organization
    from servicecenter.points.models import PointEntry

    today = timezone.localdate()
    counts: dict[str, int] = {}
    if not Organization.objects.filter(code__startswith=CODE_PREFIX).exists():
        with transaction.atomic():
            counts.update(generate_people(timings))
    else:
        print("  organizations and staff present: kept")
    if not PointEntry.objects.exists():
        with transaction.atomic():
            counts.update(generate_entries(total=args.entries, today=today, timings=timings))
        with phase("month closes and day checks", timings), transaction.atomic():
            counts.update(generate_closes(today=today))
        with phase("vacuum analyze", timings), connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    else:
        print(f"  point entries present ({PointEntry.objects.count():,}): kept; --reset rebuilds everything")
    with transaction.atomic():
        counts.update(generate_pay(today=today, timings=timings))
    with transaction.atomic():
        counts.update(generate_renewals(today=today, timings=timings))
    total = time.perf_counter() - started
    print(f"  {'total':<28} {total:7.2f} s")
    print("data set: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
    print("machine: " + ", ".join(f"{k} {v}" for k, v in machine().items()))
    return 0


def generate_people(timings: dict[str, float]) -> dict[str, int]:
    """The organization tree, logins, staff and role assignments (bulk_create, as bench/generate.py)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from servicecenter.org.choices import CenterType, OrganizationKind
    from servicecenter.org.models import Organization, Role, RoleAssignment, Staff

    rng = random.Random(2026)
    User = get_user_model()
    K = OrganizationKind
    with phase("organizations", timings):
        (company,) = Organization.objects.bulk_create(
            [Organization(name="基准测试通信公司", code=f"{CODE_PREFIX}co", kind=K.COMPANY, path="", depth=0)]
        )
        ops = Organization.objects.bulk_create(
            [
                Organization(
                    name=f"基准营维中心{i + 1:02d}",
                    code=f"{CODE_PREFIX}ops-{i + 1:02d}",
                    kind=K.OPS_CENTER,
                    parent=company,
                    path="",
                    depth=1,
                )
                for i in range(OPS_CENTERS)
            ]
        )
        per_ops = CENTERS // OPS_CENTERS
        centers = Organization.objects.bulk_create(
            [
                Organization(
                    name=f"基准服务中心{i + 1:02d}",
                    code=f"{CODE_PREFIX}c-{i + 1:03d}",
                    kind=K.SERVICE_CENTER,
                    center_type=CenterType.SERVICE_STATION,
                    parent=ops[i // per_ops],
                    path="",
                    depth=2,
                )
                for i in range(CENTERS)
            ]
        )
        teams = Organization.objects.bulk_create(
            [
                Organization(name=f"{c.name}{t}班", code=f"{c.code}-t{t}", kind=K.TEAM, parent=c, path="", depth=3)
                for c in centers
                for t in (1, 2)
            ]
        )
        org_generate.set_paths(3)
    people: list[tuple[str, Organization, str, Organization]] = [("bench-admin", company, "system_admin", company)]
    people += [(f"BNG{i + 1:02d}", org, "ops_center_gm", org) for i, org in enumerate(ops)]
    n = 0
    for c, center in enumerate(centers):
        for k, role in enumerate(CENTER_ROLES):
            n += 1
            unit = teams[2 * c + k % 2] if role == "service_staff" else center
            people.append((f"BN{n:05d}", unit, role, center))
    with phase("logins, staff, roles", timings):
        password = make_password(BENCH_PASSWORD)  # one Argon2 hash for every bench login (see generate.py)
        users = User.objects.bulk_create(
            [User(username=no, first_name=org_generate._name(rng), password=password) for no, *_ in people],
            batch_size=1000,
        )
        staff = Staff.objects.bulk_create(
            [
                Staff(
                    user=u,
                    organization=unit,
                    staff_no=no,
                    name=u.first_name,
                    position=role,
                    hire_date=date(2020, 1, 1),
                )
                for u, (no, unit, role, _) in zip(users, people, strict=True)
            ],
            batch_size=1000,
        )
        roles = {r.code: r for r in Role.objects.all()}
        RoleAssignment.objects.bulk_create(
            [
                RoleAssignment(user=u, role=roles[role], organization=role_unit)
                for u, (_, _, role, role_unit) in zip(users, people, strict=True)
            ],
            batch_size=1000,
        )
    return {"service centers": len(centers), "staff": len(staff)}


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _previous_month(day: date) -> date:
    return _month_start(_month_start(day) - timedelta(days=1))


def _constraints_and_indexes(cursor: Any) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(FK and UNIQUE constraints, other secondary indexes) of the entry table, as their DDL."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('f', 'u') ORDER BY conname",
        [ENTRY_TABLE],
    )
    constraints = list(cursor.fetchall())
    cursor.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s AND i.indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('p', 'u')) "
        "ORDER BY i.indexname",
        [ENTRY_TABLE, ENTRY_TABLE],
    )
    return constraints, list(cursor.fetchall())


# Per kind of entry: (upper bound of the random draw, category, source, key prefix, rule, clause, points SQL,
# label SQL, citation). The points column is a SQL expression of r (the draw) and i (the row number).
KINDS = [
    (
        0.90,
        "work",
        "work_order",
        "wo:",
        "workorder.returned",
        "PTS-04",
        "(ARRAY[1.00, 2.00, 2.00, 3.00, 5.00])[1 + (i % 5)]",
        "'2026' || lpad(i::text, 10, '0')",
        "依据 PTS-04：维修工单完工回单 2.00 分；参数 points.work_order（公司设定，2026-01-01 起）",
    ),
    (
        0.94,
        "reward",
        "callback",
        "cb:",
        "callback.satisfied",
        "PTS-22",
        "1.00",
        "'回访 #' || i",
        "依据 PTS-22：回访评价“满意” +1.00 分；参数 points.callback（公司设定，2026-01-01 起）",
    ),
    (
        0.95,
        "penalty",
        "callback",
        "cb:",
        "callback.dissatisfied",
        "PTS-22",
        "-2.00",
        "'回访 #' || i",
        "依据 PTS-22：回访评价“不满意” -2.00 分；参数 points.callback（公司设定，2026-01-01 起）",
    ),
    (
        0.98,
        "penalty",
        "attendance",
        "att:",
        "attendance.late",
        "PTS-19",
        "-2.00",
        "'考勤 ' || to_char(day, 'MM-DD')",
        "依据 PTS-19：迟到一次 -2.00 分；参数 points.deduction.late（公司设定）；points.deduction.early_leave",
    ),
    (
        0.99,
        "penalty",
        "violation",
        "vio:",
        "violation.units",
        "PTS-19",
        "-5.00",
        "'违纪 #' || i",
        "依据 PTS-19：违纪（着装不规范）1 个单位 -5.00 分；参数 points.deduction.absenteeism（公司设定）",
    ),
    (
        1.01,
        "reward",
        "instant_reward",
        "reward:",
        "reward.instant",
        "PTS-28",
        "5.00",
        "'及时奖励：客户来信表扬'",
        "依据 PTS-28：及时奖励“客户来信表扬”，服务中心经理批准",
    ),
]


def generate_entries(*, total: int, today: date, timings: dict[str, float]) -> dict[str, int]:
    """The ledger by SQL, indexes and constraints rebuilt afterwards (one transaction)."""
    from django.db import connection

    from servicecenter.org.models import Organization, Staff

    first = today - timedelta(days=DAYS - 1)
    last_complete = _previous_month(today)  # left open: month-end has not run (the settlement bench does it)
    centers = list(
        Organization.objects.filter(code__startswith=f"{CODE_PREFIX}c-", kind="service_center").order_by("pk")
    )
    staff = list(
        Staff.objects.filter(staff_no__startswith="BN")
        .exclude(staff_no__startswith="BNG")
        .select_related("organization")
        .order_by("staff_no")
    )
    # staff number order = center order, 50 per center (generate_people)
    per_center = len(CENTER_ROLES)
    assert len(staff) == per_center * len(centers), (len(staff), len(centers))
    months = sorted({_month_start(first + timedelta(days=d)) for d in range(DAYS)})
    fixed_months = [m for m in months if m < last_complete and m >= _month_start(first)]
    finance = [staff[c * per_center + 3] for c in range(len(centers))]
    assert all(s.position == "finance_clerk" for s in finance)
    base = total - REVERSALS - len(fixed_months) * len(finance)
    n_staff = len(staff)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SELECT setseed(0.2026)")  # random() below: the same data set on every run
        cursor.execute(
            "CREATE TEMP TABLE bench_staff (idx int PRIMARY KEY, staff_id bigint, org_id bigint, clerk_user_id "
            "bigint, manager_user_id bigint) ON COMMIT DROP"
        )
        rows = []
        for i, s in enumerate(staff):
            c = i // per_center
            clerk, manager = staff[c * per_center + 1], staff[c * per_center]
            rows.append((i, s.pk, centers[c].pk, clerk.user_id, manager.user_id))
        with cursor.cursor.copy("COPY bench_staff FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        constraints, indexes = _constraints_and_indexes(cursor)
        with phase(f"drop {len(constraints)} constraints, {len(indexes)} indexes", timings):
            for name, _ddl in constraints:
                cursor.execute(f'ALTER TABLE {ENTRY_TABLE} DROP CONSTRAINT "{name}"')
            for name, _ddl in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
        draw = " ".join(
            f"WHEN r < {upper} THEN ROW('{cat}', '{src}', '{prefix}', '{rule}', '{clause}', ({pts})::numeric, "
            f"({label})::text, '{cite}')::bench_kind"
            for upper, cat, src, prefix, rule, clause, pts, label, cite in KINDS
        )
        cursor.execute(
            "CREATE TYPE pg_temp.bench_kind AS (category text, source text, prefix text, rule text, clause text, "
            "points numeric, label text, citation text)"
        )
        with phase(f"entries ({base:,}, INSERT … SELECT)", timings):
            # row i: staff i % n, the (i / n)-th of that staff member's entries, spread evenly over the days;
            # created a few minutes to hours after a 08:00 local start; today's stay drafts
            cursor.execute(
                f"""
                WITH g AS (
                    SELECT i, i %% %(n)s AS s, %(first)s::date + ((i / %(n)s) * %(days)s / %(per)s)::int AS day,
                           random() AS r
                    FROM generate_series(0, %(base)s - 1) AS i
                ), k AS (
                    SELECT g.*, CASE {draw.replace("%", "%%")} END AS kind FROM g
                )
                INSERT INTO {ENTRY_TABLE} (id, organization_id, staff_id, day, points, category, source, source_id,
                    source_label, rule, clause, citation, key, status, verified_by_id, verified_at, reason,
                    after_lock, created_at)
                SELECT k.i + 1, b.org_id, b.staff_id, k.day, (k.kind).points, (k.kind).category, (k.kind).source,
                    k.i + 1, (k.kind).label, (k.kind).rule, (k.kind).clause, (k.kind).citation,
                    (k.kind).prefix || (k.i + 1) || CASE WHEN (k.kind).source = 'attendance' THEN ':late:0' ELSE '' END,
                    CASE WHEN k.day < %(today)s THEN 'verified' ELSE 'draft' END,
                    CASE WHEN k.day < %(today)s THEN b.clerk_user_id END,
                    CASE WHEN k.day < %(today)s THEN (k.day + time '18:00') AT TIME ZONE 'Asia/Shanghai' END,
                    '', false,
                    (k.day + time '08:00') AT TIME ZONE 'Asia/Shanghai' + (k.i %% 600) * interval '1 minute'
                FROM k JOIN bench_staff b ON b.idx = k.s
                """,
                {"n": n_staff, "first": first, "days": DAYS, "per": -(-base // n_staff), "base": base, "today": today},
            )
        with phase(f"fixed items + {REVERSALS:,} reversals", timings):
            cursor.execute(
                f"""
                INSERT INTO {ENTRY_TABLE} (id, organization_id, staff_id, day, points, category, source, source_id,
                    source_label, rule, clause, citation, key, status, verified_by_id, verified_at, reason,
                    after_lock, created_at)
                SELECT %(base)s + row_number() OVER (ORDER BY m, b.idx), b.org_id, b.staff_id,
                    (m + interval '1 month' - interval '1 day')::date, 50.00, 'fixed', 'fixed_item', NULL,
                    '资产管理', 'fixed.asset_management', 'PTS-10',
                    '依据 PTS-10：资产管理积分 50 分/月；参数 points.asset_management_points（默认值 50）',
                    'fixed:asset:' || b.staff_id || ':' || to_char(m, 'YYYY-MM'), 'verified', NULL,
                    (m + interval '1 month') AT TIME ZONE 'Asia/Shanghai', '', false,
                    (m + interval '1 month') AT TIME ZONE 'Asia/Shanghai'
                FROM unnest(%(months)s::date[]) AS m JOIN bench_staff b ON b.staff_id = ANY(%(finance)s)
                """,
                {"base": base, "months": fixed_months, "finance": [s.pk for s in finance]},
            )
            fixed = cursor.rowcount
            # reversals of work entries of earlier days (every ~900th entry), written the next day, by the clerk
            step = max((base - n_staff * 20) // REVERSALS, 1)
            cursor.execute(
                f"""
                INSERT INTO {ENTRY_TABLE} (id, organization_id, staff_id, day, points, category, source, source_id,
                    source_label, rule, clause, citation, key, status, verified_by_id, verified_at, reverses_id,
                    reason, after_lock, created_by_id, created_at)
                SELECT %(next)s + row_number() OVER (ORDER BY e.id), e.organization_id, e.staff_id, e.day, -e.points,
                    e.category, e.source, e.source_id, e.source_label, e.rule, e.clause,
                    '冲正 #' || e.id || '：工单回单有误，重新派单', 'reversal:' || e.id, 'verified', e.verified_by_id,
                    e.verified_at + interval '1 day', e.id, '工单回单有误，重新派单', false, e.verified_by_id,
                    e.verified_at + interval '1 day'
                FROM {ENTRY_TABLE} e
                WHERE e.id IN (SELECT 1 + j * %(step)s FROM generate_series(0, %(n)s - 1) AS j) AND e.day < %(today)s
                """,
                {"next": base + fixed, "step": step, "n": REVERSALS, "today": today - timedelta(days=1)},
            )
            reversals = cursor.rowcount
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{ENTRY_TABLE}', 'id'), (SELECT max(id) FROM {ENTRY_TABLE}))"
            )
        with phase(f"rebuild {len(indexes)} indexes, {len(constraints)} constraints", timings):
            for _name, ddl in indexes:
                cursor.execute(ddl)
            for name, ddl in constraints:
                cursor.execute(f'ALTER TABLE {ENTRY_TABLE} ADD CONSTRAINT "{name}" {ddl}')
        cursor.execute(f"SELECT count(*), count(*) FILTER (WHERE status = 'draft') FROM {ENTRY_TABLE}")
        n_entries, n_drafts = cursor.fetchone()
    return {"point entries": n_entries, "drafts (today)": n_drafts, "fixed items": fixed, "reversals": reversals}


def generate_closes(*, today: date) -> dict[str, int]:
    """Every center-day before today verified (DailyCheck); every whole month but the last complete one locked
    with its snapshot (the board's totals at the month's end, computed in one aggregate)."""
    from django.db import connection

    from servicecenter.org.models import Organization, Staff
    from servicecenter.points.models import DailyCheck, MonthClose

    first = today - timedelta(days=DAYS - 1)
    last_complete = _previous_month(today)
    centers = {o.pk: o for o in Organization.objects.filter(code__startswith=f"{CODE_PREFIX}c-", kind="service_center")}
    finance = dict(
        Staff.objects.filter(position="finance_clerk", organization__in=list(centers)).values_list(
            "organization_id", "user_id"
        )
    )
    clerks: dict[int, int] = {}
    for org_id, user_id in (
        Staff.objects.filter(position="order_clerk", organization__in=list(centers))
        .order_by("staff_no")
        .values_list("organization_id", "user_id")
    ):
        clerks.setdefault(org_id, user_id)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT organization_id, date_trunc('month', day)::date AS m, staff_id,
                   sum(points) FILTER (WHERE category = 'work'),
                   sum(points) FILTER (WHERE category IN ('reward', 'penalty')),
                   sum(points) FILTER (WHERE category = 'fixed')
                FROM {ENTRY_TABLE} WHERE status = 'verified' AND day >= %s AND day < %s
                GROUP BY 1, 2, 3""",
            [_month_start(first), last_complete],
        )
        snapshots: dict[tuple[int, date], dict[str, dict[str, str]]] = {}
        for org_id, month, staff_id, work, aux, fixed in cursor.fetchall():
            work, aux, fixed = work or Decimal("0.00"), aux or Decimal("0.00"), fixed or Decimal("0.00")
            snapshots.setdefault((org_id, month), {})[str(staff_id)] = {
                "work": str(work),
                "auxiliary": str(aux),
                "fixed": str(fixed),
                "total": str(work + aux + fixed),
            }
    closes = []
    for (org_id, month), snapshot in sorted(snapshots.items()):
        after = _month_start(month + timedelta(days=32))
        locked = _aware(datetime(after.year, after.month, 3, 10))
        closes.append(
            MonthClose(
                organization_id=org_id,
                month=month,
                status="locked",
                locked_by_id=finance[org_id],
                locked_at=locked,
                note="已复核无误",
                snapshot=snapshot,
                settled_at=_aware(datetime(after.year, after.month, 1, 1)),
            )
        )
    MonthClose.objects.bulk_create(closes, batch_size=200)
    MonthClose.objects.bulk_create(
        [MonthClose(organization_id=org_id, month=last_complete) for org_id in sorted(centers)]
    )
    checks = []
    for d in range(DAYS - 1):
        day = first + timedelta(days=d)
        at = _aware(datetime.combine(day, datetime.min.time()).replace(hour=18))
        for org_id in sorted(centers):
            checks.append(
                DailyCheck(
                    organization_id=org_id,
                    day=day,
                    verified_by_id=clerks[org_id],
                    verified_at=at,
                    verified_count=len(CENTER_ROLES) * 7,
                )
            )
    DailyCheck.objects.bulk_create(checks, batch_size=2000)
    return {"month closes": len(closes) + len(centers), "daily checks": len(checks)}


def _aware(value: datetime) -> datetime:
    from django.utils import timezone

    return timezone.make_aware(value.replace(tzinfo=None))


def generate_pay(*, today: date, timings: dict[str, float]) -> dict[str, int]:
    """The month's pay inputs, a coefficient table and the pay parameters, once the pay app's tables exist."""
    from django.apps import apps
    from django.db import connection

    if not apps.is_installed("servicecenter.pay"):
        print("  pay app not installed: no pay inputs (re-run this script once it is)")
        return {}
    from servicecenter.pay import models as pay

    if pay.PayInput._meta.db_table not in connection.introspection.table_names():
        print("  pay tables not migrated yet: no pay inputs (re-run this script once they are)")
        return {}
    month = _previous_month(today)
    if pay.PayInput.objects.filter(month=month).exists():
        print("  pay inputs present: kept")
        return {}
    from django.utils import timezone

    from servicecenter.org.models import Organization, Staff

    rng = random.Random(6)
    now = timezone.now()
    with phase("pay inputs, coefficients", timings):
        staff = list(Staff.objects.filter(staff_no__startswith="BN").exclude(staff_no__startswith="BNG"))
        inputs = []
        for s in staff:
            clerk = s.position in ("order_clerk", "finance_clerk")
            inputs.append(
                pay.PayInput(
                    staff=s,
                    month=month,
                    base_salary=Decimal(rng.choice([2200, 2400, 2600, 2800, 3000])),
                    invoices=Decimal(rng.randint(40, 160)) if clerk else None,
                    finance_liaison=Decimal("300.00") if s.position == "finance_clerk" else None,
                    updated_at=now,
                )
            )
        pay.PayInput.objects.bulk_create(inputs, batch_size=1000)
        company = Organization.objects.get(code=f"{CODE_PREFIX}co")
        table = pay.CoefficientTable.objects.create(
            organization=company, month=month, version=1, file_name="bench.xlsx", uploaded_at=now
        )
        centers = Organization.objects.filter(code__startswith=f"{CODE_PREFIX}c-", kind="service_center")
        pay.CoefficientRow.objects.bulk_create(
            [
                pay.CoefficientRow(
                    table=table,
                    center=c,
                    net_growth=Decimal(rng.randint(-50, 400)),
                    new_additions=Decimal(rng.randint(100, 900)),
                    accrual_revenue=Decimal(rng.randint(200_000, 900_000)),
                    coefficient=Decimal(rng.randint(85, 115)) / 100,
                )
                for c in centers
            ]
        )
        params = set_pay_parameters(company)
    return {"pay inputs": len(inputs), "coefficient rows": centers.count(), "pay parameters set": params}


RENEWAL_DUE = 300  # due households per center and month
RENEWAL_SUSPENDED = 60
# outcome, share: 68 % of the due renewed (renewed + upgraded + downgraded) → 80 points (PTS-13's own example)
RENEWAL_OUTCOMES = [("renewed", 55), ("upgraded", 8), ("downgraded", 5), ("refused", 20), ("unreachable", 12)]


def generate_renewals(*, today: date, timings: dict[str, float]) -> dict[str, int]:
    """The last complete month's renewal call lists (CB-11), every row called once, so that `month_settle`'s
    renewals hook (PTS-13…PTS-18) has its real work: one renewal entry per specialist and one conversion entry per
    upgraded or downgraded household. Only once the renewals app's tables exist."""
    from django.apps import apps
    from django.db import connection

    if not apps.is_installed("servicecenter.renewals"):
        print("  renewals app not installed: no call lists")
        return {}
    from servicecenter.renewals.models import RenewalRow

    if RenewalRow._meta.db_table not in connection.introspection.table_names():
        print("  renewals tables not migrated yet: no call lists (re-run this script once they are)")
        return {}
    month = _previous_month(today)
    if RenewalRow.objects.filter(month=month).exists():
        print("  renewal call lists present: kept")
        return {}
    from servicecenter.org.models import Staff

    tiers = ["3.0", "6.0", "8.2"]  # the catalogue's default `renewals.product_tiers`
    rng = random.Random(13)
    outcomes = [o for o, share in RENEWAL_OUTCOMES for _ in range(share)]
    rows = []
    with phase("renewal call lists", timings):
        for specialist in Staff.objects.filter(position="renewal_specialist", staff_no__startswith="BN").order_by(
            "staff_no"
        ):
            for n in range(RENEWAL_DUE + RENEWAL_SUSPENDED):
                kind = "due" if n < RENEWAL_DUE else "suspended"
                outcome = rng.choice(outcomes)
                tier = rng.choice(tiers[:-1]) if outcome == "upgraded" else rng.choice(tiers)
                if outcome == "downgraded" and tier == tiers[0]:
                    tier = tiers[1]
                new_tier = ""
                if outcome == "upgraded":
                    new_tier = tiers[tiers.index(tier) + 1]
                elif outcome == "downgraded":
                    new_tier = tiers[tiers.index(tier) - 1]
                called = _aware(datetime(month.year, month.month, 1 + n % 28, 9 + n % 9, n % 60))
                rows.append(
                    RenewalRow(
                        organization_id=specialist.organization_id,
                        month=month,
                        kind=kind,
                        subscriber_no=f"S{specialist.organization_id:03d}{n:05d}",
                        name=org_generate._name(rng),
                        phone=f"139{specialist.organization_id:04d}{n:04d}",
                        tier=tier,
                        due_date=month + timedelta(days=n % 28),
                        assignee=specialist,
                        outcome=outcome,
                        new_tier=new_tier,
                        outcome_by_id=specialist.user_id,
                        outcome_at=called,
                        calls=1,
                    )
                )
        RenewalRow.objects.bulk_create(rows, batch_size=2000)
    return {"renewal rows": len(rows)}


def set_pay_parameters(company: Any) -> int:
    """The pay.* amounts at the company level from 2020 (the catalogue declares them without a value: every line
    would be an error line). Written as ParameterValue rows directly: `policy.services.parameter_set` refuses
    backdating, and the bench's payroll month is in the past."""
    from servicecenter.policy.models import ParameterValue
    from servicecenter.policy.registry import get_spec

    values = {
        "pay.amount_per_avg_point": "2.00",
        "pay.amount_per_point": "1.50",
        "pay.rate_per_order": "0.80",
        "pay.rate_per_invoice": "0.50",
    }
    rows = []
    for key, raw in values.items():
        try:
            spec = get_spec(key)
        except KeyError:
            print(f"  parameter {key} not declared: not set")
            continue
        rows.append(
            ParameterValue(
                key=key,
                organization=company,
                value=spec.clean(raw),
                effective_from=date(2020, 1, 1),
                reason="基准测试数据",
            )
        )
    ParameterValue.objects.bulk_create(rows)
    return len(rows)


if __name__ == "__main__":
    sys.exit(main())
