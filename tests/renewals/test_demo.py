"""The renewals demo: last month at 68.0 % (80 points, +1 conversions), this month's lists; loaded once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from servicecenter.points.policies import previous_month
from servicecenter.policy.values import local_today
from servicecenter.renewals import demo, selectors
from servicecenter.renewals.models import RenewalRow

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
@pytest.mark.clause("PTS-13")
def test_demo_last_month_shows_the_seed_example_and_loads_once(tree, manager_a, specialist_a):
    people = {s.staff_no: s for s in (manager_a, specialist_a)}
    assert demo.load_demo(centers=[tree["a"]], people=people) > 50
    last = previous_month(local_today(tree["a"]))
    (result,) = selectors.month_result(tree["a"], last)
    assert (result.due, result.renewed, result.rate_pct, result.points) == (50, 34, Decimal("68.0"), 80)
    assert result.conversion_points == 1 and (result.suspended, result.reactivated) == (10, 3)
    this_month = RenewalRow.objects.filter(organization=tree["a"], month=local_today(tree["a"]).replace(day=1))
    assert this_month.count() == 50 and this_month.filter(assignee__isnull=True).count() == 2
    assert demo.load_demo(centers=[tree["a"]], people=people) == 0
