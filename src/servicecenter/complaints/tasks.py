"""Celery entry points of the complaint app (scheduled in servicecenter/celery.py). Each takes an optional `now` (ISO
8601 string, for tests and catch-up runs) and is idempotent: the service flags each breach once and confirms an
unanswered resolution once."""

from __future__ import annotations

from celery import shared_task

from servicecenter.core.tasks import task_now as _now


@shared_task
def complaint_sweep_task(now: str | None = None) -> dict[str, int]:
    """Every 5 minutes (G-01): acknowledgement and resolution breaches flagged and reported to the manager once each;
    resolutions unanswered past the wait count as confirmed ("no reply")."""
    from .services import complaint_sweep

    return complaint_sweep(now=_now(now))
