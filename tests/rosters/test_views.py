"""Pages and API of the rosters app."""

from __future__ import annotations

import json

import pytest

from servicecenter.rosters import services
from servicecenter.rosters.models import RosterEntry

from .conftest import MONTH


@pytest.mark.smoke
def test_editor_cell_cycles_and_updates_conflicts(station, manager_a, crew, frozen, client_for):
    draft = services.roster_open_draft(actor=manager_a.user, organization=station, month=MONTH)
    client = client_for(manager_a)
    page = client.get(f"/rosters/center/{station.pk}/2026/3/edit/")
    assert page.status_code == 200 and "生成排班建议" in page.content.decode()
    resp = client.post(
        f"/rosters/roster/{draft.pk}/cell/",
        {"staff": crew[0].pk, "day": "2026-03-02", "current": ""},
        HTTP_HX_REQUEST="true",
    )
    body = resp.content.decode()
    assert resp.status_code == 200 and 'hx-swap-oob="true"' in body and "ATT-02" in body
    assert RosterEntry.objects.get(roster=draft, staff=crew[0]).shift.code == "EARLY"


def test_propose_and_publish_pages(station, manager_a, crew, frozen, client_for, django_assert_max_num_queries):
    draft = services.roster_open_draft(actor=manager_a.user, organization=station, month=MONTH)
    client = client_for(manager_a)
    assert client.post(f"/rosters/roster/{draft.pk}/propose/").status_code == 302
    refused = client.post(f"/rosters/roster/{draft.pk}/publish/", follow=True)
    assert "确认后发布" in refused.content.decode() or "已发布" in refused.content.decode()
    client.post(f"/rosters/roster/{draft.pk}/publish/", {"confirm": "1"})
    with django_assert_max_num_queries(40):
        page = client.get(f"/rosters/center/{station.pk}/2026/3/")
    assert page.status_code == 200 and "A4 landscape" in page.content.decode()


def test_api_roster_and_my_shifts(published, crew, client_for):
    client = client_for(crew[0])
    data = client.get(f"/api/v1/rosters/centers/{published.organization_id}/2026/3/").json()
    assert data["version"] == 1 and len(data["entries"]) == 31 * (len(crew) + 1)  # the manager is on the roster too
    mine = client.get("/api/v1/rosters/my-shifts/?start=2026-03-01&end=2026-03-31").json()
    assert len(mine) == 31
    bad = client.get("/api/v1/rosters/my-shifts/?start=2026-13-01")
    assert bad.status_code == 400 and "日期" in bad.json()["message"]
    resp = client.post(
        "/api/v1/rosters/swaps/",
        data=json.dumps({"counterpart": 999999, "requester_day": "2026-03-05", "reason": "x"}),
        content_type="application/json",
    )
    assert resp.status_code == 404


def test_template_form_errors_and_save(station, manager_a, client_for):
    client = client_for(manager_a)
    url = f"/rosters/center/{station.pk}/templates/"
    bad = client.post(url, {"code": "NIGHT", "label": "夜班", "periods": "8点到9点", "rank": 10})
    assert bad.status_code == 200 and "时间应为 HH:MM" in bad.content.decode()
    ok = client.post(url, {"code": "night", "label": "夜班", "periods": "20:00-08:00", "rank": 10, "is_active": "on"})
    assert ok.status_code == 302
    page = client.get(url).content.decode()
    assert "NIGHT" in page and "20:00–08:00" in page and "ATT-07" in page  # 12 h ≠ 8 h: flagged


def test_swap_flow_pages(published, crew, client_for, manager_a):
    entries = {(e.staff_id, e.day): e.shift_id for e in published.entries.all()}
    day = next(
        d
        for d in (published.month.replace(day=n) for n in range(1, 32))
        if entries[(crew[0].pk, d)] != entries[(crew[1].pk, d)]
    )
    client = client_for(crew[0])
    empty = client.post("/rosters/swaps/", {"counterpart": crew[1].pk, "requester_day": day.isoformat()})
    assert empty.status_code == 200 and "invalid-feedback" in empty.content.decode()
    resp = client.post(
        "/rosters/swaps/", {"counterpart": crew[1].pk, "requester_day": day.isoformat(), "reason": "看病"}
    )
    assert resp.status_code == 302
    detail = resp["Location"]
    client = client_for(crew[1])
    assert "同意并提交审批" in client.get(detail).content.decode()
    client.post(detail + "accept/")
    assert "待审批" in client.get(detail).content.decode()


def test_handover_and_on_call_pages(station, manager_a, crew, frozen, client_for):
    client = client_for(crew[0])
    bad = client.post("/rosters/handovers/", {"to_staff": crew[1].pk, "day": "2026-02-20"})
    assert bad.status_code == 200 and "请至少填写一项交接内容" in bad.content.decode()
    client.post("/rosters/handovers/", {"to_staff": crew[1].pk, "day": "2026-02-20", "incidents": "停电 10 分钟"})
    client = client_for(crew[1])
    page = client.get("/rosters/handovers/").content.decode()
    assert "停电 10 分钟" in page and "确认接班" in page
    client = client_for(manager_a)
    url = f"/rosters/center/{station.pk}/on-call/"
    bad = client.post(url, {"staff": crew[0].pk, "day": "2026-02-21", "mobile": "不是号码"})
    assert bad.status_code == 200 and "请填写有效的值班手机号" in bad.content.decode()
    assert client.post(url, {"staff": crew[0].pk, "day": "2026-02-21", "mobile": "13812345678"}).status_code == 302
    assert "13812345678" in client_for(crew[2]).get(url).content.decode()


def test_stale_click_does_not_overwrite_another_managers_change(station, manager_a, crew, frozen, client_for):
    draft = services.roster_open_draft(actor=manager_a.user, organization=station, month=MONTH)
    services.roster_set_cell(actor=manager_a.user, roster_id=draft.pk, staff_id=crew[0].pk, day=MONTH, value="LATE")
    client = client_for(manager_a)
    resp = client.post(
        f"/rosters/roster/{draft.pk}/cell/",
        {"staff": crew[0].pk, "day": MONTH.isoformat(), "current": ""},  # the page still showed an empty cell
        HTTP_HX_REQUEST="true",
    )
    assert resp.status_code == 200 and "已被他人改为「晚班」" in resp.content.decode()
    assert RosterEntry.objects.get(roster=draft, staff=crew[0], day=MONTH).shift.code == "LATE"
    assert 'data-code="LATE"' in resp.content.decode()
