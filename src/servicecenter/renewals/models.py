"""Renewal call lists (CB-11) and their calls: what the renewal specialist works through and what the month's
renewal rate and points (PTS-12…PTS-17) are computed from.

A `RenewalImport` is one uploaded .xlsx (kept with its checked rows, like org.StaffImport); confirming it creates
one `RenewalRow` per valid row. Each call on a row appends a `RenewalCall` (append-only); the row carries the latest
call's outcome, so the month result reads rows only. Writes go through `renewals.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servicecenter.core.models import TimeStampedModel

from .choices import ImportStatus, ListKind, Outcome


class RenewalImport(TimeStampedModel):
    """One upload of a call list for a center, a month and a list kind.

    `rows` is a list of `{"row": <sheet row>, "values": {column key: text}, "errors": [[column, message]],
    "row_id": <RenewalRow id once imported>}`. Never deleted: a finished import stays committed or cancelled."""

    organization = models.ForeignKey(
        "org.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("服务中心")
    )
    kind = models.CharField(_("名单类型"), max_length=12, choices=ListKind.choices)
    month = models.DateField(_("月份"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("导入人")
    )
    file_name = models.CharField(_("文件名"), max_length=255)
    status = models.CharField(_("状态"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.VALIDATED)
    rows = models.JSONField(_("数据行"), default=list, blank=True)
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    valid_rows = models.PositiveIntegerField(_("有效行数"), default=0)
    created_count = models.PositiveIntegerField(_("已导入户数"), default=0)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("续费名单导入")
        verbose_name_plural = _("续费名单导入")
        indexes = [models.Index(fields=["organization", "-created_at"], name="renewalimport_org_idx")]
        constraints = [models.CheckConstraint(name="renewalimport_first_day", condition=Q(month__day=1))]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.month:%Y-%m}）"

    @property
    def invalid_rows(self) -> int:
        return self.total_rows - self.valid_rows


class RenewalRow(TimeStampedModel):
    """One household on a month's call list (CB-11): the subscriber, the current product tier, the specialist it
    is assigned to, and the outcome of the latest call (blank = not called yet)."""

    organization = models.ForeignKey(
        "org.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("服务中心")
    )
    month = models.DateField(_("月份"))
    kind = models.CharField(_("名单类型"), max_length=12, choices=ListKind.choices)
    subscriber_no = models.CharField(_("用户编号"), max_length=40)
    name = models.CharField(_("姓名"), max_length=100)
    phone = models.CharField(_("电话"), max_length=20, blank=True)
    tier = models.CharField(_("当前产品"), max_length=20)
    due_date = models.DateField(_("到期日期"), null=True, blank=True)
    assignee = models.ForeignKey(
        "org.Staff",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewal_rows",
        verbose_name=_("续费专员"),
    )
    outcome = models.CharField(_("回访结果"), max_length=12, choices=Outcome.choices, blank=True)
    new_tier = models.CharField(_("新产品"), max_length=20, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome_at = models.DateTimeField(_("登记时间"), null=True, blank=True)
    calls = models.PositiveSmallIntegerField(_("回访次数"), default=0)
    version = models.PositiveIntegerField(default=1, editable=False)
    source = models.ForeignKey(
        RenewalImport, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("导入批次")
    )

    class Meta:
        ordering = ("month", "kind", "id")
        verbose_name = _("续费回访名单")
        verbose_name_plural = _("续费回访名单")
        permissions = [
            ("make_renewal_call", "可进行续费回访"),
            ("manage_renewals", "可导入续费名单、查看本中心续费率"),
        ]
        indexes = [
            # The call list: one center-month, the specialist's rows, pending first.
            models.Index(fields=["organization", "month", "assignee", "outcome"], name="renewalrow_list_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "month", "kind", "subscriber_no"], name="renewalrow_one_per_list"
            ),
            models.CheckConstraint(name="renewalrow_first_day", condition=Q(month__day=1)),
        ]

    def __str__(self) -> str:
        return f"{self.subscriber_no} {self.name}"


class RenewalCall(models.Model):
    """One call on a row (append-only): its outcome, the new tier, the note, who called and when. A correction is
    a later call; the latest one counts."""

    row = models.ForeignKey(RenewalRow, on_delete=models.PROTECT, related_name="call_log", verbose_name=_("名单行"))
    outcome = models.CharField(_("回访结果"), max_length=12, choices=Outcome.choices)
    new_tier = models.CharField(_("新产品"), max_length=20, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    called_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    called_at = models.DateTimeField(_("登记时间"))
    is_correction = models.BooleanField(_("更正"), default=False)

    class Meta:
        ordering = ("row_id", "called_at", "id")
        verbose_name = _("续费回访记录")
        verbose_name_plural = _("续费回访记录")
        indexes = [models.Index(fields=["row", "called_at"], name="renewalcall_row_idx")]

    def __str__(self) -> str:
        return f"{self.row_id} {self.outcome}"
