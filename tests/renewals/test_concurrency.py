"""Races on PostgreSQL with real threads: two people saving the same row (one wins, the other is told who saved,
409 on the page), and two month-end settlements at once (each entry written once)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from servicecenter.points import services as points_services
from servicecenter.points.models import PointEntry
from servicecenter.renewals import services
from servicecenter.renewals.models import RenewalCall
from tests.workorders.test_concurrency import race

from .conftest import AFTER, MONTH, NOW, add_rows, record


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locking is tested on PostgreSQL (SQLite serialises writers)")


def _save(user, row_id, outcome, version):
    def call():
        services.outcome_record(actor=user, row_id=row_id, outcome=outcome, version=version, now=NOW)
        return "ok"

    return call


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_save_the_same_row_one_wins(tree, specialist_a, manager_a):
    for i in range(3):
        (row,) = add_rows(tree["a"], n=1, assignee=specialist_a, prefix=f"R{i}")
        results = race([_save(specialist_a.user, row.pk, "renewed", 1), _save(manager_a.user, row.pk, "refused", 1)])
        assert sorted(r.split(":")[0] for r in results) == ["conflict", "ok"], results
        row.refresh_from_db()
        winner = "甲续费" if row.outcome == "renewed" else "甲经理"
        assert f"已由 {winner} 登记" in next(r for r in results if r.startswith("conflict:"))
        assert row.version == 2 and RenewalCall.objects.filter(row=row).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_saves_through_the_page_one_gets_409(tree, specialist_a, manager_a):
    (row,) = add_rows(tree["a"], n=1, assignee=specialist_a)

    def press(user, outcome):
        def call():
            client = Client()
            client.force_login(user)
            return str(client.post(f"/renewals/rows/{row.pk}/", {"outcome": outcome, "version": 1}).status_code)

        return call

    import time_machine

    with time_machine.travel(NOW, tick=True):
        results = race([press(specialist_a.user, "renewed"), press(manager_a.user, "refused")])
    assert sorted(results) == ["302", "409"], results


@pytest.mark.postgres
@pytest.mark.clause("PTS-18")
@pytest.mark.django_db(transaction=True)
def test_two_month_settlements_at_once_post_each_entry_once(tree, specialist_a):
    rows = add_rows(tree["a"], n=10, assignee=specialist_a, tier="6.0")
    for row in rows[:7]:
        record(specialist_a, row, "renewed")
    record(specialist_a, rows[7], "downgraded", "3.0")

    def settle():
        return str(points_services.month_settle(organization=tree["a"], month=MONTH, now=AFTER))

    results = race([settle, settle])
    assert not [r for r in results if r.startswith("error")], results
    entries = PointEntry.objects.filter(staff=specialist_a)
    assert entries.filter(source="renewal").count() == 1 and entries.filter(source="conversion").count() == 1
    assert entries.get(source="renewal").points == 8 * (80 - 58)
