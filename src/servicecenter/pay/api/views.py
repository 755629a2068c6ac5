"""Payroll API (/api/v1/pay/): sheets visible to me, one sheet with its lines, and the compute action (FIN-19).
Scoped with core.access (outside scope: 404); computing needs pay.manage_payroll (403). Errors: {code, message,
fields, clause}."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from servicecenter.core.access import has_permission_anywhere
from servicecenter.core.api import ERROR_RESPONSE as ERROR
from servicecenter.core.api import Pagination
from servicecenter.core.errors import NotAllowed

from .. import selectors, services
from .serializers import (
    ComputeResultSerializer,
    ComputeSerializer,
    PayrollSheetDetailSerializer,
    PayrollSheetSerializer,
)


class SheetListApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        summary="工资表列表（本人可见范围）/ Payroll sheets visible to me",
        parameters=[
            OpenApiParameter("center", int, description="服务中心 id / center id"),
            OpenApiParameter("month", str, description="YYYY-MM"),
        ],
        responses={200: PayrollSheetSerializer(many=True), 403: ERROR, 404: ERROR},
    )
    def get(self, request: Request) -> Response:
        if not has_permission_anywhere(user=request.user, permission=selectors.VIEW):
            raise NotAllowed(_("您没有查看工资表的权限"))
        center = request.query_params.get("center")
        organization = selectors.access_center(user=request.user, pk=center) if center else None
        qs = selectors.sheets(user=request.user, organization=organization)
        month = selectors.month_param(request.query_params.get("month"), None)  # type: ignore[arg-type]
        if month is not None:
            qs = qs.filter(month=month)
        paginator = Pagination()
        page: Any = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(PayrollSheetSerializer(page, many=True).data)


class SheetDetailApi(APIView):
    @extend_schema(
        summary="工资表详情（含每行的输入、公式、条款）/ A payroll sheet with its lines",
        responses={200: PayrollSheetDetailSerializer, 404: ERROR},
    )
    def get(self, request: Request, pk: int) -> Response:
        sheet = selectors.access_sheet(user=request.user, pk=pk)
        return Response(PayrollSheetDetailSerializer(sheet).data)


class ComputeApi(APIView):
    @extend_schema(
        summary="计算工资表（输入未变化则返回现有版本）/ Compute a center's payroll sheet",
        request=ComputeSerializer,
        responses={200: ComputeResultSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    def post(self, request: Request) -> Response:
        data = ComputeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        center = selectors.access_center(user=request.user, pk=data.validated_data["center"], permission=selectors.VIEW)
        month = selectors.month_param(data.validated_data["month"], None)  # type: ignore[arg-type]
        result = services.payroll_compute(actor=request.user, organization=center, month=month)
        return Response(ComputeResultSerializer({"created": result.created, "sheet": result.sheet}).data)
