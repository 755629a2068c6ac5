"""services.notify: inbox rows, deliveries, after-commit scheduling, dedupe."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import override_settings

from servicecenter.notifications import channels
from servicecenter.notifications.choices import DeliveryStatus
from servicecenter.notifications.models import Delivery, Notification
from servicecenter.notifications.services import notify
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
def test_notify_creates_one_notification_per_distinct_active_recipient(tree, manager_a, clerk_a, gm):
    # given
    clerk_a.user.is_active = False
    clerk_a.user.save(update_fields=["is_active"])

    # when
    created = notify(
        recipients=[manager_a.user, manager_a.user, clerk_a.user, gm],
        title="请审批：请假申请",
        verb="approvals.step.assigned",
        body="张三 请假 1 天",
        link="/approvals/1/",
        target=tree["a"],
        organization=tree["a"],
        actor=gm,  # a Staff row is accepted as the actor too
    )

    # then: manager once, the inactive clerk skipped, gm given as a Staff row means its user
    assert sorted(n.recipient_id for n in created) == sorted([manager_a.user.pk, gm.user.pk])
    n = Notification.objects.get(recipient=manager_a.user)
    assert (n.title, n.verb, n.body, n.link) == (
        "请审批：请假申请",
        "approvals.step.assigned",
        "张三 请假 1 天",
        "/approvals/1/",
    )
    assert n.target == tree["a"]
    assert n.organization == tree["a"]
    assert n.actor == gm.user
    assert n.read_at is None


def test_user_ids_are_recipients_too(tree, manager_a, clerk_a, gm):
    # given: ids as a role look-up returns them (one inactive), mixed with a user already at hand
    clerk_a.user.is_active = False
    clerk_a.user.save(update_fields=["is_active"])
    # when
    created = notify(
        recipients=[manager_a.user.pk, clerk_a.user.pk, gm.user, gm.user.pk],
        title="工单超时",
        verb="workorders.sla.response.breach",
        organization=tree["a"],
    )
    # then: the manager by id, the GM once, the inactive clerk skipped
    assert sorted(n.recipient_id for n in created) == sorted([manager_a.user.pk, gm.user.pk])


def test_notify_creates_one_delivery_per_enabled_external_channel(manager_a):
    # given: settings.test enables inapp + capture
    # when
    [n] = notify(recipients=[manager_a.user], title="t", verb="test.sent")

    # then
    assert list(n.deliveries.values_list("channel", "status", "attempts")) == [("capture", DeliveryStatus.PENDING, 0)]


@override_settings(NOTIFICATION_CHANNELS=["inapp", "capture", "sms", "email"])
def test_channels_argument_narrows_the_enabled_channels(manager_a):
    # when
    [n] = notify(recipients=[manager_a.user], title="t", verb="test.sent", channels=["sms", "wecom"])
    [only_inapp] = notify(recipients=[manager_a.user], title="t2", verb="test.sent", channels=["inapp"])

    # then: wecom is not enabled, so only sms; "inapp" alone means no external delivery
    assert list(n.deliveries.values_list("channel", flat=True)) == ["sms"]
    assert not only_inapp.deliveries.exists()


def test_organization_defaults_to_the_recipients_own(tree, staff_a):
    # when
    [n] = notify(recipients=[staff_a.user], title="t", verb="test.sent")

    # then
    assert n.organization_id == tree["team_a"].pk


def test_deliveries_are_scheduled_only_on_commit(manager_a, django_capture_on_commit_callbacks):
    # when
    with django_capture_on_commit_callbacks() as callbacks:
        [n] = notify(recipients=[manager_a.user], title="审批提醒", verb="test.sent")
        # then (before commit): nothing sent
        assert channels.captured() == []

    # then
    assert len(callbacks) == 1


@pytest.mark.smoke
def test_capture_channel_receives_after_commit(manager_a, django_capture_on_commit_callbacks):
    # when: eager Celery (settings.test) runs the task inside the on_commit callback
    with django_capture_on_commit_callbacks(execute=True):
        [n] = notify(recipients=[manager_a.user], title="审批提醒", verb="test.sent", body="请尽快处理")

    # then
    [message] = channels.captured()
    assert (message.notification_id, message.recipient_id, message.title, message.body) == (
        n.pk,
        manager_a.user.pk,
        "审批提醒",
        "请尽快处理",
    )
    delivery = Delivery.objects.get(notification=n)
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.attempts == 1
    assert delivery.sent_at is not None


def test_rollback_of_the_outer_transaction_sends_nothing(manager_a, django_capture_on_commit_callbacks):
    # given
    class Boom(Exception):
        pass

    # when: the calling service fails after notify()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Boom):
            with transaction.atomic():
                notify(recipients=[manager_a.user], title="不会发送", verb="test.sent")
                raise Boom

    # then
    assert callbacks == []
    assert channels.captured() == []
    assert not Notification.objects.filter(title="不会发送").exists()
    assert not Delivery.objects.exists()


def test_dedupe_key_makes_notify_idempotent(manager_a, clerk_a):
    # given
    first = notify(recipients=[manager_a.user], title="提醒", verb="approvals.reminder", dedupe_key="step:7:day:1")

    # when: the reminder job runs again, now for both
    second = notify(
        recipients=[manager_a.user, clerk_a.user], title="提醒", verb="approvals.reminder", dedupe_key="step:7:day:1"
    )

    # then: the manager is not told twice; the clerk is told once
    assert len(first) == 1
    assert [n.recipient_id for n in second] == [clerk_a.user.pk]
    assert Notification.objects.filter(recipient=manager_a.user, dedupe_key="step:7:day:1").count() == 1
    assert Delivery.objects.filter(notification__dedupe_key="step:7:day:1").count() == 2


def test_no_recipients_creates_nothing(tree):
    # given
    inactive = factories.make_staff(tree["a"], "order_clerk")
    inactive.user.is_active = False
    inactive.user.save(update_fields=["is_active"])

    # when / then
    assert notify(recipients=[inactive.user], title="t", verb="test.sent") == []
    assert notify(recipients=[], title="t", verb="test.sent") == []
    assert not Notification.objects.exists()


@override_settings(NOTIFICATION_CHANNELS=["inapp", "capture"])
def test_notify_never_raises_when_the_broker_is_down(manager_a, django_capture_on_commit_callbacks, monkeypatch):
    # given: enqueueing fails (Redis down)
    from servicecenter.notifications import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("redis unreachable")

    monkeypatch.setattr(tasks.deliver_task, "delay", broker_down)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        [n] = notify(recipients=[manager_a.user], title="t", verb="test.sent")

    # then: the delivery stays pending for the retry sweep
    delivery = Delivery.objects.get(notification=n)
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.next_attempt_at is not None
