"""Suite-wide fixtures and the `clause` marker collection used by the register test.

SC_REQUIRE_SERVICES=1 (set by .ci/run) turns a missing PostgreSQL, Redis or Chromium into a failure instead of a
skip: CI must never pass by skipping what it could not run.
"""

from __future__ import annotations

import os

import pytest

from tests import factories

pytest_plugins = ["tests.browser_support"]

REQUIRE_SERVICES = os.environ.get("SC_REQUIRE_SERVICES") == "1"
COLLECTED_CLAUSES: dict[str, list[str]] = {}


def pytest_collection_modifyitems(session, config, items):
    for item in items:
        for marker in item.iter_markers("clause"):
            for code in marker.args:
                COLLECTED_CLAUSES.setdefault(code, []).append(item.nodeid)


def missing_service(reason: str) -> None:
    """Fail under CI's strict flag, skip on a developer machine."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def tree(db):
    return factories.org_tree()


@pytest.fixture
def manager_a(tree):
    return factories.make_staff(tree["a"], "center_manager", name="甲经理")


@pytest.fixture
def manager_b(tree):
    return factories.make_staff(tree["b"], "center_manager", name="乙经理")


@pytest.fixture
def clerk_a(tree):
    return factories.make_staff(tree["a"], "order_clerk", name="甲内勤")


@pytest.fixture
def gm(tree):
    return factories.make_staff(tree["ops"], "ops_center_gm", name="总经理")


@pytest.fixture
def client_for(client):
    """`client_for(staff)` → a test client logged in as that staff member."""

    def login(staff):
        client.force_login(staff.user)
        return client

    return login
