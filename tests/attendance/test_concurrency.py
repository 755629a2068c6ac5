"""The morning rush on PostgreSQL: a double tap arriving on two connections at once stores one punch, and two
computations of the same center at once store each result once."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from django.db import connection

from servicecenter.attendance import services
from servicecenter.attendance.models import AttendanceResult, Punch
from tests import factories

from .fakes import at, d8

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def together(calls: list) -> list[str]:
    barrier = threading.Barrier(len(calls))
    results: list[str] = []
    lock = threading.Lock()

    def run(call):
        try:
            barrier.wait(timeout=10)
            outcome = repr(call())
        except Exception as exc:  # noqa: BLE001 - reported below
            outcome = f"error:{exc!r}"
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_double_tap_on_two_connections_stores_one_punch(tree):
    worker = factories.make_staff(tree["team_a"], "service_staff", role_org=tree["a"])
    now = at(date(2026, 3, 10), "08:20")
    for _ in range(3):
        results = together([lambda: services.punch_record(actor=worker.user, kind="in", now=now).duplicate] * 2)
        assert not any(r.startswith("error") for r in results), results
    assert Punch.objects.filter(staff=worker).count() == 1


def test_two_computations_of_one_center_store_each_day_once(tree, roster):
    crew = [factories.make_staff(tree["a"], "service_staff") for _ in range(3)]
    days = [date(2026, 3, 1) + timedelta(days=i) for i in range(10)]
    roster.shifts += [d8(s.pk, d) for s in crew for d in days]
    now = at(date(2026, 3, 20), "09:00")
    results = together(
        [lambda: services.results_compute(organization=tree["a"], start=days[0], end=days[-1], now=now).created] * 2
    )
    assert sorted(results) == ["0", "30"], results  # serialized on the center's row: the second finds them stored
    assert AttendanceResult.objects.count() == 30
