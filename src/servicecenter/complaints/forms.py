"""Input parsing of the complaint pages: shapes and lengths only; the rules are the services' (STYLE §2.3)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from servicecenter.attendance.choices import ViolationType
from servicecenter.customers.models import phone_digits

from .choices import ActionStatus, Category, ComplaintChannel, ComplaintStatus, Feedback, Severity

# Channels a clerk takes a complaint through (web = the public form; callback / rating come from the callbacks app).
INTAKE_CHANNELS = [
    (ComplaintChannel.PHONE.value, ComplaintChannel.PHONE.label),
    (ComplaintChannel.WALK_IN.value, ComplaintChannel.WALK_IN.label),
    (ComplaintChannel.LETTER.value, ComplaintChannel.LETTER.label),
]
PUBLIC_CATEGORIES = [c for c in Category.choices]


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", gettext_lazy("全部")), *choices]


class _Form(forms.Form):
    """Bootstrap classes on every widget (as the work-order pages)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
                continue
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect | forms.HiddenInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)


class ComplaintFilterForm(_Form):
    """The list's filters. `center` defaults to every center in the viewer's scope."""

    center = forms.ChoiceField(label=gettext_lazy("服务中心"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("状态"), required=False, choices=_blank(ComplaintStatus.choices))
    severity = forms.ChoiceField(label=gettext_lazy("严重程度"), required=False, choices=_blank(Severity.choices))
    category = forms.ChoiceField(label=gettext_lazy("类别"), required=False, choices=_blank(Category.choices))
    channel = forms.ChoiceField(label=gettext_lazy("来源"), required=False, choices=_blank(ComplaintChannel.choices))
    overdue = forms.BooleanField(label=gettext_lazy("只看超时"), required=False)
    mine = forms.BooleanField(label=gettext_lazy("我处理的"), required=False)
    q = forms.CharField(label=gettext_lazy("查找"), required=False, max_length=50)
    against_staff = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    month = forms.CharField(required=False, max_length=7, widget=forms.HiddenInput)

    def __init__(self, *args: Any, centers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.centers = {str(c.pk): c for c in centers}
        self.fields["center"].choices = [("", _("全部中心")), *((str(c.pk), c.name) for c in centers)]  # type: ignore[attr-defined]

    def clean_month(self) -> date | None:
        raw = (self.cleaned_data.get("month") or "").strip()
        if not raw:
            return None
        try:
            return date.fromisoformat(f"{raw}-01")
        except ValueError:
            raise forms.ValidationError(_("月份格式应为 年-月")) from None


class ComplaintForm(_Form):
    """受理投诉 (CMP-01): by phone, at the counter or from a letter."""

    organization = forms.ChoiceField(label=gettext_lazy("服务中心"))
    channel = forms.ChoiceField(label=gettext_lazy("来源"), choices=INTAKE_CHANNELS)
    complainant_name = forms.CharField(label=gettext_lazy("投诉人"), max_length=100)
    phone = forms.CharField(
        label=gettext_lazy("联系电话"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    notify_complainant = forms.BooleanField(
        label=gettext_lazy("状态变化时短信通知投诉人"), required=False, initial=True
    )
    summary = forms.CharField(label=gettext_lazy("投诉摘要"), max_length=200)
    details = forms.CharField(
        label=gettext_lazy("投诉内容"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4, "maxlength": 4000})
    )
    demand = forms.CharField(
        label=gettext_lazy("投诉人诉求"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 1000}),
    )
    category = forms.ChoiceField(label=gettext_lazy("投诉类别"), choices=Category.choices, initial=Category.OTHER)
    severity = forms.ChoiceField(label=gettext_lazy("严重程度"), choices=Severity.choices, initial=Severity.NORMAL)
    order_number = forms.CharField(
        label=gettext_lazy("相关工单号"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    against_staff = forms.TypedChoiceField(
        label=gettext_lazy("被投诉人员"), required=False, coerce=int, empty_value=None
    )
    merchant_name = forms.CharField(label=gettext_lazy("被投诉商户"), max_length=100, required=False)
    regulation_clause = forms.CharField(label=gettext_lazy("引用制度条款"), max_length=100, required=False)
    intake_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, centers: list[Any], staff: list[tuple[Any, list[tuple[int, str]]]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [(str(c.pk), c.name) for c in centers]  # type: ignore[attr-defined]
        self.staff_groups = staff
        self.fields["against_staff"].choices = [  # type: ignore[attr-defined]
            ("", _("（无）")),
            *((center.name, options) for center, options in staff),
        ]


class AcknowledgeForm(_Form):
    owner = forms.TypedChoiceField(label=gettext_lazy("处理人"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, handlers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = handlers  # type: ignore[attr-defined]


class NoteForm(_Form):
    note = forms.CharField(
        label=gettext_lazy("说明"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000})
    )


class OptionalNoteForm(_Form):
    note = forms.CharField(
        label=gettext_lazy("说明"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000}),
    )


class ResolveForm(_Form):
    response = forms.CharField(
        label=gettext_lazy("处理结果与答复"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 4000}),
    )
    compensation = forms.DecimalField(
        label=gettext_lazy("赔偿金额（元）"), required=False, min_value=0, max_digits=10, decimal_places=2
    )
    compensation_payer = forms.CharField(label=gettext_lazy("赔偿承担方"), max_length=100, required=False)


class FeedbackForm(_Form):
    feedback = forms.ChoiceField(label=gettext_lazy("投诉人反馈"), choices=Feedback.choices)
    note = forms.CharField(
        label=gettext_lazy("反馈说明"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000}),
    )


class ReopenForm(_Form):
    reason = forms.CharField(
        label=gettext_lazy("重新打开原因"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000}),
    )


class ViolationForm(_Form):
    """CMP-08: the violation of the staff member the complaint is against (attendance's types)."""

    violation_type = forms.ChoiceField(label=gettext_lazy("违纪类型"), choices=ViolationType.choices)
    day = forms.DateField(
        label=gettext_lazy("发生日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    description = forms.CharField(
        label=gettext_lazy("情况说明"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000})
    )


class ActionForm(_Form):
    """CMP-02: an improvement action raised from a closed complaint."""

    title = forms.CharField(label=gettext_lazy("改进措施"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("具体内容"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000}),
    )
    owner = forms.TypedChoiceField(label=gettext_lazy("负责人"), coerce=int, empty_value=None)
    due_date = forms.DateField(
        label=gettext_lazy("完成期限"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, owners: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", _("请选择")), *owners]  # type: ignore[attr-defined]


class ActionResultForm(_Form):
    result = forms.CharField(
        label=gettext_lazy("完成情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000})
    )


class ActionFilterForm(_Form):
    """The register of actions: one month (YYYY-MM) or one quarter (YYYY-Qn), a center, a status."""

    period = forms.CharField(label=gettext_lazy("期间"), required=False, max_length=7)
    center = forms.ChoiceField(label=gettext_lazy("服务中心"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("状态"), required=False, choices=_blank(ActionStatus.choices))

    def __init__(self, *args: Any, centers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["center"].choices = [("", _("全部中心")), *((str(c.pk), c.name) for c in centers)]  # type: ignore[attr-defined]

    def clean_period(self) -> tuple[int, int, int] | None:
        """(year, first month, number of months) or None for the current month."""
        raw = (self.cleaned_data.get("period") or "").strip().upper()
        if not raw:
            return None
        try:
            if "-Q" in raw:
                year_text, quarter_text = raw.split("-Q")
                quarter = int(quarter_text)
                if not 1 <= quarter <= 4:
                    raise ValueError
                return int(year_text), quarter * 3 - 2, 3
            first = date.fromisoformat(f"{raw}-01")
            return first.year, first.month, 1
        except ValueError:
            raise forms.ValidationError(_("期间格式应为 2026-12（月）或 2026-Q4（季度）")) from None


class GuidanceForm(_Form):
    """CMP-05 / CON-12: one article; a new version when edited."""

    title = forms.CharField(label=gettext_lazy("标题"), max_length=200)
    body = forms.CharField(
        label=gettext_lazy("内容"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 14, "maxlength": 20000}),
        help_text=gettext_lazy("每段一行；以“✔”开头的行为推荐用语，以“✘”开头的行为禁用语。"),
    )
    tags = forms.MultipleChoiceField(
        label=gettext_lazy("适用投诉类别"),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        required=True,
    )
    clause = forms.CharField(label=gettext_lazy("依据"), max_length=100, required=False)
    organization = forms.ChoiceField(label=gettext_lazy("适用范围"), required=False)

    def __init__(self, *args: Any, scopes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tags"].choices = [("general", _("所有投诉（通用）")), *Category.choices]  # type: ignore[attr-defined]
        self.fields["organization"].choices = scopes  # type: ignore[attr-defined]


# --- the public pages (no login) ------------------------------------------------------------------------------------


class PublicStatusForm(forms.Form):
    number = forms.CharField(max_length=24)
    phone_last4 = forms.CharField(max_length=10)


class PublicFeedbackForm(PublicStatusForm):
    feedback = forms.ChoiceField(choices=[(Feedback.SATISFIED, ""), (Feedback.DISSATISFIED, "")])
    note = forms.CharField(max_length=1000, required=False)


class PublicComplaintForm(forms.Form):
    """网上投诉: the complainant types their own case (channel web)."""

    organization = forms.ChoiceField(label=gettext_lazy("服务中心"))
    complainant_name = forms.CharField(label=gettext_lazy("您的姓名"), max_length=100)
    phone = forms.CharField(label=gettext_lazy("联系电话"), max_length=20)
    category = forms.ChoiceField(label=gettext_lazy("投诉类别"), choices=PUBLIC_CATEGORIES, initial=Category.OTHER)
    merchant_name = forms.CharField(label=gettext_lazy("被投诉商户"), max_length=100, required=False)
    summary = forms.CharField(label=gettext_lazy("投诉事项"), max_length=200)
    details = forms.CharField(label=gettext_lazy("详细经过"), max_length=4000)
    demand = forms.CharField(label=gettext_lazy("您的诉求"), max_length=1000, required=False)
    order_number = forms.CharField(label=gettext_lazy("相关工单号（如有）"), max_length=20, required=False)

    def __init__(self, *args: Any, centers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [(str(c.pk), c.name) for c in centers]  # type: ignore[attr-defined]

    def clean_phone(self) -> str:
        raw = self.cleaned_data.get("phone", "").strip()
        if len(phone_digits(raw)) < 5:
            raise forms.ValidationError(_("请填写有效的联系电话"))
        return raw
