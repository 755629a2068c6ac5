"""Project-level pages that combine several apps (the top of the dependency order)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def home_view(request: HttpRequest) -> HttpResponse:
    """My center, my roles, approvals waiting for me, my latest notifications — bounded queries."""
    from servicecenter.approvals.selectors import steps_awaiting
    from servicecenter.notifications.selectors import notification_list_for
    from servicecenter.org.selectors import roles_of

    user = request.user
    staff = getattr(user, "staff", None) if hasattr(user, "staff") else None
    awaiting = steps_awaiting(user=user)
    context = {
        "staff": staff,
        "center": staff.organization.service_center() if staff else None,
        "assignments": roles_of(user=user),
        "awaiting": awaiting[:10],
        "awaiting_count": awaiting.count(),
        "notifications": notification_list_for(user=user, unread_only=True)[:8],
    }
    return render(request, "home.html", context)
