"""The renewals API: the list (scoped, masked, paginated), recording (400/404/409), the month result."""

from __future__ import annotations

import json

import pytest
import time_machine

from .conftest import NOW, add_rows, record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_the_month():
    with time_machine.travel(NOW, tick=False):
        yield


def test_list_is_scoped_and_paginated(tree, specialist_a, specialist_a2, client_for):
    add_rows(tree["a"], n=3, assignee=specialist_a)
    add_rows(tree["a"], n=2, assignee=specialist_a2, prefix="X")
    data = client_for(specialist_a).get("/api/v1/renewals/rows/?page_size=2").json()
    assert data["count"] == 3 and len(data["results"]) == 2 and data["next"]
    assert data["results"][0]["phone"] == "13912345678"


def test_record_outcome_and_errors(tree, specialist_a, specialist_a2, client_for):
    (row,) = add_rows(tree["a"], n=1, assignee=specialist_a, tier="6.0")
    client = client_for(specialist_a)
    url = f"/api/v1/renewals/rows/{row.pk}/outcome/"
    ok = client.post(
        url, json.dumps({"outcome": "downgraded", "new_tier": "3.0", "version": 1}), content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["outcome"] == "downgraded" and ok.json()["version"] == 2
    stale = client.post(url, json.dumps({"outcome": "renewed", "version": 1}), content_type="application/json")
    assert stale.status_code == 409 and "已由 甲续费 登记" in stale.json()["message"]
    bad = client.post(url, json.dumps({"outcome": "upgraded", "new_tier": "3.0"}), content_type="application/json")
    assert bad.status_code == 400 and bad.json()["clause"] == "CB-11"
    other = client_for(specialist_a2).post(url, json.dumps({"outcome": "renewed"}), content_type="application/json")
    assert other.status_code == 404


def test_result(tree, specialist_a, manager_a, client_for):
    rows = add_rows(tree["a"], n=4, assignee=specialist_a)
    for row in rows[:3]:
        record(specialist_a, row, "renewed")
    data = client_for(manager_a).get("/api/v1/renewals/result/?month=2026-11").json()
    (line,) = data["results"]
    assert line["rate_pct"] == "75.0" and line["points"] == "136.00" and line["target_met"] is True
    assert client_for(manager_a).get("/api/v1/renewals/result/?month=11").status_code == 400
