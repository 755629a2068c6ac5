"""Leave requests (LEV-01…LEV-14, ATT-06, ATT-14), their certificates, and the annual-leave entitlement table (G-14)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from servicecenter.core.models import TimeStampedModel

from .choices import Half, LeaveKind, LeaveStatus


class LeaveRequest(TimeStampedModel):
    """One person's request to be away: a leave (dates + half days), a leave-post or an official outing (datetimes).

    `starts_at` / `ends_at` are always filled (aware; for date-based leave the half-day boundaries of the center's
    local dates, see policies.half_day_bounds); `days` is the duration in half-day steps on the center's business
    calendar. Statuses: draft → submitted → approved / rejected / withdrawn; approved → closed (销假, with the actual
    return) or cancelled (before the start). Only the services in leave/services.py change it.
    """

    staff = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="leave_requests", verbose_name=_("请假人")
    )
    organization = models.ForeignKey(
        "org.Organization", on_delete=models.PROTECT, related_name="leave_requests", verbose_name=_("所属中心")
    )
    kind = models.CharField(_("类型"), max_length=20, choices=LeaveKind.choices)
    start_date = models.DateField(_("开始日期"))
    start_half = models.CharField(_("开始"), max_length=2, choices=Half.choices, default=Half.AM)
    end_date = models.DateField(_("结束日期"))
    end_half = models.CharField(_("结束"), max_length=2, choices=Half.choices, default=Half.PM)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    days = models.DecimalField(_("天数"), max_digits=6, decimal_places=1, default=Decimal("0"))
    days_citation = models.TextField(_("天数依据"), blank=True)
    # {"2026-12-03": "1", "2026-12-04": "0.5"}: the leave days of each working date (actual ones after 销假).
    day_breakdown = models.JSONField(_("按日天数"), default=dict, blank=True)
    reason = models.TextField(_("事由"), blank=True)
    handover_note = models.TextField(_("工作交接"), blank=True)
    event_title = models.CharField(_("活动名称"), max_length=200, blank=True)
    special_case = models.BooleanField(_("特殊情况"), default=False)
    special_reason = models.TextField(_("特殊情况说明"), blank=True)
    destination = models.CharField(_("外出地点"), max_length=200, blank=True)
    purpose = models.CharField(_("外出事由"), max_length=200, blank=True)
    expected_return_at = models.DateTimeField(_("预计返回"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=LeaveStatus.choices, default=LeaveStatus.DRAFT)
    approval_request = models.ForeignKey(
        "approvals.ApprovalRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("审批单"),
    )
    route_citation = models.TextField(_("审批依据"), blank=True)
    decision_citation = models.TextField(_("决定依据"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    actual_return_at = models.DateTimeField(_("实际返岗"), null=True, blank=True)
    actual_days = models.DecimalField(_("实际天数"), max_digits=6, decimal_places=1, null=True, blank=True)
    closed_at = models.DateTimeField(_("销假时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("销假登记人"),
    )
    close_note = models.CharField(_("销假说明"), max_length=300, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("填报人")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ("-start_date", "-id")
        verbose_name = _("请假申请")
        verbose_name_plural = _("请假申请")
        permissions = [("manage_leave", "可管理年休假标准与请假登记（销假）")]
        indexes = [
            # approved_absences / overlap: a person's (or a center's) leave by status and time.
            models.Index(fields=["staff", "status", "starts_at"], name="leave_staff_status_idx"),
            models.Index(fields=["organization", "status", "starts_at"], name="leave_org_status_idx"),
            models.Index(fields=["organization", "-start_date"], name="leave_org_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(name="leave_ends_after_start", condition=Q(ends_at__gt=models.F("starts_at"))),
            models.CheckConstraint(name="leave_days_not_negative", condition=Q(days__gte=0)),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} {self.start_date:%Y-%m-%d}"

    @property
    def effective_ends_at(self) -> datetime:
        """The end of the absence: the actual return when closed early (销假), else the planned end."""
        if self.actual_return_at is not None and self.actual_return_at < self.ends_at:
            return self.actual_return_at
        return self.ends_at


def attachment_path(instance: LeaveAttachment, filename: str) -> str:
    # Never the uploaded name (it may carry a path or a misleading extension): the checked type decides.
    suffix = ".pdf" if instance.content_type == "application/pdf" else f".{instance.content_type.split('/')[-1]}"
    return f"leave/{instance.request_id}/{instance.sha256[:16]}{suffix}"


class LeaveAttachment(TimeStampedModel):
    """A file attached to a leave request — the doctor's certificate (病历证明, LEV-06). Never served publicly:
    the download view checks the viewer's scope. Replaced, never deleted (`is_active`)."""

    request = models.ForeignKey(
        LeaveRequest, on_delete=models.PROTECT, related_name="attachments", verbose_name=_("请假申请")
    )
    file = models.FileField(_("文件"), upload_to=attachment_path)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=50)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人")
    )
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        ordering = ("request_id", "-created_at", "-id")
        verbose_name = _("病历证明")
        verbose_name_plural = _("病历证明")

    def __str__(self) -> str:
        return self.original_name


class AnnualLeaveEntitlement(TimeStampedModel):
    """G-14: one row of a center's annual-leave table: from `min_service_years` of service, `days` a year.

    The row with the largest `min_service_years` not above a person's service applies. Rows are deactivated,
    never deleted.
    """

    organization = models.ForeignKey(
        "org.Organization", on_delete=models.PROTECT, related_name="annual_leave_rows", verbose_name=_("中心")
    )
    min_service_years = models.PositiveSmallIntegerField(_("工龄满（年）"))
    days = models.DecimalField(
        _("年休假天数"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0"))]
    )
    is_active = models.BooleanField(_("有效"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ("organization_id", "min_service_years")
        verbose_name = _("年休假标准")
        verbose_name_plural = _("年休假标准")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "min_service_years"],
                condition=Q(is_active=True),
                name="leave_entitlement_active_uniq",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.min_service_years}年 → {self.days}天"
