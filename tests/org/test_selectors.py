"""Selectors: who sees what (ORG-04), filters, phone masking and bounded query counts."""

import pytest
from django.http import Http404
from django.urls import reverse

from servicecenter.org import selectors, services
from servicecenter.org.choices import StaffStatus
from tests import factories


@pytest.mark.clause("ORG-04")
def test_organizations_visible_to_a_manager_are_their_subtree(tree, manager_a, gm):
    assert list(selectors.organization_list_visible_to(user=manager_a.user)) == [tree["a"], tree["team_a"]]
    assert set(selectors.organization_list_visible_to(user=gm.user)) == {
        tree["ops"],
        tree["a"],
        tree["b"],
        tree["team_a"],
    }


@pytest.mark.clause("ORG-04")
def test_access_organization_answers_404_outside_scope_or_permission(tree, manager_a):
    assert selectors.access_organization(user=manager_a.user, pk=tree["a"].pk) == tree["a"]
    with pytest.raises(Http404):
        selectors.access_organization(user=manager_a.user, pk=tree["b"].pk)
    with pytest.raises(Http404):  # visible, but a manager may not change organizations
        selectors.access_organization(user=manager_a.user, pk=tree["a"].pk, permission="org.change_organization")


@pytest.mark.clause("ORG-04")
def test_access_staff_checks_the_permission_over_the_staff_members_unit(tree, manager_a, clerk_a, manager_b):
    assert selectors.access_staff(user=clerk_a.user, pk=manager_a.pk) == manager_a
    with pytest.raises(Http404):
        selectors.access_staff(user=clerk_a.user, pk=manager_a.pk, permission="org.change_staff")
    with pytest.raises(Http404):
        selectors.access_staff(user=manager_a.user, pk=manager_b.pk)


def test_tree_counts_active_staff_per_unit_and_subtree_in_one_query(tree, gm, django_assert_num_queries):
    # given two active in A, one active and one on leave in A's team, one in B
    factories.make_staff(tree["a"])
    factories.make_staff(tree["a"])
    factories.make_staff(tree["team_a"])
    away = factories.make_staff(tree["team_a"])
    services.staff_set_status(actor=None, staff=away, status=StaffStatus.ON_LEAVE)
    factories.make_staff(tree["b"])
    gm.user.refresh_from_db()  # a fresh user object: no cached scope
    # when: one query for the scope paths, one for the tree with its counts
    with django_assert_num_queries(2):
        tree_rows = selectors.organization_tree_for(user=gm.user)
    by_code = {o.code: o for o in tree_rows}
    # then (the GM works in the ops center itself)
    a, team, ops = by_code[tree["a"].code], by_code[tree["team_a"].code], by_code[tree["ops"].code]
    assert (a.active_staff, a.subtree_active_staff, a.indent) == (2, 3, 1)
    assert (team.active_staff, team.subtree_active_staff, team.indent) == (1, 1, 2)
    assert (ops.active_staff, ops.subtree_active_staff, ops.indent) == (1, 5, 0)


def test_staff_filters(tree, manager_a):
    # given
    wang = services.staff_create(
        actor=None, organization=tree["team_a"], staff_no="F100", name="王小明", phone="13911112222"
    )
    li = services.staff_create(actor=None, organization=tree["a"], staff_no="F200", name="李四", roles=["promoter"])
    services.staff_set_status(actor=None, staff=li, status=StaffStatus.ON_LEAVE)

    def names(**filters):
        return {s.name for s in selectors.staff_list_visible_to(user=manager_a.user, filters=filters)}

    # then
    assert names(q="小明") == {"王小明"}
    assert names(q="f200") == {"李四"}
    assert names(q="1391111") == {"王小明"}
    assert names(organization=tree["team_a"].pk) == {"王小明"}
    assert names(status="on_leave") == {"李四"}
    assert names(role="promoter") == {"李四"}
    assert "王小明" in names(organization=tree["a"].pk)  # the whole subtree
    assert names(organization=tree["b"].pk) >= {"王小明", "李四"}  # not visible: the filter is ignored, scope stays
    assert wang.pk


def test_searching_by_phone_does_not_reveal_masked_numbers(tree, clerk_a, manager_a):
    # given a colleague whose phone the clerk sees masked
    services.staff_create(actor=None, organization=tree["a"], staff_no="P1", name="某人", phone="13712345678")
    # then the clerk cannot find them by number; the manager can
    assert not selectors.staff_list_visible_to(user=clerk_a.user, filters={"q": "12345678"}).exists()
    assert selectors.staff_list_visible_to(user=manager_a.user, filters={"q": "12345678"}).exists()


def test_phone_masking(tree, manager_a, clerk_a, manager_b):
    staff = services.staff_create(actor=None, organization=tree["a"], staff_no="M1", name="某甲", phone="13812341234")
    assert selectors.mask_phone("13812341234") == "138****1234"
    assert selectors.mask_phone("") == ""
    assert selectors.mask_phone("12345") == "****45"
    assert selectors.phone_for(user=manager_a.user, staff=staff) == "13812341234"
    assert selectors.phone_for(user=clerk_a.user, staff=staff) == "138****1234"
    assert selectors.phone_for(user=manager_b.user, staff=staff) == "138****1234"
    # everyone sees their own number
    assert selectors.phone_for(user=staff.user, staff=staff) == "13812341234"


@pytest.mark.clause("ORG-04")
def test_role_catalogue_is_whole_for_role_managers_and_own_roles_for_others(tree, manager_a, clerk_a):
    assert selectors.role_list_visible_to(user=manager_a.user).filter(code="system_admin").exists()
    assert [r.code for r in selectors.role_list_visible_to(user=clerk_a.user)] == ["order_clerk"]


@pytest.mark.clause("ORG-04")
def test_assignable_roles_exclude_system_roles_for_a_manager(tree, manager_a):
    codes = {r.code for r in selectors.assignable_roles(user=manager_a.user, organization=tree["a"])}
    assert {"order_clerk", "service_staff", "center_manager"} <= codes
    assert not codes & {"system_admin", "ops_center_gm"}
    assert selectors.assignable_roles(user=manager_a.user, organization=tree["b"]) == []


def _staff_page_queries(client, manager, django_assert_max_num_queries, count):
    for i in range(count):
        factories.make_staff(manager.organization, "service_staff" if i % 2 else "promoter")
    client.force_login(manager.user)
    with django_assert_max_num_queries(20) as ctx:
        response = client.get(reverse("org:staff_list"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("count", [5, 60])
def test_staff_list_page_costs_the_same_for_5_or_60_staff(
    client, tree, manager_a, django_assert_max_num_queries, count
):
    # given `count` staff with roles; when the list page renders; then the query count stays under one bound
    queries = _staff_page_queries(client, manager_a, django_assert_max_num_queries, count)
    assert queries <= 20


def test_staff_list_query_count_does_not_grow_with_rows(client, tree, manager_a, django_assert_max_num_queries):
    small = _staff_page_queries(client, manager_a, django_assert_max_num_queries, 5)
    large = _staff_page_queries(client, manager_a, django_assert_max_num_queries, 55)
    assert small == large
