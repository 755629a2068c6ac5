"""Input and output of the renewals API."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from servicecenter.core.api import MonthField

from ..choices import ListKind, Outcome
from ..models import RenewalRow


class RenewalRowFilterSerializer(serializers.Serializer):
    """The list's query string: center (default: the first of mine), month YYYY-MM (default: this month), kind,
    outcome (`pending` or an outcome), mine=true (only the rows assigned to me)."""

    center = serializers.IntegerField(required=False, min_value=1)
    month = serializers.RegexField(
        r"^\d{4}-\d{2}$", required=False, error_messages={"invalid": _("月份格式应为 2026-12")}
    )
    kind = serializers.ChoiceField(choices=ListKind.choices, required=False)
    outcome = serializers.ChoiceField(choices=[("pending", _("未回访")), *Outcome.choices], required=False)
    mine = serializers.BooleanField(required=False, default=False)


class RenewalResultFilterSerializer(serializers.Serializer):
    center = serializers.IntegerField(required=False, min_value=1)
    month = serializers.RegexField(
        r"^\d{4}-\d{2}$", required=False, error_messages={"invalid": _("月份格式应为 2026-12")}
    )


class RenewalRowSerializer(serializers.ModelSerializer):
    phone = serializers.SerializerMethodField()
    assignee = serializers.IntegerField(source="assignee_id", allow_null=True, read_only=True)
    assignee_name = serializers.SerializerMethodField()
    month = MonthField()

    class Meta:
        model = RenewalRow
        fields = [
            "id",
            "organization",
            "month",
            "kind",
            "subscriber_no",
            "name",
            "phone",
            "tier",
            "due_date",
            "assignee",
            "assignee_name",
            "outcome",
            "new_tier",
            "note",
            "outcome_at",
            "calls",
            "version",
        ]
        read_only_fields = fields

    def get_phone(self, row: RenewalRow) -> str:
        return str(self.context["phone_for"](row))

    def get_assignee_name(self, row: RenewalRow) -> str:
        return row.assignee.name if row.assignee is not None else ""


class RenewalOutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    new_tier = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="上次读取时的版本；他人已保存则返回 409 / the version last read"
    )


class ConversionSerializer(serializers.Serializer):
    row_id = serializers.IntegerField()
    subscriber_no = serializers.CharField()
    name = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()
    points = serializers.DecimalField(max_digits=8, decimal_places=2)
    known = serializers.BooleanField()
    explanation = serializers.CharField()
    clause = serializers.CharField()


class RenewalResultSerializer(serializers.Serializer):
    staff = serializers.SerializerMethodField()
    staff_name = serializers.SerializerMethodField()
    due = serializers.IntegerField()
    renewed = serializers.IntegerField()
    rate_pct = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    points = serializers.DecimalField(max_digits=8, decimal_places=2)
    target_pct = serializers.DecimalField(max_digits=5, decimal_places=1)
    target_met = serializers.BooleanField(allow_null=True)
    conversions = ConversionSerializer(many=True)
    conversion_points = serializers.DecimalField(max_digits=8, decimal_places=2)
    suspended = serializers.IntegerField()
    reactivated = serializers.IntegerField()
    explanation = serializers.CharField()
    citation = serializers.CharField()

    def get_staff(self, result: Any) -> int | None:
        return result.staff.pk if result.staff is not None else None

    def get_staff_name(self, result: Any) -> str:
        return result.staff.name if result.staff is not None else ""


class RenewalMonthSerializer(serializers.Serializer):
    center = serializers.IntegerField(source="organization.pk")
    month = MonthField()
    results = RenewalResultSerializer(many=True)
    total = RenewalResultSerializer()
    unassigned = serializers.IntegerField()
