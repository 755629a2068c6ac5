"""Customer pages (SVC-17…SVC-19): search list, detail with tabs (profile, contacts, addresses, documents, orders,
calls), create and edit; contacts, addresses, documents, status and special group are changed on the detail page.

Views parse, load through selectors (outside the scope = 404), call a service and render; a refused change
re-renders the page with the messages and a 4xx status, nothing saved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from servicecenter.core.access import has_permission_in
from servicecenter.core.errors import DomainError, NotAllowed

from . import selectors, services
from .forms import (
    AddressForm,
    ContactForm,
    CustomerEditForm,
    CustomerForm,
    DocumentForm,
    ReasonForm,
    SpecialGroupForm,
    StatusForm,
)
from .models import Customer, CustomerStatus

PAGE_SIZE = 20
TABS = ("profile", "contacts", "addresses", "documents", "orders", "calls")
MAX_UPLOAD_READ = 64 * 1024 * 1024  # never read more than this into memory (the policy limit is far lower)


def _form_errors(form: Any, exc: DomainError) -> None:
    placed = False
    for field, msgs in exc.fields.items():
        for msg in msgs:
            form.add_error(field if field in form.fields else None, msg)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


@login_required
@require_GET
def customer_list_view(request: HttpRequest) -> HttpResponse:
    """客户: search by phone digits or name, paginated."""
    q = request.GET.get("q", "")[:100]
    qs = selectors.customer_search(user=request.user, q=q, include_inactive=request.GET.get("all") == "1")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    centers = selectors.centers_for(user=request.user, permission=services.ADD)
    return render(
        request,
        "customers/list.html",
        {"page": page, "q": q, "can_add": centers.exists(), "query": f"q={q}&" if q else ""},
    )


@login_required
@require_http_methods(["GET", "POST"])
def customer_create_view(request: HttpRequest) -> HttpResponse:
    centers = list(selectors.centers_for(user=request.user, permission=services.ADD))
    if not centers:
        raise PermissionDenied
    form = CustomerForm(request.POST or None, centers=centers)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            center = next(c for c in centers if str(c.pk) == data["organization"])
            try:
                customer = services.customer_create(
                    actor=request.user,
                    organization=center,
                    name=data["name"],
                    phone=data["phone"],
                    address=data["address"],
                    status=data["status"],
                    notes=data["notes"],
                )
            except NotAllowed:
                raise PermissionDenied from None
            except DomainError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("已登记客户：%(name)s") % {"name": customer.name})
                return redirect("customers:detail", pk=customer.pk)
    return render(request, "customers/form.html", {"form": form, "title": _("登记客户")}, status=status)


def _can_change(request: HttpRequest, customer: Customer) -> bool:
    return has_permission_in(user=request.user, permission=services.CHANGE, organization=customer.organization)


def _detail(
    request: HttpRequest, customer: Customer, *, tab: str = "", status: int = 200, **forms: Any
) -> HttpResponse:
    tab = tab if tab in TABS else request.GET.get("tab", "profile")
    if tab not in TABS:
        tab = "profile"
    context: dict[str, Any] = {
        "customer": customer,
        "tab": tab,
        "tabs": [
            ("profile", _("基本资料")),
            ("contacts", _("联系人")),
            ("addresses", _("地址")),
            ("documents", _("档案资料")),
            ("orders", _("工单")),
            ("calls", _("来电")),
        ],
        "can_change": _can_change(request, customer),
        "status_form": forms.get("status_form") or StatusForm(initial={"status": customer.status}),
        "group_form": forms.get("group_form")
        or SpecialGroupForm(initial={"special_group": customer.special_group_id, "note": customer.special_group_note}),
        "contact_form": forms.get("contact_form") or ContactForm(),
        "address_form": forms.get("address_form") or AddressForm(),
        "document_form": forms.get("document_form") or DocumentForm(),
        "statuses": CustomerStatus.choices,
    }
    if tab == "contacts":
        context["rows"] = list(selectors.customer_contacts(customer=customer))
    elif tab == "addresses":
        context["rows"] = list(selectors.customer_addresses(customer=customer))
    elif tab == "documents":
        context["rows"] = list(selectors.customer_documents(customer=customer))
    elif tab == "orders":
        context["page"] = Paginator(selectors.customer_orders(customer=customer), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        context["query"] = "tab=orders&"
    elif tab == "calls":
        context["page"] = Paginator(selectors.customer_calls(customer=customer), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        context["query"] = "tab=calls&"
    return render(request, "customers/detail.html", context, status=status)


@login_required
@require_GET
def customer_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.access_customer(user=request.user, pk=pk)
    return _detail(request, customer)


def _changeable(request: HttpRequest, pk: int) -> Customer:
    """The customer, for a change: outside the viewer's scope 404; seen but not changeable 403."""
    customer = selectors.access_customer(user=request.user, pk=pk)
    if not _can_change(request, customer):
        raise PermissionDenied
    return customer


