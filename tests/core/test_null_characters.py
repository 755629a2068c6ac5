"""A NUL character in a query string or form is a 400, never a 500 (PostgreSQL cannot store or compare it)."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize("url", ["/approvals/?tab=mine&q=a%00b", "/org/staff/?q=x%00", "/policy/?org=1%00"])
def test_pages_refuse_nul_in_the_query(client_for, manager_a, url):
    resp = client_for(manager_a).get(url)
    assert resp.status_code == 400
    assert "空字符" in resp.content.decode()


def test_api_refuses_nul_in_the_query_with_the_error_format(client_for, manager_a):
    resp = client_for(manager_a).get("/api/v1/approvals/requests/?q=a%00b")
    assert resp.status_code == 400
    assert resp.json()["code"] == "invalid"


def test_forms_refuse_nul(client_for, manager_a):
    resp = client_for(manager_a).post(reverse("approvals:request_create"), {"title": "a\x00b"})
    assert resp.status_code == 400
