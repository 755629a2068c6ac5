"""API representations of work orders and the inputs of the create, filter and transition endpoints.

Choice fields are documented as strings with their values in the description (not as enums): several apps have
fields named `status`, `kind`… with different choices, and drf-spectacular warns on such enum name collisions
(the production deploy check fails on warnings; see approvals/api/serializers.py)."""

from __future__ import annotations

import base64
import binascii
from decimal import Decimal
from typing import Any

from django.db.models import TextChoices
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..choices import (
    Channel,
    EventVerb,
    ExpenseKind,
    OffsiteStatus,
    OrderKind,
    OrderStatus,
    PauseReason,
    PaymentPath,
    Priority,
    ServiceType,
)
from ..models import WorkOrder, WorkOrderEvent

ORDERING = {
    "created_at": ("created_at", "id"),
    "-created_at": ("-created_at", "-id"),
    "resolve_due_at": ("resolve_due_at", "id"),
    "-resolve_due_at": ("-resolve_due_at", "-id"),
    "response_due_at": ("response_due_at", "id"),
    "number": ("number",),
    "-number": ("-number",),
}


def _values(choices: type[TextChoices]) -> str:
    return " | ".join(str(v) for v in choices.values)


def choice(choices: type[TextChoices], **kwargs: Any) -> serializers.ChoiceField:
    """A ChoiceField documented as a string listing its values (no named enum component)."""

    @extend_schema_field({"type": "string", "description": _values(choices)})
    class _Choice(serializers.ChoiceField):
        pass

    return _Choice(choices=choices.choices, **kwargs)


def text(max_length: int, **kwargs: Any) -> serializers.CharField:
    """Text input: NUL characters refused (PostgreSQL cannot store them), surrounding spaces trimmed."""
    from django.core.validators import ProhibitNullCharactersValidator

    return serializers.CharField(max_length=max_length, validators=[ProhibitNullCharactersValidator()], **kwargs)


def code(choices: type[TextChoices]) -> serializers.CharField:
    """A read-only stored code, documented as a string listing its values (no named enum component)."""

    @extend_schema_field({"type": "string", "description": _values(choices)})
    class _Code(serializers.CharField):
        pass

    return _Code(read_only=True)


# DRF's DecimalField takes a JSON number as well as a string (see approvals/api/serializers.AmountField).
@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "format": "decimal", "pattern": r"^\d{0,8}(?:\.\d{0,2})?$"},
            {"type": "number", "minimum": 0, "maximum": 99999999},
        ],
        "description": '金额（元），如 "120.50" / amount in yuan',
    }
)
class MoneyField(serializers.DecimalField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 10)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0"))
        kwargs.setdefault("max_value", Decimal("99999999"))
        super().__init__(**kwargs)


