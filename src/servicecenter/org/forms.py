"""Input parsing for the organization and staff pages (STYLE.md §2.9): types, required fields, and choices limited
to what the user may act on. No saving here: the views call the services, which check again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from servicecenter.core.access import organizations_where

from . import policies
from .choices import CENTER_KINDS, CenterType, OrganizationKind, StaffStatus
from .imports import MAX_UPLOAD_BYTES
from .models import Organization, Role, Staff, phone_validator
from .selectors import assignable_roles


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class BootstrapForm(forms.Form):
    """Bootstrap 5 classes on every widget, and `is-invalid` on the fields that failed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        # Mark every field that now has an error, including errors added by the view from a service's refusal.
        for name in list(self._errors or {}):
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


def _orgs_where(user: Any, permission: str):
    return organizations_where(user=user, permission=permission).filter(is_active=True).order_by("path")


class OrgChoiceField(forms.ModelChoiceField):
    """Organizations shown indented by depth, so the select reads like the tree."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("empty_label", _("请选择组织"))
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Organization) -> str:
        return f"{'　' * obj.depth}{obj.name}（{obj.code}）"


class OrganizationCreateForm(BootstrapForm):
    parent = OrgChoiceField(label=_("上级组织"), queryset=Organization.objects.none(), required=False)
    kind = forms.ChoiceField(label=_("层级"), choices=OrganizationKind.choices)
    name = forms.CharField(label=_("名称"), max_length=100)
    code = forms.SlugField(
        label=_("编码"),
        max_length=40,
        help_text=_("字母、数字、连字符或下划线，全系统唯一；员工导入时用它指定所属组织"),
    )
    center_type = forms.ChoiceField(
        label=_("中心类型"), choices=[("", _("—（非服务中心）"))] + list(CenterType.choices), required=False
    )
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    phone = forms.CharField(label=_("电话"), max_length=30, required=False, validators=[phone_validator])

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["parent"].queryset = _orgs_where(user, "org.add_organization")
        self.fields["parent"].required = not user.is_superuser
        self.fields["parent"].empty_label = _("（无：新建顶层公司）") if user.is_superuser else None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean() returns cleaned_data
        kind, parent = data.get("kind"), data.get("parent")
        if kind:
            decision = policies.can_place_organization(kind=kind, parent_kind=parent.kind if parent else None)
            if not decision.allowed:
                self.add_error("kind", decision.reason)
        if kind in CENTER_KINDS and not data.get("center_type"):
            self.add_error("center_type", _("服务中心必须选择中心类型"))
        if data.get("code") and Organization.objects.filter(code=data["code"]).exists():
            self.add_error("code", _("该编码已被使用"))
        return data


class OrganizationUpdateForm(BootstrapForm):
    name = forms.CharField(label=_("名称"), max_length=100)
    center_type = forms.ChoiceField(label=_("中心类型"), choices=CenterType.choices, required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    phone = forms.CharField(label=_("电话"), max_length=30, required=False, validators=[phone_validator])
    is_active = forms.BooleanField(
        label=_("启用"), required=False, help_text=_("停用代替删除：下级有在职员工或启用的下级组织时不能停用")
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "name": organization.name,
                "center_type": organization.center_type,
                "address": organization.address,
                "phone": organization.phone,
                "is_active": organization.is_active,
            },
        )
        super().__init__(*args, **kwargs)
        if not organization.is_center:
            del self.fields["center_type"]
        else:
            self.fields["center_type"].required = True


class StaffFieldsMixin(BootstrapForm):
    name = forms.CharField(label=_("姓名"), max_length=50)
    position = forms.CharField(label=_("岗位"), max_length=50, required=False)
    phone = forms.CharField(label=_("手机"), max_length=20, required=False, validators=[phone_validator])
    hire_date = forms.DateField(label=_("入职日期"), required=False, widget=DateInput())


class StaffCreateForm(StaffFieldsMixin):
    organization = OrgChoiceField(label=_("所属组织"), queryset=Organization.objects.none())
    staff_no = forms.RegexField(
        label=_("工号"),
        regex=policies.STAFF_NO_PATTERN,
        max_length=20,
        error_messages={"invalid": _("工号只能包含字母、数字和连字符，长度 2–20")},
        help_text=_("全系统唯一，也是登录用户名；保存后不能修改"),
    )
    roles = forms.MultipleChoiceField(
        label=_("角色"), required=False, widget=forms.CheckboxSelectMultiple, help_text=_("授予于所属组织")
    )
    password = forms.CharField(
        label=_("初始密码"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("留空则暂不能登录，之后由管理员设置"),
    )

    field_order = ["organization", "staff_no", "name", "position", "phone", "hire_date", "roles", "password"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        orgs = _orgs_where(user, "org.add_staff")
        self.fields["organization"].queryset = orgs
        top = orgs.first()
        roles = assignable_roles(user=user, organization=top) if top else []
        self.fields["roles"].choices = [(r.code, r.name) for r in roles]

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password") or ""
        if password:
            validate_password(password)
        return password


class StaffUpdateForm(StaffFieldsMixin):
    organization = OrgChoiceField(label=_("所属组织"), queryset=Organization.objects.none())

    field_order = ["organization", "name", "position", "phone", "hire_date"]

    def __init__(self, *args: Any, user: Any, staff: Staff, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "organization": staff.organization_id,
                "name": staff.name,
                "position": staff.position,
                "phone": staff.phone,
                "hire_date": staff.hire_date,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = _orgs_where(user, "org.change_staff")


class StaffStatusForm(BootstrapForm):
    status = forms.ChoiceField(label=_("新状态"), choices=StaffStatus.choices)
    on = forms.DateField(label=_("离职日期"), required=False, widget=DateInput(), help_text=_("办理离职时必填"))
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args: Any, staff: Staff, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [c for c in StaffStatus.choices if c[0] != staff.status]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean() returns cleaned_data
        if data.get("status") == StaffStatus.LEFT and not data.get("on"):
            self.add_error("on", _("办理离职须填写离职日期"))
        return data


class RoleAssignForm(BootstrapForm):
    role = forms.ModelChoiceField(
        label=_("角色"), queryset=Role.objects.none(), to_field_name="code", empty_label=_("请选择角色")
    )
    organization = OrgChoiceField(
        label=_("授予范围（组织及其下级）"), queryset=Organization.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, user: Any, staff: Staff, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"organization": staff.organization_id})
        super().__init__(*args, **kwargs)
        orgs = _orgs_where(user, "org.add_roleassignment")
        self.fields["organization"].queryset = orgs
        anchor = staff.organization if orgs.filter(pk=staff.organization_id).exists() else orgs.first()
        roles = assignable_roles(user=user, organization=anchor) if anchor else []
        self.fields["role"].queryset = Role.objects.filter(pk__in=[r.pk for r in roles])

    @property
    def has_choices(self) -> bool:
        return self.fields["role"].queryset.exists()


class StaffImportUploadForm(BootstrapForm):
    file = forms.FileField(
        label=_("Excel 文件（.xlsx）"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
        error_messages={"required": _("请选择要上传的 .xlsx 文件"), "empty": _("文件是空的")},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("文件超过 2 MB，请分批导入。"))
        return upload
