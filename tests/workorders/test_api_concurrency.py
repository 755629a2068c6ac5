"""Races through the API on PostgreSQL (row locks, the unique index of the idempotency keys): threads released
together by a barrier, each with its own connection."""

from __future__ import annotations

import threading
from functools import partial

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from servicecenter.core.models import IdempotencyKey
from servicecenter.workorders.models import WorkOrder, WorkOrderEvent

from .test_api import body

ROUNDS = 3


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locking is tested on PostgreSQL (SQLite serialises writers)")


def race(calls) -> list:
    """Run every callable in its own thread at the same instant; their responses (or exceptions), in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - reported by the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def client_for(staff) -> APIClient:
    client = APIClient()
    client.force_authenticate(staff.user)
    return client


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_with_one_key_make_one_order(tree, clerk_a):
    url = reverse("api-workorders-list")
    for i in range(ROUNDS):
        key = f"retry-storm-{i}"
        data = body(tree, problem=f"并发重试 {i}")
        results = race(
            [partial(client_for(clerk_a).post, url, data, format="json", HTTP_IDEMPOTENCY_KEY=key) for _ in range(4)]
        )
        assert all(getattr(r, "status_code", None) == 201 for r in results), results
        assert len({r.json()["id"] for r in results}) == 1
        assert sum(1 for r in results if r.get("Idempotent-Replayed") == "true") == 3
        assert WorkOrder.objects.filter(problem=f"并发重试 {i}").count() == 1
        assert IdempotencyKey.objects.filter(key=key).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once_one_wins_the_other_gets_409(make_order, clerk_a, manager_a, worker_a, worker_a2):
    for _ in range(ROUNDS):
        order = make_order()
        url = reverse("api-workorders-dispatch", args=[order.pk])
        results = race(
            [
                partial(client_for(clerk_a).post, url, {"assignee": worker_a.pk}, format="json"),
                partial(client_for(manager_a).post, url, {"assignee": worker_a2.pk}, format="json"),
            ]
        )
        codes = sorted(r.status_code for r in results)
        assert codes == [200, 409], results
        loser = next(r for r in results if r.status_code == 409).json()["message"]
        assert loser.startswith("该工单已被 ") and " 派给 " in loser
        assert WorkOrderEvent.objects.filter(order=order, verb="dispatched").count() == 1
