"""Complaints (§3.7 CMP, G-01): a case per complaint with owner, deadlines, states, response and feedback.

State changes only through `complaints.services` (one function per transition); every action is one append-only
`ComplaintEvent`. Deadlines are fixed when the complaint is received, from the parameters in force for the center
(G-01: acknowledge within 1 working day, resolve within 3, by severity), stored with their citation.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servicecenter.core.models import TimeStampedModel

from .choices import ActionStatus, Category, ComplaintChannel, ComplaintStatus, ComplaintVerb, Feedback, Severity

_OPEN = Q(status__in=["received", "acknowledged", "investigating", "reopened"])


class ComplaintSequence(models.Model):
    """The last complaint number handed out per center and year (TS-2026-000123)."""

    organization = models.ForeignKey("org.Organization", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_no = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="cmp_sequence_org_year_uniq")]

    def __str__(self) -> str:
        return f"{self.organization_id}/{self.year}: {self.last_no}"


class Complaint(TimeStampedModel):
    """One complaint case (CMP-01): who complained about what, its handler, deadlines, response and feedback."""

    organization = models.ForeignKey(
        "org.Organization", on_delete=models.PROTECT, related_name="complaints", verbose_name=_("服务中心")
    )
    number = models.CharField(_("投诉编号"), max_length=24, unique=True)
    channel = models.CharField(_("来源"), max_length=20, choices=ComplaintChannel.choices)
    category = models.CharField(_("投诉类别"), max_length=20, choices=Category.choices, default=Category.OTHER)
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices, default=Severity.NORMAL)
    status = models.CharField(
        _("状态"), max_length=20, choices=ComplaintStatus.choices, default=ComplaintStatus.RECEIVED
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    # --- the complainant (CMP-11: they can follow the case with the number and the last four phone digits) ---
    complainant_name = models.CharField(_("投诉人"), max_length=100)
    phone = models.CharField(_("联系电话"), max_length=20)
    phone_digits = models.CharField(max_length=20, editable=False)
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("客户"),
    )
    notify_complainant = models.BooleanField(_("状态变化短信通知投诉人"), default=True)

    # --- what and whom ---
    summary = models.CharField(_("投诉摘要"), max_length=200)
    details = models.TextField(_("投诉内容"), max_length=4000)
    demand = models.TextField(_("投诉人诉求"), max_length=1000, blank=True)
    order = models.ForeignKey(
        "workorders.WorkOrder",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("相关工单"),
    )
    against_staff = models.ForeignKey(
        "org.Staff",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_against",
        verbose_name=_("被投诉人员"),
    )
    merchant_name = models.CharField(_("被投诉商户"), max_length=100, blank=True)  # CMP-09
    compensation = models.DecimalField(_("赔偿金额"), max_digits=10, decimal_places=2, null=True, blank=True)
    compensation_payer = models.CharField(_("赔偿承担方"), max_length=100, blank=True)
    violation = models.ForeignKey(
        "attendance.Violation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("关联违纪记录"),
    )  # CMP-08
    regulation_clause = models.CharField(_("引用制度条款"), max_length=100, blank=True)  # CMP-12

    # --- handling ---
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(_("受理时间"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_complaints",
        verbose_name=_("处理人"),
    )
    acknowledged_at = models.DateTimeField(_("确认受理时间"), null=True, blank=True)
    investigation_started_at = models.DateTimeField(_("开始调查"), null=True, blank=True)
    response = models.TextField(_("处理结果与答复"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    feedback = models.CharField(_("投诉人反馈"), max_length=20, choices=Feedback.choices, blank=True)
    feedback_note = models.TextField(_("反馈说明"), blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重新打开次数"), default=0)
    # When an unanswered resolution counts as confirmed (complaints.confirm_wait_working_days), fixed at resolution:
    # the sweep reads only the cases whose wait is over (cmp_confirm_pending_idx), never every resolved case.
    confirm_due_at = models.DateTimeField(_("等待确认截止"), null=True, blank=True)
    # The one-time token of the intake form: a double submit returns the complaint already created with it.
    intake_token = models.UUIDField(_("受理表单令牌"), null=True, blank=True, unique=True, editable=False)

    # --- deadlines (G-01), frozen at receipt with their citation ---
    acknowledge_due_at = models.DateTimeField(_("确认受理期限"))
    resolve_due_at = models.DateTimeField(_("处理期限"))
    deadline_citation = models.TextField(_("期限依据"), blank=True)
    acknowledge_breached_at = models.DateTimeField(_("确认超时"), null=True, blank=True)
    resolve_breached_at = models.DateTimeField(_("处理超时"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("已升级"), null=True, blank=True)
    escalation_reason = models.CharField(_("升级原因"), max_length=300, blank=True)

    class Meta:
        ordering = ("-received_at", "-id")
        verbose_name = _("投诉")
        verbose_name_plural = _("投诉")
        permissions = [
            ("handle_complaint", "处理投诉（确认、调查、答复、结案）"),
            ("view_complaint_register", "查看投诉台账与统计"),
            ("manage_guidance", "维护投诉沟通指引"),
        ]
        indexes = [
            models.Index(fields=["organization", "-received_at"], name="cmp_org_received_idx"),
            models.Index(fields=["organization", "status", "-received_at"], name="cmp_org_status_idx"),
            models.Index(fields=["phone_digits"], name="cmp_phone_idx"),
            models.Index(fields=["against_staff", "-received_at"], name="cmp_staff_idx"),
            models.Index(fields=["owner", "-received_at"], name="cmp_owner_idx"),  # the list's «mine» filter
            # Deadline sweep: open cases whose acknowledgement or resolution breach is still ahead.
            models.Index(
                fields=["acknowledge_due_at"],
                name="cmp_ack_pending_idx",
                condition=Q(acknowledged_at__isnull=True, acknowledge_breached_at__isnull=True) & _OPEN,
            ),
            models.Index(
                fields=["resolve_due_at"],
                name="cmp_resolve_pending_idx",
                condition=Q(resolve_breached_at__isnull=True) & _OPEN,
            ),
            # No-reply sweep: resolved cases waiting for the complainant's answer, by the end of the wait.
            models.Index(fields=["confirm_due_at"], name="cmp_confirm_pending_idx", condition=Q(status="resolved")),
        ]
        constraints = [
            # CMP-06: a closed complaint always has a recorded response and handler.
            models.CheckConstraint(
                name="cmp_closed_has_response",
                condition=~Q(status="closed") | (~Q(response="") & Q(resolved_by__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.summary}"

    @property
    def is_open(self) -> bool:
        return self.status in ("received", "acknowledged", "investigating", "reopened")


class ComplaintEvent(models.Model):
    """One action on a complaint — append-only (the timeline of the printable 投诉处理单, CMP-04)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(_("操作人"), max_length=100, blank=True)
    verb = models.CharField(_("动作"), max_length=20, choices=ComplaintVerb.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    clause = models.CharField(_("依据"), max_length=300, blank=True)
    public = models.BooleanField(_("投诉人可见"), default=False)

    class Meta:
        ordering = ("at", "id")
        verbose_name = _("投诉处理记录")
        verbose_name_plural = _("投诉处理记录")
        indexes = [models.Index(fields=["complaint", "at"], name="cmp_event_idx")]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.verb}"


