"""Approvals API (/api/v1/approvals/): thin views over the selectors and services; errors as
{code, message, fields, clause} (a Conflict is a 409)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from servicecenter.core.api import ERROR_RESPONSE as ERROR
from servicecenter.core.api import Pagination
from servicecenter.core.errors import NotAllowed

from .. import selectors, services
from ..kinds import GENERAL
from .serializers import (
    ApprovalRequestSerializer,
    GeneralRequestCreateSerializer,
    InboxStepSerializer,
    RequestFilterSerializer,
    StepDecideSerializer,
)


class ApprovalRequestListApi(APIView):
    """GET: the requests I may see (filters: status, kind, q, mine). POST: submit a 事项请示 (kind "general")."""

    pagination_class = Pagination  # documents GET as a page {count, next, previous, results}

    @extend_schema(
        summary="审批申请列表（本人可见）",
        parameters=[
            OpenApiParameter("status", str, description="pending | returned | approved | rejected | withdrawn"),
            OpenApiParameter("kind", str),
            OpenApiParameter("q", str, description="标题关键字"),
            OpenApiParameter("mine", bool, description="只看我发起的"),
        ],
        responses={200: ApprovalRequestSerializer(many=True), 400: ERROR},
    )
    def get(self, request: Request) -> Response:
        filters = RequestFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = selectors.request_list_visible_to(user=request.user, filters=filters.validated_data, with_steps=True)
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(ApprovalRequestSerializer(page, many=True).data)

    @extend_schema(
        summary="提交事项请示",
        request=GeneralRequestCreateSerializer,
        responses={201: ApprovalRequestSerializer, 400: ERROR, 403: ERROR},
    )
    def post(self, request: Request) -> Response:
        serializer = GeneralRequestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        organization = selectors.home_organization(user=request.user)
        if not selectors.can_submit(user=request.user, organization=organization):
            raise NotAllowed(_("您没有提交审批申请的权限"))
        approval = services.request_submit(
            actor=request.user,
            kind=GENERAL,
            organization=organization,
            title=serializer.validated_data["title"],
            description=serializer.validated_data["description"],
            payload=serializer.payload(),
        )
        approval = selectors.access_request(user=request.user, pk=approval.pk, with_steps=True)
        return Response(ApprovalRequestSerializer(approval).data, status=status.HTTP_201_CREATED)


class ApprovalRequestDetailApi(APIView):
    @extend_schema(summary="审批申请详情（含审批步骤）", responses={200: ApprovalRequestSerializer, 404: ERROR})
    def get(self, request: Request, pk: int) -> Response:
        approval = selectors.access_request(user=request.user, pk=pk, with_steps=True)
        return Response(ApprovalRequestSerializer(approval).data)


class InboxApi(APIView):
    """The steps waiting for me (as assignee, principal or current delegate), oldest first."""

    pagination_class = Pagination  # documents GET as a page {count, next, previous, results}

    @extend_schema(summary="待我审批的步骤（最早的在前）", responses={200: InboxStepSerializer(many=True)})
    def get(self, request: Request) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.steps_awaiting(user=request.user), request, view=self)
        return paginator.get_paginated_response(InboxStepSerializer(page, many=True).data)


class StepDecideApi(APIView):
    """Approve, reject or return a step. 409 when someone already decided it; 403 when I may not decide it."""

    @extend_schema(
        summary="审批一个步骤：同意 / 驳回 / 退回",
        request=StepDecideSerializer,
        responses={200: InboxStepSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    def post(self, request: Request, pk: int) -> Response:
        step = selectors.access_step(user=request.user, pk=pk)
        serializer = StepDecideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.step_decide(
            actor=request.user,
            step_id=step.pk,
            decision=serializer.validated_data["decision"],
            comment=serializer.validated_data["comment"],
        )
        step = selectors.access_step(user=request.user, pk=pk)
        return Response(InboxStepSerializer(step).data)
