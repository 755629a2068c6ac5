"""The one way to write the audit log (STYLE.md §2.5)."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .middleware import current_request_id
from .models import AuditEvent


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, models.Model):
        return value.pk
    return str(value)


def record(
    *,
    actor: Any,
    verb: str,
    target: models.Model,
    changes: dict[str, list[Any]] | None = None,
    clause: str = "",
    note: str = "",
    organization: Any = None,
) -> AuditEvent:
    """Append an audit event. Call only from services, inside their transaction.

    `actor` is the user responsible (None for a scheduled system job, which then names itself in `note`).
    `organization` defaults to the target's own `organization` when it has one, so scoped history lists work.
    """
    if organization is None:
        organization = getattr(target, "organization", None)
        if organization is not None and not hasattr(organization, "path"):
            organization = None
    user = getattr(actor, "user", actor) if actor is not None else None
    return AuditEvent.objects.create(
        actor=user if (user is not None and getattr(user, "is_authenticated", False)) else None,
        verb=verb,
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        target_repr=str(target)[:255],
        organization=organization,
        changes=_jsonable(changes or {}),
        clause=clause,
        note=note,
        request_id=current_request_id(),
    )


def diff(instance: models.Model, before: dict[str, Any], fields: list[str]) -> dict[str, list[Any]]:
    """`{field: [old, new]}` for the fields of `instance` that differ from the `before` snapshot."""
    changes: dict[str, list[Any]] = {}
    for name in fields:
        new = getattr(instance, name)
        old = before.get(name)
        if _jsonable(old) != _jsonable(new):
            changes[name] = [_jsonable(old), _jsonable(new)]
    return changes


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    return {name: getattr(instance, name) for name in fields}
