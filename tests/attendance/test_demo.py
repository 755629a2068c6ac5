"""The attendance part of the demo: a month of punches and closed results at the station and the hall, with a few
late days, one absence, one missed sign-in at the hall and one violation; loaded once."""

from __future__ import annotations

import pytest
import time_machine

from servicecenter.attendance.demo import load_demo
from servicecenter.attendance.models import AttendanceResult, Punch, Violation
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
def test_demo_has_a_month_of_attendance(tree, manager_a, manager_b):
    crew = [factories.make_staff(tree["team_a"], "service_staff", role_org=tree["a"]) for _ in range(5)]
    hall = [factories.make_staff(tree["b"], "window_staff") for _ in range(4)]
    hall.append(factories.make_staff(tree["b"], "principal_leader"))
    people = {s.staff_no: s for s in (manager_a, manager_b, *crew, *hall)}
    with time_machine.travel("2026-03-18 09:00 +08:00", tick=False):
        created = load_demo(centers=[tree["a"], tree["b"]], people=people)
        assert created > 100
        assert load_demo(centers=[tree["a"], tree["b"]], people=people) == 0
    station = AttendanceResult.objects.filter(organization=tree["a"])
    assert station.filter(day__month=2).exists() and station.filter(day__month=3, day__day=17).exists()
    statuses = set(station.values_list("status", flat=True))
    assert {"on_time", "late", "absent", "rest"} <= statuses
    assert station.filter(status="absent").count() == 1
    hall_results = AttendanceResult.objects.filter(organization=tree["b"])
    assert hall_results.filter(missed_sign_in=True).count() == 1
    assert Violation.objects.count() == 1
    assert Punch.objects.filter(accepted=False).count() == 0
