"""Fixtures of the rosters tests: a service station with presets and five field staff, through the real services."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from servicecenter.rosters import services
from tests import factories

MONTH = date(2026, 3, 1)


@pytest.fixture
def frozen():
    with time_machine.travel("2026-02-20 10:00 +08:00", tick=False) as traveller:
        yield traveller


@pytest.fixture
def crew(tree):
    return [
        factories.make_staff(tree["team_a"], "service_staff", name=f"师傅{i}", role_org=tree["a"]) for i in range(5)
    ]


@pytest.fixture
def station(tree, manager_a, crew):
    services.templates_install_presets(actor=manager_a.user, organization=tree["a"])
    return tree["a"]


@pytest.fixture
def published(station, manager_a, frozen):
    draft = services.roster_open_draft(actor=manager_a.user, organization=station, month=MONTH)
    services.roster_propose(actor=manager_a.user, roster_id=draft.pk)
    return services.roster_publish(actor=manager_a.user, roster_id=draft.pk, confirm_warnings=True)
