"""The leave demo: every state, through the real services; idempotent."""

from __future__ import annotations

import pytest

from servicecenter.demo import spec
from servicecenter.leave import demo
from servicecenter.leave.models import LeaveRequest


@pytest.mark.smoke
@pytest.mark.django_db
def test_demo_loads_every_state_once():
    from servicecenter.demo.loader import _load_organizations, _load_people

    organizations, _ = _load_organizations()
    people, _ = _load_people(organizations=organizations, password=spec.DEMO_PASSWORD)
    centers = [o for o in organizations.values() if o.center_type]
    created = demo.load_demo(centers=centers, people=people)
    assert created == len(demo.STATION_SAMPLES) + len(demo.HALL_SAMPLES)
    states = set(LeaveRequest.objects.values_list("status", flat=True))
    assert states == {"submitted", "approved", "rejected", "withdrawn", "cancelled", "closed"}
    assert demo.load_demo(centers=centers, people=people) == 0
