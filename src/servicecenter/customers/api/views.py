"""Customers API (/api/v1/customers/): search by phone or name, one customer with their open orders, create and
update — thin views over customers.selectors and customers.services (SVC-17). Errors: {code, message, fields,
clause}; a customer or center outside the caller's scope is a 404."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from servicecenter.core.api import ERROR_RESPONSE as ERROR
from servicecenter.core.api import Pagination

from .. import selectors, services
from .serializers import (
    CustomerCreateSerializer,
    CustomerDetailSerializer,
    CustomerFilterSerializer,
    CustomerSerializer,
    CustomerUpdateSerializer,
)

OPEN_STATUSES = ("new", "dispatched", "accepted", "in_progress", "paused")
OPEN_ORDERS_SHOWN = 50


def _detail(request: Request, pk: Any) -> dict[str, Any]:
    customer = selectors.access_customer(user=request.user, pk=pk)
    orders = selectors.customer_orders(customer=customer).filter(status__in=OPEN_STATUSES)[:OPEN_ORDERS_SHOWN]
    customer.open_orders = list(orders)  # type: ignore[attr-defined]
    return dict(CustomerDetailSerializer(customer).data)


class CustomerListApi(APIView):
    """GET: customers I may see, searched by phone (any spelling, part of a number) or name. POST: a new customer."""

    pagination_class = Pagination

    @extend_schema(
        summary="客户列表/按电话或姓名查找 / Customers, searched by phone or name",
        parameters=[
            OpenApiParameter("q", str, description="电话（任意写法、部分号码）或姓名 / phone digits or name"),
            OpenApiParameter("center", int, description="服务中心 id"),
        ],
        responses={200: CustomerSerializer(many=True), 400: ERROR},
    )
    def get(self, request: Request) -> Response:
        filters = CustomerFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        center = filters.validated_data.get("center")
        qs = selectors.customer_search(user=request.user, q=filters.validated_data.get("q", ""))
        if center:
            qs = qs.filter(organization_id=center)
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(CustomerSerializer(page, many=True).data)

    @extend_schema(
        summary="新建客户（SVC-17）/ Create a customer",
        request=CustomerCreateSerializer,
        responses={201: CustomerDetailSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    def post(self, request: Request) -> Response:
        serializer = CustomerCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        center = (
            selectors.centers_for(user=request.user, permission=selectors.VIEW)
            .filter(pk=data.pop("organization"))
            .first()
        )
        if center is None:
            raise Http404("no such center")
        customer = services.customer_create(actor=request.user, organization=center, **data)
        return Response(_detail(request, customer.pk), status=status.HTTP_201_CREATED)


class CustomerDetailApi(APIView):
    @extend_schema(
        summary="客户详情（含未完成工单）/ A customer with their open work orders",
        responses={200: CustomerDetailSerializer, 404: ERROR},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_detail(request, pk))

    @extend_schema(
        summary="修改客户资料（只改所给字段）/ Update a customer (only the given fields)",
        request=CustomerUpdateSerializer,
        responses={200: CustomerDetailSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    def patch(self, request: Request, pk: int) -> Response:
        customer = selectors.access_customer(user=request.user, pk=pk)
        serializer = CustomerUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        expected = changes.pop("expected_updated_at", None)
        # The service compares ISO strings; the client sends the instant back in any offset: compare instants here
        # and hand the service the stored spelling when they agree (it then re-checks under its row lock).
        if expected is not None:
            expected = customer.updated_at.isoformat() if expected == customer.updated_at else expected.isoformat()
        services.customer_update(actor=request.user, customer_id=customer.pk, expected_updated_at=expected, **changes)
        return Response(_detail(request, customer.pk))
