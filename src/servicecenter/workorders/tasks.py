"""Celery entry points of the work-order app (scheduled in servicecenter/celery.py). Each takes an optional `now`
(ISO 8601 string, for tests and catch-up runs) and is idempotent: the services set each flag once."""

from __future__ import annotations

from celery import shared_task

from servicecenter.core.tasks import task_now as _now


@shared_task
def sla_sweep_task(now: str | None = None) -> dict[str, int]:
    """Every minute (WO-03): warnings at the warning instant and breaches at the deadline, once each, notifying the
    dispatchers, the manager and the serviceman."""
    from .services import sla_sweep

    result = sla_sweep(now=_now(now))
    return {
        "response_warnings": result.response_warnings,
        "response_breaches": result.response_breaches,
        "resolve_warnings": result.resolve_warnings,
        "resolve_breaches": result.resolve_breaches,
    }


@shared_task
def rollover_task(now: str | None = None) -> int:
    """00:05 and hourly (SVC-12): requests of an earlier day still undispatched go to the top of today's queue."""
    from .services import rollover_undispatched

    return rollover_undispatched(now=_now(now))


@shared_task
def reescalate_task(now: str | None = None) -> int:
    """Every 5 minutes (WO-15): open facility issues are reported again at the center's interval until closed."""
    from .services import reescalate_facility_issues

    return reescalate_facility_issues(now=_now(now))
