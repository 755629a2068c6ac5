"""Embedded periodic jobs: celery beat's job, done in the serving process when there is no Redis (DESIGN.md).

`servicecenter serve` runs one `EmbeddedScheduler` in a thread of its parent process — never in the gunicorn
workers, so each job runs once however many workers serve. It reads the one declaration of periodic jobs,
`servicecenter.celery.app.conf.beat_schedule`, asks each entry's celery schedule whether it is due
(`schedule.is_due(last_run_at)`, which needs no broker) and runs the task in-process (`task.apply()`).

As with celery beat's default scheduler, an entry's clock starts when the scheduler starts: a job every
15 minutes first runs at the next quarter hour, not at start-up. Jobs are idempotent (STYLE.md §2.11), so a
restart that runs one a little early or late is harmless.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from celery.schedules import maybe_schedule

logger = logging.getLogger("servicecenter.scheduler")

MIN_WAIT = 1.0  # seconds between checks, at least
MAX_WAIT = 30.0  # … and at most, so a stop request or a clock change is noticed quickly


@dataclass
class JobRun:
    """One execution of a periodic entry."""

    entry: str
    task: str
    at: datetime
    ok: bool
    seconds: float
    result: Any = None
    error: str = ""


@dataclass
class _Entry:
    name: str
    task: str
    schedule: Any
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    last_run_at: datetime | None = None


class EmbeddedScheduler:
    """Runs the due entries of a beat schedule against a task registry.

    Args:
        schedule: `{entry name: {"task": name, "schedule": celery schedule | timedelta | seconds, "args", "kwargs"}}`
            (the format of `app.conf.beat_schedule`).
        tasks: task name → task object with `.apply(args=…, kwargs=…)` (the Celery app's `app.tasks`).
        app: the Celery app whose time zone the schedules use.
    """

    def __init__(self, *, schedule: Mapping[str, Mapping[str, Any]], tasks: Mapping[str, Any], app: Any) -> None:
        self.app = app
        self.tasks = tasks
        self.entries = [
            _Entry(
                name=name,
                task=spec["task"],
                schedule=maybe_schedule(spec["schedule"], app=app),
                args=tuple(spec.get("args") or ()),
                kwargs=dict(spec.get("kwargs") or {}),
            )
            for name, spec in schedule.items()
        ]
        self.next_wait = MAX_WAIT

    def tick(self, now: datetime) -> list[JobRun]:
        """Run every entry due at `now` (an aware datetime) once; return what ran. Sets `next_wait` (seconds)."""
        runs: list[JobRun] = []
        waits = [MAX_WAIT]
        for entry in self.entries:
            if entry.last_run_at is None:
                entry.last_run_at = now  # the clock of an entry starts with the scheduler, as in celery beat
            # A copy of the schedule that reads the given `now` instead of the wall clock (testable, consistent).
            sched = copy.copy(entry.schedule)
            sched.nowfun = lambda now=now: now
            due, next_seconds = sched.is_due(entry.last_run_at)
            if due:
                entry.last_run_at = now
                runs.append(self._run(entry, now))
                due, next_seconds = sched.is_due(now)
            waits.append(next_seconds)
        self.next_wait = min(max(min(waits), MIN_WAIT), MAX_WAIT)
        return runs

    def run_all(self, now: datetime) -> list[JobRun]:
        """Run every entry once, due or not (`manage.py run_periodic_jobs --once`)."""
        runs = []
        for entry in self.entries:
            entry.last_run_at = now
            runs.append(self._run(entry, now))
        return runs

    def _run(self, entry: _Entry, now: datetime) -> JobRun:
        task = self.tasks.get(entry.task)
        if task is None:
            logger.error("periodic job %s: task %s is not registered", entry.name, entry.task)
            return JobRun(entry.name, entry.task, now, ok=False, seconds=0.0, error="task not registered")
        started = time.monotonic()
        try:
            outcome = task.apply(args=entry.args, kwargs=entry.kwargs)
        except Exception as exc:  # noqa: BLE001 - one failing job must not stop the others
            logger.exception("periodic job %s (%s) raised", entry.name, entry.task)
            return JobRun(entry.name, entry.task, now, ok=False, seconds=time.monotonic() - started, error=repr(exc))
        seconds = time.monotonic() - started
        failed = getattr(outcome, "failed", None)
        if callable(failed) and failed():
            logger.error("periodic job %s (%s) failed:\n%s", entry.name, entry.task, getattr(outcome, "traceback", ""))
            return JobRun(entry.name, entry.task, now, ok=False, seconds=seconds, error=repr(outcome.result))
        result = getattr(outcome, "result", outcome)
        logger.info("periodic job %s (%s) done in %.2fs: %r", entry.name, entry.task, seconds, result)
        return JobRun(entry.name, entry.task, now, ok=True, seconds=seconds, result=result)

    def run_forever(self, stop: threading.Event, clock: Callable[[], datetime] | None = None) -> None:
        """Tick until `stop` is set. Database connections are closed around each tick (this is a long-lived thread)."""
        from django.db import close_old_connections
        from django.utils import timezone

        clock = clock or timezone.now
        logger.info("embedded scheduler: %s", ", ".join(f"{e.name} → {e.task}" for e in self.entries) or "no jobs")
        while not stop.is_set():
            close_old_connections()
            try:
                self.tick(clock())
            except Exception:  # noqa: BLE001 - keep the scheduler alive; the error is logged
                logger.exception("embedded scheduler tick failed")
                self.next_wait = MAX_WAIT
            finally:
                close_old_connections()
            stop.wait(self.next_wait)
        logger.info("embedded scheduler stopped")


def project_scheduler() -> EmbeddedScheduler:
    """The scheduler for this project's beat schedule and tasks (Django must be set up)."""
    from servicecenter.celery import app

    # Task modules are discovered lazily by Celery (on worker start); load them now so app.tasks is complete.
    app.loader.import_default_modules()
    return EmbeddedScheduler(schedule=app.conf.beat_schedule, tasks=app.tasks, app=app)
