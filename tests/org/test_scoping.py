import pytest

from servicecenter.core.access import has_permission_in, organizations_where, scope
from servicecenter.org.models import Staff


@pytest.mark.clause("ORG-04")
def test_manager_sees_only_own_center_subtree(tree, manager_a, manager_b):
    # given staff in both centers
    visible = scope(Staff.objects.all(), user=manager_a.user, permission="org.view_staff")
    # then
    assert manager_a in visible and manager_b not in visible
    orgs = set(organizations_where(user=manager_a.user, permission="org.change_staff"))
    assert orgs == {tree["a"], tree["team_a"]}
    assert has_permission_in(user=manager_a.user, permission="org.change_staff", organization=tree["team_a"])
    assert not has_permission_in(user=manager_a.user, permission="org.change_staff", organization=tree["b"])


@pytest.mark.clause("ORG-04")
def test_gm_sees_both_centers(tree, gm, manager_a, manager_b):
    visible = scope(Staff.objects.all(), user=gm.user, permission="org.view_staff")
    assert {manager_a, manager_b} <= set(visible)


def test_clerk_cannot_change_staff(tree, clerk_a):
    assert not has_permission_in(user=clerk_a.user, permission="org.change_staff", organization=tree["a"])
