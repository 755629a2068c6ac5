"""Input and output shapes of the org API. Inputs validate field by field with Chinese messages; writes go through
the services (the viewsets call them), never through `serializer.save()`."""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from servicecenter.core.access import organizations_where

from .. import policies
from ..choices import CenterType, OrganizationKind, StaffStatus
from ..models import Organization, Role, RoleAssignment, Staff
from ..selectors import phone_for, staff_list_visible_to

PHONE = RegexValidator(r"^[0-9+\-() ]{5,20}$", "请输入有效的电话号码")


def _text(label: str, max_length: int, *, required: bool = True, **kwargs: Any) -> serializers.CharField:
    return serializers.CharField(
        max_length=max_length,
        required=required,
        allow_blank=not required,
        error_messages={
            "required": f"请填写{label}",
            "blank": f"{label}不能为空",
            "null": f"{label}不能为空",
            "invalid": f"{label}格式不正确",
            "max_length": f"{label}最多 {max_length} 个字符",
        },
        **kwargs,
    )


def _choice(label: str, choices: Any, *, required: bool = True) -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=choices,
        required=required,
        allow_blank=not required,
        error_messages={"required": f"请选择{label}", "invalid_choice": f"无效的{label}：{{input}}"},
    )


def _date(label: str, *, required: bool = False) -> serializers.DateField:
    return serializers.DateField(
        required=required,
        allow_null=not required,
        error_messages={"required": f"请填写{label}", "invalid": f"{label}格式应为 YYYY-MM-DD"},
    )


@extend_schema_field(OpenApiTypes.INT)
class ScopedOrganizationField(serializers.PrimaryKeyRelatedField):
    """An organization id limited to the active units where the requesting user holds `permission`.
    Out of scope and nonexistent read the same: the API does not reveal other centers' units."""

    default_error_messages = {
        "required": "请选择组织",
        "null": "请选择组织",
        "does_not_exist": "组织不存在或不在您的管理范围内",
        "incorrect_type": "组织应为编号（整数）",
    }

    def __init__(self, *, permission: str, **kwargs: Any) -> None:
        self.permission = permission
        super().__init__(**kwargs)

    def get_queryset(self) -> Any:
        user = self.context["request"].user
        return organizations_where(user=user, permission=self.permission).filter(is_active=True)


# --- organizations -----------------------------------------------------------------------------------------------


class OrganizationSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    # Declared so the schema allows "" (teams and ops centers have no center type); the model field is blank=True.
    center_type = serializers.ChoiceField(choices=CenterType.choices, allow_blank=True, read_only=True)
    center_type_display = serializers.CharField(source="get_center_type_display", read_only=True)

    class Meta:
        model = Organization
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "kind_display",
            "center_type",
            "center_type_display",
            "parent",
            "depth",
            "address",
            "phone",
            "timezone",
            "is_active",
        ]
        read_only_fields = fields


class OrganizationCreateSerializer(serializers.Serializer):
    parent = ScopedOrganizationField(permission="org.add_organization", required=False, allow_null=True)
    kind = _choice("层级", OrganizationKind.choices)
    name = _text("名称", 100)
    code = serializers.SlugField(
        max_length=40,
        error_messages={
            "required": "请填写编码",
            "blank": "编码不能为空",
            "invalid": "编码只能包含字母、数字、连字符和下划线",
            "max_length": "编码最多 40 个字符",
        },
    )
    center_type = _choice("中心类型", CenterType.choices, required=False)
    address = _text("地址", 200, required=False)
    phone = _text("电话", 30, required=False, validators=[PHONE])

    def validate_code(self, value: str) -> str:
        if Organization.objects.filter(code=value).exists():
            raise serializers.ValidationError("该编码已被使用")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        parent = attrs.get("parent")
        decision = policies.can_place_organization(kind=attrs["kind"], parent_kind=parent.kind if parent else None)
        if not decision.allowed:
            raise serializers.ValidationError({"kind": [decision.reason]})
        return attrs


class OrganizationUpdateSerializer(serializers.Serializer):
    name = _text("名称", 100, required=False)
    center_type = _choice("中心类型", CenterType.choices, required=False)
    address = _text("地址", 200, required=False)
    phone = _text("电话", 30, required=False, validators=[PHONE])
    timezone = _text("时区", 40, required=False)
    is_active = serializers.BooleanField(required=False, error_messages={"invalid": "启用应为 true 或 false"})

    def validate_timezone(self, value: str) -> str:
        import zoneinfo

        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise serializers.ValidationError("无效的时区，例如 Asia/Shanghai") from None
        return value


# --- staff -------------------------------------------------------------------------------------------------------


