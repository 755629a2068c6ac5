"""Factories for the shared models. Create the minimum valid object through the real services."""

from __future__ import annotations

import itertools

from servicecenter.org import services as org_services
from servicecenter.org.choices import CenterType, OrganizationKind
from servicecenter.org.models import Organization, Staff

_seq = itertools.count(1)


def org_tree(prefix: str = "t") -> dict[str, Organization]:
    """company → ops center → two service centers (station + gov hall), each with a team."""
    n = next(_seq)
    company = org_services.organization_create(
        actor=None, name=f"公司{n}", code=f"{prefix}co{n}", kind=OrganizationKind.COMPANY
    )
    ops = org_services.organization_create(
        actor=None, name=f"营维中心{n}", code=f"{prefix}ops{n}", kind=OrganizationKind.OPS_CENTER, parent=company
    )
    a = org_services.organization_create(
        actor=None,
        name=f"甲服务中心{n}",
        code=f"{prefix}a{n}",
        kind=OrganizationKind.SERVICE_CENTER,
        parent=ops,
        center_type=CenterType.SERVICE_STATION,
    )
    b = org_services.organization_create(
        actor=None,
        name=f"乙政务中心{n}",
        code=f"{prefix}b{n}",
        kind=OrganizationKind.SERVICE_CENTER,
        parent=ops,
        center_type=CenterType.GOV_HALL,
    )
    team_a = org_services.organization_create(
        actor=None, name=f"甲维修班{n}", code=f"{prefix}ta{n}", kind=OrganizationKind.TEAM, parent=a
    )
    return {"company": company, "ops": ops, "a": a, "b": b, "team_a": team_a}


def make_staff(
    org: Organization,
    *roles: str,
    name: str | None = None,
    password: str = "pw-Secret-2026",
    role_org: Organization | None = None,
) -> Staff:
    """A staff member with a login (username = staff number) holding `roles` over `role_org` (default `org`)."""
    n = next(_seq)
    staff = org_services.staff_create(
        actor=None, organization=org, staff_no=f"S{n:05d}", name=name or f"员工{n}", password=password, roles=[]
    )
    for code in roles:
        org_services.role_assign(actor=None, user=staff.user, role_code=code, organization=role_org or org)
    return staff
