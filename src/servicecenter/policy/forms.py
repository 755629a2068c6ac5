"""Input forms of the parameter pages: parse what a manager types; the services decide and write."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .registry import ParameterSpec

_PLACEHOLDERS = {
    "int": "30",
    "decimal": "5",
    "time_ranges": "08:30-11:30, 14:30-17:30",
    "date_range": _("2026-11-15 至 2027-03-15"),
}
_HELP = {
    "time_ranges": _("一个或多个时段，用逗号分隔，如 08:30-11:30, 14:30-17:30"),
    "date_range": _("开始日期 至 结束日期，如 2026-11-15 至 2027-03-15"),
    "approval_bands": _("JSON 列表，每档 {max_days, approvers, notify, form}；max_days 为 null 表示其余天数"),
    "json": _("JSON 格式"),
    "bool": "",
}


class _MarkInvalid:
    """Bootstrap's `is-invalid` on every widget with an error, including errors the view adds from a service."""

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            widget = self.fields[name].widget if name in self.fields else None  # type: ignore[attr-defined]
            if widget is not None and "is-invalid" not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class ParameterValueForm(_MarkInvalid, forms.Form):
    """Change a parameter's value for one organization from a date on.

    The value field follows the parameter's type: a number, a yes/no choice, one of the declared choices, a
    time-range text, a date-range text, or JSON (with the declared default as an example).
    """

    organization = forms.CharField(widget=forms.HiddenInput)
    value = forms.CharField(label=_("新值"))
    effective_from = forms.DateField(
        label=_("生效日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("变更原因"), max_length=300, widget=forms.TextInput)

    def __init__(self, *args: Any, spec: ParameterSpec, today: date, current: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spec = spec
        field = self.fields["value"]
        vt = spec.value_type
        if spec.type == "bool":
            field.widget = forms.Select(choices=[("true", _("是")), ("false", _("否"))])
        elif spec.choices:
            field.widget = forms.Select(choices=list(spec.choices))
        elif spec.type in ("json", "approval_bands"):
            field.widget = forms.Textarea(attrs={"rows": 8, "class": "font-monospace", "spellcheck": "false"})
            example = spec.default if spec.default is not None else current
            if example is not None:
                sample = json.dumps(example, ensure_ascii=False)
                field.help_text = _("%(help)s。示例（默认值）：%(sample)s") % {
                    "help": _HELP[spec.type],
                    "sample": sample,
                }
            else:
                field.help_text = str(_HELP[spec.type])
        elif spec.type == "int":
            field.widget = forms.NumberInput(attrs={"step": "1"})
        elif spec.type == "decimal":
            field.widget = forms.TextInput(attrs={"inputmode": "decimal"})
        if spec.type in _HELP and spec.type not in ("json", "approval_bands") and _HELP[spec.type]:
            field.help_text = str(_HELP[spec.type])
        if spec.type in _PLACEHOLDERS:
            field.widget.attrs["placeholder"] = _PLACEHOLDERS[spec.type]
        if spec.unit:
            field.label = _("新值（%(unit)s）") % {"unit": spec.unit}
        if not self.is_bound:
            if current is not None:
                if spec.type == "bool":
                    self.initial["value"] = "true" if current else "false"
                elif spec.type in ("json", "approval_bands"):
                    self.initial["value"] = json.dumps(current, ensure_ascii=False, indent=2)
                else:
                    self.initial["value"] = vt.to_text(current)
            self.initial.setdefault("effective_from", today)
        self.fields["effective_from"].widget.attrs["min"] = today.isoformat()
        self.fields["reason"].widget.attrs["placeholder"] = _("如：经理会议决定，2026年第3号通知")
        for name, f in self.fields.items():
            css = "form-select" if isinstance(f.widget, forms.Select) else "form-control"
            if name != "organization":
                f.widget.attrs.setdefault("class", "")
                f.widget.attrs["class"] = f"{css} {f.widget.attrs['class']}".strip()

    def clean_value(self) -> Any:
        text = self.cleaned_data["value"]
        try:
            return self.spec.parse(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class ParameterResetForm(_MarkInvalid, forms.Form):
    """Withdraw the organization's own value from a date on (恢复继承)."""

    organization = forms.CharField(widget=forms.HiddenInput)
    effective_from = forms.DateField(
        label=_("生效日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "class": "form-control"})
    )
    reason = forms.CharField(label=_("原因"), max_length=300, widget=forms.TextInput(attrs={"class": "form-control"}))

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("effective_from", today)
        self.fields["effective_from"].widget.attrs["min"] = today.isoformat()
