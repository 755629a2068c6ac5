"""Races through the complaint API on PostgreSQL (row locks, the unique index of the idempotency keys): a hotline
system retrying a create with one key registers one complaint; two handlers acknowledging at once — one wins."""

from __future__ import annotations

from functools import partial

import pytest
from django.urls import reverse

from servicecenter.complaints.models import Complaint, ComplaintEvent
from servicecenter.core.models import IdempotencyKey
from tests import factories
from tests.workorders.test_api_concurrency import _postgres_only, client_for, race  # noqa: F401 - autouse fixture

from .test_api import body

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROUNDS = 3


def test_concurrent_creates_with_one_key_make_one_complaint(tree, clerk_a):
    url = reverse("api-complaints-list")
    for i in range(ROUNDS):
        key = f"hotline-retry-{i}"
        data = body(tree, summary=f"并发重试 {i}")
        results = race(
            [partial(client_for(clerk_a).post, url, data, format="json", HTTP_IDEMPOTENCY_KEY=key) for _ in range(4)]
        )
        assert all(getattr(r, "status_code", None) == 201 for r in results), results
        assert len({r.json()["number"] for r in results}) == 1
        assert sum(1 for r in results if r.get("Idempotent-Replayed") == "true") == 3
        assert Complaint.objects.filter(summary=f"并发重试 {i}").count() == 1
        assert IdempotencyKey.objects.filter(key=key).count() == 1


def test_two_handlers_acknowledge_at_once_one_wins(tree, make_complaint, manager_a):
    deputy = factories.make_staff(tree["a"], "center_manager", name="甲副经理")
    for _ in range(ROUNDS):
        complaint = make_complaint()
        url = reverse("api-complaints-acknowledge", args=[complaint.pk])
        results = race(
            [
                partial(client_for(manager_a).post, url, {}, format="json"),
                partial(client_for(deputy).post, url, {}, format="json"),
            ]
        )
        assert sorted(r.status_code for r in results) == [200, 409], results
        assert ComplaintEvent.objects.filter(complaint=complaint, verb="acknowledged").count() == 1
