"""Celery entry points of the callbacks app (scheduled in servicecenter/celery.py). Each takes an optional `now`
(ISO 8601 string, for tests and catch-up runs) and is idempotent: the services act on state, once."""

from __future__ import annotations

from celery import shared_task

from servicecenter.core.tasks import task_now as _now

# surveys and ratings


@shared_task
def rectification_sweep_task(now: str | None = None) -> int:
    """Every 15 minutes (好差评): rectifications past their deadline are flagged overdue and their owner told, once."""
    from .surveys import rectification_sweep

    return rectification_sweep(now=_now(now))


@shared_task
def campaign_monthly_task(now: str | None = None) -> list[int]:
    """01:10 every night (CB-12): a monthly survey whose next month has ended gets that month's run, launched."""
    from .campaigns import campaign_monthly_runs

    return [campaign.pk for campaign in campaign_monthly_runs(now=_now(now))]
