"""Query budget of the punch endpoint (issue 5, Performance: the morning rush)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from servicecenter.attendance.models import Punch
from tests import factories

pytestmark = pytest.mark.django_db

# Staff row lock (with organization and user), the permission, the parameters (organization chain + values, one
# resolve_many), the de-duplication look-up, the insert, the audit event; +1 for token auth in production.
PUNCH_QUERIES = 9  # incl. the test transaction's savepoint pair


def test_punch_query_budget(tree, django_assert_max_num_queries):
    first = factories.make_staff(tree["team_a"], "service_staff", role_org=tree["a"], name="甲师傅")
    second = factories.make_staff(tree["team_a"], "service_staff", role_org=tree["a"], name="乙师傅")
    url = reverse("attendance_api:punch")
    warm = APIClient()
    warm.force_authenticate(first.user)
    assert warm.post(url, {"kind": "in"}, format="json").status_code == 201
    client = APIClient()
    client.force_authenticate(second.user)
    with django_assert_max_num_queries(PUNCH_QUERIES):
        response = client.post(url, {"kind": "in"}, format="json")
    assert response.status_code == 201 and Punch.objects.filter(staff=second).count() == 1
    with django_assert_max_num_queries(PUNCH_QUERIES - 3):  # a double tap: found by the de-duplication, no insert
        # (and no look-up of the person for the answer: the row locked by the service is reused)
        again = client.post(url, {"kind": "in"}, format="json")
    assert again.status_code == 200 and again.json()["duplicate"] is True
