"""Every write of the policy app (STYLE.md §2.5): parameter values with effective dates, and regulations.

Parameter values are append-only rows (`ParameterValue`): a change is a new row from a date on, never an edit.
Values take effect from a day that is today or later in the center's local date — never earlier: a value
effective in the past would change the explanation of decisions already taken (an SLA breach, a fine, a points
entry cites the value in force when it was decided), so backdating is refused.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.db import transaction

from servicecenter.core import audit
from servicecenter.core.access import has_permission_in
from servicecenter.core.errors import NotAllowed, ValidationFailed, full_clean_or_raise

from .models import Clause, ParameterValue, Regulation
from .registry import ParameterSpec, get_spec
from .values import local_today, resolve_many

SET_PERMISSION = "policy.set_parameter"
REASON_MAX = 300


def _user_of(actor: Any) -> Any:
    """Services take the person responsible; a Staff row stands for its login account."""
    return getattr(actor, "user", actor)


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True, ensure_ascii=False) == json.dumps(b, sort_keys=True, ensure_ascii=False)


def _spec_or_error(key: str) -> ParameterSpec:
    try:
        return get_spec(key)
    except KeyError:
        raise ValidationFailed(f"未声明的参数：{key}", fields={"key": ["未声明的参数"]}) from None


def _check_may_set(*, user: Any, organization: Any, spec: ParameterSpec) -> None:
    """policy.set_parameter over `organization`; the installation-wide level (None) is for superusers only."""
    clause = spec.requirements[0] if spec.requirements else ""
    if organization is None:
        if not (getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser):
            raise NotAllowed("只有系统超级管理员可以设置全系统参数值", clause=clause)
        return
    if not has_permission_in(user=user, permission=SET_PERMISSION, organization=organization):
        raise NotAllowed(f"您没有权限修改「{organization}」的制度参数", clause=clause)


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请填写变更原因", fields={"reason": ["请填写变更原因"]})
    if len(reason) > REASON_MAX:
        raise ValidationFailed(f"变更原因不能超过 {REASON_MAX} 字", fields={"reason": [f"最多 {REASON_MAX} 字"]})
    return reason


def _check_effective_from(*, effective_from: Any, organization: Any, spec: ParameterSpec) -> date:
    """No backdating: the first day must be today or later in the center's local date."""
    if not isinstance(effective_from, date):
        raise ValidationFailed("请填写生效日期", fields={"effective_from": ["请填写生效日期"]})
    today = local_today(organization)
    if effective_from < today:
        message = (
            f"生效日期不能早于今天（{today:%Y-%m-%d}）：倒签会改变已作出决定的依据。"
            "如需更正，请从今天起设定新值并在原因中说明。"
        )
        raise ValidationFailed(
            message,
            code="backdating_refused",
            fields={"effective_from": [f"不能早于 {today:%Y-%m-%d}"]},
            clause=spec.requirements[0] if spec.requirements else "",
        )
    return effective_from


def _lock(organization: Any) -> None:
    # Serialises changes of one organization's parameters, so the no-op check and the new row cannot interleave
    # with a concurrent change (select_for_update is a no-op on SQLite, which has a single writer anyway).
    if organization is not None:
        type(organization).objects.select_for_update().filter(pk=organization.pk).first()


@transaction.atomic
def parameter_set(
    *,
    actor: Any,
    key: str,
    organization: Any,
    value: Any,
    effective_from: date,
    reason: str,
) -> ParameterValue:
    """Set parameter `key` for `organization` (and its subtree, ORG-21) from `effective_from` on.

    Preconditions: the actor holds policy.set_parameter over the organization (organization None = the
    installation-wide value, superusers only); `value` is valid for the parameter's type; `effective_from` is
    today or later in the center's local date (no backdating); the value differs from the one in force on that
    date (no no-op rows). Writes one ParameterValue row and one AuditEvent `policy.parameter.set` with
    `{"value": [old, new]}`, citing the parameter's first requirement ID.

    Raises:
        NotAllowed: no permission (403).
        ValidationFailed: bad value, missing reason, backdated, or nothing would change.
    """
    user = _user_of(actor)
    spec = _spec_or_error(key)
    clause = spec.requirements[0] if spec.requirements else ""
    _check_may_set(user=user, organization=organization, spec=spec)
    if value is None:
        raise ValidationFailed("请填写参数值", fields={"value": ["请填写参数值"]}, clause=clause)
    try:
        cleaned = spec.clean(value)
    except (ValueError, TypeError) as exc:
        raise ValidationFailed(f"参数值无效：{exc}", fields={"value": [str(exc)]}, clause=clause) from None
    effective_from = _check_effective_from(effective_from=effective_from, organization=organization, spec=spec)
    reason = _check_reason(reason)

    _lock(organization)
    current = resolve_many([key], org=organization, at=effective_from)[key]
    if _same(current.value, cleaned):
        raise ValidationFailed(
            f"{effective_from:%Y-%m-%d} 起生效的值已是「{spec.display(cleaned)}」（{current.origin}），无需变更",
            code="no_change",
            fields={"value": ["与当时生效的值相同"]},
            clause=clause,
        )
    row = ParameterValue(
        key=key,
        organization=organization,
        value=cleaned,
        inherit=False,
        effective_from=effective_from,
        reason=reason,
        set_by=user if getattr(user, "is_authenticated", False) else None,
    )
    full_clean_or_raise(row)
    row.save()
    audit.record(
        actor=actor,
        verb="policy.parameter.set",
        target=row,
        organization=organization,
        changes={"value": [current.value, cleaned]},
        clause=clause,
        note=reason,
    )
    return row


