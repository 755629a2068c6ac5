"""API representations of approval requests and steps, and the inputs of the write endpoints."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..choices import ApprovalRequestStatus, ApprovalStepStatus, StepDecision
from ..models import ApprovalRequest, ApprovalStep
from ..services import person_name


# Several apps have a "status" choice set; drf-spectacular names every enum after its field and warns (W001, which
# fails the production deploy check) when two differ. The values are listed in the description instead.
@extend_schema_field({"type": "string", "description": " | ".join(ApprovalRequestStatus.values)})
class RequestStatusField(serializers.CharField):
    pass


@extend_schema_field({"type": "string", "description": " | ".join(ApprovalStepStatus.values)})
class StepStatusField(serializers.CharField):
    pass


class ApprovalStepSerializer(serializers.ModelSerializer):
    status = StepStatusField(read_only=True)
    assignee_name = serializers.SerializerMethodField()
    acting_for_name = serializers.SerializerMethodField()
    decided_by_name = serializers.SerializerMethodField()

    class Meta:
        model = ApprovalStep
        fields = [
            "id",
            "order",
            "role_code",
            "status",
            "assignee",
            "assignee_name",
            "acting_for",
            "acting_for_name",
            "resolution_note",
            "activated_at",
            "decided_by",
            "decided_by_name",
            "decided_at",
            "comment",
            "reminder_count",
        ]
        read_only_fields = fields

    def get_assignee_name(self, step: ApprovalStep) -> str:
        return person_name(step.assignee)

    def get_acting_for_name(self, step: ApprovalStep) -> str:
        return person_name(step.acting_for)

    def get_decided_by_name(self, step: ApprovalStep) -> str:
        return person_name(step.decided_by)


class ApprovalRequestSerializer(serializers.ModelSerializer):
    status = RequestStatusField(read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    steps = ApprovalStepSerializer(many=True, read_only=True)

    class Meta:
        model = ApprovalRequest
        fields = [
            "id",
            "kind",
            "title",
            "description",
            "payload",
            "status",
            "organization",
            "organization_name",
            "requested_by",
            "requested_by_name",
            "route_clause",
            "route_citation",
            "route_flags",
            "route_message",
            "current_step_order",
            "submitted_at",
            "decided_at",
            "created_at",
            "steps",
        ]
        read_only_fields = fields


class ApprovalRequestSummarySerializer(serializers.ModelSerializer):
    status = RequestStatusField(read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = ApprovalRequest
        fields = [
            "id",
            "kind",
            "title",
            "status",
            "organization",
            "organization_name",
            "requested_by_name",
            "created_at",
        ]
        read_only_fields = fields


class InboxStepSerializer(ApprovalStepSerializer):
    request = ApprovalRequestSummarySerializer(read_only=True)

    class Meta(ApprovalStepSerializer.Meta):
        fields = [*ApprovalStepSerializer.Meta.fields, "request"]
        read_only_fields = fields


class RequestFilterSerializer(serializers.Serializer):
    """The list's query string. Text fields refuse the NUL character, which PostgreSQL cannot compare (it was a
    500 on ?q= and ?kind=, found by tests/api/test_schema_fuzz.py); the selector checks the values."""

    status = serializers.CharField(required=False, allow_blank=True)
    kind = serializers.CharField(required=False, allow_blank=True)
    q = serializers.CharField(required=False, allow_blank=True)
    mine = serializers.CharField(required=False, allow_blank=True)


# DRF's DecimalField takes a JSON number as well as a string; the schema said "string" only (a number was accepted
# against the schema: found by tests/api/test_schema_fuzz.py).
@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "format": "decimal", "pattern": r"^\d{0,10}(?:\.\d{0,2})?$"},
            {"type": "number", "minimum": 0},
        ],
        "nullable": True,
        "description": '金额（元），如 "2500.50" 或 2500.5 / amount in yuan, a decimal string or a number',
    }
)
class AmountField(serializers.DecimalField):
    pass


class GeneralRequestCreateSerializer(serializers.Serializer):
    """事项请示 input: the requester's center is the organization; the amount (yuan) decides the route."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    amount = AmountField(
        max_digits=12, decimal_places=2, min_value=Decimal("0"), required=False, allow_null=True, default=None
    )

    def payload(self) -> dict[str, Any]:
        amount = self.validated_data.get("amount")
        return {"amount": f"{amount:.2f}"} if amount is not None else {}


class StepDecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=StepDecision.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
