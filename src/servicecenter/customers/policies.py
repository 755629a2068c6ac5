"""Rules of the customer master and of the call script shown at intake.

- SVC-19: the customer status (existing / converting / potential) changes only with a reason, never silently back.
- SVC-18: a document in the customer's file is an image or a PDF, checked by its content, within a size limit.
- CON-07 / CON-10: the opening and closing scripts of a center, with its brand, the staff number and the hotline.
- CON-08 / CON-09 / G-12: the holiday greeting in force on a day: the window an admin entered from the holiday
  notice, else the statutory holiday period of the business calendar.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import chinese_calendar
from django.utils.translation import gettext as _

from servicecenter.core.errors import ValidationFailed
from servicecenter.core.policy import Decision, implements
from servicecenter.policy.values import resolve_many, value

from .models import CustomerStatus

# --- SVC-19 customer status ---------------------------------------------------------------------------------------

_STATUS_RANK = {CustomerStatus.POTENTIAL: 0, CustomerStatus.CONVERTING: 1, CustomerStatus.EXISTING: 2}


@implements("SVC-19")
def may_change_status(*, current: str, new: str, has_orders: bool, reason: str) -> Decision:
    """SVC-19: a customer is existing, converting or potential. A change needs a reason (it is kept); a customer
    with service orders on record is an existing customer and cannot be turned back into a potential one."""
    if new not in CustomerStatus.values:
        return Decision(False, "SVC-19", _("请选择有效的客户状态"))
    if new == current:
        return Decision(False, "SVC-19", _("客户状态未改变"))
    if not (reason or "").strip():
        return Decision(False, "SVC-19", _("请填写变更原因（SVC-19）"))
    if has_orders and _STATUS_RANK[CustomerStatus(new)] < _STATUS_RANK[CustomerStatus.CONVERTING]:
        return Decision(False, "SVC-19", _("该客户已有服务工单，不能改为潜在客户（SVC-19）"))
    return Decision(True, "SVC-19")


# --- SVC-18 documents ---------------------------------------------------------------------------------------------

IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str


@implements("SVC-18")
def check_document(*, content: bytes, organization: Any, at: Any = None) -> CheckedFile:
    """SVC-18: contracts, drawings and vouchers are kept as images or PDFs — recognised by their content, not their
    name — no larger than `customers.document_max_mb`."""
    limit_mb = int(value("customers.document_max_mb", org=organization, at=at).value or 10)
    if not content:
        raise ValidationFailed(_("请选择文件"), fields={"file": [_("文件为空")]}, clause="SVC-18")
    if len(content) > limit_mb * 1024 * 1024:
        raise ValidationFailed(
            _("文件不能超过 %(n)s MB") % {"n": limit_mb},
            fields={"file": [_("文件不能超过 %(n)s MB") % {"n": limit_mb}]},
            clause="SVC-18",
        )
    if content.startswith(b"%PDF-"):
        return CheckedFile("application/pdf", "pdf")
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as image:
            fmt = image.format or ""
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        fmt = ""
    if fmt not in IMAGE_TYPES:
        message = _("只能上传图片（JPEG、PNG、WEBP、GIF）或 PDF 文件")
        raise ValidationFailed(message, fields={"file": [message]}, clause="SVC-18")
    return CheckedFile(IMAGE_TYPES[fmt], fmt.lower().replace("jpeg", "jpg"))


# --- CON-07 / CON-10 call scripts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallScript:
    opening: str
    greeting: str
    greeting_reason: str
    closing: str
    citation: str


class _Blank(dict):
    """A template variable nobody set renders as a visible gap instead of raising."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fill(template: str, values: Mapping[str, str]) -> str:
    try:
        return str(template or "").format_map(_Blank(values))
    except (ValueError, IndexError):  # a stray brace in a center's own template: show it as written
        return str(template or "")


