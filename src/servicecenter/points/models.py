"""The points ledger (DESIGN.md §2.6): append-only entries, the daily check, the monthly recheck and lock, instant
rewards and after-lock reversal requests that go through approval, and the archive of board postings (PUB-14).

An entry's points, staff, day and source never change after it is written; a correction is a new entry that
`reverses` the original (−points). The only field that moves is `status` (draft → verified, PTS-04).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servicecenter.core.models import TimeStampedModel

from .choices import RULE_LABELS, Category, EntryStatus, MonthStatus, RequestStatus, Source


class PointEntry(models.Model):
    # Few, chosen indexes (5M rows, every verification rewrites them): the FK columns are covered by the composite
    # indexes below, so no single-column index is created for them.
    organization = models.ForeignKey(
        "org.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("服务中心"), db_index=False
    )
    staff = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="point_entries", verbose_name=_("员工"), db_index=False
    )
    day = models.DateField(_("积分日期"))
    points = models.DecimalField(_("积分"), max_digits=8, decimal_places=2)
    category = models.CharField(_("类别"), max_length=10, choices=Category.choices)
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    source_id = models.BigIntegerField(_("来源记录"), null=True, blank=True)
    source_label = models.CharField(_("来源说明"), max_length=120, blank=True)
    rule = models.CharField(_("规则"), max_length=60)
    clause = models.CharField(_("依据条款"), max_length=100)
    citation = models.TextField(_("依据"), blank=True)
    key = models.CharField(_("幂等键"), max_length=160)  # unique: Meta.constraints (no LIKE index needed)
    status = models.CharField(_("状态"), max_length=10, choices=EntryStatus.choices, default=EntryStatus.DRAFT)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    verified_at = models.DateTimeField(_("核对时间"), null=True, blank=True)
    # At most one reversal per entry: a partial unique constraint (the column is empty on almost every row).
    reverses = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
        verbose_name=_("冲正原记录"),
        db_index=False,
    )
    reason = models.CharField(_("冲正原因"), max_length=300, blank=True)
    after_lock = models.BooleanField(_("锁定后冲正"), default=False)
    approval = models.ForeignKey(
        "approvals.ApprovalRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(_("记账时间"))

    class Meta:
        ordering = ("day", "staff_id", "id")
        verbose_name = _("积分记录")
        verbose_name_plural = _("积分记录")
        permissions = [
            ("view_board", "可查看积分公示"),
            ("view_ledger", "可查看积分明细与考评"),
            ("verify_points", "可核对每日积分"),
            ("manage_points", "可复核锁定月度积分、登记及时奖励、冲正"),
        ]
        indexes = [
            # The board and the daily check read one center's days: covering, so 5M rows stay index-only.
            models.Index(
                fields=["organization", "day"],
                name="pointentry_org_day_idx",
                include=["staff", "points", "category", "status"],
            ),
            models.Index(fields=["staff", "day"], name="pointentry_staff_day_idx"),
            models.Index(
                fields=["organization", "day"],
                name="pointentry_org_draft_idx",
                condition=Q(status="draft"),
            ),
            # The board and the sheet of a locked month list its after-lock reversals (usually none).
            models.Index(
                fields=["organization", "day"],
                name="pointentry_org_afterlock_idx",
                condition=Q(after_lock=True),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["key"], name="pointentry_key_uniq"),
            models.UniqueConstraint(
                fields=["reverses"], condition=Q(reverses__isnull=False), name="pointentry_one_reversal_uniq"
            ),
            models.CheckConstraint(
                name="pointentry_reversal_has_reason", condition=Q(reverses__isnull=True) | ~Q(reason="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.staff_id} {self.points:+}"

    @property
    def rule_label(self) -> str:
        """The rule in words («迟到», «工单完工回单»), or its code when it has no label."""
        return str(RULE_LABELS.get(self.rule, self.rule))

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None


class DailyCheck(TimeStampedModel):
    """One center's day: verified by whom and when (PTS-04), the shift-end alert and the next morning's summary
    (PTS-06) with the recipients it went to."""

    organization = models.ForeignKey("org.Organization", on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("日期"))
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(_("核对时间"), null=True, blank=True)
    verified_count = models.PositiveIntegerField(_("核对条数"), default=0)
    alerted_at = models.DateTimeField(_("未核对提醒时间"), null=True, blank=True)
    summary_sent_at = models.DateTimeField(_("汇报发送时间"), null=True, blank=True)
    summary_recipients = models.JSONField(_("汇报对象"), default=dict, blank=True)
    summary_body = models.TextField(_("汇报内容"), blank=True)

    class Meta:
        ordering = ("-day",)
        verbose_name = _("每日积分核对")
        verbose_name_plural = _("每日积分核对")
        constraints = [models.UniqueConstraint(fields=["organization", "day"], name="dailycheck_org_day_uniq")]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.day}"


class MonthClose(TimeStampedModel):
    """The previous month's recheck and lock (PTS-09, C-08): reminders from the 1st, overdue after the 5th; the
    lock freezes a snapshot of every staff member's totals, against which later reversals show."""

    organization = models.ForeignKey("org.Organization", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("月份"))
    status = models.CharField(_("状态"), max_length=10, choices=MonthStatus.choices, default=MonthStatus.OPEN)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    locked_at = models.DateTimeField(_("锁定时间"), null=True, blank=True)
    note = models.CharField(_("复核说明"), max_length=300, blank=True)
    snapshot = models.JSONField(_("锁定时积分"), default=dict, blank=True)
    settled_at = models.DateTimeField(_("月末结算时间"), null=True, blank=True)
    reminded_on = models.DateField(_("最近提醒日期"), null=True, blank=True)
    overdue_alerted_at = models.DateTimeField(_("逾期提醒时间"), null=True, blank=True)

    class Meta:
        ordering = ("-month",)
        verbose_name = _("月度积分复核")
        verbose_name_plural = _("月度积分复核")
        constraints = [
            models.UniqueConstraint(fields=["organization", "month"], name="monthclose_org_month_uniq"),
            models.CheckConstraint(name="monthclose_first_day", condition=Q(month__day=1)),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.month:%Y-%m}"


