"""Reads of the inbox and of failed deliveries (STYLE.md §2.8).

A notification belongs to its recipient alone: the inbox is filtered by recipient, not by organization. The
投递失败 list of dead deliveries is for administrators and is scoped like the audit log (core.view_auditevent).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from servicecenter.core.access import has_permission_anywhere, scope

from .choices import DeliveryStatus
from .models import Delivery, Notification

FAILURES_PERMISSION = "core.view_auditevent"


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_active


def unread_count(*, user: Any) -> int:
    """How many unread notifications `user` has: one indexed COUNT (recipient, read_at), run on every page."""
    if not _signed_in(user):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_list_for(*, user: Any, unread_only: bool = False) -> QuerySet[Notification]:
    """`user`'s own notifications, newest first (only the unread ones with `unread_only`)."""
    if not _signed_in(user):
        return Notification.objects.none()
    qs = Notification.objects.filter(recipient=user).select_related("actor__staff").order_by("-created_at", "-id")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


def access_notification(*, user: Any, pk: int) -> Notification:
    """One of `user`'s own notifications; anyone else's (or a missing one) → Http404."""
    return get_object_or_404(notification_list_for(user=user), pk=pk)


def can_see_delivery_failures(*, user: Any) -> bool:
    """Does `user` administer some organization's audit log (and so see its failed deliveries)?"""
    return has_permission_anywhere(user=user, permission=FAILURES_PERMISSION)


def delivery_failures_visible_to(*, user: Any) -> QuerySet[Delivery]:
    """Dead deliveries (given up after the last retry, or impossible) of the organizations whose audit log `user`
    may read, newest first. Deliveries of notifications without an organization are seen by superusers only."""
    qs = Delivery.objects.filter(status=DeliveryStatus.DEAD).select_related(
        "notification", "notification__recipient__staff", "notification__organization"
    )
    return scope(qs, user=user, permission=FAILURES_PERMISSION, field="notification__organization").order_by(
        "-updated_at", "-id"
    )
