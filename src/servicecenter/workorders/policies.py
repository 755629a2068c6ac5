"""The work-order rules: SLA deadlines, priority, read-back, payment path, off-site dispatch, duplicates.

Each rule reads its numbers from the policy parameters in force for the center (DESIGN.md §2) and answers with the
citation that is stored on the order or its timeline, so the order page can say «依据 WO-03 …».
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from servicecenter.core.errors import ValidationFailed
from servicecenter.core.policy import Decision, implements
from servicecenter.policy.values import PolicyValue, resolve_many, value
from servicecenter.workcalendar.selectors import (
    CALENDAR_PARAMETERS,
    add_working_minutes,
    add_working_minutes_many,
    working_minutes_between,
)

from .choices import OffsiteStatus, OrderKind, PaymentPath, Priority, ServiceType

SLA_KEYS = [
    "workorders.response_minutes",
    "workorders.resolve_minutes",
    "workorders.sla_clock",
    "workorders.sla_warning_fraction",
    "workorders.on_missing_info",
    "workorders.sla_matrix",
    "workorders.sla_is_assumption",
]

INTAKE_KEYS = [
    *SLA_KEYS,
    "workorders.read_back_fields",
    "service.register_fields",
    "workorders.special_group_priority",
    *CALENDAR_PARAMETERS,
]
"""Every parameter an intake reads (`intake_values`): one `resolve_many` for the whole create."""


def intake_values(*, organization: Any, at: datetime) -> dict[str, PolicyValue]:
    """The parameters of `INTAKE_KEYS` in force for the center at `at`, in one `resolve_many` (2 queries); the
    intake rules below take them as `values=` instead of each resolving its own."""
    return resolve_many(INTAKE_KEYS, org=organization, at=at)


READ_BACK_LABELS = {
    "problem": "问题",
    "address": "地址",
    "name": "姓名",
    "phone": "电话",
}


@dataclass(frozen=True)
class SlaPlan:
    """The deadlines of one order, fixed at creation (WO-03, C-09), and why they are what they are."""

    clock: str
    response_minutes: int
    resolve_minutes: int
    warning_fraction: Decimal
    on_missing_info: str
    response_due_at: datetime
    response_warn_at: datetime
    resolve_due_at: datetime
    resolve_warn_at: datetime
    citation: str


def _param(values: Mapping[str, PolicyValue] | None, key: str, *, organization: Any, at: datetime) -> PolicyValue:
    """`key` from values resolved beforehand (`intake_values`), else resolved now."""
    if values is not None and key in values:
        return values[key]
    return value(key, org=organization, at=at)


def _matrix_row(matrix: Any, *, kind: str, priority: str) -> Mapping[str, Any] | None:
    """The most specific row of `workorders.sla_matrix` for (kind, priority): exact match first, then one that
    names only the kind or only the priority. Rows are `{kind?, priority?, response_minutes?, resolve_minutes?}`."""
    rows = [row for row in (matrix or []) if isinstance(row, Mapping)]
    for want_kind, want_priority in ((kind, priority), (kind, None), (None, priority)):
        for row in rows:
            if row.get("kind") == want_kind and row.get("priority") == want_priority:
                return row
    return None


def _add(*, organization: Any, clock: str, start: datetime, minutes: float) -> tuple[datetime, str]:
    if clock == "calendar":
        return start + timedelta(minutes=minutes), "按自然时间连续计时"
    answer = add_working_minutes(organization=organization, start=start, minutes=minutes)
    return answer.value, answer.citation


@implements("WO-03", "C-09")
def sla_plan(
    *,
    organization: Any,
    kind: str,
    priority: str,
    start: datetime,
    values: Mapping[str, PolicyValue] | None = None,
) -> SlaPlan:
    """WO-03 / C-09: response and resolution deadlines from the policy in force for the center at `start`.

    Minutes come from `workorders.response_minutes` / `resolve_minutes` (30 / 240 by default, D01) unless
    `workorders.sla_matrix` has a row for the order's kind and priority; they are counted on the center's
    business calendar or round the clock (`workorders.sla_clock`). The warning instants sit at
    `workorders.sla_warning_fraction` of each span. `values`: the parameters of `INTAKE_KEYS` resolved for the
    center at `start` (`intake_values`); the four instants share one calendar look-up.
    """
    if values is None:
        values = resolve_many([*SLA_KEYS, *CALENDAR_PARAMETERS], org=organization, at=start)
    response = int(values["workorders.response_minutes"].value or 0)
    resolve = int(values["workorders.resolve_minutes"].value or 0)
    parts = [values["workorders.response_minutes"].citation, values["workorders.resolve_minutes"].citation]
    row = _matrix_row(values["workorders.sla_matrix"].value, kind=kind, priority=priority)
    if row is not None:
        response = int(row.get("response_minutes", response))
        resolve = int(row.get("resolve_minutes", resolve))
        parts.append(
            _("按 %(kind)s/%(priority)s 的时限设定：响应 %(r)s 分钟、处理 %(s)s 分钟（%(citation)s）")
            % {
                "kind": OrderKind(kind).label if kind in OrderKind.values else kind,
                "priority": Priority(priority).label if priority in Priority.values else priority,
                "r": response,
                "s": resolve,
                "citation": values["workorders.sla_matrix"].citation,
            }
        )
    if response <= 0 or resolve <= 0:
        raise ValidationFailed(_("本中心的工单时限未设置，请先在制度参数中设置（C-09）"), clause="C-09")
    clock = str(values["workorders.sla_clock"].value or "business")
    fraction = Decimal(str(values["workorders.sla_warning_fraction"].value or "0.8"))
    fraction = min(max(fraction, Decimal("0")), Decimal("1"))
    spans: list[int | float] = [response, float(response * fraction), resolve, float(resolve * fraction)]
    if clock == "calendar":
        calendar_citation = "按自然时间连续计时"
        response_due, response_warn, resolve_due, resolve_warn = (start + timedelta(minutes=m) for m in spans)
    else:
        answers = add_working_minutes_many(organization=organization, start=start, minutes=spans, parameters=values)
        response_due, response_warn, resolve_due, resolve_warn = (a.value for a in answers)
        calendar_citation = answers[0].citation
    parts.append(values["workorders.sla_clock"].citation)
    parts.append(calendar_citation)
    if values["workorders.sla_is_assumption"].value:
        parts.append(_("注意：时限为假设值，待中心确认（G-10）"))
    return SlaPlan(
        clock=clock,
        response_minutes=response,
        resolve_minutes=resolve,
        warning_fraction=fraction,
        on_missing_info=str(values["workorders.on_missing_info"].value or "none"),
        response_due_at=response_due,
        response_warn_at=min(response_warn, response_due),
        resolve_due_at=resolve_due,
        resolve_warn_at=min(resolve_warn, resolve_due),
        citation="；".join(p for p in parts if p),
    )


@dataclass(frozen=True)
class ResumedClock:
    resolve_due_at: datetime
    resolve_warn_at: datetime
    paused_minutes: int
    citation: str


@implements("C-19")
def resume_clock(
    *,
    organization: Any,
    clock: str,
    on_missing_info: str,
    resolve_minutes: int,
    warning_fraction: Decimal,
    resolve_due_at: datetime,
    resolve_warn_at: datetime,
    paused_at: datetime,
    resumed_at: datetime,
) -> ResumedClock:
    """C-19: what a pause did to the resolution clock, by the order's frozen `on_missing_info`.

    none: the clock kept running (deadlines unchanged); pause: the deadlines move by the time paused (working
    minutes on a business clock); restart: the full resolution time starts again at `resumed_at`.
    """
    if clock == "calendar":
        paused = (resumed_at - paused_at).total_seconds() / 60
    else:
        paused = working_minutes_between(organization=organization, start=paused_at, end=resumed_at).value
    paused_minutes = max(0, round(paused))
    if on_missing_info == "pause" and paused_minutes:
        if clock == "calendar":
            due = resolve_due_at + timedelta(minutes=paused_minutes)
            warn = resolve_warn_at + timedelta(minutes=paused_minutes)
        else:
            due = add_working_minutes(organization=organization, start=resolve_due_at, minutes=paused_minutes).value
            warn = add_working_minutes(organization=organization, start=resolve_warn_at, minutes=paused_minutes).value
        return ResumedClock(
            due,
            warn,
            paused_minutes,
            _("依据 C-19：暂停期间停止计时，处理截止顺延 %(m)s 分钟") % {"m": paused_minutes},
        )
    if on_missing_info == "restart":
        due, _c = _add(organization=organization, clock=clock, start=resumed_at, minutes=resolve_minutes)
        warn, _c = _add(
            organization=organization, clock=clock, start=resumed_at, minutes=float(resolve_minutes * warning_fraction)
        )
        return ResumedClock(
            due,
            min(warn, due),
            paused_minutes,
            _("依据 C-19：恢复处理后处理时限重新起算 %(m)s 分钟") % {"m": resolve_minutes},
        )
    return ResumedClock(resolve_due_at, resolve_warn_at, paused_minutes, _("依据 C-19：本中心工单暂停期间不停止计时"))


@dataclass(frozen=True)
class PriorityDecision:
    priority: str
    reason: str


PRIORITY_ORDER = (Priority.NORMAL, Priority.HIGH, Priority.URGENT)


def _max_priority(a: str, b: str) -> str:
    order = [p.value for p in PRIORITY_ORDER]
    return a if order.index(a) >= order.index(b) else b


@implements("WO-11")
def intake_priority(
    *,
    organization: Any,
    requested: str,
    special_group: Any,
    at: datetime,
    values: Mapping[str, PolicyValue] | None = None,
) -> PriorityDecision:
    """WO-11: a registered special-group member's request gets `workorders.special_group_priority` (urgent) —
    never lower than what the dispatcher chose. `values`: see `intake_values`."""
    requested = requested if requested in Priority.values else Priority.NORMAL
    if special_group is None:
        return PriorityDecision(requested, "")
    pv = _param(values, "workorders.special_group_priority", organization=organization, at=at)
    wanted = str(pv.value) if pv.value in Priority.values else Priority.URGENT
    return PriorityDecision(
        _max_priority(requested, wanted),
        _("特殊群体（%(group)s）优先：%(citation)s") % {"group": special_group, "citation": pv.citation},
    )


@implements("SVC-12")
def rollover_priority(*, current: str) -> PriorityDecision:
    """SVC-12: a request left undispatched at the end of its day goes to the top of the next day's queue."""
    return PriorityDecision(
        _max_priority(current, Priority.HIGH),
        _("依据 SVC-12：当天未派工作，次日送请部门经理优先派工"),
    )


