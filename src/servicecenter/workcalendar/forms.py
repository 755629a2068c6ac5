"""Input parsing for the calendar page (STYLE.md §2.9): types and required fields only. The views call the
services, which validate again (overlaps, permissions, date ranges)."""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo
from typing import Any, cast

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from servicecenter.policy.types import TYPES

from .choices import SeasonOpenOn

MAX_MINUTES = 1_000_000
"""Largest working-minute amount the calculator and the API accept (≈ 2 years of round-the-clock duty)."""


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class BootstrapForm(forms.Form):
    """Bootstrap 5 classes on every widget, and `is-invalid` on the fields that failed. Each form of the page has
    its own `id_prefix`, so that element ids stay unique where several forms have a `date` or `name` field."""

    id_prefix = "form"
    from_today: tuple[str, ...] = ()
    """Date fields that cannot lie in the past (C-01/C-02): given `today`, their inputs get `min` so the browser's
    date picker starts there. The services still decide (backdating_refused)."""

    def __init__(self, *args: Any, today: date | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)
        if today is not None:
            for name in self.from_today:
                self.fields[name].widget.attrs["min"] = today.isoformat()
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select form-select-sm"
            else:
                css = "form-control form-control-sm"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self) -> None:
        super().full_clean()
        self._mark_invalid()

    def _mark_invalid(self) -> None:
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()

    def add_domain_error(self, exc: Any) -> None:
        """Show a service's DomainError: field messages on their fields, the message on top."""
        placed = False
        for name, messages in (getattr(exc, "fields", None) or {}).items():
            if name in self.fields:
                for message in messages:
                    self.add_error(name, message)
                placed = True
        if not placed or exc.message not in {m for ms in exc.fields.values() for m in ms}:
            self.add_error(None, exc.message)
        self._mark_invalid()


def _parse_periods(text: str) -> list[list[str]]:
    try:
        return TYPES["time_ranges"].parse(text)
    except ValueError as exc:
        raise forms.ValidationError(str(exc)) from None


class SeasonForm(BootstrapForm):
    """A named date range with its own hours (C-02)."""

    id_prefix = "season"
    from_today = ("start_date", "end_date")

    name = forms.CharField(
        label=_("名称"), max_length=50, widget=forms.TextInput(attrs={"placeholder": _("如 夏季、供暖期")})
    )
    start_date = forms.DateField(label=_("开始日期"), widget=DateInput())
    end_date = forms.DateField(label=_("结束日期"), widget=DateInput())
    round_the_clock = forms.BooleanField(label=_("24 小时值班"), required=False)
    periods = forms.CharField(
        label=_("营业时段"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如 06:30-22:30；多个时段用逗号分隔")}),
    )
    open_on = forms.ChoiceField(label=_("营业日"), choices=SeasonOpenOn.choices, required=False)

    def clean_periods(self) -> list[list[str]]:
        text = self.cleaned_data.get("periods", "").strip()
        return _parse_periods(text) if text else []

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean() returns cleaned_data
        if not data.get("round_the_clock") and not data.get("periods") and "periods" not in self.errors:
            self.add_error("periods", _("请填写营业时段，或勾选 24 小时值班"))
        return data


class OverrideForm(BootstrapForm):
    """One date decided locally (C-01): closed, or open with its own or the regular periods."""

    id_prefix = "override"
    from_today = ("date",)

    date = forms.DateField(label=_("日期"), widget=DateInput())
    is_open = forms.TypedChoiceField(
        label=_("安排"),
        choices=(("0", _("休息（不营业）")), ("1", _("营业"))),
        coerce=lambda v: v == "1",
        initial="0",
    )
    periods = forms.CharField(
        label=_("营业时段"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("留空 = 按常规时段")}),
    )
    name = forms.CharField(
        label=_("事由"), max_length=100, widget=forms.TextInput(attrs={"placeholder": _("如 设备检修")})
    )

    def clean_periods(self) -> list[list[str]] | None:
        text = self.cleaned_data.get("periods", "").strip()
        return _parse_periods(text) if text else None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean() returns cleaned_data
        if data.get("is_open") is False and data.get("periods"):
            self.add_error("periods", _("休息日不填营业时段"))
        return data


class HolidayForm(BootstrapForm):
    """A statutory holiday or make-up workday for a year chinesecalendar does not cover."""

    id_prefix = "holiday"
    from_today = ("date",)

    date = forms.DateField(label=_("日期"), widget=DateInput())
    name = forms.CharField(label=_("节日"), max_length=50, widget=forms.TextInput(attrs={"placeholder": _("如 元旦")}))
    is_workday = forms.TypedChoiceField(
        label=_("类型"),
        choices=(("0", _("放假")), ("1", _("调休上班"))),
        coerce=lambda v: v == "1",
        initial="0",
    )


_OFFSET_LOST_PLUS = re.compile(r" (\d{2}(?::?\d{2})?)$")


def parse_instant(text: str, tz: tzinfo, *, require_tz: bool = False) -> datetime:
    """An ISO 8601 instant. Naive input is local time in `tz` (the page's datetime-local fields); with
    `require_tz` (the API) naive input is refused. A "+08:00" whose "+" a URL turned into a space is accepted.

    Raises:
        ValueError: with a Chinese message.
    """
    text = (text or "").strip()
    if not text:
        raise ValueError(gettext("请填写时间"))
    text = _OFFSET_LOST_PLUS.sub(r"+\1", text) if "T" in text else text
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            gettext("时间格式应为 ISO 8601，如 2025-10-09T09:00:00+08:00：%(text)s") % {"text": text}
        ) from None
    if value.tzinfo is None or value.utcoffset() is None:
        if require_tz:
            raise ValueError(gettext("时间须带时区，如 2025-10-09T09:00:00+08:00"))
        value = value.replace(tzinfo=tz)
    if not 1970 <= value.year <= 2100:
        raise ValueError(gettext("年份应在 1970–2100 之间"))
    return value


class InstantField(forms.CharField):
    """A datetime-local input read in the calendar's time zone (set `tz` before validation)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"})
    tz: tzinfo | None = None

    def clean(self, value: Any) -> datetime:
        text = super().clean(value)
        if not text and not self.required:
            return None  # type: ignore[return-value]
        try:
            return parse_instant(text, self.tz)  # type: ignore[arg-type]
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class CalculatorForm(BootstrapForm):
    """The page's calculator: start + minutes → due (mode "add"), or start + end → working minutes ("between")."""

    mode = forms.ChoiceField(choices=(("add", "add"), ("between", "between")), widget=forms.HiddenInput)
    start = InstantField(label=_("开始时间"))
    minutes = forms.IntegerField(label=_("工作分钟数"), required=False, min_value=0, max_value=MAX_MINUTES)
    end = InstantField(label=_("结束时间"), required=False)

    def __init__(self, *args: Any, tz: tzinfo, **kwargs: Any) -> None:
        data = args[0] if args else kwargs.get("data")
        mode = (data or {}).get("mode") or (kwargs.get("initial") or {}).get("mode") or "add"
        kwargs.setdefault("auto_id", f"calc_{'between' if mode == 'between' else 'add'}_%s")
        super().__init__(*args, **kwargs)
        for name in ("start", "end"):
            cast(InstantField, self.fields[name]).tz = tz

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean() returns cleaned_data
        if data.get("mode") == "add" and data.get("minutes") is None and "minutes" not in self.errors:
            self.add_error("minutes", _("请填写工作分钟数"))
        if data.get("mode") == "between" and data.get("end") is None and "end" not in self.errors:
            self.add_error("end", _("请填写结束时间"))
        return data
