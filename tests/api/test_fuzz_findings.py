"""Regression tests for what tests/api/test_schema_fuzz.py found: each was a 500 or an answer that did not match the
schema. Deterministic, so a regression shows here even when the fuzzer does not draw the same input again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db

NOT_FOUND = {"code": "not_found", "message": "记录不存在或无权访问", "fields": {}, "clause": ""}


@pytest.fixture
def as_manager(api_world):
    client = Client(HTTP_AUTHORIZATION=f"Token {api_world.tokens['manager']}")
    return client


@pytest.fixture(scope="module")
def components():
    return SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]


@pytest.mark.smoke
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/org/organizations/null,null/",  # was a 500: the id went to the query as text
        "/api/v1/org/staff/abc/",  # same
        "/api/v1/org/role-assignments/1.5/revoke/",  # same
        "/api/v1/approvals/requests/abc/",  # was Django's HTML 404 page under /api/
        "/api/v1/no-such-endpoint/",
    ],
)
def test_a_url_under_api_that_matches_no_route_is_a_json_404(as_manager, path):
    # when
    resp = as_manager.get(path)
    # then
    assert resp.status_code == 404
    assert resp["Content-Type"] == "application/json"
    assert resp.json() == NOT_FOUND


def test_a_page_outside_the_api_stays_the_html_404(as_manager):
    # when
    resp = as_manager.get("/no-such-page/")
    # then
    assert resp.status_code == 404 and resp["Content-Type"].startswith("text/html")


def test_a_role_code_with_a_nul_character_is_refused(as_manager, api_world):
    # given: was a 500 (PostgreSQL cannot compare text with NUL)
    body = {"staff": api_world.clerk.pk, "role": "center\x00manager", "organization": api_world.tree["a"].pk}
    # when
    resp = as_manager.post("/api/v1/org/role-assignments/", body, content_type="application/json")
    # then
    assert resp.status_code == 400
    assert resp.json()["fields"] == {"role": ["角色编码无效"]}


@pytest.mark.parametrize("query", ["q=%00", "kind=a%00b", "status=%00"])
def test_approval_filters_with_a_nul_character_are_refused(as_manager, query):
    # when: ?q= and ?kind= were 500s
    resp = as_manager.get(f"/api/v1/approvals/requests/?{query}")
    # then
    assert resp.status_code == 400
    assert resp.json()["code"] == "invalid"


def test_approval_filters_still_filter(as_manager):
    # when
    found = as_manager.get("/api/v1/approvals/requests/", {"q": "打印机", "kind": "general", "status": "pending"})
    missed = as_manager.get("/api/v1/approvals/requests/", {"q": "不存在的标题"})
    # then
    assert found.json()["count"] == 1 and missed.json()["count"] == 0


@pytest.mark.parametrize("value", ["a\x00b", {"k\x00": 1}, [["\x00"]]])
def test_a_parameter_value_with_a_nul_character_is_refused(as_manager, api_world, value):
    # given: was a 500 (PostgreSQL's jsonb cannot store \u0000)
    body = {
        "organization": api_world.tree["a"].pk,
        "value": value,
        "effective_from": (dt.date.today() + dt.timedelta(days=1)).isoformat(),
        "reason": "测试",
    }
    # when
    resp = as_manager.post(
        "/api/v1/policy/parameters/points.manager_pay_formula/values/", body, content_type="application/json"
    )
    # then
    assert resp.status_code == 400
    assert list(resp.json()["fields"]) == ["value"]


def test_organizations_without_a_center_type_match_the_schema(as_manager, api_world, components):
    # given: a team has no center type (""), which the schema did not allow
    team = api_world.tree["team_a"]
    # when
    resp = as_manager.get(f"/api/v1/org/organizations/{team.pk}/")
    # then
    assert resp.json()["center_type"] == ""
    allowed = components["Organization"]["properties"]["center_type"]["oneOf"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in allowed


def test_an_amount_may_be_a_number_as_the_schema_says(api_world, components):
    # given: DRF's DecimalField takes 2500.5 as well as "2500.5"; the schema said string only
    clerk = Client(HTTP_AUTHORIZATION=f"Token {api_world.tokens['clerk']}")
    # when
    resp = clerk.post(
        "/api/v1/approvals/requests/", {"title": "采购", "amount": 2500.5}, content_type="application/json"
    )
    # then
    assert resp.status_code == 201 and resp.json()["payload"] == {"amount": "2500.50"}
    amount = components["GeneralRequestCreateRequest"]["properties"]["amount"]
    assert {"type": "number", "minimum": 0} in amount["oneOf"]
