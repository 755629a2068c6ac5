"""API representations of punches, daily results and violations, and the inputs of the write endpoints."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..choices import PunchKind, ResultStatus, ViolationType
from ..models import AttendanceResult, Punch, Violation


# Enum names clash across apps (W001): the values are listed in the description instead.
@extend_schema_field({"type": "string", "description": " | ".join(ResultStatus.values)})
class ResultStatusField(serializers.CharField):
    pass


@extend_schema_field({"type": "string", "description": " | ".join(PunchKind.values)})
class PunchKindField(serializers.CharField):
    pass


@extend_schema_field({"type": "string", "description": " | ".join(ViolationType.values)})
class ViolationTypeField(serializers.CharField):
    pass


class PunchInputSerializer(serializers.Serializer):
    staff_no = serializers.CharField(
        required=False, allow_blank=True, max_length=20, help_text="考勤机代他人打卡时填写工号；不填为令牌用户本人"
    )
    kind = PunchKindField(help_text="in 上班 | out 下班")
    at = serializers.DateTimeField(required=False, allow_null=True, help_text="考勤机缓存的打卡时间（24 小时内）")
    lat = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    lng = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)

    def validate_kind(self, value: str) -> str:
        if value not in PunchKind.values:
            raise serializers.ValidationError("打卡类型应为 in（上班）或 out（下班）")
        return value


class PunchSerializer(serializers.ModelSerializer):
    kind = PunchKindField(read_only=True)
    staff_no = serializers.CharField(source="staff.staff_no", read_only=True)
    duplicate = serializers.SerializerMethodField()

    class Meta:
        model = Punch
        fields = ["id", "staff_no", "kind", "at", "source", "accepted", "refused_reason", "duplicate"]

    def get_duplicate(self, obj: Punch) -> bool:
        return bool(self.context.get("duplicate", False))


class ResultSerializer(serializers.ModelSerializer):
    status = ResultStatusField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    staff_no = serializers.CharField(source="staff.staff_no", read_only=True)
    staff_name = serializers.CharField(source="staff.name", read_only=True)

    class Meta:
        model = AttendanceResult
        fields = [
            "id",
            "staff_no",
            "staff_name",
            "day",
            "status",
            "status_label",
            "shift_code",
            "scheduled_start",
            "scheduled_end",
            "first_in",
            "last_out",
            "minutes_late",
            "minutes_early",
            "not_early",
            "missed_sign_in",
            "missing_punch",
            "absent_days",
            "leave_kind",
            "fine_cny",
            "fines",
            "clause",
            "citation",
            "inputs_hash",
            "computed_at",
        ]
        read_only_fields = fields  # output only: no database-dependent integer bounds in the schema


class ViolationSerializer(serializers.ModelSerializer):
    type = ViolationTypeField(read_only=True)
    type_label = serializers.CharField(source="get_type_display", read_only=True)
    staff_no = serializers.CharField(source="staff.staff_no", read_only=True)
    staff_name = serializers.CharField(source="staff.name", read_only=True)
    escalation_id = serializers.IntegerField(read_only=True, allow_null=True)
    status = serializers.CharField(read_only=True, help_text="active 有效 | withdrawn 已撤销")

    class Meta:
        model = Violation
        fields = [
            "id",
            "staff_no",
            "staff_name",
            "day",
            "type",
            "type_label",
            "description",
            "evidence_text",
            "ordinal",
            "units",
            "escalated",
            "escalation_id",
            "clause",
            "citation",
            "status",
        ]
        read_only_fields = fields  # output only: no database-dependent integer bounds in the schema


class ViolationInputSerializer(serializers.Serializer):
    staff_no = serializers.CharField(max_length=20)
    day = serializers.DateField()
    type = ViolationTypeField()
    description = serializers.CharField(required=False, allow_blank=True, default="")
    evidence_text = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_type(self, value: str) -> str:
        if value not in ViolationType.values:
            raise serializers.ValidationError("未知的违纪类型")
        return value


class MonthQuerySerializer(serializers.Serializer):
    month = serializers.RegexField(r"^\d{4}-\d{2}$", required=False, help_text="YYYY-MM，默认本月")
    center = serializers.IntegerField(required=False, help_text="中心 ID，默认第一个可见中心")