class AssignmentBriefSerializer(serializers.ModelSerializer):
    role = serializers.CharField(source="role.code", read_only=True)
    role_name = serializers.CharField(source="role.name", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = RoleAssignment
        fields = ["id", "role", "role_name", "organization", "organization_name"]
        read_only_fields = fields


class StaffSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    phone = serializers.SerializerMethodField(help_text="完整号码仅对本人及有员工修改权限者显示，否则为 138****1234")
    roles = serializers.SerializerMethodField()

    class Meta:
        model = Staff
        fields = [
            "id",
            "staff_no",
            "name",
            "organization",
            "organization_name",
            "position",
            "phone",
            "hire_date",
            "status",
            "status_display",
            "left_date",
            "roles",
        ]
        read_only_fields = fields

    def get_phone(self, obj: Staff) -> str:
        return phone_for(user=self.context["request"].user, staff=obj)

    def get_roles(self, obj: Staff) -> list[dict[str, Any]]:
        assignments = getattr(obj.user, "active_assignments", None) if obj.user_id else []
        if assignments is None:
            assignments = obj.user.role_assignments.filter(is_active=True).select_related("role", "organization")
        return AssignmentBriefSerializer(assignments, many=True).data


class StaffCreateSerializer(serializers.Serializer):
    organization = ScopedOrganizationField(permission="org.add_staff")
    staff_no = serializers.RegexField(
        policies.STAFF_NO_PATTERN,
        max_length=20,
        error_messages={
            "required": "请填写工号",
            "blank": "工号不能为空",
            "invalid": "工号只能包含字母、数字和连字符，长度 2–20",
            "max_length": "工号最多 20 个字符",
        },
    )
    name = _text("姓名", 50)
    position = _text("岗位", 50, required=False)
    phone = _text("手机", 20, required=False, validators=[PHONE])
    hire_date = _date("入职日期")
    roles = serializers.ListField(
        child=serializers.SlugField(max_length=40, error_messages={"invalid": "角色编码格式不正确"}),
        required=False,
        max_length=20,
        error_messages={"not_a_list": "角色应为角色编码的列表", "max_length": "最多 20 个角色"},
    )


class StaffUpdateSerializer(serializers.Serializer):
    organization = ScopedOrganizationField(permission="org.change_staff", required=False)
    name = _text("姓名", 50, required=False)
    position = _text("岗位", 50, required=False)
    phone = _text("手机", 20, required=False, validators=[PHONE])
    hire_date = _date("入职日期")

    def validate_name(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("姓名不能为空")
        return value


class StaffStatusSerializer(serializers.Serializer):
    status = _choice("状态", StaffStatus.choices)
    on = _date("离职日期")
    note = _text("说明", 200, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["status"] == StaffStatus.LEFT and not attrs.get("on"):
            raise serializers.ValidationError({"on": ["办理离职须填写离职日期"]})
        return attrs


# --- roles -------------------------------------------------------------------------------------------------------


class RoleSerializer(serializers.ModelSerializer):
    permissions = serializers.SerializerMethodField()

    class Meta:
        model = Role
        fields = ["id", "code", "name", "description", "is_builtin", "rank", "permissions"]
        read_only_fields = fields

    def get_permissions(self, obj: Role) -> list[str]:
        return sorted(f"{p.content_type.app_label}.{p.codename}" for p in obj.group.permissions.all())


class RoleAssignmentSerializer(serializers.ModelSerializer):
    role = serializers.CharField(source="role.code", read_only=True)
    role_name = serializers.CharField(source="role.name", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    staff = serializers.SerializerMethodField()

    class Meta:
        model = RoleAssignment
        fields = ["id", "staff", "user", "role", "role_name", "organization", "organization_name", "is_active"]
        read_only_fields = fields

    def get_staff(self, obj: RoleAssignment) -> int | None:
        staff = getattr(obj.user, "staff", None)
        return staff.pk if staff is not None else None


@extend_schema_field(OpenApiTypes.INT)
class StaffRefField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {
        "required": "请选择员工",
        "null": "请选择员工",
        "does_not_exist": "员工不存在或不在您的管理范围内",
        "incorrect_type": "员工应为编号（整数）",
    }

    def get_queryset(self) -> Any:
        return staff_list_visible_to(user=self.context["request"].user)


class RoleCodeField(serializers.SlugRelatedField):
    """A role by its code. A code with a NUL character is refused before the lookup: PostgreSQL cannot compare it
    (it was a 500, found by tests/api/test_schema_fuzz.py)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data)


class RoleAssignmentCreateSerializer(serializers.Serializer):
    staff = StaffRefField()
    role = RoleCodeField(
        slug_field="code",
        queryset=Role.objects.filter(is_active=True),
        error_messages={"required": "请选择角色", "does_not_exist": "角色不存在：{value}", "invalid": "角色编码无效"},
    )
    organization = ScopedOrganizationField(permission="org.add_roleassignment")


class RoleAssignmentRevokeSerializer(serializers.Serializer):
    note = _text("说明", 200, required=False)
