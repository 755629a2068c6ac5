"""Complaint API (/api/v1/complaints/): thin views over the selectors (complaints.selectors, scoped with
core.access) and the services (complaints.services: one function per G-01 transition).

The complaint is first looked up in the caller's scope (outside it: 404), then the service checks the permission
(403: handling needs complaints.handle_complaint), the state (409, «投诉 X 当前为「…」，不能…») and the input (400).
The create takes an `Idempotency-Key` header (core.idempotency): a retry never registers a second complaint.
Errors: {code, message, fields, clause}.
"""

from __future__ import annotations

import functools
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from servicecenter.core import idempotency
from servicecenter.core.access import has_permission_anywhere
from servicecenter.core.api import ERROR_RESPONSE as ERROR
from servicecenter.core.api import IDEMPOTENCY_HEADER, Pagination, transition_view
from servicecenter.core.errors import NotAllowed
from servicecenter.org.selectors import mask_phone

from .. import selectors, services
from .serializers import (
    ComplaintAcknowledgeSerializer,
    ComplaintCreateSerializer,
    ComplaintDetailSerializer,
    ComplaintEventSerializer,
    ComplaintFeedbackSerializer,
    ComplaintFilterSerializer,
    ComplaintNoteSerializer,
    ComplaintOptionalNoteSerializer,
    ComplaintReasonSerializer,
    ComplaintResolveSerializer,
    ComplaintSerializer,
)


def _context(request: Request) -> dict[str, Any]:
    user = request.user
    return {
        "now": timezone.now(),
        "phone_for": lambda complaint: (
            complaint.phone if selectors.phone_visible(user=user, complaint=complaint) else mask_phone(complaint.phone)
        ),
    }


def _detail(request: Request, pk: int) -> dict[str, Any]:
    complaint = selectors.access_complaint(user=request.user, pk=pk)
    return dict(ComplaintDetailSerializer(complaint, context=_context(request)).data)


class ComplaintListApi(APIView):
    """GET: the complaints I may see, filtered. POST: register a complaint (CMP-01)."""

    pagination_class = Pagination  # documents GET as a page {count, next, previous, results}

    @extend_schema(
        summary="投诉列表（本人可见范围，最新的在前）/ Complaints visible to me, newest first",
        parameters=[
            OpenApiParameter(
                "status",
                str,
                description="received | acknowledged | investigating | resolved | confirmed | closed | reopened",
            ),
            OpenApiParameter("severity", str, description="normal | serious | critical"),
            OpenApiParameter(
                "category", str, description="attitude | quality | timeliness | charge | language | merchant | other"
            ),
            OpenApiParameter("channel", str, description="phone | walk_in | web | callback | rating | letter"),
            OpenApiParameter("center", int, description="服务中心 id / center id"),
            OpenApiParameter(
                "overdue",
                bool,
                description="true：只列出未结且已过确认受理或处理期限的（G-01）；false 或不填：不限 / overdue only",
            ),
            OpenApiParameter(
                "q",
                str,
                description=(
                    "投诉编号、投诉人姓名、摘要，或完整电话号码（至少 7 位数字）/ number, name, summary or full phone"
                ),
            ),
        ],
        responses={200: ComplaintSerializer(many=True), 400: ERROR, 403: ERROR},
    )
    def get(self, request: Request) -> Response:
        if not has_permission_anywhere(user=request.user, permission=selectors.VIEW):
            raise NotAllowed(_("您没有查看投诉的权限"))
        filters = ComplaintFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        context = _context(request)
        qs = selectors.complaint_list(
            user=request.user, filters=selectors.api_filters(filters=filters.validated_data), now=context["now"]
        ).select_related("order")
        paginator = Pagination()
        page: Any = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(ComplaintSerializer(page, many=True, context=context).data)

    @extend_schema(
        summary="登记投诉（CMP-01，支持 Idempotency-Key）/ Register a complaint (idempotent with Idempotency-Key)",
        description="期限按严重程度和中心营业日历计算（G-01），投诉人收到含投诉编号的短信（CMP-11）。",
        parameters=[IDEMPOTENCY_HEADER],
        request=ComplaintCreateSerializer,
        responses={201: ComplaintDetailSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 422: ERROR},
    )
    def post(self, request: Request) -> Response:
        return idempotency.replay_or_run(request, scope="complaints.create", run=lambda: self._create(request))

    def _create(self, request: Request) -> Response:
        data = ComplaintCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        center = selectors.api_center_with_role(user=request.user, pk=values.pop("organization"))
        complaint = services.complaint_create(
            actor=request.user,
            organization=center,
            order_id=values.pop("order"),
            against_staff_id=values.pop("against_staff"),
            customer_id=values.pop("customer"),
            **values,
        )
        return Response(_detail(request, complaint.pk), status=status.HTTP_201_CREATED)


