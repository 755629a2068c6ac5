"""Texts to customers (CustomerMessage: complaint status CMP-11, survey links CB-14): queued in the caller's
transaction, sent after commit, sent once, retried on a transient failure, dead with the reason when they cannot go."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from servicecenter.notifications import channels
from servicecenter.notifications.models import CustomerMessage
from servicecenter.notifications.services import (
    MAX_ATTEMPTS,
    customer_message_attempt,
    customer_messages_retry_due,
    message_customer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean_customer_capture():
    channels.clear_customer_captured()
    yield
    channels.clear_customer_captured()


def test_sent_after_commit_once_with_absolute_link(tree, django_capture_on_commit_callbacks):
    with override_settings(SITE_URL="https://sc.example.org"), django_capture_on_commit_callbacks(execute=True):
        message = message_customer(
            organization=tree["a"],
            phone="138 0013 8000",
            text="您的投诉已受理",
            purpose="complaint_status",
            link="/complaints/status/?number=TS1",
            dedupe_key="k1",
        )
    assert message is not None
    message.refresh_from_db()
    assert message.status == "sent"
    assert channels.customer_captured() == [
        ("138 0013 8000", "您的投诉已受理 https://sc.example.org/complaints/status/?number=TS1")
    ]
    # the same dedupe key again: nothing new
    assert message_customer(organization=tree["a"], phone="1", text="x", purpose="p", dedupe_key="k1") is None
    assert customer_message_attempt(message_id=message.pk, now=timezone.now()) == "skipped"
    assert len(channels.customer_captured()) == 1


def test_rolled_back_business_change_sends_nothing(tree, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message_customer(organization=tree["a"], phone="13800138000", text="x", purpose="p")
    # the callbacks were never run (as after a rollback): nothing went out
    assert callbacks and channels.customer_captured() == []


def test_no_phone_no_message(tree):
    assert message_customer(organization=tree["a"], phone="  ", text="x", purpose="p") is None
    assert not CustomerMessage.objects.exists()


@override_settings(CUSTOMER_MESSAGE_CHANNEL="sms", NOTIFICATION_SMS_GATEWAY_URL="")
def test_unconfigured_gateway_is_dead_with_the_reason(tree):
    message = message_customer(organization=tree["a"], phone="13800138000", text="x", purpose="p")
    assert customer_message_attempt(message_id=message.pk, now=timezone.now()) == "dead"
    message.refresh_from_db()
    assert message.status == "dead" and "短信网关未配置" in message.last_error


def test_transient_failure_is_retried_then_dead(tree, monkeypatch):
    def flaky(*, phone, text):
        raise channels.ChannelError("网关超时")

    monkeypatch.setattr("servicecenter.notifications.services.send_customer_text", flaky)
    message = message_customer(organization=tree["a"], phone="13800138000", text="x", purpose="p")
    now = timezone.now()
    assert customer_message_attempt(message_id=message.pk, now=now) == "retry"
    message.refresh_from_db()
    assert message.status == "failed" and message.next_attempt_at == now + timedelta(minutes=1)
    # not due yet → skipped; due → the sweep re-enqueues it
    assert customer_message_attempt(message_id=message.pk, now=now) == "skipped"
    assert customer_messages_retry_due(now=now + timedelta(minutes=2)) == 1
    for n in range(2, MAX_ATTEMPTS + 1):
        outcome = customer_message_attempt(message_id=message.pk, now=now + timedelta(hours=n))
    assert outcome == "dead"
