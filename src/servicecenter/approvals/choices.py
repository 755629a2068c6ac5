"""Choices of the approvals engine: request and step statuses, decisions, route flags."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApprovalRequestStatus(models.TextChoices):
    PENDING = "pending", _("审批中")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("已驳回")
    WITHDRAWN = "withdrawn", _("已撤回")


class ApprovalStepStatus(models.TextChoices):
    WAITING = "waiting", _("未到")
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("同意")
    REJECTED = "rejected", _("驳回")
    RETURNED = "returned", _("退回")
    SKIPPED = "skipped", _("跳过")


class StepDecision(models.TextChoices):
    """What an approver may answer on a pending step."""

    APPROVE = "approve", _("同意")
    REJECT = "reject", _("驳回")
    RETURN = "return", _("退回修改")


class RouteFlag(models.TextChoices):
    """Warnings attached to a request whose route needed a fallback (shown to the requester and administrators)."""

    NO_RULE = "no_rule", _("无匹配审批规则")
    NO_APPROVER = "no_approver", _("无人担任审批角色")
