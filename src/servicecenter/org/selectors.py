"""Reads of organizations, staff and roles, always scoped through core.access (STYLE.md §2.8).

Every list goes through `core.access.scope` / `organizations_where` (the one scoping helper); every object a user
asks for by id comes from an `access_*` helper that answers 404 when the user may not see it (never 403).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import Permission
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Upper
from django.http import Http404
from django.shortcuts import get_object_or_404

from servicecenter.core.access import has_permission_anywhere, has_permission_in, organizations_where, scope

from .choices import StaffStatus
from .models import Organization, Role, RoleAssignment, Staff, StaffImport
from .policies import Grantor, can_assign_role, can_revoke_role, role_fits_center

VIEW_ORGANIZATION = "org.view_organization"
VIEW_STAFF = "org.view_staff"
CHANGE_STAFF = "org.change_staff"


def roles_of(*, user: Any) -> QuerySet[RoleAssignment]:
    """The active role assignments of `user`, with role and organization loaded."""
    return (
        RoleAssignment.objects.filter(user=user, is_active=True, role__is_active=True)
        .select_related("role", "organization")
        .order_by("role__rank")
    )


# --- organizations -----------------------------------------------------------------------------------------------


def organization_list_visible_to(*, user: Any, permission: str | None = VIEW_ORGANIZATION) -> QuerySet[Organization]:
    """Organizations in the subtrees where `user` holds a role granting `permission` (ORG-04), tree order."""
    return scope(Organization.objects.all(), user=user, permission=permission, field="").order_by("path")


def access_organization(*, user: Any, pk: Any, permission: str | None = None) -> Organization:
    """The organization `pk` if `user` may see it (and holds `permission` over it, when given); else 404."""
    qs = organization_list_visible_to(user=user)
    if permission:
        # Seeing a unit is not enough to act on it: the permission must be granted on it or an ancestor.
        qs = scope(qs, user=user, permission=permission, field="")
    return get_object_or_404(qs.select_related("parent"), pk=pk)


def organization_tree_for(*, user: Any) -> list[Organization]:
    """The visible tree in path order, each unit with `active_staff` (its own), `subtree_active_staff` (with every
    unit below it) and `indent` (depth below the shallowest visible unit). One aggregate query."""
    orgs = list(
        organization_list_visible_to(user=user).annotate(
            active_staff=Count("staff", filter=Q(staff__status=StaffStatus.ACTIVE))
        )
    )
    if not orgs:
        return []
    top = min(o.depth for o in orgs)
    totals = {o.path: 0 for o in orgs}
    for org in orgs:
        # Add the unit's own count to itself and every visible ancestor (paths are prefixes of each other).
        for path in org.ancestor_paths():
            if path in totals:
                totals[path] += org.active_staff
    for org in orgs:
        org.subtree_active_staff = totals[org.path]
        org.indent = org.depth - top
    return orgs


def organization_ancestors_visible(*, user: Any, organization: Organization) -> QuerySet[Organization]:
    """The ancestors of `organization` that `user` may see, root first (breadcrumbs; one query)."""
    return organization_list_visible_to(user=user).filter(path__in=organization.ancestor_paths()[1:])


def organization_children(*, user: Any, organization: Organization) -> QuerySet[Organization]:
    """Direct children of `organization` that `user` may see, with their active staff counts."""
    return (
        organization_list_visible_to(user=user)
        .filter(parent=organization)
        .annotate(active_staff=Count("staff", filter=Q(staff__status=StaffStatus.ACTIVE)))
    )


def organization_role_holders(*, organization: Organization) -> QuerySet[RoleAssignment]:
    """Active role assignments granted on `organization` itself (who manages this unit)."""
    return (
        RoleAssignment.objects.filter(organization=organization, is_active=True, role__is_active=True)
        .select_related("role", "user__staff")
        .order_by("role__rank", "user__username")
    )


# --- staff -------------------------------------------------------------------------------------------------------


def _active_assignments() -> Prefetch:
    return Prefetch(
        "user__role_assignments",
        queryset=RoleAssignment.objects.filter(is_active=True, role__is_active=True)
        .select_related("role", "organization")
        .order_by("role__rank", "organization__path"),
        to_attr="active_assignments",
    )


def staff_list_visible_to(*, user: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[Staff]:
    """Staff of the subtrees where `user` may view staff, filtered by `filters` (StaffFilterSet: q, organization,
    status, role). Organization, login and active role assignments are loaded: a page costs a fixed number of
    queries whatever its length."""
    from .filters import StaffFilterSet

    qs = Staff.objects.select_related("organization", "user").prefetch_related(_active_assignments())
    qs = scope(qs, user=user, permission=VIEW_STAFF)
    if filters is not None:
        qs = StaffFilterSet(filters, queryset=qs, user=user).qs
    return qs


def access_staff(*, user: Any, pk: Any, permission: str = VIEW_STAFF) -> Staff:
    """The staff member `pk` if `user` holds `permission` over their organization; else 404."""
    qs = Staff.objects.select_related("organization", "user").prefetch_related(_active_assignments())
    return get_object_or_404(scope(qs, user=user, permission=permission), pk=pk)


def staff_no_taken(*, staff_no: str) -> bool:
    """Is `staff_no` used by a staff member or as a login name (ORG-08: staff numbers are unique)?"""
    from django.contrib.auth import get_user_model

    return (
        Staff.objects.filter(staff_no__iexact=staff_no).exists()
        or get_user_model().objects.filter(username__iexact=staff_no).exists()
    )


def staff_numbers_taken(*, staff_numbers: Iterable[str]) -> set[str]:
    """The upper-cased numbers among `staff_numbers` already used by a staff member or a login.

    Compared case-insensitively ("S001" and "s001" are the same number when spoken, ORG-08); chunks of 500 keep
    each IN list far below SQLite's variable limit (5,000 numbers = 20 queries)."""
    from django.contrib.auth import get_user_model

    wanted = sorted({n.upper() for n in staff_numbers if n})
    taken: set[str] = set()
    for i in range(0, len(wanted), 500):
        chunk = wanted[i : i + 500]
        taken.update(
            Staff.objects.annotate(upper_no=Upper("staff_no"))
            .filter(upper_no__in=chunk)
            .values_list("upper_no", flat=True)
        )
        taken.update(
            get_user_model()
            .objects.annotate(upper_name=Upper("username"))
            .filter(upper_name__in=chunk)
            .values_list("upper_name", flat=True)
        )
    return taken


