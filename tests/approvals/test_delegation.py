"""ORG-13: while the principal is away, their approvals go to the delegate, and every decision says so."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from servicecenter.approvals import selectors, services
from servicecenter.core.errors import NotAllowed
from servicecenter.core.models import AuditEvent
from servicecenter.notifications.models import Notification
from servicecenter.org.services import delegation_create

from .conftest import pending_step

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 8, 0, tzinfo=SH)
END = datetime(2026, 3, 6, 18, 0, tzinfo=SH)


@pytest.fixture
def away(manager_a, deputy_a):
    """Manager A is away 2–6 March 2026 and delegates to the deputy."""
    return delegation_create(
        actor=manager_a.user,
        principal=manager_a.user,
        delegate=deputy_a.user,
        starts_at=START,
        ends_at=END,
        reason="出差",
    )


@pytest.mark.clause("ORG-13")
@pytest.mark.parametrize(
    ("at", "delegated"),
    [
        (START - timedelta(minutes=1), False),
        (START, True),
        (END - timedelta(minutes=1), True),
        (END, False),
    ],
)
def test_step_goes_to_delegate_only_inside_the_window(submit, clerk_a, manager_a, deputy_a, away, at, delegated):
    # when a request is submitted at `at`
    with time_machine.travel(at, tick=False):
        req = submit(clerk_a, now=at)
    step = pending_step(req)
    # then
    if delegated:
        assert (step.assignee, step.acting_for, step.delegation) == (deputy_a.user, manager_a.user, away)
        event = AuditEvent.objects.for_target(req).get(verb="approvals.step.delegated")
        assert event.clause == "ORG-13"
        assert event.actor is None  # the system applied the delegation; the requester did not hand it over
        assert event.changes["assignee"] == [manager_a.user.pk, deputy_a.user.pk]
        assert Notification.objects.filter(recipient=deputy_a.user, verb="approvals.step.assigned").exists()
    else:
        assert (step.assignee, step.acting_for) == (manager_a.user, None)


@pytest.mark.clause("ORG-13")
def test_delegate_decision_is_shown_as_acting_for_principal(submit, clerk_a, manager_a, deputy_a, away):
    # given a request delegated to the deputy
    at = START + timedelta(hours=1)
    with time_machine.travel(at, tick=False):
        req = submit(clerk_a, now=at)
        assert list(selectors.steps_awaiting(user=deputy_a.user)) == [pending_step(req)]
        # when the deputy approves
        step = services.step_decide(actor=deputy_a.user, step_id=pending_step(req).pk, decision="approve", now=at)
    # then the decision names both
    assert (step.decided_by, step.acting_for) == (deputy_a.user, manager_a.user)
    event = AuditEvent.objects.for_target(req).get(verb="approvals.step.approved")
    assert event.changes["acting_for"] == [None, manager_a.user.pk]
    assert "ORG-13" in event.clause
    decided = Notification.objects.get(recipient=clerk_a.user, verb="approvals.request.decided")
    assert "甲副经理（代 甲经理）" in decided.body


@pytest.mark.clause("ORG-13")
def test_principal_back_early_may_still_decide(submit, clerk_a, manager_a, deputy_a, away):
    at = START + timedelta(hours=1)
    with time_machine.travel(at, tick=False):
        req = submit(clerk_a, now=at)
        # the principal sees it too
        assert pending_step(req) in selectors.steps_awaiting(user=manager_a.user)
        step = services.step_decide(actor=manager_a.user, step_id=pending_step(req).pk, decision="approve", now=at)
    assert (step.decided_by, step.acting_for) == (manager_a.user, None)


@pytest.mark.clause("ORG-13")
def test_delegation_starting_later_covers_steps_already_pending(submit, clerk_a, manager_a, deputy_a, away):
    # given a step assigned to the manager before the trip
    before = START - timedelta(days=1)
    with time_machine.travel(before, tick=False):
        req = submit(clerk_a, now=before)
        step = pending_step(req)
        assert step.assignee == manager_a.user
        # the deputy cannot act yet
        assert step not in selectors.steps_awaiting(user=deputy_a.user)
        with pytest.raises(NotAllowed):
            services.step_decide(actor=deputy_a.user, step_id=step.pk, decision="approve", now=before)
    # when the trip starts, the deputy sees and decides it for the manager
    during = START + timedelta(hours=2)
    with time_machine.travel(during, tick=False):
        assert step in selectors.steps_awaiting(user=deputy_a.user)
        decided = services.step_decide(actor=deputy_a.user, step_id=step.pk, decision="approve", now=during)
    assert (decided.decided_by, decided.acting_for) == (deputy_a.user, manager_a.user)
    # after the trip the deputy has nothing of the manager's
    with time_machine.travel(END + timedelta(minutes=1), tick=False):
        assert not selectors.steps_awaiting(user=deputy_a.user).exists()


@pytest.mark.clause("ORG-13", "ORG-05")
def test_delegation_to_the_requester_is_ignored(submit, manager_a, deputy_a, gm, clerk_a):
    # given the manager delegated to the clerk, who then submits a request
    delegation_create(
        actor=manager_a.user, principal=manager_a.user, delegate=clerk_a.user, starts_at=START, ends_at=END
    )
    at = START + timedelta(hours=1)
    with time_machine.travel(at, tick=False):
        req = submit(clerk_a, now=at)
        step = pending_step(req)
        # then the clerk never approves their own request
        assert (step.assignee, step.acting_for) == (manager_a.user, None)
        assert not selectors.steps_awaiting(user=clerk_a.user).exists()
        with pytest.raises(NotAllowed):
            services.step_decide(actor=clerk_a.user, step_id=step.pk, decision="approve", now=at)


def test_people_who_cannot_sign_in_are_not_offered_as_delegates(tree, manager_a, clerk_a):
    # given a colleague imported without a password
    from servicecenter.approvals.selectors import delegate_candidates
    from servicecenter.org import services as org_services

    no_password = org_services.staff_create(actor=None, organization=tree["a"], staff_no="NP01", name="无密码")
    # then only people who can sign in are offered
    offered = set(delegate_candidates(user=manager_a.user))
    assert clerk_a in offered and no_password not in offered
