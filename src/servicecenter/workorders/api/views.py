"""Work-order API (/api/v1/workorders/): thin views over the selectors and services (issue 3 item 9).

Every transition is its own endpoint calling exactly one service; the order is first looked up in the user's scope
(outside it: 404), then the service checks the permission for the action (403), the state (409, e.g. «该工单已被 X 派
给 Y») and the input (400). The create takes an `Idempotency-Key` header (core.idempotency): a retry never creates a
second order. Errors: {code, message, fields, clause}.
"""

from __future__ import annotations

import functools
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from servicecenter.core import idempotency
from servicecenter.core.api import ERROR_RESPONSE as ERROR
from servicecenter.core.api import IDEMPOTENCY_HEADER, Pagination, transition_view

from .. import selectors, services
from ..choices import Channel
from ..models import WorkOrder
from .serializers import (
    ORDERING,
    WorkOrderCompleteSerializer,
    WorkOrderContactSerializer,
    WorkOrderCreateSerializer,
    WorkOrderDetailSerializer,
    WorkOrderDispatchSerializer,
    WorkOrderEmptySerializer,
    WorkOrderEventSerializer,
    WorkOrderExpenseInputSerializer,
    WorkOrderExpenseOutputSerializer,
    WorkOrderFilterSerializer,
    WorkOrderNoteSerializer,
    WorkOrderOptionalNoteSerializer,
    WorkOrderPauseSerializer,
    WorkOrderReasonSerializer,
    WorkOrderReassignSerializer,
    WorkOrderSerializer,
)


def _detail(request: Request, order_id: int) -> dict[str, Any]:
    return dict(WorkOrderDetailSerializer(selectors.order_api_detail(user=request.user, pk=order_id)).data)


def _created_detail(order: WorkOrder) -> dict[str, Any]:
    """The answer to a create, equal to GET …/{id}/ (tests/workorders/test_perf.py compares them) in ONE query:
    the order the service just created and validated, with its timeline; a new order has no materials or
    expenses yet (the API create never passes an intake token, so the order is always new)."""
    order._prefetched_objects_cache = {  # type: ignore[attr-defined]
        "events": list(selectors.order_events(order=order)),
        "materials": [],
        "expenses": [],
    }
    return dict(WorkOrderDetailSerializer(order).data)


class WorkOrderListApi(APIView):
    """GET: the orders I may see, filtered and ordered. POST: register a new order (channel "api")."""

    pagination_class = Pagination  # documents GET as a page {count, next, previous, results}

    @extend_schema(
        summary="工单列表（本人可见范围）/ Work orders visible to me",
        parameters=[
            OpenApiParameter("center", int, description="服务中心 id / center id"),
            OpenApiParameter("state", str, description="new | dispatched | accepted | in_progress | paused | …"),
            OpenApiParameter("kind", str, description="inquiry | complaint | repair | installation | other"),
            OpenApiParameter("type", str, description="服务类型 A | B | C | D"),
            OpenApiParameter("assignee", int, description="服务人员（Staff）id"),
            OpenApiParameter("phone", str, description="电话（按数字前缀匹配）/ phone digits prefix"),
            OpenApiParameter("created_after", OpenApiTypes.DATE, description="受理日期不早于 / created on or after"),
            OpenApiParameter("created_before", OpenApiTypes.DATE, description="受理日期不晚于 / created on or before"),
            OpenApiParameter("ordering", str, description=" | ".join(ORDERING)),
        ],
        responses={200: WorkOrderSerializer(many=True), 400: ERROR},
    )
    def get(self, request: Request) -> Response:
        filters = WorkOrderFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        ordering = ORDERING[filters.validated_data.get("ordering") or "-created_at"]
        qs = selectors.order_api_list(user=request.user, filters=filters.validated_data, ordering=ordering)
        paginator = Pagination()
        page: Any = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(WorkOrderSerializer(page, many=True).data)

    @extend_schema(
        summary="新建工单（系统对接，支持 Idempotency-Key）/ Create a work order (idempotent with Idempotency-Key)",
        parameters=[IDEMPOTENCY_HEADER],
        request=WorkOrderCreateSerializer,
        responses={201: WorkOrderDetailSerializer, 400: ERROR, 403: ERROR, 422: ERROR},
    )
    def post(self, request: Request) -> Response:
        return idempotency.replay_or_run(request, scope="workorders.create", run=lambda: self._create(request))

    def _create(self, request: Request) -> Response:
        serializer = WorkOrderCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        # A center outside the caller's scope does not exist for them (404, like every object out of reach).
        center = selectors.center_for_intake(user=request.user, pk=data.pop("organization"))
        order = services.order_create(
            actor=request.user,
            organization=center,
            channel=Channel.API,
            customer_id=data.pop("customer", None),
            **data,
        )
        return Response(_created_detail(order), status=status.HTTP_201_CREATED)


