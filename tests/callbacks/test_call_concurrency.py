"""Two clerks press «开始回访» on the same callback at the same instant: exactly one gets it, the other is told who
has it («该回访正由 X 进行»). PostgreSQL row locks, real threads; through the service and through the page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from servicecenter.callbacks import services
from servicecenter.callbacks.models import CallbackTask
from tests import factories
from tests.workorders.test_concurrency import race

from .conftest import returned

ROUNDS = 4


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locking is tested on PostgreSQL (SQLite serialises writers)")


def _claim(user, task_id):
    def call():
        services.task_claim(actor=user, task_id=task_id)
        return "ok"

    return call


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clerks_claim_at_once_one_wins(tree, clerk_a, worker_a, manager_a):
    other = factories.make_staff(tree["a"], "order_clerk", name="甲内勤二")
    for i in range(ROUNDS):
        task = CallbackTask.objects.get(order=returned(clerk_a, tree["a"], worker_a, customer_name=f"并发回访{i}"))
        results = race([_claim(clerk_a.user, task.pk), _claim(other.user, task.pk)])
        assert sorted(r.split(":")[0] for r in results) == ["conflict", "ok"], results
        task.refresh_from_db()
        winner = "甲内勤" if task.claimed_by_id == clerk_a.user.pk else "甲内勤二"
        loser = next(r for r in results if r.startswith("conflict:"))
        assert f"该回访正由 {winner} 进行" in loser
        assert task.version == 2  # one claim written


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clerks_claim_through_the_page_one_gets_409(tree, clerk_a, worker_a, manager_a):
    other = factories.make_staff(tree["a"], "order_clerk", name="甲内勤二")
    task = CallbackTask.objects.get(order=returned(clerk_a, tree["a"], worker_a, customer_name="并发页面"))
    url = f"/callbacks/{task.pk}/claim/"

    def press(user):
        def call():
            client = Client()
            client.force_login(user)
            return str(client.post(url, HTTP_HX_REQUEST="true").status_code)

        return call

    results = race([press(clerk_a.user), press(other.user)])
    assert sorted(results) == ["200", "409"], results
    task.refresh_from_db()
    assert task.claimed_by_id in (clerk_a.user.pk, other.user.pk) and task.version == 2
