"""Choices of the notifications app: delivery status and the known channel codes."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("失败（将重试）")
    DEAD = "dead", _("投递失败")


class ChannelCode(models.TextChoices):
    INAPP = "inapp", _("站内信")
    CAPTURE = "capture", _("捕获（测试）")
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")
    WECOM = "wecom", _("企业微信")
    DINGTALK = "dingtalk", _("钉钉")
