"""Fixtures of the notifications tests: a clean capture channel and two people of center A."""

from __future__ import annotations

import pytest

from servicecenter.notifications import channels
from tests import factories


@pytest.fixture(autouse=True)
def _clean_capture():
    channels.clear_captured()
    yield
    channels.clear_captured()


@pytest.fixture
def staff_a(tree):
    return factories.make_staff(tree["team_a"], "service_staff", name="甲师傅", role_org=tree["a"])


@pytest.fixture
def failing_channel():
    """A channel registered as "flaky" that raises ChannelError on every send until `.heal()` is called."""

    class Flaky:
        code = "flaky"

        def __init__(self) -> None:
            self.calls = 0
            self.healthy = False

        def heal(self) -> None:
            self.healthy = True

        def send(self, notification) -> None:
            self.calls += 1
            if not self.healthy:
                raise channels.ChannelError("网关超时")

    flaky = Flaky()
    channels.register(flaky)
    yield flaky
    channels.REGISTRY.pop("flaky", None)
