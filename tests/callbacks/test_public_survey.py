"""The customer's survey page `/callbacks/s/<token>/` (no login): what it shows (and never shows), the answer and its
thanks, a second submit (已提交过), an expired (链接已过期, 410, with the hotline) and a tampered link (链接无效, 404),
bad input (400, nothing saved), CSRF, and its query count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client

from servicecenter.callbacks import surveys
from servicecenter.callbacks.models import Opinion, Rating, SurveyInvitation
from servicecenter.policy import services as policy_services

from .conftest import MORNING


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def _link(order) -> str:
    return surveys.survey_path(SurveyInvitation.objects.get(order=order, campaign__isnull=True))


@pytest.fixture
def other_order(tree, clerk_a, worker_a):
    """Another customer of the same center, served the same morning."""
    from .conftest import returned

    return returned(clerk_a, tree["a"], worker_a, customer_name="赵女士", phone="139 8888 7777", address="新华路 9 号")


@pytest.mark.clause("CB-14")
def test_page_shows_the_service_and_no_staff_or_other_customers_data(
    client, returned_order, other_order, worker_a, django_assert_max_num_queries
):
    from servicecenter.org.models import Staff

    Staff.objects.filter(pk=worker_a.pk).update(phone="13712345678")  # the serviceman has a phone on file
    url = _link(returned_order)
    # the invitation with its center and order, the center's chain and parameters (hotline), the first-open mark
    with django_assert_max_num_queries(4):
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    # the center, the service's number and date and kind
    assert returned_order.organization.name in html
    assert returned_order.number in html and "2026-12-01" in html and "报修" in html
    # no staff personal data: not the serviceman's name or phone, nor the clerk's
    assert worker_a.name not in html and "13712345678" not in html and "1234" not in html
    assert "甲内勤" not in html
    # not the customer's address or phone, and nothing of another customer
    assert returned_order.address not in html and "0013" not in html
    assert other_order.number not in html and "赵女士" not in html and "8888" not in html
    # the five levels and the CSRF-protected form
    for label in ("非常满意", "满意", "基本满意", "不满意", "非常不满意"):
        assert label in html
    assert "csrfmiddlewaretoken" in html
    assert response["Cache-Control"] == "no-store" and response["Referrer-Policy"] == "same-origin"
    invitation = SurveyInvitation.objects.get(order=returned_order, campaign__isnull=True)
    assert invitation.opened_at is not None
    with django_assert_max_num_queries(3):  # opened already: no write
        assert client.get(url).status_code == 200


@pytest.mark.clause("CB-14", "CB-13")
def test_submit_thanks_then_the_link_says_already_submitted(client, returned_order):
    url = _link(returned_order)
    client.get(url)
    response = client.post(url, {"level": "2", "tags": ["slow", "unclear"], "solved": "no", "comment": "等了三天"})
    assert response.status_code == 302 and response["Location"] == url
    thanks = client.get(url)
    assert thanks.status_code == 200 and "感谢您的评价" in thanks.content.decode()
    assert "整改" in thanks.content.decode()  # a bad rating: the manager will call back
    rating = Rating.objects.get(order=returned_order)
    assert (rating.level, rating.tags, rating.channel) == (2, ["slow", "unclear"], "survey_link")
    assert Opinion.objects.get(invitation=rating.invitation).kind == "grievance"
    # reopened later (or by someone else): 已提交过
    again = client.get(url)
    assert again.status_code == 200 and "已提交过" in again.content.decode()
    assert Client().get(url).status_code == 200
    # a replayed POST: the same page, nothing more recorded
    replay = client.post(url, {"level": "5"})
    assert replay.status_code == 200 and "已提交过" in replay.content.decode()
    assert Rating.objects.filter(order=returned_order).count() == 1


@pytest.mark.clause("CB-14")
def test_expired_link_shows_the_hotline_with_410(client, returned_order, tree, manager_a):
    policy_services.parameter_set(
        actor=manager_a.user,
        key="callbacks.hotline_number",
        organization=tree["a"],
        value="96345",
        effective_from=MORNING.date(),
        reason="服务热线",
    )
    invitation = SurveyInvitation.objects.get(order=returned_order, campaign__isnull=True)
    import time_machine

    with time_machine.travel(invitation.expires_at + timedelta(minutes=1), tick=False):
        response = client.get(surveys.survey_path(invitation))
        post = client.post(surveys.survey_path(invitation), {"level": "5"})
    assert response.status_code == 410 and post.status_code == 410
    html = response.content.decode()
    assert "链接已过期" in html and "96345" in html
    assert not Rating.objects.exists()


@pytest.mark.clause("CB-14")
@pytest.mark.parametrize("mangle", ["flip", "garbage", "unknown"])
def test_tampered_or_unknown_link_is_invalid_404(client, returned_order, mangle):
    from django.core import signing

    invitation = SurveyInvitation.objects.get(order=returned_order, campaign__isnull=True)
    token = surveys.make_token(invitation)
    if mangle == "flip":
        token = token[:-1] + ("A" if token[-1] != "A" else "B")
    elif mangle == "garbage":
        token = "abc:def:ghi"
    else:
        token = signing.dumps({"n": "f" * 32}, salt=surveys.TOKEN_SALT)
    for response in (client.get(f"/callbacks/s/{token}/"), client.post(f"/callbacks/s/{token}/", {"level": "5"})):
        assert response.status_code == 404
        html = response.content.decode()
        assert "链接无效" in html and returned_order.number not in html
    assert not Rating.objects.exists()
    invitation.refresh_from_db()
    assert invitation.opened_at is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"level": ""}, "请选择评价等级"),
        ({"level": "9"}, "请选择评价等级"),
        ({"level": "5", "tags": ["slow"]}, "所选原因与评价不符"),
        ({"level": "1", "tags": ["tidy"]}, "所选原因与评价不符"),
        ({"level": "4", "comment": "长" * 1001}, "不能超过"),
        ({"level": "4", "solved": "maybe"}, "请选择“是”或“否”"),
    ],
)
def test_bad_input_is_shown_with_the_answers_kept_and_nothing_saved(client, returned_order, data, message):
    url = _link(returned_order)
    response = client.post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    if data.get("level") in ("5", "1"):
        assert f'value="{data["level"]}" autocomplete="off" checked' in html  # the choice is kept
    invitation = SurveyInvitation.objects.get(order=returned_order, campaign__isnull=True)
    assert invitation.answered_at is None and not Rating.objects.exists()


def test_form_needs_csrf(returned_order):
    client = Client(enforce_csrf_checks=True)
    url = _link(returned_order)
    assert client.post(url, {"level": "5"}).status_code == 403
    client.get(url)
    token = client.cookies["csrftoken"].value
    assert client.post(url, {"level": "5", "csrfmiddlewaretoken": token}).status_code == 302
    assert Rating.objects.filter(order=returned_order).exists()


def test_page_works_without_a_session_or_login(returned_order):
    client = Client()
    response = client.post(_link(returned_order), {"level": "5", "tags": ["tidy"], "solved": "yes"})
    assert response.status_code == 302
    assert Rating.objects.get(order=returned_order).tags == ["tidy"]


# --- the short link of printed lists ------------------------------------------------------------------------------


@pytest.mark.clause("CB-14")
def test_short_link_opens_and_answers_like_the_signed_one(client, returned_order):
    invitation = SurveyInvitation.objects.get(order=returned_order, campaign__isnull=True)
    short = surveys.short_path(invitation)
    assert len(short) == len("/callbacks/s//") + 16
    assert client.get(short).status_code == 200
    assert client.post(short, {"level": "4", "tags": ["clear"]}).status_code == 302
    assert Rating.objects.get(order=returned_order).tags == ["clear"]
    assert "感谢您的评价" in client.get(short).content.decode()
    # used: through either form of the link
    assert "已提交过" in client.get(short).content.decode()
    assert "已提交过" in client.get(surveys.survey_path(invitation)).content.decode()


def test_ambiguous_short_code_opens_nothing(client, returned_order, other_order):
    first = SurveyInvitation.objects.get(order=returned_order, campaign__isnull=True)
    second = SurveyInvitation.objects.get(order=other_order, campaign__isnull=True)
    SurveyInvitation.objects.filter(pk=second.pk).update(nonce=first.nonce[:16] + "0" * 16)  # a shared prefix
    assert client.get(surveys.short_path(first)).status_code == 404
    assert client.get(surveys.survey_path(first)).status_code == 200  # the signed link still works


def test_failed_lookups_are_limited_per_address(client, returned_order, settings):
    from servicecenter.callbacks.views import public

    limit, _seconds = public.MISS_LIMIT
    for i in range(limit):
        assert client.get(f"/callbacks/s/{i:016x}/").status_code == 404
    blocked = client.get(f"/callbacks/s/{'f' * 16}/")
    assert blocked.status_code == 429 and "尝试次数过多" in blocked.content.decode()
    # even a good link waits out the window from that address; another address is not affected
    assert client.get(_link(returned_order)).status_code == 429
    assert client.get(_link(returned_order), REMOTE_ADDR="10.1.2.3").status_code == 200
