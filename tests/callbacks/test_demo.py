"""The callback and complaint parts of the demo: after the sample orders, callbacks in every state and complaints in
every G-01 state, loaded once, through the services."""

from __future__ import annotations

import pytest
from django.utils import timezone

from servicecenter.callbacks import demo as callback_demo
from servicecenter.callbacks.models import CallbackTask, FollowUp, Opinion, Rating, Rectification
from servicecenter.complaints import demo as complaint_demo
from servicecenter.complaints.models import Complaint
from servicecenter.workorders import demo as order_demo
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(tree, manager_a, clerk_a, gm):
    workers = [
        factories.make_staff(tree["team_a"], "service_staff", name=f"示例师傅{i}", role_org=tree["a"]) for i in range(2)
    ]
    people = {s.staff_no: s for s in (manager_a, clerk_a, gm, *workers)}
    order_demo.load_demo(centers=[tree["a"]], people=people)
    assert complaint_demo.load_demo(centers=[tree["a"]], people=people) == len(complaint_demo.SAMPLES)
    assert callback_demo.load_demo(centers=[tree["a"]], people=people) >= len(callback_demo.PLAN)
    return people


@pytest.mark.smoke
def test_demo_callbacks_and_complaints_cover_every_state_and_load_once(tree, loaded):
    tasks = CallbackTask.objects.filter(organization=tree["a"])
    assert {"pending", "done", "unreachable"} <= set(tasks.values_list("status", flat=True))
    assert tasks.filter(appointment_at__isnull=False, status="pending").exists()
    assert tasks.filter(kind="care").exists()
    assert FollowUp.objects.filter(status="rework", rework_order__isnull=False).exists()
    assert FollowUp.objects.filter(status="complaint", complaint__isnull=False).exists()
    assert FollowUp.objects.filter(status="open").exists()
    assert Opinion.objects.filter(status="closed").exists() and Opinion.objects.filter(status="open").exists()
    # nothing is left overdue in the queue except what the plan leaves on purpose; customers answered surveys
    assert not tasks.filter(status="pending", attempts=0, kind="after_service", due_at__lt=timezone.now()).exists()
    assert Rating.objects.filter(order__organization=tree["a"]).count() == len(callback_demo.SURVEY_ANSWERS)
    assert Rectification.objects.filter(rating__level__lte=2).exists()
    assert tasks.filter(kind="rating").exists()
    complaints = Complaint.objects.filter(organization=tree["a"])
    states = set(complaints.values_list("status", flat=True))
    assert {"received", "acknowledged", "investigating", "resolved", "confirmed", "closed", "reopened"} <= states
    assert complaints.filter(acknowledge_breached_at__isnull=False).exists()
    # a second run creates nothing
    before = (tasks.count(), complaints.count(), FollowUp.objects.count())
    assert complaint_demo.load_demo(centers=[tree["a"]], people=loaded) == 0
    assert callback_demo.load_demo(centers=[tree["a"]], people=loaded) == 0
    assert (tasks.count(), complaints.count(), FollowUp.objects.count()) == before
