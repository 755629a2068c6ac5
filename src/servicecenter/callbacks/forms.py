"""Forms of the callback pages (queue, call page, follow-ups, opinions, questionnaires): they only parse; the
services validate the rules and report field errors (rendered beside the field)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from servicecenter.complaints.choices import Severity

from .choices import (
    UNREACHED_RESULTS,
    AttemptResult,
    Attitude,
    OpinionKind,
    OpinionSource,
    OpinionStatus,
    QuestionRole,
    QuestionType,
    TaskKind,
    TaskStatus,
)

ALL = gettext_lazy("全部")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]
MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def _blank(choices: Any, label: Any = ALL) -> list[tuple[str, Any]]:
    return [("", label), *choices]


class _Form(forms.Form):
    """Bootstrap classes on every widget (small controls, like the work-order pages)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput | forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(field.widget, forms.Select):
                css = "form-select form-select-sm"
            else:
                css = "form-control form-control-sm"
            field.widget.attrs.setdefault("class", css)


class _DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _center_choices(centers: list[Any], *, with_all: bool) -> list[tuple[str, str]]:
    choices = [(str(c.pk), c.name) for c in centers]
    if with_all and len(centers) > 1:
        choices.insert(0, ("", _("全部中心")))
    return choices


# --- the queue and the history -------------------------------------------------------------------------------------