@implements("WO-08")
def check_read_back(
    *, organization: Any, confirmed: Iterable[str], at: datetime, values: Mapping[str, PolicyValue] | None = None
) -> PolicyValue:
    """WO-08: save is blocked until each field of `workorders.read_back_fields` was read back and ticked."""
    pv = _param(values, "workorders.read_back_fields", organization=organization, at=at)
    required = [str(f) for f in (pv.value or [])]
    ticked = set(confirmed)
    missing = [f for f in required if f not in ticked]
    if missing:
        names = "、".join(READ_BACK_LABELS.get(f, f) for f in missing)
        message = _("请跟读确认：%(names)s（依据 WO-08）") % {"names": names}
        raise ValidationFailed(
            message,
            fields={f"read_back_{f}": [_("请跟读确认后勾选")] for f in missing},
            clause="WO-08",
        )
    return pv


@dataclass(frozen=True)
class PaymentDecision:
    path: str
    citation: str


@implements("SVC-07", "SVC-08", "G-13")
def payment_path(*, organization: Any, service_type: str, fee_total: Decimal, at: datetime) -> PaymentDecision:
    """SVC-07/08, G-13: a paid service (type A) with a fee at or below `service.low_fee_threshold` is collected on
    site; above it — or while the threshold is not set (G-13) — finance invoices it and a collection task is raised.
    Other service types are not charged to the customer."""
    if service_type != ServiceType.PAID or fee_total <= 0:
        return PaymentDecision(PaymentPath.NONE, _("依据 SVC-01：非有偿服务或无费用，不向客户收费"))
    pv = value("service.low_fee_threshold", org=organization, at=at)
    if pv.value is None:
        return PaymentDecision(
            PaymentPath.INVOICE,
            _("依据 G-13：本中心未设置现场收费上限，有偿服务一律由财务开票收费（%(c)s）") % {"c": pv.citation},
        )
    threshold = Decimal(str(pv.value))
    if fee_total <= threshold:
        return PaymentDecision(
            PaymentPath.ON_SITE,
            _("依据 SVC-07：费用 %(fee)s 元不超过现场收费上限，由服务人员当场收费（%(c)s）")
            % {"fee": fee_total, "c": pv.citation},
        )
    return PaymentDecision(
        PaymentPath.INVOICE,
        _("依据 SVC-08：费用 %(fee)s 元超过现场收费上限，由财务部开具发票另行收费（%(c)s）")
        % {"fee": fee_total, "c": pv.citation},
    )


