"""The policy API: parameters in force, their history and changes, regulations, and the requirement register.

Every call names its organization with `org` (default: the caller's own center); an organization the caller may
not read answers 404, as every object access does. A change the caller may not make in a visible organization
answers 403 (core.errors.NotAllowed).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from servicecenter.core.errors import ValidationFailed

from .. import selectors, services
from ..models import Regulation
from ..registry import get_spec
from ..values import resolve_many
from .serializers import (
    ParameterDetailOutputSerializer,
    ParameterListOutputSerializer,
    ParameterValueCreatedSerializer,
    ParameterValueInputSerializer,
    RegulationDetailSerializer,
    RegulationSerializer,
    RequirementListOutputSerializer,
)

ORG_PARAM = OpenApiParameter(
    "org", OpenApiTypes.STR, description="Organization id, or `global` (superusers). Default: your own center."
)
AT_PARAM = OpenApiParameter("at", OpenApiTypes.DATE, description="The day (YYYY-MM-DD); default today")


def _org_ref(scope: selectors.PolicyScope) -> dict[str, Any] | None:
    return None if scope.is_global else {"id": scope.organization.pk, "name": scope.organization.name}


def _day(request: Request) -> date | None:
    text = request.query_params.get("at")
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError({"at": ["日期格式应为 YYYY-MM-DD"]}) from None


def _spec(key: str):
    try:
        return get_spec(key)
    except KeyError:
        raise NotFound() from None


class ParameterListApi(APIView):
    @extend_schema(
        operation_id="v1_policy_parameters_list",
        parameters=[ORG_PARAM, AT_PARAM],
        responses=ParameterListOutputSerializer,
        summary="Every declared parameter with the value in force for an organization on a day",
    )
    def get(self, request: Request) -> Response:
        scope = selectors.policy_scope_for(user=request.user, org=request.query_params.get("org"))
        page = selectors.regulation_page(scope=scope, at=_day(request))
        body = {"organization": _org_ref(scope), "at": page.day, "results": list(page.values.values())}
        return Response(ParameterListOutputSerializer(body).data)


class ParameterDetailApi(APIView):
    @extend_schema(
        operation_id="v1_policy_parameters_retrieve",
        parameters=[ORG_PARAM, AT_PARAM],
        responses=ParameterDetailOutputSerializer,
        summary="One parameter: declaration, value today and on ?at=, history and scheduled values",
    )
    def get(self, request: Request, key: str) -> Response:
        spec = _spec(key)
        scope = selectors.policy_scope_for(user=request.user, org=request.query_params.get("org"))
        detail = selectors.parameter_detail(spec=spec, scope=scope, at=_day(request))
        status_by_row = {v.row.pk: v.status for v in detail.rows}
        body = {
            "organization": _org_ref(scope),
            "spec": spec,
            "today": detail.today,
            "value": detail.now_value,
            "at": detail.at,
            "value_at": detail.at_value,
            "history": [v.row for v in detail.rows],
            "scheduled": [v.row for v in detail.scheduled],
            "can_set": selectors.can_set_parameters(user=request.user, scope=scope),
        }
        return Response(ParameterDetailOutputSerializer(body, context={"status": status_by_row}).data)


class ParameterValueCreateApi(APIView):
    @extend_schema(
        request=ParameterValueInputSerializer,
        responses={201: ParameterValueCreatedSerializer},
        summary="Set a parameter for an organization from a date on (or withdraw it with inherit: true)",
        description="No backdating: effective_from must be today or later in the center's local date. A value "
        "identical to the one in force on that date is refused (code no_change). Errors: {code, message, fields, "
        "clause}.",
    )
    def post(self, request: Request, key: str) -> Response:
        spec = _spec(key)
        data = ParameterValueInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cleaned = data.validated_data
        org = cleaned["organization"]
        scope = selectors.policy_scope_for(
            user=request.user, org=selectors.GLOBAL if org is None else org, permission=selectors.VIEW_PERMISSION
        )
        common = {
            "actor": request.user,
            "key": key,
            "organization": scope.organization,
            "effective_from": cleaned["effective_from"],
            "reason": cleaned["reason"],
        }
        if cleaned.get("inherit"):
            row = services.parameter_reset(**common)
        else:
            value = cleaned.get("value")
            if "text" in cleaned:
                try:
                    value = spec.parse(cleaned["text"])
                except ValueError as exc:
                    raise ValidationFailed(
                        f"参数值无效：{exc}", fields={"text": [str(exc)]}, clause=spec.requirements[0]
                    ) from None
            row = services.parameter_set(value=value, **common)
        in_force = resolve_many([key], org=scope.organization, at=row.effective_from)[key]
        body = {"row": row, "value": in_force}
        return Response(ParameterValueCreatedSerializer(body).data, status=status.HTTP_201_CREATED)


@extend_schema(
    parameters=[
        OpenApiParameter(
            "org",
            OpenApiTypes.STR,
            description="Only the regulations in force for this organization (its own, inherited, installation-wide)",
        )
    ],
    summary="Regulations I may read",
)
class RegulationListApi(generics.ListAPIView):
    serializer_class = RegulationSerializer
    queryset = Regulation.objects.none()  # for the schema; get_queryset() scopes every request

    def get_queryset(self):
        if not selectors.may_read_policy(user=self.request.user):
            raise PermissionDenied()
        qs = selectors.regulation_list_visible_to(user=self.request.user).prefetch_related("clauses")
        org = self.request.query_params.get("org")
        if org:
            scope = selectors.policy_scope_for(user=self.request.user, org=org)
            ids = [r.pk for r in selectors.regulations_in_force_for(organization=scope.organization)]
            qs = qs.filter(pk__in=ids)
        return qs


@extend_schema(summary="One regulation with its clauses")
class RegulationDetailApi(generics.RetrieveAPIView):
    serializer_class = RegulationDetailSerializer
    queryset = Regulation.objects.none()  # for the schema; get_object() goes through access_regulation

    def get_object(self):
        return selectors.access_regulation(user=self.request.user, pk=self.kwargs["pk"])


class RequirementListApi(APIView):
    @extend_schema(
        parameters=[ORG_PARAM],
        responses=RequirementListOutputSerializer,
        summary="The register of implemented requirement IDs, their implementing functions, parameters, and the "
        "clauses in force for the organization that give rise to them",
    )
    def get(self, request: Request) -> Response:
        scope = selectors.policy_scope_for(user=request.user, org=request.query_params.get("org"))
        body = {"organization": _org_ref(scope), "results": selectors.requirement_register(scope=scope)}
        return Response(RequirementListOutputSerializer(body).data)
