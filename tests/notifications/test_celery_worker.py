"""A real Celery worker (thread) against Redis delivers a notification committed by `notify` (DESIGN.md quality bar).

SC_TEST_REDIS_URL names the Redis database (default redis://127.0.0.1:6379/15). A missing Redis fails under CI
(SC_REQUIRE_SERVICES=1) and skips on a developer machine. The task goes to a queue of its own, so workers of other
test runs on the same Redis never take it.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

import pytest
from django.db import transaction

from servicecenter.notifications import channels
from servicecenter.notifications.choices import DeliveryStatus
from servicecenter.notifications.models import Delivery
from servicecenter.notifications.services import notify
from tests.conftest import missing_service

REDIS_URL = os.environ.get("SC_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# Waiting for a real worker to pick the task up, not for a deadline: poll the row, give up after 20 s.
WORKER_WAIT_SECONDS = 20
POLL_INTERVAL_SECONDS = 0.1


def _redis_or_missing() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as exc:
        missing_service(f"redis at {REDIS_URL} is unreachable: {exc}")


def _reset_connections_and_routing(app) -> None:
    """Forget what the app cached from its previous configuration: the producer pool and connection pool (bound to
    the broker URL) and the queue table, router and default queue (the worker narrowed the queues it consumes)."""
    app.amqp._producer_pool = None
    app._pool = None
    for cached in ("queues", "router", "default_queue"):
        app.amqp.__dict__.pop(cached, None)


@pytest.fixture
def real_worker():
    """The project's Celery app pointed at Redis, with an embedded worker thread; configuration restored after."""
    from celery.contrib.testing.worker import start_worker

    from servicecenter.celery import app

    _redis_or_missing()
    queue = f"sc-test-notifications-{uuid.uuid4().hex[:8]}"
    overrides = {
        "broker_url": REDIS_URL,
        "result_backend": REDIS_URL,
        "task_always_eager": False,
        "task_default_queue": queue,
        "worker_hijack_root_logger": False,
    }
    saved = {key: app.conf[key] for key in overrides}
    app.conf.update(overrides)
    _reset_connections_and_routing(app)
    try:
        with start_worker(
            app, pool="solo", concurrency=1, perform_ping_check=False, queues=[queue], loglevel="WARNING"
        ) as worker:
            yield worker
    finally:
        with app.connection_for_write(REDIS_URL) as conn:  # drop the test queue's leftovers (none when all ran)
            conn.default_channel.queue_delete(queue)
        app.conf.update(saved)
        _reset_connections_and_routing(app)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_a_committed_notification(real_worker, manager_a):
    # given: a record of where deliver_task runs
    from celery.signals import task_postrun

    runs: list[tuple[bool, bool]] = []  # (eager?, in this test's thread?)

    def record(sender=None, **kwargs):
        if sender is not None and sender.name.endswith("deliver_task"):
            runs.append((bool(sender.request.is_eager), threading.get_ident() == test_thread))

    test_thread = threading.get_ident()

    task_postrun.connect(record, weak=False)

    # when: a business transaction commits with a notification in it
    try:
        with transaction.atomic():
            [n] = notify(recipients=[manager_a.user], title="请审批：请假申请", verb="approvals.step.assigned")
        delivery = Delivery.objects.get(notification=n, channel="capture")
        deadline = time.monotonic() + WORKER_WAIT_SECONDS
        while time.monotonic() < deadline:
            delivery.refresh_from_db()
            # task_postrun fires just after the task committed its row: wait for both, or the check races it
            if delivery.status != DeliveryStatus.PENDING and runs:
                break
            time.sleep(POLL_INTERVAL_SECONDS)
    finally:
        task_postrun.disconnect(record)

    # then: the worker (another thread, its own database connection) sent it through the capture channel
    assert delivery.status == DeliveryStatus.SENT, f"worker did not deliver within {WORKER_WAIT_SECONDS} s"
    assert delivery.attempts == 1
    assert [m.notification_id for m in channels.captured()] == [n.pk]
    assert runs == [(False, False)]
