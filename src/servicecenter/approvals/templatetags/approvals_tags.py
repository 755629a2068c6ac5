"""Display helpers for approval templates: people's names, kind labels, status colours."""

from __future__ import annotations

from typing import Any

from django import template

from ..kinds import kind_label as _kind_label
from ..services import person_name

register = template.Library()

STATUS_COLOURS = {
    "pending": "primary",
    "waiting": "secondary",
    "approved": "success",
    "rejected": "danger",
    "returned": "warning",
    "withdrawn": "secondary",
    "skipped": "light",
}


@register.filter
def person(user: Any) -> str:
    """A user's display name (staff name), or «—»."""
    return person_name(user) or "—"


@register.filter
def kind_label(code: str) -> str:
    return _kind_label(code)


@register.filter
def status_colour(status: str) -> str:
    return STATUS_COLOURS.get(status, "secondary")
