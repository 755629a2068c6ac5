"""Shift templates, monthly rosters (排班/排休), shift swaps, handover notes and the on-call roster (issue 5).

A published roster is never edited in place (data is sacred): a change — the manager's correction or an approved
swap (ATT-20) — copies it into a new version, the old one becomes `superseded`. Exactly one roster of a center and
month is published at a time; at most one draft exists beside it.
"""

from __future__ import annotations

from datetime import date, time

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servicecenter.core.models import TimeStampedModel


class RosterStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    SUPERSEDED = "superseded", _("已被新版本取代")


class SwapStatus(models.TextChoices):
    AWAITING_CONSENT = "awaiting_consent", _("待对方同意")
    DECLINED = "declined", _("对方已拒绝")
    PENDING_APPROVAL = "pending_approval", _("待审批")
    APPROVED = "approved", _("已批准，已调班")
    REJECTED = "rejected", _("审批未通过")
    WITHDRAWN = "withdrawn", _("已撤回")


def parse_clock(text: str) -> time:
    """«08:30» → time(8, 30); «24:00» → time(0) (the end of a day)."""
    hours, minutes = (int(part) for part in text.split(":"))
    if hours == 24 and minutes == 0:
        return time(0)
    return time(hours, minutes)


def period_minutes(start: str, end: str) -> int:
    """Length of a local period in minutes; an end at or before the start crosses midnight (08:00–08:00 = 24 h)."""
    a, b = parse_clock(start), parse_clock(end)
    first = a.hour * 60 + a.minute
    last = b.hour * 60 + b.minute
    return (last - first) % 1440 or 1440


class ShiftTemplate(TimeStampedModel):
    """One kind of shift of a center: 早班 08:30–16:30, 政务大厅 08:30–11:30 + 14:30–17:30, 24 小时倒班 …

    `periods` are local wall times `[["08:30", "16:30"], …]`; a period whose end is at or before its start
    ends the next day (24-h rotation 08:00–08:00). `sign_in_window` (ATT-22) is `[["08:00", "08:30"]]` or empty.
    `check_workday_hours` switches on the ATT-07 8-hour check for this template (C-17: only where configured).
    """

    organization = models.ForeignKey(
        "org.Organization", on_delete=models.PROTECT, related_name="shift_templates", verbose_name=_("服务中心")
    )
    code = models.CharField(
        _("代码"), max_length=20, help_text=_("如 EARLY、LATE、SPLIT、R24、ONCALL（字母、数字、连字符）")
    )
    label = models.CharField(_("名称"), max_length=40)
    periods = models.JSONField(_("时段"), default=list)
    sign_in_window = models.JSONField(_("签到时段"), default=list, blank=True)
    on_call = models.BooleanField(_("值班（随叫随到）"), default=False)
    check_workday_hours = models.BooleanField(_("按每日工时检查"), default=True)
    counts_for_coverage = models.BooleanField(_("计入营业时间在岗"), default=True)
    rank = models.PositiveSmallIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ("organization", "rank", "code")
        verbose_name = _("班次模板")
        verbose_name_plural = _("班次模板")
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="shifttemplate_org_code_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.label}（{self.periods_text}）"

    @property
    def periods_text(self) -> str:
        return "、".join(f"{a}–{b}" for a, b in self.periods)

    @property
    def sign_in_text(self) -> str:
        return "、".join(f"{a}–{b}" for a, b in (self.sign_in_window or []))

    @property
    def minutes(self) -> int:
        return sum(period_minutes(a, b) for a, b in self.periods)

    @property
    def minutes_as_hours(self) -> float:
        return self.minutes / 60

    @property
    def hours_text(self) -> str:
        hours = self.minutes / 60
        return f"{hours:g}"


class Roster(TimeStampedModel):
    """The shifts and rest days of one center for one month, in one version."""

    organization = models.ForeignKey(
        "org.Organization", on_delete=models.PROTECT, related_name="rosters", verbose_name=_("服务中心")
    )
    month = models.DateField(_("月份"), help_text=_("该月 1 日"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    status = models.CharField(_("状态"), max_length=20, choices=RosterStatus.choices, default=RosterStatus.DRAFT)
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("基于版本")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("发布人"),
    )
    superseded_at = models.DateTimeField(_("取代时间"), null=True, blank=True)
    change_note = models.CharField(_("变更说明"), max_length=300, blank=True)
    publish_warnings = models.JSONField(_("发布时确认的提示"), default=list, blank=True)

    class Meta:
        ordering = ("-month", "organization", "-version")
        verbose_name = _("排班表")
        verbose_name_plural = _("排班表")
        permissions = [
            ("manage_roster", "可维护班次模板、编排和发布排班表"),
            ("request_swap", "可申请调班"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["organization", "month", "version"], name="roster_org_month_version_uniq"),
            models.UniqueConstraint(
                fields=["organization", "month"],
                condition=Q(status="published"),
                name="roster_one_published_per_month",
            ),
            models.UniqueConstraint(
                fields=["organization", "month"], condition=Q(status="draft"), name="roster_one_draft_per_month"
            ),
            models.CheckConstraint(name="roster_month_first_day", condition=Q(month__day=1)),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.month:%Y-%m} v{self.version}"

    @property
    def month_label(self) -> str:
        return f"{self.month.year}年{self.month.month}月"

    @property
    def is_draft(self) -> bool:
        return self.status == RosterStatus.DRAFT

    @property
    def last_day(self) -> date:
        import calendar

        return self.month.replace(day=calendar.monthrange(self.month.year, self.month.month)[1])


class RosterEntry(models.Model):
    """One staff member on one day of a roster: a shift, or a rest day (`shift` empty). No row = not scheduled."""

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="entries", verbose_name=_("排班表"))
    staff = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="roster_entries")
    day = models.DateField(_("日期"))
    shift = models.ForeignKey(
        ShiftTemplate, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("班次")
    )
    reason = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        ordering = ("roster", "staff__staff_no", "day")
        verbose_name = _("排班条目")
        verbose_name_plural = _("排班条目")
        constraints = [models.UniqueConstraint(fields=["roster", "staff", "day"], name="rosterentry_uniq")]
        indexes = [models.Index(fields=["staff", "day"], name="rosterentry_staff_day_idx")]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.day} {self.shift_id or 'REST'}"

    @property
    def is_rest(self) -> bool:
        return self.shift_id is None


