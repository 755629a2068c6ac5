"""Celery entry points of the attendance app (scheduled in servicecenter/celery.py). Each takes `now` (optional
ISO string) and is idempotent."""

from __future__ import annotations

from celery import shared_task

from servicecenter.core.tasks import task_now as _now


@shared_task
def attendance_close_yesterday_task(now: str | None = None) -> int:
    """Nightly: compute and store yesterday's results of every center (unchanged results are not rewritten)."""
    from .services import results_close_day

    summaries = results_close_day(now=_now(now))
    return sum(s.created + s.changed for s in summaries.values())


@shared_task
def attendance_coverage_sweep_task(now: str | None = None) -> int:
    """Every 5 minutes: ATT-02 — alert the managers of an open center where nobody is clocked in (deduplicated)."""
    from .services import coverage_sweep

    return len(coverage_sweep(now=_now(now)))
