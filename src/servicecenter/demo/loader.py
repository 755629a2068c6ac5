"""Loads the demo data set (demo/spec.py) through the real services. Idempotent by natural keys.

Organizations are matched by `code`, people by `staff_no`; what exists is reused, what is missing is created with
its audit event, roles are (re)assigned through `role_assign` (idempotent for an active assignment). The demo's
extra parts — seed regulations, a policy override, sample approvals — are loaded by their own apps' functions,
each in its own transaction: a failure there is reported in `DemoResult.steps` (and makes `servicecenter demo`
exit non-zero) without losing the people already loaded.
"""

from __future__ import annotations

import importlib
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from servicecenter.core import audit
from servicecenter.core.errors import Conflict
from servicecenter.org import services as org_services
from servicecenter.org.models import Organization, Staff
from servicecenter.org.roles import BUILTIN_ROLES

from . import spec

logger = logging.getLogger(__name__)

ROLE_NAMES = {role.code: role.name for role in BUILTIN_ROLES}


@dataclass(frozen=True)
class DemoLogin:
    """One demo account as printed by `servicecenter demo`."""

    username: str
    name: str
    roles: tuple[str, ...]  # role codes
    unit: str  # the unit the person belongs to
    center: str  # the service center above it, or the unit itself above center level

    @property
    def role_names(self) -> str:
        return "、".join(ROLE_NAMES.get(code, code) for code in self.roles)

    @property
    def place(self) -> str:
        return self.center if self.center == self.unit else f"{self.center} / {self.unit}"


@dataclass
class DemoStep:
    """The outcome of one optional part of the demo (another app's loader)."""

    name: str
    status: str  # "ok" | "exists" | "missing" | "failed"
    detail: str = ""
    error: str = ""  # the traceback of a failure


@dataclass
class DemoResult:
    """What `load_demo` found, created and ran."""

    password: str
    organizations: dict[str, Organization]
    people: dict[str, Staff]
    logins: list[DemoLogin]
    created_organizations: int = 0
    created_people: int = 0
    steps: list[DemoStep] = field(default_factory=list)

    @property
    def failed(self) -> list[DemoStep]:
        return [step for step in self.steps if step.status == "failed"]

    @property
    def centers(self) -> list[Organization]:
        return [org for org in self.organizations.values() if org.is_center]


# Each app's sample data, in dependency order: `load_demo(*, centers, people)`, idempotent, through its services.
APP_DEMOS: tuple[tuple[str, str], ...] = (
    ("审批示例 Sample approvals", "servicecenter.approvals.demo"),
    ("客户示例 Sample customers", "servicecenter.customers.demo"),
    ("请假示例 Sample leave", "servicecenter.leave.demo"),
    ("排班示例 Sample rosters", "servicecenter.rosters.demo"),
    ("考勤示例 Sample attendance", "servicecenter.attendance.demo"),
    ("工单示例 Sample work orders", "servicecenter.workorders.demo"),
    ("投诉示例 Sample complaints", "servicecenter.complaints.demo"),
    ("回访示例 Sample callbacks", "servicecenter.callbacks.demo"),
    ("续费回访示例 Sample renewal lists", "servicecenter.renewals.demo"),
    ("积分示例 Sample points", "servicecenter.points.demo"),
    ("工资示例 Sample payroll", "servicecenter.pay.demo"),
)


def load_demo(*, password: str = spec.DEMO_PASSWORD) -> DemoResult:
    """Create (or find) the demo organizations and people, then run the other apps' demo loaders.

    Returns the logins to print. Raises `Conflict` when a demo natural key is taken by something else
    (e.g. a login `admin` that is not a staff account).
    """
    organizations, created_orgs = _load_organizations()
    people, created_people = _load_people(organizations=organizations, password=password)
    result = DemoResult(
        password=password,
        organizations=organizations,
        people=people,
        logins=[_login(row, people[row.staff_no], organizations) for row in spec.PEOPLE],
        created_organizations=created_orgs,
        created_people=created_people,
    )
    admin = people[spec.SUPERUSER].user
    for unit_code, sources in spec.REGULATION_SOURCES:
        unit = organizations[unit_code]
        result.steps.append(
            _run_step(
                f"制度 Regulations {'/'.join(sources)} → {unit.name}",
                "servicecenter.policy.seed",
                "load_seed_regulations",
                lambda func, unit=unit, sources=sources: func(organization=unit, sources=list(sources)),
            )
        )
    for unit_code, key, value, reason in spec.PARAMETER_OVERRIDES:
        unit = organizations[unit_code]
        result.steps.append(_parameter_override(actor=admin, organization=unit, key=key, value=value, reason=reason))
    for label, module in APP_DEMOS:
        result.steps.append(
            _run_step(label, module, "load_demo", lambda func: func(centers=result.centers, people=people))
        )
    return result


