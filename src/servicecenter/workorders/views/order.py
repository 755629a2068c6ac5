"""The order page (`/workorders/<pk>/`): everything about one order — its deadlines and why (WO-03, C-19), the
timeline (WO-06), materials, expenses (SVC-14), photos, the off-site request (SVC-13), notes — and the actions this
user may take now. The small forms on it post here; every write goes through `workorders.services`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from servicecenter.core.errors import DomainError
from servicecenter.core.forms import show_domain_error
from servicecenter.core.htmx import HtmxHttpRequest

from .. import selectors, services
from ..choices import AttachmentKind, ExpenseKind
from ..models import WorkOrder


class _Form(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)


class ExpenseForm(_Form):
    """SVC-14: a travel or allowance expense of the service."""

    kind = forms.ChoiceField(label=gettext_lazy("费用类别"), choices=ExpenseKind.choices)
    amount = forms.DecimalField(label=gettext_lazy("金额（元）"), min_value=0, max_digits=10, decimal_places=2)
    incurred_on = forms.DateField(
        label=gettext_lazy("发生日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(label=gettext_lazy("说明"), max_length=200, required=False)


class NoteForm(_Form):
    note = forms.CharField(
        label=gettext_lazy("备注"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000})
    )


class OffsiteForm(_Form):
    reason = forms.CharField(
        label=gettext_lazy("申请理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500})
    )


def _url(name: str, *args: Any) -> str:
    """A page of another part of the app or another app, when it exists (the page links to it)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _first_url(names: list[str], *args: Any) -> str:
    for name in names:
        url = _url(name, *args)
        if url:
            return url
    return ""


def _render(request: HtmxHttpRequest, order: WorkOrder, *, status: int = 200, **forms_: Any) -> HttpResponse:
    now = timezone.now()
    parts = selectors.order_page_parts(order=order)
    actions = selectors.order_actions(order=order, user=request.user)
    photos = [a for a in parts["attachments"] if a.kind == AttachmentKind.PHOTO]
    signatures = [a for a in parts["attachments"] if a.kind != AttachmentKind.PHOTO]
    for attachment in parts["attachments"]:
        attachment.url = _url("workorders:attachment", attachment.pk)
    context = {
        "order": order,
        "now": now,
        "clocks": selectors.order_clocks(order, now=now),
        "actions": actions,
        "photos": photos,
        "signatures": signatures,
        "customer_url": _url("customers:detail", order.customer_id),
        "voucher_url": _first_url(["workorders:voucher", "workorders:order_voucher"], order.pk),
        "field_url": _first_url(["workorders:field_order", "workorders:my_order", "workorders:field_detail"], order.pk)
        or _url("workorders:field_list"),
        "approval_url": _url("approvals:request_detail", order.offsite_request_id) if order.offsite_request_id else "",
        "expense_form": forms_.get("expense_form") or ExpenseForm(initial={"incurred_on": timezone.localdate()}),
        "note_form": forms_.get("note_form") or NoteForm(),
        "offsite_form": forms_.get("offsite_form") or OffsiteForm(),
        "open_form": forms_.get("open_form", ""),
        **parts,
    }
    return render(request, "workorders/order/detail.html", context, status=status)


@login_required
@require_GET
def order_detail_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """工单详情: one order the user may see (else 404)."""
    return _render(request, selectors.access_order(user=request.user, pk=pk))


def _post(request: HtmxHttpRequest, pk: int, *, form_class: Any, key: str, run: Any, done: str) -> HttpResponse:
    order = selectors.access_order(user=request.user, pk=pk)
    form = form_class(request.POST)
    status = 400
    if form.is_valid():
        try:
            run(order, form.cleaned_data)
        except DomainError as exc:
            show_domain_error(form, exc)
            status = exc.status_code
        else:
            messages.success(request, done)
            return redirect("workorders:order_detail", pk=order.pk)
    order = selectors.access_order(user=request.user, pk=pk)
    return _render(request, order, status=status, open_form=key, **{key: form})


@login_required
@require_POST
def order_add_expense_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """SVC-14: record a travel / allowance expense as the service's cost."""

    def run(order: WorkOrder, data: dict[str, Any]) -> None:
        services.order_add_expense(
            actor=request.user,
            order_id=order.pk,
            kind=data["kind"],
            amount=data["amount"],
            incurred_on=data["incurred_on"],
            note=data["note"],
        )

    return _post(request, pk, form_class=ExpenseForm, key="expense_form", run=run, done=_("已登记费用"))


@login_required
@require_POST
def order_add_note_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A note on the timeline (WO-06)."""

    def run(order: WorkOrder, data: dict[str, Any]) -> None:
        services.order_add_note(actor=request.user, order_id=order.pk, note=data["note"])

    return _post(request, pk, form_class=NoteForm, key="note_form", run=run, done=_("已添加备注"))


@login_required
@require_POST
def order_request_offsite_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """SVC-13: submit the 异地服务申请单 to the approvals engine; the order waits for it before dispatch."""

    def run(order: WorkOrder, data: dict[str, Any]) -> None:
        services.order_request_offsite(actor=request.user, order_id=order.pk, reason=data["reason"])

    return _post(request, pk, form_class=OffsiteForm, key="offsite_form", run=run, done=_("已提交异地服务申请"))
