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
