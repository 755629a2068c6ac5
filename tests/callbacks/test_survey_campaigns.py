"""CB-12 survey campaigns through the services: created as drafts (validated), launched over the services returned in
the period — sampled deterministically, one invitation per order, skipping customers who already answered or rated —
texted (sms) or printed (link, post), closed (unanswered links stop), and repeated monthly by the nightly job."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from servicecenter.callbacks import campaigns, surveys
from servicecenter.callbacks.models import SurveyCampaign, SurveyInvitation
from servicecenter.core.errors import Conflict, NotAllowed, ValidationFailed
from servicecenter.core.models import AuditEvent
from servicecenter.notifications.channels import clear_customer_captured, customer_captured
from servicecenter.workorders import services as wo

from .conftest import SH, intake, png_bytes


def returned_on(clerk, center, worker, when: datetime, **overrides):
    """An order taken, dispatched, done and returned at `when` (+ a few minutes), with the clock set to then."""
    with time_machine.travel(when, tick=False):
        order = intake(clerk, center, now=when, **overrides)
        wo.order_dispatch(actor=clerk.user, order_id=order.pk, assignee_id=worker.pk, now=when)
        wo.order_accept(actor=worker.user, order_id=order.pk, now=when + timedelta(minutes=1))
        wo.order_arrive(actor=worker.user, order_id=order.pk, now=when + timedelta(minutes=2))
        return wo.order_complete(
            actor=worker.user,
            order_id=order.pk,
            work_content="检修",
            service_started_at=when + timedelta(minutes=2),
            service_ended_at=when + timedelta(minutes=3),
            signature_png=png_bytes(),
            signer_name="客户",
            now=when + timedelta(minutes=4),
        )


def _create(manager, center, **overrides):
    data = {
        "name": "十二月满意度调查",
        "kind": "ad_hoc",
        "period_start": "2026-12-01",
        "period_end": "2026-12-31",
        "sample_rate": "100",
        "channel": "sms",
    }
    data.update(overrides)
    return campaigns.campaign_create(actor=manager.user, organization=center, **data)


@pytest.fixture
def december(tree, clerk_a, worker_a):
    """Five orders of center A returned on 1–5 December, one in November, one of center B."""
    orders = [
        returned_on(clerk_a, tree["a"], worker_a, datetime(2026, 12, d, 10, 0, tzinfo=SH), phone=f"139000000{d:02d}")
        for d in range(1, 6)
    ]
    november = returned_on(clerk_a, tree["a"], worker_a, datetime(2026, 11, 30, 19, 0, tzinfo=SH))
    return orders, november


@pytest.mark.clause("CB-12", "CB-14")
def test_launch_invites_each_unsurveyed_order_of_the_period_once(
    december, tree, manager_a, clerk_a, django_capture_on_commit_callbacks
):
    orders, november = december
    # given: one customer answered the link of the return, another was rated on site
    answered = SurveyInvitation.objects.get(order=orders[0], campaign=None)
    surveys.survey_answer(surveys.make_token(answered), level=5)
    surveys.rating_submit(order=orders[1], level=4, tags=[], comment="", channel="on_site", actor=clerk_a.user)
    campaign = _create(manager_a, tree["a"])
    assert campaign.status == "draft"
    # when
    clear_customer_captured()
    with django_capture_on_commit_callbacks(execute=True):
        launch = campaigns.campaign_launch(actor=manager_a.user, campaign_id=campaign.pk)
    # then: the three others of December are invited, once each, by text with their own link
    invited = SurveyInvitation.objects.filter(campaign=campaign)
    assert sorted(invited.values_list("order_id", flat=True)) == sorted(o.pk for o in orders[2:])
    assert (launch.in_period, launch.invited, launch.already_answered) == (3, 3, 1)
    assert not invited.filter(order=november).exists()
    campaign.refresh_from_db()
    assert campaign.status == "running" and campaign.launched_at is not None
    texts = customer_captured()
    for invitation in invited:
        assert invitation.sent_at is not None and invitation.channel == "sms"
        assert [t for _p, t in texts if surveys.make_token(invitation) in t]
    event = AuditEvent.objects.get(verb="callbacks.campaign.launched")
    assert event.clause == "CB-12" and "发出 3 份" in event.note
    # a second launch is refused
    with pytest.raises(Conflict):
        campaigns.campaign_launch(actor=manager_a.user, campaign_id=campaign.pk)
    assert invited.count() == 3


@pytest.mark.clause("CB-12")
def test_link_and_post_campaigns_send_no_text(december, tree, manager_a, django_capture_on_commit_callbacks):
    for channel in ("link", "post"):
        campaign = _create(manager_a, tree["a"], channel=channel, name=f"{channel} 调查")
        clear_customer_captured()
        with django_capture_on_commit_callbacks(execute=True):
            launch = campaigns.campaign_launch(actor=manager_a.user, campaign_id=campaign.pk)
        assert launch.invited == 5
        assert not customer_captured()
        assert not SurveyInvitation.objects.filter(campaign=campaign, sent_at__isnull=False).exists()


@pytest.mark.clause("CB-12")
def test_sample_is_deterministic_per_campaign_and_close_to_the_rate():
    numbers = [f"2026{n:07d}" for n in range(5000)]
    first = {n for n in numbers if campaigns.campaign_sampled(campaign_id=7, order_number=n, rate=Decimal("20"))}
    again = {n for n in numbers if campaigns.campaign_sampled(campaign_id=7, order_number=n, rate=Decimal("20"))}
    other = {n for n in numbers if campaigns.campaign_sampled(campaign_id=8, order_number=n, rate=Decimal("20"))}
    assert first == again  # reproducible
    assert 900 <= len(first) <= 1100  # about one in five
    assert first != other  # another campaign draws another sample
    assert all(campaigns.campaign_sampled(campaign_id=1, order_number=n, rate=Decimal("100")) for n in numbers[:50])
    assert not any(campaigns.campaign_sampled(campaign_id=1, order_number=n, rate=Decimal("0")) for n in numbers[:50])


@pytest.mark.clause("CB-12")
def test_sampled_launch_invites_exactly_the_drawn_orders(tree, clerk_a, worker_a, manager_a):
    orders = [
        returned_on(clerk_a, tree["a"], worker_a, datetime(2026, 12, 1, 9, 0, tzinfo=SH) + timedelta(minutes=10 * i))
        for i in range(12)
    ]
    campaign = _create(manager_a, tree["a"], sample_rate="50", channel="link")
    launch = campaigns.campaign_launch(actor=manager_a.user, campaign_id=campaign.pk)
    drawn = {
        o.pk for o in orders if campaigns.campaign_sampled(campaign_id=campaign.pk, order_number=o.number, rate=50)
    }
    assert set(SurveyInvitation.objects.filter(campaign=campaign).values_list("order_id", flat=True)) == drawn
    assert launch.in_period == 12 and launch.invited == len(drawn)


def test_launch_over_the_cap_is_refused_and_nothing_is_sent(december, tree, manager_a, monkeypatch):
    monkeypatch.setattr(campaigns, "LAUNCH_CAP", 2)
    campaign = _create(manager_a, tree["a"])
    with pytest.raises(ValidationFailed) as caught:
        campaigns.campaign_launch(actor=manager_a.user, campaign_id=campaign.pk)
    assert "上限" in caught.value.message
    campaign.refresh_from_db()
    assert campaign.status == "draft" and not SurveyInvitation.objects.filter(campaign=campaign).exists()


def test_close_stops_the_unanswered_links(december, tree, manager_a):
    orders, _nov = december
    campaign = _create(manager_a, tree["a"], channel="link")
    campaigns.campaign_launch(actor=manager_a.user, campaign_id=campaign.pk)
    first, second = SurveyInvitation.objects.filter(campaign=campaign).order_by("id")[:2]
    surveys.survey_answer(surveys.make_token(first), level=5)
    campaigns.campaign_close(actor=manager_a.user, campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert campaign.status == "closed" and campaign.closed_at is not None
    assert surveys.open_link(surveys.make_token(second)).problem == "expired"
    assert surveys.open_link(surveys.make_token(first)).problem == "used"
    with pytest.raises(Conflict):
        campaigns.campaign_close(actor=manager_a.user, campaign_id=campaign.pk)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": " "}, "name"),
        ({"name": "名" * 101}, "name"),
        ({"kind": "weekly"}, "kind"),
        ({"channel": "fax"}, "channel"),
        ({"period_start": "2026-13-01"}, "period_start"),
        ({"period_end": "2026-11-30"}, "period_end"),
        ({"period_start": "2025-01-01", "period_end": "2026-12-31"}, "period_end"),
        ({"sample_rate": "0"}, "sample_rate"),
        ({"sample_rate": "100.5"}, "sample_rate"),
        ({"sample_rate": "abc"}, "sample_rate"),
        ({"sample_rate": "12.345"}, "sample_rate"),
        ({"sample_rate": "NaN"}, "sample_rate"),
        ({"kind": "scheduled", "repeat_monthly": True, "period_end": "2026-12-20"}, "period_start"),
        ({"kind": "ad_hoc", "repeat_monthly": True}, "repeat_monthly"),
    ],
)
def test_bad_campaign_settings_name_the_field_and_save_nothing(tree, manager_a, overrides, field):
    with pytest.raises(ValidationFailed) as caught:
        _create(manager_a, tree["a"], **overrides)
    assert field in caught.value.fields
    assert not SurveyCampaign.objects.exists()


def test_campaigns_need_manage_permission(tree, clerk_a, manager_b, manager_a):
    for user in (clerk_a, manager_b):
        with pytest.raises(NotAllowed):
            _create(user, tree["a"])
    campaign = _create(manager_a, tree["a"])
    for call in (campaigns.campaign_launch, campaigns.campaign_close):
        with pytest.raises(NotAllowed):
            call(actor=manager_b.user, campaign_id=campaign.pk)


@pytest.mark.clause("CB-12")
def test_monthly_campaign_runs_once_each_month_has_ended(tree, clerk_a, worker_a, manager_a):
    # given: a scheduled campaign over November, repeating monthly, launched on 1 December
    campaign = _create(
        manager_a,
        tree["a"],
        name="月度满意度调查 2026-11",
        kind="scheduled",
        period_start="2026-11-01",
        period_end="2026-11-30",
        repeat_monthly=True,
        channel="link",
    )
    campaigns.campaign_launch(actor=manager_a.user, campaign_id=campaign.pk)
    december_orders = [
        returned_on(clerk_a, tree["a"], worker_a, datetime(2026, 12, d, 15, 0, tzinfo=SH)) for d in (3, 31)
    ]
    # when: the nightly job runs during December — December has not ended: nothing
    assert campaigns.campaign_monthly_runs(now=datetime(2026, 12, 31, 23, 59, tzinfo=SH)) == []
    # … and on 1 January: December's run, launched over December's orders
    with time_machine.travel(datetime(2027, 1, 1, 1, 10, tzinfo=SH), tick=False):
        from servicecenter.callbacks.tasks import campaign_monthly_task

        created_ids = campaign_monthly_task.apply().get()
    assert len(created_ids) == 1
    run = SurveyCampaign.objects.get(pk=created_ids[0])
    assert run.name == "月度满意度调查 2026-12" and run.status == "running" and run.repeat_monthly
    assert (run.period_start, run.period_end) == (date(2026, 12, 1), date(2026, 12, 31))
    assert (run.kind, run.channel, run.sample_rate, run.created_by) == ("scheduled", "link", 100, manager_a.user)
    assert set(SurveyInvitation.objects.filter(campaign=run).values_list("order_id", flat=True)) == {
        o.pk for o in december_orders
    }
    campaign.refresh_from_db()
    assert not campaign.repeat_monthly  # the series continues from its newest run
    # a second run of the job the same night creates nothing
    assert campaigns.campaign_monthly_runs(now=datetime(2027, 1, 1, 2, 0, tzinfo=SH)) == []
    # a job down in February catches up January and February on 1 March
    later = campaigns.campaign_monthly_runs(now=datetime(2027, 3, 1, 1, 10, tzinfo=SH))
    assert [(c.period_start, c.period_end) for c in later] == [
        (date(2027, 1, 1), date(2027, 1, 31)),
        (date(2027, 2, 1), date(2027, 2, 28)),
    ]
    assert SurveyCampaign.objects.filter(repeat_monthly=True).count() == 1


def test_closed_series_stops_repeating(tree, manager_a):
    campaign = _create(
        manager_a, tree["a"], kind="scheduled", period_start="2026-11-01", period_end="2026-11-30", repeat_monthly=True
    )
    campaigns.campaign_launch(actor=manager_a.user, campaign_id=campaign.pk)
    campaigns.campaign_close(actor=manager_a.user, campaign_id=campaign.pk)
    assert campaigns.campaign_monthly_runs(now=datetime(2027, 2, 1, 1, 10, tzinfo=SH)) == []


def test_periodic_jobs_are_declared_for_beat_and_the_embedded_scheduler():
    from servicecenter.celery import app
    from servicecenter.scheduler import project_scheduler

    schedule = app.conf.beat_schedule
    assert schedule["callbacks-rectification-sweep"]["task"] == "servicecenter.callbacks.tasks.rectification_sweep_task"
    assert schedule["callbacks-campaign-monthly"]["task"] == "servicecenter.callbacks.tasks.campaign_monthly_task"
    names = {entry.task for entry in project_scheduler().entries}
    assert {"servicecenter.callbacks.tasks.rectification_sweep_task"} <= names
    assert {"servicecenter.callbacks.tasks.campaign_monthly_task"} <= names
