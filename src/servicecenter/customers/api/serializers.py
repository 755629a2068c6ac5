"""API representations of customers (SVC-17…SVC-19) and the inputs of search, create and update.

Choice fields are documented as strings listing their values, not as enums (several apps have a `status`; see
approvals/api/serializers.py for why)."""

from __future__ import annotations

from typing import Any

from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Customer, CustomerStatus

_STATUS_VALUES = " | ".join(CustomerStatus.values)


def _text(max_length: int, **kwargs: Any) -> serializers.CharField:
    return serializers.CharField(max_length=max_length, validators=[ProhibitNullCharactersValidator()], **kwargs)


@extend_schema_field({"type": "string", "description": _STATUS_VALUES})
class CustomerStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=CustomerStatus.choices, **kwargs)


@extend_schema_field({"type": "string", "description": _STATUS_VALUES})
class CustomerStatusCode(serializers.CharField):
    pass


class CustomerSerializer(serializers.ModelSerializer):
    status = CustomerStatusCode(read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    special_group_name = serializers.SerializerMethodField()

    class Meta:
        model = Customer
        fields = [
            "id",
            "organization",
            "organization_name",
            "name",
            "phone",
            "address",
            "status",
            "special_group",
            "special_group_name",
            "special_group_note",
            "notes",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_special_group_name(self, customer: Customer) -> str:
        return customer.special_group.name if customer.special_group_id and customer.special_group else ""


class CustomerOpenOrderSerializer(serializers.Serializer):
    """An open work order of the customer (summary; the order itself is /api/v1/workorders/{id}/)."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()
    kind = serializers.CharField()
    problem = serializers.CharField()
    created_at = serializers.DateTimeField()
    resolve_due_at = serializers.DateTimeField()


class CustomerDetailSerializer(CustomerSerializer):
    open_orders = CustomerOpenOrderSerializer(many=True, read_only=True)

    class Meta(CustomerSerializer.Meta):
        fields = [*CustomerSerializer.Meta.fields, "open_orders"]
        read_only_fields = fields


class CustomerFilterSerializer(serializers.Serializer):
    q = _text(100, required=False, allow_blank=True)
    center = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)


class CustomerCreateSerializer(serializers.Serializer):
    organization = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="服务中心 id")
    name = _text(100)
    phone = _text(20)
    address = _text(200, required=False, allow_blank=True, default="")
    status = CustomerStatusField(required=False, default=CustomerStatus.EXISTING)
    notes = _text(2000, required=False, allow_blank=True, default="")


class CustomerUpdateSerializer(serializers.Serializer):
    """Only the given fields change (name, phone, address, notes); `expected_updated_at` guards a concurrent edit."""

    name = _text(100, required=False)
    phone = _text(20, required=False)
    address = _text(200, required=False, allow_blank=True)
    notes = _text(2000, required=False, allow_blank=True)
    expected_updated_at = serializers.DateTimeField(required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not set(attrs) - {"expected_updated_at"}:
            raise serializers.ValidationError(_("请至少修改一项：name、phone、address、notes"))
        return attrs