class SwapRequest(TimeStampedModel):
    """A shift swap asked by both parties (ATT-20): the requester asks, the counterpart consents, then the approval
    engine (kind "shift_swap") decides; only an approval changes the roster (as a new version).

    The swap exchanges the two people's assignments on `requester_day` and on `counterpart_day` (one day when equal).
    """

    organization = models.ForeignKey(
        "org.Organization", on_delete=models.PROTECT, related_name="swap_requests", verbose_name=_("服务中心")
    )
    roster = models.ForeignKey(Roster, on_delete=models.PROTECT, related_name="swap_requests", verbose_name=_("排班表"))
    requester = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="swap_requests_made", verbose_name=_("申请人")
    )
    counterpart = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="swap_requests_received", verbose_name=_("对调人")
    )
    requester_day = models.DateField(_("申请人日期"))
    counterpart_day = models.DateField(_("对调人日期"))
    requester_shift = models.CharField(_("申请人原班次"), max_length=40, blank=True)
    counterpart_shift = models.CharField(_("对调人原班次"), max_length=40, blank=True)
    reason = models.CharField(_("原因"), max_length=300)
    status = models.CharField(_("状态"), max_length=20, choices=SwapStatus.choices, default=SwapStatus.AWAITING_CONSENT)
    consented_at = models.DateTimeField(_("同意时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    approval = models.ForeignKey(
        "approvals.ApprovalRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("审批单"),
    )
    applied_roster = models.ForeignKey(
        Roster, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("调班后版本")
    )

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("调班申请")
        verbose_name_plural = _("调班申请")

    def __str__(self) -> str:
        return f"调班 #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in (SwapStatus.AWAITING_CONSENT, SwapStatus.PENDING_APPROVAL)


class HandoverNote(TimeStampedModel):
    """交接班记录 (ATT-19): written by the outgoing agent, acknowledged by the incoming one."""

    organization = models.ForeignKey(
        "org.Organization", on_delete=models.PROTECT, related_name="handover_notes", verbose_name=_("服务中心")
    )
    from_staff = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="handovers_given", verbose_name=_("交班人")
    )
    to_staff = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="handovers_received", verbose_name=_("接班人")
    )
    day = models.DateField(_("交班日期"))
    shift = models.ForeignKey(
        ShiftTemplate, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("交班班次")
    )
    open_orders = models.TextField(_("未完成工单"), blank=True)
    pending_callbacks = models.TextField(_("待回访"), blank=True)
    incidents = models.TextField(_("异常情况"), blank=True)
    text = models.TextField(_("其他事项"), blank=True)
    acknowledged_at = models.DateTimeField(_("接班确认时间"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("交接班记录")
        verbose_name_plural = _("交接班记录")
        indexes = [models.Index(fields=["to_staff", "acknowledged_at"], name="handover_to_ack_idx")]

    def __str__(self) -> str:
        return f"交接班 #{self.pk}"


class OnCallEntry(TimeStampedModel):
    """One night/day of on-call duty (值班, ATT-35 / C-24): who, which day, which mobile number to call.

    A separate roster from the attendance roster: on-call duty produces no attendance result by itself.
    Withdrawn entries stay (is_active False) for history.
    """

    organization = models.ForeignKey(
        "org.Organization", on_delete=models.PROTECT, related_name="on_call_entries", verbose_name=_("服务中心")
    )
    staff = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="on_call_entries")
    day = models.DateField(_("日期"))
    shift = models.ForeignKey(ShiftTemplate, on_delete=models.PROTECT, related_name="+", verbose_name=_("值班班次"))
    mobile = models.CharField(_("值班手机"), max_length=20)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        ordering = ("day", "organization", "id")
        verbose_name = _("值班安排")
        verbose_name_plural = _("值班安排")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "staff", "day"], condition=Q(is_active=True), name="oncall_active_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"值班 {self.day} {self.staff_id}"