@transaction.atomic
def parameter_reset(
    *,
    actor: Any,
    key: str,
    organization: Any,
    effective_from: date,
    reason: str,
) -> ParameterValue:
    """Withdraw `organization`'s own value of `key` from `effective_from` on (恢复继承, ORG-21).

    Appends an `inherit` row: from that day the parent's value (or the installation-wide one, the preset, the
    seed default) applies again. Same preconditions as `parameter_set`; refused as a no-op when the organization
    has no value of its own in force on that date. One AuditEvent `policy.parameter.reset` with
    `{"value": [old, new]}`.
    """
    user = _user_of(actor)
    spec = _spec_or_error(key)
    clause = spec.requirements[0] if spec.requirements else ""
    _check_may_set(user=user, organization=organization, spec=spec)
    effective_from = _check_effective_from(effective_from=effective_from, organization=organization, spec=spec)
    reason = _check_reason(reason)

    _lock(organization)
    own = (
        ParameterValue.objects.filter(key=key, organization=organization, effective_from__lte=effective_from)
        .order_by("-effective_from", "-id")
        .first()
    )
    if own is None or own.inherit:
        raise ValidationFailed(
            f"{effective_from:%Y-%m-%d} 时本组织没有自行设定的值，已在沿用上级或默认值",
            code="no_change",
            fields={"effective_from": ["该日期没有本级设定的值"]},
            clause=clause,
        )
    before = resolve_many([key], org=organization, at=effective_from)[key]
    row = ParameterValue(
        key=key,
        organization=organization,
        value=None,
        inherit=True,
        effective_from=effective_from,
        reason=reason,
        set_by=user if getattr(user, "is_authenticated", False) else None,
    )
    full_clean_or_raise(row)
    row.save()
    after = resolve_many([key], org=organization, at=effective_from)[key]
    audit.record(
        actor=actor,
        verb="policy.parameter.reset",
        target=row,
        organization=organization,
        changes={"value": [before.value, after.value], "inherit": [False, True]},
        clause=clause,
        note=reason,
    )
    return row


@transaction.atomic
def regulation_create(
    *,
    actor: Any,
    organization: Any,
    code: str,
    title: str,
    effective_date: date,
    clauses: Sequence[Mapping[str, Any]],
    version: str = "1",
    source: str = "",
) -> Regulation:
    """Create a regulation (管理制度) with its numbered clauses for `organization` (None: installation-wide).

    Each clause mapping has `number`, `text` and optionally `title`, `original_text` (the source as written
    where the text was corrected, C-14) and `requirement_ids`. Only system jobs (actor None, e.g. the seed
    loader) and superusers create regulations; later edits go through the Django admin, which keeps their
    history (simple_history). One AuditEvent `policy.regulation.created`.
    """
    user = _user_of(actor) if actor is not None else None
    if user is not None and not (getattr(user, "is_authenticated", False) and user.is_superuser):
        raise NotAllowed("只有系统超级管理员可以录入管理制度", clause="ORG-18")
    existing = Regulation.objects.filter(code=code, version=version)
    existing = (
        existing.filter(organization=organization)
        if organization is not None
        else existing.filter(organization__isnull=True)
    )
    if existing.exists():
        raise ValidationFailed(
            f"该组织已有编码为 {code} 的第 {version} 版制度", code="duplicate", fields={"code": ["编码与版本已存在"]}
        )
    numbers = [str(c["number"]) for c in clauses]
    if len(set(numbers)) != len(numbers):
        raise ValidationFailed("条款号重复", fields={"clauses": ["条款号重复"]}, clause="ORG-18")
    regulation = Regulation(
        organization=organization,
        code=code,
        title=title,
        version=version,
        effective_date=effective_date,
        source=source,
    )
    full_clean_or_raise(regulation)
    regulation.save()
    rows = []
    for index, data in enumerate(clauses, start=1):
        clause = Clause(
            regulation=regulation,
            number=str(data["number"]),
            sort_key=index * 10,
            title=data.get("title", ""),
            text=data["text"],
            original_text=data.get("original_text", ""),
            requirement_ids=list(data.get("requirement_ids", [])),
        )
        full_clean_or_raise(clause)
        rows.append(clause)
    for clause in rows:
        clause.save()  # one by one, so simple_history records each clause's creation
    audit.record(
        actor=actor,
        verb="policy.regulation.created",
        target=regulation,
        organization=organization,
        changes={"title": [None, title], "version": [None, version], "clauses": [None, len(rows)]},
        clause="ORG-18",
    )
    return regulation
