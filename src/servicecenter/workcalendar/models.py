"""What an admin enters into a center's business calendar (DESIGN.md §3, C-01, C-02).

The regular hours are not stored here: they are the policy parameters `attendance.business_hours`,
`attendance.open_days` and `attendance.round_the_clock` (ATT-01, ATT-21, ATT-34), read with their effective dates.
These tables hold the dated exceptions: named seasons, one-day overrides and statutory holidays for years that
`chinesecalendar` does not know yet. Rows are never deleted; they are deactivated (`is_active`).
`selectors.calendar_for()` turns them into one `engine.BusinessCalendar` per center configuration.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from servicecenter.core.models import TimeStampedModel
from servicecenter.policy.types import TYPES

from .choices import SeasonOpenOn


def validate_time_ranges(value: Any) -> None:
    """A JSON list of ["HH:MM", "HH:MM"] periods, sorted and not overlapping (the policy type `time_ranges`)."""
    try:
        TYPES["time_ranges"].validate(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(str(exc), code="time_ranges") from None


class Season(TimeStampedModel):
    """A named date range of one organization whose hours replace the regular ones (C-02), e.g. 供暖期 (heating
    season, ATT-17: 24-hour duty) or 夏季 06:30–22:30; `start_date`..`end_date` inclusive.

    Entered by an admin per center per year. Inherited by the organization's subtree (ORG-21): for a date, the
    season of the nearest organization wins. Two active seasons of one organization never overlap (services).
    """

    organization = models.ForeignKey(
        "org.Organization", on_delete=models.PROTECT, related_name="calendar_seasons", verbose_name=_("组织")
    )
    name = models.CharField(_("名称"), max_length=50)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    periods = models.JSONField(
        _("营业时段"), default=list, blank=True, help_text=_('如 [["06:30", "22:30"]]；24 小时值班时留空')
    )
    round_the_clock = models.BooleanField(_("24 小时"), default=False)
    open_on = models.CharField(_("营业日"), max_length=20, choices=SeasonOpenOn.choices, default="", blank=True)
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        ordering = ("start_date", "id")
        verbose_name = _("季节")
        verbose_name_plural = _("季节")
        # The built-in roles (org/roles.py) grant these two; they cover the whole calendar, not only seasons.
        permissions = [
            ("view_calendar", "Can view the business calendar"),
            ("change_calendar", "Can change the business calendar (seasons, overrides, holidays)"),
        ]
        constraints = [
            models.CheckConstraint(name="season_end_not_before_start", condition=Q(end_date__gte=F("start_date"))),
        ]
        indexes = [models.Index(fields=["organization", "is_active", "start_date"], name="season_org_active_idx")]

    def __str__(self) -> str:
        return f"{self.name}（{self.start_date:%Y-%m-%d} 至 {self.end_date:%Y-%m-%d}）"

    def clean(self) -> None:
        if self.round_the_clock:
            if self.periods:
                raise ValidationError({"periods": _("24 小时值班的季节不填营业时段")})
        else:
            try:
                validate_time_ranges(self.periods)
            except ValidationError as exc:
                raise ValidationError({"periods": exc.messages}) from None


class DateOverride(TimeStampedModel):
    """A local decision for one date of one organization (C-01): closed (e.g. 设备检修停业), or open — with its
    own periods, or with the regular ones on a day that would otherwise be closed (e.g. a Sunday service day).

    Inherited by the subtree; the nearest organization's override wins. One active override per organization
    and date.
    """

    organization = models.ForeignKey(
        "org.Organization", on_delete=models.PROTECT, related_name="calendar_overrides", verbose_name=_("组织")
    )
    date = models.DateField(_("日期"))
    is_open = models.BooleanField(_("营业"), default=False)
    periods = models.JSONField(_("营业时段"), null=True, blank=True, help_text=_("留空 = 按常规时段"))
    name = models.CharField(_("事由"), max_length=100)
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        ordering = ("date", "id")
        verbose_name = _("特殊安排")
        verbose_name_plural = _("特殊安排")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "date"], condition=Q(is_active=True), name="dateoverride_unique_active"
            ),
            models.CheckConstraint(
                name="dateoverride_closed_has_no_periods", condition=Q(is_open=True) | Q(periods__isnull=True)
            ),
        ]
        indexes = [models.Index(fields=["organization", "is_active", "date"], name="override_org_active_idx")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"

    def clean(self) -> None:
        if self.periods is None:
            return
        if not self.is_open:
            raise ValidationError({"periods": _("休息日不填营业时段")})
        try:
            validate_time_ranges(self.periods)
        except ValidationError as exc:
            raise ValidationError({"periods": exc.messages}) from None


class StatutoryHoliday(TimeStampedModel):
    """An admin-entered statutory holiday (`is_workday=False`) or make-up workday (调休, `is_workday=True`).

    For years `chinesecalendar` does not cover yet (the calendar page warns); for covered years an entry takes
    precedence over the library (a correction). `organization` is the root of an organization tree (the company):
    the entry applies to the whole tree; None = the whole installation. The nearest entry wins for a date.
    """

    organization = models.ForeignKey(
        "org.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="statutory_holidays",
        verbose_name=_("适用组织"),
    )
    date = models.DateField(_("日期"))
    name = models.CharField(_("节日"), max_length=50)
    is_workday = models.BooleanField(_("调休上班"), default=False)
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        ordering = ("date", "id")
        verbose_name = _("法定节假日")
        verbose_name_plural = _("法定节假日")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "date"], condition=Q(is_active=True), name="holiday_unique_active"
            ),
            # NULLs are distinct in a unique index: installation-wide entries need their own constraint.
            models.UniqueConstraint(
                fields=["date"], condition=Q(is_active=True, organization__isnull=True), name="holiday_unique_global"
            ),
        ]
        indexes = [models.Index(fields=["is_active", "date"], name="holiday_active_date_idx")]

    def __str__(self) -> str:
        kind = "调休上班" if self.is_workday else "放假"
        return f"{self.date:%Y-%m-%d} {self.name}（{kind}）"
