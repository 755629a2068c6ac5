"""API shapes of regulations, clauses, parameter values and the requirement register (STYLE.md §2.10)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Clause, ParameterValue, Regulation


class OrganizationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()


class PolicyValueSerializer(serializers.Serializer):
    """A parameter's value in force for one organization on one day, with where it comes from."""

    key = serializers.CharField()
    label = serializers.CharField(source="spec.label")
    type = serializers.CharField(source="spec.type")
    unit = serializers.CharField(source="spec.unit")
    app = serializers.CharField(source="spec.app")
    requirements = serializers.ListField(child=serializers.CharField(), source="spec.requirements")
    value = serializers.JSONField(allow_null=True)
    display = serializers.CharField()
    is_set = serializers.BooleanField()
    source = serializers.ChoiceField(
        choices=["override", "preset", "default"], help_text="override = set for this organization or an ancestor"
    )
    origin = serializers.CharField(help_text="Where the value comes from, in words")
    organization_id = serializers.IntegerField(allow_null=True, help_text="Whose override applies")
    effective_from = serializers.DateField(allow_null=True)
    preset_source = serializers.CharField()
    set_by_name = serializers.CharField()
    reason = serializers.CharField()
    citation = serializers.CharField(help_text="Stored with every automatic decision that uses the value")


class ChoiceSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class ParameterSpecSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    type = serializers.CharField()
    unit = serializers.CharField()
    default = serializers.JSONField(allow_null=True)
    source = serializers.CharField()
    requirements = serializers.ListField(child=serializers.CharField())
    description = serializers.CharField()
    choices = serializers.SerializerMethodField()

    @extend_schema_field(ChoiceSerializer(many=True))
    def get_choices(self, spec: Any) -> list[dict[str, str]]:
        return [{"code": code, "label": label} for code, label in spec.choices]


class ParameterValueRowSerializer(serializers.ModelSerializer):
    """One stored value row (append-only): who set what for which organization, from when, and why."""

    organization = serializers.SerializerMethodField()
    set_by = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()

    class Meta:
        model = ParameterValue
        fields = (
            "id",
            "key",
            "organization",
            "value",
            "inherit",
            "effective_from",
            "reason",
            "set_by",
            "created_at",
            "status",
        )
        read_only_fields = fields

    @extend_schema_field(OrganizationRefSerializer(allow_null=True))
    def get_organization(self, row: ParameterValue) -> dict[str, Any] | None:
        org = row.organization
        return None if org is None else {"id": org.pk, "name": org.name}

    def get_set_by(self, row: ParameterValue) -> str:
        user = row.set_by
        return "" if user is None else (user.first_name or user.get_username())

    def get_status(self, row: ParameterValue) -> str:
        return self.context.get("status", {}).get(row.pk, "")


class ParameterListOutputSerializer(serializers.Serializer):
    organization = OrganizationRefSerializer(allow_null=True)
    at = serializers.DateField()
    results = PolicyValueSerializer(many=True)


class ParameterDetailOutputSerializer(serializers.Serializer):
    organization = OrganizationRefSerializer(allow_null=True)
    spec = ParameterSpecSerializer()
    today = serializers.DateField()
    value = PolicyValueSerializer(help_text="In force today")
    at = serializers.DateField(allow_null=True)
    value_at = PolicyValueSerializer(allow_null=True, help_text="In force on ?at=")
    history = ParameterValueRowSerializer(many=True)
    scheduled = ParameterValueRowSerializer(many=True)
    can_set = serializers.BooleanField()


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class ParameterValueInputSerializer(serializers.Serializer):
    """Set a value (`value` as JSON, or `text` as a manager would type it) or withdraw it (`inherit: true`)."""

    organization = serializers.IntegerField(allow_null=True, help_text="null = installation-wide (superusers)")
    value = serializers.JSONField(required=False, allow_null=True)
    text = serializers.CharField(required=False, allow_blank=False)
    inherit = serializers.BooleanField(required=False, default=False)
    effective_from = serializers.DateField()
    reason = serializers.CharField(max_length=300)

    def validate_value(self, value: Any) -> Any:
        # PostgreSQL's jsonb cannot store the NUL character (\u0000): refuse it here rather than fail on insert
        # (it was a 500, found by tests/api/test_schema_fuzz.py).
        if _has_nul(value):
            raise serializers.ValidationError("取值不能包含空字符（\\u0000）")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        given = [name for name in ("value", "text") if name in attrs and attrs[name] is not None]
        if attrs.get("inherit"):
            if given:
                raise serializers.ValidationError({"inherit": ["恢复继承时不能同时提交取值"]})
        elif len(given) != 1:
            raise serializers.ValidationError({"value": ["请提交 value（JSON）或 text（文本）之一"]})
        return attrs


class ParameterValueCreatedSerializer(serializers.Serializer):
    row = ParameterValueRowSerializer()
    value = PolicyValueSerializer(help_text="In force on the row's effective date")


class ClauseSerializer(serializers.ModelSerializer):
    citation = serializers.CharField(read_only=True)

    class Meta:
        model = Clause
        fields = ("id", "number", "title", "text", "original_text", "requirement_ids", "citation")
        read_only_fields = fields


class RegulationSerializer(serializers.ModelSerializer):
    organization = serializers.SerializerMethodField()
    clause_count = serializers.SerializerMethodField()

    class Meta:
        model = Regulation
        fields = (
            "id",
            "code",
            "title",
            "version",
            "effective_date",
            "source",
            "is_active",
            "organization",
            "clause_count",
        )
        read_only_fields = fields

    @extend_schema_field(OrganizationRefSerializer(allow_null=True))
    def get_organization(self, regulation: Regulation) -> dict[str, Any] | None:
        org = regulation.organization
        return None if org is None else {"id": org.pk, "name": org.name}

    def get_clause_count(self, regulation: Regulation) -> int:
        return len(regulation.clauses.all())


class RegulationDetailSerializer(RegulationSerializer):
    clauses = ClauseSerializer(many=True, read_only=True)

    class Meta(RegulationSerializer.Meta):
        fields = (*RegulationSerializer.Meta.fields, "clauses")
        read_only_fields = fields


class RequirementClauseSerializer(serializers.Serializer):
    regulation_id = serializers.IntegerField()
    regulation = serializers.CharField()
    number = serializers.CharField()
    title = serializers.CharField()


class RequirementSerializer(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.CharField(help_text="a = enforced, b = workflow/form, c = report/board")
    implemented_by = serializers.ListField(child=serializers.CharField())
    parameters = serializers.ListField(child=serializers.CharField())
    clauses = serializers.SerializerMethodField()

    @extend_schema_field(RequirementClauseSerializer(many=True))
    def get_clauses(self, item: Any) -> list[dict[str, Any]]:
        return [
            {"regulation_id": r.pk, "regulation": str(r), "number": c.number, "title": c.title} for r, c in item.clauses
        ]


class RequirementListOutputSerializer(serializers.Serializer):
    organization = OrganizationRefSerializer(allow_null=True)
    results = RequirementSerializer(many=True)
