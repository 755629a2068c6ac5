"""The org API: scoped lists, writes through the services, field-by-field Chinese errors {code, message, fields}."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from servicecenter.core.models import AuditEvent
from servicecenter.org import services
from servicecenter.org.models import Organization, RoleAssignment, Staff
from tests import factories


@pytest.fixture
def api():
    def login(staff):
        client = APIClient()
        client.force_authenticate(staff.user)
        return client

    return login


@pytest.fixture
def admin_a(tree):
    return factories.make_staff(tree["a"], "system_admin", name="甲管理员")


@pytest.mark.smoke
def test_staff_list_is_scoped_filtered_and_masks_phones(api, tree, manager_a, clerk_a, manager_b):
    services.staff_create(actor=None, organization=tree["team_a"], staff_no="API1", name="接口甲", phone="13900001111")
    # the manager sees their subtree, with full phones
    data = api(manager_a).get(reverse("org-api:staff-list"), {"q": "接口"}).json()
    assert data["count"] == 1 and data["results"][0]["phone"] == "13900001111"
    assert data["results"][0]["organization_name"] == tree["team_a"].name
    # a clerk of the same center sees the person, phone masked
    row = api(clerk_a).get(reverse("org-api:staff-list"), {"q": "API1"}).json()["results"][0]
    assert row["phone"] == "139****1111"
    # the other center does not see them at all
    assert api(manager_b).get(reverse("org-api:staff-list"), {"q": "接口"}).json()["count"] == 0


def test_invalid_filters_are_400_with_fields(api, tree, manager_a):
    response = api(manager_a).get(reverse("org-api:staff-list"), {"status": "retired", "role": "nobody"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and set(body["fields"]) == {"status", "role"}


def test_staff_create_goes_through_the_service(api, tree, manager_a):
    payload = {
        "organization": tree["team_a"].pk,
        "staff_no": "API-2",
        "name": "接口新人",
        "phone": "13700002222",
        "hire_date": "2025-07-01",
        "roles": ["service_staff"],
    }
    response = api(manager_a).post(reverse("org-api:staff-list"), payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["staff_no"] == "API-2" and body["status"] == "active" and body["roles"][0]["role"] == "service_staff"
    staff = Staff.objects.get(staff_no="API-2")
    assert AuditEvent.objects.for_target(staff).get().verb == "org.staff.created"


def test_staff_create_validation_is_field_by_field_in_chinese(api, tree, manager_a):
    response = api(manager_a).post(
        reverse("org-api:staff-list"),
        {"organization": tree["b"].pk, "staff_no": "坏 工号", "phone": "abc", "hire_date": "2025-13-01"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["message"] == "输入有误，请检查标出的字段"
    fields = body["fields"]
    assert fields["organization"] == ["组织不存在或不在您的管理范围内"]
    assert fields["staff_no"] == ["工号只能包含字母、数字和连字符，长度 2–20"]
    assert fields["name"] == ["请填写姓名"]
    assert fields["phone"] == ["请输入有效的电话号码"]
    assert fields["hire_date"] == ["入职日期格式应为 YYYY-MM-DD"]


@pytest.mark.clause("ORG-08")
def test_duplicate_staff_number_is_400_with_the_clause(api, tree, manager_a):
    response = api(manager_a).post(
        reverse("org-api:staff-list"),
        {"organization": tree["a"].pk, "staff_no": manager_a.staff_no.lower(), "name": "重号"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["clause"] == "ORG-08" and "staff_no" in response.json()["fields"]


def test_staff_update_status_and_no_delete(api, tree, manager_a):
    staff = factories.make_staff(tree["a"])
    client = api(manager_a)
    url = reverse("org-api:staff-detail", kwargs={"pk": staff.pk})
    assert client.patch(url, {"position": "组长"}, format="json").json()["position"] == "组长"
    assert client.patch(url, {"name": "  "}, format="json").status_code == 400
    # leaving needs a date
    status_url = reverse("org-api:staff-status", kwargs={"pk": staff.pk})
    response = client.post(status_url, {"status": "left"}, format="json")
    assert response.status_code == 400 and response.json()["fields"] == {"on": ["办理离职须填写离职日期"]}
    response = client.post(status_url, {"status": "left", "on": "2026-02-28", "note": "合同到期"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "left"
    assert response.json()["left_date"] == "2026-02-28"
    # the same status again is a domain error, in the same format
    again = client.post(status_url, {"status": "left", "on": "2026-02-28"}, format="json")
    assert again.status_code == 400 and again.json()["message"] == "状态未变化"
    # nothing is deleted
    assert client.delete(url).status_code == 405
    assert Staff.objects.filter(pk=staff.pk).exists()


def test_clerk_cannot_change_staff_and_gets_404(api, tree, clerk_a, manager_a):
    url = reverse("org-api:staff-detail", kwargs={"pk": manager_a.pk})
    assert api(clerk_a).get(url).status_code == 200
    assert api(clerk_a).patch(url, {"position": "x"}, format="json").status_code == 404


def test_organizations_list_create_update_and_no_delete(api, tree, admin_a, manager_a):
    client = api(admin_a)
    codes = {o["code"] for o in client.get(reverse("org-api:organization-list")).json()["results"]}
    assert codes == {tree["a"].code, tree["team_a"].code}
    response = client.post(
        reverse("org-api:organization-list"),
        {"parent": tree["a"].pk, "kind": "window", "name": "一号窗口", "code": "api-window-1"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    org = Organization.objects.get(code="api-window-1")
    assert org.parent == tree["a"] and org.depth == tree["a"].depth + 1
    url = reverse("org-api:organization-detail", kwargs={"pk": org.pk})
    assert client.patch(url, {"is_active": False}, format="json").json()["is_active"] is False
    assert client.delete(url).status_code == 405
    # a manager may read units but not create or change them
    assert api(manager_a).patch(url, {"name": "x"}, format="json").status_code == 404


def test_organization_create_validation(api, tree, admin_a):
    response = api(admin_a).post(
        reverse("org-api:organization-list"),
        {"parent": tree["a"].pk, "kind": "ops_center", "name": "", "code": "坏编码"},
        format="json",
    )
    body = response.json()
    assert response.status_code == 400
    assert body["fields"]["name"] == ["名称不能为空"] and body["fields"]["code"] == [
        "编码只能包含字母、数字、连字符和下划线"
    ]
    response = api(admin_a).post(
        reverse("org-api:organization-list"),
        {"parent": tree["a"].pk, "kind": "ops_center", "name": "错层", "code": "bad-level"},
        format="json",
    )
    assert response.status_code == 400 and response.json()["fields"]["kind"] == ["该层级不能设在所选上级之下"]


def test_deactivating_a_unit_with_staff_is_refused(api, tree, admin_a):
    factories.make_staff(tree["team_a"])
    url = reverse("org-api:organization-detail", kwargs={"pk": tree["team_a"].pk})
    response = api(admin_a).patch(url, {"is_active": False}, format="json")
    assert response.status_code == 400 and "在职员工" in response.json()["message"]


@pytest.mark.clause("ORG-04")
def test_role_assignment_create_and_revoke(api, tree, manager_a):
    staff = factories.make_staff(tree["a"])
    client = api(manager_a)
    response = client.post(
        reverse("org-api:role-assignment-list"),
        {"staff": staff.pk, "role": "order_clerk", "organization": tree["a"].pk},
        format="json",
    )
    assert response.status_code == 201 and response.json()["staff"] == staff.pk
    pk = response.json()["id"]
    listed = client.get(reverse("org-api:role-assignment-list"), {"staff": staff.pk}).json()["results"]
    assert [a["role"] for a in listed] == ["order_clerk"]
    response = client.post(
        reverse("org-api:role-assignment-revoke", kwargs={"pk": pk}), {"note": "调岗"}, format="json"
    )
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert not RoleAssignment.objects.filter(pk=pk, is_active=True).exists()


@pytest.mark.clause("ORG-04")
def test_a_manager_cannot_grant_system_admin_through_the_api(api, tree, manager_a):
    staff = factories.make_staff(tree["a"])
    response = api(manager_a).post(
        reverse("org-api:role-assignment-list"),
        {"staff": staff.pk, "role": "system_admin", "organization": tree["a"].pk},
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["clause"] == "ORG-04" and response.json()["code"] == "not_allowed"
    response = api(manager_a).post(
        reverse("org-api:role-assignment-list"),
        {"staff": staff.pk, "role": "order_clerk", "organization": tree["b"].pk},
        format="json",
    )
    assert response.status_code == 400 and response.json()["fields"]["organization"] == [
        "组织不存在或不在您的管理范围内"
    ]


def test_roles_list(api, tree, manager_a, clerk_a):
    codes = [r["code"] for r in api(manager_a).get(reverse("org-api:role-list")).json()["results"]]
    assert codes[0] == "system_admin" and len(codes) >= 9
    mine = api(clerk_a).get(reverse("org-api:role-list")).json()["results"]
    assert [r["code"] for r in mine] == ["order_clerk"] and "org.view_staff" in mine[0]["permissions"]


def test_anonymous_is_refused(client, tree):
    response = client.get(reverse("org-api:staff-list"))
    assert response.status_code in (401, 403) and response.json()["code"] in ("not_authenticated", "permission_denied")


def test_staff_list_query_count_is_bounded(api, tree, manager_a, django_assert_max_num_queries):
    for _ in range(30):
        factories.make_staff(tree["a"], "service_staff")
    client = api(manager_a)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("org-api:staff-list")).status_code == 200
