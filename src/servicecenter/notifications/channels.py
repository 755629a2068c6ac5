"""Channel adapters: how a notification reaches a person outside the inbox (DESIGN.md §2.8).

A channel is an object with a `code` and `send(notification) -> None`. `send` raises `ChannelError` for a
transient failure (network, gateway 5xx, rate limit: worth retrying) and `ChannelUnavailable` for a permanent one
(channel not configured, recipient without e-mail or phone: retrying cannot help). Register new adapters with
`register()`; enable them by code in settings.NOTIFICATION_CHANNELS (docs/notifications.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.core.mail import send_mail

if TYPE_CHECKING:
    from .models import Notification

HTTP_TIMEOUT_SECONDS = 5


class ChannelError(Exception):
    """A transient failure: the delivery is retried later."""


class ChannelUnavailable(ChannelError):
    """A permanent failure (not configured, no address for the recipient): the delivery is given up at once."""


class Channel(Protocol):
    code: str

    def send(self, notification: Notification) -> None: ...


REGISTRY: dict[str, Channel] = {}


def register(channel: Channel) -> Channel:
    """Make `channel` available under its code (later registrations replace earlier ones)."""
    REGISTRY[channel.code] = channel
    return channel


def get_channel(code: str) -> Channel:
    """The adapter registered for `code`; an unknown code is a permanent failure of that delivery."""
    try:
        return REGISTRY[code]
    except KeyError:
        raise ChannelUnavailable(f"未知的通知渠道“{code}”，请检查 NOTIFICATION_CHANNELS 设置") from None


def message_text(notification: Notification) -> str:
    """Title, body and link as plain text (SMS, chat robots, e-mail body)."""
    parts = [notification.title]
    if notification.body:
        parts.append(notification.body)
    if notification.link:
        parts.append(absolute_link(notification.link))
    return "\n".join(parts)


def absolute_link(link: str) -> str:
    """`link` prefixed with settings.SITE_URL when it is site-relative and a site URL is configured."""
    site = getattr(settings, "SITE_URL", "")
    if site and link.startswith("/"):
        return site.rstrip("/") + link
    return link


def recipient_phone(notification: Notification) -> str:
    """The recipient's mobile number from their staff record ("" when unknown)."""
    staff = getattr(notification.recipient, "staff", None)  # RelatedObjectDoesNotExist is an AttributeError
    return (staff.phone or "").strip() if staff is not None else ""


