"""Choices of the callback domain (§3.6 CB, G-03, C-10) and the public rating (好差评)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class TaskKind(models.TextChoices):
    AFTER_SERVICE = "after_service", _("维修回访")  # WO-10: every returned order
    COURTESY = "courtesy", _("温馨回访")  # CB-09: a sample of new installations
    RATING = "rating", _("差评回访")  # a bad public rating: mandatory callback
    CARE = "care", _("客户关怀")  # CB-16: scheduled care contacts


class TaskStatus(models.TextChoices):
    PENDING = "pending", _("待回访")
    DONE = "done", _("已回访")
    UNREACHABLE = "unreachable", _("无法联系")
    CANCELLED = "cancelled", _("已取消")


OPEN_TASK_STATUSES = (TaskStatus.PENDING,)


class AttemptResult(models.TextChoices):
    ANSWERED = "answered", _("完成回访")
    NOT_CONVENIENT = "not_convenient", _("不方便，已预约")  # CB-01
    NO_ANSWER = "no_answer", _("无人接听")
    BUSY = "busy", _("占线/拒接")
    WRONG_NUMBER = "wrong_number", _("号码错误/停机")


UNREACHED_RESULTS = (AttemptResult.NO_ANSWER, AttemptResult.BUSY, AttemptResult.WRONG_NUMBER)


class Attitude(models.TextChoices):
    """CB-03: the three levels of the D02 questionnaire (labels: callbacks.attitude_scale)."""

    SATISFIED = "satisfied", _("满意")
    AVERAGE = "average", _("一般")
    DISSATISFIED = "dissatisfied", _("不满意")


class QuestionType(models.TextChoices):
    YES_NO = "yes_no", _("是/否")
    CHOICE = "choice", _("单选")
    SCORE = "score", _("评分")
    TEXT = "text", _("文字")


class QuestionRole(models.TextChoices):
    """What a question measures, so that any center's questionnaire feeds the same reports (C-10)."""

    SOLVED = "solved", _("问题是否解决")
    ATTITUDE = "attitude", _("服务态度")
    CHARGED = "charged", _("是否收费")
    SCORE = "score", _("服务评分")
    SUGGESTION = "suggestion", _("建议或意见")
    OTHER = "other", _("其他")


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    REWORK = "rework", _("已派返工单")
    COMPLAINT = "complaint", _("已转投诉")
    CLOSED = "closed", _("已处理")


class OpinionKind(models.TextChoices):
    """CB-13: customer opinions are suggestions, grievances, or ratings of a staff member."""

    SUGGESTION = "suggestion", _("建议")
    GRIEVANCE = "grievance", _("抱怨")
    STAFF_RATING = "staff_rating", _("对服务人员的品评")


class OpinionSource(models.TextChoices):
    CALLBACK = "callback", _("电话回访")
    SURVEY = "survey", _("意见调查")
    RATING = "rating", _("好差评")
    MANUAL = "manual", _("人工登记")


class OpinionStatus(models.TextChoices):
    OPEN = "open", _("待答复")
    CLOSED = "closed", _("已答复")


class CampaignKind(models.TextChoices):
    SCHEDULED = "scheduled", _("定期调查")
    AD_HOC = "ad_hoc", _("不定期调查")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    RUNNING = "running", _("进行中")
    CLOSED = "closed", _("已结束")


class InvitationChannel(models.TextChoices):
    SMS = "sms", _("短信链接")
    LINK = "link", _("链接/二维码")
    POST = "post", _("邮寄")


class RatingLevel(models.IntegerChoices):
    """好差评: the five levels of the national evaluation practice (5 best)."""

    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    BASIC = 3, _("基本满意")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


class RatingChannel(models.TextChoices):
    SURVEY_LINK = "survey_link", _("短信/链接评价")
    ON_SITE = "on_site", _("现场评价器")
    PHONE = "phone", _("电话评价")
    STAFF_ENTRY = "staff_entry", _("工作人员代录")


# Reason tags of the national 好差评 practice (国务院办公厅《关于建立政务服务“好差评”制度…》): positive tags for
# satisfied levels, the problem tags for the others. Stored by code; labels marked for translation (gettext_noop) and
# translated where they are shown (gettext(label)).
GOOD_TAGS: dict[str, str] = {
    "attitude_good": gettext_noop("服务热情、态度好"),
    "efficient": gettext_noop("办事效率高、上门及时"),
    "professional": gettext_noop("技术专业、一次解决"),
    "clear": gettext_noop("解释清楚、告知明白"),
    "tidy": gettext_noop("文明作业、清理现场"),
}
BAD_TAGS: dict[str, str] = {
    "attitude_bad": gettext_noop("服务态度差"),
    "slow": gettext_noop("响应慢、办理时间长"),
    "not_solved": gettext_noop("问题未解决"),
    "unclear": gettext_noop("告知不清、需多次跑"),
    "unexpected_charge": gettext_noop("乱收费、收费不明"),
    "rules_broken": gettext_noop("不按规定办理"),
    "language": gettext_noop("用语不文明"),
}


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("整改中")
    DONE = "done", _("已整改")
