"""The complaint rules (G-01, CMP-06): deadlines by severity on the business calendar, what may close a case, when
a dissatisfied complainant reopens it or escalates it. Numbers from the policy parameters in force."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from servicecenter.core.errors import Conflict, ValidationFailed
from servicecenter.core.policy import Decision, implements
from servicecenter.policy.values import resolve_many, value
from servicecenter.workcalendar.selectors import end_of_working_days

DEADLINE_KEYS = ["complaints.acknowledge_working_days", "complaints.resolve_working_days"]
DEFAULT_DAYS = {"complaints.acknowledge_working_days": 1, "complaints.resolve_working_days": 3}


@dataclass(frozen=True)
class Deadlines:
    acknowledge_due_at: datetime
    resolve_due_at: datetime
    citation: str


def _days(raw: Any, severity: str, default: int) -> int:
    data = raw if isinstance(raw, Mapping) else {}
    try:
        return max(int(data.get(severity, data.get("normal", default))), 0)
    except (TypeError, ValueError):
        return default


@implements("G-01")
def deadlines(*, organization: Any, severity: str, received_at: datetime) -> Deadlines:
    """G-01: acknowledge within 1 working day and resolve within 3 (parameters per severity), counted on the
    center's business calendar from the day the complaint is received, stored with the citation."""
    values = resolve_many(DEADLINE_KEYS, org=organization, at=received_at)
    ack_days = _days(values[DEADLINE_KEYS[0]].value, severity, 1)
    resolve_days = _days(values[DEADLINE_KEYS[1]].value, severity, 3)
    ack = end_of_working_days(organization=organization, start=received_at, days=ack_days)
    resolve = end_of_working_days(organization=organization, start=received_at, days=resolve_days)
    citation = _(
        "G-01 投诉处理时限：%(ack)s 个工作日内确认受理，%(res)s 个工作日内答复（%(origin)s）；%(calendar)s"
    ) % {"ack": ack_days, "res": resolve_days, "origin": values[DEADLINE_KEYS[1]].origin, "calendar": resolve.citation}
    return Deadlines(ack.value, resolve.value, citation)


@implements("CMP-06")
def check_can_close(*, response: str, resolved_by_id: Any) -> None:
    """CMP-06: no complaint is closed without a recorded response and the handler who gave it."""
    if not (response or "").strip() or resolved_by_id is None:
        raise Conflict(_("投诉须有处理结果答复和处理人后才能结案（CMP-06）"), clause="CMP-06")


@implements("G-01")
def after_dissatisfied(*, organization: Any, reopen_count: int, at: datetime) -> Decision:
    """G-01: a dissatisfied confirmation reopens the case `complaints.reopen_limit` times (1); after that it escalates
    to the level above. Allowed = reopen; not allowed = escalate instead."""
    limit = value("complaints.reopen_limit", org=organization, at=at)
    try:
        n = int(limit.value)
    except (TypeError, ValueError):
        n = 1
    if reopen_count < n:
        return Decision(
            True, "G-01", _("投诉人不满意，重新打开（第 %(k)s 次，最多 %(n)s 次）") % {"k": reopen_count + 1, "n": n}
        )
    return Decision(
        False,
        "G-01",
        _("已重新打开 %(k)s 次仍不满意，升级处理（%(origin)s）") % {"k": reopen_count, "origin": limit.origin},
    )


def confirm_wait(*, organization: Any, resolved_at: datetime) -> datetime:
    """When an unanswered resolution counts as confirmed (complaints.confirm_wait_working_days)."""
    days = value("complaints.confirm_wait_working_days", org=organization, at=resolved_at)
    try:
        n = max(int(days.value), 1)
    except (TypeError, ValueError):
        n = 3
    return end_of_working_days(organization=organization, start=resolved_at, days=n).value


@implements("CMP-09")
def compensation_payer(*, category: str, merchant_name: str, amount: Decimal, payer: str) -> str:
    """CMP-09: losses caused by a merchant's goods are borne by the merchant — a compensation on a merchant complaint
    is recorded against the merchant unless the handler names another payer; any other compensation (above zero)
    must say who bears it."""
    payer = (payer or "").strip()[:100]
    if payer:
        return payer
    if category == "merchant" and (merchant_name or "").strip():
        return merchant_name.strip()[:100]
    if amount > 0:
        raise ValidationFailed(
            _("请填写赔偿承担方"), fields={"compensation_payer": [_("有赔偿金额时须写明由谁承担")]}, clause="CMP-09"
        )
    return ""
