"""Forms of the customer pages: they only parse; the services validate the rules and report field errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CustomerStatus, DocumentKind, FeeStatus, SpecialGroup


class CustomerForm(forms.Form):
    organization = forms.ChoiceField(label=_("服务中心"))
    name = forms.CharField(label=_("姓名/名称"), max_length=100)
    phone = forms.CharField(label=_("电话"), max_length=20)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    status = forms.ChoiceField(label=_("客户状态"), choices=CustomerStatus.choices, initial=CustomerStatus.EXISTING)
    notes = forms.CharField(label=_("备注"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, centers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organization = self.fields["organization"]
        assert isinstance(organization, forms.ChoiceField)
        organization.choices = [(str(c.pk), c.name) for c in centers]
        if len(centers) == 1:
            self.fields["organization"].initial = str(centers[0].pk)
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs.setdefault("class", css)


class CustomerEditForm(forms.Form):
    name = forms.CharField(label=_("姓名/名称"), max_length=100)
    phone = forms.CharField(label=_("电话"), max_length=20)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    fee_status = forms.ChoiceField(
        label=_("本期费用"),
        choices=FeeStatus.choices,
        initial=FeeStatus.UNKNOWN,
        required=False,  # a form without the field (an older client) leaves the status as it is
        help_text=_("回访时客户满意且未缴费的，话术提醒缴费（CB-07）"),
    )
    notes = forms.CharField(label=_("备注"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    updated_at = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "updated_at":
                css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
                field.widget.attrs.setdefault("class", css)


class _Small(forms.Form):
    """The small inline forms of the detail page: Bootstrap classes on every widget."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.BooleanField):
                css = "form-check-input"
            elif isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
                css = "form-select form-select-sm"
            else:
                css = "form-control form-control-sm"
            field.widget.attrs.setdefault("class", css)


class StatusForm(_Small):
    status = forms.ChoiceField(label=_("客户状态"), choices=CustomerStatus.choices)
    reason = forms.CharField(label=_("变更原因"), max_length=200)


class SpecialGroupForm(_Small):
    special_group = forms.ModelChoiceField(
        label=_("特殊群体"), queryset=SpecialGroup.objects.filter(is_active=True), required=False
    )
    note = forms.CharField(label=_("登记说明"), max_length=200, required=False)


class ContactForm(_Small):
    name = forms.CharField(label=_("联系人"), max_length=100)
    phone = forms.CharField(label=_("电话"), max_length=20)
    relation = forms.CharField(label=_("关系"), max_length=50, required=False)


class AddressForm(_Small):
    label = forms.CharField(label=_("名称"), max_length=50, required=False)
    address = forms.CharField(label=_("地址"), max_length=200)
    is_default = forms.BooleanField(label=_("设为默认地址"), required=False)


class DocumentForm(_Small):
    kind = forms.ChoiceField(label=_("类别"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("标题"), max_length=100)
    file = forms.FileField(
        label=_("文件（图片或 PDF）"), widget=forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf"})
    )


class ReasonForm(_Small):
    reason = forms.CharField(label=_("原因"), max_length=200)
