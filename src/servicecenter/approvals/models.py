"""The approvals engine (DESIGN.md §2.5): a request, its ordered route of steps, and its notify-only parties."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servicecenter.core.models import TimeStampedModel

from .choices import ApprovalRequestStatus, ApprovalStepStatus


class ApprovalRequest(TimeStampedModel):
    """One thing somebody asked their organization to approve (事项请示, a leave, a dispatch slip …).

    `kind` names a registered kind (approvals/kinds.py) which builds the route and reacts to the final decision;
    `payload` holds the kind's own data (e.g. the amount in yuan), `subject` the record being approved when the
    kind has one (a leave request, a dispatch slip). The route is frozen into `ApprovalStep` rows at submission,
    with the citation of the rule that chose it (`route_clause`, `route_citation`) and the fallbacks it needed
    (`route_flags`, C-03 / C-11). Only the services in approvals/services.py change it.
    """

    organization = models.ForeignKey(
        "org.Organization",
        on_delete=models.PROTECT,
        related_name="approval_requests",
        verbose_name=_("所属组织"),
    )
    kind = models.CharField(_("类型"), max_length=40)
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    payload = models.JSONField(_("业务数据"), default=dict, blank=True)
    subject_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("审批对象类型")
    )
    subject_id = models.CharField(max_length=64, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="approval_requests",
        verbose_name=_("申请人"),
    )
    requested_by_name = models.CharField(_("申请人姓名"), max_length=100)
    status = models.CharField(
        _("状态"), max_length=20, choices=ApprovalRequestStatus.choices, default=ApprovalRequestStatus.PENDING
    )
    route_clause = models.CharField(_("路由依据条款"), max_length=100, blank=True)
    route_citation = models.TextField(_("路由依据"), blank=True)
    route_flags = models.JSONField(_("路由提示"), default=list, blank=True)
    route_message = models.CharField(_("路由说明"), max_length=300, blank=True)
    current_step_order = models.PositiveSmallIntegerField(_("当前步骤"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("审批申请")
        verbose_name_plural = _("审批申请")
        permissions = [("view_all_requests", "可查看本组织范围内的全部审批申请")]
        indexes = [
            # 全部审批 list of a scoped viewer: by organization subtree and status, newest first.
            models.Index(fields=["organization", "status", "-created_at"], name="apprreq_org_status_idx"),
            # 我发起的 tab.
            models.Index(fields=["requested_by", "-created_at"], name="apprreq_requester_idx"),
            # A later app looks up the request of its record (leave request → approval request).
            models.Index(fields=["subject_type", "subject_id"], name="apprreq_subject_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in (ApprovalRequestStatus.PENDING, ApprovalRequestStatus.RETURNED)


class ApprovalStep(TimeStampedModel):
    """One approver's turn on a request's route, in `order` (1, 2, …).

    `route_role` is the role the route asked for (C-11: routes name roles, not titles), `role_code` the role the
    approver acts in (the same, or its escalation when the requester holds it, ORG-05); `assignee` is the person
    it resolved to (previewed at submission, resolved again when the step becomes pending; empty for a step
    skipped because the requester holds its role) (nearest holder up the organization tree, ORG-05), or their
    delegate with `acting_for` = the principal (ORG-13). Once decided, `decided_by` is who acted and
    `acting_for` whom they acted for («由 X 代 Y 审批»), or empty when they acted in their own right.
    """

    request = models.ForeignKey(
        ApprovalRequest, on_delete=models.CASCADE, related_name="steps", verbose_name=_("审批申请")
    )
    order = models.PositiveSmallIntegerField(_("顺序"))
    route_role = models.CharField(_("路由角色"), max_length=40)
    role_code = models.CharField(_("审批角色"), max_length=40)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approval_steps",
        verbose_name=_("审批人"),
    )
    acting_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approval_steps_delegated",
        verbose_name=_("被代理人"),
    )
    delegation = models.ForeignKey(
        "org.Delegation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approval_steps",
        verbose_name=_("委托"),
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=ApprovalStepStatus.choices, default=ApprovalStepStatus.WAITING
    )
    resolution_note = models.CharField(_("审批人说明"), max_length=300, blank=True)
    activated_at = models.DateTimeField(_("开始待办时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approval_decisions",
        verbose_name=_("处理人"),
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    comment = models.TextField(_("意见"), blank=True)
    last_reminded_at = models.DateTimeField(_("最近催办"), null=True, blank=True)
    reminder_count = models.PositiveSmallIntegerField(_("催办次数"), default=0)

    class Meta:
        ordering = ("request_id", "order")
        verbose_name = _("审批步骤")
        verbose_name_plural = _("审批步骤")
        constraints = [
            models.UniqueConstraint(fields=["request", "order"], name="apprstep_request_order_uniq"),
            models.CheckConstraint(
                name="apprstep_active_has_assignee",
                condition=Q(status__in=["waiting", "skipped"]) | Q(assignee__isnull=False),
            ),
            models.CheckConstraint(
                name="apprstep_decided_has_actor",
                condition=~Q(status__in=["approved", "rejected", "returned"])
                | Q(decided_by__isnull=False, decided_at__isnull=False),
            ),
        ]
        indexes = [
            # 待我审批 (home page, inbox): pending steps of one assignee / principal.
            models.Index(fields=["assignee", "status"], name="apprstep_assignee_status_idx"),
            models.Index(fields=["acting_for", "status"], name="apprstep_actingfor_status_idx"),
            # 我已处理 tab, newest first.
            models.Index(fields=["decided_by", "-decided_at"], name="apprstep_decider_idx"),
            # The reminder sweep: pending steps by age.
            models.Index(fields=["status", "activated_at"], name="apprstep_status_activated_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}#{self.order} {self.role_code}"

    @property
    def is_decided(self) -> bool:
        return self.status in (ApprovalStepStatus.APPROVED, ApprovalStepStatus.REJECTED, ApprovalStepStatus.RETURNED)


class ApprovalNotice(TimeStampedModel):
    """A notify-only party of a request (ORG-06, e.g. 渠道部 receives a filing copy): told when the request is
    submitted and when it is decided, never asked to approve."""

    request = models.ForeignKey(
        ApprovalRequest, on_delete=models.CASCADE, related_name="notices", verbose_name=_("审批申请")
    )
    role_code = models.CharField(_("知会角色"), max_length=40)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="approval_notices",
        verbose_name=_("知会人"),
    )

    class Meta:
        ordering = ("request_id", "id")
        verbose_name = _("知会")
        verbose_name_plural = _("知会")
        constraints = [
            models.UniqueConstraint(fields=["request", "role_code", "user"], name="apprnotice_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} → {self.role_code}"
