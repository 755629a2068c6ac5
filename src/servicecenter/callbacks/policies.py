"""The callback rules: the D02 questionnaire, when a callback is due, how often an unreachable customer is tried,
what an answer means (charge cross-check, fee reminder, follow-up), score normalisation and the courtesy sample.

Numbers come from the policy parameters in force for the center (DESIGN.md §2); every answer carries the clause.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from servicecenter.core.errors import ValidationFailed
from servicecenter.core.policy import Decision, implements
from servicecenter.policy.values import resolve_many, value
from servicecenter.workcalendar.selectors import add_working_minutes, end_of_working_days

from .choices import Attitude, QuestionRole, QuestionType

# The D02 callback (供暖报修平台回访): the opening, questions a–e, the fee reminder f and the closing. {center} is the
# center's name, {hotline} the callbacks.hotline_number in force. Seeded as the built-in questionnaire (C-10).
D02_OPENING = "您好，我们是{center}，对您家报修的处理情况进行回访。您现在方便吗？"
D02_CLOSING = "感谢您的合作，以后有什么问题，请您随时拨打{hotline}，我们将及时为您服务。"
D02_FEE_REMINDER = "我们的收费工作已经开始，请您方便的时候交纳费用。"
D02_QUESTIONS: list[dict[str, Any]] = [
    {"code": "a", "type": "yes_no", "role": "solved", "label": "问题解决了吗？", "required": True, "clause": "CB-02"},
    {
        "code": "b",
        "type": "choice",
        "role": "attitude",
        "label": "维修工态度如何？",
        "required": True,
        "choices": ["satisfied", "average", "dissatisfied"],
        "clause": "CB-03",
    },
    {"code": "c", "type": "yes_no", "role": "charged", "label": "跟您收费了吗？", "required": True, "clause": "CB-04"},
    {
        "code": "d",
        "type": "score",
        "role": "score",
        "label": "请您为我们的服务打分",
        "required": True,
        "clause": "CB-05",
    },
    {
        "code": "e",
        "type": "text",
        "role": "suggestion",
        "label": "您对我们的服务还有什么建议或意见吗？",
        "required": False,
        "clause": "CB-06",
    },
]

ANSWER_KEYS = [
    "callbacks.score_range",
    "callbacks.attitude_scale",
    "callbacks.hotline_number",
    "callbacks.followup_score_max",
]


def _int(raw: Any, default: int) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return default


# --- when ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    at: datetime
    citation: str


@implements("WO-10")
def callback_due(*, organization: Any, returned_at: datetime) -> Due:
    """WO-10: a returned order is called back by the close of the `callbacks.due_working_days`-th working day."""
    days = value("callbacks.due_working_days", org=organization, at=returned_at)
    n = max(_int(days.value, 1), 0)
    answer = end_of_working_days(organization=organization, start=returned_at, days=n)
    citation = _("WO-10 回单后回访：%(n)s 个工作日内（%(origin)s）；%(calendar)s") % {
        "n": n,
        "origin": days.origin,
        "calendar": answer.citation,
    }
    return Due(answer.value, citation)


@dataclass(frozen=True)
class Retry:
    """After an unanswered call: `next_at` (None = give up: unreachable) and why."""

    next_at: datetime | None
    citation: str


@implements("WO-10")
def after_unanswered(*, organization: Any, attempts: int, now: datetime) -> Retry:
    """Up to `callbacks.max_attempts` calls spaced `callbacks.retry_interval_minutes` of business time apart; then
    the callback ends as unreachable."""
    values = resolve_many(["callbacks.max_attempts", "callbacks.retry_interval_minutes"], org=organization, at=now)
    limit = max(_int(values["callbacks.max_attempts"].value, 3), 1)
    if attempts >= limit:
        return Retry(
            None,
            _("已拨打 %(n)s 次仍无法联系（最多 %(limit)s 次，%(origin)s）")
            % {"n": attempts, "limit": limit, "origin": values["callbacks.max_attempts"].origin},
        )
    minutes = max(_int(values["callbacks.retry_interval_minutes"].value, 120), 1)
    answer = add_working_minutes(organization=organization, start=now, minutes=minutes)
    return Retry(
        answer.value,
        _("第 %(n)s 次未接通，%(m)s 分钟（营业时间）后再拨（最多 %(limit)s 次）")
        % {"n": attempts, "m": minutes, "limit": limit},
    )


@implements("CB-01")
def check_appointment(*, appointment_at: datetime | None, now: datetime) -> None:
    """CB-01: a customer who is not free now gets an appointment; it must be given and lie in the future."""
    if appointment_at is None:
        raise ValidationFailed(
            _("客户不方便时须预约回访时间（CB-01）"), fields={"appointment_at": [_("请填写预约时间")]}, clause="CB-01"
        )
    if appointment_at <= now:
        raise ValidationFailed(
            _("预约时间须晚于现在"), fields={"appointment_at": [_("预约时间须晚于现在")]}, clause="CB-01"
        )


# --- the answers -----------------------------------------------------------------------------------------------


@dataclass
class Answers:
    """A validated set of answers: by question code, plus the standard measures the reports use (C-10)."""

    by_code: dict[str, Any] = field(default_factory=dict)
    solved: bool | None = None
    attitude: str = ""
    charged: bool | None = None
    score: int | None = None
    score_pct: Decimal | None = None
    suggestion: str = ""


def score_range(raw: Any) -> tuple[int, int]:
    data = raw if isinstance(raw, Mapping) else {}
    low, high = _int(data.get("min"), 1), _int(data.get("max"), 10)
    return (low, high) if high > low else (1, 10)


@implements("C-10")
def normalize_score(score: int, low: int, high: int) -> Decimal:
    """C-10: scores of different scales become 0–100 for comparisons across centers (one decimal, half up)."""
    pct = Decimal(score - low) * 100 / Decimal(high - low)
    return pct.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _yes_no(raw: Any) -> bool | None:
    if isinstance(raw, bool):
        return raw
    text = str(raw or "").strip().lower()
    if text in ("yes", "true", "1", "是", "y"):
        return True
    if text in ("no", "false", "0", "否", "n"):
        return False
    return None


@implements("CB-02", "CB-03", "CB-04", "CB-05")
def clean_answers(*, questions: list[dict[str, Any]], raw: Mapping[str, Any], scale: tuple[int, int]) -> Answers:
    """Validate the answers to `questions` (by code): CB-02 solved yes/no, CB-03 attitude of three levels, CB-04
    charged yes/no, CB-05 an integer score within the center's range — each required where the question says so.
    Raises ValidationFailed naming every bad answer; nothing is saved."""
    result = Answers()
    errors: dict[str, list[str]] = {}
    low, high = scale
    for question in questions:
        code = str(question.get("code"))
        kind = question.get("type")
        role = question.get("role", QuestionRole.OTHER)
        label = question.get("label", code)
        answer = raw.get(code)
        blank = answer is None or (isinstance(answer, str) and not answer.strip())
        if blank:
            if question.get("required"):
                errors[code] = [_("请回答：%(q)s") % {"q": label}]
            continue
        if kind == QuestionType.YES_NO:
            parsed: Any = _yes_no(answer)
            if parsed is None:
                errors[code] = [_("请选择“是”或“否”")]
                continue
        elif kind == QuestionType.CHOICE:
            choices = [str(c) for c in question.get("choices") or []]
            parsed = str(answer)
            if parsed not in choices:
                errors[code] = [_("请选择一个有效的选项")]
                continue
        elif kind == QuestionType.SCORE:
            q_low, q_high = _int(question.get("min"), low), _int(question.get("max"), high)
            try:
                parsed = int(str(answer).strip())
            except ValueError:
                parsed = None
            if parsed is None or not q_low <= parsed <= q_high or str(answer).strip() != str(parsed):
                errors[code] = [_("评分须为 %(low)s–%(high)s 的整数（CB-05）") % {"low": q_low, "high": q_high}]
                continue
            low, high = q_low, q_high
        else:
            parsed = str(answer).strip()
            if len(parsed) > 2000:
                errors[code] = [_("不能超过 2000 个字")]
                continue
        result.by_code[code] = parsed
        if role == QuestionRole.SOLVED:
            result.solved = parsed
        elif role == QuestionRole.ATTITUDE:
            result.attitude = parsed if parsed in Attitude.values else ""
        elif role == QuestionRole.CHARGED:
            result.charged = parsed
        elif role == QuestionRole.SCORE:
            result.score = parsed
            result.score_pct = normalize_score(parsed, low, high)
        elif role == QuestionRole.SUGGESTION:
            result.suggestion = parsed
    if errors:
        raise ValidationFailed(_("回访记录不完整或有误"), fields=errors, clause="CB-02")
    return result


@dataclass(frozen=True)
class ChargeCheck:
    mismatch: bool
    note: str


@implements("CB-04")
def check_charge(
    *, charged: bool | None, fee_total: Decimal, collected: Decimal | None, payment_path: str
) -> ChargeCheck:
    """CB-04: the customer's "were you charged?" against the charges recorded on the order. A customer who says they
    paid for a free service (or paid nothing for a charged one) is a mismatch the manager must see."""
    if charged is None:
        return ChargeCheck(False, "")
    recorded = fee_total > 0
    if charged and not recorded:
        return ChargeCheck(True, _("客户称已收费，但工单未记录任何费用（CB-04）"))
    if not charged and recorded and (collected or 0) > 0:
        return ChargeCheck(True, _("工单记录现场收费 %(fee)s 元，客户称未收费（CB-04）") % {"fee": collected})
    if recorded:
        return ChargeCheck(False, _("工单费用 %(fee)s 元（%(path)s）") % {"fee": fee_total, "path": payment_path})
    return ChargeCheck(False, _("工单无费用"))


@implements("CB-07")
def fee_reminder(*, attitude: str, solved: bool | None, fee_status: str) -> Decision:
    """CB-07: the fee reminder is read only to a satisfied customer whose fee is unpaid."""
    if attitude == Attitude.SATISFIED and fee_status == "unpaid":
        return Decision(True, "CB-07", _("客户满意且本期费用未缴：请提醒缴费"))
    return Decision(False, "CB-07", _("仅在客户满意且未缴费时提醒缴费"))


@implements("G-03")
def followup_reasons(*, answers: Answers, organization: Any, at: datetime) -> list[dict[str, str]]:
    """G-03: "not solved", "dissatisfied" or a score at or below `callbacks.followup_score_max` opens a follow-up."""
    reasons: list[dict[str, str]] = []
    if answers.solved is False:
        reasons.append({"code": "not_solved", "text": _("问题未解决"), "clause": "G-03"})
    if answers.attitude == Attitude.DISSATISFIED:
        reasons.append({"code": "dissatisfied", "text": _("对服务态度不满意"), "clause": "G-03"})
    if answers.score is not None:
        limit = value("callbacks.followup_score_max", org=organization, at=at)
        if limit.value is not None and answers.score <= _int(limit.value, 5):
            reasons.append(
                {
                    "code": "low_score",
                    "text": _("评分 %(s)s 分，不高于 %(m)s 分（%(origin)s）")
                    % {"s": answers.score, "m": limit.value, "origin": limit.origin},
                    "clause": "G-03",
                }
            )
    return reasons


@implements("CB-09")
def courtesy_sampled(*, order_number: str, kind: str, rate: Any) -> Decision:
    """CB-09: a sample of new installations gets a courtesy callback. The draw is a hash of the order number, so it
    is random across orders, reproducible for one order, and a rate of 20 % picks about one in five."""
    if kind != "installation":
        return Decision(False, "CB-09", _("仅新装用户参加温馨回访抽样"))
    if rate in (None, ""):
        return Decision(False, "CB-09", _("未设置温馨回访抽样比例（callbacks.courtesy_sample_rate）"))
    try:
        pct = Decimal(str(rate))
    except ArithmeticError:
        return Decision(False, "CB-09", _("抽样比例无效"))
    draw = int(hashlib.sha256(order_number.encode()).hexdigest()[:8], 16) % 10000
    chosen = Decimal(draw) < pct * 100
    return Decision(
        chosen,
        "CB-09",
        _("温馨回访抽样 %(pct)s%%：%(result)s") % {"pct": pct, "result": _("抽中") if chosen else _("未抽中")},
    )


def render_script(template: str, *, center: str, hotline: str | None) -> str:
    """CB-08: the opening/closing with the center's name and its hotline (or a visible gap when none is set)."""
    return template.replace("{center}", center).replace("{hotline}", hotline or _("（未设置服务热线号码）"))
