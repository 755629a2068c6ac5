"""Renewals API (/api/v1/renewals/): the month's call list, recording an outcome, the month result.

Thin views over renewals.selectors and renewals.services: rows outside the caller's reach are 404; a caller with
no renewal permission anywhere gets 403 on the lists; the outcome's rules answer 400 (clause CB-11), a row saved by
someone else since `version` answers 409 («已由 X 登记»). Errors: {code, message, fields, clause}.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from servicecenter.core.api import ERROR_RESPONSE, Pagination
from servicecenter.core.errors import ValidationFailed
from servicecenter.org.models import Staff
from servicecenter.policy.values import local_today

from .. import selectors, services
from ..forms import parse_month
from .serializers import (
    RenewalMonthSerializer,
    RenewalOutcomeSerializer,
    RenewalResultFilterSerializer,
    RenewalRowFilterSerializer,
    RenewalRowSerializer,
)


def _center_month(user: Any, data: dict[str, Any], permission: str) -> tuple[Any, Any]:
    centers = selectors.renewal_centers(user=user, permission=permission)
    if not centers:
        raise PermissionDenied
    center = selectors.pick_center(centers, data.get("center"))
    month = parse_month(data.get("month"), local_today(center))
    if month is None:
        raise ValidationFailed("月份格式应为 2026-12", fields={"month": ["月份格式应为 2026-12"]})
    return center, month


def _row_context(user: Any, center: Any) -> dict[str, Any]:
    manager = selectors.is_manager(user=user, organization=center)
    return {"phone_for": lambda row: selectors.phone_as_seen(user=user, row=row, manager=manager)}


class RenewalRowListApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        summary="续费回访名单（本人可见）/ The month's renewal call list visible to me",
        description="专员看到分配给本人及未分配的名单，经理看到本中心全部；未回访的在前。电话仅对本户专员和经理完整显示。",
        parameters=[
            OpenApiParameter("center", int, description="服务中心 id"),
            OpenApiParameter("month", str, description="YYYY-MM（默认本月）"),
            OpenApiParameter("kind", str, description="due | suspended"),
            OpenApiParameter(
                "outcome", str, description="pending | renewed | upgraded | downgraded | refused | unreachable"
            ),
            OpenApiParameter("mine", bool, description="只看分配给本人的"),
        ],
        responses={200: RenewalRowSerializer(many=True), 400: ERROR_RESPONSE, 403: ERROR_RESPONSE},
    )
    def get(self, request: Request) -> Response:
        filters = RenewalRowFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        center, month = _center_month(request.user, data, selectors.MAKE)
        qs = selectors.row_list(
            user=request.user,
            filters=selectors.RowFilters(
                organization=center,
                month=month,
                kind=data.get("kind", ""),
                outcome=data.get("outcome", ""),
                mine=data.get("mine", False),
            ),
        )
        paginator = Pagination()
        page: Any = paginator.paginate_queryset(qs, request, view=self)
        context = _row_context(request.user, center)
        return paginator.get_paginated_response(RenewalRowSerializer(page, many=True, context=context).data)


class RenewalOutcomeApi(APIView):
    @extend_schema(
        summary="登记回访结果 / Record a call's outcome",
        description="升档/降档须给出高于/低于当前产品的新档次（CB-11）；月底前可更正（新增一条回访记录，以最新为准）。",
        request=RenewalOutcomeSerializer,
        responses={
            200: RenewalRowSerializer,
            400: ERROR_RESPONSE,
            403: ERROR_RESPONSE,
            404: ERROR_RESPONSE,
            409: ERROR_RESPONSE,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        row = selectors.access_row(user=request.user, pk=pk)
        data = RenewalOutcomeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.outcome_record(actor=request.user, row_id=row.pk, now=timezone.now(), **data.validated_data)
        row = selectors.access_row(user=request.user, pk=pk)
        return Response(RenewalRowSerializer(row, context=_row_context(request.user, row.organization)).data)


class RenewalResultApi(APIView):
    @extend_schema(
        summary="续费率月报 / The month's renewal result",
        description=(
            "续费率 = 到期名单已续费（含升/降档）÷ 到期户数（PTS-12）；积分 PTS-13、考核要求 PTS-14、升降档 PTS-15…17。"
            "历史停机名单单独统计，不计入分母。经理看到全部专员，专员只看到本人。"
        ),
        parameters=[
            OpenApiParameter("center", int, description="服务中心 id"),
            OpenApiParameter("month", str, description="YYYY-MM（默认本月）"),
        ],
        responses={200: RenewalMonthSerializer, 400: ERROR_RESPONSE, 403: ERROR_RESPONSE},
    )
    def get(self, request: Request) -> Response:
        filters = RenewalResultFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        center, month = _center_month(request.user, filters.validated_data, selectors.MAKE)
        staff = None
        if not selectors.is_manager(user=request.user, organization=center):
            staff = Staff.objects.filter(user_id=request.user.pk or 0).first()
            if staff is None:
                raise PermissionDenied
        result = selectors.center_month(organization=center, month=month, staff=staff)
        return Response(RenewalMonthSerializer(result).data)