@extend_schema_field({"type": "string", "format": "byte", "description": "base64 编码的 PNG/JPEG 图片"})
class ImageBase64Field(serializers.CharField):
    """An image as base64 text (optionally a data: URL); decoded here, checked by the service (Pillow)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 12 * 1024 * 1024)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        raw = super().to_internal_value(data)
        if not raw:
            return b""
        if raw.startswith("data:"):
            raw = raw.split(",", 1)[-1]
        try:
            return base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise serializers.ValidationError(_("不是有效的 base64 编码")) from None


# --- output ---------------------------------------------------------------------------------------------------------


class WorkOrderSerializer(serializers.ModelSerializer):
    """One order in a list: identity, classification, state, customer as given, assignee and deadlines."""

    status = code(OrderStatus)
    kind = code(OrderKind)
    service_type = code(ServiceType)
    channel = code(Channel)
    priority = code(Priority)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    assignee_name = serializers.SerializerMethodField()

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "number",
            "organization",
            "organization_name",
            "register_year",
            "register_no",
            "kind",
            "service_type",
            "channel",
            "priority",
            "status",
            "customer",
            "customer_name",
            "phone",
            "address",
            "problem",
            "assignee",
            "assignee_name",
            "created_at",
            "dispatched_at",
            "responded_at",
            "returned_at",
            "closed_at",
            "response_due_at",
            "resolve_due_at",
            "response_breached_at",
            "resolve_breached_at",
            "version",
        ]
        read_only_fields = fields

    def get_assignee_name(self, order: WorkOrder) -> str:
        return order.assignee.name if order.assignee_id and order.assignee else ""


class WorkOrderEventSerializer(serializers.ModelSerializer):
    verb = code(EventVerb)
    verb_display = serializers.CharField(source="get_verb_display", read_only=True)

    class Meta:
        model = WorkOrderEvent
        fields = [
            "id",
            "at",
            "actor",
            "actor_name",
            "verb",
            "verb_display",
            "from_status",
            "to_status",
            "note",
            "clause",
        ]
        read_only_fields = fields


class WorkOrderDeadlineSerializer(serializers.Serializer):
    """One SLA clock (WO-03): due and warning instants, when it was met or breached, and why it is what it is."""

    kind = serializers.CharField()
    minutes = serializers.IntegerField()
    due_at = serializers.DateTimeField()
    warn_at = serializers.DateTimeField()
    met_at = serializers.DateTimeField(allow_null=True)
    warned_at = serializers.DateTimeField(allow_null=True)
    breached_at = serializers.DateTimeField(allow_null=True)
    citation = serializers.CharField()


class WorkOrderMaterialSerializer(serializers.Serializer):
    name = serializers.CharField()
    spec = serializers.CharField()
    quantity = serializers.DecimalField(max_digits=10, decimal_places=2)
    unit = serializers.CharField()
    unit_price = serializers.DecimalField(max_digits=10, decimal_places=2)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)


class WorkOrderExpenseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = code(ExpenseKind)
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    incurred_on = serializers.DateField()
    note = serializers.CharField()


class WorkOrderDetailSerializer(WorkOrderSerializer):
    """The order page as data: everything of the list plus deadlines with their citations, charges, sign-off and
    the timeline (WO-06)."""

    pause_reason = code(PauseReason)
    offsite_status = code(OffsiteStatus)
    payment_path = code(PaymentPath)
    deadlines = serializers.SerializerMethodField()
    events = WorkOrderEventSerializer(many=True, read_only=True)
    materials = WorkOrderMaterialSerializer(many=True, read_only=True)
    expenses = WorkOrderExpenseSerializer(many=True, read_only=True)

    class Meta(WorkOrderSerializer.Meta):
        fields = [
            *WorkOrderSerializer.Meta.fields,
            "priority_reason",
            "is_facility_issue",
            "read_back",
            "special_group",
            "product_model",
            "product_spec",
            "purchase_date",
            "purchase_place",
            "duplicate_of",
            "answer",
            "accepted_at",
            "first_contact_at",
            "arrived_at",
            "service_started_at",
            "service_ended_at",
            "work_content",
            "cancelled_at",
            "cancel_reason",
            "sla_clock",
            "sla_citation",
            "paused_at",
            "pause_reason",
            "paused_minutes",
            "is_offsite",
            "offsite_destination",
            "offsite_status",
            "labour_fee",
            "fee_total",
            "payment_path",
            "payment_citation",
            "collected_amount",
            "signer_name",
            "signed_at",
            "countersigned_at",
            "archived_at",
            "deadlines",
            "events",
            "materials",
            "expenses",
        ]
        read_only_fields = fields

    @extend_schema_field(WorkOrderDeadlineSerializer(many=True))
    def get_deadlines(self, order: WorkOrder) -> list[dict[str, Any]]:
        clocks = [
            {
                "kind": "response",
                "minutes": order.response_minutes,
                "due_at": order.response_due_at,
                "warn_at": order.response_warn_at,
                "met_at": order.responded_at,
                "warned_at": order.response_warned_at,
                "breached_at": order.response_breached_at,
                "citation": order.sla_citation,
            },
            {
                "kind": "resolution",
                "minutes": order.resolve_minutes,
                "due_at": order.resolve_due_at,
                "warn_at": order.resolve_warn_at,
                "met_at": order.returned_at,
                "warned_at": order.resolve_warned_at,
                "breached_at": order.resolve_breached_at,
                "citation": order.sla_citation,
            },
        ]
        return list(WorkOrderDeadlineSerializer(clocks, many=True).data)


# --- input ----------------------------------------------------------------------------------------------------------


class WorkOrderFilterSerializer(serializers.Serializer):
    """The list's query string (all optional)."""

    center = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    state = choice(OrderStatus, required=False)
    kind = choice(OrderKind, required=False)
    type = choice(ServiceType, required=False)
    assignee = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    phone = text(20, required=False, allow_blank=True)
    created_after = serializers.DateField(required=False)
    created_before = serializers.DateField(required=False)
    ordering = text(20, required=False, allow_blank=True, help_text=" | ".join(ORDERING))

    def validate_ordering(self, value: str) -> str:
        if value and value not in ORDERING:
            raise serializers.ValidationError(_("排序只能是：%(v)s") % {"v": "、".join(ORDERING)})
        return value

    def validate_phone(self, value: str) -> str:
        digits = "".join(ch for ch in value if ch.isdigit())
        if value.strip() and not digits:
            raise serializers.ValidationError(_("电话应包含数字"))
        return digits


