"""The availability contract (issue5-contracts.md) consumed by the work-order dispatch board (WO-05)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine

from servicecenter.attendance import services
from servicecenter.attendance.selectors import availability
from servicecenter.org import services as org_services
from tests import factories

from .fakes import Absence, at, d8, r24

DAY = date(2026, 3, 10)


@pytest.fixture
def people(tree):
    return {
        name: factories.make_staff(tree["team_a"], "service_staff", role_org=tree["a"], name=name)
        for name in ("在岗", "未打卡", "请假", "休息", "非当班", "夜班")
    }


@pytest.mark.django_db
@pytest.mark.smoke
def test_availability_states(tree, people, roster, django_assert_max_num_queries):
    p = people
    roster.shifts += [
        d8(p["在岗"].pk, DAY),
        d8(p["未打卡"].pk, DAY),
        d8(p["请假"].pk, DAY),
        d8(p["非当班"].pk, DAY, "14:00", "22:00"),
        r24(p["夜班"].pk, DAY - timedelta(days=1)),  # 24-h shift from yesterday 08:00 to today 08:00... ended
    ]
    roster.rests[p["休息"].pk] = {DAY}
    roster.absences.append(Absence(p["请假"].pk, at(DAY, "08:00"), at(DAY, "18:00")))
    with time_machine.travel(at(DAY, "08:25"), tick=False):
        services.punch_record(actor=p["在岗"].user, kind="in")
    now = at(DAY, "10:00")
    with django_assert_max_num_queries(4):
        result = availability(organization=tree["a"], at=now)
    assert result[p["在岗"].pk].state == "on_duty"
    assert result[p["在岗"].pk].label == "在岗"
    assert result[p["在岗"].pk].until == at(DAY, "16:30")
    assert result[p["未打卡"].pk].state == "scheduled"
    assert result[p["请假"].pk].state == "on_leave"
    assert result[p["请假"].pk].until == at(DAY, "18:00")
    assert result[p["休息"].pk].state == "resting"
    assert result[p["非当班"].pk].state == "off"
    assert result[p["非当班"].pk].until == at(DAY, "14:00")
    assert result[p["夜班"].pk].state == "off"


@pytest.mark.django_db
def test_availability_midnight_crossing_and_left_staff(tree, people, roster):
    p = people
    roster.shifts.append(r24(p["夜班"].pk, DAY))
    with time_machine.travel(at(DAY, "07:45"), tick=False):
        services.punch_record(actor=p["夜班"].user, kind="in")
    org_services.staff_set_status(actor=None, staff=p["非当班"], status="left", on=DAY)
    result = availability(organization=tree["a"], at=at(DAY, "03:00", plus_days=1))
    assert result[p["夜班"].pk].state == "on_duty"
    assert result[p["夜班"].pk].until == at(DAY, "08:00", plus_days=1)
    # the whole subtree, nobody outside it
    assert set(result) == {s.pk for s in p.values()} - {p["非当班"].pk}
