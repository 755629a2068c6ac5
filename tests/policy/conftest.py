"""Fixtures of the policy tests: the seed regulations loaded for the two centers of the tree, a superuser."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from servicecenter.policy.seed import load_seed_regulations


@pytest.fixture
def seeded(tree):
    """D01 for center A (a service station), D19 for center B (a government hall)."""
    load_seed_regulations(organization=tree["a"])
    load_seed_regulations(organization=tree["b"])
    return tree


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.invalid", "pw-Secret-2026")
