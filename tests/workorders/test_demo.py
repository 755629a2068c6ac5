"""The work-order part of the demo: orders in every state at the station, loaded once, through the services."""

from __future__ import annotations

import pytest

from servicecenter.workorders.demo import SAMPLES, load_demo
from servicecenter.workorders.models import WorkOrder, WorkOrderEvent
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
def test_demo_orders_cover_every_state_and_load_once(tree, manager_a, clerk_a, gm):
    # given: the station's people — a clerk, the manager, two servicemen
    workers = [
        factories.make_staff(tree["team_a"], "service_staff", name=f"示例师傅{i}", role_org=tree["a"]) for i in range(2)
    ]
    people = {s.staff_no: s for s in (manager_a, clerk_a, gm, *workers)}
    # when: loaded twice
    assert load_demo(centers=[tree["a"], tree["b"]], people=people) == len(SAMPLES)
    assert load_demo(centers={"a": tree["a"]}, people=people) == 0
    # then: every state, each order once
    orders = WorkOrder.objects.filter(organization=tree["a"])
    assert orders.count() == len(SAMPLES)
    states = set(orders.values_list("status", flat=True))
    assert {"new", "dispatched", "accepted", "in_progress", "paused", "returned", "closed", "cancelled"} <= states
    assert orders.filter(archived_at__isnull=False).exists()
    assert orders.filter(status="returned", signed_at__isnull=False).exists()
    # and the special cases the demo shows
    assert (
        orders.filter(response_breached_at__isnull=False).exists()
        or orders.filter(resolve_breached_at__isnull=False).exists()
    )
    assert orders.filter(rolled_over_at__isnull=False).exists()
    assert orders.filter(priority="urgent", special_group__isnull=False).exists()
    assert orders.filter(is_offsite=True, offsite_status="pending").exists()
    assert orders.filter(kind="inquiry", status="closed").exclude(answer="").exists()
    assert orders.filter(is_facility_issue=True, reescalation_count__gte=1).exists()
    # customers with history: one customer called three times
    assert orders.filter(phone_digits="13800138001").values("customer").distinct().count() == 1
    assert orders.filter(phone_digits="13800138001").count() == 3
    # every step is on the timeline at its replayed time, never in the future
    first = orders.order_by("created_at").first()
    assert WorkOrderEvent.objects.filter(order=first, verb="created").get().at == first.created_at


def test_demo_without_station_or_people_does_nothing(tree, manager_b):
    assert load_demo(centers=[tree["b"]], people={"x": manager_b}) == 0
