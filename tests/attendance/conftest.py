from __future__ import annotations

import pytest

from servicecenter.attendance import inputs

from .fakes import FakeRoster


@pytest.fixture
def roster(monkeypatch) -> FakeRoster:
    """Stub the roster and leave inputs of the attendance app with in-memory shifts, rest days and absences."""
    fake = FakeRoster()
    monkeypatch.setattr(inputs, "scheduled_shifts", fake.scheduled_shifts)
    monkeypatch.setattr(inputs, "rest_days", fake.rest_days)
    monkeypatch.setattr(inputs, "approved_absences", fake.approved_absences)
    return fake
