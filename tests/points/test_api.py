"""The points API (/api/v1/points/): the ledger list and filters, an entry, the reversal (201 immediate / 202 request
after the lock, PTS-09), the daily verification (PTS-04), the board (PUB-01), the month and its lock (PTS-09), instant
rewards with Idempotency-Key (PTS-28). Errors in the one format; 403 / 404 / 400 / 409."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.urls import reverse

from servicecenter.points.choices import EntryStatus, MonthStatus, RequestStatus
from servicecenter.points.models import InstantReward, MonthClose, PointEntry

from .conftest import MORNING, approve_pending
from .test_pages import post

pytestmark = pytest.mark.django_db
DAY = MORNING.date()


def _post(client, url, data, **headers):
    return client.post(url, data=json.dumps(data), content_type="application/json", **headers)


@pytest.fixture
def api(client):
    def login(staff):
        client.force_login(staff.user)
        return client

    return login


@pytest.mark.clause("PTS-04")
def test_entries_list_filters_and_query_count(
    tree, api, clerk_a, worker_a, worker_a2, manager_b, django_assert_max_num_queries
):
    for _i in range(5):
        post(tree["a"], worker_a)
    post(tree["a"], worker_a2, day=date(2026, 11, 3), status=EntryStatus.VERIFIED)
    client = api(clerk_a)
    url = reverse("api-points-entries")
    with django_assert_max_num_queries(12):
        body = client.get(url).json()
    assert body["count"] == 6 and body["results"][0]["day"] == "2026-12-01"
    row = body["results"][0]
    assert row["points"] == "2.00" and row["clause"] == "PTS-04" and row["citation"].startswith("依据 PTS-04")
    assert client.get(url, {"staff": worker_a2.pk}).json()["count"] == 1
    assert client.get(url, {"day_from": "2026-11-01", "day_to": "2026-11-30"}).json()["count"] == 1
    assert client.get(url, {"status": "draft", "center": tree["a"].pk}).json()["count"] == 5
    bad = client.get(url, {"status": "bogus", "day_from": "x"})
    assert bad.status_code == 400 and set(bad.json()["fields"]) == {"status", "day_from"}
    assert client.get(url, {"day_from": "2026-12-02", "day_to": "2026-12-01"}).status_code == 400
    assert api(manager_b).get(url, {"center": tree["a"].pk}).status_code == 404
    assert api(manager_b).get(url).json()["count"] == 0
    assert api(worker_a).get(url).status_code == 403


@pytest.mark.clause("PTS-09")
def test_reverse_is_201_when_open_and_202_after_the_lock(tree, api, clerk_a, finance_a, manager_a, worker_a):
    open_entry = post(tree["a"], worker_a)
    client = api(clerk_a)
    resp = _post(client, reverse("api-points-entry-reverse", args=[open_entry.pk]), {"reason": ""})
    assert resp.status_code == 400 and "reason" in resp.json()["fields"]
    resp = _post(client, reverse("api-points-entry-reverse", args=[open_entry.pk]), {"reason": "重复计分"})
    assert resp.status_code == 201 and resp.json()["points"] == "-2.00" and resp.json()["reverses"] == open_entry.pk
    assert client.get(reverse("api-points-entry", args=[open_entry.pk])).json()["reversed_by"] == resp.json()["id"]
    again = _post(client, reverse("api-points-entry-reverse", args=[open_entry.pk]), {"reason": "重复计分"})
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    # November, verified and locked: the finance clerk's reversal is a request for the manager
    nov = post(tree["a"], worker_a, day=date(2026, 11, 5), key="nov", status=EntryStatus.VERIFIED)
    fin = api(finance_a)
    lock = _post(fin, reverse("api-points-month-lock", args=[tree["a"].pk, "2026-11"]), {"note": "无误"})
    assert lock.status_code == 200 and lock.json()["status"] == MonthStatus.LOCKED
    assert lock.json()["locked_by_name"] == finance_a.name
    resp = _post(fin, reverse("api-points-entry-reverse", args=[nov.pk]), {"reason": "工单重复"})
    assert resp.status_code == 202 and resp.json()["status"] == RequestStatus.PENDING
    approve_pending(PointEntry.objects.get(pk=nov.pk).reversal_requests.get().approval, manager_a)
    month = fin.get(reverse("api-points-month", args=[tree["a"].pk, "2026-11"])).json()
    assert [r["reverses"] for r in month["after_lock_reversals"]] == [nov.pk]
    row = next(r for r in month["rows"] if r["staff"] == worker_a.pk)
    assert row["snapshot_total"] == "2.00" and row["total"] == "0.00" and row["changed"] is True


@pytest.mark.clause("PTS-04")
def test_day_verify(tree, api, clerk_a, finance_a, manager_b, worker_a):
    e1, e2 = post(tree["a"], worker_a), post(tree["a"], worker_a)
    url = reverse("api-points-day-verify")
    client = api(clerk_a)
    assert _post(client, url, {"center": tree["a"].pk, "day": "2026-12-02"}).status_code == 400
    missing = _post(client, url, {"center": tree["a"].pk})
    assert missing.status_code == 400 and set(missing.json()["fields"]) == {"day"}
    resp = _post(client, url, {"center": tree["a"].pk, "day": "2026-12-01", "entry_ids": [e1.pk]})
    assert resp.status_code == 200 and resp.json()["verified_count"] == 1 and resp.json()["drafts"] == 1
    again = _post(client, url, {"center": tree["a"].pk, "day": "2026-12-01", "entry_ids": [e1.pk]})
    assert again.status_code == 400 and "已被他人核对" in again.json()["message"]
    assert _post(api(finance_a), url, {"center": tree["a"].pk, "day": "2026-12-01"}).status_code == 403
    assert _post(api(manager_b), url, {"center": tree["a"].pk, "day": "2026-12-01"}).status_code == 404
    resp = _post(api(clerk_a), url, {"center": tree["a"].pk, "day": "2026-12-01"})
    assert resp.json()["drafts"] == 0
    e2.refresh_from_db()
    assert e2.status == EntryStatus.VERIFIED


@pytest.mark.clause("PUB-01")
def test_board_rows(tree, api, clerk_a, worker_a, manager_b):
    post(tree["a"], worker_a, points="3", status=EntryStatus.VERIFIED)
    post(tree["a"], worker_a, points="5")  # a draft does not count
    body = api(worker_a).get(reverse("api-points-board")).json()
    assert body["center"] == tree["a"].pk and body["month"] == "2026-12"
    row = next(r for r in body["rows"] if r["staff"] == worker_a.pk)
    assert (row["day_points"], row["total"], row["name"]) == ("3.00", "3.00", worker_a.name)
    assert set(row) == {"staff", "staff_no", "name", "day_points", "month_work", "auxiliary", "fixed", "total"}
    assert api(clerk_a).get(reverse("api-points-board"), {"month": "2026-13"}).status_code == 400
    bad = api(clerk_a).get(reverse("api-points-board"), {"month": "2026-11", "day": "2026-12-01"})
    assert bad.status_code == 400 and "day" in bad.json()["fields"]
    assert api(manager_b).get(reverse("api-points-board"), {"center": tree["a"].pk}).status_code == 404


@pytest.mark.clause("PTS-09")
def test_month_lock_errors(tree, api, finance_a, clerk_a, worker_a, manager_b):
    post(tree["a"], worker_a, day=date(2026, 11, 5), key="nov")
    url = reverse("api-points-month-lock", args=[tree["a"].pk, "2026-11"])
    resp = _post(api(finance_a), url, {})
    assert resp.status_code == 400 and "未核对" in resp.json()["message"]
    assert _post(api(clerk_a), url, {}).status_code == 403
    assert _post(api(manager_b), url, {}).status_code == 404
    assert api(finance_a).get(reverse("api-points-month", args=[tree["a"].pk, "2026-1x"])).status_code == 404
    month = api(finance_a).get(reverse("api-points-month", args=[tree["a"].pk, "2026-11"])).json()
    assert month["status"] == "open" and month["drafts"] == 1 and month["deadline"] == "2026-12-05"
    assert month["overdue"] is False
    assert not MonthClose.objects.filter(status=MonthStatus.LOCKED).exists()


@pytest.mark.clause("PTS-28")
def test_reward_create_is_idempotent(tree, api, clerk_a, worker_a, manager_a, manager_b):
    url = reverse("api-points-rewards")
    data = {"center": tree["a"].pk, "staff": worker_a.pk, "day": "2026-12-01", "points": "5", "reason": "雨夜抢修"}
    client = api(clerk_a)
    first = _post(client, url, data, HTTP_IDEMPOTENCY_KEY="reward-1")
    assert first.status_code == 201 and first.json()["status"] == "pending", first.json()
    replay = _post(client, url, data, HTTP_IDEMPOTENCY_KEY="reward-1")
    assert replay.status_code == 201 and replay.json()["id"] == first.json()["id"]
    assert InstantReward.objects.count() == 1
    assert _post(client, url, {**data, "reason": "别的"}, HTTP_IDEMPOTENCY_KEY="reward-1").status_code == 422
    resp = _post(client, url, {**data, "points": None})
    assert resp.status_code == 400 and "points" in resp.json()["fields"]
    assert _post(client, url, {**data, "points": "-1"}).status_code == 400
    assert _post(api(manager_b), url, data).status_code == 404
    assert _post(api(worker_a), url, data).status_code == 403
