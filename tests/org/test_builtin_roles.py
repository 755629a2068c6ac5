"""The built-in roles (ORG-02, ORG-03) exist after migrate with every permission they declare."""

import pytest
from django.contrib.auth.models import Permission

from servicecenter.org.models import Role
from servicecenter.org.roles import BUILTIN_ROLES

D01_ROLES = {
    "center_manager",
    "order_clerk",
    "finance_clerk",
    "renewal_specialist",
    "service_sales_supervisor",
    "marketing_sales_supervisor",
    "sales_specialist",
    "service_staff",
    "promoter",
}


@pytest.mark.django_db
def test_the_nine_d01_roles_are_built_in():
    assert D01_ROLES <= set(Role.objects.filter(is_builtin=True).values_list("code", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize("spec", BUILTIN_ROLES, ids=lambda s: s.code)
def test_every_declared_permission_exists_and_is_granted(spec):
    # a typo in org/roles.py, or an app whose permissions were created after the sync, fails here
    granted = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Role.objects.get(code=spec.code).group.permissions.select_related("content_type")
    }
    declared = set(spec.permissions)
    existing = {f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.select_related("content_type")}
    assert declared <= existing, f"undeclared permissions: {declared - existing}"
    assert granted == declared


@pytest.mark.clause("C-22")
def test_a_hall_role_is_not_granted_in_a_service_station(tree, manager_a):
    # given a repairman of the station (center A) and a clerk of the hall (center B)
    from servicecenter.core.errors import ValidationFailed
    from servicecenter.org import services
    from servicecenter.org.selectors import assignable_roles
    from tests import factories

    worker = factories.make_staff(tree["team_a"], "service_staff")
    # when the station's manager looks at the roles he may grant, and tries a hall role anyway
    offered = {r.code for r in assignable_roles(user=manager_a.user, organization=tree["a"])}
    with pytest.raises(ValidationFailed) as refused:
        services.role_assign(actor=None, user=worker.user, role_code="window_staff", organization=tree["a"])
    # then hall roles are not offered, and refused with the clause
    assert "window_staff" not in offered and "leader_in_charge" not in offered
    assert "order_clerk" in offered
    assert refused.value.clause == "C-22"
    # and in the hall they are fine
    clerk = factories.make_staff(tree["b"], "window_staff")
    assert clerk.user.role_assignments.filter(role__code="window_staff").exists()
