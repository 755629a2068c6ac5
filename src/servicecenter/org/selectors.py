"""Reads of organizations, staff and roles, always scoped through core.access (STYLE.md §2.8)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import RoleAssignment


def roles_of(*, user: Any) -> QuerySet[RoleAssignment]:
    """The active role assignments of `user`, with role and organization loaded."""
    return (
        RoleAssignment.objects.filter(user=user, is_active=True, role__is_active=True)
        .select_related("role", "organization")
        .order_by("role__rank")
    )