@login_required
@require_http_methods(["GET", "POST"])
def customer_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the profile; a concurrent edit by someone else is refused (no silent overwrite), each change audited."""
    customer = _changeable(request, pk)
    initial = {
        "name": customer.name,
        "phone": customer.phone,
        "address": customer.address,
        "notes": customer.notes,
        "fee_status": customer.fee_status,
        "updated_at": customer.updated_at.isoformat(),
    }
    form = CustomerEditForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            fee = {"fee_status": data["fee_status"]} if data.get("fee_status") else {}
            try:
                services.customer_update(
                    actor=request.user,
                    customer_id=customer.pk,
                    expected_updated_at=data["updated_at"] or None,
                    name=data["name"],
                    phone=data["phone"],
                    address=data["address"],
                    notes=data["notes"],
                    **fee,
                )
            except NotAllowed:
                raise PermissionDenied from None
            except DomainError as exc:
                _form_errors(form, exc)
                status = exc.status_code
            else:
                messages.success(request, _("客户资料已保存"))
                return redirect("customers:detail", pk=customer.pk)
    return render(
        request, "customers/form.html", {"form": form, "customer": customer, "title": _("编辑客户资料")}, status=status
    )


def _apply(
    request: HttpRequest, customer: Customer, *, tab: str, form_name: str, form: Any, call: Any, done: str
) -> HttpResponse:
    """Run one detail-page change: on success back to the tab with a message; otherwise the page with errors (4xx)."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except NotAllowed:
            raise PermissionDenied from None
        except DomainError as exc:
            _form_errors(form, exc)
            return _detail(request, customer, tab=tab, status=exc.status_code, **{form_name: form})
        messages.success(request, done)
        return redirect(reverse("customers:detail", args=[customer.pk]) + f"?tab={tab}")
    return _detail(request, customer, tab=tab, status=400, **{form_name: form})


@login_required
@require_POST
def customer_status_view(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _changeable(request, pk)
    return _apply(
        request,
        customer,
        tab="profile",
        form_name="status_form",
        form=StatusForm(request.POST),
        call=lambda d: services.customer_set_status(
            actor=request.user, customer_id=customer.pk, status=d["status"], reason=d["reason"]
        ),
        done=_("客户状态已更新"),
    )


@login_required
@require_POST
def customer_special_group_view(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _changeable(request, pk)
    return _apply(
        request,
        customer,
        tab="profile",
        form_name="group_form",
        form=SpecialGroupForm(request.POST),
        call=lambda d: services.customer_set_special_group(
            actor=request.user,
            customer_id=customer.pk,
            group_id=d["special_group"].pk if d["special_group"] else None,
            note=d["note"],
        ),
        done=_("特殊群体登记已更新"),
    )


@login_required
@require_POST
def contact_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _changeable(request, pk)
    return _apply(
        request,
        customer,
        tab="contacts",
        form_name="contact_form",
        form=ContactForm(request.POST),
        call=lambda d: services.contact_add(
            actor=request.user, customer_id=customer.pk, name=d["name"], phone=d["phone"], relation=d["relation"]
        ),
        done=_("已添加联系人"),
    )


def _withdraw_row(
    request: HttpRequest, customer: Any, *, exists: bool, call: Callable[[], Any], done: str, tab: str
) -> HttpResponse:
    """Deactivate one contact / address / document of `customer` through its service: a row of another customer
    is 404, a refusal is shown on the tab, nothing is deleted."""
    if not exists:
        raise Http404("no such row")
    try:
        call()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect(reverse("customers:detail", args=[customer.pk]) + f"?tab={tab}")


@login_required
@require_POST
def contact_deactivate_view(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    customer = _changeable(request, pk)
    return _withdraw_row(
        request,
        customer,
        exists=selectors.customer_contacts(customer=customer).filter(pk=contact_pk).exists(),
        call=lambda: services.contact_deactivate(actor=request.user, contact_id=contact_pk),
        done=_("联系人已停用"),
        tab="contacts",
    )


@login_required
@require_POST
def address_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _changeable(request, pk)
    return _apply(
        request,
        customer,
        tab="addresses",
        form_name="address_form",
        form=AddressForm(request.POST),
        call=lambda d: services.address_add(
            actor=request.user,
            customer_id=customer.pk,
            address=d["address"],
            label=d["label"],
            is_default=d["is_default"],
        ),
        done=_("已添加地址"),
    )


@login_required
@require_POST
def address_deactivate_view(request: HttpRequest, pk: int, address_pk: int) -> HttpResponse:
    customer = _changeable(request, pk)
    return _withdraw_row(
        request,
        customer,
        exists=selectors.customer_addresses(customer=customer).filter(pk=address_pk).exists(),
        call=lambda: services.address_deactivate(actor=request.user, address_id=address_pk),
        done=_("地址已停用"),
        tab="addresses",
    )


@login_required
@require_POST
def document_upload_view(request: HttpRequest, pk: int) -> HttpResponse:
    """SVC-18: upload a contract, drawing or voucher (image or PDF, checked by content)."""
    customer = _changeable(request, pk)
    form = DocumentForm(request.POST, request.FILES)

    def upload(d: dict[str, Any]) -> None:
        upload = d["file"]
        content = upload.read(MAX_UPLOAD_READ + 1)
        services.document_upload(
            actor=request.user,
            customer_id=customer.pk,
            kind=d["kind"],
            title=d["title"],
            content=content,
            filename=upload.name or "",
        )

    return _apply(
        request, customer, tab="documents", form_name="document_form", form=form, call=upload, done=_("资料已上传")
    )


@login_required
@require_GET
def document_file_view(request: HttpRequest, pk: int) -> FileResponse:
    """Serve a document of a customer in the viewer's scope (never from a public URL)."""
    document = selectors.access_document(user=request.user, pk=pk)
    response = FileResponse(
        document.file.open("rb"),
        content_type=document.content_type,
        as_attachment=document.content_type == "application/pdf",
        filename=f"{document.title}.{(document.file.name or '').rsplit('.', 1)[-1]}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


@login_required
@require_POST
def document_withdraw_view(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    customer = _changeable(request, pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _withdraw_row(
        request,
        customer,
        exists=selectors.customer_documents(customer=customer).filter(pk=document_pk).exists(),
        call=lambda: services.document_deactivate(actor=request.user, document_id=document_pk, reason=reason),
        done=_("资料已撤下"),
        tab="documents",
    )
