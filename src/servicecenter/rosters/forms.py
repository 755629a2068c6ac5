"""Forms of the rosters pages (parsing only; rules live in services/policies)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from servicecenter.org.models import Staff

from .models import ShiftTemplate
from .services import parse_periods_text


class StyledForm(forms.Form):
    """Bootstrap classes on every widget; `is-invalid` on fields with errors (also those a service reported)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        if field and field in self.fields:
            widget = self.fields[field].widget
            if "is-invalid" not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


DATE = {"type": "date"}


class TemplateForm(StyledForm):
    code = forms.CharField(label=_("代码"), max_length=20, help_text=_("如 EARLY、LATE、SPLIT、R24、ONCALL"))
    label = forms.CharField(label=_("名称"), max_length=40)
    periods = forms.CharField(
        label=_("时段"), max_length=100, help_text=_("如 08:30-16:30；两段用逗号分开；结束早于开始表示次日结束")
    )
    sign_in_window = forms.CharField(label=_("签到时段"), max_length=40, required=False, help_text=_("如 08:00-08:30"))
    on_call = forms.BooleanField(label=_("值班（随叫随到，不计考勤）"), required=False)
    check_workday_hours = forms.BooleanField(label=_("按每日工时（8 小时）检查"), required=False, initial=True)
    counts_for_coverage = forms.BooleanField(label=_("计入营业时间在岗"), required=False, initial=True)
    rank = forms.IntegerField(label=_("排序"), min_value=0, max_value=999, initial=100)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    @classmethod
    def from_template(cls, template: ShiftTemplate) -> TemplateForm:
        return cls(
            initial={
                "code": template.code,
                "label": template.label,
                "periods": ", ".join(f"{a}-{b}" for a, b in template.periods),
                "sign_in_window": ", ".join(f"{a}-{b}" for a, b in template.sign_in_window or []),
                "on_call": template.on_call,
                "check_workday_hours": template.check_workday_hours,
                "counts_for_coverage": template.counts_for_coverage,
                "rank": template.rank,
                "is_active": template.is_active,
            }
        )

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["periods"] = parse_periods_text(data["periods"])
        data["sign_in_window"] = parse_periods_text(data.get("sign_in_window") or "")
        return data


class SwapForm(StyledForm):
    counterpart = forms.ModelChoiceField(label=_("对调同事"), queryset=Staff.objects.none())
    requester_day = forms.DateField(label=_("我的日期"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    counterpart_day = forms.DateField(
        label=_("对方日期"),
        required=False,
        widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
        help_text=_("留空 = 与我的日期相同（同一天互换班次）"),
    )
    reason = forms.CharField(label=_("原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, colleagues: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if colleagues is not None:
            self.fields["counterpart"].queryset = colleagues  # type: ignore[attr-defined]


class HandoverForm(StyledForm):
    to_staff = forms.ModelChoiceField(label=_("接班人"), queryset=Staff.objects.none())
    day = forms.DateField(label=_("交班日期"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    open_orders = forms.CharField(label=_("未完成工单"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    pending_callbacks = forms.CharField(label=_("待回访"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    incidents = forms.CharField(label=_("异常情况"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    text = forms.CharField(label=_("其他事项"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, colleagues: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if colleagues is not None:
            self.fields["to_staff"].queryset = colleagues  # type: ignore[attr-defined]


class OnCallForm(StyledForm):
    staff = forms.ModelChoiceField(label=_("值班人"), queryset=Staff.objects.none())
    day = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    mobile = forms.CharField(label=_("值班手机"), max_length=20, required=False, help_text=_("留空 = 员工档案中的手机"))
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args: Any, colleagues: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if colleagues is not None:
            self.fields["staff"].queryset = colleagues  # type: ignore[attr-defined]
