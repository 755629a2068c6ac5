"""Generate the benchmark data set on PostgreSQL: 1 company, 10 ops centers, 100 service centers, 2,000 staff.

    .venv/bin/python bench/generate.py [--reset] [--database-url postgres://postgres@127.0.0.1:5432/sc_bench]

Creates the bench database if it is missing, migrates it, then inserts with bulk_create. Without --reset an
existing data set is kept (the script says so and exits); --reset deletes the previous bench rows (organization
codes starting with `bench-`, their staff, logins and role assignments) first.

This generator bypasses the services on purpose: a benchmark data set is not a business event, and one service
call per object (each with its transaction, audit event and history row) would take minutes. So there are no
audit events and no django-simple-history rows for these objects. The rows are still valid: materialized paths
equal what org.services.organization_create computes, roles are the built-in ones, PostgreSQL checks every
constraint. Each center has 20 staff: 1 center manager, 2 order clerks, 1 finance clerk and 16 service staff in
2 teams; each ops center has its general manager; the company has one system admin (logins: staff numbers,
password `bench-2026`). Work orders are not generated yet: the work-order app does not exist.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BENCH_PASSWORD, CODE_PREFIX, database_url, ensure_database, machine, phase, setup_django  # noqa: E402

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "一子文思雨晨浩宇嘉欣怡佳悦明轩博涛鹏晓雪静丽婷磊强军伟芳敏秀英华平刚健"

CENTER_ROLES = ["center_manager", "order_clerk", "order_clerk", "finance_clerk"] + ["service_staff"] * 16


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reset", action="store_true", help="delete the previous bench data first")
    parser.add_argument("--database-url", help="PostgreSQL URL (default: BENCH_DATABASE_URL or sc_bench on localhost)")
    parser.add_argument("--ops-centers", type=int, default=10)
    parser.add_argument("--centers", type=int, default=100, help="service centers in total")
    args = parser.parse_args(argv)

    url = database_url(args.database_url)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    print(f"bench database: {url}", flush=True)
    with phase("create database", timings):
        created = ensure_database(url)
    print(f"    ({'created' if created else 'exists'})")
    setup_django(url)
    from django.core.management import call_command

    with phase("migrate", timings):
        call_command("migrate", interactive=False, verbosity=0)

    from django.db import transaction

    from servicecenter.org.models import Organization

    existing = Organization.objects.filter(code__startswith=CODE_PREFIX).count()
    if existing and not args.reset:
        print(f"bench data present ({existing} organizations); use --reset to rebuild it")
        return 0
    if existing:
        with phase("reset (delete bench rows)", timings), transaction.atomic():
            reset()
    with transaction.atomic():
        counts = generate(ops_centers=args.ops_centers, centers=args.centers, timings=timings)
    with phase("analyze", timings):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    total = time.perf_counter() - started
    print(f"  {'total':<28} {total:7.2f} s")
    print("data set: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
    print("machine: " + ", ".join(f"{k} {v}" for k, v in machine().items()))
    return 0


def reset() -> None:
    """Delete the previous bench rows, children before parents (every FK to people and units is PROTECT)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Q

    from servicecenter.org.models import Organization, RoleAssignment, Staff

    orgs = Organization.objects.filter(code__startswith=CODE_PREFIX)
    user_ids = list(Staff.objects.filter(organization__in=orgs).values_list("user_id", flat=True))
    # Raw deletes: the ORM's per-object delete signals would write ~4,000 django-simple-history rows for rows that
    # never had any (they were bulk-inserted).
    with connection.cursor() as cursor:
        ra = RoleAssignment._meta.db_table
        cursor.execute(
            f"DELETE FROM {ra} WHERE organization_id IN (SELECT id FROM {Organization._meta.db_table} "  # noqa: S608
            "WHERE code LIKE %s) OR user_id = ANY(%s)",
            [f"{CODE_PREFIX}%", user_ids],
        )
        cursor.execute(f"DELETE FROM {Staff._meta.db_table} WHERE user_id = ANY(%s)", [user_ids])  # noqa: S608
    # Logins through the ORM: it also removes their group links, API tokens and other owned rows.
    get_user_model().objects.filter(Q(pk__in=user_ids)).delete()
    with connection.cursor() as cursor:
        for depth in sorted(set(orgs.values_list("depth", flat=True)), reverse=True):
            cursor.execute(
                f"DELETE FROM {Organization._meta.db_table} WHERE code LIKE %s AND depth = %s",  # noqa: S608
                [f"{CODE_PREFIX}%", depth],
            )


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def set_paths(max_depth: int) -> None:
    """One UPDATE per level: path = parent's path + the id zero-padded to 6 digits + "/", as organization_create."""
    from django.db import connection

    from servicecenter.org.models import Organization

    table = Organization._meta.db_table
    own = "lpad(c.id::text, greatest(6, length(c.id::text)), '0') || '/'"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS c SET path = {own} WHERE c.code LIKE %s AND c.depth = 0",  # noqa: S608
            [f"{CODE_PREFIX}%"],
        )
        for depth in range(1, max_depth + 1):
            cursor.execute(
                f"UPDATE {table} AS c SET path = p.path || {own} FROM {table} AS p "  # noqa: S608
                "WHERE c.parent_id = p.id AND c.code LIKE %s AND c.depth = %s",
                [f"{CODE_PREFIX}%", depth],
            )


