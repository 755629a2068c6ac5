"""Choices of the business calendar: season day rules and the labels of the official day kinds (C-01, C-02)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .engine import DayKind


class SeasonOpenOn(models.TextChoices):
    """Which days a season is open on; "" keeps the center's own rule (attendance.open_days)."""

    INHERIT = "", _("沿用常规营业日")
    ALL_DAYS = "all_days", _("每天（含周末节假日）")
    WORKDAYS = "workdays", _("仅法定工作日（含调休上班日）")


DAY_KIND_LABELS = {
    DayKind.WORKDAY: _("工作日"),
    DayKind.WEEKEND: _("周末"),
    DayKind.HOLIDAY: _("法定节假日"),
    DayKind.MAKEUP_WORKDAY: _("调休上班"),
}
"""What the calendar page and the API call each official day kind (engine.DayKind codes are stored/returned)."""
