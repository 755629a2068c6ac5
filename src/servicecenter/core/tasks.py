"""Celery entry points of core (scheduled in servicecenter/celery.py)."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task
from django.utils import timezone
from django.utils.dateparse import parse_datetime


def task_now(now: str | None) -> datetime:
    """The `now` argument every periodic task takes (ISO 8601, for tests and catch-up runs): parsed, made aware in
    the default zone when it has none; no argument → the current time."""
    if not now:
        return timezone.now()
    parsed = parse_datetime(now)
    if parsed is None:
        raise ValueError(f"not an ISO 8601 date-time: {now!r}")
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


@shared_task
def core_purge_idempotency_keys_task(now: str | None = None) -> int:
    """Hourly: delete Idempotency-Keys past their 24 h (they can no longer replay anything). Idempotent."""
    from .idempotency import purge_expired

    return purge_expired(now=parse_datetime(now) if now else None)
