"""The in-app inbox (Notification) and its deliveries to external channels (Delivery) — DESIGN.md §2.8."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servicecenter.core.models import TimeStampedModel

from .choices import ChannelCode, DeliveryStatus


class Notification(TimeStampedModel):
    """One message in one person's inbox (站内信), e.g. «请审批：张三的请假申请».

    It is itself the record that the person was told; external channels (SMS, WeCom, …) are attempts to
    reach them elsewhere and live in `Delivery`. `read_at` is the only field that changes afterwards.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications", verbose_name=_("接收人")
    )
    verb = models.CharField(_("类型"), max_length=100)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=500, blank=True)
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    target_id = models.CharField(max_length=64, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    organization = models.ForeignKey(
        "org.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
        verbose_name=_("组织"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications_sent",
        verbose_name=_("发起人"),
    )
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    dedupe_key = models.CharField(_("去重键"), max_length=200, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [
            # The navbar's unread badge (every page) and the inbox's 未读 tab.
            models.Index(fields=["recipient", "read_at"], name="notif_recipient_read_idx"),
            # The inbox list, newest first.
            models.Index(fields=["recipient", "-created_at"], name="notif_recipient_created_idx"),
        ]
        constraints = [
            # Idempotent reminders: one notification per (recipient, dedupe_key) when a key is given.
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], condition=~Q(dedupe_key=""), name="notif_recipient_dedupe_uniq"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Delivery(TimeStampedModel):
    """One attempt series to bring a notification to its recipient over one external channel (e-mail, SMS, …).

    Created pending with the notification; a Celery task sends it after commit. A transient failure sets
    `failed` with `next_attempt_at`; after the last attempt (or a permanent failure) it is `dead` and shown on
    the inbox page's 投递失败 section to administrators — never lost silently.
    """

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("通知")
    )
    channel = models.CharField(_("渠道"), max_length=20, choices=ChannelCode.choices)
    status = models.CharField(_("状态"), max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("投递")
        verbose_name_plural = _("投递")
        indexes = [
            # The retry sweep: pending/failed rows due now.
            models.Index(fields=["status", "next_attempt_at"], name="delivery_retry_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="delivery_notification_channel_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}: {self.notification_id} ({self.status})"


class CustomerMessage(TimeStampedModel):
    """A text message to a customer (not a user): a complaint's status change (CMP-11), a survey link (CB-14).

    Sent after commit over settings.CUSTOMER_MESSAGE_CHANNEL ("sms": the SMS gateway; "capture": tests), with the
    same retry rules as deliveries; a message that cannot go out is `dead` with the reason, shown where it was sent
    from — never lost silently. `dedupe_key` makes a repeated send of the same message a no-op."""

    organization = models.ForeignKey("org.Organization", on_delete=models.PROTECT, related_name="+")
    phone = models.CharField(_("手机号"), max_length=20)
    text = models.TextField(_("内容"), max_length=500)
    purpose = models.CharField(_("用途"), max_length=60)
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    target_id = models.CharField(max_length=64, blank=True)
    dedupe_key = models.CharField(max_length=150, null=True, blank=True, unique=True)
    status = models.CharField(_("状态"), max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("客户短信")
        verbose_name_plural = _("客户短信")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="custmsg_retry_idx"),
            models.Index(fields=["target_type", "target_id"], name="custmsg_target_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.phone}: {self.purpose} ({self.status})"
