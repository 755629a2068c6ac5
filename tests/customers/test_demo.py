"""The customer demo samples load through the services and load once."""

from __future__ import annotations

import pytest

from servicecenter.customers.demo import SAMPLES, load_demo
from servicecenter.customers.models import Customer, GreetingWindow
from tests import factories

pytestmark = pytest.mark.django_db


def test_demo_customers_load_once(tree, clerk_a, manager_a):
    people = [clerk_a, manager_a, factories.make_staff(tree["b"], "order_clerk")]
    assert load_demo(centers=[tree["b"], tree["a"]], people=people) == len(SAMPLES)
    assert load_demo(centers=[tree["b"], tree["a"]], people=people) == 0
    assert Customer.objects.filter(organization=tree["a"]).count() == len(SAMPLES)
    assert Customer.objects.filter(special_group__code="elderly").count() == 1
    assert GreetingWindow.objects.filter(organization=tree["a"]).count() == 1
