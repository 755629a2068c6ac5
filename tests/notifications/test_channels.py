"""Channel adapters against a local HTTP server (SMS gateway, WeCom and DingTalk robots) and Django's mail outbox."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.test import override_settings

from servicecenter.notifications import channels
from servicecenter.notifications.channels import ChannelError, ChannelUnavailable
from servicecenter.notifications.models import Notification

pytestmark = pytest.mark.django_db


class Gateway:
    """A local HTTP endpoint recording POSTed JSON and answering with `status` and `reply`."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict]] = []
        self.status = 200
        self.reply: dict = {"errcode": 0, "errmsg": "ok"}
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server API
                length = int(self.headers.get("Content-Length", "0"))
                gateway.requests.append((self.path, json.loads(self.rfile.read(length).decode("utf-8"))))
                body = json.dumps(gateway.reply).encode()
                self.send_response(gateway.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send?key=abc"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway():
    gw = Gateway()
    yield gw
    gw.close()


@pytest.fixture
def notification(manager_a):
    manager_a.phone = "13800001111"
    manager_a.save(update_fields=["phone"])
    manager_a.user.email = "manager@example.com"
    manager_a.user.save(update_fields=["email"])
    return Notification.objects.create(
        recipient=manager_a.user, verb="test.sent", title="请审批", body="张三请假 1 天", link="/approvals/9/"
    )


def test_registry_knows_every_adapter():
    assert {"capture", "email", "sms", "wecom", "dingtalk"} <= set(channels.REGISTRY)
    with pytest.raises(ChannelUnavailable):
        channels.get_channel("fax")


def test_capture_records_and_clears(notification):
    # when
    channels.get_channel("capture").send(notification)

    # then
    [message] = channels.captured()
    assert (message.title, message.link, message.verb) == ("请审批", "/approvals/9/", "test.sent")
    channels.clear_captured()
    assert channels.captured() == []


def test_email_goes_to_the_account_address(notification):
    # when
    channels.get_channel("email").send(notification)

    # then
    [message] = mail.outbox
    assert message.to == ["manager@example.com"]
    assert message.subject == "请审批"
    assert "张三请假 1 天" in message.body
    assert "/approvals/9/" in message.body


@override_settings(SITE_URL="https://sc.example.cn/")
def test_relative_links_become_absolute_with_site_url(notification):
    assert channels.message_text(notification).endswith("https://sc.example.cn/approvals/9/")


def test_email_server_error_is_transient(notification, monkeypatch):
    # given
    import smtplib

    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr(channels, "send_mail", refuse)

    # when / then
    with pytest.raises(ChannelError) as info:
        channels.get_channel("email").send(notification)
    assert not isinstance(info.value, ChannelUnavailable)


def test_sms_posts_phone_and_text_to_the_gateway(notification, gateway):
    # when
    with override_settings(NOTIFICATION_SMS_GATEWAY_URL=gateway.url):
        channels.get_channel("sms").send(notification)

    # then
    [(path, payload)] = gateway.requests
    assert path == "/send?key=abc"
    assert payload == {"phone": "13800001111", "message": "请审批\n张三请假 1 天\n/approvals/9/"}


def test_sms_without_phone_is_permanent(notification, gateway, manager_a):
    # given
    manager_a.phone = ""
    manager_a.save(update_fields=["phone"])
    notification.recipient.refresh_from_db()

    # when / then
    with override_settings(NOTIFICATION_SMS_GATEWAY_URL=gateway.url), pytest.raises(ChannelUnavailable):
        channels.get_channel("sms").send(Notification.objects.get(pk=notification.pk))
    assert gateway.requests == []


@pytest.mark.parametrize(("status", "permanent"), [(500, False), (503, False), (429, False), (400, True), (404, True)])
def test_gateway_http_errors(notification, gateway, status, permanent):
    # given
    gateway.status = status

    # when
    with override_settings(NOTIFICATION_SMS_GATEWAY_URL=gateway.url), pytest.raises(ChannelError) as info:
        channels.get_channel("sms").send(notification)

    # then
    assert isinstance(info.value, ChannelUnavailable) is permanent
    assert str(status) in str(info.value)


def test_unreachable_gateway_is_transient(notification, gateway):
    # given: nothing listens there any more
    url = gateway.url
    gateway.close()

    # when / then
    with override_settings(NOTIFICATION_SMS_GATEWAY_URL=url), pytest.raises(ChannelError) as info:
        channels.get_channel("sms").send(notification)
    assert not isinstance(info.value, ChannelUnavailable)


@pytest.mark.parametrize(
    ("code", "setting"),
    [
        ("sms", "NOTIFICATION_SMS_GATEWAY_URL"),
        ("wecom", "NOTIFICATION_WECOM_WEBHOOK_URL"),
        ("dingtalk", "NOTIFICATION_DINGTALK_WEBHOOK_URL"),
    ],
)
def test_unconfigured_channel_is_permanent_with_a_clear_reason(notification, code, setting):
    with override_settings(**{setting: ""}), pytest.raises(ChannelUnavailable) as info:
        channels.get_channel(code).send(notification)
    assert setting in str(info.value)


def test_wecom_sends_a_text_message_mentioning_the_recipient(notification, gateway):
    # when
    with override_settings(NOTIFICATION_WECOM_WEBHOOK_URL=gateway.url):
        channels.get_channel("wecom").send(notification)

    # then
    [(_, payload)] = gateway.requests
    assert payload == {
        "msgtype": "text",
        "text": {"content": "请审批\n张三请假 1 天\n/approvals/9/", "mentioned_mobile_list": ["13800001111"]},
    }


@pytest.mark.parametrize(("errcode", "permanent"), [(45009, False), (-1, False), (93000, True)])
def test_wecom_error_codes(notification, gateway, errcode, permanent):
    # given: WeCom answers HTTP 200 with an errcode
    gateway.reply = {"errcode": errcode, "errmsg": "err"}

    # when
    with override_settings(NOTIFICATION_WECOM_WEBHOOK_URL=gateway.url), pytest.raises(ChannelError) as info:
        channels.get_channel("wecom").send(notification)

    # then
    assert isinstance(info.value, ChannelUnavailable) is permanent
    assert str(errcode) in str(info.value)


def test_dingtalk_sends_a_text_message_with_at_mobiles(notification, gateway):
    # when
    with override_settings(NOTIFICATION_DINGTALK_WEBHOOK_URL=gateway.url):
        channels.get_channel("dingtalk").send(notification)

    # then
    [(path, payload)] = gateway.requests
    assert path == "/send?key=abc"
    assert payload == {
        "msgtype": "text",
        "text": {"content": "请审批\n张三请假 1 天\n/approvals/9/\n@13800001111"},
        "at": {"atMobiles": ["13800001111"]},
    }


def test_dingtalk_signs_the_url_with_the_secret(notification, gateway):
    # when
    with override_settings(NOTIFICATION_DINGTALK_WEBHOOK_URL=gateway.url, NOTIFICATION_DINGTALK_SECRET="SECabc"):
        channels.get_channel("dingtalk").send(notification)

    # then: sign = base64(HmacSHA256(secret, "timestamp\nsecret"))
    [(path, _)] = gateway.requests
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    timestamp = query["timestamp"][0]
    expected = base64.b64encode(hmac.new(b"SECabc", f"{timestamp}\nSECabc".encode(), hashlib.sha256).digest())
    assert query["sign"] == [expected.decode()]
    assert query["key"] == ["abc"]


def test_dingtalk_rate_limit_is_transient(notification, gateway):
    # given
    gateway.reply = {"errcode": 130101, "errmsg": "send too fast"}

    # when / then
    with override_settings(NOTIFICATION_DINGTALK_WEBHOOK_URL=gateway.url), pytest.raises(ChannelError) as info:
        channels.get_channel("dingtalk").send(notification)
    assert not isinstance(info.value, ChannelUnavailable)