class ComplaintDetailApi(APIView):
    @extend_schema(
        summary="投诉详情（含期限依据、答复、反馈和处理记录）/ A complaint with its deadlines, response and timeline",
        responses={200: ComplaintDetailSerializer, 404: ERROR},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_detail(request, pk))


class ComplaintEventListApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        summary="投诉处理记录（最早的在前）/ Timeline of a complaint, oldest first",
        responses={200: ComplaintEventSerializer(many=True), 404: ERROR},
    )
    def get(self, request: Request, pk: int) -> Response:
        complaint = selectors.access_complaint(user=request.user, pk=pk)
        paginator = Pagination()
        page: Any = paginator.paginate_queryset(selectors.complaint_api_events(complaint=complaint), request, view=self)
        return paginator.get_paginated_response(ComplaintEventSerializer(page, many=True).data)


# --- transitions: one endpoint per service --------------------------------------------------------------------------


# core.api.transition_view for complaints: looked up in the caller's scope, answered in full.
_transition = functools.partial(
    transition_view,
    lookup=lambda user, pk: selectors.access_complaint(user=user, pk=pk),
    answer=lambda request, record: _detail(request, record.pk),
    detail=ComplaintDetailSerializer,
)


ComplaintAcknowledgeApi = _transition(
    "ComplaintAcknowledgeApi",
    "确认受理并指定处理人（G-01）/ Acknowledge and name the handler",
    ComplaintAcknowledgeSerializer,
    lambda u, c, d: services.complaint_acknowledge(actor=u, complaint_id=c.pk, owner_id=d["owner"]),
    doc="owner 为处理人的用户 id（须有本中心的投诉处理权限），默认为调用人。",
)
ComplaintStartInvestigationApi = _transition(
    "ComplaintStartInvestigationApi",
    "开始调查 / Start the investigation",
    ComplaintOptionalNoteSerializer,
    lambda u, c, d: services.complaint_start_investigation(actor=u, complaint_id=c.pk, note=d["note"]),
)
ComplaintNoteApi = _transition(
    "ComplaintNoteApi",
    "添加处理记录（内部，投诉人不可见）/ Add an internal handling note",
    ComplaintNoteSerializer,
    lambda u, c, d: services.complaint_add_note(actor=u, complaint_id=c.pk, note=d["note"]),
    created=ComplaintEventSerializer,
)
ComplaintResolveApi = _transition(
    "ComplaintResolveApi",
    "答复处理结果（可含赔偿，CMP-09）/ Record the resolution and the answer to the complainant",
    ComplaintResolveSerializer,
    lambda u, c, d: services.complaint_resolve(
        actor=u,
        complaint_id=c.pk,
        response=d["response"],
        compensation=d["compensation"],
        compensation_payer=d["compensation_payer"],
    ),
)
ComplaintFeedbackApi = _transition(
    "ComplaintFeedbackApi",
    "记录投诉人反馈（不满意则重新打开或升级，G-01）/ Record the complainant's feedback",
    ComplaintFeedbackSerializer,
    lambda u, c, d: services.complaint_record_feedback(
        actor=u, complaint_id=c.pk, feedback=d["feedback"], note=d["note"]
    ),
    doc=(
        "satisfied / no_reply：客户已确认；dissatisfied：重新打开（最多 complaints.reopen_limit 次），"
        "超过后升级至上级（G-01）。"
    ),
)
ComplaintCloseApi = _transition(
    "ComplaintCloseApi",
    "结案（须有答复和处理人，CMP-06）/ Close a confirmed complaint",
    ComplaintOptionalNoteSerializer,
    lambda u, c, d: services.complaint_close(actor=u, complaint_id=c.pk, note=d["note"]),
)
ComplaintReopenApi = _transition(
    "ComplaintReopenApi",
    "重新打开（须填原因）/ Reopen a confirmed or closed complaint",
    ComplaintReasonSerializer,
    lambda u, c, d: services.complaint_reopen(actor=u, complaint_id=c.pk, reason=d["reason"]),
)