@implements("SVC-13")
def may_dispatch_offsite(*, is_offsite: bool, offsite_status: str) -> Decision:
    """SVC-13: off-site service is dispatched only after the manager approved the off-site service request."""
    if not is_offsite or offsite_status == OffsiteStatus.APPROVED:
        return Decision(True, "SVC-13")
    return Decision(False, "SVC-13", _("异地服务须先经部门经理核准「异地服务申请单」后方能派工（SVC-13）"))


@implements("SVC-05")
def may_complete_without_signature(*, has_signature: bool, has_voucher_photo: bool) -> Decision:
    """SVC-05: an on-site completion needs the customer's signature — on screen or a photographed paper voucher."""
    if has_signature or has_voucher_photo:
        return Decision(True, "SVC-05")
    return Decision(False, "SVC-05", _("请客户在屏幕上签字，或上传客户签字的纸质服务凭证照片（SVC-05）"))


@implements("SVC-09")
def check_service_record(*, work_content: str, started_at: datetime | None, ended_at: datetime | None) -> None:
    """SVC-09: the voucher and the register both carry the actual service start and end time and the work content."""
    fields: dict[str, list[str]] = {}
    if not (work_content or "").strip():
        fields["work_content"] = [_("请填写服务内容（SVC-09）")]
    if started_at is None:
        fields["service_started_at"] = [_("请填写实际开始时间（SVC-09）")]
    if ended_at is None:
        fields["service_ended_at"] = [_("请填写实际结束时间（SVC-09）")]
    if started_at and ended_at and ended_at < started_at:
        fields["service_ended_at"] = [_("结束时间不能早于开始时间")]
    if fields:
        raise ValidationFailed(_("服务记录不完整（SVC-09）"), fields=fields, clause="SVC-09")


