"""PostgreSQL-only: concurrent reminders with one dedupe key, and two workers on one delivery."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from servicecenter.notifications import channels
from servicecenter.notifications.choices import DeliveryStatus
from servicecenter.notifications.models import Delivery, Notification
from servicecenter.notifications.services import delivery_attempt, notify

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent unique inserts need PostgreSQL")


def _a_backend_waits_on_a_lock() -> bool:
    """Poll pg_stat_activity (bounded: 10 s) until some session of this database waits on a lock."""
    deadline = time.monotonic() + 10
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.02)
    return False


def test_concurrent_reminders_with_one_dedupe_key_create_one_notification(manager_a):
    # given: one reminder has inserted its row but not committed yet
    inserted = threading.Event()
    release = threading.Event()
    errors: list[BaseException] = []

    def first_reminder():
        try:
            with transaction.atomic():
                notify(recipients=[manager_a.user], title="提醒", verb="approvals.reminder", dedupe_key="step:1")
                inserted.set()
                release.wait(10)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=first_reminder)
    thread.start()
    assert inserted.wait(10)

    # when: a second reminder runs inside its caller's transaction; its insert waits on the unique index
    result: dict[str, object] = {}

    def second_reminder():
        try:
            with transaction.atomic():
                result["created"] = notify(
                    recipients=[manager_a.user], title="提醒", verb="approvals.reminder", dedupe_key="step:1"
                )
                # the caller's transaction is still usable after the swallowed conflict
                result["count"] = Notification.objects.filter(dedupe_key="step:1").count()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    second = threading.Thread(target=second_reminder)
    second.start()
    assert _a_backend_waits_on_a_lock(), "the second insert never waited on the first transaction's row"
    release.set()
    thread.join(10)
    second.join(10)

    # then
    assert errors == []
    assert result["created"] == []
    assert result["count"] == 1
    assert Notification.objects.filter(recipient=manager_a.user, dedupe_key="step:1").count() == 1


def test_two_workers_on_one_delivery_send_it_once(manager_a, monkeypatch):
    # given: a pending delivery whose task has not run yet
    from servicecenter.notifications import tasks

    monkeypatch.setattr(tasks.deliver_task, "delay", lambda *args, **kwargs: None)
    [n] = notify(recipients=[manager_a.user], title="t", verb="test.sent")
    delivery = Delivery.objects.get(notification=n)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def worker():
        try:
            barrier.wait(5)
            outcomes.append(delivery_attempt(delivery_id=delivery.pk, now=timezone.now()).outcome)
        finally:
            connections.close_all()

    # when
    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)

    # then
    assert sorted(outcomes) == ["sent", "skipped"]
    assert len(channels.captured()) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)