def generate(*, ops_centers: int, centers: int, timings: dict[str, float]) -> dict[str, int]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from servicecenter.org.choices import CenterType, OrganizationKind
    from servicecenter.org.models import Organization, Role, RoleAssignment, Staff

    rng = random.Random(2026)  # the same data set on every run
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
                for i in range(ops_centers)
            ]
        )
        per_ops = max(centers // ops_centers, 1)
        center_rows = Organization.objects.bulk_create(
            [
                Organization(
                    name=f"基准服务中心{i + 1:03d}",
                    code=f"{CODE_PREFIX}c-{i + 1:03d}",
                    kind=K.SERVICE_CENTER,
                    # every fifth center is a government service hall, the others service stations
                    center_type=CenterType.GOV_HALL if i % 5 == 4 else CenterType.SERVICE_STATION,
                    parent=ops[min(i // per_ops, ops_centers - 1)],
                    path="",
                    depth=2,
                )
                for i in range(centers)
            ]
        )
        teams = Organization.objects.bulk_create(
            [
                Organization(
                    name=f"{center.name}{t}班",
                    code=f"{center.code}-t{t}",
                    kind=K.TEAM,
                    parent=center,
                    path="",
                    depth=3,
                )
                for center in center_rows
                for t in (1, 2)
            ]
        )
        set_paths(3)

    # (staff_no, unit, role, role unit)
    people: list[tuple[str, Organization, str, Organization]] = [("bench-admin", company, "system_admin", company)]
    people += [(f"BNG{i + 1:02d}", org, "ops_center_gm", org) for i, org in enumerate(ops)]
    n = 0
    for c, center in enumerate(center_rows):
        for k, role in enumerate(CENTER_ROLES):
            n += 1
            unit = teams[2 * c + k % 2] if role == "service_staff" else center
            people.append((f"BN{n:05d}", unit, role, center))

    with phase("logins (auth_user)", timings):
        # One Argon2 hash for every bench login (the same salt): hashing 2,000 passwords would take minutes and
        # these are synthetic accounts on a throw-away database.
        password = make_password(BENCH_PASSWORD)
        users = User.objects.bulk_create(
            [User(username=staff_no, first_name=_name(rng), password=password) for staff_no, *_ in people],
            batch_size=1000,
        )
    with phase("staff", timings):
        staff = Staff.objects.bulk_create(
            [
                Staff(user=user, organization=unit, staff_no=staff_no, name=user.first_name, position=role)
                for user, (staff_no, unit, role, _) in zip(users, people, strict=True)
            ],
            batch_size=1000,
        )
    with phase("role assignments", timings):
        roles = {role.code: role for role in Role.objects.all()}
        assignments = RoleAssignment.objects.bulk_create(
            [
                RoleAssignment(user=user, role=roles[role], organization=role_unit)
                for user, (_, _, role, role_unit) in zip(users, people, strict=True)
            ],
            batch_size=1000,
        )
    return {
        "organizations": 1 + len(ops) + len(center_rows) + len(teams),
        "service centers": len(center_rows),
        "staff": len(staff),
        "role assignments": len(assignments),
    }


if __name__ == "__main__":
    sys.exit(main())
