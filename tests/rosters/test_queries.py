"""Hot pages answer in a bounded number of queries (no query per cell)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from servicecenter.rosters import services
from tests import factories

from .conftest import MONTH


def _count(client, url, method="get", data=None):
    with CaptureQueriesContext(connection) as ctx:
        resp = getattr(client, method)(url, data or {})
    assert resp.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_editor_and_cell_queries(station, manager_a, crew, frozen, client_for):
    draft = services.roster_open_draft(actor=manager_a.user, organization=station, month=MONTH)
    services.roster_propose(actor=manager_a.user, roster_id=draft.pk)
    client = client_for(manager_a)
    url = f"/rosters/center/{station.pk}/2026/3/edit/"
    cell = {"staff": crew[0].pk, "day": "2026-03-03", "current": ""}
    small = (_count(client, url), _count(client, f"/rosters/roster/{draft.pk}/cell/", "post", cell))
    for i in range(10):
        factories.make_staff(station, "service_staff", name=f"新人{i}")
    large = (_count(client, url), _count(client, f"/rosters/roster/{draft.pk}/cell/", "post", cell))
    assert large == small, (small, large)
