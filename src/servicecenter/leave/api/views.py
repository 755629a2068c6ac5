"""Leave API (/api/v1/leave/): thin views over the selectors and services; errors as {code, message, fields,
clause}. JSON only: a certificate is sent as base64 (`POST requests/{id}/certificate/`)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from servicecenter.core.access import has_permission_anywhere
from servicecenter.core.api import ERROR_RESPONSE as ERROR
from servicecenter.core.api import Pagination
from servicecenter.core.errors import NotAllowed

from .. import selectors, services
from .serializers import (
    AttachmentSerializer,
    CancelSerializer,
    CertificateSerializer,
    CloseSerializer,
    LeaveCreateSerializer,
    LeaveDetailSerializer,
    LeaveRequestSerializer,
    RegisterFilterSerializer,
)


def _detail(request: Request, pk: int) -> Response:
    return Response(LeaveDetailSerializer(selectors.leave_for(user=request.user, pk=pk)).data)


class MyLeaveListApi(APIView):
    """GET: my requests, newest first. POST: submit a request for myself (LEV rules checked, routed, C-03)."""

    pagination_class = Pagination

    @extend_schema(summary="我的请假申请", responses={200: LeaveRequestSerializer(many=True)})
    def get(self, request: Request) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.my_requests(user=request.user), request, view=self)
        return paginator.get_paginated_response(LeaveRequestSerializer(page, many=True).data)

    @extend_schema(
        summary="提交请假申请",
        request=LeaveCreateSerializer,
        responses={201: LeaveDetailSerializer, 400: ERROR, 403: ERROR, 409: ERROR},
    )
    def post(self, request: Request) -> Response:
        serializer = LeaveCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        leave = services.leave_submit(actor=request.user, **serializer.service_kwargs())
        response = _detail(request, leave.pk)
        response.status_code = status.HTTP_201_CREATED
        return response


class LeaveDetailApi(APIView):
    @extend_schema(summary="请假申请详情（含审批步骤、证明）", responses={200: LeaveDetailSerializer, 404: ERROR})
    def get(self, request: Request, pk: int) -> Response:
        return _detail(request, pk)


class LeaveWithdrawApi(APIView):
    @extend_schema(
        summary="撤回待审批的请假",
        request=None,
        responses={200: LeaveDetailSerializer, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    def post(self, request: Request, pk: int) -> Response:
        leave = selectors.leave_for(user=request.user, pk=pk)
        services.leave_withdraw(actor=request.user, leave_id=leave.pk)
        return _detail(request, pk)


class LeaveCancelApi(APIView):
    @extend_schema(
        summary="取消尚未开始的已批准请假",
        request=CancelSerializer,
        responses={200: LeaveDetailSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    def post(self, request: Request, pk: int) -> Response:
        leave = selectors.leave_for(user=request.user, pk=pk)
        serializer = CancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.leave_cancel(actor=request.user, leave_id=leave.pk, note=serializer.validated_data["note"])
        return _detail(request, pk)


class LeaveCloseApi(APIView):
    @extend_schema(
        summary="销假：登记实际返岗时间（LEV-12）",
        request=CloseSerializer,
        responses={200: LeaveDetailSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    def post(self, request: Request, pk: int) -> Response:
        leave = selectors.leave_for(user=request.user, pk=pk)
        serializer = CloseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.leave_close(
            actor=request.user,
            leave_id=leave.pk,
            actual_return_at=serializer.validated_data["actual_return_at"],
            note=serializer.validated_data["note"],
        )
        return _detail(request, pk)


class LeaveCertificateApi(APIView):
    @extend_schema(
        summary="上传病历证明（base64，图片或 PDF，≤5 MB，LEV-06）",
        request=CertificateSerializer,
        responses={201: AttachmentSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    def post(self, request: Request, pk: int) -> Response:
        leave = selectors.leave_for(user=request.user, pk=pk)
        serializer = CertificateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        content = services.decode_base64(serializer.validated_data["content_base64"])
        attachment = services.certificate_attach(
            actor=request.user, leave_id=leave.pk, content=content, filename=serializer.validated_data["filename"]
        )
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


class LeaveRegisterApi(APIView):
    """The leave register (LEV-12) of the centers where I hold leave.view_leaverequest."""

    pagination_class = Pagination

    @extend_schema(
        summary="请销假登记（管理人员）",
        parameters=[
            OpenApiParameter("month", str, description="YYYY-MM：与该月有交集的请假"),
            OpenApiParameter("person", str, description="姓名（包含）或工号"),
            OpenApiParameter("kind", str),
            OpenApiParameter("status", str),
        ],
        responses={200: LeaveRequestSerializer(many=True), 400: ERROR, 403: ERROR},
    )
    def get(self, request: Request) -> Response:
        if not has_permission_anywhere(user=request.user, permission=services.VIEW):
            raise NotAllowed("您没有查看请假登记的权限")
        filters = RegisterFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        month = tuple(int(x) for x in data["month"].split("-")) if data.get("month") else None
        qs = selectors.register_rows(
            user=request.user,
            filters=selectors.RegisterFilters(
                month=month,  # type: ignore[arg-type]
                person=data.get("person", ""),
                kind=data.get("kind", ""),
                status=data.get("status", ""),
            ),
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(LeaveRequestSerializer(page, many=True).data)