def can_see_phone(*, user: Any, staff: Staff) -> bool:
    """Full phone numbers are for the person themselves and for whoever may change their record."""
    if getattr(user, "pk", None) is not None and staff.user_id == user.pk:
        return True
    # has_permission_in reads the user's cached assignment paths: no query per row.
    return has_permission_in(user=user, permission=CHANGE_STAFF, organization=staff.organization)


def mask_phone(phone: str) -> str:
    """138****1234: keep the first three and the last four characters of a phone number."""
    if not phone:
        return ""
    if len(phone) >= 8:
        return f"{phone[:3]}****{phone[-4:]}"
    return "****" + phone[-2:] if len(phone) > 4 else "****"


def phone_for(*, user: Any, staff: Staff) -> str:
    """The phone number of `staff` as `user` may see it: in full or masked."""
    return staff.phone if can_see_phone(user=user, staff=staff) else mask_phone(staff.phone)


def with_phone_display(staff_list: Iterable[Staff], *, user: Any) -> list[Staff]:
    """Set `phone_display` and `phone_visible` on each staff member so templates only print (never decide)."""
    out = []
    for staff in staff_list:
        staff.phone_visible = can_see_phone(user=user, staff=staff)
        staff.phone_display = staff.phone if staff.phone_visible else mask_phone(staff.phone)
        out.append(staff)
    return out


# --- roles -------------------------------------------------------------------------------------------------------


def role_list_visible_to(*, user: Any) -> QuerySet[Role]:
    """The role catalogue for whoever manages role assignments somewhere; for everyone else their own roles."""
    qs = Role.objects.filter(is_active=True).select_related("group").prefetch_related("group__permissions")
    if has_permission_anywhere(user=user, permission="org.view_roleassignment"):
        return qs
    return qs.filter(assignments__user=user, assignments__is_active=True).distinct()


def roles_with_permissions(*, codes: Iterable[str] | None = None) -> dict[str, tuple[Role, frozenset[str]]]:
    """Active and inactive roles by code (optionally only `codes`), each with its permission names. Two queries."""
    qs = Role.objects.select_related("group")
    if codes is not None:
        qs = qs.filter(code__in=list(codes))
    roles = {r.code: r for r in qs}
    perms: dict[int, set[str]] = {r.group_id: set() for r in roles.values()}
    rows = Permission.objects.filter(group__in=list(perms)).values_list("group", "content_type__app_label", "codename")
    for group_id, app_label, codename in rows:
        perms[group_id].add(f"{app_label}.{codename}")
    return {code: (role, frozenset(perms[role.group_id])) for code, role in roles.items()}


