"""The policy API (/api/v1/policy/): parameters, changes, regulations, the requirement register."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from servicecenter.policy.models import ParameterValue
from servicecenter.policy.registry import PARAMETERS
from servicecenter.policy.services import parameter_set
from servicecenter.policy.values import local_today, value

KEY = "workorders.response_minutes"


def _api(client, user):
    client.force_login(user)
    return client


def _post_value(client, data, key=KEY):
    return client.post(
        reverse("api-policy-parameter-value-create", kwargs={"key": key}), data, content_type="application/json"
    )


@pytest.mark.smoke
def test_parameter_list_returns_every_declared_parameter_for_my_center(seeded, manager_a, client):
    resp = _api(client, manager_a.user).get(reverse("api-policy-parameter-list"))
    assert resp.status_code == 200
    data = resp.json()
    assert data["organization"] == {"id": seeded["a"].pk, "name": seeded["a"].name}
    assert len(data["results"]) == len(PARAMETERS)
    row = next(r for r in data["results"] if r["key"] == KEY)
    assert row["value"] == 30 and row["source"] == "default" and row["citation"].startswith("依据 WO-03")
    late = next(r for r in data["results"] if r["key"] == "points.deduction.late")
    assert late["is_set"] is False and late["value"] is None


def test_parameter_list_for_another_org_on_a_date(seeded, gm, manager_a, client):
    resp = _api(client, gm.user).get(reverse("api-policy-parameter-list"), {"org": seeded["b"].pk, "at": "2026-06-01"})
    data = resp.json()
    hours = next(r for r in data["results"] if r["key"] == "attendance.business_hours")
    assert data["at"] == "2026-06-01" and hours["source"] == "preset" and hours["preset_source"] == "D19"
    client.force_login(manager_a.user)
    assert client.get(reverse("api-policy-parameter-list"), {"org": seeded["b"].pk}).status_code == 404
    resp = client.get(reverse("api-policy-parameter-list"), {"at": "2026-13-01"})
    assert resp.status_code == 400 and resp.json()["fields"] == {"at": ["日期格式应为 YYYY-MM-DD"]}


def test_parameter_detail_with_history_and_schedule(seeded, manager_a, client):
    today = local_today()
    parameter_set(actor=manager_a, key=KEY, organization=seeded["a"], value=20, effective_from=today, reason="现在")
    parameter_set(
        actor=manager_a,
        key=KEY,
        organization=seeded["a"],
        value=25,
        effective_from=today + timedelta(10),
        reason="以后",
    )
    resp = _api(client, manager_a.user).get(reverse("api-policy-parameter-detail", kwargs={"key": KEY}))
    data = resp.json()
    assert resp.status_code == 200 and data["spec"]["default"] == 30 and data["spec"]["unit"] == "分钟"
    assert data["value"]["value"] == 20 and data["value"]["set_by_name"] == "甲经理" and data["can_set"] is True
    assert [(h["value"], h["status"]) for h in data["history"]] == [(25, "scheduled"), (20, "in_force")]
    assert [s["reason"] for s in data["scheduled"]] == ["以后"]
    assert client.get(reverse("api-policy-parameter-detail", kwargs={"key": "no.such"})).status_code == 404


def test_post_a_value_as_json_or_text(seeded, manager_a, client):
    client = _api(client, manager_a.user)
    today = local_today().isoformat()
    resp = _post_value(client, {"organization": seeded["a"].pk, "value": 45, "effective_from": today, "reason": "x"})
    assert resp.status_code == 201 and resp.json()["value"]["value"] == 45 and resp.json()["row"]["set_by"] == "甲经理"
    resp = _post_value(
        client,
        {"organization": seeded["a"].pk, "text": "08:00-12:00, 13:00-17:00", "effective_from": today, "reason": "x"},
        key="attendance.business_hours",
    )
    assert resp.status_code == 201
    assert value("attendance.business_hours", org=seeded["a"]).value == [["08:00", "12:00"], ["13:00", "17:00"]]
    resp = _post_value(
        client, {"organization": seeded["a"].pk, "inherit": True, "effective_from": today, "reason": "x"}
    )
    assert resp.status_code == 201 and resp.json()["row"]["inherit"] is True
    assert value(KEY, org=seeded["a"]).value == 30


def test_post_errors_are_400_with_code_fields_and_clause(seeded, manager_a, client):
    client = _api(client, manager_a.user)
    today = local_today()

    def payload(**fields):
        return {"organization": seeded["a"].pk, "effective_from": today.isoformat(), "reason": "x", **fields}

    resp = _post_value(client, payload(value=45, effective_from=(today - timedelta(days=1)).isoformat()))
    body = resp.json()
    assert resp.status_code == 400 and body["code"] == "backdating_refused" and body["clause"] == "WO-03"
    assert "effective_from" in body["fields"]
    resp = _post_value(client, payload(value="45"))
    assert resp.status_code == 400 and resp.json()["fields"] == {"value": ["应为整数"]}
    resp = _post_value(client, payload(text="abc"))
    assert resp.status_code == 400 and resp.json()["fields"] == {"text": ["请输入整数"]}
    resp = _post_value(client, payload())
    assert resp.status_code == 400 and resp.json()["code"] == "invalid"
    resp = _post_value(client, payload(value=30))
    assert resp.status_code == 400 and resp.json()["code"] == "no_change"
    assert not ParameterValue.objects.exists()


def test_post_without_permission(seeded, clerk_a, manager_b, gm, client):
    data = {"organization": seeded["a"].pk, "value": 45, "effective_from": local_today().isoformat(), "reason": "x"}
    assert _post_value(_api(client, clerk_a.user), data).status_code == 403  # visible, not allowed
    assert _post_value(_api(client, manager_b.user), data).status_code == 404  # another center: not found
    assert _post_value(_api(client, gm.user), {**data, "organization": None}).status_code == 404
    client.logout()
    assert _post_value(client, data).status_code in (401, 403)
    assert not ParameterValue.objects.exists()


def test_regulations_are_scoped(seeded, manager_a, manager_b, client):
    client = _api(client, manager_a.user)
    titles = [r["title"] for r in client.get(reverse("api-policy-regulation-list")).json()["results"]]
    assert titles == ["服务中心管理制度（服务站）"]
    mine = seeded["a"].regulations.get()
    resp = client.get(reverse("api-policy-regulation-detail", kwargs={"pk": mine.pk}))
    assert resp.status_code == 200 and len(resp.json()["clauses"]) == 12
    assert resp.json()["clauses"][1]["citation"].startswith("依据《服务中心管理制度（服务站）》1")
    other = seeded["b"].regulations.get()
    assert client.get(reverse("api-policy-regulation-detail", kwargs={"pk": other.pk})).status_code == 404
    client.force_login(manager_b.user)
    titles = [r["title"] for r in client.get(reverse("api-policy-regulation-list")).json()["results"]]
    assert titles == ["政务服务中心管理制度"]


def test_requirement_register(seeded, manager_a, client):
    resp = _api(client, manager_a.user).get(reverse("api-policy-requirement-list"))
    items = {r["id"]: r for r in resp.json()["results"]}
    assert "servicecenter.policy.values.value" in items["ORG-21"]["implemented_by"]
    assert items["C-14"]["implemented_by"] == ["servicecenter.policy.seed.corrected_text"]
    assert "attendance.business_hours" in items["C-01"]["parameters"]
    clauses = items["ORG-04"]["clauses"]
    assert [(c["regulation"], c["number"]) for c in clauses] == [("《服务中心管理制度（服务站）》", "二、1")]
