"""Serializers of the leave API (JSON only)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from ..choices import Half, LeaveKind, LeaveStatus
from ..models import LeaveAttachment, LeaveRequest


class StepSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    role_code = serializers.CharField()
    status = serializers.CharField()
    assignee = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField()
    decided_at = serializers.DateTimeField(allow_null=True)
    comment = serializers.CharField()

    def _name(self, user: Any) -> str | None:
        if user is None:
            return None
        staff = getattr(user, "staff", None)
        return getattr(staff, "name", None) or user.get_username()

    def get_assignee(self, step: Any) -> str | None:
        return self._name(step.assignee)

    def get_decided_by(self, step: Any) -> str | None:
        return self._name(step.decided_by)


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = LeaveAttachment
        fields = ["id", "original_name", "content_type", "size", "created_at"]
        read_only_fields = fields  # output only: no database-dependent integer bounds in the schema


class LeaveRequestSerializer(serializers.ModelSerializer):
    staff_name = serializers.CharField(source="staff.name", read_only=True)
    staff_no = serializers.CharField(source="staff.staff_no", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    days = serializers.DecimalField(max_digits=6, decimal_places=1, read_only=True)
    actual_days = serializers.DecimalField(max_digits=6, decimal_places=1, read_only=True, allow_null=True)
    route_flags = serializers.SerializerMethodField()

    class Meta:
        model = LeaveRequest
        fields = [
            "id",
            "staff",
            "staff_name",
            "staff_no",
            "organization",
            "organization_name",
            "kind",
            "kind_label",
            "status",
            "status_label",
            "start_date",
            "start_half",
            "end_date",
            "end_half",
            "starts_at",
            "ends_at",
            "days",
            "days_citation",
            "reason",
            "handover_note",
            "event_title",
            "special_case",
            "special_reason",
            "destination",
            "purpose",
            "expected_return_at",
            "approval_request",
            "route_citation",
            "route_flags",
            "decision_citation",
            "submitted_at",
            "decided_at",
            "actual_return_at",
            "actual_days",
            "closed_at",
            "close_note",
            "cancelled_at",
        ]
        read_only_fields = fields

    def get_route_flags(self, leave: LeaveRequest) -> list[str]:
        request = leave.approval_request
        return list(request.route_flags) if request is not None else []


class LeaveDetailSerializer(LeaveRequestSerializer):
    steps = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    class Meta(LeaveRequestSerializer.Meta):
        fields = [*LeaveRequestSerializer.Meta.fields, "steps", "attachments"]
        read_only_fields = fields

    def get_steps(self, leave: LeaveRequest) -> list[dict[str, Any]]:
        if leave.approval_request is None:
            return []
        steps = leave.approval_request.steps.select_related("assignee__staff", "decided_by__staff").order_by("order")
        return list(StepSerializer(steps, many=True).data)

    def get_attachments(self, leave: LeaveRequest) -> list[dict[str, Any]]:
        return list(AttachmentSerializer(leave.attachments.filter(is_active=True), many=True).data)


class LeaveCreateSerializer(serializers.Serializer):
    """A new request. Date-based kinds: start_date/end_date (+ am/pm halves); leave_post and official_outing:
    starts_at/ends_at (aware ISO 8601). Rules are checked by the service (messages in Chinese, with the clause)."""

    kind = serializers.ChoiceField(choices=LeaveKind.choices)
    start_date = serializers.DateField(required=False, allow_null=True)
    start_half = serializers.ChoiceField(choices=Half.choices, default=Half.AM)
    end_date = serializers.DateField(required=False, allow_null=True)
    end_half = serializers.ChoiceField(choices=Half.choices, default=Half.PM)
    starts_at = serializers.DateTimeField(required=False, allow_null=True)
    ends_at = serializers.DateTimeField(required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    handover_note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    event_title = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    special_case = serializers.BooleanField(required=False, default=False)
    special_reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    destination = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    purpose = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    expected_return_at = serializers.DateTimeField(required=False, allow_null=True)

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.validated_data)
        if data.get("end_date") is None:
            data["end_date"] = data.get("start_date")
        return data


class CertificateSerializer(serializers.Serializer):
    """A certificate as base64 (the API is JSON only; a data: URL prefix is accepted)."""

    filename = serializers.CharField(max_length=200)
    content_base64 = serializers.CharField(max_length=8_000_000)


class CancelSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class CloseSerializer(serializers.Serializer):
    actual_return_at = serializers.DateTimeField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class RegisterFilterSerializer(serializers.Serializer):
    month = serializers.RegexField(r"^\d{4}-(0[1-9]|1[0-2])$", required=False)
    person = serializers.CharField(required=False, allow_blank=True, max_length=50)
    kind = serializers.ChoiceField(choices=LeaveKind.choices, required=False)
    status = serializers.ChoiceField(choices=[c for c in LeaveStatus.choices if c[0] != "draft"], required=False)
