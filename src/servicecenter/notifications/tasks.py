"""Celery entry points of the notifications app: they load, call a service and leave retries to Celery."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from .channels import ChannelError
from .services import MAX_ATTEMPTS, RETRY_BACKOFF_MAX_SECONDS, RETRY_BACKOFF_SECONDS


@shared_task(
    bind=True,
    autoretry_for=(ChannelError,),
    max_retries=MAX_ATTEMPTS - 1,
    # Countdown 60 s · 2^retries capped at 10 min, without jitter: the same figures as services.retry_delay(), so
    # a Celery retry arrives when the delivery's next_attempt_at is due and the retry sweep agrees with it.
    retry_backoff=RETRY_BACKOFF_SECONDS,
    retry_backoff_max=RETRY_BACKOFF_MAX_SECONDS,
    retry_jitter=False,
)
def deliver_task(self, delivery_id: int) -> str:
    """Send one delivery (idempotent: the service locks the row and never re-sends a sent one).

    A transient failure is recorded by the service and re-raised as ChannelError so Celery retries it; what
    Celery cannot retry any more (or never received) the 5-minute retry sweep re-enqueues.
    """
    from .services import delivery_attempt

    attempt = delivery_attempt(delivery_id=delivery_id, now=timezone.now())
    if attempt.outcome == "retry":
        raise ChannelError(attempt.delivery.last_error)
    return attempt.outcome


@shared_task
def notifications_retry_pending_task() -> int:
    """Every 5 minutes (celery.py beat_schedule): re-enqueue deliveries that are due and not yet sent."""
    from .services import customer_messages_retry_due, deliveries_retry_due

    now = timezone.now()
    return deliveries_retry_due(now=now) + customer_messages_retry_due(now=now)


@shared_task
def customer_message_task(message_id: int) -> str:
    """Send one customer message (CustomerMessage); failures are retried by the 5-minute sweep."""
    from .services import customer_message_attempt

    return customer_message_attempt(message_id=message_id, now=timezone.now())
