"""Rosters API (/api/v1/rosters/): templates, the published roster of a month, my shifts, swap create/consent.
Errors as {code, message, fields, clause}."""

from __future__ import annotations

from datetime import date, timedelta

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from servicecenter.core.api import ERROR_RESPONSE as ERROR
from servicecenter.org.models import Staff
from servicecenter.policy.values import local_today

from .. import selectors, services
from .serializers import (
    MyShiftSerializer,
    RosterSerializer,
    ShiftTemplateSerializer,
    SwapConsentSerializer,
    SwapCreateSerializer,
    SwapSerializer,
)


class TemplateListApi(APIView):
    @extend_schema(summary="班次模板列表（某中心）", responses={200: ShiftTemplateSerializer(many=True), 404: ERROR})
    def get(self, request: Request, center_id: int) -> Response:
        center = selectors.access_center(user=request.user, pk=center_id)
        qs = selectors.templates_for(organization=center)
        return Response(ShiftTemplateSerializer(qs, many=True).data)


class PublishedRosterApi(APIView):
    @extend_schema(
        summary="某中心某月已发布的排班表（含条目）",
        responses={200: RosterSerializer, 404: ERROR},
    )
    def get(self, request: Request, center_id: int, year: int, month: int) -> Response:
        center = selectors.access_center(user=request.user, pk=center_id)
        try:
            first = date(year, month, 1)
        except ValueError:
            raise Http404 from None
        roster = selectors.published_roster(organization=center, month=first)
        if roster is None:
            raise Http404
        entries = selectors.entries_of(roster).select_related("staff").order_by("staff__staff_no", "day")
        data = {
            "id": roster.pk,
            "center_id": center.pk,
            "month": roster.month,
            "version": roster.version,
            "status": roster.status,
            "published_at": roster.published_at,
            "entries": [
                {
                    "staff_id": e.staff_id,
                    "staff_no": e.staff.staff_no,
                    "staff_name": e.staff.name,
                    "day": e.day,
                    "shift": e.shift.code if e.shift else None,
                }
                for e in entries
            ],
        }
        return Response(RosterSerializer(data).data)


class MyShiftsApi(APIView):
    @extend_schema(
        summary="我的班次（已发布，含值班）",
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, description="默认本月 1 日"),
            OpenApiParameter("end", OpenApiTypes.DATE, description="默认 start 起 62 天"),
        ],
        responses={200: MyShiftSerializer(many=True), 400: ERROR},
    )
    def get(self, request: Request) -> Response:
        staff = Staff.objects.filter(user_id=request.user.pk or 0).select_related("organization").first()
        if staff is None:
            return Response([])
        try:
            start = date.fromisoformat(
                request.query_params.get("start") or local_today(staff.organization).replace(day=1).isoformat()
            )
            end = date.fromisoformat(request.query_params.get("end") or (start + timedelta(days=62)).isoformat())
        except ValueError:
            return Response(
                {"code": "invalid", "message": "日期格式应为 YYYY-MM-DD", "fields": {}, "clause": ""}, status=400
            )
        if end < start or (end - start).days > 366:
            return Response(
                {"code": "invalid", "message": "日期范围有误（最多一年）", "fields": {}, "clause": ""}, status=400
            )
        return Response(MyShiftSerializer(selectors.my_shifts(staff=staff, start=start, end=end), many=True).data)


class SwapCreateApi(APIView):
    @extend_schema(
        summary="申请调班（ATT-20：须对方同意并经主管审批）",
        request=SwapCreateSerializer,
        responses={201: SwapSerializer, 400: ERROR, 403: ERROR},
    )
    def post(self, request: Request) -> Response:
        serializer = SwapCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        swap = services.swap_request(
            actor=request.user,
            counterpart_id=data["counterpart"],
            requester_day=data["requester_day"],
            counterpart_day=data.get("counterpart_day"),
            reason=data["reason"],
        )
        return Response(SwapSerializer(swap).data, status=status.HTTP_201_CREATED)


class SwapConsentApi(APIView):
    @extend_schema(
        summary="对调人同意 / 拒绝调班",
        request=SwapConsentSerializer,
        responses={200: SwapSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    def post(self, request: Request, pk: int) -> Response:
        swap = selectors.access_swap(user=request.user, pk=pk)
        serializer = SwapConsentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        swap = services.swap_consent(actor=request.user, swap_id=swap.pk, accept=serializer.validated_data["accept"])
        return Response(SwapSerializer(swap).data)
