"""Organization and staff pages: what each role sees and can do; errors re-render the form (never a 500)."""

import pytest
from django.urls import reverse

from servicecenter.core.models import AuditEvent
from servicecenter.org import services
from servicecenter.org.choices import StaffStatus
from servicecenter.org.models import Organization, RoleAssignment, Staff
from tests import factories


@pytest.fixture
def admin_a(tree):
    return factories.make_staff(tree["a"], "system_admin", name="甲管理员")


@pytest.mark.smoke
def test_tree_page_lists_the_visible_units_indented_with_counts(client_for, tree, manager_a, manager_b):
    factories.make_staff(tree["team_a"])
    body = client_for(manager_a).get(reverse("org:organization_list")).content.decode()
    assert tree["a"].name in body and tree["team_a"].name in body
    assert tree["b"].name not in body and tree["ops"].name not in body
    assert "--indent: 1" in body  # the team sits one step in


@pytest.mark.smoke
def test_staff_list_searches_and_masks_phones(client_for, tree, manager_a, clerk_a):
    services.staff_create(actor=None, organization=tree["a"], staff_no="V100", name="页面甲", phone="13655556666")
    # the clerk sees the colleague with a masked number
    response = client_for(clerk_a).get(reverse("org:staff_list"), {"q": "页面"})
    body = response.content.decode()
    assert response.status_code == 200 and "页面甲" in body and "136****6666" in body and "13655556666" not in body
    # the manager sees the number in full; an htmx request gets the table only
    response = client_for(manager_a).get(reverse("org:staff_list"), {"q": "页面"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "13655556666" in body and "<html" not in body and "export-link" in body


def test_staff_list_paginates_by_50(client_for, tree, manager_a):
    for _ in range(51):
        factories.make_staff(tree["team_a"])
    page2 = client_for(manager_a).get(reverse("org:staff_list"), {"page": 2}).content.decode()
    assert "第 2 / 2 页" in page2 and "共 52 人" in page2


def test_pages_need_a_role(client, tree):
    # given a staff member without any role
    nobody = factories.make_staff(tree["a"])
    client.force_login(nobody.user)
    assert client.get(reverse("org:staff_list")).status_code == 403
    assert client.get(reverse("org:organization_list")).status_code == 403
    assert client.get(reverse("org:staff_detail", kwargs={"pk": nobody.pk})).status_code == 404


def test_staff_detail_shows_roles_history_and_actions_for_a_manager(client_for, tree, manager_a, clerk_a):
    body = client_for(manager_a).get(reverse("org:staff_detail", kwargs={"pk": clerk_a.pk})).content.decode()
    assert "接单内勤" in body and "办理离职" in body and "授予角色" in body and "org.staff.created" in body
    assert reverse("org:role_revoke", kwargs={"pk": clerk_a.user.role_assignments.get().pk}) in body
    # system roles are not offered to a manager
    assert 'value="system_admin"' not in body and 'value="ops_center_gm"' not in body
    # a clerk sees the manager's page without any action
    body = client_for(clerk_a).get(reverse("org:staff_detail", kwargs={"pk": manager_a.pk})).content.decode()
    assert "办理离职" not in body and "授予角色" not in body and "撤销" not in body


def test_staff_create_form_errors_rerender_with_200(client_for, tree, manager_a):
    client = client_for(manager_a)
    response = client.post(reverse("org:staff_create"), {"organization": tree["a"].pk, "staff_no": "坏 号", "name": ""})
    body = response.content.decode()
    assert response.status_code == 200 and "工号只能包含字母、数字和连字符" in body and "is-invalid" in body
    # a duplicate staff number comes back from the service onto its field
    response = client.post(
        reverse("org:staff_create"), {"organization": tree["a"].pk, "staff_no": manager_a.staff_no, "name": "重号"}
    )
    assert response.status_code == 200 and "工号已被使用" in response.content.decode()


@pytest.mark.smoke
def test_staff_create_with_roles_and_password(client_for, tree, manager_a):
    response = client_for(manager_a).post(
        reverse("org:staff_create"),
        {
            "organization": tree["team_a"].pk,
            "staff_no": "NEW-1",
            "name": "新同事",
            "phone": "13512345678",
            "hire_date": "2026-03-02",
            "roles": ["service_staff"],
            "password": "Long-enough-Pass-2026",
        },
    )
    staff = Staff.objects.get(staff_no="NEW-1")
    assert response.status_code == 302 and response["Location"] == reverse("org:staff_detail", kwargs={"pk": staff.pk})
    assert staff.user.check_password("Long-enough-Pass-2026")
    assert RoleAssignment.objects.get(user=staff.user).role.code == "service_staff"


def test_staff_update_page(client_for, tree, manager_a, clerk_a):
    client = client_for(manager_a)
    url = reverse("org:staff_update", kwargs={"pk": clerk_a.pk})
    assert client.get(url).status_code == 200
    response = client.post(url, {"organization": tree["team_a"].pk, "name": "新名字", "phone": "bad phone!"})
    assert response.status_code == 200 and "请输入有效的电话号码" in response.content.decode()
    response = client.post(url, {"organization": tree["team_a"].pk, "name": "新名字"})
    assert response.status_code == 302
    clerk_a.refresh_from_db()
    assert (clerk_a.name, clerk_a.organization) == ("新名字", tree["team_a"])
    # a clerk may not edit
    assert client_for(clerk_a).get(reverse("org:staff_update", kwargs={"pk": manager_a.pk})).status_code == 404


def test_leaving_needs_a_date_and_confirmation(client_for, tree, manager_a, clerk_a):
    client = client_for(manager_a)
    url = reverse("org:staff_set_status", kwargs={"pk": clerk_a.pk})
    page = client.get(url, {"status": "left"}).content.decode()
    assert "登录账户停用" in page and "确认变更" in page
    response = client.post(url, {"status": "left", "on": ""})
    assert response.status_code == 200 and "办理离职须填写离职日期" in response.content.decode()
    clerk_a.refresh_from_db()
    assert clerk_a.status == StaffStatus.ACTIVE
    response = client.post(url, {"status": "left", "on": "2026-05-31", "note": "辞职"})
    assert response.status_code == 302
    clerk_a.refresh_from_db()
    assert clerk_a.status == StaffStatus.LEFT and str(clerk_a.left_date) == "2026-05-31"
    assert AuditEvent.objects.for_target(clerk_a).first().note == "辞职"


def test_status_page_is_post_or_get_only_for_managers(client_for, tree, manager_a, clerk_a):
    url = reverse("org:staff_set_status", kwargs={"pk": manager_a.pk})
    assert client_for(clerk_a).post(url, {"status": "left", "on": "2026-05-31"}).status_code == 404


@pytest.mark.clause("ORG-04")
def test_role_assign_refusal_is_shown_on_the_staff_page(client_for, tree, manager_a):
    staff = factories.make_staff(tree["a"])
    client = client_for(manager_a)
    url = reverse("org:role_assign", kwargs={"pk": staff.pk})
    # a role outside the offered choices is a form error, the page re-renders with 200
    response = client.post(url, {"role": "system_admin", "organization": tree["a"].pk})
    assert response.status_code == 200 and "授予角色" in response.content.decode()
    assert not RoleAssignment.objects.filter(user=staff.user).exists()
    # a grant inside the manager's subtree works
    response = client.post(url, {"role": "order_clerk", "organization": tree["team_a"].pk})
    assert response.status_code == 302
    assert RoleAssignment.objects.get(user=staff.user).organization == tree["team_a"]
    assert client.get(url).status_code == 405


@pytest.mark.clause("ORG-04")
def test_role_revoke_refused_for_own_role_shows_a_message(client_for, tree, manager_a):
    own = manager_a.user.role_assignments.get()
    response = client_for(manager_a).post(reverse("org:role_revoke", kwargs={"pk": own.pk}), follow=True)
    assert "不能撤销自己的角色" in response.content.decode()
    own.refresh_from_db()
    assert own.is_active


def test_organization_pages_for_a_system_admin(client_for, tree, admin_a):
    client = client_for(admin_a)
    # detail shows children, staff and the actions
    body = client.get(reverse("org:organization_detail", kwargs={"pk": tree["a"].pk})).content.decode()
    assert tree["team_a"].name in body and "甲管理员" in body and "新建下级" in body and "变更记录" in body
    # create under A: a wrong level is a field error
    url = reverse("org:organization_create") + f"?parent={tree['a'].pk}"
    response = client.post(url, {"parent": tree["a"].pk, "kind": "ops_center", "name": "错层", "code": "bad-lvl"})
    assert response.status_code == 200 and "该层级不能设在所选上级之下" in response.content.decode()
    response = client.post(url, {"parent": tree["a"].pk, "kind": "window", "name": "窗口一", "code": "win-1"})
    assert response.status_code == 302
    window = Organization.objects.get(code="win-1")
    assert window.parent == tree["a"]
    # deactivating a unit with staff is refused on the form
    factories.make_staff(tree["team_a"])
    edit = reverse("org:organization_update", kwargs={"pk": tree["team_a"].pk})
    response = client.post(edit, {"name": tree["team_a"].name})  # is_active unticked
    assert response.status_code == 200 and "仍有在职员工" in response.content.decode()
    # an empty window can be deactivated
    response = client.post(reverse("org:organization_update", kwargs={"pk": window.pk}), {"name": "窗口一"})
    assert response.status_code == 302
    window.refresh_from_db()
    assert window.is_active is False


def test_a_manager_cannot_create_organizations(client_for, tree, manager_a):
    client = client_for(manager_a)
    assert client.get(reverse("org:organization_create")).status_code == 403
    assert client.get(reverse("org:organization_update", kwargs={"pk": tree["a"].pk})).status_code == 404


def _grant_custom_role(staff, organization, *permissions):
    """A center-defined role (as an admin would configure one) holding exactly `permissions`."""
    from django.contrib.auth.models import Group, Permission

    from servicecenter.org.models import Role

    group = Group.objects.create(name="role:auditor")
    for name in permissions:
        app_label, codename = name.split(".")
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    Role.objects.create(code="auditor", name="审计员", group=group)
    services.role_assign(actor=None, user=staff.user, role_code="auditor", organization=organization)


def test_history_is_for_audit_readers_and_masks_phones(client_for, tree, manager_a, clerk_a):
    # given a colleague created with a phone number
    staff = services.staff_create(
        actor=None, organization=tree["a"], staff_no="HX1", name="有手机", phone="13512340000"
    )
    url = reverse("org:staff_detail", kwargs={"pk": staff.pk})
    # a clerk (no core.view_auditevent) gets no history at all
    assert 'id="history"' not in client_for(clerk_a).get(url).content.decode()
    # a leader with audit access but without org.change_staff sees the history with the phone masked
    leader = factories.make_staff(tree["a"])
    _grant_custom_role(leader, tree["a"], "org.view_staff", "core.view_auditevent")
    body = client_for(leader).get(url).content.decode()
    assert 'id="history"' in body and "135****0000" in body and "13512340000" not in body
    # the manager sees it in full
    assert "13512340000" in client_for(manager_a).get(url).content.decode()


def test_organization_create_preselects_a_level_that_fits_the_parent(client_for, tree, admin_a):
    response = client_for(admin_a).get(reverse("org:organization_create"), {"parent": tree["a"].pk})
    assert '<option value="team" selected>' in response.content.decode()
    assert client_for(admin_a).get(reverse("org:organization_create"), {"parent": tree["b"].pk}).status_code == 404
    assert client_for(admin_a).get(reverse("org:organization_create"), {"parent": "x"}).status_code == 404