def grantor_over(*, user: Any, organization: Organization) -> Grantor:
    """What `user` holds over `organization`: roles assigned on it or an ancestor and their permissions (1 query)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Grantor(is_superuser=False, role_codes=frozenset(), permissions=frozenset())
    if user.is_superuser:
        return Grantor(is_superuser=True, role_codes=frozenset(), permissions=frozenset())
    rows = RoleAssignment.objects.filter(
        user=user,
        is_active=True,
        role__is_active=True,
        organization__is_active=True,
        organization__path__in=organization.ancestor_paths(),
    ).values_list(
        "role__code", "role__group__permissions__content_type__app_label", "role__group__permissions__codename"
    )
    codes: set[str] = set()
    permissions: set[str] = set()
    for code, app_label, codename in rows:
        codes.add(code)
        if codename:
            permissions.add(f"{app_label}.{codename}")
    return Grantor(is_superuser=False, role_codes=frozenset(codes), permissions=frozenset(permissions))


def assignable_roles(*, user: Any, organization: Organization) -> list[Role]:
    """Active roles that `user` may grant over `organization` (ORG-04 via policies.can_assign_role)."""
    grantor = grantor_over(user=user, organization=organization)
    center = organization.service_center()
    center_type = center.center_type if center else ""
    out = []
    for role, permissions in roles_with_permissions().values():
        decision = can_assign_role(
            grantor=grantor, role_code=role.code, role_is_active=role.is_active, role_permissions=permissions
        )
        fits = role_fits_center(role_name=role.name, role_center_types=role.center_types, center_type=center_type)
        if decision.allowed and fits.allowed:
            out.append(role)
    return sorted(out, key=lambda r: (r.rank, r.code))


def role_assignment_list_visible_to(*, user: Any, filters: Mapping[str, Any] | None = None) -> QuerySet:
    """Role assignments granted on organizations where `user` may view staff (roles are part of staff records).
    `filters`: `user` (login id), `staff` (staff id), `organization` (id, subtree), `active` ("true"/"false")."""
    qs = RoleAssignment.objects.select_related("role", "organization", "user__staff")
    qs = scope(qs, user=user, permission=VIEW_STAFF)
    filters = filters or {}
    if filters.get("staff"):
        staff_pk = _int_or_none(filters["staff"])
        qs = qs.filter(user__staff__pk=staff_pk) if staff_pk is not None else qs.none()
    if filters.get("organization"):
        org_pk = _int_or_none(filters["organization"])
        org = organization_list_visible_to(user=user).filter(pk=org_pk).first() if org_pk is not None else None
        qs = qs.filter(organization__path__startswith=org.path) if org else qs.none()
    active = str(filters.get("active", "true")).lower()
    if active in {"true", "1"}:
        qs = qs.filter(is_active=True)
    elif active in {"false", "0"}:
        qs = qs.filter(is_active=False)
    return qs.order_by("organization__path", "role__rank", "pk")


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def access_role_assignment(*, user: Any, pk: Any, permission: str = VIEW_STAFF) -> RoleAssignment:
    """The role assignment `pk` if granted on an organization where `user` holds `permission`; else 404."""
    qs = RoleAssignment.objects.select_related("role__group", "organization", "user__staff")
    return get_object_or_404(scope(qs, user=user, permission=permission), pk=pk)


def revocable_assignment_ids(*, user: Any, assignments: Iterable[RoleAssignment]) -> set[int]:
    """Ids among `assignments` that `user` may revoke (ORG-04 via policies.can_revoke_role), for the buttons."""
    assignments = [a for a in assignments if a.is_active]
    if not assignments:
        return set()
    role_perms = roles_with_permissions(codes={a.role.code for a in assignments})
    grantors: dict[int, Grantor] = {}
    out = set()
    for a in assignments:
        if a.organization_id not in grantors:
            grantors[a.organization_id] = grantor_over(user=user, organization=a.organization)
        decision = can_revoke_role(
            grantor=grantors[a.organization_id],
            role_code=a.role.code,
            role_permissions=role_perms[a.role.code][1],
            is_own=a.user_id == user.pk,
        )
        if decision.allowed:
            out.add(a.pk)
    return out


# --- imports -----------------------------------------------------------------------------------------------------


def staff_import_list_for(*, user: Any) -> QuerySet[StaffImport]:
    """The imports `user` uploaded, newest first (an import is visible to its importer only)."""
    if not getattr(user, "is_authenticated", False):
        return StaffImport.objects.none()
    return StaffImport.objects.filter(uploaded_by=user).defer("rows")


def access_staff_import(*, user: Any, pk: Any) -> StaffImport:
    """The import `pk` if `user` uploaded it and may still import staff somewhere; else 404."""
    if not has_permission_anywhere(user=user, permission="org.import_staff"):
        raise Http404("not found")
    return get_object_or_404(StaffImport.objects.filter(uploaded_by=user), pk=pk)


def import_organizations_for(*, user: Any) -> QuerySet[Organization]:
    """Active organizations into which `user` may import staff (org.import_staff), tree order."""
    return organizations_where(user=user, permission="org.import_staff").filter(is_active=True).order_by("path")
