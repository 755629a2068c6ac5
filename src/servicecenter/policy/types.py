"""Typed values of policy parameters: how each type is validated, parsed from a form and shown to people.

Values are stored as JSON. Each type validates its JSON value (`validate`) and parses the text a manager types
(`parse`), raising `ValueError` with a Chinese message on bad input.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

_TIME = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)$")


def _time_minutes(text: str) -> int:
    m = _TIME.match(text.strip())
    if not m:
        raise ValueError(f"时间格式应为 HH:MM：{text}")
    minutes = int(m.group(1)) * 60 + int(m.group(2))
    if minutes > 24 * 60:
        raise ValueError(f"时间超出范围：{text}")
    return minutes


def _validate_int(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise ValueError(gettext("应为整数"))
    return v


def _parse_int(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise ValueError(gettext("请输入整数")) from None


def _validate_decimal(v: Any) -> str:
    if isinstance(v, bool):
        raise ValueError(gettext("应为数字"))
    try:
        number = Decimal(str(v).strip())
    except InvalidOperation:
        raise ValueError(gettext("应为数字")) from None
    if not number.is_finite():
        raise ValueError(gettext("应为数字"))
    return str(number)


def _validate_bool(v: Any) -> bool:
    if not isinstance(v, bool):
        raise ValueError(gettext("应为是/否"))
    return v


def _parse_bool(text: str) -> bool:
    t = text.strip().lower()
    if t in {"1", "true", "yes", "on", "是", "开", "启用"}:
        return True
    if t in {"0", "false", "no", "off", "否", "关", "停用"}:
        return False
    raise ValueError(gettext("请输入 是 或 否"))


def _validate_text(v: Any) -> str:
    if not isinstance(v, str):
        raise ValueError(gettext("应为文本"))
    return v


def _validate_time_ranges(v: Any) -> list[list[str]]:
    if not isinstance(v, list) or not v:
        raise ValueError(gettext("至少需要一个时段"))
    out: list[list[str]] = []
    last_end = -1
    for item in v:
        if not (isinstance(item, list | tuple) and len(item) == 2):
            raise ValueError(gettext("时段应为 [开始, 结束]"))
        start, end = _time_minutes(str(item[0])), _time_minutes(str(item[1]))
        if end <= start:
            raise ValueError(f"结束时间应晚于开始时间：{item[0]}–{item[1]}")
        if start < last_end:
            raise ValueError(gettext("时段不能重叠，且须按时间先后排列"))
        last_end = end
        out.append([f"{start // 60:02d}:{start % 60:02d}", f"{end // 60:02d}:{end % 60:02d}"])
    return out


def _parse_time_ranges(text: str) -> list[list[str]]:
    parts = [p for p in re.split(r"[,，;；\s]+", text.strip()) if p]
    ranges = []
    for part in parts:
        bits = re.split(r"[-–~～至]", part)
        if len(bits) != 2:
            raise ValueError(f"时段格式应为 08:30-20:00：{part}")
        ranges.append([bits[0], bits[1]])
    return _validate_time_ranges(ranges)


def _validate_date_range(v: Any) -> dict[str, str] | None:
    if v is None:
        return None
    if not isinstance(v, dict) or set(v) != {"start", "end"}:
        raise ValueError(gettext("日期范围应包含开始和结束"))
    try:
        start, end = date.fromisoformat(v["start"]), date.fromisoformat(v["end"])
    except (TypeError, ValueError):
        raise ValueError(gettext("日期格式应为 YYYY-MM-DD")) from None
    if end < start:
        raise ValueError(gettext("结束日期不能早于开始日期"))
    return {"start": start.isoformat(), "end": end.isoformat()}


def _parse_date_range(text: str) -> dict[str, str] | None:
    t = text.strip()
    if not t:
        return None
    bits = re.split(r"\s*(?:至|~|～|/)\s*|\s+-\s+|(?<=\d)\s*–\s*(?=\d)", t)
    if len(bits) != 2:
        raise ValueError(gettext("日期范围格式应为 2026-11-15 至 2027-03-15"))
    return _validate_date_range({"start": bits[0], "end": bits[1]})


def _validate_json(v: Any) -> Any:
    try:
        json.dumps(v, allow_nan=False)
    except (TypeError, ValueError):
        raise ValueError(gettext("无法保存为 JSON")) from None
    return v


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"JSON 格式错误：{exc.msg}（第 {exc.lineno} 行）") from None


def _validate_bands(v: Any) -> list[dict[str, Any]]:
    """Approval bands (C-03): ordered list of {max_days, approvers: [role codes], notify: [role codes], form}."""
    if not isinstance(v, list) or not v:
        raise ValueError(gettext("至少需要一个审批档"))
    out: list[dict[str, Any]] = []
    last = Decimal("-1")
    for band in v:
        if not isinstance(band, dict) or "approvers" not in band:
            raise ValueError(gettext("每个审批档需要 max_days 和 approvers"))
        max_days = band.get("max_days")
        if out and out[-1]["max_days"] is None:
            raise ValueError(gettext("不限天数的审批档必须放在最后"))
        if max_days is not None:
            try:
                md = Decimal(str(max_days))
            except InvalidOperation:
                raise ValueError(gettext("max_days 应为数字")) from None
            if md <= last:
                raise ValueError(gettext("审批档须按天数从小到大排列"))
            if (md * 2) != (md * 2).to_integral_value():
                raise ValueError(gettext("天数以半天为单位"))
            last = md
        approvers = band["approvers"]
        if not isinstance(approvers, list) or not approvers or not all(isinstance(a, str) for a in approvers):
            raise ValueError(gettext("approvers 应为角色编码列表"))
        notify = band.get("notify", [])
        if not isinstance(notify, list):
            raise ValueError(gettext("notify 应为角色编码列表"))
        out.append(
            {
                "max_days": None if max_days is None else str(max_days),
                "approvers": approvers,
                "notify": notify,
                "form": str(band.get("form", "")),
            }
        )
    return out


def _display_default(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, list | dict):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


def _display_json(v: Any) -> str:
    """Readable text for the common JSON shapes: [code, label] pairs, plain lists, flat mappings."""
    if isinstance(v, list) and v and all(isinstance(i, list | tuple) and len(i) == 2 for i in v):
        return "、".join(f"{label}（{code}）" for code, label in v)
    if isinstance(v, list) and all(isinstance(i, str | int | float) and not isinstance(i, bool) for i in v):
        return "、".join(str(i) for i in v) if v else "（空）"
    if isinstance(v, dict) and v and all(not isinstance(i, dict | list) for i in v.values()):
        return "；".join(f"{k}: {_display_default(i)}" for k, i in v.items())
    return _display_default(v)


def _display_time_ranges(v: Any) -> str:
    return "，".join(f"{a}–{b}" for a, b in v)


def _display_date_range(v: Any) -> str:
    return "—" if not v else f"{v['start']} 至 {v['end']}"


def _display_bands(v: Any) -> str:
    parts = []
    for band in v:
        limit = "其余" if band["max_days"] is None else f"≤{band['max_days']}天"
        text = f"{limit} → {'、'.join(band['approvers'])}"
        if band.get("notify"):
            text += f"（知会 {'、'.join(band['notify'])}）"
        parts.append(text)
    return "；".join(parts)


def _to_text_default(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, list | dict):
        return json.dumps(v, ensure_ascii=False, indent=1)
    return str(v)


@dataclass(frozen=True)
class ValueType:
    code: str
    label: str | Promise
    validate: Callable[[Any], Any]
    parse: Callable[[str], Any]
    display: Callable[[Any], str] = _display_default
    to_text: Callable[[Any], str] = _to_text_default


TYPES: dict[str, ValueType] = {
    t.code: t
    for t in (
        ValueType("int", gettext_lazy("整数"), _validate_int, _parse_int),
        ValueType("decimal", gettext_lazy("数字"), _validate_decimal, lambda s: _validate_decimal(s.strip())),
        ValueType("bool", gettext_lazy("是/否"), _validate_bool, _parse_bool),
        ValueType("text", gettext_lazy("文本"), _validate_text, lambda s: s.strip()),
        ValueType(
            "time_ranges",
            gettext_lazy("时段"),
            _validate_time_ranges,
            _parse_time_ranges,
            _display_time_ranges,
            _display_time_ranges,
        ),
        ValueType(
            "date_range",
            gettext_lazy("日期范围"),
            _validate_date_range,
            _parse_date_range,
            _display_date_range,
            lambda v: "" if not v else f"{v['start']} 至 {v['end']}",
        ),
        ValueType(
            "approval_bands",
            gettext_lazy("审批档"),
            _validate_bands,
            lambda s: _validate_bands(_parse_json(s)),
            _display_bands,
        ),
        ValueType("json", gettext_lazy("结构化数据"), _validate_json, _parse_json, _display_json),
    )
}
