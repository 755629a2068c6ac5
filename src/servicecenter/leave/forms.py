"""Forms of the leave pages: the request form (date-based and timed kinds), 销假, certificate, register filters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicecenter.policy.values import zone_of

from .choices import Half, LeaveKind, LeaveStatus

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local", "class": "form-control"}, format="%Y-%m-%dT%H:%M")
SELECT = {"class": "form-select"}
TEXT = {"class": "form-control"}


def aware(value: datetime | None, org: Any) -> datetime | None:
    """A datetime-local input is the center's local time."""
    if value is None:
        return None
    return timezone.make_aware(value, zone_of(org)) if timezone.is_naive(value) else value


class LeaveRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=LeaveKind.choices, widget=forms.Select(attrs=SELECT))
    start_date = forms.DateField(label=_("开始日期"), required=False, widget=DATE)
    start_half = forms.ChoiceField(
        label=_("开始"), choices=Half.choices, initial=Half.AM, required=False, widget=forms.Select(attrs=SELECT)
    )
    end_date = forms.DateField(label=_("结束日期"), required=False, widget=DATE)
    end_half = forms.ChoiceField(
        label=_("结束"), choices=Half.choices, initial=Half.PM, required=False, widget=forms.Select(attrs=SELECT)
    )
    starts_at = forms.DateTimeField(
        label=_("开始时间"), required=False, widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    ends_at = forms.DateTimeField(
        label=_("结束时间"), required=False, widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    event_title = forms.CharField(label=_("活动名称"), max_length=200, required=False, widget=forms.TextInput(TEXT))
    destination = forms.CharField(label=_("外出地点"), max_length=200, required=False, widget=forms.TextInput(TEXT))
    purpose = forms.CharField(label=_("外出事由"), max_length=200, required=False, widget=forms.TextInput(TEXT))
    expected_return_at = forms.DateTimeField(
        label=_("预计返回"), required=False, widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    reason = forms.CharField(
        label=_("事由"), required=False, max_length=2000, widget=forms.Textarea(attrs={**TEXT, "rows": 2})
    )
    handover_note = forms.CharField(
        label=_("工作交接"),
        required=False,
        max_length=2000,
        help_text=_("政务大厅请假两天以上须书面写明交接安排（LEV-11）"),
        widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
    )
    special_case = forms.BooleanField(
        label=_("特殊情况（病假超过规定天数）"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    special_reason = forms.CharField(
        label=_("特殊情况说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={**TEXT, "rows": 2})
    )

    def service_kwargs(self, org: Any) -> dict[str, Any]:
        """The cleaned data as keyword arguments of services.leave_submit (instants made aware in the center)."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "start_date": data.get("start_date"),
            "start_half": data.get("start_half") or Half.AM,
            "end_date": data.get("end_date") or data.get("start_date"),
            "end_half": data.get("end_half") or Half.PM,
            "starts_at": aware(data.get("starts_at"), org),
            "ends_at": aware(data.get("ends_at"), org),
            "reason": data.get("reason") or "",
            "handover_note": data.get("handover_note") or "",
            "event_title": data.get("event_title") or "",
            "special_case": bool(data.get("special_case")),
            "special_reason": data.get("special_reason") or "",
            "destination": data.get("destination") or "",
            "purpose": data.get("purpose") or "",
            "expected_return_at": aware(data.get("expected_return_at"), org),
        }


class CloseForm(forms.Form):
    actual_return_at = forms.DateTimeField(
        label=_("实际返岗时间"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=300, widget=forms.TextInput(TEXT))


class CancelForm(forms.Form):
    note = forms.CharField(label=_("取消原因"), required=False, max_length=300, widget=forms.TextInput(TEXT))


class CertificateForm(forms.Form):
    file = forms.FileField(
        label=_("病历证明（图片或 PDF，不超过 5 MB）"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": "image/*,application/pdf"}),
    )


class RegisterFilterForm(forms.Form):
    center = forms.ChoiceField(label=_("中心"), required=False, widget=forms.Select(attrs=SELECT))
    month = forms.CharField(
        label=_("月份"), required=False, widget=forms.DateInput(attrs={"type": "month", "class": "form-control"})
    )
    person = forms.CharField(label=_("姓名/工号"), required=False, widget=forms.TextInput(TEXT))
    kind = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", _("全部"))] + LeaveKind.choices, widget=forms.Select(SELECT)
    )
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部"))] + [c for c in LeaveStatus.choices if c[0] != LeaveStatus.DRAFT],
        widget=forms.Select(SELECT),
    )

    def __init__(self, *args: Any, centers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        center_field = self.fields["center"]
        assert isinstance(center_field, forms.ChoiceField)
        center_field.choices = [("", _("全部"))] + [(str(c.pk), c.name) for c in centers]

    def clean_month(self) -> tuple[int, int] | None:
        raw = (self.cleaned_data.get("month") or "").strip()
        if not raw:
            return None
        try:
            year, month = (int(part) for part in raw.split("-")[:2])
            if not (2000 <= year <= 2100 and 1 <= month <= 12):
                raise ValueError
        except ValueError:
            raise forms.ValidationError(_("月份格式应为 2026-12")) from None
        return year, month
