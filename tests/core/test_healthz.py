"""/healthz: what a load balancer asks before sending traffic (database, Redis when configured, migrations)."""

from __future__ import annotations

import os

import pytest
from django.db import OperationalError
from django.db.migrations import Migration
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from tests.conftest import missing_service


@pytest.fixture
def embedded(settings):
    settings.REDIS_URL = ""
    return settings


@pytest.mark.smoke
@pytest.mark.django_db
def test_healthy_database_answers_200_without_login(client, embedded):
    # given an anonymous client, embedded mode, a migrated test database
    # when
    response = client.get(reverse("healthz"))
    # then
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "not configured (embedded mode)", "migrations": "ok"},
    }
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_unreachable_redis_answers_503(client, settings):
    # given a REDIS_URL where nothing listens
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    # when
    response = client.get(reverse("healthz"))
    # then
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["redis"].startswith("error: ")
    assert body["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_reachable_redis_is_reported_ok(client, settings):
    # given the suite's real Redis (make test sets SC_TEST_REDIS_URL)
    url = os.environ.get("SC_TEST_REDIS_URL", "")
    if not url:
        missing_service("SC_TEST_REDIS_URL is not set")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        missing_service(f"Redis at {url} is not reachable: {exc}")
    settings.REDIS_URL = url
    # when
    response = client.get(reverse("healthz"))
    # then
    assert response.status_code == 200
    assert response.json()["checks"]["redis"] == "ok"


@pytest.mark.django_db
def test_pending_migrations_answer_503(client, embedded, monkeypatch):
    # given one migration that is not applied yet
    pending = [(Migration("9999_not_applied", "core"), False)]
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets, clean_start=False: pending)
    # when
    response = client.get(reverse("healthz"))
    # then
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "1 pending"


@pytest.mark.django_db
def test_database_failure_answers_503_and_skips_the_migration_check(client, embedded, monkeypatch):
    # given a database that refuses connections
    from servicecenter.core import views

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(views.connection, "cursor", refuse)
    # when
    response = client.get(reverse("healthz"))
    # then
    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "error: OperationalError",
        "redis": "not configured (embedded mode)",
    }


@pytest.mark.django_db
def test_healthz_only_answers_get(client, embedded):
    # when
    response = client.post(reverse("healthz"))
    # then
    assert response.status_code == 405
