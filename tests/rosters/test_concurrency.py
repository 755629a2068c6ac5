"""Two managers publishing the same draft at the same instant: one publication, the other told who won."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from servicecenter.core.errors import Conflict
from servicecenter.core.models import AuditEvent
from servicecenter.rosters import services
from servicecenter.rosters.models import Roster
from tests import factories

from .conftest import MONTH

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_one_publication_wins(station, manager_a, frozen):
    deputy = factories.make_staff(station, "center_manager", name="甲副经理")
    draft = services.roster_open_draft(actor=manager_a.user, organization=station, month=MONTH)
    services.roster_propose(actor=manager_a.user, roster_id=draft.pk)
    barrier = threading.Barrier(2)
    results: list[str] = []
    lock = threading.Lock()

    def run(user):
        try:
            barrier.wait(timeout=10)
            services.roster_publish(actor=user, roster_id=draft.pk, confirm_warnings=True)
            outcome = "ok"
        except Conflict as exc:
            outcome = f"conflict:{exc.message}"
        except Exception as exc:  # noqa: BLE001
            outcome = f"error:{exc!r}"
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(u,)) for u in (manager_a.user, deputy.user)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(r.split(":")[0] for r in results) == ["conflict", "ok"], results
    loser = next(r for r in results if r.startswith("conflict:"))
    assert "已由" in loser and "发布" in loser
    assert Roster.objects.filter(organization=station, month=MONTH, status="published").count() == 1
    assert AuditEvent.objects.filter(verb="rosters.roster.published").count() == 1
