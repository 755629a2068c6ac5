"""Input of the renewal pages (parsing only; the services decide)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from servicecenter.core.months import parse_month as core_parse_month
from servicecenter.org.forms import BootstrapForm

from .choices import ListKind, Outcome
from .imports import MAX_UPLOAD_BYTES


def parse_month(raw: Any, default: date) -> date | None:
    """`YYYY-MM` → the month's first day; empty → `default`'s month; anything else → None (a 400)."""
    return default.replace(day=1) if not raw else core_parse_month(raw)


class OutcomeForm(BootstrapForm):
    outcome = forms.ChoiceField(
        label=_("回访结果"), choices=Outcome.choices, error_messages={"required": _("请选择回访结果")}
    )
    new_tier = forms.CharField(label=_("新产品档次"), required=False, max_length=20)
    note = forms.CharField(label=_("备注"), required=False, max_length=300, widget=forms.TextInput)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class ImportUploadForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("名单类型"), choices=ListKind.choices)
    month = forms.CharField(
        label=_("月份"), widget=forms.TextInput(attrs={"type": "month"}), error_messages={"required": _("请选择月份")}
    )
    file = forms.FileField(
        label=_("Excel 文件（.xlsx）"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
        error_messages={"required": _("请选择要上传的 .xlsx 文件"), "empty": _("文件是空的")},
    )

    def clean_month(self) -> date:
        month = parse_month(self.cleaned_data["month"], date.today())
        if month is None:
            raise forms.ValidationError(_("月份格式应为 2026-12"))
        return month

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件超过 2 MB，请分批导入。"))
        return upload
