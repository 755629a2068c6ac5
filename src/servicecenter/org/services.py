"""Every change to organizations, staff, roles and delegations (STYLE.md §2.5): one transaction, one audit event."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from servicecenter.core import audit
from servicecenter.core.access import clear_cache
from servicecenter.core.errors import ValidationFailed

from .choices import CENTER_KINDS, OrganizationKind, StaffStatus
from .models import Delegation, Organization, Role, RoleAssignment, Staff

STAFF_FIELDS = ["organization", "staff_no", "name", "position", "phone", "hire_date", "status", "left_date"]

# Which kinds may sit under which (ORG-05, ORG-24, ORG-26).
ALLOWED_PARENTS: dict[str, set[str | None]] = {
    OrganizationKind.COMPANY: {None},
    OrganizationKind.OPS_CENTER: {OrganizationKind.COMPANY},
    OrganizationKind.SERVICE_CENTER: {OrganizationKind.OPS_CENTER, OrganizationKind.COMPANY},
    OrganizationKind.SUB_CENTER: {OrganizationKind.SERVICE_CENTER},
    OrganizationKind.DEPARTMENT: {
        OrganizationKind.SERVICE_CENTER,
        OrganizationKind.SUB_CENTER,
        OrganizationKind.COMPANY,
    },
    OrganizationKind.TEAM: {OrganizationKind.SERVICE_CENTER, OrganizationKind.SUB_CENTER, OrganizationKind.DEPARTMENT},
    OrganizationKind.WINDOW: {
        OrganizationKind.SERVICE_CENTER,
        OrganizationKind.SUB_CENTER,
        OrganizationKind.DEPARTMENT,
    },
}


def _full_clean(obj: Any, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        raise ValidationFailed("输入有误，请检查标出的字段", fields=fields) from exc


@transaction.atomic
def organization_create(
    *,
    actor: Any,
    name: str,
    code: str,
    kind: str,
    parent: Organization | None = None,
    center_type: str = "",
    address: str = "",
    phone: str = "",
) -> Organization:
    """Create a unit under `parent`, computing its materialized path."""
    parent_kind = parent.kind if parent is not None else None
    if parent_kind not in ALLOWED_PARENTS.get(kind, set()):
        raise ValidationFailed("该层级不能设在所选上级之下", fields={"parent": ["上级层级不匹配"]}, clause="ORG-05")
    if kind in CENTER_KINDS and not center_type:
        raise ValidationFailed("服务中心必须选择中心类型", fields={"center_type": ["请选择中心类型"]}, clause="ORG-01")
    if kind not in CENTER_KINDS:
        center_type = ""
    if parent is not None:
        parent = Organization.objects.select_for_update().get(pk=parent.pk)
    org = Organization(
        name=name,
        code=code,
        kind=kind,
        parent=parent,
        center_type=center_type,
        address=address,
        phone=phone,
        path="tmp",
        depth=(parent.depth + 1) if parent else 0,
    )
    _full_clean(org, exclude=["path"])
    org.save()
    org.path = f"{parent.path if parent else ''}{org.pk:0{Organization.PATH_STEP}d}/"
    org.save(update_fields=["path"])
    audit.record(
        actor=actor,
        verb="org.organization.created",
        target=org,
        organization=org,
        changes={"name": [None, name], "kind": [None, kind], "parent": [None, parent.pk if parent else None]},
    )
    return org


@transaction.atomic
def organization_update(*, actor: Any, organization: Organization, **fields: Any) -> Organization:
    """Change name, address, phone, center type or active flag. Deactivating is the only way to remove a unit."""
    allowed = {"name", "address", "phone", "center_type", "is_active", "timezone"}
    if set(fields) - allowed:
        raise ValidationFailed(f"不能修改字段：{', '.join(sorted(set(fields) - allowed))}")
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    names = sorted(fields)
    before = audit.snapshot(org, names)
    for key, val in fields.items():
        setattr(org, key, val)
    if org.kind not in CENTER_KINDS:
        org.center_type = ""
    _full_clean(org)
    changes = audit.diff(org, before, names)
    if not changes:
        return org
    if (
        fields.get("is_active") is False
        and Staff.objects.filter(
            organization__path__startswith=org.path, status__in=[StaffStatus.ACTIVE, StaffStatus.ON_LEAVE]
        ).exists()
    ):
        raise ValidationFailed("该组织下仍有在职员工，请先调整人员再停用", fields={"is_active": ["仍有在职员工"]})
    org.save(update_fields=[*names, "updated_at"])
    audit.record(actor=actor, verb="org.organization.updated", target=org, organization=org, changes=changes)
    return org


def _user_for_staff(*, staff_no: str, name: str, password: str | None, email: str = ""):
    User = get_user_model()
    user = User(username=staff_no, first_name=name[:150], email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def staff_create(
    *,
    actor: Any,
    organization: Organization,
    staff_no: str,
    name: str,
    position: str = "",
    phone: str = "",
    hire_date: date | None = None,
    roles: list[str] | None = None,
    password: str | None = None,
    create_login: bool = True,
) -> Staff:
    """Create a staff member (ORG-16), a login named after the staff number (ORG-08), and their roles."""
    staff = Staff(
        organization=organization,
        staff_no=staff_no.strip(),
        name=name.strip(),
        position=position,
        phone=phone.strip(),
        hire_date=hire_date,
        status=StaffStatus.ACTIVE,
    )
    _full_clean(staff, exclude=["user"])
    if create_login:
        if get_user_model().objects.filter(username=staff.staff_no).exists():
            raise ValidationFailed("该工号已有登录账户", fields={"staff_no": ["工号已被使用"]})
        staff.user = _user_for_staff(staff_no=staff.staff_no, name=staff.name, password=password)
    staff.save()
    audit.record(
        actor=actor,
        verb="org.staff.created",
        target=staff,
        organization=organization,
        changes={f: [None, audit._jsonable(getattr(staff, f))] for f in STAFF_FIELDS if getattr(staff, f)},
    )
    for code in roles or []:
        role_assign(actor=actor, user=staff.user, role_code=code, organization=organization)
    return staff


@transaction.atomic
def staff_update(*, actor: Any, staff: Staff, **fields: Any) -> Staff:
    """Change a staff member's master data. Status changes go through `staff_set_status`."""
    allowed = {"organization", "name", "position", "phone", "hire_date"}
    if set(fields) - allowed:
        raise ValidationFailed(f"不能修改字段：{', '.join(sorted(set(fields) - allowed))}")
    staff = Staff.objects.select_for_update().get(pk=staff.pk)
    names = sorted(fields)
    before = audit.snapshot(staff, names)
    for key, val in fields.items():
        setattr(staff, key, val)
    _full_clean(staff)
    changes = audit.diff(staff, before, names)
    if changes:
        staff.save(update_fields=[*names, "updated_at"])
        audit.record(actor=actor, verb="org.staff.updated", target=staff, changes=changes)
    return staff


