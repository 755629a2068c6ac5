"""Navigation context for base.html: the signed-in user's staff record, center and unread counts."""

from __future__ import annotations

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from servicecenter.core.nav import nav_for

    return nav_for(request)
