"""Forms of the points pages: the day picker and the daily check (PTS-04), the ledger filters, the reversal
(DESIGN §2.6, PTS-09), the month lock (PTS-09) and the instant reward (PTS-28). The services decide; these only
read and shape the input."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from servicecenter.core.months import parse_month

from .choices import Category, EntryStatus, Source

__all__ = ["parse_month"]

MONTH_FORMATS = ("%Y-%m",)


class DayForm(forms.Form):
    """The daily page's picker: a center and a day (both optional: the user's center, today)."""

    center = forms.IntegerField(label=_("服务中心"), required=False, min_value=1)
    day = forms.DateField(label=_("日期"), required=False, input_formats=["%Y-%m-%d"])


class VerifyForm(forms.Form):
    """核对全部 (`all`) or the ticked entries (`entry`)."""

    center = forms.IntegerField(label=_("服务中心"), min_value=1)
    day = forms.DateField(label=_("日期"), input_formats=["%Y-%m-%d"])
    all = forms.BooleanField(label=_("核对全部"), required=False)
    entry = forms.TypedMultipleChoiceField(label=_("积分记录"), required=False, coerce=int)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any id is a candidate: the service refuses those that are not drafts of this center-day.
        raw = self.data.getlist("entry") if hasattr(self.data, "getlist") else self.data.get("entry") or []
        self.fields["entry"].choices = [(v, v) for v in raw if str(v).isdigit()]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("all") and not data.get("entry") and "entry" not in self.errors:
            raise forms.ValidationError(_("请勾选要核对的记录，或点击「核对全部」"))
        return data


class LedgerFilterForm(forms.Form):
    center = forms.IntegerField(label=_("服务中心"), required=False, min_value=1)
    staff = forms.IntegerField(label=_("员工"), required=False, min_value=1)
    month = forms.CharField(label=_("月份"), required=False, max_length=7)
    category = forms.ChoiceField(label=_("类别"), required=False, choices=[("", _("全部"))] + list(Category.choices))
    source = forms.ChoiceField(label=_("来源"), required=False, choices=[("", _("全部"))] + list(Source.choices))
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部"))] + list(EntryStatus.choices))
    reversals = forms.BooleanField(label=_("只看冲正"), required=False)

    def clean_month(self) -> date | None:
        raw = self.cleaned_data.get("month") or ""
        if not raw:
            return None
        month = parse_month(raw)
        if month is None:
            raise forms.ValidationError(_("月份格式为 YYYY-MM，如 2026-11"))
        return month


class ReverseForm(forms.Form):
    reason = forms.CharField(
        label=_("冲正原因"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        error_messages={"required": _("请写明冲正原因")},
    )


class LockForm(forms.Form):
    note = forms.CharField(
        label=_("复核说明（可不填）"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class RewardForm(forms.Form):
    """及时奖励 (PTS-28): the staff of the center, the day, points and/or yuan, the reason."""

    staff = forms.TypedChoiceField(label=_("员工"), coerce=int, widget=forms.Select(attrs={"class": "form-select"}))
    day = forms.DateField(
        label=_("日期"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )
    points = forms.DecimalField(
        label=_("奖励积分"),
        required=False,
        max_digits=7,
        decimal_places=2,
        min_value=0,
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.5", "inputmode": "decimal"}),
    )
    amount_cny = forms.DecimalField(
        label=_("奖励金额（元）"),
        required=False,
        max_digits=9,
        decimal_places=2,
        min_value=0,
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "1", "inputmode": "decimal"}),
    )
    reason = forms.CharField(
        label=_("奖励事由"), max_length=300, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )

    def __init__(self, *args: Any, staff_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].choices = [("", "—")] + staff_choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("points") and not data.get("amount_cny") and not self.errors.get("points"):
            self.add_error("points", _("请填写奖励积分或奖励金额"))
        return data