@transaction.atomic
def staff_set_status(*, actor: Any, staff: Staff, status: str, on: date | None = None, note: str = "") -> Staff:
    """Active / on leave / left. Leaving deactivates the login and ends the roles; the record stays."""
    staff = Staff.objects.select_for_update().get(pk=staff.pk)
    if status not in StaffStatus.values:
        raise ValidationFailed("无效的状态", fields={"status": ["无效的状态"]})
    if status == staff.status:
        raise ValidationFailed("状态未变化")
    old = staff.status
    staff.status = status
    staff.left_date = (on or timezone.localdate()) if status == StaffStatus.LEFT else None
    _full_clean(staff)
    staff.save(update_fields=["status", "left_date", "updated_at"])
    if staff.user_id:
        user = staff.user
        active = status != StaffStatus.LEFT
        if user.is_active != active:
            user.is_active = active
            user.save(update_fields=["is_active"])
        if not active:
            RoleAssignment.objects.filter(user=user, is_active=True).update(is_active=False)
    audit.record(
        actor=actor, verb="org.staff.status_changed", target=staff, changes={"status": [old, status]}, note=note
    )
    return staff


@transaction.atomic
def role_assign(*, actor: Any, user: Any, role_code: str, organization: Organization) -> RoleAssignment:
    """Give `user` role `role_code` over the subtree of `organization`. Idempotent for an active assignment."""
    try:
        role = Role.objects.get(code=role_code, is_active=True)
    except Role.DoesNotExist:
        raise ValidationFailed(f"角色不存在：{role_code}", fields={"role": ["角色不存在"]}) from None
    existing = RoleAssignment.objects.filter(user=user, role=role, organization=organization, is_active=True).first()
    if existing:
        return existing
    assignment = RoleAssignment.objects.create(user=user, role=role, organization=organization)
    clear_cache(user)
    audit.record(
        actor=actor,
        verb="org.role.assigned",
        target=assignment,
        organization=organization,
        changes={"role": [None, role.code], "user": [None, user.pk]},
    )
    return assignment


@transaction.atomic
def role_revoke(*, actor: Any, assignment: RoleAssignment, note: str = "") -> RoleAssignment:
    assignment = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
    if not assignment.is_active:
        raise ValidationFailed("该角色分配已失效")
    assignment.is_active = False
    assignment.save(update_fields=["is_active", "updated_at"])
    clear_cache(assignment.user)
    audit.record(
        actor=actor,
        verb="org.role.revoked",
        target=assignment,
        organization=assignment.organization,
        changes={"is_active": [True, False]},
        note=note,
    )
    return assignment


@transaction.atomic
def delegation_create(
    *, actor: Any, principal: Any, delegate: Any, starts_at: datetime, ends_at: datetime, reason: str = ""
) -> Delegation:
    """While `principal` is away, route their approvals to `delegate` (ORG-13)."""
    if principal == delegate:
        raise ValidationFailed("不能委托给自己", fields={"delegate": ["不能委托给自己"]}, clause="ORG-13")
    if ends_at <= starts_at:
        raise ValidationFailed(
            "结束时间应晚于开始时间", fields={"ends_at": ["结束时间应晚于开始时间"]}, clause="ORG-13"
        )
    delegation = Delegation.objects.create(
        principal=principal, delegate=delegate, starts_at=starts_at, ends_at=ends_at, reason=reason
    )
    staff = getattr(principal, "staff", None)
    audit.record(
        actor=actor,
        verb="org.delegation.created",
        target=delegation,
        clause="ORG-13",
        organization=staff.organization if staff else None,
        changes={
            "delegate": [None, delegate.pk],
            "starts_at": [None, starts_at.isoformat()],
            "ends_at": [None, ends_at.isoformat()],
        },
        note=reason,
    )
    return delegation
