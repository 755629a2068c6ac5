"""Serializers of the rosters API."""

from __future__ import annotations

from rest_framework import serializers

from ..models import ShiftTemplate, SwapRequest


class ShiftTemplateSerializer(serializers.ModelSerializer):
    hours = serializers.FloatField(source="minutes_as_hours", read_only=True)

    class Meta:
        model = ShiftTemplate
        fields = [
            "id",
            "code",
            "label",
            "periods",
            "sign_in_window",
            "on_call",
            "check_workday_hours",
            "is_active",
            "hours",
        ]


class RosterEntrySerializer(serializers.Serializer):
    staff_id = serializers.IntegerField()
    staff_no = serializers.CharField()
    staff_name = serializers.CharField()
    day = serializers.DateField()
    shift = serializers.CharField(allow_null=True, help_text="班次代码；null = 公休（排休）")


class RosterSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    center_id = serializers.IntegerField()
    month = serializers.DateField()
    version = serializers.IntegerField()
    status = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)
    entries = RosterEntrySerializer(many=True)


class MyShiftSerializer(serializers.Serializer):
    day = serializers.DateField()
    rest = serializers.BooleanField()
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    periods = serializers.CharField()
    on_call = serializers.BooleanField()


class SwapSerializer(serializers.ModelSerializer):
    requester_name = serializers.CharField(source="requester.name", read_only=True)
    counterpart_name = serializers.CharField(source="counterpart.name", read_only=True)

    class Meta:
        model = SwapRequest
        fields = [
            "id",
            "requester",
            "requester_name",
            "counterpart",
            "counterpart_name",
            "requester_day",
            "counterpart_day",
            "requester_shift",
            "counterpart_shift",
            "reason",
            "status",
            "consented_at",
            "approval",
            "applied_roster",
        ]


class SwapCreateSerializer(serializers.Serializer):
    counterpart = serializers.IntegerField(help_text="对调同事的员工 ID")
    requester_day = serializers.DateField()
    counterpart_day = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(max_length=300)


class SwapConsentSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
