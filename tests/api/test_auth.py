"""API authentication: a browser session and a DRF token both work; anonymous callers get the error format with
«请先登录»; /api/docs/ renders without loading anything from another host (offline intranet: no CDN)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tests.factories import make_staff

pytestmark = pytest.mark.django_db

INBOX = "/api/v1/approvals/inbox/"
READ_ALL = "/api/v1/notifications/read-all/"
ERROR_KEYS = {"code", "message", "fields", "clause"}
PASSWORD = "pw-Secret-2026"  # tests.factories.make_staff's default


def _signed_in_browser(staff) -> Client:
    """A browser that signed in through the real login form (CSRF enforced, as in production)."""
    browser = Client(enforce_csrf_checks=True)
    browser.get(reverse("login"))
    resp = browser.post(
        reverse("login"),
        {
            "username": staff.user.username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": browser.cookies["csrftoken"].value,
        },
    )
    assert resp.status_code == 302, "login failed"
    return browser


@pytest.mark.smoke
def test_session_auth_reads_the_inbox(api_world):
    # given: the manager signed in on the web pages; the clerk's request waits for them
    browser = _signed_in_browser(api_world.manager)
    # when
    resp = browser.get(INBOX)
    # then
    assert resp.status_code == 200
    assert [step["request"]["title"] for step in resp.json()["results"]] == ["采购打印机一台"]


def test_session_writes_need_the_csrf_token(api_world):
    # given
    browser = _signed_in_browser(api_world.clerk)
    # when: a changing request without, then with, the X-CSRFToken header
    refused = browser.post(READ_ALL, data="{}", content_type="application/json")
    accepted = browser.post(
        READ_ALL, data="{}", content_type="application/json", HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value
    )
    # then
    assert refused.status_code == 403
    assert set(refused.json()) == ERROR_KEYS and refused.json()["code"] == "permission_denied"
    assert accepted.status_code == 200 and accepted.json()["marked"] >= 1


@pytest.mark.smoke
def test_token_auth_reads_the_inbox_without_a_session(api_world):
    # given
    client = Client(enforce_csrf_checks=True)
    header = {"HTTP_AUTHORIZATION": f"Token {api_world.tokens['manager']}"}
    # when
    inbox = client.get(INBOX, **header)
    marked = client.post(READ_ALL, **header)  # a token needs no CSRF token
    # then
    assert inbox.status_code == 200 and inbox.json()["count"] == 1
    assert marked.status_code == 200
    assert "sessionid" not in client.cookies


def test_token_of_another_person_sees_their_own_inbox(api_world):
    # given: the clerk has nothing to approve
    client = Client()
    # when
    resp = client.get(INBOX, HTTP_AUTHORIZATION=f"Token {api_world.tokens['clerk']}")
    # then
    assert resp.status_code == 200 and resp.json()["count"] == 0


def test_drf_create_token_issues_a_working_token(tree):
    # given: a person without a token (docs/api.md: tokens are issued with manage.py drf_create_token)
    staff = make_staff(tree["a"], "center_manager")
    # when
    call_command("drf_create_token", staff.user.username, stdout=open("/dev/null", "w"))  # noqa: SIM115
    key = Token.objects.get(user=staff.user).key
    # then
    assert Client().get(INBOX, HTTP_AUTHORIZATION=f"Token {key}").status_code == 200


@pytest.mark.smoke
@pytest.mark.parametrize("path", [INBOX, "/api/v1/org/staff/", "/api/v1/policy/parameters/"])
def test_anonymous_gets_the_error_format_asking_to_sign_in(client, path):
    # when
    resp = client.get(path)
    # then
    assert resp.status_code in (401, 403)
    assert resp["Content-Type"].startswith("application/json")
    assert resp.json() == {"code": "not_authenticated", "message": "请先登录", "fields": {}, "clause": ""}


def test_a_wrong_token_is_refused_in_the_error_format(api_world):
    # when
    resp = Client().get(INBOX, HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000")
    # then
    assert resp.status_code in (401, 403)
    assert resp.json() == {"code": "authentication_failed", "message": "身份验证失败", "fields": {}, "clause": ""}


def test_a_token_stops_working_when_the_person_leaves(api_world):
    # given: the GM records the clerk's departure
    gm = {"HTTP_AUTHORIZATION": f"Token {api_world.tokens['gm']}"}
    clerk = {"HTTP_AUTHORIZATION": f"Token {api_world.tokens['clerk']}"}
    client = Client()
    assert client.get(INBOX, **clerk).status_code == 200
    # when
    left = client.post(
        f"/api/v1/org/staff/{api_world.clerk.pk}/status/",
        {"status": "left", "on": dt.date.today().isoformat(), "note": "辞职"},
        content_type="application/json",
        **gm,
    )
    # then
    assert left.status_code == 200, left.json()
    assert client.get(INBOX, **clerk).json()["code"] == "authentication_failed"


# --- /api/docs/ -----------------------------------------------------------------------------------------------------

URL_IN_HTML = re.compile(r"""(?:https?:)?//([A-Za-z0-9.\-]+(?::\d+)?)""")


@pytest.mark.smoke
def test_api_docs_page_lists_every_operation(client):
    # when
    resp = client.get("/api/docs/")
    # then
    assert resp.status_code == 200
    html = resp.content.decode()
    for path in ("/api/v1/approvals/inbox/", "/api/v1/org/staff/{id}/status/", "/api/v1/calendar/{org_id}/days/"):
        assert path in html
    assert 'id="v1_approvals_steps_decide_create"' in html
    assert "{code, message, fields, clause}" in html
    assert 'href="/api/schema/"' in html


@pytest.mark.smoke
def test_api_docs_page_loads_nothing_from_another_host(client):
    # given: the site itself, as the test client calls it
    own_host = "testserver"
    # when
    html = client.get("/api/docs/").content.decode()
    # then: no absolute or protocol-relative URL to another host (a CDN would break the offline intranet)
    foreign = sorted({host for host in URL_IN_HTML.findall(html) if host != own_host})
    assert not foreign, f"/api/docs/ refers to other hosts: {foreign}"
    assert "<script" in html and "swagger-ui" not in html.lower() and "redoc" not in html.lower()


def test_the_api_accepts_json_only(api_world):
    # a form-encoded body is refused with 415 in the error format (form encodings would turn "" into null)
    client = Client()
    header = {"HTTP_AUTHORIZATION": f"Token {api_world.tokens['manager']}"}
    resp = client.post("/api/v1/approvals/requests/", data={"title": "表单提交", "amount": ""}, **header)
    assert resp.status_code == 415 and set(resp.json()) == ERROR_KEYS
