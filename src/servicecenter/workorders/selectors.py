"""Every read of work orders: scoped by the one helper (core.access), bounded queries (no N+1).

Sections per part of the app; keep each function in its section."""

from __future__ import annotations

from typing import Any

from servicecenter.core.access import scope

from .models import WorkOrder

VIEW = "workorders.view_workorder"


def order_list_visible_to(*, user: Any) -> Any:
    """The orders of the centers in the user's scope (view permission)."""
    return scope(WorkOrder.objects.all(), user=user, permission=VIEW)


def access_order(*, user: Any, pk: Any) -> WorkOrder:
    """One order the user may see, with what its page shows; outside the user's scope it does not exist (404)."""
    from django.http import Http404

    try:
        return (
            order_list_visible_to(user=user)
            .select_related("organization", "customer", "assignee", "special_group", "duplicate_of")
            .get(pk=int(pk))
        )
    except (WorkOrder.DoesNotExist, ValueError, TypeError):
        raise Http404("no such work order") from None


# --- intake ----------------------------------------------------------------------------------------------------------


# --- board and order page ------------------------------------------------------------------------------------------


# --- field staff ---------------------------------------------------------------------------------------------------


# --- register, vouchers, reconciliation ----------------------------------------------------------------------------


# --- KPI and API ---------------------------------------------------------------------------------------------------
