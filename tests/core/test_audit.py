"""The audit log is append-only and records who, what, when, why (DESIGN.md §2.7)."""

import pytest

from servicecenter.core.models import AuditEvent
from servicecenter.org import services as org_services


def test_service_writes_one_audit_event_with_changes(tree, manager_a):
    # given a staff member
    staff = manager_a
    # when the manager changes a phone number through the service
    org_services.staff_update(actor=manager_a.user, staff=staff, phone="13800001234")
    # then exactly one event with old/new codes
    event = AuditEvent.objects.for_target(staff).get(verb="org.staff.updated")
    assert event.actor == manager_a.user
    assert event.changes == {"phone": ["", "13800001234"]}
    assert event.organization == tree["a"]


def test_audit_events_cannot_be_changed_or_deleted(tree, manager_a):
    event = AuditEvent.objects.for_target(manager_a).first()
    event.note = "tampered"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(note="x")
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_noop_update_writes_nothing(tree, manager_a):
    before = AuditEvent.objects.count()
    org_services.staff_update(actor=manager_a.user, staff=manager_a, name=manager_a.name)
    assert AuditEvent.objects.count() == before
