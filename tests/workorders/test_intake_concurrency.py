"""A double-clicked intake submit racing itself on PostgreSQL: the one-time form token yields exactly one order
(and one customer), whichever request gets the center's numbering lock first."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection

from servicecenter.customers.models import Customer
from servicecenter.workorders.models import WorkOrder

from .conftest import intake

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def at_morning():
    """The real clock (threads do not share the conftest's time travel reliably)."""
    yield


def test_two_submits_of_one_form_at_the_same_instant_make_one_order(tree, clerk_a):
    for _round in range(3):
        token = uuid.uuid4()
        barrier = threading.Barrier(2)
        results: list[str] = []
        lock = threading.Lock()

        def run(token=token, barrier=barrier, results=results, lock=lock) -> None:
            try:
                barrier.wait(timeout=10)
                from django.utils import timezone

                order = intake(clerk_a, tree["a"], now=timezone.now(), intake_token=token)
                outcome = order.number
            except Exception as exc:  # noqa: BLE001 - any failure shows in the assertion below
                outcome = f"error:{exc!r}"
            finally:
                connection.close()
            with lock:
                results.append(outcome)

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert len(set(results)) == 1 and not results[0].startswith("error"), results
        assert WorkOrder.objects.filter(intake_token=token).count() == 1
    assert WorkOrder.objects.count() == 3
    assert Customer.objects.count() == 1