@transaction.atomic
def _load_organizations() -> tuple[dict[str, Organization], int]:
    found = {org.code: org for org in Organization.objects.filter(code__in=[row.code for row in spec.ORGANIZATIONS])}
    created = 0
    for row in spec.ORGANIZATIONS:
        org = found.get(row.code)
        if org is not None:
            if org.kind != row.kind:
                raise Conflict(f"组织编码 {row.code} 已被另一个{org.get_kind_display()}使用，无法加载示例数据")
            continue
        # actor=None: the demo loader is a system job; every row still gets its audit event.
        found[row.code] = org_services.organization_create(
            actor=None,
            name=row.name,
            code=row.code,
            kind=row.kind,
            center_type=row.center_type,
            parent=found[row.parent] if row.parent else None,
        )
        created += 1
    return found, created


@transaction.atomic
def _load_people(*, organizations: dict[str, Organization], password: str) -> tuple[dict[str, Staff], int]:
    User = get_user_model()
    found = {
        staff.staff_no: staff
        for staff in Staff.objects.select_related("user").filter(staff_no__in=[row.staff_no for row in spec.PEOPLE])
    }
    created = 0
    for index, row in enumerate(spec.PEOPLE):
        staff = found.get(row.staff_no)
        if staff is None:
            if User.objects.filter(username=row.staff_no).exists():
                raise Conflict(
                    f"登录名 {row.staff_no} 已存在但不是员工账户，无法加载示例数据 / "
                    f"login {row.staff_no!r} exists without a staff record"
                )
            staff = org_services.staff_create(
                actor=None,
                organization=organizations[row.organization],
                staff_no=row.staff_no,
                name=row.name,
                position="、".join(ROLE_NAMES[code] for code in row.roles),
                hire_date=spec.hire_date_for(index),
                password=password,
                roles=[],
            )
            found[row.staff_no] = staff
            created += 1
        if staff.user is None:
            raise Conflict(f"示例员工 {row.staff_no} 没有登录账户 / demo staff {row.staff_no} has no login")
        for code in row.roles:
            org_services.role_assign(
                actor=None,
                user=staff.user,
                role_code=code,
                organization=organizations[row.role_org or row.organization],
            )
    _grant_superuser(found[spec.SUPERUSER].user)
    return found, created


def _grant_superuser(user: Any) -> None:
    """The demo's `admin` may also use the Django admin site. Audited like any other change of rights."""
    if user.is_superuser and user.is_staff:
        return
    before = {"is_superuser": user.is_superuser, "is_staff": user.is_staff}
    user.is_superuser = user.is_staff = True
    user.save(update_fields=["is_superuser", "is_staff"])
    audit.record(
        actor=None,
        verb="org.user.superuser_granted",
        target=user,
        changes={name: [old, True] for name, old in before.items() if not old},
        note="servicecenter demo：示例系统管理员",
    )


def _login(row: spec.PersonRow, staff: Staff, organizations: dict[str, Organization]) -> DemoLogin:
    unit = organizations[row.organization]
    center = unit.service_center() or unit
    return DemoLogin(username=row.staff_no, name=staff.name, roles=row.roles, unit=unit.name, center=center.name)


def _describe(outcome: Any) -> str:
    if outcome is None:
        return ""
    if isinstance(outcome, int) and not isinstance(outcome, bool):
        return f"新建 {outcome} / created {outcome}"
    if isinstance(outcome, dict):
        return ", ".join(f"{key}={_describe(val) or '-'}" for key, val in outcome.items())[:200]
    if isinstance(outcome, list | tuple | set | frozenset):
        return f"{len(outcome)} 项 items"
    return str(outcome)[:200]


def _run_step(name: str, module: str, function: str, call: Callable[[Callable[..., Any]], Any]) -> DemoStep:
    """Run another app's demo loader in its own transaction; report (never hide) what happened."""
    try:
        loaded = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            return DemoStep(name, "missing", f"{module} 未安装 / not present")
        return _failure(name)
    except Exception:  # noqa: BLE001 - a broken module is reported as a failed step
        return _failure(name)
    func = getattr(loaded, function, None)
    if func is None:
        return DemoStep(name, "missing", f"{module}.{function} 不存在 / not present")
    try:
        with transaction.atomic():
            outcome = call(func)
    except Exception:  # noqa: BLE001 - reported to the operator with its traceback, the rest of the demo stays
        return _failure(name)
    return DemoStep(name, "ok", _describe(outcome))


def _failure(name: str) -> DemoStep:
    error = traceback.format_exc()
    logger.error("demo step failed: %s\n%s", name, error)
    return DemoStep(name, "failed", error.strip().splitlines()[-1], error=error)


def _parameter_override(*, actor: Any, organization: Organization, key: str, value: Any, reason: str) -> DemoStep:
    """Set one demo policy override through `policy.services.parameter_set`, once (matched by key, unit, reason)."""
    from servicecenter.policy.models import ParameterValue

    name = f"参数 Parameter {key} = {value} → {organization.name}"
    if ParameterValue.objects.filter(key=key, organization=organization, reason=reason).exists():
        return DemoStep(name, "exists", "已设置 / already set")
    return _run_step(
        name,
        "servicecenter.policy.services",
        "parameter_set",
        lambda func: func(
            actor=actor,
            organization=organization,
            key=key,
            value=value,
            effective_from=timezone.localdate(),
            reason=reason,
        ),
    )
