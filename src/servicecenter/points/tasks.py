"""Celery entry points of the points app (scheduled in servicecenter/celery.py). Each takes an optional `now`
(ISO 8601 string, for tests and catch-up runs) and is idempotent: the ledger's keys and the check rows decide."""

from __future__ import annotations

from celery import shared_task

from servicecenter.core.tasks import task_now as _now


@shared_task
def collect_task(now: str | None = None) -> dict[str, int]:
    """Every 10 minutes: today's events of every center become draft entries (PTS-04); stale ones are reversed."""
    from .services import collect_all

    return collect_all(now=_now(now))


@shared_task
def shift_end_alert_task(now: str | None = None) -> int:
    """Every 15 minutes: a center past its closing time with unverified drafts alerts the order clerks (PTS-04)."""
    from .services import shift_end_alerts

    return shift_end_alerts(now=_now(now))


@shared_task
def daily_summary_task(now: str | None = None) -> int:
    """Every 15 minutes: after `points.daily_report_time`, yesterday's summary to the recipients (PTS-06)."""
    from .services import daily_summaries

    return daily_summaries(now=_now(now))


@shared_task
def month_end_task(now: str | None = None) -> int:
    """00:40 every night: the previous month of every center is settled once (PTS-10, PTS-18)."""
    from .services import month_end_all

    return month_end_all(now=_now(now))


@shared_task
def month_reminder_task(now: str | None = None) -> int:
    """08:05 every day: recheck reminders from the 1st, the overdue alert after the 5th (PTS-09, C-08)."""
    from .services import month_reminders

    return month_reminders(now=_now(now))