class WorkOrderCreateSerializer(serializers.Serializer):
    """A new order from a telephony system (channel "api"): the read-back ticks of WO-08 are not required."""

    organization = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="服务中心 id")
    kind = choice(OrderKind)
    service_type = choice(ServiceType)
    customer_name = text(100)
    phone = text(20)
    address = text(200)
    problem = text(2000)
    priority = choice(Priority, required=False, default=Priority.NORMAL)
    customer = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**31 - 1)
    product_model = text(100, required=False, allow_blank=True, default="")
    product_spec = text(100, required=False, allow_blank=True, default="")
    purchase_date = serializers.DateField(required=False, allow_null=True, default=None)
    purchase_place = text(100, required=False, allow_blank=True, default="")
    is_facility_issue = serializers.BooleanField(required=False, default=False)
    is_offsite = serializers.BooleanField(required=False, default=False)
    offsite_destination = text(200, required=False, allow_blank=True, default="")
    answer = text(2000, required=False, allow_blank=True, default="")


class WorkOrderDispatchSerializer(serializers.Serializer):
    assignee = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="服务人员（Staff）id")


class WorkOrderReassignSerializer(serializers.Serializer):
    assignee = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="新的服务人员（Staff）id")
    reason = text(200)
    expected_assignee = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**31 - 1, help_text="调用方看到的当前服务人员"
    )


class WorkOrderReasonSerializer(serializers.Serializer):
    reason = text(300)


class WorkOrderNoteSerializer(serializers.Serializer):
    note = text(2000)


class WorkOrderOptionalNoteSerializer(serializers.Serializer):
    note = text(2000, required=False, allow_blank=True, default="")


class WorkOrderEmptySerializer(serializers.Serializer):
    """No input."""


class WorkOrderContactSerializer(serializers.Serializer):
    note = text(200, required=False, allow_blank=True, default="")
    at = serializers.DateTimeField(required=False, allow_null=True, default=None, help_text="联系时间，默认现在")


class WorkOrderPauseSerializer(serializers.Serializer):
    reason = choice(PauseReason)
    note = text(200, required=False, allow_blank=True, default="")


class WorkOrderMaterialInputSerializer(serializers.Serializer):
    name = text(100)
    quantity = MoneyField(max_value=Decimal("100000"))
    unit = text(10, required=False, allow_blank=True, default="")
    unit_price = MoneyField(required=False, default=Decimal("0"))
    spec = text(100, required=False, allow_blank=True, default="")


class WorkOrderCompleteSerializer(serializers.Serializer):
    """完工回单: work content, actual times (SVC-09), materials and fee, and the customer's signature as a base64 PNG
    (or a photo of the signed paper voucher, SVC-05)."""

    work_content = text(2000)
    service_started_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    service_ended_at = serializers.DateTimeField()
    materials = WorkOrderMaterialInputSerializer(many=True, required=False, default=list)
    labour_fee = MoneyField(required=False, default=Decimal("0"))
    signature = ImageBase64Field(required=False, allow_blank=True, default="")
    signer_name = text(100, required=False, allow_blank=True, default="")
    voucher_photo = ImageBase64Field(required=False, allow_blank=True, default="")
    collected = serializers.BooleanField(required=False, default=False)

    def validate_materials(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if len(value) > 100:
            raise serializers.ValidationError(_("材料最多 100 行"))
        return value


class WorkOrderExpenseInputSerializer(serializers.Serializer):
    kind = choice(ExpenseKind)
    amount = MoneyField()
    incurred_on = serializers.DateField()
    note = text(200, required=False, allow_blank=True, default="")


class WorkOrderExpenseOutputSerializer(WorkOrderExpenseSerializer):
    order = serializers.IntegerField(source="order_id")
