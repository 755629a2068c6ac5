"""Forms of the attendance pages: input parsing only; the rules live in services and policies."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from servicecenter.org.models import Staff

from .choices import EventKind, PunchKind, ViolationType

DATETIME_WIDGET = forms.DateTimeInput(
    attrs={"type": "datetime-local", "class": "form-control"}, format="%Y-%m-%dT%H:%M"
)
DATE_WIDGET = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


class PunchForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=PunchKind.choices)
    lat = forms.DecimalField(required=False, max_digits=9, decimal_places=6, min_value=-90, max_value=90)
    lng = forms.DecimalField(required=False, max_digits=9, decimal_places=6, min_value=-180, max_value=180)


class CorrectionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("补卡类型"), choices=PunchKind.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    at = forms.DateTimeField(label=_("应打卡时间"), widget=DATETIME_WIDGET, input_formats=["%Y-%m-%dT%H:%M"])
    reason = forms.CharField(
        label=_("未打卡原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"})
    )


class RecomputeForm(forms.Form):
    start = forms.DateField(label=_("开始日期"), widget=DATE_WIDGET)
    end = forms.DateField(label=_("结束日期"), widget=DATE_WIDGET)


class ViolationForm(forms.Form):
    staff = forms.ModelChoiceField(
        label=_("员工"), queryset=Staff.objects.none(), widget=forms.Select(attrs={"class": "form-select"})
    )
    day = forms.DateField(label=_("发生日期"), widget=DATE_WIDGET)
    type = forms.ChoiceField(
        label=_("违纪类型"), choices=ViolationType.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    description = forms.CharField(
        label=_("情况说明"), required=False, widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"})
    )
    evidence_text = forms.CharField(
        label=_("证据说明"), required=False, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )
    evidence_photo = forms.FileField(
        label=_("证据照片"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": "image/*"}),
    )

    def __init__(self, *args: Any, staff_qs: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if staff_qs is not None:
            self.fields["staff"].queryset = staff_qs  # type: ignore[attr-defined]


class EventForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("活动类型"), choices=EventKind.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    title = forms.CharField(label=_("名称"), max_length=100, widget=forms.TextInput(attrs={"class": "form-control"}))
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DATETIME_WIDGET, input_formats=["%Y-%m-%dT%H:%M"])
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=DATETIME_WIDGET, input_formats=["%Y-%m-%dT%H:%M"])
    location = forms.CharField(
        label=_("地点"), max_length=100, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    staff = forms.ModelMultipleChoiceField(
        label=_("参加人员"),
        queryset=Staff.objects.none(),
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 8}),
    )

    def __init__(self, *args: Any, staff_qs: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if staff_qs is not None:
            self.fields["staff"].queryset = staff_qs  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=300)
