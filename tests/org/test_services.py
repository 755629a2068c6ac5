"""Org services: state change, audit event (verb, changes, clause, actor) and refusals."""

from datetime import date

import pytest

from servicecenter.core.errors import NotAllowed, ValidationFailed
from servicecenter.core.models import AuditEvent
from servicecenter.org import services
from servicecenter.org.choices import CenterType, OrganizationKind, StaffStatus
from servicecenter.org.models import Organization, RoleAssignment, Staff
from tests import factories

K = OrganizationKind


def last_event(target):
    return AuditEvent.objects.for_target(target).first()


@pytest.fixture
def admin_a(tree):
    return factories.make_staff(tree["a"], "system_admin", name="甲管理员")


# --- organizations -----------------------------------------------------------------------------------------------


@pytest.mark.clause("ORG-05")
def test_deep_tree_paths_are_prefixes_of_their_subtree(db):
    # given company → ops center → service center → sub-center → department → team
    company = services.organization_create(actor=None, name="深公司", code="deep-co", kind=K.COMPANY)
    ops = services.organization_create(actor=None, name="深营维", code="deep-ops", kind=K.OPS_CENTER, parent=company)
    center = services.organization_create(
        actor=None, name="深中心", code="deep-c", kind=K.SERVICE_CENTER, parent=ops, center_type=CenterType.CALL_CENTER
    )
    sub = services.organization_create(
        actor=None, name="深分中心", code="deep-sub", kind=K.SUB_CENTER, parent=center, center_type=CenterType.CANTEEN
    )
    dept = services.organization_create(actor=None, name="深部门", code="deep-d", kind=K.DEPARTMENT, parent=sub)
    team = services.organization_create(actor=None, name="深班组", code="deep-t", kind=K.TEAM, parent=dept)
    # then every path extends its parent's by one step, and depth counts the steps
    chain = [company, ops, center, sub, dept, team]
    for depth, org in enumerate(chain):
        org.refresh_from_db()
        assert org.depth == depth
        assert org.path == "".join(f"{o.pk:06d}/" for o in chain[: depth + 1])
    assert list(Organization.objects.subtree_of(center)) == [center, sub, dept, team]
    assert team.ancestors() == [team, dept, sub, center, ops, company]
    assert team.service_center() == sub


@pytest.mark.clause("ORG-05")
def test_a_team_cannot_sit_under_an_ops_center(tree):
    with pytest.raises(ValidationFailed) as exc:
        services.organization_create(actor=None, name="错位", code="wrong", kind=K.TEAM, parent=tree["ops"])
    assert exc.value.clause == "ORG-05" and "parent" in exc.value.fields


def test_system_admin_creates_a_unit_in_their_subtree_and_it_is_audited(tree, admin_a):
    # when
    org = services.organization_create(
        actor=admin_a.user, name="新窗口", code="new-window", kind=K.WINDOW, parent=tree["a"]
    )
    # then
    event = last_event(org)
    assert event.verb == "org.organization.created" and event.clause == "ORG-05"
    assert event.actor == admin_a.user and event.organization == org
    assert event.changes == {"name": [None, "新窗口"], "kind": [None, "window"], "parent": [None, tree["a"].pk]}


@pytest.mark.clause("ORG-04")
def test_creating_units_needs_add_organization_over_the_parent(tree, manager_a, admin_a):
    with pytest.raises(NotAllowed):
        services.organization_create(actor=manager_a.user, name="x", code="x1", kind=K.TEAM, parent=tree["a"])
    with pytest.raises(NotAllowed):
        services.organization_create(actor=admin_a.user, name="x", code="x2", kind=K.TEAM, parent=tree["b"])
    with pytest.raises(NotAllowed):
        services.organization_create(actor=admin_a.user, name="x", code="x3", kind=K.COMPANY)


def test_deactivation_is_refused_while_staff_are_in_service(tree, admin_a):
    # given a team with one active member
    member = factories.make_staff(tree["team_a"])
    # when / then
    with pytest.raises(ValidationFailed) as exc:
        services.organization_update(actor=admin_a.user, organization=tree["team_a"], is_active=False)
    assert "is_active" in exc.value.fields
    # on leave still counts as in service
    services.staff_set_status(actor=admin_a.user, staff=member, status=StaffStatus.ON_LEAVE)
    with pytest.raises(ValidationFailed):
        services.organization_update(actor=admin_a.user, organization=tree["team_a"], is_active=False)
    # once the member has left, the unit can be deactivated (and nothing is deleted)
    services.staff_set_status(actor=admin_a.user, staff=member, status=StaffStatus.LEFT, on=date(2026, 1, 31))
    org = services.organization_update(actor=admin_a.user, organization=tree["team_a"], is_active=False)
    assert org.is_active is False and Staff.objects.filter(pk=member.pk).exists()
    event = last_event(org)
    assert event.verb == "org.organization.updated" and event.changes == {"is_active": [True, False]}


