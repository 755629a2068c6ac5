"""Input parsing for the approval pages (no business logic: the services decide)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import StepDecision


class BootstrapForm(forms.Form):
    """Adds Bootstrap's classes to every widget, and `is-invalid` to fields with errors (also those a service
    reported after validation)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def _mark_invalid(self) -> None:
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()

    def full_clean(self) -> None:
        super().full_clean()
        if self.is_bound:
            self._mark_invalid()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        self._mark_invalid()


class GeneralRequestForm(BootstrapForm):
    """事项请示: a staff member asks their center for something, optionally with an amount in yuan."""

    title = forms.CharField(label=_("标题"), max_length=200)
    description = forms.CharField(label=_("事由说明"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    amount = forms.DecimalField(
        label=_("金额（元）"),
        required=False,
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        help_text=_("涉及费用时填写；超过中心经理审批上限时将报营维中心总经理审批。"),
    )

    def payload(self) -> dict[str, Any]:
        amount = self.cleaned_data.get("amount")
        return {"amount": f"{amount:.2f}"} if amount is not None else {}


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label=_("操作"), choices=StepDecision.choices)
    comment = forms.CharField(
        label=_("意见"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ResubmitForm(BootstrapForm):
    description = forms.CharField(label=_("修改后的说明"), widget=forms.Textarea(attrs={"rows": 4}), required=False)


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class DelegationForm(BootstrapForm):
    """ORG-13: while I am away (starts_at … ends_at), my approvals go to `delegate`."""

    delegate = forms.ModelChoiceField(label=_("受托人"), queryset=None, empty_label=_("请选择同事"))
    starts_at = forms.DateTimeField(
        label=_("开始时间"), widget=DateTimeLocalInput(), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    ends_at = forms.DateTimeField(
        label=_("结束时间"), widget=DateTimeLocalInput(), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    reason = forms.CharField(label=_("原因"), max_length=200, required=False, help_text=_("如：出差、休假"))

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["delegate"].queryset = candidates
        self.fields["delegate"].label_from_instance = lambda staff: (
            f"{staff.name}（{staff.staff_no}）· {staff.organization}"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean() returns cleaned_data
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if starts_at and ends_at:
            if ends_at <= starts_at:
                self.add_error("ends_at", _("结束时间应晚于开始时间"))
            elif ends_at <= timezone.now():
                self.add_error("ends_at", _("结束时间已过"))
        return data
