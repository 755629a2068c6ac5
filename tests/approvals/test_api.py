"""/api/v1/approvals/: lists scoped to the user, submit, decide, and the error format (409 on a conflict)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from servicecenter.approvals import services

from .conftest import pending_step

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    def login(staff):
        client = APIClient()
        client.force_authenticate(staff.user)
        return client

    return login


@pytest.mark.smoke
def test_list_and_detail_are_scoped(api, submit, clerk_a, manager_a, manager_b, gm):
    req = submit(clerk_a, title="API 可见性")
    url = reverse("approvals_api:request_list")
    assert [r["title"] for r in api(manager_a).get(url).json()["results"]] == ["API 可见性"]
    assert api(gm).get(url).json()["count"] == 1
    assert api(manager_b).get(url).json()["count"] == 0
    detail = api(clerk_a).get(reverse("approvals_api:request_detail", args=[req.pk])).json()
    assert detail["steps"][0]["assignee_name"] == "甲经理"
    assert detail["route_clause"] == "ORG-05"
    missing = api(manager_b).get(reverse("approvals_api:request_detail", args=[req.pk]))
    assert missing.status_code == 404
    assert set(missing.json()) == {"code", "message", "fields", "clause"}


def test_list_filters(api, submit, clerk_a, manager_a):
    submit(clerk_a, title="甲")
    url = reverse("approvals_api:request_list")
    assert api(manager_a).get(url, {"status": "approved"}).json()["count"] == 0
    assert api(manager_a).get(url, {"status": "pending", "kind": "general"}).json()["count"] == 1
    bad = api(manager_a).get(url, {"status": "nonsense"})
    assert bad.status_code == 400 and bad.json()["fields"] == {"status": ["无效的状态"]}


def test_create_general_request(api, clerk_a, manager_a, gm):
    resp = api(clerk_a).post(
        reverse("approvals_api:request_list"), {"title": "采购", "amount": "2500.5"}, format="json"
    )
    assert resp.status_code == 201, resp.json()
    body = resp.json()
    assert [s["role_code"] for s in body["steps"]] == ["center_manager", "ops_center_gm"]
    assert body["payload"] == {"amount": "2500.50"}
    bad = api(clerk_a).post(reverse("approvals_api:request_list"), {"title": "", "amount": "-1"}, format="json")
    assert bad.status_code == 400 and {"title", "amount"} <= set(bad.json()["fields"])


def test_inbox_lists_steps_awaiting_me(api, submit, clerk_a, manager_a):
    submit(clerk_a, title="收件箱")
    body = api(manager_a).get(reverse("approvals_api:inbox")).json()
    assert [s["request"]["title"] for s in body["results"]] == ["收件箱"]
    assert api(clerk_a).get(reverse("approvals_api:inbox")).json()["count"] == 0


def test_decide_and_conflict_409(api, submit, clerk_a, manager_a):
    step = pending_step(submit(clerk_a))
    url = reverse("approvals_api:step_decide", args=[step.pk])
    ok = api(manager_a).post(url, {"decision": "approve", "comment": "同意"}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    again = api(manager_a).post(url, {"decision": "approve"}, format="json")
    assert again.status_code == 409
    body = again.json()
    assert body["code"] == "conflict" and body["message"].startswith("该审批已由 甲经理 于")
    assert set(body) == {"code", "message", "fields", "clause"}


def test_decide_errors(api, submit, clerk_a, manager_a, admin_a, manager_b):
    step = pending_step(submit(clerk_a))
    url = reverse("approvals_api:step_decide", args=[step.pk])
    no_comment = api(manager_a).post(url, {"decision": "reject"}, format="json")
    assert no_comment.status_code == 400 and "comment" in no_comment.json()["fields"]
    bad = api(manager_a).post(url, {"decision": "maybe"}, format="json")
    assert bad.status_code == 400 and "decision" in bad.json()["fields"]
    # an administrator of the center can see the request but is not its approver
    assert api(admin_a).post(url, {"decision": "approve"}, format="json").status_code == 403
    assert api(manager_b).post(url, {"decision": "approve"}, format="json").status_code == 404
    assert APIClient().post(url, {"decision": "approve"}, format="json").status_code in (401, 403)
    services.request_withdraw(actor=clerk_a.user, request_id=step.request_id)
    gone = api(manager_a).post(url, {"decision": "approve"}, format="json")
    assert gone.status_code == 409 and "撤回" in gone.json()["message"]
