"""Choices of the leave app: kinds of leave (LEV-09, LEV-14, ATT-06, C-23), half days, statuses."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LeaveKind(models.TextChoices):
    PERSONAL = "personal", _("事假")
    SICK = "sick", _("病假")
    ANNUAL = "annual", _("年休假")
    REST = "rest", _("公休")
    EVENT = "event", _("活动请假")
    OFFICIAL_OUTING = "official_outing", _("因公外出")
    LEAVE_POST = "leave_post", _("临时离岗")


# Kinds measured in datetimes (hours) rather than dates + half days.
TIMED_KINDS = frozenset({LeaveKind.OFFICIAL_OUTING, LeaveKind.LEAVE_POST})
# Kinds that excuse attendance without being deducted from anything (LEV-14).
NOT_DEDUCTED_KINDS = frozenset({LeaveKind.OFFICIAL_OUTING})


class Half(models.TextChoices):
    AM = "am", _("上午")
    PM = "pm", _("下午")


class LeaveStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("审批中")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")
    WITHDRAWN = "withdrawn", _("已撤回")
    CLOSED = "closed", _("已销假")
    CANCELLED = "cancelled", _("已取消")


# Statuses that hold the requester's time (overlap check, LEV rules) and those that excuse attendance.
ACTIVE_STATUSES = (LeaveStatus.SUBMITTED, LeaveStatus.APPROVED, LeaveStatus.CLOSED)
GRANTED_STATUSES = (LeaveStatus.APPROVED, LeaveStatus.CLOSED)
