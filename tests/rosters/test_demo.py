"""The rosters part of the demo: two published months per demo center, a pending swap, a handover; loaded once."""

from __future__ import annotations

from datetime import date

import pytest

from servicecenter.rosters.demo import load_demo
from servicecenter.rosters.models import HandoverNote, Roster, SwapRequest
from tests import factories


@pytest.mark.smoke
def test_demo_rosters_are_loaded_once(tree, manager_a, manager_b, crew, frozen):
    hall = [factories.make_staff(tree["b"], "window_staff", name=f"窗口{i}") for i in range(3)]
    people = {s.staff_no: s for s in (manager_a, manager_b, *crew, *hall)}
    assert load_demo(centers=[tree["a"], tree["b"]], people=people) == 4
    assert load_demo(centers=[tree["a"], tree["b"]], people=people) == 0
    months = set(Roster.objects.filter(status="published").values_list("organization_id", "month"))
    assert months == {(tree[c].pk, m) for c in ("a", "b") for m in (date(2026, 1, 1), date(2026, 2, 1))}
    assert SwapRequest.objects.filter(status="awaiting_consent").count() == 1
    assert HandoverNote.objects.count() == 1
