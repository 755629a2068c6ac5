"""The inbox over the API: list mine, mark one read, mark all read (STYLE.md §2.10)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors, services
from .serializers import MarkAllReadOutputSerializer, NotificationOutputSerializer


@extend_schema(
    parameters=[OpenApiParameter("unread", OpenApiTypes.BOOL, description="1 = only unread notifications")],
    summary="My notifications, newest first",
)
class NotificationListApi(generics.ListAPIView):
    serializer_class = NotificationOutputSerializer

    def get_queryset(self):
        unread = self.request.query_params.get("unread", "").lower() in {"1", "true", "yes"}
        return selectors.notification_list_for(user=self.request.user, unread_only=unread)


class NotificationMarkReadApi(APIView):
    @extend_schema(request=None, responses=NotificationOutputSerializer, summary="Mark one of my notifications read")
    def post(self, request: Request, pk: int) -> Response:
        notification = selectors.access_notification(user=request.user, pk=pk)
        notification = services.notification_mark_read(actor=request.user, notification_id=notification.pk)
        return Response(NotificationOutputSerializer(notification).data)


class NotificationMarkAllReadApi(APIView):
    @extend_schema(request=None, responses=MarkAllReadOutputSerializer, summary="Mark all my notifications read")
    def post(self, request: Request) -> Response:
        marked = services.notifications_mark_all_read(actor=request.user)
        return Response(MarkAllReadOutputSerializer({"marked": marked}).data)
