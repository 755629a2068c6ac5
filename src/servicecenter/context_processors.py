"""Navigation context for base.html: menu entries, the signed-in staff record and the unread count."""

from __future__ import annotations

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from servicecenter.core.nav import nav_for
    from servicecenter.notifications.selectors import unread_count

    return {**nav_for(request), "nav_unread": unread_count(user=user)}
