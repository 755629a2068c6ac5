"""Every write of the renewals app (CB-11, PTS-12…PTS-18).

- `import_upload` / `import_commit` / `import_cancel`: a call list from .xlsx, checked, previewed, then created in
  one transaction on confirmation (like org's staff import).
- `row_claim`: a specialist takes an unassigned household.
- `outcome_record`: one call's outcome (append-only call log; a later call corrects the row until the month's end),
  under a row lock — the second of two people saving the same row gets a 409 naming who saved first.
- `post_month`: the month-end hook of points.services.month_settle (PTS-18): renewal points per specialist and
  conversion points per household, idempotent by key.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicecenter.core import audit
from servicecenter.core.actors import display_name, require, user_of
from servicecenter.core.errors import Conflict, NotAllowed, ValidationFailed
from servicecenter.core.policy import implements
from servicecenter.org.models import Organization, Staff
from servicecenter.points import services as points_services
from servicecenter.points.choices import Category, EntryStatus, Source
from servicecenter.points.policies import Rule, month_end, month_of
from servicecenter.policy.values import zone_of

from . import policies, selectors
from .choices import ImportStatus, ListKind, Outcome
from .imports import check_rows, read_workbook
from .models import RenewalCall, RenewalImport, RenewalRow

MAKE = selectors.MAKE
MANAGE = selectors.MANAGE


# --- import ------------------------------------------------------------------------------------------------------


def _check_center(organization: Organization) -> None:
    if not organization.is_center or not organization.is_active:
        raise ValidationFailed(_("请选择一个服务中心"), fields={"organization": [_("请选择一个服务中心")]})


@transaction.atomic
def import_upload(*, actor: Any, organization: Organization, month: date, kind: str, file: Any) -> RenewalImport:
    """Read and check an uploaded call list; keep the report until the manager confirms or cancels. Nothing is
    added to the list here.

    Raises:
        NotAllowed: the actor does not manage renewals in the center.
        ValidationFailed: a bad file (field `file`), an unknown list kind.
    """
    user = user_of(actor)
    require(user, MANAGE, organization, _("您无权导入本中心的续费名单"))
    _check_center(organization)
    if kind not in ListKind.values:
        raise ValidationFailed(_("请选择名单类型"), fields={"kind": [_("请选择名单类型")]})
    month = month_of(month)
    rows = read_workbook(file)
    params = selectors.month_params(organization=organization, month=month)
    checked = check_rows(rows, organization=organization, month=month, kind=kind, tiers=params.tiers)
    stored = [
        {"row": r["row"], "values": r["values"], "errors": c.errors, "assignee_id": c.assignee_id, "row_id": None}
        for r, c in zip(rows, checked, strict=True)
    ]
    imp = RenewalImport.objects.create(
        organization=organization,
        kind=kind,
        month=month,
        uploaded_by=user,
        file_name=str(getattr(file, "name", "") or "")[:255],
        rows=stored,
        total_rows=len(stored),
        valid_rows=sum(1 for c in checked if not c.errors),
    )
    audit.record(
        actor=user,
        verb="renewals.import.uploaded",
        target=imp,
        clause="CB-11",
        changes={"total_rows": [None, imp.total_rows], "valid_rows": [None, imp.valid_rows]},
    )
    return imp


class _RowsChanged(Exception):
    def __init__(self, rows: list[dict[str, Any]], valid: int, lost: list[int]) -> None:
        self.rows, self.valid, self.lost = rows, valid, lost


@transaction.atomic
def _import_commit_locked(*, actor: Any, imp: RenewalImport) -> RenewalImport:
    imp = RenewalImport.objects.select_for_update().select_related("organization").get(pk=imp.pk)
    user = user_of(actor)
    require(user, MANAGE, imp.organization, _("您无权导入本中心的续费名单"))
    if imp.status != ImportStatus.VALIDATED:
        raise Conflict(_("该导入已处理，不能再次导入"))
    # Checked again: since the preview, another import may have listed the same households.
    params = selectors.month_params(organization=imp.organization, month=imp.month)
    checked = check_rows(imp.rows, organization=imp.organization, month=imp.month, kind=imp.kind, tiers=params.tiers)
    lost = [r["row"] for r, c in zip(imp.rows, checked, strict=True) if not r["errors"] and c.errors]
    if lost:
        rows = [{**r, "errors": c.errors} for r, c in zip(imp.rows, checked, strict=True)]
        raise _RowsChanged(rows, sum(1 for c in checked if not c.errors), lost)
    new_rows = []
    for item, check in zip(imp.rows, checked, strict=True):
        if item["errors"]:
            continue
        values = item["values"]
        new_rows.append(
            RenewalRow(
                organization=imp.organization,
                month=imp.month,
                kind=imp.kind,
                subscriber_no=values["subscriber_no"].strip(),
                name=values["name"].strip(),
                phone=values.get("phone", "").strip(),
                tier=values["tier"].strip(),
                due_date=date.fromisoformat(values["due_date"]) if values.get("due_date") else None,
                assignee_id=check.assignee_id,
                source=imp,
            )
        )
    created = RenewalRow.objects.bulk_create(new_rows)
    by_number = {r.subscriber_no: r.pk for r in created}
    for item in imp.rows:
        if not item["errors"]:
            item["row_id"] = by_number.get(item["values"]["subscriber_no"].strip())
    imp.status = ImportStatus.COMMITTED
    imp.created_count = len(created)
    imp.finished_at = timezone.now()
    imp.save(update_fields=["rows", "status", "created_count", "finished_at", "updated_at"])
    audit.record(
        actor=user,
        verb="renewals.import.committed",
        target=imp,
        clause="CB-11",
        changes={"status": [ImportStatus.VALIDATED, ImportStatus.COMMITTED], "created_count": [0, len(created)]},
    )
    return imp


def import_commit(*, actor: Any, imp: RenewalImport) -> RenewalImport:
    """Add the valid rows of a checked upload to the month's list, in one transaction. The rows are checked again
    first; when a row that was valid is not any more, nothing is added, the report is updated and Conflict is
    raised. A second confirmation raises Conflict."""
    try:
        return _import_commit_locked(actor=actor, imp=imp)
    except _RowsChanged as changed:
        with transaction.atomic():
            locked = RenewalImport.objects.select_for_update().get(pk=imp.pk)
            locked.rows = changed.rows
            locked.valid_rows = changed.valid
            locked.save(update_fields=["rows", "valid_rows", "updated_at"])
        raise Conflict(
            _("数据在校验后发生变化，第 %(rows)s 行已不再有效。报告已更新，未导入任何数据，请重新确认。")
            % {"rows": "、".join(str(n) for n in changed.lost)}
        ) from None


@transaction.atomic
def import_cancel(*, actor: Any, imp: RenewalImport) -> RenewalImport:
    """Drop a checked upload without adding anything; the report stays for the record."""
    imp = RenewalImport.objects.select_for_update().select_related("organization").get(pk=imp.pk)
    user = user_of(actor)
    require(user, MANAGE, imp.organization, _("您无权导入本中心的续费名单"))
    if imp.status != ImportStatus.VALIDATED:
        raise Conflict(_("该导入已处理，不能取消"))
    imp.status = ImportStatus.CANCELLED
    imp.finished_at = timezone.now()
    imp.save(update_fields=["status", "finished_at", "updated_at"])
    audit.record(
        actor=user,
        verb="renewals.import.cancelled",
        target=imp,
        changes={"status": [ImportStatus.VALIDATED, ImportStatus.CANCELLED]},
    )
    return imp


# --- calls (CB-11) -------------------------------------------------------------------------------------------------


def _locked_row(row_id: int) -> RenewalRow:
    # transaction.atomic is required by the callers: FOR UPDATE holds the row until they commit. No joins here: after
    # waiting for the lock PostgreSQL re-reads the locked row only, so joined columns could be stale (who saved).
    row = RenewalRow.objects.select_for_update().filter(pk=row_id).first()
    if row is None:
        raise ValidationFailed(_("名单行不存在"))
    return row


def _caller_staff(user: Any) -> Staff | None:
    return Staff.objects.filter(user=user).first() if user is not None else None


@transaction.atomic
def row_claim(*, actor: Any, row_id: int, now: datetime | None = None) -> RenewalRow:
    """A renewal specialist takes an unassigned household of their center's list (it then counts for them).

    Raises NotAllowed (no make_renewal_call there, no staff record), Conflict (already taken by someone)."""
    user = user_of(actor)
    row = _locked_row(row_id)
    require(user, MAKE, row.organization, _("您无权领取本中心的续费名单"))
    staff = _caller_staff(user)
    if staff is None:
        raise NotAllowed(_("只有员工账户可以领取"))
    if row.assignee is not None:
        if row.assignee_id == staff.pk:
            return row
        raise Conflict(_("已由 %(who)s 领取") % {"who": row.assignee.name}, clause="CB-11")
    row.assignee = staff
    row.version += 1
    row.save(update_fields=["assignee", "version", "updated_at"])
    audit.record(
        actor=user, verb="renewals.row.claimed", target=row, clause="CB-11", changes={"assignee": [None, staff.pk]}
    )
    return row


@transaction.atomic
def outcome_record(
    *,
    actor: Any,
    row_id: int,
    outcome: str,
    new_tier: str = "",
    note: str = "",
    version: int | None = None,
    now: datetime | None = None,
) -> RenewalCall:
    """Record one call's outcome on a row (CB-11): a new call-log row; the row takes the latest outcome. Until the
    month's end the outcome may be corrected by a later call (audited as a correction).

    `version` is the row version the caller saw: when someone saved the row meanwhile, Conflict (409) says who.

    Raises:
        NotAllowed: neither the row's assignee (make_renewal_call) nor a manager of the center.
        ValidationFailed: an outcome or tier that does not fit (CB-11), the month is over (PTS-18).
        Conflict: the row changed since the caller saw it.
    """
    now = now or timezone.now()
    user = user_of(actor)
    row = _locked_row(row_id)
    manager = selectors.is_manager(user=user, organization=row.organization)
    staff = None
    if not manager:
        require(user, MAKE, row.organization, _("您无权登记本中心的续费回访"))
        staff = _caller_staff(user)
        if staff is None or (row.assignee_id is not None and row.assignee_id != staff.pk):
            raise NotAllowed(_("该用户已分配给其他续费专员"), clause="CB-11")
    if version is not None and int(version) != row.version:
        who = display_name(row.outcome_by) if row.outcome_by_id else (row.assignee.name if row.assignee else "")
        raise Conflict(_("已由 %(who)s 登记，请刷新后查看") % {"who": who}, clause="CB-11")
    today = timezone.localdate(now, zone_of(row.organization))
    allowed = policies.can_record(today=today, month=row.month)
    if not allowed:
        raise ValidationFailed(allowed.reason, clause=allowed.clause)
    params = selectors.month_params(organization=row.organization, month=row.month)
    new_tier = (new_tier or "").strip() if outcome in (Outcome.UPGRADED, Outcome.DOWNGRADED) else ""
    decision = policies.check_outcome(outcome=outcome, tier=row.tier, new_tier=new_tier, tiers=params.tiers)
    if not decision:
        field = "outcome" if outcome not in Outcome.values else "new_tier"
        raise ValidationFailed(decision.reason, fields={field: [decision.reason]}, clause=decision.clause)
    note = (note or "").strip()
    if len(note) > 300:
        raise ValidationFailed(_("备注最多 300 字"), fields={"note": [_("备注最多 300 字")]})
    correction = bool(row.outcome)
    before = {"outcome": row.outcome, "new_tier": row.new_tier}
    call = RenewalCall.objects.create(
        row=row, outcome=outcome, new_tier=new_tier, note=note, called_by=user, called_at=now, is_correction=correction
    )
    if row.assignee_id is None and staff is not None:
        row.assignee = staff
    row.outcome, row.new_tier, row.note = outcome, new_tier, note
    row.outcome_by, row.outcome_at = user, now
    row.calls += 1
    row.version += 1
    row.save(
        update_fields=[
            "assignee",
            "outcome",
            "new_tier",
            "note",
            "outcome_by",
            "outcome_at",
            "calls",
            "version",
            "updated_at",
        ]
    )
    audit.record(
        actor=user,
        verb="renewals.outcome.corrected" if correction else "renewals.outcome.recorded",
        target=row,
        clause="CB-11",
        changes={k: [v, getattr(row, k)] for k, v in before.items() if v != getattr(row, k)},
        note=note,
    )
    return call


# --- month end (PTS-18) ----------------------------------------------------------------------------------------------


@implements("PTS-18")
def post_month(*, organization: Organization, month: date, now: datetime) -> int:
    """The month-end hook (points.services.MONTH_END): per specialist one renewal entry (PTS-13, the rate's points,
    reward or penalty) and per converted household one conversion entry (PTS-15…PTS-17), verified, dated the
    month's last day, in the auxiliary column. Keys make it idempotent: run twice, nothing more. Returns the number
    of entries written."""
    month = month_of(month)
    last = month_end(month)
    drafts: list[points_services.Draft] = []
    for result in selectors.month_result(organization, month):
        if result.staff is None:
            continue
        if result.points:
            rule = Rule(
                result.points,
                Category.REWARD if result.points > 0 else Category.PENALTY,
                "renewal.rate",
                "PTS-13",
                f"依据 PTS-12、PTS-13：{result.explanation}；{result.citation}",
            )
            drafts.append(
                points_services.Draft(
                    organization.pk,
                    result.staff.pk,
                    last,
                    rule,
                    Source.RENEWAL,
                    None,
                    f"{month:%Y-%m} 续费率 {result.rate_pct}%",
                    f"renewal:{organization.pk}:{result.staff.pk}:{month:%Y-%m}",
                    status=EntryStatus.VERIFIED,
                )
            )
        for conversion in result.conversions:
            if not conversion.points:
                continue
            rule = Rule(
                conversion.points,
                Category.REWARD if conversion.points > 0 else Category.PENALTY,
                "renewal.conversion",
                conversion.clause,
                f"依据 {conversion.clause}：{conversion.explanation}；{result.citation}",
            )
            drafts.append(
                points_services.Draft(
                    organization.pk,
                    result.staff.pk,
                    last,
                    rule,
                    Source.CONVERSION,
                    conversion.row_id,
                    f"{conversion.subscriber_no} {conversion.old}→{conversion.new}",
                    f"conv:{conversion.row_id}",
                    status=EntryStatus.VERIFIED,
                )
            )
    return points_services.entries_post(drafts, now=now)
