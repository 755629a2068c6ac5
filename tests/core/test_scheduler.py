"""The embedded scheduler (servicecenter.scheduler): celery beat's job inside `servicecenter serve`, on a fake clock."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from celery.schedules import crontab

from servicecenter.celery import app
from servicecenter.scheduler import MAX_WAIT, MIN_WAIT, EmbeddedScheduler, project_scheduler

T0 = datetime(2026, 3, 2, 10, 0, 30, tzinfo=UTC)


class FakeTask:
    """Stands in for a Celery task: records each call, optionally fails like an eager result does."""

    def __init__(self, *, fail: bool = False, boom: bool = False) -> None:
        self.calls: list[tuple[tuple, dict]] = []
        self.fail = fail
        self.boom = boom

    def apply(self, args=(), kwargs=None):
        self.calls.append((tuple(args), dict(kwargs or {})))
        if self.boom:
            raise RuntimeError("broker gone")
        return SimpleNamespace(failed=lambda: self.fail, result=len(self.calls), traceback="Traceback: boom")


def ticks(start: datetime, *, minutes: int, every_seconds: int = 30):
    steps = minutes * 60 // every_seconds
    return [start + timedelta(seconds=i * every_seconds) for i in range(steps + 1)]


def test_an_entry_every_five_minutes_runs_once_per_five_minutes():
    # given a crontab entry every 5 minutes and a clock that ticks every 30 seconds for half an hour
    task = FakeTask()
    scheduler = EmbeddedScheduler(
        schedule={"sweep": {"task": "t.sweep", "schedule": crontab(minute="*/5"), "kwargs": {"batch": 10}}},
        tasks={"t.sweep": task},
        app=app,
    )
    # when
    runs = [run for now in ticks(T0, minutes=30) for run in scheduler.tick(now)]
    # then: at 10:05, 10:10, … 10:30 — the clock starts with the scheduler, as in celery beat
    assert [run.at.strftime("%H:%M:%S") for run in runs] == [f"10:{m:02d}:00" for m in (5, 10, 15, 20, 25, 30)]
    assert all(run.ok for run in runs)
    assert task.calls == [((), {"batch": 10})] * 6


def test_ticking_twice_at_the_same_instant_runs_a_due_entry_once():
    # given an entry that becomes due at 10:05
    task = FakeTask()
    scheduler = EmbeddedScheduler(
        schedule={"sweep": {"task": "t.sweep", "schedule": crontab(minute="*/5")}}, tasks={"t.sweep": task}, app=app
    )
    scheduler.tick(T0)
    due = T0.replace(minute=5, second=0)
    # when
    first = scheduler.tick(due)
    second = scheduler.tick(due)
    later = scheduler.tick(due + timedelta(minutes=4, seconds=59))
    # then
    assert (len(first), len(second), len(later)) == (1, 0, 0)
    assert len(task.calls) == 1


def test_interval_entries_count_from_the_last_run():
    # given an entry every 300 seconds (a timedelta schedule) and a clock ticking every minute
    task = FakeTask()
    scheduler = EmbeddedScheduler(
        schedule={"every5": {"task": "t.five", "schedule": 300.0, "args": [1]}}, tasks={"t.five": task}, app=app
    )
    # when
    runs = [run for now in ticks(T0, minutes=20, every_seconds=60) for run in scheduler.tick(now)]
    # then
    assert [run.at - T0 for run in runs] == [timedelta(minutes=m) for m in (5, 10, 15, 20)]
    assert task.calls[0] == ((1,), {})


def test_daily_jobs_follow_the_celery_time_zone():
    # given a job at 02:00 every day; the project's Celery time zone is Asia/Shanghai (UTC+8)
    assert str(app.timezone) == "Asia/Shanghai"
    task = FakeTask()
    scheduler = EmbeddedScheduler(
        schedule={"night": {"task": "t.night", "schedule": crontab(hour=2, minute=0)}}, tasks={"t.night": task}, app=app
    )
    start = datetime(2026, 3, 1, 17, 0, tzinfo=UTC)  # 01:00 in Shanghai
    # when
    before = scheduler.tick(start) + scheduler.tick(datetime(2026, 3, 1, 17, 59, 59, tzinfo=UTC))
    at_two = scheduler.tick(datetime(2026, 3, 1, 18, 0, 0, tzinfo=UTC))  # 02:00 in Shanghai
    # then
    assert before == []
    assert len(at_two) == 1


def test_a_failing_job_is_reported_and_does_not_stop_the_others(caplog):
    # given one job whose result failed, one that raises, one unregistered, and one healthy, all every 5 minutes
    failing, raising, healthy = FakeTask(fail=True), FakeTask(boom=True), FakeTask()
    every5 = crontab(minute="*/5")
    scheduler = EmbeddedScheduler(
        schedule={
            "failing": {"task": "t.failing", "schedule": every5},
            "raising": {"task": "t.raising", "schedule": every5},
            "unknown": {"task": "t.unknown", "schedule": every5},
            "healthy": {"task": "t.healthy", "schedule": every5},
        },
        tasks={"t.failing": failing, "t.raising": raising, "t.healthy": healthy},
        app=app,
    )
    # when
    runs = [run for now in ticks(T0, minutes=10, every_seconds=60) for run in scheduler.tick(now)]
    # then: each ran at 10:05 and 10:10 only — a failure is not retried on every tick
    by_entry = {}
    for run in runs:
        by_entry.setdefault(run.entry, []).append(run)
    assert {name: len(r) for name, r in by_entry.items()} == {"failing": 2, "raising": 2, "unknown": 2, "healthy": 2}
    assert [r.ok for r in by_entry["healthy"]] == [True, True]
    assert not any(r.ok for name in ("failing", "raising", "unknown") for r in by_entry[name])
    assert by_entry["unknown"][0].error == "task not registered"
    assert "broker gone" in by_entry["raising"][0].error
    assert "t.unknown is not registered" in caplog.text


def test_the_wait_until_the_next_check_is_bounded():
    # given an entry every 5 minutes
    scheduler = EmbeddedScheduler(
        schedule={"sweep": {"task": "t.sweep", "schedule": crontab(minute="*/5")}},
        tasks={"t.sweep": FakeTask()},
        app=app,
    )
    # when / then: far from due → the longest wait; just before due → the shortest
    scheduler.tick(T0)
    assert scheduler.next_wait == MAX_WAIT
    scheduler.tick(T0.replace(minute=4, second=59, microsecond=900000))
    assert MIN_WAIT <= scheduler.next_wait < 2


def test_run_forever_stops_when_asked():
    # given a scheduler started at T0 and a clock that reads 10:05 and then asks the scheduler to stop
    stop = threading.Event()
    task = FakeTask()
    scheduler = EmbeddedScheduler(
        schedule={"sweep": {"task": "t.sweep", "schedule": crontab(minute="*/5")}}, tasks={"t.sweep": task}, app=app
    )
    scheduler.tick(T0)

    def clock():
        stop.set()
        return T0.replace(minute=5, second=0)

    # when
    thread = threading.Thread(target=scheduler.run_forever, args=(stop,), kwargs={"clock": clock})
    thread.start()
    thread.join(timeout=10)
    # then
    assert not thread.is_alive()
    assert len(task.calls) == 1


@pytest.mark.smoke
def test_every_periodic_job_of_the_project_is_a_registered_task():
    # given the one declaration of periodic jobs (servicecenter/celery.py)
    # when
    scheduler = project_scheduler()
    # then
    assert {entry.name for entry in scheduler.entries} == set(app.conf.beat_schedule)
    unregistered = sorted(entry.task for entry in scheduler.entries if entry.task not in scheduler.tasks)
    assert not unregistered, f"beat_schedule names tasks that do not exist: {unregistered}"