def test_deactivation_is_refused_while_child_units_are_active(tree):
    # given a center without staff but with an active team
    empty = services.organization_create(
        actor=None,
        name="空中心",
        code="empty-c",
        kind=K.SERVICE_CENTER,
        parent=tree["ops"],
        center_type=CenterType.FLEET,
    )
    team = services.organization_create(actor=None, name="空班组", code="empty-t", kind=K.TEAM, parent=empty)
    # when / then
    with pytest.raises(ValidationFailed) as exc:
        services.organization_update(actor=None, organization=empty, is_active=False)
    assert "下级" in exc.value.message
    # children first, then the center
    services.organization_update(actor=None, organization=team, is_active=False)
    assert services.organization_update(actor=None, organization=empty, is_active=False).is_active is False


def test_updating_a_unit_needs_change_organization(tree, manager_a):
    with pytest.raises(NotAllowed):
        services.organization_update(actor=manager_a.user, organization=tree["a"], name="改名")


# --- staff -------------------------------------------------------------------------------------------------------


@pytest.mark.clause("ORG-08")
def test_staff_create_makes_a_login_named_after_the_staff_number_and_is_audited(tree, manager_a):
    # when
    staff = services.staff_create(
        actor=manager_a.user,
        organization=tree["team_a"],
        staff_no="A-1001",
        name=" 王五 ",
        position="维修员",
        phone="13800001234",
        hire_date=date(2024, 3, 1),
        roles=["service_staff"],
    )
    # then
    assert staff.user.username == "A-1001" and not staff.user.has_usable_password()
    assert staff.name == "王五" and staff.status == StaffStatus.ACTIVE
    event = last_event(staff)
    assert event.verb == "org.staff.created" and event.clause == "ORG-08" and event.actor == manager_a.user
    assert event.changes["staff_no"] == [None, "A-1001"] and event.changes["hire_date"] == [None, "2024-03-01"]
    assignment = RoleAssignment.objects.get(user=staff.user)
    assert assignment.role.code == "service_staff" and assignment.organization == tree["team_a"]
    assert last_event(assignment).verb == "org.role.assigned"


@pytest.mark.clause("ORG-08")
def test_staff_numbers_are_unique_regardless_of_case(tree, manager_a):
    services.staff_create(actor=manager_a.user, organization=tree["a"], staff_no="S777", name="甲")
    with pytest.raises(ValidationFailed) as exc:
        services.staff_create(actor=manager_a.user, organization=tree["a"], staff_no="s777", name="乙")
    assert exc.value.clause == "ORG-08" and "staff_no" in exc.value.fields


@pytest.mark.clause("ORG-04")
def test_a_manager_adds_staff_only_in_their_own_center(tree, manager_a):
    with pytest.raises(NotAllowed) as exc:
        services.staff_create(actor=manager_a.user, organization=tree["b"], staff_no="B900", name="越权")
    assert exc.value.clause == "ORG-04"


def test_a_role_the_creator_cannot_grant_is_a_field_error_and_nothing_is_saved(tree, manager_a):
    with pytest.raises(ValidationFailed) as exc:
        services.staff_create(
            actor=manager_a.user, organization=tree["a"], staff_no="A900", name="甲", roles=["system_admin"]
        )
    assert "roles" in exc.value.fields and exc.value.clause == "ORG-04"
    # the staff_create transaction rolled back with the refused grant (the test's own transaction wraps it)
    assert not Staff.objects.filter(staff_no="A900").exists()


def test_staff_update_records_old_and_new_values(tree, manager_a):
    staff = factories.make_staff(tree["a"], name="赵六")
    services.staff_update(actor=manager_a.user, staff=staff, position="班长", organization=tree["team_a"])
    staff.refresh_from_db()
    assert staff.organization == tree["team_a"]
    event = last_event(staff)
    assert event.verb == "org.staff.updated"
    assert event.changes == {"organization": [tree["a"].pk, tree["team_a"].pk], "position": ["", "班长"]}


@pytest.mark.clause("ORG-04")
def test_staff_cannot_be_moved_into_another_center(tree, manager_a):
    staff = factories.make_staff(tree["a"])
    with pytest.raises(NotAllowed):
        services.staff_update(actor=manager_a.user, staff=staff, organization=tree["b"])


