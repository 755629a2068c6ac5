"""Leave API (/api/v1/leave/): JSON only, errors as {code, message, fields, clause}, base64 certificates."""

from __future__ import annotations

import base64
import json

import pytest
import time_machine

from servicecenter.leave.models import LeaveRequest

from .conftest import at
from .helpers import PDF, decide, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(at(2026, 12, 1, 8), tick=False):
        yield


def post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


@pytest.mark.smoke
def test_create_list_and_detail(client_for, worker_a, manager_a):
    client = client_for(worker_a)
    response = post(
        client,
        "/api/v1/leave/requests/",
        {"kind": "personal", "start_date": "2026-12-03", "start_half": "pm", "end_date": "2026-12-04",
         "end_half": "am", "reason": "办证"},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["days"], body["status"], body["kind_label"]) == ("1.0", "submitted", "事假")
    assert [s["role_code"] for s in body["steps"]] == ["center_manager"] and body["steps"][0]["assignee"] == "甲经理"
    listing = client.get("/api/v1/leave/requests/").json()
    assert listing["count"] == 1 and listing["results"][0]["id"] == body["id"]
    assert client.get(f"/api/v1/leave/requests/{body['id']}/").json()["reason"] == "办证"


def test_bad_input_gives_the_error_format_and_saves_nothing(client_for, worker_a, manager_a):
    client = client_for(worker_a)
    response = post(
        client, "/api/v1/leave/requests/", {"kind": "personal", "start_date": "2026-12-05", "end_date": "2026-12-03"}
    )
    assert response.status_code == 400
    body = response.json()
    assert "结束时间不能早于开始时间" in body["message"] and "end_date" in body["fields"]
    assert post(client, "/api/v1/leave/requests/", {"kind": "holiday"}).status_code == 400
    form = client.post("/api/v1/leave/requests/", {"kind": "personal"})  # form encoding is refused
    assert form.status_code in (400, 415)
    assert not LeaveRequest.objects.exists()


@pytest.mark.clause("LEV-06")
def test_certificate_as_base64_and_approval(client_for, worker_a, manager_a):
    client = client_for(worker_a)
    leave = post(
        client, "/api/v1/leave/requests/", {"kind": "sick", "start_date": "2026-12-03", "reason": "发烧"}
    ).json()
    url = f"/api/v1/leave/requests/{leave['id']}/certificate/"
    bad = post(client, url, {"filename": "x.png", "content_base64": base64.b64encode(b"not an image").decode()})
    assert bad.status_code == 400 and bad.json()["clause"] == "LEV-06"
    assert post(client, url, {"filename": "x.png", "content_base64": "%%%"}).status_code == 400
    ok = post(client, url, {"filename": "x.png", "content_base64": "data:image/png;base64," + base64.b64encode(
        png_bytes()).decode()})  # fmt: skip
    assert ok.status_code == 201 and ok.json()["content_type"] == "image/png"
    assert decide(LeaveRequest.objects.get(pk=leave["id"]), manager_a).status == "approved"


def test_withdraw_cancel_close(client_for, worker_a, manager_a, ask):
    client = client_for(worker_a)
    leave = ask(worker_a, start=__import__("datetime").date(2026, 12, 3))
    response = post(client, f"/api/v1/leave/requests/{leave.pk}/withdraw/", {})
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    again = post(client, f"/api/v1/leave/requests/{leave.pk}/withdraw/", {})
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    from datetime import date

    approved = decide(ask(worker_a, start=date(2026, 12, 4)), manager_a)
    assert post(client, f"/api/v1/leave/requests/{approved.pk}/cancel/", {"note": "不去了"}).json()["status"] == (
        "cancelled"
    )
    started = decide(ask(worker_a, start=date(2026, 12, 1), now=at(2026, 11, 30)), manager_a)
    with time_machine.travel(at(2026, 12, 1, 16), tick=False):
        closed = post(
            client,
            f"/api/v1/leave/requests/{started.pk}/close/",
            {"actual_return_at": "2026-12-01T14:00:00+08:00", "note": "提前回"},
        )
    assert closed.status_code == 200 and (closed.json()["status"], closed.json()["actual_days"]) == ("closed", "0.5")


def test_register_for_managers_only(client_for, worker_a, manager_a, manager_b, ask):
    from datetime import date

    ask(worker_a, start=date(2026, 12, 3), reason="登记簿可见")
    body = client_for(manager_a).get("/api/v1/leave/register/?month=2026-12").json()
    assert body["count"] == 1 and body["results"][0]["reason"] == "登记簿可见"
    assert client_for(manager_b).get("/api/v1/leave/register/").json()["count"] == 0
    assert client_for(worker_a).get("/api/v1/leave/register/").status_code == 403
    assert client_for(manager_a).get("/api/v1/leave/register/?month=2026-13").status_code == 400


def test_other_peoples_leave_is_not_found(client_for, tree, worker_a, manager_a, manager_b, ask):
    from datetime import date

    leave = ask(worker_a, start=date(2026, 12, 3))
    assert client_for(manager_b).get(f"/api/v1/leave/requests/{leave.pk}/").status_code == 404
    assert post(client_for(manager_b), f"/api/v1/leave/requests/{leave.pk}/withdraw/", {}).status_code == 404
    pdf = base64.b64encode(PDF).decode()
    url = f"/api/v1/leave/requests/{leave.pk}/certificate/"
    assert post(client_for(manager_b), url, {"filename": "a.pdf", "content_base64": pdf}).status_code == 404
