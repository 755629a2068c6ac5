"""Callbacks (§3.6 CB, WO-10, G-03, C-10), customer opinions (CB-13), surveys (CB-12, CB-14) and the public
rating (好差评) with its rectification.

A `CallbackTask` is created when an order is returned (WO-10, through workorders.services.ON_RETURNED), for a
sample of new installations (CB-09), after a bad rating, or as a care contact (CB-16). Each call is one
`CallbackAttempt`; the answers land on the task, asked from the center's versioned `Questionnaire` (C-10). Writes
go through `callbacks.services`; every automatic decision stores its clause.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servicecenter.core.models import TimeStampedModel

from .choices import (
    AttemptResult,
    Attitude,
    CampaignKind,
    CampaignStatus,
    FollowUpStatus,
    InvitationChannel,
    OpinionKind,
    OpinionSource,
    OpinionStatus,
    RatingChannel,
    RatingLevel,
    RectificationStatus,
    TaskKind,
    TaskStatus,
)


class Questionnaire(TimeStampedModel):
    """C-10: the questions and scripts of a callback, versioned per center (None = the built-in D02 set).

    A new version is a new row; the old stays (answers keep pointing at the version they were asked from).
    `questions` is a list of {code, type, label, required, role, choices?, min?, max?, clause?}."""

    organization = models.ForeignKey(
        "org.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("服务中心"),
    )
    name = models.CharField(_("名称"), max_length=100)
    version = models.PositiveIntegerField(_("版本"), default=1)
    opening = models.TextField(_("开头语"))
    closing = models.TextField(_("结束语"))
    fee_reminder = models.TextField(_("缴费提醒"), blank=True)
    questions = models.JSONField(_("问题"), default=list)
    is_current = models.BooleanField(_("现行版本"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("organization_id", "-version")
        verbose_name = _("回访问卷")
        verbose_name_plural = _("回访问卷")
        constraints = [
            models.UniqueConstraint(fields=["organization", "version"], name="cb_questionnaire_version_uniq"),
            models.UniqueConstraint(
                fields=["organization"], condition=Q(is_current=True), name="cb_questionnaire_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class CallbackTask(TimeStampedModel):
    organization = models.ForeignKey(
        "org.Organization", on_delete=models.PROTECT, related_name="callback_tasks", verbose_name=_("服务中心")
    )
    kind = models.CharField(_("回访类型"), max_length=20, choices=TaskKind.choices)
    status = models.CharField(_("状态"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.PENDING)
    version = models.PositiveIntegerField(default=1, editable=False)
    order = models.ForeignKey(
        "workorders.WorkOrder",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="callback_tasks",
        verbose_name=_("工单"),
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="callback_tasks", verbose_name=_("客户")
    )
    customer_name = models.CharField(_("客户"), max_length=100)
    phone = models.CharField(_("电话"), max_length=20)
    technician = models.ForeignKey(
        "org.Staff",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="callback_tasks",
        verbose_name=_("服务人员"),
    )
    reason = models.CharField(_("回访原因"), max_length=300, blank=True)
    clause = models.CharField(_("依据"), max_length=300, blank=True)

    # --- the queue ---
    due_at = models.DateTimeField(_("回访期限"))
    due_citation = models.TextField(_("期限依据"), blank=True)
    next_attempt_at = models.DateTimeField(_("下次回访时间"))
    appointment_at = models.DateTimeField(_("预约回访时间"), null=True, blank=True)  # CB-01
    attempts = models.PositiveSmallIntegerField(_("已拨打次数"), default=0)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    claimed_until = models.DateTimeField(_("占用至"), null=True, blank=True)

    # --- the answers (CB-02…CB-07), from `questionnaire` ---
    questionnaire = models.ForeignKey(
        Questionnaire, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("问卷")
    )
    answers = models.JSONField(_("回答"), default=dict, blank=True)
    solved = models.BooleanField(_("问题已解决"), null=True, blank=True)
    attitude = models.CharField(_("服务态度"), max_length=20, choices=Attitude.choices, blank=True)
    charged = models.BooleanField(_("客户称已收费"), null=True, blank=True)
    charge_mismatch = models.BooleanField(_("收费不符"), default=False)
    charge_note = models.CharField(_("收费核对"), max_length=300, blank=True)
    score = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)
    score_pct = models.DecimalField(_("评分（百分制）"), max_digits=5, decimal_places=1, null=True, blank=True)
    suggestion = models.TextField(_("建议或意见"), blank=True)
    fee_reminder_shown = models.BooleanField(_("已提醒缴费"), default=False)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_note = models.CharField(_("结束说明"), max_length=300, blank=True)

    class Meta:
        ordering = ("next_attempt_at", "id")
        verbose_name = _("回访任务")
        verbose_name_plural = _("回访任务")
        permissions = [
            ("make_callback", "进行电话回访"),
            ("manage_callbacks", "管理回访：问卷、抽样、跟进、调查"),
            ("view_satisfaction", "查看满意度统计"),
        ]
        constraints = [
            # WO-10: one service callback per returned order, whatever runs the hook twice.
            models.UniqueConstraint(
                fields=["order"], condition=Q(kind="after_service"), name="cb_one_service_callback_per_order"
            ),
            models.UniqueConstraint(
                fields=["order"], condition=Q(kind="courtesy"), name="cb_one_courtesy_callback_per_order"
            ),
            models.CheckConstraint(
                name="cb_done_has_completion",
                condition=~Q(status="done") | Q(completed_at__isnull=False),
            ),
        ]
        indexes = [
            # The queue: a center's pending tasks by when they are next due.
            models.Index(
                fields=["organization", "next_attempt_at", "id"],
                name="cb_queue_idx",
                condition=Q(status="pending"),
            ),
            # Reports: completed tasks of a center / a technician in a period.
            # One center's report (CB-18) reads its own month from the index alone (bench/results.d/callbacks.md:
            # the "due by technician" query read the whole company's month without the center column first).
            models.Index(
                fields=["organization", "completed_at"],
                include=[
                    "technician",
                    "kind",
                    "status",
                    "attitude",
                    "score",
                    "score_pct",
                    "solved",
                    "charged",
                    "charge_mismatch",
                ],
                name="cb_org_completed_idx",
            ),
            models.Index(
                fields=["organization", "due_at"],
                include=["technician", "kind", "status"],
                name="cb_org_due_idx",
            ),
            models.Index(fields=["technician", "completed_at"], name="cb_tech_completed_idx"),
            models.Index(fields=["organization", "created_at"], name="cb_org_created_idx"),
            # The satisfaction report (CB-18) across many centers: a month's callbacks by when they ended / were
            # due, answered from the index alone (PostgreSQL INCLUDE; other databases get the plain index).
            # Measured on the 1M-order data set (100 centers): the company's 12-month trend 7.5 s → ~1.5 s.
            models.Index(
                fields=["completed_at"],
                include=[
                    "organization",
                    "technician",
                    "kind",
                    "status",
                    "attitude",
                    "score",
                    "score_pct",
                    "solved",
                    "charged",
                    "charge_mismatch",
                ],
                name="cb_completed_report_idx",
            ),
            models.Index(
                fields=["due_at"],
                include=["organization", "technician", "kind", "status"],
                name="cb_due_report_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.customer_name}"


class CallbackAttempt(models.Model):
    """One call of a callback task (append-only)."""

    task = models.ForeignKey(CallbackTask, on_delete=models.PROTECT, related_name="attempt_log")
    at = models.DateTimeField(_("时间"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    by_name = models.CharField(_("回访人"), max_length=100)
    result = models.CharField(_("结果"), max_length=20, choices=AttemptResult.choices)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    appointment_at = models.DateTimeField(_("预约时间"), null=True, blank=True)
    clause = models.CharField(_("依据"), max_length=100, blank=True)

    class Meta:
        ordering = ("at", "id")
        verbose_name = _("回访记录")
        verbose_name_plural = _("回访记录")
        indexes = [models.Index(fields=["task", "at"], name="cb_attempt_task_idx")]

    def __str__(self) -> str:
        return f"{self.task_id} {self.result}"


class FollowUp(TimeStampedModel):
    """G-03: a callback that found the problem unsolved, the customer dissatisfied or a low score."""

    organization = models.ForeignKey("org.Organization", on_delete=models.PROTECT, related_name="+")
    task = models.OneToOneField(CallbackTask, on_delete=models.PROTECT, related_name="followup")
    order = models.ForeignKey(
        "workorders.WorkOrder", null=True, blank=True, on_delete=models.PROTECT, related_name="followups"
    )
    reasons = models.JSONField(_("跟进原因"), default=list)
    clause = models.CharField(_("依据"), max_length=100, default="G-03")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="callback_followups",
        verbose_name=_("跟进人"),
    )
    status = models.CharField(_("状态"), max_length=20, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    rework_order = models.ForeignKey(
        "workorders.WorkOrder", null=True, blank=True, on_delete=models.PROTECT, related_name="rework_of"
    )
    complaint = models.ForeignKey(
        "complaints.Complaint", null=True, blank=True, on_delete=models.PROTECT, related_name="followups"
    )
    resolution = models.TextField(_("处理说明"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("回访跟进")
        verbose_name_plural = _("回访跟进")
        indexes = [models.Index(fields=["organization", "status", "-created_at"], name="cb_followup_org_idx")]


class Opinion(TimeStampedModel):
    """CB-13: a customer's suggestion, grievance or rating of a staff member; CMP-06: closed only with a response
    and its handler."""

    organization = models.ForeignKey("org.Organization", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=20, choices=OpinionKind.choices)
    source = models.CharField(_("来源"), max_length=20, choices=OpinionSource.choices)
    text = models.TextField(_("内容"), max_length=2000)
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    staff = models.ForeignKey(
        "org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("涉及人员")
    )
    task = models.ForeignKey(CallbackTask, null=True, blank=True, on_delete=models.PROTECT, related_name="opinions")
    invitation = models.ForeignKey(
        "callbacks.SurveyInvitation", null=True, blank=True, on_delete=models.PROTECT, related_name="opinions"
    )
    status = models.CharField(_("状态"), max_length=10, choices=OpinionStatus.choices, default=OpinionStatus.OPEN)
    response = models.TextField(_("答复"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("客户意见")
        verbose_name_plural = _("客户意见")
        indexes = [models.Index(fields=["organization", "status", "-created_at"], name="cb_opinion_org_idx")]
        constraints = [
            models.CheckConstraint(
                name="cb_opinion_closed_has_response",
                condition=~Q(status="closed") | (~Q(response="") & Q(handled_by__isnull=False)),
            )
        ]


class SurveyCampaign(TimeStampedModel):
    """CB-12: a scheduled or ad-hoc customer-opinion survey over the services of a period."""

    organization = models.ForeignKey("org.Organization", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=CampaignKind.choices)
    status = models.CharField(_("状态"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    period_start = models.DateField(_("服务日期自"))
    period_end = models.DateField(_("服务日期至"))
    repeat_monthly = models.BooleanField(_("每月重复"), default=False)
    sample_rate = models.DecimalField(_("抽样比例（%）"), max_digits=5, decimal_places=2, default=100)
    channel = models.CharField(_("方式"), max_length=10, choices=InvitationChannel.choices, default="sms")
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    launched_at = models.DateTimeField(_("发出时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("意见调查")
        verbose_name_plural = _("意见调查")


class SurveyInvitation(TimeStampedModel):
    """CB-14: one survey form sent to the customer of one service-register entry; answered once through a
    signed, expiring link (the token's nonce is stored, the signature is not)."""

    organization = models.ForeignKey("org.Organization", on_delete=models.PROTECT, related_name="+")
    campaign = models.ForeignKey(
        SurveyCampaign, null=True, blank=True, on_delete=models.PROTECT, related_name="invitations"
    )
    order = models.ForeignKey(
        "workorders.WorkOrder", null=True, blank=True, on_delete=models.PROTECT, related_name="survey_invitations"
    )
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    phone = models.CharField(_("电话"), max_length=20)
    channel = models.CharField(_("方式"), max_length=10, choices=InvitationChannel.choices)
    nonce = models.CharField(max_length=32, unique=True, editable=False)
    expires_at = models.DateTimeField(_("有效期至"))
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    opened_at = models.DateTimeField(_("首次打开"), null=True, blank=True)
    answered_at = models.DateTimeField(_("填写时间"), null=True, blank=True)
    answers = models.JSONField(_("回答"), default=dict, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("调查邀请")
        verbose_name_plural = _("调查邀请")
        constraints = [
            models.UniqueConstraint(
                fields=["order", "campaign"], name="cb_invitation_order_campaign_uniq", nulls_distinct=False
            ),
        ]
        indexes = [models.Index(fields=["organization", "-created_at"], name="cb_invitation_org_idx")]


class Rating(TimeStampedModel):
    """好差评: one rating per service (order), five levels with reason tags; a bad one opens a rectification and a
    mandatory callback."""

    organization = models.ForeignKey("org.Organization", on_delete=models.PROTECT, related_name="+")
    order = models.OneToOneField(
        "workorders.WorkOrder", on_delete=models.PROTECT, related_name="rating", verbose_name=_("工单")
    )
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(
        "org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("服务人员")
    )
    level = models.PositiveSmallIntegerField(_("评价"), choices=RatingLevel.choices)
    tags = models.JSONField(_("评价原因"), default=list, blank=True)
    comment = models.TextField(_("评价内容"), max_length=1000, blank=True)
    channel = models.CharField(_("评价渠道"), max_length=20, choices=RatingChannel.choices)
    invitation = models.OneToOneField(
        SurveyInvitation, null=True, blank=True, on_delete=models.PROTECT, related_name="rating"
    )
    rated_at = models.DateTimeField(_("评价时间"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("-rated_at", "-id")
        verbose_name = _("好差评")
        verbose_name_plural = _("好差评")
        indexes = [
            models.Index(fields=["organization", "-rated_at"], name="cb_rating_org_idx"),
            models.Index(fields=["staff", "-rated_at"], name="cb_rating_staff_idx"),
            # The satisfaction report's ratings of a month across many centers (CB-18), from the index alone.
            models.Index(fields=["rated_at"], include=["organization", "staff"], name="cb_rating_rated_idx"),
        ]
        constraints = [models.CheckConstraint(name="cb_rating_level_1_5", condition=Q(level__gte=1, level__lte=5))]


class Rectification(TimeStampedModel):
    """A bad rating's rectification: owner, deadline in working days (callbacks.rectification_working_days)."""

    organization = models.ForeignKey("org.Organization", on_delete=models.PROTECT, related_name="+")
    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="rectification")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_at = models.DateTimeField(_("整改期限"))
    due_citation = models.TextField(_("期限依据"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=RectificationStatus.choices, default=RectificationStatus.OPEN
    )
    measures = models.TextField(_("整改措施"), blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    overdue_flagged_at = models.DateTimeField(null=True, blank=True)
    callback = models.ForeignKey(CallbackTask, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ("due_at", "id")
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")
        indexes = [models.Index(fields=["organization", "status", "due_at"], name="cb_rectification_idx")]
        constraints = [
            models.CheckConstraint(
                name="cb_rectification_done_has_measures",
                condition=~Q(status="done") | (~Q(measures="") & Q(done_by__isnull=False)),
            )
        ]
