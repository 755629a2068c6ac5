"""Template filters that render audit events for people. They format values; they never query."""

from __future__ import annotations

from typing import Any

from django import template

from servicecenter.core.audit_labels import FIELD_LABELS, VERB_LABELS

register = template.Library()


@register.filter
def verb_label(verb: str) -> str:
    return str(VERB_LABELS.get(verb, verb))


@register.filter
def field_label(field: str) -> str:
    return str(FIELD_LABELS.get(field, field))


@register.filter
def audit_value(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(audit_value(v) if not isinstance(v, list) else "–".join(map(str, v)) for v in value)
    return str(value)


@register.filter
def actor_name(user: Any) -> str:
    """«林晓岚（GC001）» for a staff login (needs `actor__staff` loaded), else the login name."""
    if user is None:
        return ""
    staff = getattr(user, "staff", None) if hasattr(user, "staff") else None
    return f"{staff.name}（{staff.staff_no}）" if staff is not None else user.get_username()
