from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """The columns of the points board (PUB-01): work points, the auxiliary column (rewards and penalties, PTS-18)
    and fixed monthly items (PTS-10)."""

    WORK = "work", _("工作积分")
    REWARD = "reward", _("辅助奖励")
    PENALTY = "penalty", _("辅助扣罚")
    FIXED = "fixed", _("固定项目")


AUXILIARY = (Category.REWARD, Category.PENALTY)


class Source(models.TextChoices):
    """What produced an entry; `source_id` is that record's primary key."""

    WORK_ORDER = "work_order", _("工单")
    CALLBACK = "callback", _("回访")
    ATTENDANCE = "attendance", _("考勤")
    VIOLATION = "violation", _("违纪")
    EVENT = "event", _("活动考勤")
    RENEWAL = "renewal", _("续费率")
    CONVERSION = "conversion", _("产品升降档")
    INSTANT_REWARD = "instant_reward", _("及时奖励")
    FIXED_ITEM = "fixed_item", _("固定项目")


class EntryStatus(models.TextChoices):
    """PTS-04: automatic entries are drafts until the order clerk verifies the day."""

    DRAFT = "draft", _("待核对")
    VERIFIED = "verified", _("已核对")


class MonthStatus(models.TextChoices):
    OPEN = "open", _("未锁定")
    LOCKED = "locked", _("已复核锁定")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")
    WITHDRAWN = "withdrawn", _("已撤回")


# What each rule code means, for people (the code stays in the entry; pages and the API show the label too).
RULE_LABELS = {
    "workorder.returned": _("工单完工回单"),
    "callback.satisfied": _("回访评价：满意"),
    "callback.average": _("回访评价：一般"),
    "callback.dissatisfied": _("回访评价：不满意"),
    "attendance.late": _("迟到"),
    "attendance.early_leave": _("早退"),
    "attendance.absent": _("旷工"),
    "violation.absenteeism": _("违纪（按旷工扣分）"),
    "event.late": _("活动迟到/早退"),
    "event.absent": _("活动未经批准缺席"),
    "fixed.asset_management": _("资产管理固定积分"),
    "reward.instant": _("及时奖励"),
    "renewal.rate": _("续费率积分"),
    "renewal.conversion": _("产品升降档"),
    "history.tally": _("历史台账录入"),
}
