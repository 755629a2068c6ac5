"""Who acts in a service and may they: the helpers every app's services share (STYLE.md §2: one way to do it).

`actor` arguments of services accept a user, a Staff row (its login), or None (a scheduled job, the public)."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Model
from django.utils.translation import gettext as _

from .access import has_permission_in
from .errors import NotAllowed


def user_of(actor: Any) -> Any:
    """The login behind `actor` (a user, a Staff row, or None for the system)."""
    return getattr(actor, "user", actor) if actor is not None else None


def display_name(user: Any) -> str:
    """How an actor is named on timelines: the staff name, else the user's name or login; 系统 for None."""
    if user is None:
        return _("系统")
    staff = getattr(user, "staff", None) if hasattr(user, "staff") else None
    return staff.name if staff is not None else (user.get_full_name() or user.get_username())


def require(user: Any, permission: str, organization: Any, message: str) -> None:
    """NotAllowed(`message`) unless `user` holds `permission` over `organization` (the scoping helper)."""
    if user is None or not has_permission_in(user=user, permission=permission, organization=organization):
        raise NotAllowed(message)


def bump_version(record: Model, fields: list[str]) -> None:
    """Save `fields` of a locked row with its optimistic `version` counted up (and `updated_at`), then re-read it."""
    record.version = F("version") + 1  # type: ignore[attr-defined]
    record.save(update_fields=[*fields, "version", "updated_at"])
    record.refresh_from_db(fields=["version"])