REGISTER_FIELD_LABELS = {
    "product_model": "商品型号",
    "product_spec": "规格",
    "purchase_date": "购买日期",
    "purchase_place": "购买地点",
}


@implements("SVC-02")
def check_register_fields(
    *,
    organization: Any,
    values: Mapping[str, Any],
    at: datetime,
    parameters: Mapping[str, PolicyValue] | None = None,
) -> None:
    """SVC-02: the register fields a center uses (`service.register_fields`: product model, specification, purchase
    date and place) are required on its entries; name, address and phone are required everywhere. `parameters`:
    see `intake_values`."""
    pv = _param(parameters, "service.register_fields", organization=organization, at=at)
    missing = [f for f in (pv.value or []) if f in REGISTER_FIELD_LABELS and not values.get(f)]
    if missing:
        raise ValidationFailed(
            _("请填写服务登记簿必填项：%(names)s（%(c)s）")
            % {"names": "、".join(REGISTER_FIELD_LABELS[f] for f in missing), "c": pv.citation},
            fields={f: [_("本中心登记簿要求填写此项（SVC-02）")] for f in missing},
            clause="SVC-02",
        )


@dataclass(frozen=True)
class RegisterEntryFacts:
    """One register entry of the day being reconciled (SVC-11): an order returned that day."""

    order_id: int
    number: str
    has_voucher: bool
    countersigned: bool


@dataclass(frozen=True)
class VoucherFacts:
    """One voucher of the day being reconciled (SVC-11): a signature or paper-voucher photo uploaded that day."""

    attachment_id: int
    order_id: int
    number: str
    order_status: str
    returned_on_day: bool


@dataclass(frozen=True)
class Mismatch:
    side: str  # "entry": a register entry without a voucher; "voucher": a voucher without a register entry
    order_id: int
    number: str
    reason: str
    attachment_id: int | None = None


@implements("SVC-11")
def reconcile_register(*, entries: Iterable[RegisterEntryFacts], vouchers: Iterable[VoucherFacts]) -> list[Mismatch]:
    """SVC-11: the day's register is checked against the day's vouchers — every entry completed that day has a
    voucher (the customer's signature or a photographed paper voucher, countersigned by the manager, SVC-05/SVC-10)
    and every voucher of that day belongs to an entry completed that day. Each mismatch carries its reason."""
    result: list[Mismatch] = []
    for entry in entries:
        if not entry.has_voucher:
            reason = _("依据 SVC-11：登记簿有此回单，但没有客户签字或纸质凭证照片（SVC-05）")
            result.append(Mismatch("entry", entry.order_id, entry.number, reason))
        elif not entry.countersigned:
            reason = _("依据 SVC-11：凭证尚未经部门经理核签（SVC-10）")
            result.append(Mismatch("entry", entry.order_id, entry.number, reason))
    for voucher in vouchers:
        if voucher.order_status == "cancelled":
            reason = _("依据 SVC-11：有凭证，但对应工单已取消，登记簿无完工记录")
        elif voucher.order_status not in ("returned", "closed"):
            reason = _("依据 SVC-11：有凭证，但对应工单尚未回单，登记簿无完工记录")
        elif not voucher.returned_on_day:
            reason = _("依据 SVC-11：凭证为当日上传，但登记簿记录的回单日期不是当日")
        else:
            continue
        result.append(Mismatch("voucher", voucher.order_id, voucher.number, reason, voucher.attachment_id))
    return result
