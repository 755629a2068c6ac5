"""Every write of the pay app: the month's inputs, formula versions, manual deductions, the coefficient table
upload and the payroll computation (FIN-19). Each checks the permission (core.actors.require), validates, writes
inside a transaction and records the audit event with its clause.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from servicecenter.attendance.models import AttendanceResult
from servicecenter.core import audit
from servicecenter.core.actors import require, user_of
from servicecenter.core.errors import NotAllowed, ValidationFailed
from servicecenter.org.models import Organization, Staff
from servicecenter.points import policies as points_policies
from servicecenter.points import selectors as points_selectors
from servicecenter.points.choices import RequestStatus
from servicecenter.points.models import InstantReward
from servicecenter.policy.values import resolve_many, zone_of
from servicecenter.workorders.choices import OrderStatus
from servicecenter.workorders.models import WorkOrder

from . import formula as fx
from . import policies, selectors
from .models import (
    CoefficientRow,
    CoefficientTable,
    PayComponent,
    PayInput,
    PayrollDeduction,
    PayrollLine,
    PayrollSheet,
)

ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("9999999999.99")
ROLE_LABELS = {
    "center_manager": "服务中心经理",
    "finance_clerk": "税控专员内勤",
    "order_clerk": "接单内勤",
    policies.OTHER: "员工",
}


# --- inputs ---------------------------------------------------------------------------------------------------------


def parse_amount(raw: Any, *, label: str, whole: bool = False) -> Decimal | None:
    """'' → None; a non-negative number (whole for counts) → Decimal; else ValueError with a Chinese message."""
    text = str(raw if raw is not None else "").strip().replace(",", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("%(label)s“%(text)s”不是数字") % {"label": label, "text": text[:20]}) from None
    if not value.is_finite() or value < 0 or value > MAX_AMOUNT:
        raise ValueError(_("%(label)s须为 0 至 9,999,999,999 之间的数") % {"label": label})
    if whole and value != value.to_integral_value():
        raise ValueError(_("%(label)s须为整数") % {"label": label})
    return value.quantize(Decimal(1)) if whole else value.quantize(policies.CENT)


INPUT_FIELDS = (
    ("base_salary", "基本工资", False),
    ("invoices", "开票数", True),
    ("finance_liaison", "财务对接", False),
)


def inputs_save(
    *,
    actor: Any,
    organization: Organization,
    month: date,
    rows: Mapping[int, Mapping[str, Any]],
    now: datetime | None = None,
) -> int:
    """Save the month's inputs of the center's staff (bulk edit). Every value is checked first: one bad number →
    ValidationFailed naming the cells, nothing saved. Returns the number of staff whose inputs changed."""
    user = user_of(actor)
    require(user, selectors.MANAGE, organization, _("您没有录入本中心工资数据的权限"))
    month = points_policies.month_of(month)
    now = now or timezone.now()
    staff = {s.pk: s for s in selectors.center_staff(organization=organization)}
    cleaned: dict[int, dict[str, Decimal | None]] = {}
    errors: dict[str, list[str]] = {}
    for staff_id, values in rows.items():
        if staff_id not in staff:
            errors.setdefault("__all__", []).append(_("员工 %(id)s 不属于本中心") % {"id": staff_id})
            continue
        row: dict[str, Decimal | None] = {}
        for name, label, whole in INPUT_FIELDS:
            try:
                row[name] = parse_amount(values.get(name), label=label, whole=whole)
            except ValueError as exc:
                errors.setdefault(f"{name}_{staff_id}", []).append(f"{staff[staff_id].name}：{exc}")
        cleaned[staff_id] = row
    if errors:
        raise ValidationFailed(_("有数据不正确，未保存任何内容"), fields=errors, clause="FIN-19")
    changed = 0
    with transaction.atomic():
        existing = {
            p.staff_id: p for p in PayInput.objects.select_for_update().filter(staff_id__in=list(cleaned), month=month)
        }
        for staff_id, row in cleaned.items():
            record = existing.get(staff_id)
            if record is None:
                if all(v is None for v in row.values()):
                    continue
                record = PayInput(staff_id=staff_id, month=month, updated_by=user, updated_at=now, **row)
                record.save()
                audit.record(
                    actor=user,
                    verb="pay.inputs_entered",
                    target=record,
                    changes={k: [None, v] for k, v in row.items() if v is not None},
                    clause="FIN-19",
                    organization=organization,
                )
                changed += 1
                continue
            before = audit.snapshot(record, list(row))
            for name, value in row.items():
                setattr(record, name, value)
            diff = audit.diff(record, before, list(row))
            if diff:
                record.updated_by = user
                record.updated_at = now
                record.save()
                audit.record(
                    actor=user,
                    verb="pay.inputs_changed",
                    target=record,
                    changes=diff,
                    clause="FIN-19",
                    organization=organization,
                )
                changed += 1
    return changed


# --- formulas -------------------------------------------------------------------------------------------------------


def component_save(
    *,
    actor: Any,
    organization: Organization,
    role: str,
    name: str,
    formula: str,
    clause: str,
    order: int = 10,
    valid_from: date,
    is_active: bool = True,
    note: str = "",
    now: datetime | None = None,
) -> PayComponent:
    """A new version of a role's pay component on `organization` (C-18): never an overwrite. The formula is
    checked against the language and the declared inputs first (ValidationFailed with the message)."""
    user = user_of(actor)
    require(user, selectors.FORMULAS, organization, _("您没有设定工资公式的权限"))
    name = (name or "").strip()
    role = (role or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("请填写工资项目名称")]
    if not role:
        errors["role"] = [_("请选择角色")]
    if is_active:
        try:
            fx.validate(formula, known=policies.INPUTS)
        except fx.FormulaError as exc:
            errors["formula"] = [exc.message]
    if errors:
        raise ValidationFailed(_("公式未保存"), fields=errors, clause="C-18")
    component = PayComponent.objects.create(
        organization=organization,
        role=role,
        name=name[:60],
        formula=(formula or "").strip(),
        clause=(clause or "C-18").strip()[:100],
        order=order,
        valid_from=points_policies.month_of(valid_from),
        is_active=is_active,
        note=(note or "").strip()[:300],
        created_by=user,
        created_at=now or timezone.now(),
    )
    audit.record(
        actor=user,
        verb="pay.component_set" if is_active else "pay.component_off",
        target=component,
        changes={"formula": [None, component.formula], "valid_from": [None, component.valid_from]},
        clause=component.clause,
        note=component.note,
        organization=organization,
    )
    return component


# --- deductions -----------------------------------------------------------------------------------------------------


def deduction_add(
    *,
    actor: Any,
    organization: Organization,
    staff_id: Any,
    month: date,
    amount: Any,
    reason: str,
    now: datetime | None = None,
) -> PayrollDeduction:
    """A manual yuan deduction (C-05) with its reason, audited."""
    user = user_of(actor)
    require(user, selectors.MANAGE, organization, _("您没有登记扣款的权限"))
    errors: dict[str, list[str]] = {}
    staff = (
        selectors.center_staff(organization=organization).filter(pk=staff_id if str(staff_id).isdigit() else 0).first()
    )
    if staff is None:
        errors["staff"] = [_("请选择本中心的员工")]
    try:
        value = parse_amount(amount, label=_("扣款金额"))
        if value is None or value <= 0:
            errors["amount"] = [_("请填写大于 0 的扣款金额")]
    except ValueError as exc:
        errors["amount"] = [str(exc)]
        value = None
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("请填写扣款事由")]
    if errors or staff is None or value is None:
        raise ValidationFailed(_("扣款未登记"), fields=errors, clause="C-05")
    with transaction.atomic():
        row = PayrollDeduction.objects.create(
            organization=organization,
            staff=staff,
            month=points_policies.month_of(month),
            amount_cny=value,
            reason=reason[:300],
            clause="C-05",
            source="manual",
            key=f"manual:{uuid.uuid4().hex}",
            created_by=user,
            created_at=now or timezone.now(),
        )
        audit.record(
            actor=user,
            verb="pay.deduction_added",
            target=row,
            changes={"amount_cny": [None, value]},
            clause="C-05",
            note=reason,
            organization=organization,
        )
    return row


def collect_attendance_fines(
    *, organization: Organization, staff_ids: Iterable[int], month: date, now: datetime
) -> None:
    """Yuan fines of attendance (ATT-23/24) → one deduction per result with a fine, key `att-fine:<result>`
    (idempotent; a changed fine updates the amount). C-05: they go here, never to points."""
    end = points_policies.month_end(month)
    results = list(
        AttendanceResult.objects.filter(staff_id__in=list(staff_ids), day__gte=month, day__lte=end)
        .exclude(fine_cny=0)
        .values("pk", "staff_id", "day", "fine_cny", "fines", "clause")
    )
    rows = []
    for r in results:
        fines = r["fines"] or []
        reasons = "；".join(str(f.get("reason", "")) for f in fines if isinstance(f, dict)) or _("考勤罚款")
        clause = next((str(f.get("clause")) for f in fines if isinstance(f, dict) and f.get("clause")), "") or "ATT-23"
        rows.append(
            PayrollDeduction(
                organization=organization,
                staff_id=r["staff_id"],
                month=month,
                amount_cny=r["fine_cny"],
                reason=f"{r['day']:%m-%d} {reasons}"[:300],
                clause=clause[:100],
                source="attendance",
                source_id=r["pk"],
                key=f"att-fine:{r['pk']}",
                created_at=now,
            )
        )
    if rows:
        PayrollDeduction.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["key"], update_fields=["amount_cny", "reason", "clause"]
        )
    # a result whose fine was cleared on recomputation: its deduction drops to 0 (kept, never deleted)
    PayrollDeduction.objects.filter(organization=organization, month=month, source="attendance").exclude(
        key__in=[r.key for r in rows]
    ).exclude(amount_cny=0).update(amount_cny=0)


# --- coefficient table (PTS-02, PTS-03) -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedRow:
    row: int
    code: str
    center_id: int | None
    center_name: str
    net_growth: str
    new_additions: str
    accrual_revenue: str
    coefficient: str
    errors: tuple[str, ...]


COEFF_COLUMNS = ("服务中心编码", "净增长", "新增", "权责收入", "考核系数")
COEFF_FIELDS = ("net_growth", "new_additions", "accrual_revenue", "coefficient")


def coefficients_parse(*, organization: Organization, upload: Any) -> tuple[list[ParsedRow], list[str]]:
    """Read an uploaded .xlsx: (rows with their errors, file-level errors). Unknown center codes (not a center in
    `organization`'s subtree), bad numbers and duplicate codes are row errors; nothing is saved here."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(upload, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a non-xlsx file
        return [], [_("无法读取文件：请上传 .xlsx 格式的系数表（可下载模板）")]
    sheet = book.worksheets[0]
    raw = list(sheet.iter_rows(values_only=True, max_row=2000))
    book.close()
    if not raw:
        return [], [_("文件是空的")]
    header = [str(c or "").strip() for c in raw[0]]
    missing = [c for c in COEFF_COLUMNS if c not in header]
    if missing:
        return [], [_("缺少列：%(cols)s") % {"cols": "、".join(missing)}]
    index = {c: header.index(c) for c in COEFF_COLUMNS}
    centers = {o.code.lower(): o for o in Organization.objects.centers().filter(path__startswith=organization.path)}
    rows: list[ParsedRow] = []
    seen: set[str] = set()
    for number, cells in enumerate(raw[1:], start=2):
        values = [cells[index[c]] if index[c] < len(cells) else None for c in COEFF_COLUMNS]
        if all(v in (None, "") for v in values):
            continue
        code = str(values[0] or "").strip()
        errors: list[str] = []
        center = centers.get(code.lower())
        if center is None:
            errors.append(_("未知服务中心编码 %(code)s") % {"code": code or "（空）"})
        elif code.lower() in seen:
            errors.append(_("服务中心编码重复"))
        seen.add(code.lower())
        numbers: list[str] = []
        for label, value in zip(COEFF_COLUMNS[1:], values[1:], strict=True):
            try:
                number_value = Decimal(str(value).strip().replace(",", "")) if value not in (None, "") else None
                if number_value is None or not number_value.is_finite():
                    raise InvalidOperation
                if abs(number_value) >= Decimal("1e12"):
                    raise InvalidOperation
                numbers.append(str(number_value))
            except (InvalidOperation, ValueError):
                errors.append(
                    _("%(label)s“%(value)s”不是数字") % {"label": label, "value": value if value is not None else ""}
                )
                numbers.append("")
        if numbers[3] and not (Decimal(0) <= Decimal(numbers[3]) < Decimal(100)):
            errors.append(_("考核系数须在 0 至 100 之间"))
        rows.append(
            ParsedRow(
                number,
                code,
                center.pk if center else None,
                center.name if center else "",
                numbers[0],
                numbers[1],
                numbers[2],
                numbers[3],
                tuple(errors),
            )
        )
    if not rows:
        return [], [_("文件中没有数据行")]
    return rows, []


def coefficients_save(
    *,
    actor: Any,
    organization: Organization,
    month: date,
    file_name: str,
    rows: list[dict[str, Any]],
    note: str = "",
    now: datetime | None = None,
) -> CoefficientTable:
    """Store a checked upload as the next version for `organization` and `month` (PTS-03)."""
    user = user_of(actor)
    require(user, selectors.UPLOAD, organization, _("您没有上传考评系数表的权限"))
    month = points_policies.month_of(month)
    centers = {o.pk for o in Organization.objects.centers().filter(path__startswith=organization.path)}
    if not rows or any(r.get("errors") or r.get("center_id") not in centers for r in rows):
        raise ValidationFailed(_("系数表有错误，未保存"), clause="PTS-03")
    with transaction.atomic():
        Organization.objects.select_for_update().filter(pk=organization.pk).first()
        version = CoefficientTable.objects.filter(organization=organization, month=month).count() + 1
        table = CoefficientTable.objects.create(
            organization=organization,
            month=month,
            version=version,
            file_name=(file_name or "")[:200],
            note=(note or "")[:300],
            uploaded_by=user,
            uploaded_at=now or timezone.now(),
        )
        CoefficientRow.objects.bulk_create(
            [
                CoefficientRow(table=table, center_id=r["center_id"], **{f: Decimal(r[f]) for f in COEFF_FIELDS})
                for r in rows
            ]
        )
        audit.record(
            actor=user,
            verb="pay.coefficients_uploaded",
            target=table,
            changes={"version": [None, version], "rows": [None, len(rows)]},
            clause="PTS-03",
            organization=organization,
        )
    return table


# --- the payroll sheet (FIN-19) -------------------------------------------------------------------------------------


@dataclass
class Computed:
    sheet: PayrollSheet
    created: bool


def _month_bounds(organization: Organization, month: date) -> tuple[datetime, datetime]:
    zone = zone_of(organization)
    end = points_policies.month_end(month)
    nxt = date(end.year + (end.month == 12), end.month % 12 + 1, 1)
    return datetime.combine(month, time.min, tzinfo=zone), datetime.combine(nxt, time.min, tzinfo=zone)


def _dec(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        return None
    return result if result.is_finite() else None


def _text(value: Decimal | fx.Missing | None) -> str | None:
    return None if value is None or isinstance(value, fx.Missing) else str(value)


def build_lines(*, organization: Organization, month: date) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Gather every input of the center's month in bulk (a fixed number of queries whatever the staff count) and
    compute each line. Returns (lines as dicts, sheet facts: parameters, coefficient, lock state)."""
    month = points_policies.month_of(month)
    end = points_policies.month_end(month)
    totals = points_selectors.board_totals(organization=organization, month=month, day=end)
    board = points_selectors.board_rows(organization=organization, month=month, day=end, totals=totals)
    staff_ids = [r.staff_id for r in board]
    users = dict(Staff.objects.filter(pk__in=staff_ids).values_list("pk", "user_id"))
    roles = selectors.roles_by_user(organization=organization, user_ids=[u for u in users.values() if u])
    start, stop = _month_bounds(organization, month)
    orders = dict(
        WorkOrder.objects.filter(
            created_by_id__in=[u for u in users.values() if u], created_at__gte=start, created_at__lt=stop
        )
        .exclude(status=OrderStatus.CANCELLED)
        .values("created_by_id")
        .annotate(n=Count("id"))
        .values_list("created_by_id", "n")
    )
    current, carried = selectors.inputs_of(staff_ids=staff_ids, month=month)
    params = resolve_many([*policies.PARAMETER_INPUTS.values(), policies.MANAGER_FORMULA_KEY], org=organization, at=end)
    coefficient = selectors.coefficient_row(organization=organization, month=month)
    configured = selectors.components_in_force(organization=organization, month=month)
    rewards: dict[int, list[dict[str, Any]]] = {}
    for r in InstantReward.objects.filter(
        staff_id__in=staff_ids, day__gte=month, day__lte=end, status=RequestStatus.APPROVED, amount_cny__isnull=False
    ).values("pk", "staff_id", "day", "amount_cny", "reason"):
        rewards.setdefault(r["staff_id"], []).append(
            {
                "id": r["pk"],
                "day": f"{r['day']:%m-%d}",
                "amount": str(r["amount_cny"]),
                "reason": r["reason"],
                "clause": "PTS-28",
            }
        )
    deductions: dict[int, list[dict[str, Any]]] = {}
    for d in (
        PayrollDeduction.objects.filter(staff_id__in=staff_ids, month=month)
        .exclude(amount_cny=0)
        .values("pk", "staff_id", "amount_cny", "reason", "clause", "source")
    ):
        deductions.setdefault(d["staff_id"], []).append(
            {
                "id": d["pk"],
                "amount": str(d["amount_cny"]),
                "reason": d["reason"],
                "clause": d["clause"],
                "source": d["source"],
            }
        )
    with_entries = [board_row.total for board_row in board if board_row.staff_id in totals]
    avg = policies.average_points(with_entries)
    common: dict[str, Decimal | fx.Missing | None] = {
        "avg_points": avg if avg is not None else fx.Missing("本月无已核对积分"),
        "assessment_coefficient": coefficient.coefficient if coefficient else fx.Missing("本月系数表未上传或无本中心"),
    }
    for name, key in policies.PARAMETER_INPUTS.items():
        value = _dec(params[key].value)
        common[name] = value if value is not None else fx.Missing("参数未设定")
    manager_formula = str(params[policies.MANAGER_FORMULA_KEY].value or "")
    lines: list[dict[str, Any]] = []
    for row in board:
        role = policies.role_of(roles.get(users.get(row.staff_id) or 0, []))
        this = current.get(row.staff_id)
        base = carried.get(row.staff_id)
        notes: dict[str, str] = {}
        if base is not None and base.month != month:
            notes["base_salary"] = f"沿用 {base.month:%Y-%m} 录入"
        values: dict[str, Decimal | fx.Missing | None] = {
            **common,
            "base_salary": base.base_salary if base is not None else fx.Missing("未录入"),
            "orders": Decimal(orders.get(users.get(row.staff_id) or 0, 0)),
            "invoices": this.invoices if this is not None and this.invoices is not None else fx.Missing("未录入"),
            "finance_liaison": (
                this.finance_liaison if this is not None and this.finance_liaison is not None else fx.Missing("未录入")
            ),
            "points": row.total,
            "asset_points": row.fixed,
        }
        for name, raw in values.items():
            if isinstance(raw, fx.Missing) and raw.note:
                notes.setdefault(name, raw.note)
        specs = configured.get(role) or policies.default_components(role, manager_formula=manager_formula)
        staff_rewards = rewards.get(row.staff_id, [])
        staff_deductions = deductions.get(row.staff_id, [])
        result = policies.compute_line(
            components=specs,
            values=values,
            rewards=sum((Decimal(r["amount"]) for r in staff_rewards), ZERO),
            deductions=sum((Decimal(d["amount"]) for d in staff_deductions), ZERO),
        )
        lines.append(
            {
                "staff_id": row.staff_id,
                "staff_no": row.staff_no,
                "name": row.name,
                "role": role,
                "role_label": ROLE_LABELS.get(role, role),
                "inputs": {name: _text(value) for name, value in sorted(values.items())},
                "components": result.components,
                "gross": result.gross,
                "rewards": result.rewards,
                "deductions": result.deductions,
                "net": result.net,
                "details": {"rewards": staff_rewards, "deductions": staff_deductions, "notes": notes},
                "error": result.error,
            }
        )
    close = points_selectors.month_close(organization=organization, month=month)
    facts = {
        "parameters": {
            key: {
                "value": _text(_dec(p.value)) if key != policies.MANAGER_FORMULA_KEY else p.value,
                "citation": p.citation,
            }
            for key, p in params.items()
        },
        "coefficient_table_id": coefficient.table_id if coefficient else None,
        "coefficient": str(coefficient.coefficient) if coefficient else None,
        "points_locked": bool(close and close.status == "locked"),
        "avg_points": str(avg) if avg is not None else None,
    }
    return lines, facts


def _fingerprint(lines: list[dict[str, Any]], facts: dict[str, Any]) -> str:
    payload = {
        "lines": [
            {k: line[k] for k in ("staff_id", "role", "inputs", "components", "rewards", "deductions")}
            | {"details": {k: line["details"][k] for k in ("rewards", "deductions")}}
            for line in lines
        ],
        "parameters": {k: v["value"] for k, v in facts["parameters"].items()},
        "coefficient_table_id": facts["coefficient_table_id"],
        "points_locked": facts["points_locked"],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()


def _changes(previous: PayrollSheet | None, lines: list[dict[str, Any]]) -> dict[str, Any]:
    """What differs from the previous version, per staff number: changed inputs and the net before/after."""
    if previous is None:
        return {}
    before = {line.staff_id: line for line in previous.lines.all()}
    out: dict[str, Any] = {}
    for line in lines:
        old = before.pop(line["staff_id"], None)
        if old is None:
            out[line["staff_no"]] = {"added": True}
            continue
        inputs = {k: [old.inputs.get(k), v] for k, v in line["inputs"].items() if old.inputs.get(k) != v}
        old_net = str(old.net) if old.net is not None else None
        new_net = str(line["net"]) if line["net"] is not None else None
        formulas = [c["formula"] for c in line["components"]] != [c.get("formula") for c in old.components]
        if inputs or old_net != new_net or formulas:
            out[line["staff_no"]] = {"inputs": inputs, "net": [old_net, new_net], "formulas": formulas}
    for old in before.values():
        out[old.staff_no] = {"removed": True}
    return out


def payroll_compute(*, actor: Any, organization: Organization, month: date, now: datetime | None = None) -> Computed:
    """Compute the center's payroll sheet for `month` (FIN-19). Deterministic: the same inputs (fingerprint)
    → the latest sheet, "no change"; changed inputs → a new version, the old one kept, audited with what changed.
    `actor` None = the scheduled company-wide run."""
    user = user_of(actor)
    if actor is not None:
        require(user, selectors.MANAGE, organization, _("您没有计算本中心工资表的权限"))
    if not organization.is_center:
        raise NotAllowed(_("只能为服务中心计算工资表"))
    month = points_policies.month_of(month)
    now = now or timezone.now()
    with transaction.atomic():
        Organization.objects.select_for_update().filter(pk=organization.pk).first()
        staff_ids = list(selectors.center_staff(organization=organization).values_list("pk", flat=True))
        collect_attendance_fines(organization=organization, staff_ids=staff_ids, month=month, now=now)
        lines, facts = build_lines(organization=organization, month=month)
        digest = _fingerprint(lines, facts)
        previous = selectors.latest_sheet(organization=organization, month=month)
        if previous is not None and previous.inputs_hash == digest:
            return Computed(previous, False)
        valid = [line for line in lines if not line["error"]]
        sheet = PayrollSheet.objects.create(
            organization=organization,
            month=month,
            version=(previous.version + 1) if previous else 1,
            inputs_hash=digest,
            coefficient_table_id=facts["coefficient_table_id"],
            points_locked=facts["points_locked"],
            total_net=sum((line["net"] for line in valid), ZERO),
            line_count=len(lines),
            error_count=len(lines) - len(valid),
            parameters={**facts["parameters"], "avg_points": facts["avg_points"], "coefficient": facts["coefficient"]},
            changes=_changes(previous, lines),
            computed_by=user if getattr(user, "is_authenticated", False) else None,
            computed_at=now,
        )
        PayrollLine.objects.bulk_create(
            [PayrollLine(sheet=sheet, **{k: v for k, v in line.items()}) for line in lines], batch_size=500
        )
        audit.record(
            actor=user,
            verb="pay.sheet_computed",
            target=sheet,
            changes={"version": [previous.version if previous else None, sheet.version], "lines": sheet.changes},
            clause="FIN-19",
            note="" if actor is not None else "系统：每月工资表计算",
            organization=organization,
        )
    return Computed(sheet, True)


def payroll_compute_all(*, month: date, actor: Any = None, now: datetime | None = None) -> dict[str, int]:
    """Compute every active center's sheet for `month` (the month-end run). Returns counts."""
    counts = {"centers": 0, "new_versions": 0, "unchanged": 0}
    for center in Organization.objects.centers().active().order_by("path"):
        result = payroll_compute(actor=actor, organization=center, month=month, now=now)
        counts["centers"] += 1
        counts["new_versions" if result.created else "unchanged"] += 1
    return counts


def sheet_totals(sheet: PayrollSheet) -> dict[str, Decimal]:
    agg = sheet.lines.filter(error="").aggregate(
        gross=Sum("gross"), rewards=Sum("rewards"), deductions=Sum("deductions")
    )
    return {k: v or ZERO for k, v in agg.items()}