class QueueFilterForm(_Form):
    center = forms.ChoiceField(label=gettext_lazy("服务中心"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("回访类型"), required=False, choices=_blank(TaskKind.choices))
    overdue = forms.BooleanField(label=gettext_lazy("已超期"), required=False)
    appointments = forms.BooleanField(label=gettext_lazy("有预约"), required=False)
    mine = forms.BooleanField(label=gettext_lazy("我正在回访"), required=False)

    def __init__(self, *args: Any, centers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["center"].choices = _center_choices(centers, with_all=True)  # type: ignore[attr-defined]


YES_NO = (("yes", gettext_lazy("是")), ("no", gettext_lazy("否")))


class HistoryFilterForm(_Form):
    """The history's GET parameters — stable, the satisfaction report links to them (docs/callbacks.md):
    center, month=YYYY-MM, technician=<staff id>, kind, status (or result), attitude, solved=yes|no,
    charge_mismatch=1|0, score_max=<n>."""

    center = forms.ChoiceField(label=gettext_lazy("服务中心"), required=False)
    month = forms.CharField(
        label=gettext_lazy("月份"), required=False, max_length=7, widget=forms.TextInput(attrs={"type": "month"})
    )
    technician = forms.TypedChoiceField(label=gettext_lazy("服务人员"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=gettext_lazy("回访类型"), required=False, choices=_blank(TaskKind.choices))
    status = forms.ChoiceField(
        label=gettext_lazy("结果"),
        required=False,
        choices=_blank([(s.value, s.label) for s in (TaskStatus.DONE, TaskStatus.UNREACHABLE, TaskStatus.CANCELLED)]),
    )
    attitude = forms.ChoiceField(label=gettext_lazy("服务态度"), required=False, choices=_blank(Attitude.choices))
    solved = forms.ChoiceField(label=gettext_lazy("问题解决"), required=False, choices=_blank(YES_NO))
    charge_mismatch = forms.ChoiceField(
        label=gettext_lazy("收费核对"),
        required=False,
        choices=_blank([("1", gettext_lazy("收费不符")), ("0", gettext_lazy("收费相符"))]),
    )
    score_max = forms.IntegerField(
        label=gettext_lazy("评分不高于"), required=False, min_value=0, max_value=100, widget=forms.NumberInput()
    )

    def __init__(self, *args: Any, centers: list[Any], staff: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["center"].choices = _center_choices(centers, with_all=True)  # type: ignore[attr-defined]
        self.fields["technician"].choices = [("", _("全部")), *staff]  # type: ignore[attr-defined]

    def clean_month(self) -> tuple[int, int] | None:
        raw = (self.cleaned_data.get("month") or "").strip()
        if not raw:
            return None
        match = MONTH_RE.match(raw)
        if match is None:
            raise forms.ValidationError(_("月份格式为 YYYY-MM，例如 2026-12"))
        return int(match.group(1)), int(match.group(2))


def month_range(year: int, month: int) -> tuple[date, date]:
    """The first day of the month and of the next one."""
    start = date(year, month, 1)
    end = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return start, end


# --- the call page ---------------------------------------------------------------------------------------------------


class AttemptForm(_Form):
    """A call without the answers: not convenient (CB-01, with the appointment) or not reached."""

    result = forms.ChoiceField(
        label=gettext_lazy("结果"),
        choices=[(r.value, r.label) for r in (AttemptResult.NOT_CONVENIENT, *UNREACHED_RESULTS)],
    )
    appointment_at = forms.DateTimeField(
        label=gettext_lazy("预约回访时间"), required=False, input_formats=DATETIME_FORMATS, widget=_DateTimeInput()
    )
    note = forms.CharField(label=gettext_lazy("说明"), required=False, max_length=300)


class CancelForm(_Form):
    reason = forms.CharField(
        label=gettext_lazy("取消原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 2, "maxlength": 300})
    )


class CareForm(_Form):
    """CB-16: a care callback for a customer of the center, found by phone or name."""

    center = forms.ChoiceField(label=gettext_lazy("服务中心"))
    q = forms.CharField(label=gettext_lazy("客户电话或姓名"), required=False, max_length=100)
    customer = forms.TypedChoiceField(label=gettext_lazy("客户"), required=False, coerce=int, empty_value=None)
    due_at = forms.DateTimeField(
        label=gettext_lazy("回访时间"), input_formats=DATETIME_FORMATS, widget=_DateTimeInput()
    )
    reason = forms.CharField(
        label=gettext_lazy("回访原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 2, "maxlength": 300})
    )

    def __init__(self, *args: Any, centers: list[Any], candidates: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["center"].choices = _center_choices(centers, with_all=False)  # type: ignore[attr-defined]
        self.fields["customer"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((c.pk, f"{c.name} {c.phone}") for c in candidates),
        ]
        self.fields["customer"].widget = forms.RadioSelect(choices=self.fields["customer"].choices)  # type: ignore[attr-defined]


# --- follow-ups ------------------------------------------------------------------------------------------------------

FOLLOWUP_ACTIONS = (
    ("rework", gettext_lazy("派返工单")),
    ("complaint", gettext_lazy("转投诉")),
    ("close", gettext_lazy("关闭")),
)


class FollowUpResolveForm(_Form):
    action = forms.ChoiceField(label=gettext_lazy("处理方式"), choices=FOLLOWUP_ACTIONS, widget=forms.RadioSelect)
    severity = forms.ChoiceField(
        label=gettext_lazy("投诉严重程度"), choices=Severity.choices, initial=Severity.NORMAL, required=False
    )
    note = forms.CharField(
        label=gettext_lazy("处理说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
    )


# --- opinions --------------------------------------------------------------------------------------------------------


class OpinionFilterForm(_Form):
    center = forms.ChoiceField(label=gettext_lazy("服务中心"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("状态"), required=False, choices=_blank(OpinionStatus.choices))
    kind = forms.ChoiceField(label=gettext_lazy("类型"), required=False, choices=_blank(OpinionKind.choices))
    source = forms.ChoiceField(label=gettext_lazy("来源"), required=False, choices=_blank(OpinionSource.choices))

    def __init__(self, *args: Any, centers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["center"].choices = _center_choices(centers, with_all=True)  # type: ignore[attr-defined]


class OpinionRecordForm(_Form):
    """CB-13: an opinion received by letter, at the counter or by phone outside a callback."""

    center = forms.ChoiceField(label=gettext_lazy("服务中心"))
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=OpinionKind.choices, widget=forms.RadioSelect)
    text = forms.CharField(
        label=gettext_lazy("内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000})
    )
    staff = forms.TypedChoiceField(label=gettext_lazy("涉及人员"), required=False, coerce=int, empty_value=None)
    phone = forms.CharField(label=gettext_lazy("客户电话"), required=False, max_length=30)

    def __init__(self, *args: Any, centers: list[Any], staff: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["center"].choices = _center_choices(centers, with_all=False)  # type: ignore[attr-defined]
        self.fields["staff"].choices = [("", _("— 不涉及具体人员 —")), *staff]  # type: ignore[attr-defined]


class OpinionCloseForm(_Form):
    # Not required here: an empty response reaches the service, which refuses it with its clause (CMP-06).
    response = forms.CharField(
        label=gettext_lazy("答复内容"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000}),
    )


# --- questionnaires (C-10) -------------------------------------------------------------------------------------------


class QuestionnaireForm(_Form):
    organization = forms.ChoiceField(label=gettext_lazy("适用单位"))
    name = forms.CharField(label=gettext_lazy("问卷名称"), max_length=100)
    opening = forms.CharField(
        label=gettext_lazy("开头语"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("{center} = 服务中心名称，{hotline} = 服务热线（CB-08）"),
    )
    closing = forms.CharField(label=gettext_lazy("结束语"), widget=forms.Textarea(attrs={"rows": 2}))
    fee_reminder = forms.CharField(
        label=gettext_lazy("缴费提醒"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("客户满意且本期费用未缴时读给客户（CB-07）"),
    )

    def __init__(self, *args: Any, organizations: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [(str(o.pk), o.name) for o in organizations]  # type: ignore[attr-defined]


QUESTION_FIELDS = ("code", "label", "type", "role", "required", "choices", "min", "max", "clause")
_SPLIT = re.compile(r"[,，、;；\n]+")


def _number(text: str) -> int | str:
    """An integer where the text is one (the service reports anything else against its row)."""
    try:
        return int(text)
    except ValueError:
        return text


def question_rows_from_post(data: Any) -> list[dict[str, Any]]:
    """The editor's rows (parallel lists q_code, q_label, …) as the service's question dicts, in order; rows left
    completely empty are dropped. The attitude question always has the three levels of CB-03."""
    lists = {name: data.getlist(f"q_{name}") for name in QUESTION_FIELDS}
    count = max((len(v) for v in lists.values()), default=0)
    rows = []
    for i in range(count):
        raw = {name: (lists[name][i].strip() if i < len(lists[name]) else "") for name in QUESTION_FIELDS}
        if not raw["code"] and not raw["label"] and not raw["choices"]:
            continue
        row: dict[str, Any] = {
            "code": raw["code"],
            "label": raw["label"],
            "type": raw["type"],
            "role": raw["role"] or QuestionRole.OTHER,
            "required": raw["required"] == "1",
        }
        if raw["role"] == QuestionRole.ATTITUDE:
            row["choices"] = list(Attitude.values)
        elif raw["type"] == QuestionType.CHOICE:
            row["choices"] = [c.strip() for c in _SPLIT.split(raw["choices"]) if c.strip()]
        if raw["type"] == QuestionType.SCORE and (raw["min"] or raw["max"]):
            row["min"], row["max"] = _number(raw["min"]), _number(raw["max"])
        if raw["clause"]:
            row["clause"] = raw["clause"][:20]
        rows.append(row)
    return rows


def question_rows_for_editor(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored questions as the editor's rows (choices as one text)."""
    rows = []
    for q in questions:
        choices = q.get("choices") or []
        if q.get("role") == QuestionRole.ATTITUDE:
            text = "、".join(str(Attitude(c).label) if c in Attitude.values else str(c) for c in choices)
        else:
            text = "、".join(str(c) for c in choices)
        rows.append(
            {
                "code": q.get("code", ""),
                "label": q.get("label", ""),
                "type": q.get("type", ""),
                "role": q.get("role", QuestionRole.OTHER),
                "required": bool(q.get("required")),
                "choices": text,
                "min": q.get("min", ""),
                "max": q.get("max", ""),
                "clause": q.get("clause", ""),
            }
        )
    return rows
