"""Shared set-up of the bench scripts: the bench database (PostgreSQL only, created if missing) and Django.

The bench never reads DATABASE_URL: a data generator must not write into whatever database the shell points at.
It uses --database-url, else BENCH_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/sc_bench.
Settings are the production ones (DEBUG off, Argon2, persistent connections), minus the HTTPS redirect, so the
in-process test client measures what a deployment runs.
"""

from __future__ import annotations

import os
import platform
import secrets
import subprocess
import sys
import time
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/sc_bench"
CODE_PREFIX = "bench-"  # every generated organization code starts with it (`generate.py --reset` deletes by it)
BENCH_PASSWORD = "bench-2026"


def database_url(cli_value: str | None) -> str:
    url = cli_value or os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    scheme = urlsplit(url).scheme
    if scheme not in {"postgres", "postgresql", "pgsql"}:
        sys.exit(f"bench: PostgreSQL only (got {scheme or 'no scheme'}://); SQLite numbers would say nothing")
    return url


def ensure_database(url: str) -> bool:
    """Create the bench database when it does not exist. Returns True when it was created."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "servicecenter.settings.production"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in open("/proc/cpuinfo", encoding="utf-8")
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        cpu = platform.processor() or "unknown"
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip() or str(os.cpu_count())
    return {
        "nproc": nproc,
        "cpu": cpu,
        "python": platform.python_version(),
        "postgresql": pg_version,
        "django": __import__("django").get_version(),
    }


@contextmanager
def phase(name: str, timings: dict[str, float]):
    started = time.perf_counter()
    yield
    timings[name] = time.perf_counter() - started
    print(f"  {name:<28} {timings[name]:7.2f} s", flush=True)
