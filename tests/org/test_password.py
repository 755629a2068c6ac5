"""Passwords: a manager gives a temporary one (shown once), a user changes their own."""

import pytest
from django.urls import reverse

from servicecenter.core.errors import NotAllowed, ValidationFailed
from servicecenter.core.models import AuditEvent
from servicecenter.org import services
from tests import factories


@pytest.mark.clause("ORG-04")
def test_manager_resets_a_password_audited_without_the_password(tree, manager_a, manager_b):
    # given a repairman of center A
    worker = factories.make_staff(tree["team_a"], "service_staff")
    # when A's manager resets it
    password = services.staff_reset_password(actor=manager_a.user, staff=worker)
    # then the new password works, the old one does not, and the audit event does not contain it
    worker.user.refresh_from_db()
    assert worker.user.check_password(password) and not worker.user.check_password("pw-Secret-2026")
    event = AuditEvent.objects.for_target(worker).get(verb="org.staff.password_reset")
    assert password not in str(event.changes) + event.note
    # and B's manager may not
    with pytest.raises(NotAllowed):
        services.staff_reset_password(actor=manager_b.user, staff=worker)


def test_nobody_resets_their_own_password_this_way(manager_a):
    with pytest.raises(ValidationFailed):
        services.staff_reset_password(actor=manager_a.user, staff=manager_a)


@pytest.mark.smoke
def test_user_changes_own_password(client_for, manager_a):
    client = client_for(manager_a)
    bad = client.post(reverse("password_change"), {"old_password": "wrong", "new_password1": "x", "new_password2": "y"})
    assert bad.status_code == 200 and "is-invalid" in bad.content.decode()
    resp = client.post(
        reverse("password_change"),
        {"old_password": "pw-Secret-2026", "new_password1": "Lan-Hua-2027!", "new_password2": "Lan-Hua-2027!"},
    )
    assert resp.status_code == 302
    manager_a.user.refresh_from_db()
    assert manager_a.user.check_password("Lan-Hua-2027!")
