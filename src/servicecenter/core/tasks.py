"""Celery entry points of core (scheduled in servicecenter/celery.py)."""

from __future__ import annotations

from celery import shared_task
from django.utils.dateparse import parse_datetime


@shared_task
def core_purge_idempotency_keys_task(now: str | None = None) -> int:
    """Hourly: delete Idempotency-Keys past their 24 h (they can no longer replay anything). Idempotent."""
    from .idempotency import purge_expired

    return purge_expired(now=parse_datetime(now) if now else None)
