"""Payroll API serializers (FIN-19)."""

from __future__ import annotations

from rest_framework import serializers

from servicecenter.core.api import MonthField

from ..models import PayrollLine, PayrollSheet


class PayrollSheetSerializer(serializers.ModelSerializer):
    center = serializers.CharField(source="organization.name", read_only=True)
    month = MonthField()
    coefficient_table_version = serializers.IntegerField(
        source="coefficient_table.version", default=None, read_only=True
    )

    class Meta:
        model = PayrollSheet
        fields = (
            "id",
            "organization",
            "center",
            "month",
            "version",
            "inputs_hash",
            "coefficient_table",
            "coefficient_table_version",
            "points_locked",
            "total_net",
            "line_count",
            "error_count",
            "computed_at",
        )
        # Output only: read-only fields carry no DB-dependent integer bounds into the schema (SQLite ≠ PostgreSQL).
        read_only_fields = fields


class PayrollLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = PayrollLine
        fields = (
            "staff",
            "staff_no",
            "name",
            "role",
            "role_label",
            "inputs",
            "components",
            "gross",
            "rewards",
            "deductions",
            "net",
            "details",
            "error",
        )
        read_only_fields = fields


class PayrollSheetDetailSerializer(PayrollSheetSerializer):
    lines = PayrollLineSerializer(many=True, read_only=True)

    class Meta(PayrollSheetSerializer.Meta):
        fields = (*PayrollSheetSerializer.Meta.fields, "parameters", "changes", "lines")  # type: ignore[assignment]
        read_only_fields = fields  # type: ignore[assignment]


class ComputeSerializer(serializers.Serializer):
    center = serializers.IntegerField()
    month = serializers.RegexField(r"^\d{4}-(0[1-9]|1[0-2])$", help_text="YYYY-MM")


class ComputeResultSerializer(serializers.Serializer):
    created = serializers.BooleanField(help_text="false：输入未变化，返回现有版本 / inputs unchanged")
    sheet = PayrollSheetSerializer()
