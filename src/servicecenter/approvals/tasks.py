"""Celery entry points of the approvals engine (scheduled in servicecenter/celery.py)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone


@shared_task
def approvals_send_reminders_task() -> int:
    """Every 15 minutes: remind approvers of steps waiting longer than approvals.reminder_hours. Idempotent."""
    from .services import approvals_send_reminders

    return approvals_send_reminders(now=timezone.now())