@implements("CON-07", "CON-10")
def call_script(*, organization: Any, staff_no: str, day: date, windows: Iterable[Any] = ()) -> CallScript:
    """CON-07: the opening of the center's intake script with {brand} (`scripts.brand`, else the center's name) and
    {staff_no} (the dispatcher's staff number); CON-10: the closing with {hotline} (`callbacks.hotline_number`);
    CON-08/09: the holiday greeting in force on `day` (see `greeting_on`)."""
    values = resolve_many(
        ["scripts.brand", "scripts.opening", "scripts.closing", "callbacks.hotline_number"], org=organization, at=day
    )
    brand = str(values["scripts.brand"].value or organization.name)
    hotline = str(values["callbacks.hotline_number"].value or _("（热线号码未设置）"))
    greeting = greeting_on(organization=organization, day=day, windows=windows)
    return CallScript(
        opening=_fill(str(values["scripts.opening"].value or ""), {"brand": brand, "staff_no": staff_no or "—"}),
        greeting=greeting.text if greeting else "",
        greeting_reason=greeting.reason if greeting else "",
        closing=_fill(str(values["scripts.closing"].value or ""), {"hotline": hotline}),
        citation="；".join(
            v.citation
            for v in (values["scripts.opening"], values["scripts.closing"], values["callbacks.hotline_number"])
        ),
    )


# --- CON-08 / CON-09 / G-12 holiday greetings --------------------------------------------------------------------

# chinesecalendar's holiday names (Chinese, as the business calendar reports them) → the keys of
# `scripts.holiday_greetings` (new_years_day, spring_festival, labour_day, mid_autumn_festival, national_day).
HOLIDAY_KEYS: dict[str, str] = {h.chinese: h.name for h in chinese_calendar.Holiday}
HOLIDAY_LABELS: dict[str, str] = {h.name: h.chinese for h in chinese_calendar.Holiday}


@dataclass(frozen=True)
class Greeting:
    holiday: str
    text: str
    starts_on: date
    ends_on: date
    reason: str


def _window_covers(window: Any, day: date) -> bool:
    return bool(window.is_active and window.starts_on <= day <= window.ends_on)


@implements("CON-08", "CON-09")
def greeting_on(*, organization: Any, day: date, windows: Iterable[Any] = ()) -> Greeting | None:
    """CON-09: the holiday greeting in force on `day` for the center.

    1. A window an admin entered from the holiday notice (`GreetingWindow`) that covers `day` wins (its own text,
       else the holiday's text in `scripts.holiday_greetings`).
    2. Otherwise (G-12) the statutory holiday period of the business calendar containing `day` — unless a window was
       entered for that holiday near that period: then the notice's dates govern and the default does not apply.
    `windows` are the center's active windows around `day` (selectors.greeting_windows_around)."""
    from servicecenter.workcalendar.selectors import holiday_period_around

    texts = value("scripts.holiday_greetings", org=organization, at=day).value or {}
    windows = [w for w in windows if w.is_active]
    for window in sorted(windows, key=lambda w: (w.starts_on, w.pk or 0), reverse=True):
        if _window_covers(window, day):
            text = window.greeting or str(texts.get(window.holiday, ""))
            if text:
                label = HOLIDAY_LABELS.get(window.holiday, window.holiday)
                return Greeting(
                    window.holiday,
                    text,
                    window.starts_on,
                    window.ends_on,
                    _("依据 CON-09：%(label)s开头语按节日通知于 %(s)s 至 %(e)s 使用%(note)s")
                    % {
                        "label": label,
                        "s": window.starts_on,
                        "e": window.ends_on,
                        "note": f"（{window.note}）" if window.note else "",
                    },
                )
    period = holiday_period_around(organization=organization, day=day)
    if period is None or not (period.start <= day <= period.end):
        return None
    keys = [HOLIDAY_KEYS.get(name.strip(), "") for name in period.name.split("、")]
    for key in keys:
        if not key or not texts.get(key):
            continue
        entered = [w for w in windows if w.holiday == key and abs((w.starts_on - period.start).days) <= 45]
        if entered:
            continue
        return Greeting(
            key,
            str(texts[key]),
            period.start,
            period.end,
            _("依据 G-12：未录入节日通知时段，按营业日历的法定节假日 %(name)s（%(s)s 至 %(e)s）使用")
            % {"name": period.name, "s": period.start, "e": period.end},
        )
    return None
