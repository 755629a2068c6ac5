"""Reads of the pay app, scoped with core.access: the centers a user may see payroll for, sheets, lines, inputs,
deductions, coefficient tables, and the formulas in force for a center (nearest level first)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext

from servicecenter.core.access import organizations_where, scope
from servicecenter.core.errors import ValidationFailed
from servicecenter.core.months import parse_month
from servicecenter.org.models import Organization, RoleAssignment, Staff
from servicecenter.points import policies as points_policies

from . import policies
from .models import CoefficientRow, CoefficientTable, PayComponent, PayInput, PayrollDeduction, PayrollSheet

VIEW = "pay.view_payroll"
MANAGE = "pay.manage_payroll"
FORMULAS = "pay.manage_formulas"
UPLOAD = "pay.upload_coefficients"


def centers_for(*, user: Any, permission: str = VIEW) -> QuerySet[Organization]:
    return scope(Organization.objects.centers().active(), user=user, permission=permission, field="").order_by("path")


def access_center(*, user: Any, pk: Any, permission: str = VIEW) -> Organization:
    """The center `pk` if `user` holds `permission` over it, else 404."""
    try:
        return centers_for(user=user, permission=permission).get(pk=int(pk))
    except (Organization.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def pick_center(*, user: Any, raw: Any, permission: str = VIEW) -> Organization:
    """`?center=` when given (404 outside the user's scope), else the user's own center or the first they see."""
    if raw not in (None, ""):
        return access_center(user=user, pk=raw, permission=permission)
    staff = getattr(user, "staff", None) if getattr(user, "is_authenticated", False) else None
    centers = centers_for(user=user, permission=permission)
    if staff is not None:
        own = staff.organization.service_center()
        if own is not None and centers.filter(pk=own.pk).exists():
            return own
    first = centers.first()
    if first is None:
        raise Http404
    return first


def sheets(*, user: Any, organization: Organization | None = None) -> QuerySet[PayrollSheet]:
    qs = scope(PayrollSheet.objects.all(), user=user, permission=VIEW)
    if organization is not None:
        qs = qs.filter(organization=organization)
    return qs.select_related("organization", "computed_by", "coefficient_table").order_by("-month", "-version")


def access_sheet(*, user: Any, pk: Any) -> PayrollSheet:
    try:
        return sheets(user=user).get(pk=int(pk))
    except (PayrollSheet.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def latest_sheet(*, organization: Organization, month: date) -> PayrollSheet | None:
    return PayrollSheet.objects.filter(organization=organization, month=month).order_by("-version").first()


def center_staff(*, organization: Organization) -> QuerySet[Staff]:
    """Staff of the center (its whole subtree) who are employed, by staff number."""
    return (
        Staff.objects.filter(organization__path__startswith=organization.path, status__in=["active", "on_leave"])
        .only("pk", "staff_no", "name", "user_id", "organization_id")
        .order_by("staff_no")
    )


def roles_by_user(*, organization: Organization, user_ids: Iterable[int]) -> dict[int, list[str]]:
    """Active role codes each user holds within the center (one query)."""
    out: dict[int, list[str]] = {}
    rows = RoleAssignment.objects.filter(
        is_active=True, user_id__in=list(user_ids), organization__path__startswith=organization.path
    ).values_list("user_id", "role__code")
    for user_id, code in rows:
        out.setdefault(user_id, []).append(code)
    return out


def inputs_of(*, staff_ids: Iterable[int], month: date) -> tuple[dict[int, PayInput], dict[int, PayInput]]:
    """(this month's PayInput per staff, the latest PayInput with a base salary up to this month per staff):
    two queries; the second carries the base salary forward."""
    ids = list(staff_ids)
    current = {p.staff_id: p for p in PayInput.objects.filter(staff_id__in=ids, month=month)}
    with_salary = PayInput.objects.filter(month__lte=month, base_salary__isnull=False)
    latest = with_salary.filter(staff_id=OuterRef("staff_id")).order_by("-month").values("pk")[:1]
    carried = {p.staff_id: p for p in with_salary.filter(staff_id__in=ids, pk=Subquery(latest))}
    return current, carried


def components_in_force(*, organization: Organization, month: date) -> dict[str, list[policies.ComponentSpec]]:
    """Role → the configured components in force for `month`: from the nearest level (center, ops center,
    company) that configures that role, the newest version of each component; switched-off ones dropped.
    Roles not configured anywhere are absent (the defaults apply). Two queries."""
    chain = organization.ancestors()
    rows = list(
        PayComponent.objects.filter(organization_id__in=[o.pk for o in chain], valid_from__lte=month).order_by(
            "valid_from", "id"
        )
    )
    by_level: dict[tuple[int, str], dict[str, PayComponent]] = {}
    for row in rows:  # later versions overwrite earlier ones
        by_level.setdefault((row.organization_id, row.role), {})[row.name] = row
    out: dict[str, list[policies.ComponentSpec]] = {}
    for role in {r.role for r in rows}:
        for level in chain:
            named = by_level.get((level.pk, role))
            if named:
                specs = [
                    policies.ComponentSpec(c.name, c.formula, c.clause, c.order, "configured", c.pk)
                    for c in named.values()
                    if c.is_active
                ]
                if specs:
                    out[role] = sorted(specs, key=lambda s: (s.order, s.name))
                break
    return out


def components_history(*, user: Any, organization: Organization) -> QuerySet[PayComponent]:
    """Every version set on the center's chain (the center's and its ancestors'), newest first."""
    chain = [o.pk for o in organization.ancestors()]
    return (
        PayComponent.objects.filter(organization_id__in=chain)
        .select_related("organization", "created_by")
        .order_by("role", "order", "name", "-valid_from", "-id")
    )


def coefficient_row(*, organization: Organization, month: date) -> CoefficientRow | None:
    """The center's coefficient in the newest upload for `month` that lists it (PTS-03)."""
    return (
        CoefficientRow.objects.filter(center=organization, table__month=points_policies.month_of(month))
        .select_related("table")
        .order_by("-table__uploaded_at", "-table_id")
        .first()
    )


def coefficient_tables(*, user: Any) -> QuerySet[CoefficientTable]:
    return (
        scope(CoefficientTable.objects.all(), user=user, permission=UPLOAD)
        .select_related("organization", "uploaded_by")
        .prefetch_related("rows__center")
        .order_by("-month", "-version", "-id")
    )


def upload_organizations(*, user: Any) -> list[Organization]:
    """The top organizations in which `user` may upload coefficient tables (their subtree's centers)."""
    orgs = list(organizations_where(user=user, permission=UPLOAD).exclude(kind__in=["team"]).order_by("depth", "path"))
    tops: list[Organization] = []
    for org in orgs:
        if not any(org.path.startswith(t.path) for t in tops):
            tops.append(org)
    return tops


def deductions(*, user: Any, organization: Organization, month: date) -> QuerySet[PayrollDeduction]:
    return (
        scope(PayrollDeduction.objects.all(), user=user, permission=VIEW)
        .filter(organization=organization, month=month)
        .select_related("staff", "created_by")
        .order_by("staff__staff_no", "id")
    )


def month_param(raw: Any, default: date) -> date:
    """`YYYY-MM` → the month's first day; empty → `default`; malformed → ValidationFailed (a 400 with the message)."""
    if raw in (None, ""):
        return default
    month = parse_month(raw)
    if month is None:
        raise ValidationFailed(gettext("月份格式应为 2026-12"), fields={"month": [gettext("月份格式应为 2026-12")]})
    return month


def resolve_manager_formula(*, organization: Organization, month: date) -> str:
    """The parameter `points.manager_pay_formula` in force for the center at the month's end (PTS-01)."""
    from servicecenter.policy.values import value

    return str(value(policies.MANAGER_FORMULA_KEY, org=organization, at=points_policies.month_end(month)).value or "")