class ImprovementAction(TimeStampedModel):
    """CMP-02: an improvement measure spawned by a closed complaint (or a survey analysis, CB-15)."""

    organization = models.ForeignKey("org.Organization", on_delete=models.PROTECT, related_name="+")
    complaint = models.ForeignKey(
        Complaint, null=True, blank=True, on_delete=models.PROTECT, related_name="actions", verbose_name=_("来源投诉")
    )
    title = models.CharField(_("改进措施"), max_length=200)
    description = models.TextField(_("具体内容"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("负责人")
    )
    due_date = models.DateField(_("完成期限"))
    status = models.CharField(_("状态"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    result = models.TextField(_("完成情况"), blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ("due_date", "id")
        verbose_name = _("改进措施")
        verbose_name_plural = _("改进措施")
        indexes = [
            models.Index(fields=["organization", "status", "due_date"], name="cmp_action_org_idx"),
            # The register of actions per period (CMP-02): one center's actions raised in a month or quarter.
            models.Index(fields=["organization", "-created_at"], name="cmp_action_created_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class GuidanceArticle(TimeStampedModel):
    """CMP-05 / CON-12: communication guidance and standard phrases for complaint handlers (knowledge base).

    `organization` None = the company-wide article every center sees; edits keep the previous text as a new
    version (the old row is marked superseded), so what a handler read on a date can be shown later."""

    organization = models.ForeignKey(
        "org.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    tags = models.JSONField(_("标签"), default=list, blank=True)
    clause = models.CharField(_("依据"), max_length=100, blank=True)
    version = models.PositiveIntegerField(default=1)
    supersedes = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    is_current = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("title", "id")
        verbose_name = _("沟通指引")
        verbose_name_plural = _("沟通指引")
        indexes = [models.Index(fields=["organization", "is_current", "title"], name="cmp_guidance_current_idx")]
        constraints = [
            # A version is replaced at most once: the history of an article is one line, never a fork.
            models.UniqueConstraint(fields=["supersedes"], name="cmp_guidance_superseded_once"),
        ]

    def __str__(self) -> str:
        return self.title