def post_json(url: str, payload: dict[str, Any]) -> bytes:
    """POST `payload` as UTF-8 JSON; network errors, timeouts, 429 and 5xx are transient, other 4xx permanent."""
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as response:  # noqa: S310 - URL from settings
            return response.read()
    except urllib.error.HTTPError as exc:
        if exc.code == 429 or exc.code >= 500:
            raise ChannelError(f"网关返回 HTTP {exc.code}") from exc
        raise ChannelUnavailable(f"网关拒绝请求：HTTP {exc.code}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise ChannelError(f"无法连接网关：{exc}") from exc


# ---- capture (tests) -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CapturedMessage:
    notification_id: int
    recipient_id: int
    title: str
    body: str
    link: str
    verb: str


CAPTURED: list[CapturedMessage] = []
_CAPTURE_LOCK = threading.Lock()


class CaptureChannel:
    """Keeps every message in memory (`CAPTURED`): the test backend, also usable with a real worker thread."""

    code = "capture"

    def send(self, notification: Notification) -> None:
        with _CAPTURE_LOCK:
            CAPTURED.append(
                CapturedMessage(
                    notification_id=notification.pk,
                    recipient_id=notification.recipient_id,
                    title=notification.title,
                    body=notification.body,
                    link=notification.link,
                    verb=notification.verb,
                )
            )


def captured() -> list[CapturedMessage]:
    """A copy of the messages the capture channel has received."""
    with _CAPTURE_LOCK:
        return list(CAPTURED)


def clear_captured() -> None:
    with _CAPTURE_LOCK:
        CAPTURED.clear()


# ---- e-mail ----------------------------------------------------------------------------------------------------


class EmailChannel:
    """Django's mail backend (EMAIL_BACKEND, DEFAULT_FROM_EMAIL) to the recipient's account e-mail."""

    code = "email"

    def send(self, notification: Notification) -> None:
        address = (notification.recipient.email or "").strip()
        if not address:
            raise ChannelUnavailable("接收人未登记电子邮箱")
        try:
            send_mail(
                subject=notification.title,
                message=message_text(notification),
                from_email=None,
                recipient_list=[address],
                fail_silently=False,
            )
        except OSError as exc:  # smtplib.SMTPException is an OSError
            raise ChannelError(f"邮件发送失败：{exc}") from exc


# ---- SMS gateway -----------------------------------------------------------------------------------------------


class SmsChannel:
    """POST {"phone", "message"} as JSON to the center's SMS gateway (NOTIFICATION_SMS_GATEWAY_URL)."""

    code = "sms"

    def send(self, notification: Notification) -> None:
        url = settings.NOTIFICATION_SMS_GATEWAY_URL
        if not url:
            raise ChannelUnavailable("短信网关未配置（NOTIFICATION_SMS_GATEWAY_URL）")
        phone = recipient_phone(notification)
        if not phone:
            raise ChannelUnavailable("接收人未登记手机号")
        post_json(url, {"phone": phone, "message": message_text(notification)})


# ---- chat robots -----------------------------------------------------------------------------------------------


def _check_robot_reply(raw: bytes, *, name: str, transient_codes: frozenset[int]) -> None:
    """Robots answer HTTP 200 with {"errcode": 0, "errmsg": "ok"}; any other errcode is a failure."""
    try:
        reply = json.loads(raw.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError) as exc:
        raise ChannelError(f"{name}返回了无法解析的应答") from exc
    errcode = reply.get("errcode", 0) if isinstance(reply, dict) else 0
    if errcode:
        message = f"{name}返回错误 {errcode}：{reply.get('errmsg', '')}"
        if errcode in transient_codes:
            raise ChannelError(message)
        raise ChannelUnavailable(message)


class WeComChannel:
    """WeCom (企业微信) group robot: a text message to the group, @-mentioning the recipient by mobile number."""

    code = "wecom"
    # -1 system busy; 45009 robot rate limit (20 messages a minute).
    TRANSIENT = frozenset({-1, 45009})

    def send(self, notification: Notification) -> None:
        url = settings.NOTIFICATION_WECOM_WEBHOOK_URL
        if not url:
            raise ChannelUnavailable("企业微信机器人未配置（NOTIFICATION_WECOM_WEBHOOK_URL）")
        text: dict[str, Any] = {"content": message_text(notification)}
        phone = recipient_phone(notification)
        if phone:
            text["mentioned_mobile_list"] = [phone]
        raw = post_json(url, {"msgtype": "text", "text": text})
        _check_robot_reply(raw, name="企业微信", transient_codes=self.TRANSIENT)


class DingTalkChannel:
    """DingTalk (钉钉) custom robot: a text message to the group, @-mentioning the recipient by mobile number.

    With NOTIFICATION_DINGTALK_SECRET (the robot's 加签 secret, "SEC…") the URL is signed with timestamp + HMAC.
    """

    code = "dingtalk"
    # -1 system busy; 130101 sending too fast (20 messages a minute).
    TRANSIENT = frozenset({-1, 130101})

    def send(self, notification: Notification) -> None:
        url = settings.NOTIFICATION_DINGTALK_WEBHOOK_URL
        if not url:
            raise ChannelUnavailable("钉钉机器人未配置（NOTIFICATION_DINGTALK_WEBHOOK_URL）")
        secret = getattr(settings, "NOTIFICATION_DINGTALK_SECRET", "")
        if secret:
            url = signed_dingtalk_url(url, secret, timestamp_ms=int(time.time() * 1000))
        content = message_text(notification)
        phone = recipient_phone(notification)
        if phone:
            content = f"{content}\n@{phone}"  # DingTalk highlights the mention only when the text contains it
        payload = {"msgtype": "text", "text": {"content": content}, "at": {"atMobiles": [phone] if phone else []}}
        raw = post_json(url, payload)
        _check_robot_reply(raw, name="钉钉", transient_codes=self.TRANSIENT)


def signed_dingtalk_url(url: str, secret: str, *, timestamp_ms: int) -> str:
    """DingTalk 加签: sign = urlencode(base64(HmacSHA256(key=secret, msg=f"{timestamp}\\n{secret}")))."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}timestamp={timestamp_ms}&sign={sign}"


for _channel in (CaptureChannel(), EmailChannel(), SmsChannel(), WeComChannel(), DingTalkChannel()):
    register(_channel)


# ---- messages to customers (CustomerMessage: CMP-11, CB-14) ----------------------------------------------------

CUSTOMER_CAPTURED: list[tuple[str, str]] = []


def send_customer_text(*, phone: str, text: str) -> None:
    """Send one text to a customer's phone over settings.CUSTOMER_MESSAGE_CHANNEL: "sms" posts to the SMS gateway,
    "capture" keeps it in CUSTOMER_CAPTURED (tests). Raises ChannelError / ChannelUnavailable like the adapters."""
    code = getattr(settings, "CUSTOMER_MESSAGE_CHANNEL", "sms")
    if code == "capture":
        with _CAPTURE_LOCK:
            CUSTOMER_CAPTURED.append((phone, text))
        return
    if code != "sms":
        raise ChannelUnavailable(f"未知的客户短信渠道“{code}”，请检查 CUSTOMER_MESSAGE_CHANNEL 设置")
    url = settings.NOTIFICATION_SMS_GATEWAY_URL
    if not url:
        raise ChannelUnavailable("短信网关未配置（NOTIFICATION_SMS_GATEWAY_URL）")
    post_json(url, {"phone": phone, "message": text})


def customer_captured() -> list[tuple[str, str]]:
    with _CAPTURE_LOCK:
        return list(CUSTOMER_CAPTURED)


def clear_customer_captured() -> None:
    with _CAPTURE_LOCK:
        CUSTOMER_CAPTURED.clear()
