"""Choices of the attendance app: punch kinds and sources, daily result statuses, violation and event types."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PunchKind(models.TextChoices):
    IN = "in", _("上班")
    OUT = "out", _("下班")


class PunchSource(models.TextChoices):
    WEB = "web", _("网页")
    PHONE = "phone", _("手机")
    TERMINAL = "terminal", _("考勤机")
    CORRECTION = "correction", _("补卡")


class ResultStatus(models.TextChoices):
    """One status per staff per day; the sheet shows `SHEET_CODES[status]` (one character)."""

    ON_TIME = "on_time", _("正常")
    LATE = "late", _("迟到")
    EARLY_LEAVE = "early_leave", _("早退")
    ABSENT = "absent", _("旷工")
    ON_LEAVE = "on_leave", _("请假")
    BUSINESS_TRIP = "business_trip", _("因公外出")
    REST = "rest", _("休息")
    MISSING_PUNCH = "missing_punch", _("缺卡")
    NOT_SCHEDULED = "not_scheduled", _("未排班")
    PENDING = "pending", _("进行中")


SHEET_CODES: dict[str, str] = {
    ResultStatus.ON_TIME: "√",
    ResultStatus.LATE: "迟",
    ResultStatus.EARLY_LEAVE: "退",
    ResultStatus.ABSENT: "旷",
    ResultStatus.ON_LEAVE: "假",
    ResultStatus.BUSINESS_TRIP: "差",
    ResultStatus.REST: "休",
    ResultStatus.MISSING_PUNCH: "缺",
    ResultStatus.NOT_SCHEDULED: "-",
    ResultStatus.PENDING: "…",
}


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", _("审批中")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("已驳回")
    WITHDRAWN = "withdrawn", _("已撤回")


class ViolationType(models.TextChoices):
    """ATT-10 non-work activities, CON-14 internet/games/gambling, ATT-28 post discipline."""

    GAMES = "games", _("玩游戏")
    INTERNET = "internet", _("上网（与工作无关）")
    GAMBLING = "gambling", _("参与赌博")
    CHESS = "chess", _("下棋、打牌")
    OTHER_NONWORK = "other_nonwork", _("其他与工作无关的事")
    POST_WANDERING = "post_wandering", _("串岗")
    OFF_POST = "off_post", _("脱岗")
    LEFT_POST = "left_post", _("离岗")
    LANGUAGE = "language", _("用语不文明")  # CON-12: recorded from a complaint (CMP-08); no sanction in the seed


class ViolationStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    WITHDRAWN = "withdrawn", _("已撤销")


class EventKind(models.TextChoices):
    TRAINING = "training", _("培训")
    MEETING = "meeting", _("会议")
    TEAM_BUILDING = "team_building", _("户外拓展")
    OTHER = "other", _("其他活动")


class EventAttendanceStatus(models.TextChoices):
    PENDING = "pending", _("待定")
    PRESENT = "present", _("按时参加")
    LATE = "late", _("迟到/早退")
    ON_LEAVE = "on_leave", _("已请假")
    ABSENT = "absent", _("旷工（未请假缺席）")
