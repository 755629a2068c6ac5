"""Attendance: punches, daily results, violations, events (REQUIREMENTS.md §3.2 ATT, CON-14, C-06, C-23, C-24).

Nothing here is deleted: a refused punch stays with its reason, a recomputed result keeps its history in the audit
log, a withdrawn violation keeps its row with `status = withdrawn`.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servicecenter.core.models import TimeStampedModel

from .choices import (
    CorrectionStatus,
    EventAttendanceStatus,
    EventKind,
    PunchKind,
    PunchSource,
    ResultStatus,
    ViolationStatus,
    ViolationType,
)


class Punch(TimeStampedModel):
    """One clock-in or clock-out (ATT-03). `accepted = False` keeps a refused punch (outside the IP range or the
    geofence of the center) with the reason, as evidence; only accepted punches count."""

    staff = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="punches", verbose_name=_("员工"))
    organization = models.ForeignKey(
        "org.Organization", on_delete=models.PROTECT, related_name="punches", verbose_name=_("所属组织")
    )
    at = models.DateTimeField(_("打卡时间"))
    kind = models.CharField(_("类型"), max_length=10, choices=PunchKind.choices)
    source = models.CharField(_("来源"), max_length=20, choices=PunchSource.choices, default=PunchSource.WEB)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    accepted = models.BooleanField(_("有效"), default=True)
    refused_reason = models.CharField(_("拒绝原因"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("-at", "-id")
        verbose_name = _("打卡记录")
        verbose_name_plural = _("打卡记录")
        permissions = [("punch", "可打卡")]
        indexes = [
            models.Index(fields=["staff", "at"], name="punch_staff_at_idx"),
            models.Index(fields=["organization", "at"], name="punch_org_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class PunchCorrection(TimeStampedModel):
    """A missed-punch correction request (补卡, ATT-03): approved through the approvals engine; on approval a punch
    with source `correction` is added. At most `attendance.punch_corrections_per_month` per person and month."""

    staff = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="punch_corrections", verbose_name=_("员工")
    )
    organization = models.ForeignKey(
        "org.Organization", on_delete=models.PROTECT, related_name="punch_corrections", verbose_name=_("所属组织")
    )
    at = models.DateTimeField(_("补卡时间"))
    kind = models.CharField(_("类型"), max_length=10, choices=PunchKind.choices)
    reason = models.CharField(_("原因"), max_length=300)
    status = models.CharField(
        _("状态"), max_length=20, choices=CorrectionStatus.choices, default=CorrectionStatus.PENDING
    )
    approval = models.ForeignKey(
        "approvals.ApprovalRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    punch = models.OneToOneField(Punch, null=True, blank=True, on_delete=models.PROTECT, related_name="correction")
    citation = models.CharField(_("依据"), max_length=300, blank=True)

    class Meta:
        ordering = ("-at", "-id")
        verbose_name = _("补卡申请")
        verbose_name_plural = _("补卡申请")
        indexes = [models.Index(fields=["staff", "at"], name="punchcorr_staff_at_idx")]

    def __str__(self) -> str:
        return f"补卡 {self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"


class AttendanceResult(TimeStampedModel):
    """The attendance of one staff member on one local day, computed by `engine.compute_day` (ATT-03/04/05/18/22–24).

    `clause` names the rule that produced the status, `citation` explains it with the parameter values in force,
    `inputs_hash` fingerprints the inputs (shifts, punches, absences, parameters): a recomputation that finds the
    same hash and the same outcome writes nothing (reproducibility); one that changes the outcome is audited.
    """

    staff = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="attendance_results", verbose_name=_("员工")
    )
    organization = models.ForeignKey(
        "org.Organization", on_delete=models.PROTECT, related_name="attendance_results", verbose_name=_("所属组织")
    )
    day = models.DateField(_("日期"))
    status = models.CharField(_("考勤结果"), max_length=20, choices=ResultStatus.choices)
    shift_code = models.CharField(_("班次"), max_length=20, blank=True)
    shift_label = models.CharField(_("班次名称"), max_length=50, blank=True)
    scheduled_start = models.DateTimeField(_("应到时间"), null=True, blank=True)
    scheduled_end = models.DateTimeField(_("应退时间"), null=True, blank=True)
    first_in = models.DateTimeField(_("上班打卡"), null=True, blank=True)
    last_out = models.DateTimeField(_("下班打卡"), null=True, blank=True)
    minutes_late = models.PositiveIntegerField(_("迟到分钟"), default=0)
    minutes_early = models.PositiveIntegerField(_("早退分钟"), default=0)
    not_early = models.BooleanField(_("未提前到岗"), default=False)
    missed_sign_in = models.BooleanField(_("缺签"), default=False)
    missing_punch = models.BooleanField(_("缺卡"), default=False)
    absent_days = models.DecimalField(_("旷工天数"), max_digits=4, decimal_places=1, default=Decimal("0"))
    leave_kind = models.CharField(_("假别"), max_length=20, blank=True)
    fine_cny = models.DecimalField(_("罚款（元）"), max_digits=8, decimal_places=2, default=Decimal("0"))
    fines = models.JSONField(_("罚款明细"), default=list, blank=True)
    clause = models.CharField(_("依据条款"), max_length=100, blank=True)
    citation = models.TextField(_("依据"), blank=True)
    inputs_hash = models.CharField(_("输入指纹"), max_length=64)
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        ordering = ("day", "staff_id")
        verbose_name = _("考勤结果")
        verbose_name_plural = _("考勤结果")
        permissions = [
            ("view_results", "可查看管辖范围内的考勤结果"),
            ("manage_attendance", "可管理考勤：重算、登记违纪、活动考勤、审批补卡"),
        ]
        constraints = [models.UniqueConstraint(fields=["staff", "day"], name="attresult_staff_day_uniq")]
        indexes = [models.Index(fields=["organization", "day"], name="attresult_org_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.get_status_display()}"


class Violation(TimeStampedModel):
    """A discipline violation recorded by a manager (ATT-10…13, ATT-28, CON-14) with the monthly ladder applied:
    `ordinal` in the month, `units` of absenteeism (for the points issue, G-04), `escalated` (3rd → ops center)."""

    staff = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="violations", verbose_name=_("员工"))
    organization = models.ForeignKey(
        "org.Organization", on_delete=models.PROTECT, related_name="violations", verbose_name=_("所属组织")
    )
    day = models.DateField(_("发生日期"))
    type = models.CharField(_("违纪类型"), max_length=30, choices=ViolationType.choices)
    description = models.TextField(_("情况说明"), blank=True)
    evidence_text = models.TextField(_("证据说明"), blank=True)
    evidence_photo = models.FileField(_("证据照片"), upload_to="attendance/violations/%Y/%m/", blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    ordinal = models.PositiveSmallIntegerField(_("本月第几次"), default=1)
    units = models.DecimalField(_("旷工单位"), max_digits=4, decimal_places=1, default=Decimal("0"))
    escalated = models.BooleanField(_("已上报"), default=False)
    escalation = models.ForeignKey(
        "approvals.ApprovalRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    clause = models.CharField(_("依据条款"), max_length=100, blank=True)
    citation = models.TextField(_("依据"), blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=ViolationStatus.choices, default=ViolationStatus.ACTIVE)

    class Meta:
        ordering = ("-day", "-id")
        verbose_name = _("违纪记录")
        verbose_name_plural = _("违纪记录")
        indexes = [models.Index(fields=["organization", "day"], name="violation_org_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.get_type_display()}"


class AttendanceEvent(TimeStampedModel):
    """A training, meeting or team building with an attendance list (ATT-14…16, INS-26, C-23)."""

    organization = models.ForeignKey(
        "org.Organization", on_delete=models.PROTECT, related_name="attendance_events", verbose_name=_("所属组织")
    )
    kind = models.CharField(_("类型"), max_length=20, choices=EventKind.choices)
    title = models.CharField(_("名称"), max_length=100)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    location = models.CharField(_("地点"), max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("结算时间"), null=True, blank=True)

    class Meta:
        ordering = ("-starts_at", "-id")
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        constraints = [
            models.CheckConstraint(name="attevent_ends_after_start", condition=Q(ends_at__gt=models.F("starts_at")))
        ]

    def __str__(self) -> str:
        return self.title


class EventAttendance(TimeStampedModel):
    """One person on an event's list, with check-in/out and the result (ATT-15 late, ATT-16 no-show)."""

    event = models.ForeignKey(AttendanceEvent, on_delete=models.PROTECT, related_name="attendances")
    staff = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="event_attendances")
    checked_in_at = models.DateTimeField(_("签到"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("签退"), null=True, blank=True)
    status = models.CharField(
        _("结果"), max_length=20, choices=EventAttendanceStatus.choices, default=EventAttendanceStatus.PENDING
    )
    units = models.DecimalField(_("计单位"), max_digits=4, decimal_places=1, default=Decimal("0"))
    clause = models.CharField(_("依据条款"), max_length=100, blank=True)
    citation = models.TextField(_("依据"), blank=True)

    class Meta:
        ordering = ("event_id", "staff_id")
        verbose_name = _("活动考勤")
        verbose_name_plural = _("活动考勤")
        constraints = [models.UniqueConstraint(fields=["event", "staff"], name="eventatt_event_staff_uniq")]

    def __str__(self) -> str:
        return f"{self.event_id}/{self.staff_id} {self.get_status_display()}"