def test_leaving_keeps_the_record_disables_the_login_and_ends_the_roles(tree, manager_a):
    # given a clerk with a role
    clerk = factories.make_staff(tree["a"], "order_clerk")
    # when
    services.staff_set_status(actor=manager_a.user, staff=clerk, status=StaffStatus.LEFT, on=date(2026, 6, 30))
    # then
    clerk.refresh_from_db()
    clerk.user.refresh_from_db()
    assert clerk.status == StaffStatus.LEFT and clerk.left_date == date(2026, 6, 30)
    assert clerk.user.is_active is False
    assert not RoleAssignment.objects.filter(user=clerk.user, is_active=True).exists()
    event = last_event(clerk)
    assert event.verb == "org.staff.status_changed"
    assert event.changes == {"status": ["active", "left"], "left_date": [None, "2026-06-30"]}
    # coming back reactivates the login; the roles stay ended
    services.staff_set_status(actor=manager_a.user, staff=clerk, status=StaffStatus.ACTIVE)
    clerk.refresh_from_db()
    assert clerk.left_date is None and clerk.user.is_active
    assert last_event(clerk).changes == {"status": ["left", "active"], "left_date": ["2026-06-30", None]}


def test_status_refusals(tree, manager_a):
    staff = factories.make_staff(tree["a"])
    with pytest.raises(ValidationFailed):
        services.staff_set_status(actor=manager_a.user, staff=staff, status=StaffStatus.ACTIVE)
    with pytest.raises(ValidationFailed):
        services.staff_set_status(actor=manager_a.user, staff=staff, status="retired")
    with pytest.raises(NotAllowed):
        services.staff_set_status(actor=manager_a.user, staff=manager_a, status=StaffStatus.LEFT)


def test_leaving_before_being_hired_is_refused(tree, manager_a):
    staff = services.staff_create(
        actor=None, organization=tree["a"], staff_no="H1", name="甲", hire_date=date(2026, 5, 1)
    )
    with pytest.raises(ValidationFailed):
        services.staff_set_status(actor=manager_a.user, staff=staff, status=StaffStatus.LEFT, on=date(2026, 4, 1))


# --- roles -------------------------------------------------------------------------------------------------------


@pytest.mark.clause("ORG-04")
def test_role_grant_is_audited_with_its_clause_and_idempotent(tree, manager_a):
    staff = factories.make_staff(tree["team_a"])
    first = services.role_assign(actor=manager_a.user, user=staff.user, role_code="order_clerk", organization=tree["a"])
    again = services.role_assign(actor=manager_a.user, user=staff.user, role_code="order_clerk", organization=tree["a"])
    assert first == again
    events = AuditEvent.objects.filter(verb="org.role.assigned", target_id=str(first.pk))
    assert events.count() == 1
    assert events[0].clause == "ORG-04" and events[0].changes == {
        "role": [None, "order_clerk"],
        "user": [None, staff.user.pk],
    }


@pytest.mark.clause("ORG-04")
def test_a_manager_cannot_grant_system_roles_or_grant_outside_their_center(tree, manager_a):
    staff = factories.make_staff(tree["a"])
    with pytest.raises(NotAllowed) as exc:
        services.role_assign(actor=manager_a.user, user=staff.user, role_code="system_admin", organization=tree["a"])
    assert exc.value.clause == "ORG-04"
    with pytest.raises(NotAllowed):
        services.role_assign(actor=manager_a.user, user=staff.user, role_code="ops_center_gm", organization=tree["a"])
    with pytest.raises(NotAllowed):
        services.role_assign(actor=manager_a.user, user=staff.user, role_code="order_clerk", organization=tree["b"])
    assert not RoleAssignment.objects.filter(user=staff.user).exists()


def test_unknown_roles_and_leavers_are_refused(tree, manager_a):
    staff = factories.make_staff(tree["a"])
    with pytest.raises(ValidationFailed):
        services.role_assign(actor=manager_a.user, user=staff.user, role_code="no_such_role", organization=tree["a"])
    services.staff_set_status(actor=manager_a.user, staff=staff, status=StaffStatus.LEFT)
    with pytest.raises(ValidationFailed):
        services.role_assign(actor=manager_a.user, user=staff.user, role_code="promoter", organization=tree["a"])


@pytest.mark.clause("ORG-04")
def test_revoking_is_audited_and_follows_the_grant_rules(tree, manager_a, gm):
    staff = factories.make_staff(tree["a"], "promoter")
    assignment = RoleAssignment.objects.get(user=staff.user)
    # a manager cannot end their own role, nor the GM's
    with pytest.raises(NotAllowed):
        services.role_revoke(actor=manager_a.user, assignment=manager_a.user.role_assignments.get())
    with pytest.raises(NotAllowed):
        services.role_revoke(actor=manager_a.user, assignment=gm.user.role_assignments.get())
    # but ends a promoter's role in their center
    services.role_revoke(actor=manager_a.user, assignment=assignment, note="调岗")
    assignment.refresh_from_db()
    assert assignment.is_active is False
    event = last_event(assignment)
    assert event.verb == "org.role.revoked" and event.clause == "ORG-04" and event.note == "调岗"
    with pytest.raises(ValidationFailed):
        services.role_revoke(actor=None, assignment=assignment)
