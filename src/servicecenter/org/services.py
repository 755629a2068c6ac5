"""Every change to organizations, staff, roles and delegations (STYLE.md §2.5): one transaction, one audit event.

`actor` is the user (or their Staff record) responsible; None only for system jobs and data loading, which skip
the permission checks. With an actor, each service checks that the actor holds the permission over the
organization concerned (core.access, ORG-04) and asks the policies in `org/policies.py`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from servicecenter.core import audit
from servicecenter.core.access import clear_cache, has_permission_in
from servicecenter.core.errors import Conflict, NotAllowed, ValidationFailed, full_clean_or_raise

from . import policies
from .choices import CENTER_KINDS, StaffImportStatus, StaffStatus
from .models import Delegation, Organization, RoleAssignment, Staff, StaffImport
from .policies import ALLOWED_PARENTS  # noqa: F401 - re-exported: the tree rule lives in policies (ORG-05)

STAFF_FIELDS = ["organization", "staff_no", "name", "position", "phone", "hire_date", "status", "left_date"]


def _user_of(actor: Any) -> Any:
    """The login behind `actor` (a User, or a Staff record with one); None for the system."""
    if actor is None:
        return None
    return getattr(actor, "user", actor) if isinstance(actor, Staff) else actor


def _require(actor: Any, permission: str, organization: Organization | None, message: str) -> None:
    """Refuse (ORG-04) unless the actor holds `permission` over `organization`. The system (None) may do anything."""
    user = _user_of(actor)
    if actor is None:
        return
    if user is None or not has_permission_in(user=user, permission=permission, organization=organization):
        raise NotAllowed(message, clause="ORG-04")


# --- organizations -----------------------------------------------------------------------------------------------


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
    """Create a unit under `parent` (ORG-05 decides which level may sit where), computing its materialized path.

    With an actor: the actor needs org.add_organization over the parent; a root (company) only by a superuser.
    """
    parent_kind = parent.kind if parent is not None else None
    decision = policies.can_place_organization(kind=kind, parent_kind=parent_kind)
    if not decision.allowed:
        raise ValidationFailed(decision.reason, fields={"parent": ["上级层级不匹配"]}, clause=decision.clause)
    if actor is not None:
        if parent is None:
            if not getattr(_user_of(actor), "is_superuser", False):
                raise NotAllowed("只有超级管理员可以新建顶层公司", clause="ORG-04")
        else:
            _require(actor, "org.add_organization", parent, "无权在该组织下新建下级")
    if kind in CENTER_KINDS and not center_type:
        raise ValidationFailed("服务中心必须选择中心类型", fields={"center_type": ["请选择中心类型"]}, clause="ORG-01")
    if kind not in CENTER_KINDS:
        center_type = ""
    if parent is not None:
        parent = Organization.objects.select_for_update().get(pk=parent.pk)
        if not parent.is_active:
            raise ValidationFailed("上级组织已停用", fields={"parent": ["上级组织已停用"]})
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
    full_clean_or_raise(org, exclude=["path"])
    org.save()
    org.path = f"{parent.path if parent else ''}{org.pk:0{Organization.PATH_STEP}d}/"
    org.save(update_fields=["path"])
    audit.record(
        actor=actor,
        verb="org.organization.created",
        target=org,
        organization=org,
        clause=decision.clause,
        changes={"name": [None, name], "kind": [None, kind], "parent": [None, parent.pk if parent else None]},
    )
    return org


@transaction.atomic
def organization_update(*, actor: Any, organization: Organization, **fields: Any) -> Organization:
    """Change name, address, phone, center type, time zone or active flag (org.change_organization over the unit).

    Deactivating is the only way to remove a unit; it is refused while the subtree still has staff in service
    (active or on leave) or active child units.
    """
    allowed = {"name", "address", "phone", "center_type", "is_active", "timezone"}
    if set(fields) - allowed:
        raise ValidationFailed(f"不能修改字段：{', '.join(sorted(set(fields) - allowed))}")
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    _require(actor, "org.change_organization", org, "无权修改该组织")
    names = sorted(fields)
    before = audit.snapshot(org, names)
    for key, val in fields.items():
        setattr(org, key, val)
    if org.kind not in CENTER_KINDS:
        org.center_type = ""
    elif not org.center_type:
        raise ValidationFailed("服务中心必须选择中心类型", fields={"center_type": ["请选择中心类型"]}, clause="ORG-01")
    full_clean_or_raise(org)
    changes = audit.diff(org, before, names)
    if not changes:
        return org
    if fields.get("is_active") is False and before.get("is_active"):
        in_service = Staff.objects.filter(
            organization__path__startswith=org.path, status__in=[StaffStatus.ACTIVE, StaffStatus.ON_LEAVE]
        )
        if in_service.exists():
            raise ValidationFailed("该组织下仍有在职员工，请先调整人员再停用", fields={"is_active": ["仍有在职员工"]})
        if Organization.objects.filter(parent=org, is_active=True).exists():
            raise ValidationFailed("该组织仍有启用的下级组织，请先停用下级", fields={"is_active": ["仍有启用的下级"]})
    if fields.get("is_active") is True and org.parent_id and not org.parent.is_active:
        raise ValidationFailed("上级组织已停用，请先启用上级", fields={"is_active": ["上级组织已停用"]})
    org.save(update_fields=[*names, "updated_at"])
    audit.record(actor=actor, verb="org.organization.updated", target=org, organization=org, changes=changes)
    return org


# --- staff -------------------------------------------------------------------------------------------------------


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
    """Create a staff member (ORG-16), a login named after the unique staff number (ORG-08), and their roles
    over `organization` (each grant checked by ORG-04). With an actor: org.add_staff over `organization`."""
    from .selectors import staff_no_taken

    _require(actor, "org.add_staff", organization, "无权在该组织下新增员工")
    if not organization.is_active:
        raise ValidationFailed("所属组织已停用", fields={"organization": ["所属组织已停用"]})
    staff_no = staff_no.strip()
    decision = policies.check_staff_no(staff_no=staff_no, taken=bool(staff_no) and staff_no_taken(staff_no=staff_no))
    if not decision.allowed:
        raise ValidationFailed(decision.reason, fields={"staff_no": [decision.reason]}, clause=decision.clause)
    staff = Staff(
        organization=organization,
        staff_no=staff_no,
        name=name.strip(),
        position=position.strip(),
        phone=phone.strip(),
        hire_date=hire_date,
        status=StaffStatus.ACTIVE,
    )
    full_clean_or_raise(staff, exclude=["user"])
    try:
        # A savepoint: when another request takes the same number between the check and the insert, the unique
        # indexes refuse it and this transaction stays usable to report the conflict.
        with transaction.atomic():
            if create_login:
                staff.user = _user_for_staff(staff_no=staff.staff_no, name=staff.name, password=password)
            staff.save()
    except IntegrityError:
        raise Conflict("工号已被使用", fields={"staff_no": ["工号已被使用"]}, clause="ORG-08") from None
    audit.record(
        actor=actor,
        verb="org.staff.created",
        target=staff,
        organization=organization,
        clause="ORG-08",
        changes={f: [None, audit._jsonable(getattr(staff, f))] for f in STAFF_FIELDS if getattr(staff, f)},
    )
    for code in roles or []:
        try:
            role_assign(actor=actor, user=staff.user, role_code=code, organization=organization)
        except (ValidationFailed, NotAllowed) as exc:
            # A role that cannot be granted is an input error of the create form, reported on its field.
            raise ValidationFailed(exc.message, fields={"roles": [exc.message]}, clause=exc.clause) from exc
    return staff


@transaction.atomic
def staff_update(*, actor: Any, staff: Staff, **fields: Any) -> Staff:
    """Change a staff member's master data (org.change_staff over the current organization and, when moving, over
    the new one). Status changes go through `staff_set_status`; the staff number never changes (ORG-08)."""
    allowed = {"organization", "name", "position", "phone", "hire_date"}
    if set(fields) - allowed:
        raise ValidationFailed(f"不能修改字段：{', '.join(sorted(set(fields) - allowed))}")
    staff = Staff.objects.select_for_update().select_related("organization").get(pk=staff.pk)
    _require(actor, "org.change_staff", staff.organization, "无权修改该员工")
    new_org = fields.get("organization")
    if new_org is not None and new_org.pk != staff.organization_id:
        _require(actor, "org.change_staff", new_org, "无权将员工调入该组织")
        if not new_org.is_active:
            raise ValidationFailed("所属组织已停用", fields={"organization": ["所属组织已停用"]})
    for key in ("name", "position", "phone"):
        if isinstance(fields.get(key), str):
            fields[key] = fields[key].strip()
    names = sorted(fields)
    before = audit.snapshot(staff, names)
    for key, val in fields.items():
        setattr(staff, key, val)
    full_clean_or_raise(staff)
    changes = audit.diff(staff, before, names)
    if changes:
        staff.save(update_fields=[*names, "updated_at"])
        audit.record(actor=actor, verb="org.staff.updated", target=staff, changes=changes)
    return staff


@transaction.atomic
def staff_set_status(*, actor: Any, staff: Staff, status: str, on: date | None = None, note: str = "") -> Staff:
    """Active / on leave / left (org.change_staff over the staff member's organization). Leaving needs the date
    (default today), deactivates the login and ends the roles; the record stays. Nobody changes their own status."""
    staff = Staff.objects.select_for_update().select_related("organization").get(pk=staff.pk)
    _require(actor, "org.change_staff", staff.organization, "无权修改该员工状态")
    user = _user_of(actor)
    if user is not None and staff.user_id is not None and staff.user_id == getattr(user, "pk", None):
        raise NotAllowed("不能修改自己的在职状态", clause="ORG-04")
    if status not in StaffStatus.values:
        raise ValidationFailed("无效的状态", fields={"status": ["无效的状态"]})
    if status == staff.status:
        raise ValidationFailed("状态未变化", fields={"status": ["状态未变化"]})
    old, old_left = staff.status, staff.left_date
    staff.status = status
    staff.left_date = (on or timezone.localdate()) if status == StaffStatus.LEFT else None
    if staff.left_date and staff.hire_date and staff.left_date < staff.hire_date:
        raise ValidationFailed("离职日期不能早于入职日期", fields={"on": ["离职日期不能早于入职日期"]})
    full_clean_or_raise(staff)
    staff.save(update_fields=["status", "left_date", "updated_at"])
    if staff.user_id:
        login = staff.user
        active = status != StaffStatus.LEFT
        if login.is_active != active:
            login.is_active = active
            login.save(update_fields=["is_active"])
        if not active:
            RoleAssignment.objects.filter(user=login, is_active=True).update(is_active=False)
            clear_cache(login)
    changes: dict[str, list[Any]] = {"status": [old, status]}
    if old_left != staff.left_date:
        changes["left_date"] = [audit._jsonable(old_left), audit._jsonable(staff.left_date)]
    audit.record(actor=actor, verb="org.staff.status_changed", target=staff, changes=changes, note=note)
    return staff


# --- roles -------------------------------------------------------------------------------------------------------


@transaction.atomic
def role_assign(*, actor: Any, user: Any, role_code: str, organization: Organization) -> RoleAssignment:
    """Give `user` role `role_code` over the subtree of `organization`. Idempotent for an active assignment.

    With an actor, `policies.can_assign_role` (ORG-04) decides: only inside the actor's subtree, never the
    system-wide roles unless a system administrator, never a role stronger than the actor's own.
    """
    from .selectors import grantor_over, roles_with_permissions

    if user is None:
        raise ValidationFailed("该员工没有登录账户，不能授予角色", fields={"role": ["没有登录账户"]})
    found = roles_with_permissions(codes=[role_code]).get(role_code)
    if found is None or not found[0].is_active:
        raise ValidationFailed(f"角色不存在：{role_code}", fields={"role": ["角色不存在"]})
    role, permissions = found
    decision = policies.can_assign_role(
        grantor=grantor_over(user=_user_of(actor), organization=organization)
        if actor is not None
        else policies.Grantor(is_superuser=True, role_codes=frozenset(), permissions=frozenset()),
        role_code=role.code,
        role_is_active=role.is_active,
        role_permissions=permissions,
    )
    if not decision.allowed:
        raise NotAllowed(decision.reason, fields={"role": [decision.reason]}, clause=decision.clause)
    center = organization.service_center()
    fits = policies.role_fits_center(
        role_name=role.name, role_center_types=role.center_types, center_type=center.center_type if center else ""
    )
    if not fits.allowed:
        raise ValidationFailed(fits.reason, fields={"role": [fits.reason]}, clause=fits.clause)
    if not organization.is_active:
        raise ValidationFailed("该组织已停用", fields={"organization": ["该组织已停用"]})
    staff = Staff.objects.filter(user=user).only("status").first()
    if staff is not None and staff.status == StaffStatus.LEFT:
        raise ValidationFailed("已离职员工不能授予角色", fields={"role": ["已离职"]})
    existing = RoleAssignment.objects.filter(user=user, role=role, organization=organization, is_active=True).first()
    if existing:
        return existing
    try:
        with transaction.atomic():  # savepoint: a concurrent identical grant wins the unique index, we reuse it
            assignment = RoleAssignment.objects.create(user=user, role=role, organization=organization)
    except IntegrityError:
        return RoleAssignment.objects.get(user=user, role=role, organization=organization, is_active=True)
    clear_cache(user)
    audit.record(
        actor=actor,
        verb="org.role.assigned",
        target=assignment,
        organization=organization,
        clause=decision.clause,
        changes={"role": [None, role.code], "user": [None, user.pk]},
    )
    return assignment


@transaction.atomic
def role_revoke(*, actor: Any, assignment: RoleAssignment, note: str = "") -> RoleAssignment:
    """End a role assignment (kept for history, is_active = False). With an actor, `policies.can_revoke_role`
    (ORG-04) decides, like granting; nobody revokes their own role."""
    from .selectors import grantor_over, roles_with_permissions

    assignment = (
        RoleAssignment.objects.select_for_update().select_related("role", "organization", "user").get(pk=assignment.pk)
    )
    clause = ""
    if actor is not None:
        user = _user_of(actor)
        _, permissions = roles_with_permissions(codes=[assignment.role.code])[assignment.role.code]
        decision = policies.can_revoke_role(
            grantor=grantor_over(user=user, organization=assignment.organization),
            role_code=assignment.role.code,
            role_permissions=permissions,
            is_own=assignment.user_id == getattr(user, "pk", None),
        )
        if not decision.allowed:
            raise NotAllowed(decision.reason, clause=decision.clause)
        clause = decision.clause
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
        clause=clause,
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


# --- staff import (docs/org.md «批量导入») ---------------------------------------------------------------------------


@transaction.atomic
def staff_import_upload(*, actor: Any, file: Any) -> StaffImport:
    """Read an uploaded .xlsx (type, size, row limits; a bad file raises ValidationFailed on `file`), check every
    row against the database and the actor's scope, and keep the report until the actor confirms or cancels.
    Nothing is imported here. The actor needs org.import_staff somewhere."""
    from servicecenter.core.access import has_permission_anywhere

    from .imports import check_rows, read_staff_workbook

    user = _user_of(actor)
    if user is None or not has_permission_anywhere(user=user, permission="org.import_staff"):
        raise NotAllowed("无权导入员工", clause="ORG-04")
    rows = read_staff_workbook(file)
    checked = check_rows(rows, user=user)
    stored = [
        {"row": r["row"], "values": r["values"], "errors": c.errors, "staff_id": None}
        for r, c in zip(rows, checked, strict=True)
    ]
    staff_import = StaffImport.objects.create(
        uploaded_by=user,
        file_name=str(getattr(file, "name", "") or "")[:255],
        rows=stored,
        total_rows=len(stored),
        valid_rows=sum(1 for c in checked if not c.errors),
    )
    audit.record(
        actor=actor,
        verb="org.staff_import.uploaded",
        target=staff_import,
        changes={
            "file_name": [None, staff_import.file_name],
            "total_rows": [None, staff_import.total_rows],
            "valid_rows": [None, staff_import.valid_rows],
        },
    )
    return staff_import


class _RowsChanged(Exception):
    def __init__(self, rows: list[dict], valid: int, lost: list[int]) -> None:
        self.rows, self.valid, self.lost = rows, valid, lost


@transaction.atomic
def _staff_import_commit_locked(*, actor: Any, staff_import: StaffImport) -> StaffImport:
    from .imports import check_rows

    imp = StaffImport.objects.select_for_update().get(pk=staff_import.pk)
    user = _user_of(actor)
    if imp.uploaded_by_id != getattr(user, "pk", None):
        raise NotAllowed("只能由导入人确认", clause="ORG-04")
    if imp.status != StaffImportStatus.VALIDATED:
        raise Conflict("该导入已处理，不能再次导入", fields={"status": [imp.get_status_display()]})
    # Check again at commit time: since the report was shown, someone may have taken a staff number or the
    # importer may have lost a role. Rows valid then and now are imported, all in this one transaction.
    checked = check_rows(imp.rows, user=user)
    lost = [r["row"] for r, c in zip(imp.rows, checked, strict=True) if not r["errors"] and c.errors]
    if lost:
        rows = [{**r, "errors": c.errors} for r, c in zip(imp.rows, checked, strict=True)]
        raise _RowsChanged(rows, sum(1 for c in checked if not c.errors), lost)
    created = 0
    for row, check in zip(imp.rows, checked, strict=True):
        if row["errors"]:
            continue
        staff = staff_create(actor=actor, roles=check.role_codes, **check.staff_fields)
        row["staff_id"] = staff.pk
        created += 1
    imp.status = StaffImportStatus.COMMITTED
    imp.created_count = created
    imp.finished_at = timezone.now()
    imp.save(update_fields=["rows", "status", "created_count", "finished_at", "updated_at"])
    audit.record(
        actor=actor,
        verb="org.staff_import.committed",
        target=imp,
        changes={"status": [StaffImportStatus.VALIDATED, StaffImportStatus.COMMITTED], "created_count": [0, created]},
    )
    return imp


def staff_import_commit(*, actor: Any, staff_import: StaffImport) -> StaffImport:
    """Import the valid rows of a checked upload in one transaction (each through `staff_create`, so each staff
    member and role grant has its audit event); invalid rows are skipped and stay listed in the report.

    The rows are checked again first. If a row that was valid is no longer (a staff number taken meanwhile, a
    role no longer grantable), nothing is imported: the report is updated and Conflict is raised, so the importer
    decides again on what is true now. A second confirmation of the same import raises Conflict.
    """
    try:
        return _staff_import_commit_locked(actor=actor, staff_import=staff_import)
    except _RowsChanged as changed:
        with transaction.atomic():
            imp = StaffImport.objects.select_for_update().get(pk=staff_import.pk)
            imp.rows = changed.rows
            imp.valid_rows = changed.valid
            imp.save(update_fields=["rows", "valid_rows", "updated_at"])
        raise Conflict(
            f"数据在校验后发生变化，第 {'、'.join(str(n) for n in changed.lost)} 行已不再有效。"
            "报告已更新，未导入任何数据，请重新确认。",
            fields={"rows": [str(n) for n in changed.lost]},
        ) from None


@transaction.atomic
def staff_import_cancel(*, actor: Any, staff_import: StaffImport) -> StaffImport:
    """Drop a checked upload without importing anything; the report stays for the record."""
    imp = StaffImport.objects.select_for_update().get(pk=staff_import.pk)
    if imp.uploaded_by_id != getattr(_user_of(actor), "pk", None):
        raise NotAllowed("只能由导入人取消", clause="ORG-04")
    if imp.status != StaffImportStatus.VALIDATED:
        raise Conflict("该导入已处理，不能取消")
    imp.status = StaffImportStatus.CANCELLED
    imp.finished_at = timezone.now()
    imp.save(update_fields=["status", "finished_at", "updated_at"])
    audit.record(
        actor=actor,
        verb="org.staff_import.cancelled",
        target=imp,
        changes={"status": [StaffImportStatus.VALIDATED, StaffImportStatus.CANCELLED]},
    )
    return imp


@transaction.atomic
def delegation_end(*, actor: Any, delegation: Delegation, now: datetime | None = None, note: str = "") -> Delegation:
    """End a delegation early — the principal is back (ORG-13). Only the principal (or a superuser) may end it.

    A delegation that has not started yet is withdrawn (inactive); a running one ends now (its `ends_at` moves to
    `now`, so decisions already taken under it stay explained). Steps already decided are untouched; pending steps
    assigned to the delegate remain decidable by the principal, who may always act on his own steps.
    """
    now = now or timezone.now()
    delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
    user = getattr(actor, "user", actor)
    if not (getattr(user, "is_superuser", False) or delegation.principal_id == getattr(user, "pk", None)):
        raise NotAllowed("只有委托人本人可以结束委托", clause="ORG-13")
    if not delegation.is_active or delegation.ends_at <= now:
        raise ValidationFailed("该委托已结束", code="no_change", clause="ORG-13")
    before = {"is_active": delegation.is_active, "ends_at": delegation.ends_at.isoformat()}
    if delegation.starts_at >= now:
        delegation.is_active = False
    else:
        delegation.ends_at = now
    delegation.save(update_fields=["is_active", "ends_at", "updated_at"])
    staff = getattr(delegation.principal, "staff", None)
    audit.record(
        actor=actor,
        verb="org.delegation.ended",
        target=delegation,
        clause="ORG-13",
        organization=staff.organization if staff else None,
        changes={
            key: [old, new]
            for key, old, new in (
                ("is_active", before["is_active"], delegation.is_active),
                ("ends_at", before["ends_at"], delegation.ends_at.isoformat()),
            )
            if old != new
        },
        note=note,
    )
    return delegation


@transaction.atomic
def staff_reset_password(*, actor: Any, staff: Staff) -> str:
    """Give `staff` a new temporary password and return it (shown once to the manager, never stored in clear).

    For staff imported without a password, or who forgot theirs. Needs org.change_staff over the staff member's
    organization (ORG-04); nobody resets their own password this way (they change it themselves). Audit:
    `org.staff.password_reset` (without the password).
    """
    from django.utils.crypto import get_random_string

    staff = Staff.objects.select_for_update(of=("self",)).select_related("user", "organization").get(pk=staff.pk)
    user = getattr(actor, "user", actor)
    if user is not None and not has_permission_in(
        user=user, permission="org.change_staff", organization=staff.organization
    ):
        raise NotAllowed("您没有权限重置该员工的密码", clause="ORG-04")
    if staff.user_id is None or not staff.user.is_active:
        raise ValidationFailed("该员工没有可用的登录账户", code="no_login")
    if user is not None and staff.user_id == user.pk:
        raise ValidationFailed("请通过“修改密码”修改自己的密码", code="self")
    # Unambiguous characters (no 0/O, 1/l/I) so it can be read out over the phone.
    password = get_random_string(12, allowed_chars="abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
    staff.user.set_password(password)
    staff.user.save(update_fields=["password"])
    audit.record(actor=actor, verb="org.staff.password_reset", target=staff, clause="ORG-04")
    return password
