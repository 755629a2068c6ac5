"""The deadline sweep (G-01): breaches flagged and reported once, unanswered resolutions confirmed once, run every
5 minutes by celery beat and the embedded scheduler; time moves with time_machine."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine

from servicecenter.celery import app
from servicecenter.complaints import services
from servicecenter.complaints.models import Complaint, ComplaintEvent
from servicecenter.complaints.tasks import complaint_sweep_task
from servicecenter.notifications.models import Notification

from .conftest import SH

pytestmark = pytest.mark.django_db


@pytest.mark.clause("G-01")
def test_breaches_are_flagged_and_reported_once(make_complaint, manager_a, django_capture_on_commit_callbacks):
    # given a case received Tuesday 09:00: acknowledge by Wednesday 20:00, resolve by Friday 20:00
    case = make_complaint()
    before = datetime(2026, 12, 2, 19, 55, tzinfo=SH)
    assert services.complaint_sweep(now=before) == {"acknowledge": 0, "resolve": 0, "no_reply": 0}
    # when the acknowledgement deadline passes (the sweep runs, then runs again)
    after = datetime(2026, 12, 2, 20, 0, tzinfo=SH)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.complaint_sweep(now=after)
    again = services.complaint_sweep(now=after + timedelta(minutes=5))
    # then: flagged once, escalated to the manager once
    assert first["acknowledge"] == 1 and again["acknowledge"] == 0
    case.refresh_from_db()
    assert case.acknowledge_breached_at == after and case.escalated_at == after
    assert case.escalation_reason == "超过确认受理期限"
    assert ComplaintEvent.objects.filter(complaint=case, verb="escalated").count() == 1
    assert Notification.objects.filter(recipient=manager_a.user, verb="complaints.breach").count() == 1
    # the resolution deadline later: its own flag, once
    friday_close = datetime(2026, 12, 4, 20, 0, tzinfo=SH)
    assert services.complaint_sweep(now=friday_close)["resolve"] == 1
    assert services.complaint_sweep(now=friday_close + timedelta(hours=1))["resolve"] == 0
    case.refresh_from_db()
    assert case.resolve_breached_at == friday_close


@pytest.mark.clause("G-01")
def test_an_acknowledged_case_is_not_flagged_for_acknowledgement(make_complaint, handler_a):
    case = make_complaint()
    services.complaint_acknowledge(actor=handler_a.user, complaint_id=case.pk)
    result = services.complaint_sweep(now=datetime(2026, 12, 3, 9, 0, tzinfo=SH))
    assert result["acknowledge"] == 0
    assert Complaint.objects.get(pk=case.pk).acknowledge_breached_at is None


@pytest.mark.clause("G-01")
def test_no_reply_counts_as_confirmed_after_the_wait(make_complaint, handler_a):
    # given a case resolved on Tuesday morning: the complainant has until Friday 20:00 (3 working days)
    case = make_complaint()
    services.complaint_acknowledge(actor=handler_a.user, complaint_id=case.pk)
    case = services.complaint_resolve(actor=handler_a.user, complaint_id=case.pk, response="已更换阀门")
    assert case.confirm_due_at == datetime(2026, 12, 4, 20, 0, tzinfo=SH)
    # when the task runs on the beat while time passes
    with time_machine.travel(datetime(2026, 12, 4, 19, 55, tzinfo=SH), tick=False):
        assert complaint_sweep_task()["no_reply"] == 0
    with time_machine.travel(datetime(2026, 12, 4, 20, 0, tzinfo=SH), tick=False):
        assert complaint_sweep_task()["no_reply"] == 1
    with time_machine.travel(datetime(2026, 12, 4, 20, 5, tzinfo=SH), tick=False):
        assert complaint_sweep_task()["no_reply"] == 0  # idempotent
    # then: confirmed with "no reply", once, and now it can be closed
    case.refresh_from_db()
    assert case.status == "confirmed" and case.feedback == "no_reply"
    assert case.confirmed_at == datetime(2026, 12, 4, 20, 0, tzinfo=SH)
    assert ComplaintEvent.objects.filter(complaint=case, verb="confirmed").count() == 1
    services.complaint_close(actor=handler_a.user, complaint_id=case.pk)


@pytest.mark.clause("G-01")
def test_the_no_reply_pass_reads_only_cases_whose_wait_is_over(
    make_complaint, handler_a, django_assert_max_num_queries
):
    # given 6 resolved cases still within their wait
    for _ in range(6):
        case = make_complaint()
        services.complaint_acknowledge(actor=handler_a.user, complaint_id=case.pk)
        services.complaint_resolve(actor=handler_a.user, complaint_id=case.pk, response="已处理")
    # when the sweep runs before any wait ends: a fixed handful of queries, whatever the number of resolved cases
    with django_assert_max_num_queries(4):
        assert services.complaint_sweep(now=datetime(2026, 12, 2, 9, 0, tzinfo=SH)) == {
            "acknowledge": 0,
            "resolve": 0,
            "no_reply": 0,
        }


def test_a_case_resolved_without_a_stored_wait_gets_one(make_complaint, handler_a):
    # given a resolved case loaded without confirm_due_at (a bulk import, or resolved before the column existed)
    case = make_complaint()
    services.complaint_acknowledge(actor=handler_a.user, complaint_id=case.pk)
    services.complaint_resolve(actor=handler_a.user, complaint_id=case.pk, response="已处理")
    Complaint.objects.filter(pk=case.pk).update(confirm_due_at=None)
    # when the sweep runs after the wait
    result = services.complaint_sweep(now=datetime(2026, 12, 5, 9, 0, tzinfo=SH))
    # then the wait is filled in and the case confirmed
    assert result["no_reply"] == 1
    assert Complaint.objects.get(pk=case.pk).confirm_due_at == datetime(2026, 12, 4, 20, 0, tzinfo=SH)


def test_an_answered_case_is_left_alone(make_complaint, handler_a):
    case = make_complaint()
    services.complaint_acknowledge(actor=handler_a.user, complaint_id=case.pk)
    services.complaint_resolve(actor=handler_a.user, complaint_id=case.pk, response="已处理")
    services.complaint_record_feedback(actor=handler_a.user, complaint_id=case.pk, feedback="dissatisfied")
    assert services.complaint_sweep(now=datetime(2026, 12, 5, 9, 0, tzinfo=SH))["no_reply"] == 0
    assert Complaint.objects.get(pk=case.pk).status == "reopened"


def test_the_sweep_is_on_the_beat_schedule_and_the_embedded_scheduler():
    from servicecenter.scheduler import project_scheduler

    entry = app.conf.beat_schedule["complaints-sweep"]
    assert entry["task"] == "servicecenter.complaints.tasks.complaint_sweep_task"
    assert entry["schedule"].minute == set(range(0, 60, 5))
    assert entry["task"] in app.tasks
    scheduler = project_scheduler()
    assert "complaints-sweep" in {e.name for e in scheduler.entries}


def test_the_embedded_scheduler_runs_it_every_five_minutes(make_complaint):
    from servicecenter.scheduler import project_scheduler

    make_complaint()
    scheduler = project_scheduler()
    scheduler.entries = [e for e in scheduler.entries if e.name == "complaints-sweep"]
    start = datetime(2026, 12, 2, 20, 1, tzinfo=SH)
    assert scheduler.tick(start) == []  # the clock starts
    runs = scheduler.tick(datetime(2026, 12, 2, 20, 5, tzinfo=SH))
    assert [r.entry for r in runs] == ["complaints-sweep"] and runs[0].ok
    assert scheduler.tick(datetime(2026, 12, 2, 20, 6, tzinfo=SH)) == []


def test_bad_now_is_refused():
    with pytest.raises(ValueError):
        complaint_sweep_task(now="tomorrow")
