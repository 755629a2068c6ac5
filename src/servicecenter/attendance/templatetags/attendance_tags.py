"""Template helpers of the attendance pages: the section tabs, status colours, dict lookup."""

from __future__ import annotations

from typing import Any

from django import template

from servicecenter.core.access import has_permission_anywhere

register = template.Library()

COLOURS = {
    "on_time": "success",
    "late": "warning",
    "early_leave": "warning",
    "absent": "danger",
    "missing_punch": "danger",
    "on_leave": "info",
    "business_trip": "info",
    "rest": "secondary",
    "not_scheduled": "light",
    "pending": "light",
    "present": "success",
    "on_duty": "success",
    "scheduled": "danger",
    "resting": "secondary",
    "off": "light",
}


@register.filter
def status_colour(status: str) -> str:
    return COLOURS.get(str(status), "secondary")


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.inclusion_tag("attendance/_tabs.html", takes_context=True)
def attendance_tabs(context: Any, active: str) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "active": active,
        "perms_view": user is not None and has_permission_anywhere(user=user, permission="attendance.view_results"),
    }
