"""The org policies, one set per clause, every branch (pure functions: no database)."""

import pytest

from servicecenter.org.policies import (
    Grantor,
    can_assign_role,
    can_place_organization,
    can_revoke_role,
    check_staff_no,
    kinds_allowed_under,
)
from servicecenter.org.roles import BUILTIN_ROLES

PERMS = {spec.code: frozenset(spec.permissions) for spec in BUILTIN_ROLES}


def grantor(*codes: str, superuser: bool = False) -> Grantor:
    permissions = frozenset().union(*(PERMS[c] for c in codes)) if codes else frozenset()
    return Grantor(is_superuser=superuser, role_codes=frozenset(codes), permissions=permissions)


def assign(g: Grantor, code: str, *, active: bool = True, perms: frozenset | None = None):
    return can_assign_role(
        grantor=g,
        role_code=code,
        role_is_active=active,
        role_permissions=PERMS.get(code, frozenset()) | (perms or set()),
    )


@pytest.mark.clause("ORG-04")
@pytest.mark.parametrize(
    ("holder", "role", "allowed"),
    [
        ("center_manager", "order_clerk", True),
        ("center_manager", "service_staff", True),
        ("center_manager", "center_manager", True),
        ("center_manager", "system_admin", False),
        ("center_manager", "ops_center_gm", False),
        ("ops_center_gm", "center_manager", True),
        ("ops_center_gm", "ops_center_gm", False),
        ("system_admin", "ops_center_gm", True),
        ("system_admin", "system_admin", True),
        ("order_clerk", "service_staff", False),
        ("finance_clerk", "promoter", False),
    ],
)
def test_who_may_grant_which_role(holder, role, allowed):
    # given a user holding `holder` over the target organization
    # when they try to grant `role` there
    decision = assign(grantor(holder), role)
    # then
    assert decision.allowed is allowed
    assert decision.clause == "ORG-04"
    assert bool(decision.reason) is not allowed


@pytest.mark.clause("ORG-04")
def test_nothing_may_be_granted_outside_ones_subtree():
    # given no role over the target organization (it lies outside the manager's subtree)
    decision = assign(grantor(), "order_clerk")
    # then
    assert not decision.allowed and "范围" in decision.reason


@pytest.mark.clause("ORG-04")
def test_a_configured_role_stronger_than_the_grantor_is_refused():
    # given a configured role that can create organizations, which a center manager cannot
    decision = assign(grantor("center_manager"), "custom_admin", perms=frozenset({"org.add_organization"}))
    # then
    assert not decision.allowed and "超出" in decision.reason


@pytest.mark.clause("ORG-04")
def test_inactive_roles_cannot_be_granted_even_by_a_superuser():
    assert not assign(grantor(superuser=True), "order_clerk", active=False).allowed
    assert assign(grantor(superuser=True), "system_admin").allowed


@pytest.mark.clause("ORG-04")
@pytest.mark.parametrize(
    ("holder", "role", "is_own", "allowed"),
    [
        ("center_manager", "order_clerk", False, True),
        ("center_manager", "order_clerk", True, False),
        ("center_manager", "system_admin", False, False),
        ("system_admin", "ops_center_gm", False, True),
        ("order_clerk", "promoter", False, False),
    ],
)
def test_who_may_revoke_which_role(holder, role, is_own, allowed):
    decision = can_revoke_role(grantor=grantor(holder), role_code=role, role_permissions=PERMS[role], is_own=is_own)
    assert decision.allowed is allowed and decision.clause == "ORG-04"


@pytest.mark.clause("ORG-05")
@pytest.mark.parametrize(
    ("kind", "parent", "allowed"),
    [
        ("company", None, True),
        ("ops_center", "company", True),
        ("service_center", "ops_center", True),
        ("team", "service_center", True),
        ("window", "department", True),
        ("sub_center", "service_center", True),
        ("service_center", None, False),
        ("team", "ops_center", False),
        ("ops_center", "service_center", False),
        ("company", "company", False),
        ("nonsense", "company", False),
    ],
)
def test_tree_levels(kind, parent, allowed):
    decision = can_place_organization(kind=kind, parent_kind=parent)
    assert decision.allowed is allowed and decision.clause == "ORG-05"


@pytest.mark.clause("ORG-05")
def test_kinds_allowed_under_a_service_center():
    assert set(kinds_allowed_under("service_center")) == {"sub_center", "department", "team", "window"}


@pytest.mark.clause("ORG-08")
@pytest.mark.parametrize(
    ("staff_no", "taken", "allowed"),
    [
        ("S001", False, True),
        ("a-1", False, True),
        ("S001", True, False),
        ("", False, False),
        ("S 01", False, False),
        ("张三", False, False),
        ("X", False, False),
        ("A" * 21, False, False),
    ],
)
def test_staff_numbers(staff_no, taken, allowed):
    decision = check_staff_no(staff_no=staff_no, taken=taken)
    assert decision.allowed is allowed and decision.clause == "ORG-08"
