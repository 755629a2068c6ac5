"""Fixtures of the calendar tests: the three center types of the brief, a helper for parameter rows, and the
time travel that enters calendar rows before their dates (`configured_on`, `spring_2026`, ...).

Statutory facts (checked against chinesecalendar 1.11 in test_engine.py): 2025 National Day + Mid-Autumn holidays
Wed 2025-10-01 .. Wed 2025-10-08, make-up workdays Sun 2025-09-28 and Sat 2025-10-11; 2027 is not covered.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from servicecenter.org import services as org_services
from servicecenter.org.choices import CenterType, OrganizationKind
from servicecenter.policy.models import ParameterValue
from tests import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An aware instant in Shanghai."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@contextmanager
def configured_on(day: date, hour: int = 9) -> Iterator[None]:
    """Enter calendar rows "at the time": travel to `day` `hour`:00 in Shanghai. The services refuse dates already
    gone (C-01/C-02, code backdating_refused), so a test that needs a 2025 override or season writes it as a manager
    would have on that day, then checks at whatever time it needs (the rows keep their past timestamps)."""
    with time_machine.travel(at(day.year, day.month, day.day, hour), tick=False):
        yield


@pytest.fixture
def spring_2026():
    """Today is 2026-05-01 in Shanghai: a summer season from 2026-06-01 is still ahead."""
    with configured_on(date(2026, 5, 1)):
        yield


@pytest.fixture
def december_2026():
    """Today is 2026-12-01 in Shanghai: the 2027 statutory days are still ahead."""
    with configured_on(date(2026, 12, 1)):
        yield


@pytest.fixture
def early_october_2025():
    """Today is 2025-10-01 in Shanghai: the overrides of 2025-10-15/16 are still ahead."""
    with configured_on(date(2025, 10, 1)):
        yield


def set_parameter(key: str, organization, value, effective_from: date = date(2020, 1, 1)) -> ParameterValue:
    """A parameter value row written directly: policy.services.parameter_set refuses backdated rows, and these
    tests need values in force in 2025."""
    return ParameterValue.objects.create(
        key=key, organization=organization, value=value, effective_from=effective_from, reason="测试"
    )


@pytest.fixture
def station(tree):
    """D01 service station (seed defaults: every day 08:30–20:00)."""
    return tree["a"]


@pytest.fixture
def hall(tree):
    """D19 government hall (preset: 08:30–11:30 + 14:30–17:30 on official workdays)."""
    return tree["b"]


@pytest.fixture
def call_center(tree):
    """D02 call center (preset: 24-hour duty in the heating season, dates entered per year)."""
    return org_services.organization_create(
        actor=None,
        name="丙呼叫中心",
        code=f"cc{tree['ops'].pk}",
        kind=OrganizationKind.SERVICE_CENTER,
        parent=tree["ops"],
        center_type=CenterType.CALL_CENTER,
    )


@pytest.fixture
def root_admin(tree):
    """A system administrator at the company (root of the tree): may enter statutory days."""
    return factories.make_staff(tree["company"], "system_admin", name="公司管理员")
