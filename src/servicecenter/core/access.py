"""Organization scoping: the one door through which records are filtered for a user (DESIGN.md §1, STYLE §2.8).

A user holds roles through `org.RoleAssignment` rows; each grants the role's permissions over the subtree of
the assignment's organization (ORG-04: a center manager manages their own center only). Every selector filters
with `scope()`; object access that fails looks like "not found" (404), never 403.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from .policy import implements

_CACHE_ATTR = "_sc_scope_cache"


def _cache(user: Any) -> dict:
    cache = getattr(user, _CACHE_ATTR, None)
    if cache is None:
        cache = {}
        try:
            setattr(user, _CACHE_ATTR, cache)
        except AttributeError:  # pragma: no cover - AnonymousUser is a plain object, this never happens
            pass
    return cache


def clear_cache(user: Any) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _grants(user: Any) -> dict[str | None, tuple[str, ...]]:
    """Every permission the user holds, each with the subtree roots where it is held — one query per user and
    request (the menu alone asks for a dozen permissions on every page). Key None: where the user holds any role."""
    cache = _cache(user)
    grants = cache.get("grants")
    if grants is None:
        from servicecenter.org.models import RoleAssignment

        active = RoleAssignment.objects.filter(
            user=user, is_active=True, role__is_active=True, organization__is_active=True
        )
        collected: dict[str | None, set[str]] = {None: set()}
        # One row per (assignment, permission); a role without permissions still gives its path (LEFT JOIN).
        rows = active.values_list(
            "organization__path",
            "role__group__permissions__content_type__app_label",
            "role__group__permissions__codename",
        )
        for path, app_label, codename in rows:
            collected[None].add(path)
            if codename:
                collected.setdefault(f"{app_label}.{codename}", set()).add(path)
        grants = {key: _roots(paths) for key, paths in collected.items()}
        cache["grants"] = grants
    return grants


def _roots(paths: set[str]) -> tuple[str, ...]:
    """Keep only subtree roots: a path inside another kept path adds nothing."""
    roots: list[str] = []
    for path in sorted(paths):
        if not any(path.startswith(root) for root in roots):
            roots.append(path)
    return tuple(roots)


def _assignment_paths(user: Any, permission: str | None) -> tuple[str, ...]:
    """Paths of the organizations where `user` holds a role (with `permission`, when given). Cached per user."""
    return _grants(user).get(permission, ())


def _paths_q(paths: tuple[str, ...], prefix: str) -> Q:
    query = Q(pk__in=[])
    for path in paths:
        query |= Q(**{f"{prefix}path__startswith": path})
    return query


@implements("ORG-04")
def organizations_where(*, user: Any, permission: str | None = None) -> QuerySet:
    """Organizations in whose subtree `user` holds a role (granting `permission`, when given).

    Superusers see every organization. Anonymous and inactive users see none.
    """
    from servicecenter.org.models import Organization

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.all()
    paths = _assignment_paths(user, permission)
    if not paths:
        return Organization.objects.none()
    return Organization.objects.filter(_paths_q(paths, ""))


def scope(qs: QuerySet, *, user: Any, permission: str | None = None, field: str = "organization") -> QuerySet:
    """Filter `qs` to the rows whose `field` (an Organization FK, or "" for Organization itself) lies in a subtree
    where `user` holds a role granting `permission`. The only scoping helper: selectors call it, views never filter.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    paths = _assignment_paths(user, permission)
    if not paths:
        return qs.none()
    prefix = f"{field}__" if field else ""
    return qs.filter(_paths_q(paths, prefix))


def has_permission_in(*, user: Any, permission: str, organization: Any) -> bool:
    """Does `user` hold `permission` over `organization` (through a role on it or an ancestor)?"""
    if not getattr(user, "is_authenticated", False) or not user.is_active or organization is None:
        return False
    if user.is_superuser:
        return True
    return any(organization.path.startswith(root) for root in _assignment_paths(user, permission))


def has_permission_anywhere(*, user: Any, permission: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or bool(_assignment_paths(user, permission))