class InstantReward(TimeStampedModel):
    """及时奖励 (PTS-28): points or an amount in yuan for a staff member, approved by the center manager; approved
    points become an auxiliary reward entry, an amount goes to the payroll sheet."""

    organization = models.ForeignKey("org.Organization", on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="instant_rewards")
    day = models.DateField(_("日期"))
    points = models.DecimalField(_("奖励积分"), max_digits=8, decimal_places=2, null=True, blank=True)
    amount_cny = models.DecimalField(_("奖励金额（元）"), max_digits=10, decimal_places=2, null=True, blank=True)
    reason = models.CharField(_("奖励事由"), max_length=300)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    approval = models.ForeignKey(
        "approvals.ApprovalRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entry = models.OneToOneField(PointEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ("-day", "-id")
        verbose_name = _("及时奖励")
        verbose_name_plural = _("及时奖励")
        indexes = [models.Index(fields=["organization", "day"], name="instantreward_org_day_idx")]
        constraints = [
            models.CheckConstraint(
                name="instantreward_points_or_amount",
                condition=Q(points__isnull=False) | Q(amount_cny__isnull=False),
            ),
            models.CheckConstraint(
                name="instantreward_positive",
                condition=(Q(points__isnull=True) | Q(points__gt=Decimal("0")))
                & (Q(amount_cny__isnull=True) | Q(amount_cny__gt=Decimal("0"))),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.reason}"


class ReversalRequest(TimeStampedModel):
    """A correction of an entry in a locked month (PTS-09): only as a reversing entry, approved by the manager."""

    entry = models.ForeignKey(PointEntry, on_delete=models.PROTECT, related_name="reversal_requests")
    reason = models.CharField(_("冲正原因"), max_length=300)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    approval = models.ForeignKey(
        "approvals.ApprovalRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reversal = models.OneToOneField(PointEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("锁定后冲正申请")
        verbose_name_plural = _("锁定后冲正申请")
        constraints = [
            models.UniqueConstraint(
                fields=["entry"], condition=Q(status="pending"), name="reversalrequest_one_pending_per_entry"
            )
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.reason}"


class BoardPosting(models.Model):
    """One posting of a center's points board (PUB-14): the rows as posted, the period and the "posted at" time."""

    organization = models.ForeignKey("org.Organization", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("月份"))
    day = models.DateField(_("截至日期"))
    posted_at = models.DateTimeField(_("公示时间"))
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rows = models.JSONField(_("公示内容"), default=list)
    totals = models.JSONField(_("合计"), default=dict)

    class Meta:
        ordering = ("-posted_at", "-id")
        verbose_name = _("积分公示存档")
        verbose_name_plural = _("积分公示存档")
        indexes = [models.Index(fields=["organization", "-posted_at"], name="boardposting_org_posted_idx")]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.day} {self.posted_at:%Y-%m-%d %H:%M}"
