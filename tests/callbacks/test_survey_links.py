"""CB-14 survey links through the services: a returned order texts its customer a signed, expiring, single-use link;
the answer records the rating (channel survey_link) and a comment as a CB-13 opinion; a second, an expired or a
tampered submit is refused and changes nothing; two submits of one link at once record one answer (PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection

from servicecenter.callbacks import surveys
from servicecenter.callbacks.models import CallbackTask, Opinion, Rating, Rectification, SurveyInvitation
from servicecenter.core.errors import ValidationFailed
from servicecenter.core.models import AuditEvent
from servicecenter.notifications.channels import clear_customer_captured, customer_captured

from .conftest import MORNING


def _invitation(order) -> SurveyInvitation:
    return SurveyInvitation.objects.get(order=order, campaign__isnull=True)


@pytest.mark.clause("CB-14")
def test_returned_order_texts_a_link_valid_seven_days(returned_order, django_capture_on_commit_callbacks):
    # given: the order was returned by the conftest (the hook ran inside that transaction)
    invitation = _invitation(returned_order)
    # then: valid callbacks.survey_link_valid_days (7) from the return, sent by text with the link
    assert invitation.expires_at == returned_order.returned_at + timedelta(days=7)
    assert invitation.channel == "sms" and invitation.sent_at is not None
    token = surveys.make_token(invitation)
    assert surveys.open_link(token).invitation == invitation
    # the hook running again invites nobody twice
    assert surveys.invite_for_returned_order(returned_order) is None
    assert SurveyInvitation.objects.filter(order=returned_order).count() == 1


@pytest.mark.clause("CB-14")
def test_the_text_carries_the_link_after_commit(tree, clerk_a, worker_a, django_capture_on_commit_callbacks):
    from .conftest import returned

    clear_customer_captured()
    with django_capture_on_commit_callbacks(execute=True):
        order = returned(clerk_a, tree["a"], worker_a)
    invitation = _invitation(order)
    texts = [text for phone, text in customer_captured() if surveys.make_token(invitation) in text]
    assert len(texts) == 1
    assert order.number in texts[0] and tree["a"].name in texts[0]


@pytest.mark.clause("CB-14", "CB-13")
def test_answer_records_rating_and_suggestion_once(returned_order, worker_a):
    invitation = _invitation(returned_order)
    token = surveys.make_token(invitation)
    # when: the customer answers 满意 with a good tag and a comment
    result = surveys.survey_answer(
        token, level="4", tags=["efficient", "tidy"], solved="yes", comment="  师傅来得很快  ", now=MORNING
    )
    # then: the answers are on the invitation, the rating on the order, the comment a suggestion (CB-13)
    invitation.refresh_from_db()
    assert invitation.answered_at == MORNING and invitation.opened_at == MORNING
    assert invitation.answers == {"level": 4, "tags": ["efficient", "tidy"], "solved": True, "comment": "师傅来得很快"}
    rating = Rating.objects.get(order=returned_order)
    assert result.rating == rating and not result.bad
    assert (rating.level, rating.channel, rating.invitation_id, rating.staff_id) == (
        4,
        "survey_link",
        invitation.pk,
        worker_a.pk,
    )
    opinion = Opinion.objects.get(invitation=invitation)
    assert (opinion.kind, opinion.source, opinion.staff_id) == ("suggestion", "survey", worker_a.pk)
    assert not Rectification.objects.exists()
    assert AuditEvent.objects.filter(verb="callbacks.survey.answered", clause="CB-14").count() == 1
    # a second submit of the same link: refused, nothing changes
    with pytest.raises(surveys.SurveyAlreadyAnswered):
        surveys.survey_answer(token, level="1", tags=["slow"], comment="再来一次")
    assert Rating.objects.filter(order=returned_order).count() == 1
    assert Opinion.objects.filter(invitation=invitation).count() == 1
    assert surveys.open_link(token).problem == "used"


@pytest.mark.clause("CB-13")
def test_bad_answer_with_comment_is_a_grievance_and_opens_rectification(returned_order):
    token = surveys.make_token(_invitation(returned_order))
    result = surveys.survey_answer(token, level=2, tags=["not_solved"], solved="no", comment="还是没修好")
    assert result.bad
    assert Opinion.objects.get(invitation=result.invitation).kind == "grievance"
    assert Rectification.objects.filter(rating=result.rating).exists()
    assert CallbackTask.objects.filter(order=returned_order, kind="rating").count() == 1


def test_answer_without_comment_makes_no_opinion(returned_order):
    token = surveys.make_token(_invitation(returned_order))
    result = surveys.survey_answer(token, level=5, solved="")
    assert result.opinion is None and result.invitation.answers["solved"] is None
    assert not Opinion.objects.filter(invitation=result.invitation).exists()


@pytest.mark.clause("CB-14")
def test_expired_link_is_refused_and_changes_nothing(returned_order):
    invitation = _invitation(returned_order)
    token = surveys.make_token(invitation)
    later = invitation.expires_at + timedelta(seconds=1)
    assert surveys.open_link(token, now=later).problem == "expired"
    with pytest.raises(surveys.SurveyLinkExpired) as caught:
        surveys.survey_answer(token, level=5, now=later)
    assert caught.value.status_code == 410
    invitation.refresh_from_db()
    assert invitation.answered_at is None and not Rating.objects.exists()


@pytest.mark.clause("CB-14")
@pytest.mark.parametrize("mangle", ["flip", "foreign", "garbage"])
def test_tampered_link_is_invalid(returned_order, mangle):
    from django.core import signing

    invitation = _invitation(returned_order)
    token = surveys.make_token(invitation)
    if mangle == "flip":  # one character of the payload changed: the signature no longer matches
        token = ("A" if token[0] != "A" else "B") + token[1:]
    elif mangle == "foreign":  # a well-signed token of another salt (another feature's signature)
        token = signing.dumps({"n": invitation.nonce}, salt="something.else")
    else:
        token = "not-a-token"
    assert surveys.open_link(token).problem == "tampered"
    with pytest.raises(surveys.SurveyLinkInvalid) as caught:
        surveys.survey_answer(token, level=5)
    assert caught.value.status_code == 404
    assert not Rating.objects.exists()


def test_signed_token_of_unknown_nonce_is_missing(returned_order):
    from django.core import signing

    token = signing.dumps({"n": "0" * 32}, salt=surveys.TOKEN_SALT)
    assert surveys.open_link(token).problem == "missing"
    with pytest.raises(surveys.SurveyLinkInvalid):
        surveys.survey_answer(token, level=5)


@pytest.mark.parametrize(
    ("level", "tags", "comment", "field"),
    [
        ("", [], "", "level"),
        ("6", [], "", "level"),
        ("0", [], "", "level"),
        ("abc", [], "", "level"),
        ("5", ["slow"], "", "tags"),  # a problem tag on 非常满意
        ("2", ["efficient"], "", "tags"),  # a praise tag on 不满意
        ("3", ["efficient"], "", "tags"),  # 基本满意 asks what went wrong
        ("4", ["made_up"], "", "tags"),
        ("4", [], "字" * 1001, "comment"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(returned_order, level, tags, comment, field):
    invitation = _invitation(returned_order)
    with pytest.raises(ValidationFailed) as caught:
        surveys.survey_answer(surveys.make_token(invitation), level=level, tags=tags, comment=comment)
    assert field in caught.value.fields
    invitation.refresh_from_db()
    assert invitation.answered_at is None and not Rating.objects.exists()


def test_solved_must_be_yes_or_no(returned_order):
    with pytest.raises(ValidationFailed) as caught:
        surveys.survey_answer(surveys.make_token(_invitation(returned_order)), level=5, solved="maybe")
    assert "solved" in caught.value.fields


def test_level_three_takes_problem_tags(returned_order):
    result = surveys.survey_answer(surveys.make_token(_invitation(returned_order)), level=3, tags=["slow", "slow"])
    assert result.rating is not None and result.rating.tags == ["slow"]  # duplicates dropped
    assert not result.bad  # 基本满意 is above the bad-rating limit (2)


def test_order_rated_on_site_keeps_the_survey_answer_without_a_second_rating(returned_order, clerk_a):
    surveys.rating_submit(
        order=returned_order, level=5, tags=[], comment="", channel="on_site", actor=clerk_a.user, now=MORNING
    )
    result = surveys.survey_answer(surveys.make_token(_invitation(returned_order)), level=4, comment="不错")
    assert result.rating is None
    assert result.invitation.answers["level"] == 4
    assert Rating.objects.get(order=returned_order).channel == "on_site"
    assert Opinion.objects.filter(invitation=result.invitation, kind="suggestion").exists()


def test_first_open_is_marked_once(returned_order):
    invitation = _invitation(returned_order)
    assert surveys.survey_mark_opened(invitation, now=MORNING) is True
    assert surveys.survey_mark_opened(invitation, now=MORNING + timedelta(hours=1)) is False
    invitation.refresh_from_db()
    assert invitation.opened_at == MORNING


# --- two submits of one link at the same instant (PostgreSQL row lock) ----------------------------------------------


def _race(calls: list) -> list[str]:
    barrier = threading.Barrier(len(calls))
    results: list[str] = []
    lock = threading.Lock()

    def run(call):
        try:
            barrier.wait(timeout=10)
            outcome = call()
        except surveys.SurveyAlreadyAnswered:
            outcome = "answered"
        except Exception as exc:  # noqa: BLE001 - any other outcome fails the test
            outcome = f"error:{exc!r}"
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.postgres
@pytest.mark.clause("CB-14")
@pytest.mark.django_db(transaction=True)
def test_two_submits_of_one_link_at_once_record_one_rating(tree, clerk_a, worker_a, manager_a):
    if connection.vendor != "postgresql":
        pytest.skip("row locking is tested on PostgreSQL (SQLite serialises writers)")
    from .conftest import returned

    for i in range(3):
        order = returned(clerk_a, tree["a"], worker_a, problem=f"并发评价 {i}")
        token = surveys.make_token(_invitation(order))

        def submit(level, token=token):
            def call():
                surveys.survey_answer(token, level=level, tags=["not_solved"], comment=f"并发 {level}")
                return "ok"

            return call

        results = _race([submit(1), submit(2)])
        assert sorted(results) == ["answered", "ok"], results
        assert Rating.objects.filter(order=order).count() == 1
        assert Rectification.objects.filter(rating__order=order).count() == 1
        assert CallbackTask.objects.filter(order=order, kind="rating").count() == 1
        assert Opinion.objects.filter(invitation__order=order).count() == 1
