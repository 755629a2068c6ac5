"""Ending a delegation early: the principal is back (ORG-13)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from servicecenter.core.errors import NotAllowed, ValidationFailed
from servicecenter.core.models import AuditEvent
from servicecenter.org import services


@pytest.fixture
def running(manager_a, clerk_a):
    now = timezone.now()
    return services.delegation_create(
        actor=manager_a.user,
        principal=manager_a.user,
        delegate=clerk_a.user,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=3),
    )


@pytest.mark.clause("ORG-13")
def test_a_running_delegation_ends_now_and_keeps_its_past(running, manager_a):
    now = timezone.now()
    ended = services.delegation_end(actor=manager_a.user, delegation=running, now=now)
    assert ended.is_active and ended.ends_at == now and ended.starts_at < now
    event = AuditEvent.objects.for_target(ended).get(verb="org.delegation.ended")
    assert event.clause == "ORG-13" and "ends_at" in event.changes


@pytest.mark.clause("ORG-13")
def test_a_future_delegation_is_withdrawn(manager_a, clerk_a):
    now = timezone.now()
    future = services.delegation_create(
        actor=manager_a.user,
        principal=manager_a.user,
        delegate=clerk_a.user,
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=2),
    )
    assert services.delegation_end(actor=manager_a.user, delegation=future, now=now).is_active is False


def test_only_the_principal_ends_it_and_only_once(running, manager_a, clerk_a):
    with pytest.raises(NotAllowed):
        services.delegation_end(actor=clerk_a.user, delegation=running)
    services.delegation_end(actor=manager_a.user, delegation=running)
    with pytest.raises(ValidationFailed):
        services.delegation_end(actor=manager_a.user, delegation=running, now=timezone.now() + timedelta(seconds=1))
