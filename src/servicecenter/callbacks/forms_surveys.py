"""Forms of the survey, rating, rectification, campaign and courtesy pages: they only parse; the services
(callbacks.surveys, callbacks.campaigns) validate the rules and report field errors, rendered beside the field."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .choices import (
    BAD_TAGS,
    GOOD_TAGS,
    CampaignKind,
    InvitationChannel,
    RatingChannel,
    RatingLevel,
)
from .forms import MONTH_RE, _blank, _center_choices, _Form, month_range

STAFF_CHANNELS = (RatingChannel.ON_SITE, RatingChannel.PHONE, RatingChannel.STAFF_ENTRY)
LEVELS = sorted(RatingLevel.choices, reverse=True)  # 非常满意 first, as on the customer's page


def parse_month(raw: Any) -> tuple[date, date] | None:
    """ "YYYY-MM" → the first day of that month and of the next; None for anything else."""
    match = MONTH_RE.match(str(raw or "").strip())
    if match is None:
        return None
    return month_range(int(match.group(1)), int(match.group(2)))


class MonthField(forms.CharField):
    """A month as YYYY-MM (the <input type="month"> value); cleaned to the text, checked by `parse_month`."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 7)
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "month"}))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        if text and parse_month(text) is None:
            raise forms.ValidationError(_("月份格式为 YYYY-MM"))
        return str(text or "")


class RatingFilterForm(_Form):
    center = forms.ChoiceField(label=gettext_lazy("服务中心"), required=False)
    level = forms.TypedChoiceField(
        label=gettext_lazy("评价"), required=False, coerce=int, empty_value=None, choices=_blank(LEVELS)
    )
    staff = forms.TypedChoiceField(label=gettext_lazy("服务人员"), required=False, coerce=int, empty_value=None)
    month = MonthField(label=gettext_lazy("月份"), required=False)
    bad = forms.BooleanField(label=gettext_lazy("只看差评"), required=False)

    def __init__(self, *args: Any, centers: list[Any], staff: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["center"].choices = _center_choices(centers, with_all=True)  # type: ignore[attr-defined]
        self.fields["staff"].choices = [("", _("全部")), *staff]  # type: ignore[attr-defined]


class RatingRecordForm(_Form):
    """A rating given on site (the evaluator), by phone or handed in on paper, recorded by staff."""

    center = forms.ChoiceField(label=gettext_lazy("服务中心"))
    order = forms.CharField(label=gettext_lazy("工单号"), max_length=20)
    channel = forms.ChoiceField(
        label=gettext_lazy("评价渠道"), choices=[(c.value, c.label) for c in STAFF_CHANNELS], initial="phone"
    )
    level = forms.TypedChoiceField(
        label=gettext_lazy("评价"), coerce=int, choices=LEVELS, widget=forms.RadioSelect, required=False
    )
    tags = forms.MultipleChoiceField(
        label=gettext_lazy("评价原因"),
        required=False,
        choices=[(code, gettext_lazy(label)) for code, label in (*GOOD_TAGS.items(), *BAD_TAGS.items())],
        widget=forms.CheckboxSelectMultiple,
    )
    comment = forms.CharField(label=gettext_lazy("评价内容"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, centers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["center"].choices = _center_choices(centers, with_all=False)  # type: ignore[attr-defined]


class MeasuresForm(_Form):
    measures = forms.CharField(
        label=gettext_lazy("整改措施"), required=False, widget=forms.Textarea(attrs={"rows": 5, "maxlength": 4000})
    )


class CampaignForm(_Form):
    """CB-12: a campaign's settings (the service validates them: dates, rate, repeat of a whole month)."""

    center = forms.ChoiceField(label=gettext_lazy("服务中心"))
    name = forms.CharField(label=gettext_lazy("名称"), required=False, max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=CampaignKind.choices, initial=CampaignKind.AD_HOC)
    period_start = forms.CharField(
        label=gettext_lazy("服务日期自"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.CharField(
        label=gettext_lazy("服务日期至"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sample_rate = forms.CharField(
        label=gettext_lazy("抽样比例（%）"),
        required=False,
        initial="100",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("方式"), choices=InvitationChannel.choices, initial=InvitationChannel.SMS
    )
    repeat_monthly = forms.BooleanField(label=gettext_lazy("每月重复（定期调查，覆盖整月）"), required=False)
    note = forms.CharField(label=gettext_lazy("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, centers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["center"].choices = _center_choices(centers, with_all=False)  # type: ignore[attr-defined]
        if not self.is_bound:
            today = timezone.localdate()
            first_of_month = today.replace(day=1)
            last_month_end = first_of_month.toordinal() - 1
            previous = date.fromordinal(last_month_end)
            self.initial.setdefault("period_start", previous.replace(day=1).isoformat())
            self.initial.setdefault("period_end", previous.isoformat())


class CourtesyFilterForm(_Form):
    center = forms.ChoiceField(label=gettext_lazy("服务中心"), required=False)
    month = MonthField(label=gettext_lazy("月份"), required=False)

    def __init__(self, *args: Any, centers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["center"].choices = _center_choices(centers, with_all=True)  # type: ignore[attr-defined]
