"""Every read of the customer master: scoped by core.access (outside the scope = 404), bounded queries.

The customer's orders and calls are read through the reverse relation `Customer.work_orders` and the app registry
(the work-order app sits above this one in the layers, so it is never imported here).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet
from django.http import Http404

from servicecenter.core.access import organizations_where, scope
from servicecenter.org.choices import CENTER_KINDS

from .models import (
    Customer,
    CustomerAddress,
    CustomerContact,
    CustomerDocument,
    GreetingWindow,
    SpecialGroup,
    phone_digits,
)

VIEW = "customers.view_customer"
CHANGE = "customers.change_customer"


def customer_list_visible_to(*, user: Any) -> QuerySet[Customer]:
    return scope(Customer.objects.all(), user=user, permission=VIEW)


def customer_search(*, user: Any, q: str = "", organization: Any = None, include_inactive: bool = False) -> QuerySet:
    """SVC-17: customers in the user's scope matching `q` — phone digits (any spelling; a full number uses the
    phone index, a part of one matches anywhere in it) or the start / any part of the name. Newest first."""
    qs = customer_list_visible_to(user=user).select_related("organization", "special_group")
    if organization is not None:
        qs = qs.filter(organization=organization)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    text = (q or "").strip()[:100]
    if text:
        digits = phone_digits(text)
        if digits and len(digits) >= 3 and len(digits) >= len(text.replace(" ", "").replace("-", "")) - 2:
            qs = qs.filter(Q(phone_digits=digits) | Q(phone_digits__contains=digits))
        else:
            qs = qs.filter(Q(name__startswith=text) | Q(name__contains=text))
    return qs.order_by("-updated_at", "-id")


def access_customer(*, user: Any, pk: Any, permission: str = VIEW) -> Customer:
    """One customer the user may see (or change, with `permission`); otherwise 404."""
    try:
        return (
            scope(Customer.objects.all(), user=user, permission=permission)
            .select_related("organization", "special_group", "created_by")
            .get(pk=int(pk))
        )
    except (Customer.DoesNotExist, ValueError, TypeError):
        raise Http404("no such customer") from None


def match_by_phone(*, organization: Any, phone: str) -> Customer | None:
    """Intake (WO-01): the active customer of the center with this phone number (any spelling), newest first."""
    digits = phone_digits(phone)
    if len(digits) < 5:
        return None
    return (
        Customer.objects.filter(organization=organization, phone_digits=digits, is_active=True)
        .select_related("special_group")
        .order_by("-updated_at", "-id")
        .first()
    )


def customer_contacts(*, customer: Customer) -> QuerySet[CustomerContact]:
    return CustomerContact.objects.filter(customer=customer).order_by("-is_active", "id")


def customer_addresses(*, customer: Customer) -> QuerySet[CustomerAddress]:
    return CustomerAddress.objects.filter(customer=customer).order_by("-is_active", "-is_default", "id")


def customer_documents(*, customer: Customer) -> QuerySet[CustomerDocument]:
    return CustomerDocument.objects.filter(customer=customer).select_related("uploaded_by").order_by("-created_at")


def access_document(*, user: Any, pk: Any) -> CustomerDocument:
    """A document of a customer in the user's scope (the file view serves it); otherwise 404."""
    try:
        return (
            CustomerDocument.objects.select_related("customer")
            .filter(customer__in=customer_list_visible_to(user=user))
            .get(pk=int(pk), is_active=True)
        )
    except (CustomerDocument.DoesNotExist, ValueError, TypeError):
        raise Http404("no such document") from None


def customer_orders(*, customer: Customer) -> QuerySet:
    """SVC-17: the customer's full order history, newest first (paginate it)."""
    return customer.work_orders.all().select_related("assignee").order_by("-created_at", "-id")


def customer_calls(*, customer: Customer) -> QuerySet:
    """SVC-17: the customer's calls: the intake (CREATED) of each order and every repeat call logged on one (CALL),
    newest first (paginate it)."""
    event = apps.get_model("workorders", "WorkOrderEvent")
    return (
        event.objects.filter(order__customer=customer, verb__in=["created", "call"])
        .select_related("order")
        .order_by("-at", "-id")
    )


def special_groups() -> QuerySet[SpecialGroup]:
    return SpecialGroup.objects.filter(is_active=True).order_by("name")


def centers_for(*, user: Any, permission: str) -> QuerySet:
    """The active service centers where the user holds `permission` (the center pickers of the forms)."""
    return (
        organizations_where(user=user, permission=permission)
        .filter(is_active=True, kind__in=CENTER_KINDS)
        .order_by("path")
    )


# --- holiday greeting windows (CON-09) -----------------------------------------------------------------------------


def greeting_windows_around(*, organization: Any, day: date) -> list[GreetingWindow]:
    """The center's active greeting windows that may matter on `day` (CON-09): those that end at most ~2 months
    before it and start at most ~2 months after it (enough to know whether a holiday got its own notice)."""
    return list(
        GreetingWindow.objects.filter(
            organization=organization,
            is_active=True,
            ends_on__gte=day - timedelta(days=60),
            starts_on__lte=day + timedelta(days=60),
        ).order_by("-starts_on", "id")
    )


def greeting_windows_visible_to(*, user: Any, permission: str = "policy.set_parameter") -> QuerySet[GreetingWindow]:
    return scope(GreetingWindow.objects.all(), user=user, permission=permission).select_related(
        "organization", "created_by"
    )
