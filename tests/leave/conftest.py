"""Fixtures of the leave tests: people of center A (a D01 service station) and B (a D19 gov hall), and `ask`."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from servicecenter.leave import services
from tests import factories

SH = ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> datetime:
    """An aware instant in Shanghai time."""
    return datetime(y, m, d, hh, mm, tzinfo=SH)


@pytest.fixture
def worker_a(tree):
    staff = factories.make_staff(tree["team_a"], "service_staff", name="甲师傅")
    staff.hire_date = date(2020, 3, 1)
    staff.save(update_fields=["hire_date"])
    return staff


@pytest.fixture
def worker_b(tree):
    staff = factories.make_staff(tree["b"], "order_clerk", name="乙窗口")
    staff.hire_date = date(2019, 5, 1)
    staff.save(update_fields=["hire_date"])
    return staff


@pytest.fixture
def channel(tree):
    return factories.make_staff(tree["ops"], "channel_department", name="渠道部小王")


@pytest.fixture
def leaders_b(tree):
    return (
        factories.make_staff(tree["b"], "leader_in_charge", name="分管领导"),
        factories.make_staff(tree["b"], "principal_leader", name="主要领导"),
    )


@pytest.fixture
def ask():
    """`ask(staff, kind=…, start=date, end=date, …, now=…)` → a submitted leave through the real service."""

    def _ask(staff, *, kind="personal", start=None, end=None, now=None, reason="家中有事", **kwargs):
        return services.leave_submit(
            actor=staff.user,
            kind=kind,
            start_date=start,
            end_date=end or start,
            reason=reason,
            now=now or at(2026, 12, 1, 8),
            **kwargs,
        )

    return _ask
