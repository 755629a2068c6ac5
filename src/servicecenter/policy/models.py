"""Regulations, their clauses, and dated per-organization values of policy parameters (DESIGN.md §2.2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from servicecenter.core.models import TimeStampedModel


class Regulation(TimeStampedModel):
    """A written regulation (管理制度) in force at an organization and below it (ORG-18, ORG-21).

    `organization` None = applies to the whole installation. A new version is a new row; the old one is
    deactivated, never edited away.
    """

    organization = models.ForeignKey(
        "org.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="regulations",
        verbose_name=_("适用组织"),
    )
    code = models.SlugField(_("编码"), max_length=40)
    title = models.CharField(_("名称"), max_length=200)
    version = models.CharField(_("版本"), max_length=20, default="1")
    effective_date = models.DateField(_("生效日期"))
    source = models.CharField(
        _("来源文件"), max_length=20, blank=True, help_text=_("REQUIREMENTS.md §1 的文件编号，如 D01")
    )
    is_active = models.BooleanField(_("现行"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ("title", "-effective_date")
        verbose_name = _("管理制度")
        verbose_name_plural = _("管理制度")
        constraints = [
            models.UniqueConstraint(fields=["organization", "code", "version"], name="regulation_unique_version"),
            # NULLs are distinct in a unique index: installation-wide regulations need their own constraint.
            models.UniqueConstraint(
                fields=["code", "version"],
                condition=Q(organization__isnull=True),
                name="regulation_unique_version_global",
            ),
        ]

    def __str__(self) -> str:
        return f"《{self.title}》"


class Clause(TimeStampedModel):
    """One numbered clause (条) of a regulation, with the requirement IDs it gives rise to.

    `text` is the corrected wording shown to people; `original_text` keeps the source as written (C-14).
    """

    regulation = models.ForeignKey(Regulation, on_delete=models.CASCADE, related_name="clauses")
    number = models.CharField(_("条款号"), max_length=20)
    sort_key = models.PositiveIntegerField(default=0)
    title = models.CharField(_("标题"), max_length=200, blank=True)
    text = models.TextField(_("条文"))
    original_text = models.TextField(_("原文"), blank=True)
    requirement_ids = models.JSONField(_("需求编号"), default=list, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ("regulation", "sort_key", "id")
        verbose_name = _("条款")
        verbose_name_plural = _("条款")
        constraints = [
            models.UniqueConstraint(fields=["regulation", "number"], name="clause_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.regulation} {self.number}"

    @property
    def citation(self) -> str:
        return f"依据{self.regulation}{self.number}：{self.title or self.text[:30]}"


class ParameterValue(TimeStampedModel):
    """A value of a declared policy parameter for an organization (and its subtree) from a date on.

    Append-only: a change is a new row with its own `effective_from`; the history of a parameter is its rows.
    `organization` None = the installation-wide value. `inherit=True` withdraws the organization's own value
    from that date on, so the parent's (or the preset's, or the seed default) applies again (ORG-21).
    """

    key = models.CharField(_("参数"), max_length=100)
    organization = models.ForeignKey(
        "org.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="parameter_values",
        verbose_name=_("组织"),
    )
    value = models.JSONField(_("取值"), null=True, blank=True)
    inherit = models.BooleanField(_("恢复继承"), default=False)
    effective_from = models.DateField(_("生效日期"))
    reason = models.CharField(_("变更原因"), max_length=300)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("设置人"),
    )

    class Meta:
        ordering = ("key", "-effective_from", "-id")
        permissions = [("set_parameter", "Can change policy parameter values")]
        verbose_name = _("参数取值")
        verbose_name_plural = _("参数取值")
        indexes = [models.Index(fields=["key", "organization", "effective_from"], name="paramvalue_lookup_idx")]
        constraints = [
            models.CheckConstraint(name="paramvalue_inherit_has_no_value", condition=Q(inherit=False) | Q(value=None)),
        ]

    def __str__(self) -> str:
        return f"{self.key}@{self.organization_id or '*'} from {self.effective_from}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("ParameterValue is append-only: add a new row with a new effective date")
        super().save(*args, **kwargs)
