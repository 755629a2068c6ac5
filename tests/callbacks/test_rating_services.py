"""好差评 through the services: one rating per service, staff-recorded ratings need the callback permission, a bad
rating opens a rectification (the manager's, 15 working days) and a mandatory callback (next working day) and tells
the manager; a rectification closes only with measures (CMP-06, also a database constraint); the overdue sweep
flags and notifies once."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import IntegrityError, transaction

from servicecenter.callbacks import surveys
from servicecenter.callbacks.models import CallbackTask, Rating, Rectification
from servicecenter.core.errors import Conflict, NotAllowed, ValidationFailed
from servicecenter.core.models import AuditEvent
from servicecenter.notifications.models import Notification
from servicecenter.policy import services as policy_services
from tests import factories

from .conftest import MORNING, SH, intake


def _rate(order, user, level=5, tags=(), comment="", channel="on_site", now=MORNING):
    return surveys.rating_submit(
        order=order, level=level, tags=list(tags), comment=comment, channel=channel, actor=user, now=now
    )


@pytest.mark.clause("CB-13")
def test_staff_records_on_site_rating_of_the_serviceman(returned_order, clerk_a, worker_a):
    rating = _rate(returned_order, clerk_a.user, level=4, tags=["professional"], comment="很专业")
    assert (rating.level, rating.channel, rating.staff_id, rating.recorded_by_id) == (
        4,
        "on_site",
        worker_a.pk,
        clerk_a.user.pk,
    )
    event = AuditEvent.objects.get(verb="callbacks.rating.submitted")
    assert event.clause == "CB-13" and event.changes == {"level": [None, 4], "tags": [None, ["professional"]]}
    assert not Rectification.objects.exists()


@pytest.mark.clause("CB-13")
def test_second_rating_of_one_service_is_a_conflict(returned_order, clerk_a):
    _rate(returned_order, clerk_a.user, level=5)
    with pytest.raises(Conflict) as caught:
        _rate(returned_order, clerk_a.user, level=1, tags=["slow"], channel="phone")
    assert caught.value.message == "该服务已评价"
    assert Rating.objects.filter(order=returned_order).count() == 1


def test_only_done_services_can_be_rated(tree, clerk_a):
    order = intake(clerk_a, tree["a"])
    with pytest.raises(ValidationFailed) as caught:
        _rate(order, clerk_a.user)
    assert "order" in caught.value.fields


def test_staff_rating_needs_callback_permission_in_the_center(returned_order, tree, worker_a, manager_b):
    with pytest.raises(NotAllowed):
        _rate(returned_order, worker_a.user)  # a serviceman does not rate his own work
    with pytest.raises(NotAllowed):
        _rate(returned_order, manager_b.user)  # another center's manager
    with pytest.raises(NotAllowed):
        _rate(returned_order, None)
    assert not Rating.objects.exists()


def test_survey_link_channel_needs_the_orders_invitation(returned_order, clerk_a):
    with pytest.raises(ValidationFailed):
        _rate(returned_order, clerk_a.user, channel="survey_link")
    with pytest.raises(ValidationFailed):
        _rate(returned_order, clerk_a.user, channel="carrier_pigeon")


@pytest.mark.clause("CB-13")
def test_bad_rating_opens_rectification_and_mandatory_callback(
    returned_order, clerk_a, manager_a, worker_a, django_capture_on_commit_callbacks
):
    # when: 不满意 recorded by phone
    with django_capture_on_commit_callbacks(execute=True):
        rating = _rate(returned_order, clerk_a.user, level=2, tags=["slow", "unclear"], channel="phone")
    # then: a rectification owned by the manager, due 15 working days later (D01 opens every day, 08:30–20:00)
    rectification = Rectification.objects.get(rating=rating)
    assert rectification.owner == manager_a.user and rectification.status == "open"
    assert rectification.due_at == datetime(2026, 12, 16, 20, 0, tzinfo=SH)
    assert "15 个工作日" in rectification.due_citation
    # … and a mandatory callback of kind "rating", due by the next working day's close (WO-10's rule)
    task = rectification.callback
    assert task is not None and task.kind == "rating" and task.status == "pending"
    assert task.order == returned_order and task.technician == worker_a
    assert task.due_at == datetime(2026, 12, 2, 20, 0, tzinfo=SH)
    assert "响应慢" in task.reason
    # … and the manager is told, with a link to the rectification
    note = Notification.objects.get(recipient=manager_a.user, verb="callbacks.rectification")
    assert returned_order.number in note.title and note.link == f"/callbacks/rectifications/{rectification.pk}/"
    assert AuditEvent.objects.filter(verb="callbacks.rectification.opened").count() == 1


def test_bad_rating_limit_is_the_centers_parameter(returned_order, clerk_a, manager_a, tree):
    # given: center A counts 基本满意 (3) as bad too, from today
    policy_services.parameter_set(
        actor=manager_a.user,
        key="callbacks.bad_rating_max_level",
        organization=tree["a"],
        value=3,
        effective_from=MORNING.date(),
        reason="基本满意也整改",
    )
    rating = _rate(returned_order, clerk_a.user, level=3, tags=["slow"])
    assert Rectification.objects.filter(rating=rating).exists()


def test_good_rating_opens_nothing(returned_order, clerk_a):
    rating = _rate(returned_order, clerk_a.user, level=3, tags=["slow"])
    assert not Rectification.objects.filter(rating=rating).exists()
    assert not CallbackTask.objects.filter(kind="rating").exists()


# --- rectification ----------------------------------------------------------------------------------------------------


@pytest.fixture
def rectification(returned_order, clerk_a):
    rating = _rate(returned_order, clerk_a.user, level=1, tags=["attitude_bad"], comment="态度恶劣")
    return Rectification.objects.get(rating=rating)


@pytest.mark.clause("CMP-06")
def test_rectification_closes_only_with_measures(rectification, manager_a):
    with pytest.raises(ValidationFailed) as caught:
        surveys.rectification_complete(actor=manager_a.user, rectification_id=rectification.pk, measures="   ")
    assert "measures" in caught.value.fields and caught.value.clause == "CMP-06"
    rectification.refresh_from_db()
    assert rectification.status == "open"
    done = surveys.rectification_complete(
        actor=manager_a.user, rectification_id=rectification.pk, measures="约谈维修工，组织服务礼仪培训"
    )
    assert done.status == "done" and done.done_by == manager_a.user and done.done_at is not None
    event = AuditEvent.objects.get(verb="callbacks.rectification.completed")
    assert event.clause == "CMP-06" and event.changes == {"status": ["open", "done"]}
    with pytest.raises(Conflict):
        surveys.rectification_complete(actor=manager_a.user, rectification_id=rectification.pk, measures="再次")


def test_rectification_needs_manage_permission(rectification, clerk_a, manager_b):
    for user in (clerk_a.user, manager_b.user):
        with pytest.raises(NotAllowed):
            surveys.rectification_complete(actor=user, rectification_id=rectification.pk, measures="措施")
    with pytest.raises(ValidationFailed):
        surveys.rectification_complete(actor=clerk_a.user, rectification_id="nope", measures="措施")


@pytest.mark.clause("CMP-06")
def test_database_refuses_done_without_measures(rectification):
    with pytest.raises(IntegrityError), transaction.atomic():
        Rectification.objects.filter(pk=rectification.pk).update(status="done")


def test_overdue_sweep_flags_and_notifies_once(rectification, manager_a, django_capture_on_commit_callbacks):
    # before the deadline: nothing
    assert surveys.rectification_sweep(now=rectification.due_at - timedelta(minutes=1)) == 0
    later = rectification.due_at + timedelta(minutes=5)
    with django_capture_on_commit_callbacks(execute=True):
        assert surveys.rectification_sweep(now=later) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert surveys.rectification_sweep(now=later + timedelta(hours=1)) == 0  # idempotent
    rectification.refresh_from_db()
    assert rectification.overdue_flagged_at == later
    notes = Notification.objects.filter(recipient=manager_a.user, verb="callbacks.rectification_overdue")
    assert notes.count() == 1
    assert AuditEvent.objects.filter(verb="callbacks.rectification.overdue").count() == 1


def test_done_rectification_is_never_flagged(rectification, manager_a):
    surveys.rectification_complete(actor=manager_a.user, rectification_id=rectification.pk, measures="已培训")
    assert surveys.rectification_sweep(now=rectification.due_at + timedelta(days=1)) == 0


def test_sweep_task_runs_the_service(rectification):
    from servicecenter.callbacks.tasks import rectification_sweep_task

    later = rectification.due_at + timedelta(minutes=1)
    assert rectification_sweep_task.apply(kwargs={"now": later.isoformat()}).get() == 1
    assert rectification_sweep_task.apply(kwargs={"now": later.isoformat()}).get() == 0


def test_owner_is_the_nearest_manager_up_the_tree(tree, clerk_a, worker_a, gm):
    # given: center A has no manager of its own; the ops-center GM holds no center_manager role either
    from .conftest import returned

    order = returned(clerk_a, tree["a"], worker_a)
    rating = _rate(order, clerk_a.user, level=1, tags=["slow"])
    rectification = Rectification.objects.get(rating=rating)
    assert rectification.owner is None  # nobody to own it: shown as 未指定 on its page
    manager = factories.make_staff(tree["ops"], "center_manager", name="上级经理")
    order2 = returned(clerk_a, tree["a"], worker_a, problem="第二单")
    rating2 = _rate(order2, clerk_a.user, level=1, tags=["slow"])
    assert Rectification.objects.get(rating=rating2).owner == manager.user
