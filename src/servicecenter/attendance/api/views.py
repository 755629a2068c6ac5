"""Attendance API (/api/v1/attendance/): punches for terminals and phones, results, violations. Errors as
{code, message, fields, clause}."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from servicecenter.core.access import has_permission_anywhere, scope
from servicecenter.core.api import ERROR_RESPONSE as ERROR
from servicecenter.core.api import Pagination, error_body
from servicecenter.org.models import Staff
from servicecenter.policy.values import local_today

from .. import selectors, services
from ..choices import PunchSource
from .serializers import (
    MonthQuerySerializer,
    PunchInputSerializer,
    PunchSerializer,
    ResultSerializer,
    ViolationInputSerializer,
    ViolationSerializer,
)

MONTH = OpenApiParameter("month", str, description="YYYY-MM，默认本月")


class PunchApi(APIView):
    @extend_schema(
        summary="打卡（考勤机/手机）",
        description="幂等：同类型打卡在 attendance.punch_dedupe_seconds 内重复提交，"
        "返回第一次的记录（200，duplicate=true）。"
        "不在中心 IP 段/定位范围内的打卡记为无效并返回 403（code=punch_refused）。"
        "已停用或离职账号 400，不保存。",
        request=PunchInputSerializer,
        responses={201: PunchSerializer, 200: PunchSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    def post(self, request: Request) -> Response:
        data = PunchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        staff = None
        staff_no = (values.get("staff_no") or "").strip()
        if staff_no:
            staff = Staff.objects.select_related("organization", "user").filter(staff_no=staff_no).first()
            own = staff is not None and staff.user_id == request.user.pk
            if staff is None or not (
                own or scope(Staff.objects.filter(pk=staff.pk), user=request.user, permission=selectors.MANAGE).exists()
            ):
                raise Http404
        outcome = services.punch_record(
            actor=request.user,
            staff=staff,
            kind=values["kind"],
            at=values.get("at"),
            source=PunchSource.TERMINAL if staff_no else PunchSource.PHONE,
            ip=request.META.get("REMOTE_ADDR"),
            lat=values.get("lat"),
            lng=values.get("lng"),
        )
        body = PunchSerializer(outcome.punch, context={"duplicate": outcome.duplicate}).data
        if not outcome.accepted:
            return Response(
                {
                    **error_body(code="punch_refused", message=outcome.punch.refused_reason, clause="ATT-03"),
                    "punch": body,
                },
                status=status.HTTP_403_FORBIDDEN,
            )
        return Response(body, status=status.HTTP_200_OK if outcome.duplicate else status.HTTP_201_CREATED)


class MyResultsApi(APIView):
    @extend_schema(summary="我的考勤结果（按月）", parameters=[MONTH], responses={200: ResultSerializer(many=True)})
    def get(self, request: Request) -> Response:
        staff = selectors.staff_of(request.user)
        if staff is None:
            raise Http404
        query = MonthQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        year, month = selectors.parse_month(query.validated_data.get("month"), today=local_today(staff.organization))
        days = selectors.month_days(year, month)
        results = selectors.results_of_staff(staff=staff, start=days[0], end=days[-1]).select_related("staff")
        return Response(ResultSerializer(results, many=True).data)


class CenterResultsApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        summary="中心某月考勤结果（管理人员）",
        parameters=[MONTH, OpenApiParameter("center", int, description="中心 ID，默认第一个可见中心")],
        responses={200: ResultSerializer(many=True), 404: ERROR},
    )
    def get(self, request: Request) -> Response:
        query = MonthQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        center = selectors.access_center(user=request.user, pk=query.validated_data.get("center"))
        year, month = selectors.parse_month(query.validated_data.get("month"), today=local_today(center))
        days = selectors.month_days(year, month)
        qs = selectors.results_of_center(organization=center, start=days[0], end=days[-1])
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(ResultSerializer(page, many=True).data)


class ViolationListApi(APIView):
    pagination_class = Pagination

    @extend_schema(summary="违纪记录（管辖范围）", responses={200: ViolationSerializer(many=True)})
    def get(self, request: Request) -> Response:
        if not has_permission_anywhere(user=request.user, permission=selectors.VIEW):
            raise Http404
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.violations_visible_to(user=request.user), request, view=self)
        return paginator.get_paginated_response(ViolationSerializer(page, many=True).data)

    @extend_schema(
        summary="登记违纪（按当月阶梯处理）",
        request=ViolationInputSerializer,
        responses={201: ViolationSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    def post(self, request: Request) -> Response:
        data = ViolationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        staff = (
            scope(Staff.objects.select_related("organization"), user=request.user, permission=selectors.MANAGE)
            .filter(staff_no=values["staff_no"])
            .first()
        )
        if staff is None:
            raise Http404
        violation = services.violation_record(
            actor=request.user,
            staff=staff,
            day=values["day"],
            type=values["type"],
            description=values["description"],
            evidence_text=values["evidence_text"],
        )
        return Response(ViolationSerializer(violation).data, status=status.HTTP_201_CREATED)
