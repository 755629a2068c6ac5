"""Choices of the complaint domain (§3.7 CMP, G-01)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ComplaintChannel(models.TextChoices):
    PHONE = "phone", _("电话")
    WALK_IN = "walk_in", _("来访")
    WEB = "web", _("网上")
    CALLBACK = "callback", _("回访转投诉")
    RATING = "rating", _("差评转投诉")
    LETTER = "letter", _("信函")


class Severity(models.TextChoices):
    """Decides the deadlines (complaints.acknowledge_working_days / complaints.resolve_working_days)."""

    NORMAL = "normal", _("一般")
    SERIOUS = "serious", _("较重")
    CRITICAL = "critical", _("严重")


class Category(models.TextChoices):
    ATTITUDE = "attitude", _("服务态度")
    QUALITY = "quality", _("服务质量")
    TIMELINESS = "timeliness", _("时效")
    CHARGE = "charge", _("收费")
    LANGUAGE = "language", _("用语不文明")  # CON-12
    MERCHANT = "merchant", _("商户")  # CMP-09
    OTHER = "other", _("其他")


class ComplaintStatus(models.TextChoices):
    """G-01: received → acknowledged → investigating → resolved → customer confirmed → closed (+ reopened)."""

    RECEIVED = "received", _("已受理")
    ACKNOWLEDGED = "acknowledged", _("已确认")
    INVESTIGATING = "investigating", _("调查处理中")
    RESOLVED = "resolved", _("已处理待确认")
    CONFIRMED = "confirmed", _("客户已确认")
    CLOSED = "closed", _("已结案")
    REOPENED = "reopened", _("已重新打开")


OPEN_COMPLAINT_STATUSES = (
    ComplaintStatus.RECEIVED,
    ComplaintStatus.ACKNOWLEDGED,
    ComplaintStatus.INVESTIGATING,
    ComplaintStatus.REOPENED,
)


class Feedback(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    DISSATISFIED = "dissatisfied", _("不满意")
    NO_REPLY = "no_reply", _("未回复（视为确认）")


class ComplaintVerb(models.TextChoices):
    RECEIVED = "received", _("受理")
    ACKNOWLEDGED = "acknowledged", _("确认受理")
    ASSIGNED = "assigned", _("指定处理人")
    INVESTIGATING = "investigating", _("开始调查")
    NOTE = "note", _("处理记录")
    RESOLVED = "resolved", _("答复处理结果")
    CONFIRMED = "confirmed", _("客户确认")
    REOPENED = "reopened", _("重新打开")
    ESCALATED = "escalated", _("超时/升级")
    CLOSED = "closed", _("结案")
    VIOLATION = "violation", _("登记违纪")
    ACTION = "action", _("改进措施")
    NOTIFIED = "notified", _("通知投诉人")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    DONE = "done", _("已完成")
    DROPPED = "dropped", _("已撤销")