class WorkOrderDetailApi(APIView):
    @extend_schema(
        summary="工单详情（含时限及依据、时间线）/ Work order with deadlines, citations and timeline",
        responses={200: WorkOrderDetailSerializer, 404: ERROR},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_detail(request, pk))


class WorkOrderEventListApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        summary="工单时间线（WO-06，最早的在前）/ Timeline of a work order, oldest first",
        responses={200: WorkOrderEventSerializer(many=True), 404: ERROR},
    )
    def get(self, request: Request, pk: int) -> Response:
        order = selectors.access_order(user=request.user, pk=pk)
        paginator = Pagination()
        page: Any = paginator.paginate_queryset(selectors.order_events(order=order), request, view=self)
        return paginator.get_paginated_response(WorkOrderEventSerializer(page, many=True).data)


# --- transitions: one endpoint per service --------------------------------------------------------------------------


# core.api.transition_view for work orders: looked up in the caller's scope, answered in full.
_transition = functools.partial(
    transition_view,
    lookup=lambda user, pk: selectors.access_order(user=user, pk=pk),
    answer=lambda request, record: _detail(request, record.pk),
    detail=WorkOrderDetailSerializer,
)


WorkOrderDispatchApi = _transition(
    "WorkOrderDispatchApi",
    "派单 / Dispatch to a serviceman (WO-04)",
    WorkOrderDispatchSerializer,
    lambda u, o, d: services.order_dispatch(actor=u, order_id=o.pk, assignee_id=d["assignee"]),
    doc="两人同时派单只有一人成功，另一人得到 409「该工单已被 X 派给 Y」。",
)
WorkOrderReassignApi = _transition(
    "WorkOrderReassignApi",
    "改派（须填原因，时限不变）/ Reassign with a reason; the SLA clocks keep running",
    WorkOrderReassignSerializer,
    lambda u, o, d: services.order_reassign(
        actor=u,
        order_id=o.pk,
        assignee_id=d["assignee"],
        reason=d["reason"],
        expected_assignee_id=d.get("expected_assignee"),
    ),
)
WorkOrderTakeBackApi = _transition(
    "WorkOrderTakeBackApi",
    "收回工单 / Take an order back into the queue",
    WorkOrderReasonSerializer,
    lambda u, o, d: services.order_take_back(actor=u, order_id=o.pk, reason=d["reason"]),
)
WorkOrderAcceptApi = _transition(
    "WorkOrderAcceptApi",
    "接单（即响应，WO-03）/ Accept (answers the response SLA)",
    WorkOrderEmptySerializer,
    lambda u, o, d: services.order_accept(actor=u, order_id=o.pk),
)
WorkOrderContactApi = _transition(
    "WorkOrderContactApi",
    "记录联系客户（WO-09）/ Record contact with the customer",
    WorkOrderContactSerializer,
    lambda u, o, d: services.order_contact(actor=u, order_id=o.pk, note=d["note"], at=d.get("at")),
)
WorkOrderArriveApi = _transition(
    "WorkOrderArriveApi",
    "到达现场 / Arrived on site",
    WorkOrderEmptySerializer,
    lambda u, o, d: services.order_arrive(actor=u, order_id=o.pk),
)
WorkOrderPauseApi = _transition(
    "WorkOrderPauseApi",
    "暂停（等待客户/配件，C-19）/ Pause",
    WorkOrderPauseSerializer,
    lambda u, o, d: services.order_pause(actor=u, order_id=o.pk, reason=d["reason"], note=d["note"]),
)
WorkOrderResumeApi = _transition(
    "WorkOrderResumeApi",
    "恢复处理 / Resume",
    WorkOrderEmptySerializer,
    lambda u, o, d: services.order_resume(actor=u, order_id=o.pk),
)
WorkOrderCompleteApi = _transition(
    "WorkOrderCompleteApi",
    "完工回单（客户签名为 base64 PNG，SVC-05/09）/ Complete and return with the customer's signature",
    WorkOrderCompleteSerializer,
    lambda u, o, d: services.order_complete(
        actor=u,
        order_id=o.pk,
        work_content=d["work_content"],
        service_started_at=d.get("service_started_at"),
        service_ended_at=d["service_ended_at"],
        materials=d["materials"],
        labour_fee=d["labour_fee"],
        signature_png=d["signature"] or None,
        signer_name=d["signer_name"],
        voucher_photo=d["voucher_photo"] or None,
        collected=d["collected"],
    ),
)
WorkOrderCancelApi = _transition(
    "WorkOrderCancelApi",
    "取消工单（须填原因）/ Cancel with a reason",
    WorkOrderReasonSerializer,
    lambda u, o, d: services.order_cancel(actor=u, order_id=o.pk, reason=d["reason"]),
)
WorkOrderCloseApi = _transition(
    "WorkOrderCloseApi",
    "关闭已回单工单 / Close a returned order",
    WorkOrderOptionalNoteSerializer,
    lambda u, o, d: services.order_close(actor=u, order_id=o.pk, note=d["note"]),
)
WorkOrderCountersignApi = _transition(
    "WorkOrderCountersignApi",
    "经理核签服务凭证（SVC-10）/ Manager countersigns the voucher",
    WorkOrderEmptySerializer,
    lambda u, o, d: services.order_countersign(actor=u, order_id=o.pk),
)
WorkOrderArchiveApi = _transition(
    "WorkOrderArchiveApi",
    "凭证归档（只读，SVC-06）/ Archive the voucher (read-only)",
    WorkOrderEmptySerializer,
    lambda u, o, d: services.order_archive(actor=u, order_id=o.pk),
)
WorkOrderNoteApi = _transition(
    "WorkOrderNoteApi",
    "添加备注（时间线）/ Add a note to the timeline",
    WorkOrderNoteSerializer,
    lambda u, o, d: services.order_add_note(actor=u, order_id=o.pk, note=d["note"]),
    created=WorkOrderEventSerializer,
)
WorkOrderExpenseApi = _transition(
    "WorkOrderExpenseApi",
    "登记差旅/补贴费用（SVC-14）/ Record a travel or allowance expense",
    WorkOrderExpenseInputSerializer,
    lambda u, o, d: services.order_add_expense(
        actor=u, order_id=o.pk, kind=d["kind"], amount=d["amount"], incurred_on=d["incurred_on"], note=d["note"]
    ),
    created=WorkOrderExpenseOutputSerializer,
)
WorkOrderLogCallApi = _transition(
    "WorkOrderLogCallApi",
    "记录重复来电（WO-01）/ Log a repeat call on the order",
    WorkOrderNoteSerializer,
    lambda u, o, d: services.order_log_call(actor=u, order_id=o.pk, note=d["note"]),
)
