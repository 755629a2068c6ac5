"""Races through the callback API on PostgreSQL (row locks): two clerks open the same callback at the same instant —
one gets it, the other a 409 naming who is calling; two answers of one callback record one answer."""

from __future__ import annotations

from functools import partial

import pytest
from django.urls import reverse

from servicecenter.callbacks.models import CallbackAttempt, CallbackTask
from tests import factories
from tests.workorders.test_api_concurrency import _postgres_only, client_for, race  # noqa: F401 - autouse fixture

from .conftest import returned

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROUNDS = 3
GOOD = {"a": "yes", "b": "satisfied", "c": "no", "d": 9, "e": ""}


def test_two_clerks_claim_at_once_one_wins(tree, clerk_a, worker_a):
    other = factories.make_staff(tree["a"], "order_clerk", name="甲内勤二")
    for _ in range(ROUNDS):
        task = CallbackTask.objects.get(order=returned(clerk_a, tree["a"], worker_a))
        url = reverse("api-callbacks-task-claim", args=[task.pk])
        results = race(
            [
                partial(client_for(clerk_a).post, url, {}, format="json"),
                partial(client_for(other).post, url, {}, format="json"),
            ]
        )
        assert sorted(r.status_code for r in results) == [200, 409], results
        winner = next(r for r in results if r.status_code == 200).json()["claimed_by_name"]
        loser = next(r for r in results if r.status_code == 409).json()["message"]
        assert loser.startswith(f"该回访正由 {winner} 进行")


def test_a_double_submitted_answer_is_recorded_once(tree, clerk_a, worker_a):
    for _ in range(ROUNDS):
        task = CallbackTask.objects.get(order=returned(clerk_a, tree["a"], worker_a))
        url = reverse("api-callbacks-task-answer", args=[task.pk])
        results = race([partial(client_for(clerk_a).post, url, {"answers": GOOD}, format="json") for _ in range(2)])
        assert sorted(r.status_code for r in results) == [200, 409], results
        assert CallbackAttempt.objects.filter(task=task, result="answered").count() == 1
