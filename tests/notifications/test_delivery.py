"""Delivery attempts, Celery retries and the retry sweep: sent once, retried with backoff, dead but never silent."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from servicecenter.notifications import channels, services, tasks
from servicecenter.notifications.choices import DeliveryStatus
from servicecenter.notifications.models import Delivery
from servicecenter.notifications.services import (
    MAX_ATTEMPTS,
    deliveries_retry_due,
    delivery_attempt,
    notify,
    retry_delay,
)

pytestmark = pytest.mark.django_db


def _pending_delivery(user, *, channel: str = "capture") -> Delivery:
    """A committed notification whose delivery task has not run (as if the worker had not picked it up)."""
    with override_settings(NOTIFICATION_CHANNELS=["inapp", channel]):
        [n] = notify(recipients=[user], title="审批提醒", verb="test.sent")
    return Delivery.objects.get(notification=n)


def test_retry_delay_doubles_from_one_minute_up_to_ten():
    assert [retry_delay(n).total_seconds() for n in range(1, 7)] == [60, 120, 240, 480, 600, 600]


def test_a_sent_delivery_is_never_sent_again(manager_a):
    # given
    delivery = _pending_delivery(manager_a.user)
    now = timezone.now()
    assert delivery_attempt(delivery_id=delivery.pk, now=now).outcome == "sent"

    # when: the task runs again (a duplicate from the sweep, a broker redelivery)
    again = delivery_attempt(delivery_id=delivery.pk, now=now + timedelta(hours=1))

    # then
    assert again.outcome == "skipped"
    assert len(channels.captured()) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)


def test_failing_channel_is_retried_with_backoff_then_dead(manager_a, failing_channel, caplog):
    # given
    delivery = _pending_delivery(manager_a.user, channel="flaky")
    now = timezone.now()

    # when / then: every failed attempt schedules the next one after the backoff
    for attempt in range(1, MAX_ATTEMPTS):
        result = delivery_attempt(delivery_id=delivery.pk, now=now)
        assert result.outcome == "retry"
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.FAILED
        assert delivery.attempts == attempt
        assert delivery.last_error == "网关超时"
        assert delivery.next_attempt_at == now + retry_delay(attempt)
        # a retry that arrives early (duplicate task) does not count an attempt
        assert delivery_attempt(delivery_id=delivery.pk, now=now + timedelta(seconds=30)).outcome == "skipped"
        now = delivery.next_attempt_at

    # when: the last attempt fails too
    with caplog.at_level(logging.ERROR, logger="servicecenter.notifications.services"):
        result = delivery_attempt(delivery_id=delivery.pk, now=now)

    # then: dead, logged as an error, and never tried again
    assert result.outcome == "dead"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (DeliveryStatus.DEAD, MAX_ATTEMPTS, None)
    assert any("is dead" in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records)
    assert delivery_attempt(delivery_id=delivery.pk, now=now + timedelta(days=1)).outcome == "skipped"
    assert failing_channel.calls == MAX_ATTEMPTS


def test_a_channel_that_recovers_delivers_and_clears_the_error(manager_a, failing_channel):
    # given: one failed attempt
    delivery = _pending_delivery(manager_a.user, channel="flaky")
    now = timezone.now()
    delivery_attempt(delivery_id=delivery.pk, now=now)

    # when
    failing_channel.heal()
    result = delivery_attempt(delivery_id=delivery.pk, now=now + retry_delay(1))

    # then
    assert result.outcome == "sent"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (DeliveryStatus.SENT, 2, "")
    assert delivery.sent_at == now + retry_delay(1)


def test_a_crashing_adapter_counts_as_a_transient_failure(manager_a, monkeypatch):
    # given
    delivery = _pending_delivery(manager_a.user)

    def crash(notification):
        raise KeyError("bug")

    monkeypatch.setattr(channels.REGISTRY["capture"], "send", crash)

    # when
    result = delivery_attempt(delivery_id=delivery.pk, now=timezone.now())

    # then
    assert result.outcome == "retry"
    assert result.delivery.last_error.startswith("KeyError")


@override_settings(NOTIFICATION_SMS_GATEWAY_URL="")
def test_a_channel_not_configured_is_dead_at_once_with_the_reason(manager_a):
    # given
    delivery = _pending_delivery(manager_a.user, channel="sms")

    # when
    result = delivery_attempt(delivery_id=delivery.pk, now=timezone.now())

    # then
    assert result.outcome == "dead"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DEAD
    assert "NOTIFICATION_SMS_GATEWAY_URL" in delivery.last_error


def test_an_unknown_channel_code_is_dead_with_the_reason(manager_a):
    # given: a typo in NOTIFICATION_CHANNELS
    delivery = _pending_delivery(manager_a.user, channel="smss")

    # when
    result = delivery_attempt(delivery_id=delivery.pk, now=timezone.now())

    # then
    assert result.outcome == "dead"
    assert "smss" in result.delivery.last_error


def test_email_to_a_user_without_address_is_dead_not_retried(manager_a):
    # given
    manager_a.user.email = ""
    manager_a.user.save(update_fields=["email"])
    delivery = _pending_delivery(manager_a.user, channel="email")

    # when
    result = delivery_attempt(delivery_id=delivery.pk, now=timezone.now())

    # then
    assert result.outcome == "dead"
    assert result.delivery.attempts == 1
    assert result.delivery.last_error == "接收人未登记电子邮箱"


# ---- the Celery task ----------------------------------------------------------------------------------------------


def test_deliver_task_sends_and_is_idempotent(manager_a):
    # given
    delivery = _pending_delivery(manager_a.user)

    # when: the task runs twice (eager in settings.test)
    first = tasks.deliver_task.delay(delivery.pk)
    second = tasks.deliver_task.delay(delivery.pk)

    # then
    assert (first.get(), second.get()) == ("sent", "skipped")
    assert len(channels.captured()) == 1


def test_deliver_task_raises_channel_error_so_celery_retries(manager_a, failing_channel):
    # given
    delivery = _pending_delivery(manager_a.user, channel="flaky")

    # when: eager apply; autoretry_for=(ChannelError,) re-applies the task at once, which finds the retry not due
    result = tasks.deliver_task.apply(args=[delivery.pk])

    # then: one attempt counted, the Celery retry ran and stood aside until next_attempt_at
    assert result.get() == "skipped"
    assert result.task_id != ""
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert failing_channel.calls == 1


def test_deliver_task_is_configured_for_backoff_matching_the_service():
    task = tasks.deliver_task
    assert task.autoretry_for == (channels.ChannelError,)
    assert task.max_retries == MAX_ATTEMPTS - 1
    assert (task.retry_backoff, task.retry_backoff_max, task.retry_jitter) == (
        services.RETRY_BACKOFF_SECONDS,
        services.RETRY_BACKOFF_MAX_SECONDS,
        False,
    )


# ---- the retry sweep ----------------------------------------------------------------------------------------------


def test_retry_sweep_reenqueues_a_pending_delivery_whose_task_was_lost(manager_a):
    # given: a delivery whose task never ran (worker died)
    delivery = _pending_delivery(manager_a.user)

    # when: the sweep runs before the grace period, then after it
    early = deliveries_retry_due(now=timezone.now())
    late = deliveries_retry_due(now=timezone.now() + services.SWEEP_GRACE)

    # then
    assert early == 0
    assert late == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert len(channels.captured()) == 1


def test_retry_sweep_retries_failed_deliveries_when_due_and_ignores_done_ones(manager_a, clerk_a, failing_channel):
    # given: one failed delivery, one sent, one dead
    failed = _pending_delivery(manager_a.user, channel="flaky")
    now = timezone.now()
    delivery_attempt(delivery_id=failed.pk, now=now)
    sent = _pending_delivery(clerk_a.user)
    delivery_attempt(delivery_id=sent.pk, now=now)
    dead = _pending_delivery(clerk_a.user, channel="smss")
    delivery_attempt(delivery_id=dead.pk, now=now)
    failing_channel.heal()

    # when: the sweep runs 30 s later, then when the retry is due (the task it enqueues reads the clock too)
    not_due = deliveries_retry_due(now=now + timedelta(seconds=30))
    with time_machine.travel(now + retry_delay(1)):
        due = deliveries_retry_due(now=timezone.now())

    # then
    assert not_due == 0
    assert due == 1
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (DeliveryStatus.SENT, 2)
    assert len(channels.captured()) == 1


def test_periodic_task_runs_the_sweep_at_the_current_time(manager_a):
    # given
    delivery = _pending_delivery(manager_a.user)

    # when: 5 minutes later the beat schedule fires
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        count = tasks.notifications_retry_pending_task.delay().get()

    # then
    assert count == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT


def test_the_sweep_is_declared_in_the_beat_schedule():
    from servicecenter.celery import app

    entry = app.conf.beat_schedule["notifications-retry"]
    assert entry["task"] == tasks.notifications_retry_pending_task.name
