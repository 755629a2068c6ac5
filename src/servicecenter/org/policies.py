"""Rules of the organization tree, staff numbers and role grants, each citing its requirement ID (STYLE.md §2.6).

Pure functions: they take plain values or already-loaded objects and never query or write. The selectors load
what a rule needs (`selectors.grantor_over`), the services ask the rule and copy its clause into the audit event.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from django.utils.translation import gettext as _

from servicecenter.core.policy import Decision, implements

from .choices import OrganizationKind

K = OrganizationKind

# ORG-05 (+ ORG-24 departments contain teams, ORG-26 halls own windows): which level may sit under which.
ALLOWED_PARENTS: dict[str, frozenset[str | None]] = {
    K.COMPANY: frozenset({None}),
    K.OPS_CENTER: frozenset({K.COMPANY}),
    K.SERVICE_CENTER: frozenset({K.OPS_CENTER, K.COMPANY}),
    K.SUB_CENTER: frozenset({K.SERVICE_CENTER}),
    K.DEPARTMENT: frozenset({K.SERVICE_CENTER, K.SUB_CENTER, K.COMPANY}),
    K.TEAM: frozenset({K.SERVICE_CENTER, K.SUB_CENTER, K.DEPARTMENT}),
    K.WINDOW: frozenset({K.SERVICE_CENTER, K.SUB_CENTER, K.DEPARTMENT}),
}

# Roles that reach above one center (ORG-05: the ops-center GM) or administer the system: a center manager
# must not be able to hand them out, or ORG-04's "own center only" would be one click away from void.
PROTECTED_ROLES = frozenset({"system_admin", "ops_center_gm"})
ROLE_ADMIN = "system_admin"
GRANT_PERMISSION = "org.add_roleassignment"
REVOKE_PERMISSION = "org.change_roleassignment"

STAFF_NO_PATTERN = re.compile(r"^[A-Za-z0-9-]{2,20}$")


@implements("ORG-05")
def can_place_organization(*, kind: str, parent_kind: str | None) -> Decision:
    """ORG-05: the tree is company → ops center (营维中心) → service center → team/window; a unit may only sit
    under a parent of the level above it (departments, sub-centers, teams and windows as in ORG-21/24/26)."""
    allowed = ALLOWED_PARENTS.get(kind)
    if allowed is None:
        return Decision(False, "ORG-05", _("未知的组织层级"))
    if parent_kind not in allowed:
        if parent_kind is None:
            return Decision(False, "ORG-05", _("该层级必须设在上级组织之下"))
        return Decision(False, "ORG-05", _("该层级不能设在所选上级之下"))
    return Decision(True, "ORG-05")


def kinds_allowed_under(parent_kind: str | None) -> list[str]:
    """The levels that `can_place_organization` accepts under a parent of `parent_kind` (for form choices)."""
    return [kind for kind in K.values if can_place_organization(kind=kind, parent_kind=parent_kind)]


@implements("ORG-08")
def check_staff_no(*, staff_no: str, taken: bool) -> Decision:
    """ORG-08: every front-line user has a unique staff number (工号) of letters, digits and hyphens (2–20),
    spoken in greetings; `taken` tells whether the number is already used by a staff member or login."""
    if not staff_no:
        return Decision(False, "ORG-08", _("请填写工号"))
    if not STAFF_NO_PATTERN.match(staff_no):
        return Decision(False, "ORG-08", _("工号只能包含字母、数字和连字符，长度 2–20"))
    if taken:
        return Decision(False, "ORG-08", _("工号已被使用"))
    return Decision(True, "ORG-08")


@dataclass(frozen=True)
class Grantor:
    """What a user holds over one organization: the roles assigned on it or an ancestor, and their permissions
    ("app_label.codename"). Loaded by `selectors.grantor_over`."""

    is_superuser: bool
    role_codes: frozenset[str]
    permissions: frozenset[str]


@implements("ORG-04")
def can_assign_role(
    *, grantor: Grantor, role_code: str, role_is_active: bool, role_permissions: Collection[str]
) -> Decision:
    """ORG-04: a manager manages the people of their own subtree only — so they grant roles only over
    organizations inside it, never the system-wide roles (system admin, ops-center GM), and never a role that
    carries permissions they do not hold themselves there. A system administrator may grant any role within
    their subtree; a superuser anywhere."""
    if not role_is_active:
        return Decision(False, "ORG-04", _("该角色已停用"))
    if grantor.is_superuser:
        return Decision(True, "ORG-04")
    if GRANT_PERMISSION not in grantor.permissions:
        return Decision(False, "ORG-04", _("只能在本人管理的组织范围内授予角色"))
    if ROLE_ADMIN in grantor.role_codes:
        return Decision(True, "ORG-04")
    if role_code in PROTECTED_ROLES:
        return Decision(False, "ORG-04", _("系统管理员、营维中心总经理角色只能由系统管理员授予"))
    if not set(role_permissions) <= grantor.permissions:
        return Decision(False, "ORG-04", _("不能授予权限超出本人的角色"))
    return Decision(True, "ORG-04")


@implements("ORG-04")
def can_revoke_role(*, grantor: Grantor, role_code: str, role_permissions: Collection[str], is_own: bool) -> Decision:
    """ORG-04: revoking follows granting — only inside one's own subtree, not the system-wide roles unless a
    system administrator, not a role stronger than one's own — and nobody ends their own role (no lock-out)."""
    if is_own and not grantor.is_superuser:
        return Decision(False, "ORG-04", _("不能撤销自己的角色，请由上级办理"))
    if grantor.is_superuser:
        return Decision(True, "ORG-04")
    if REVOKE_PERMISSION not in grantor.permissions:
        return Decision(False, "ORG-04", _("只能在本人管理的组织范围内撤销角色"))
    if ROLE_ADMIN in grantor.role_codes:
        return Decision(True, "ORG-04")
    if role_code in PROTECTED_ROLES:
        return Decision(False, "ORG-04", _("系统管理员、营维中心总经理角色只能由系统管理员撤销"))
    if not set(role_permissions) <= grantor.permissions:
        return Decision(False, "ORG-04", _("不能撤销权限超出本人的角色"))
    return Decision(True, "ORG-04")


@implements("C-22")
def role_fits_center(*, role_name: str, role_center_types: Collection[str], center_type: str) -> Decision:
    """C-22: the center type decides which modules and roles exist there — a role made for one kind of center
    (a government hall's 分管领导, a service station's 续费专员) is not granted in another kind. A role without
    center types fits everywhere; an organization above center level (company, ops center) has no type and takes
    only such roles."""
    if not role_center_types or center_type in role_center_types:
        return Decision(True, "C-22")
    return Decision(False, "C-22", _("「%(role)s」不适用于此类中心") % {"role": role_name})
