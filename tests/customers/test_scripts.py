"""The call script of the intake page: opening and closing templates (CON-07, CON-10), holiday greetings in force
(CON-08, CON-09) with the statutory holiday period as the default window (G-12)."""

from __future__ import annotations

from datetime import date

import pytest

from servicecenter.core.errors import NotAllowed, ValidationFailed
from servicecenter.customers import policies, selectors, services
from servicecenter.policy.services import parameter_set
from servicecenter.policy.values import local_today

pytestmark = pytest.mark.django_db


def _script(center, day):
    windows = selectors.greeting_windows_around(organization=center, day=day)
    return policies.call_script(organization=center, staff_no="GC002", day=day, windows=windows)


@pytest.mark.clause("CON-07", "CON-10")
def test_opening_and_closing_fill_brand_staff_number_and_hotline(tree, manager_a):
    center = tree["a"]
    plain = _script(center, date(2026, 12, 1))
    assert plain.opening == f"您好，{center.name}报修（GC002号）为您服务"  # no brand set: the center's name
    assert "热线号码未设置" in plain.closing
    today = local_today(center)
    for key, value in (("scripts.brand", "暖心供暖"), ("callbacks.hotline_number", "96000")):
        parameter_set(
            actor=manager_a.user, key=key, organization=center, value=value, effective_from=today, reason="中心设置"
        )
    script = _script(center, today)
    assert script.opening == "您好，暖心供暖报修（GC002号）为您服务"
    assert "96000" in script.closing and script.closing.startswith("感谢您的合作")


@pytest.mark.clause("CON-09", "CON-08", "G-12")
def test_greeting_follows_the_statutory_period_until_a_notice_sets_the_window(tree, manager_a):
    center = tree["a"]
    # G-12: no window entered — the statutory National Day period (2026-10-01…07) is the default
    assert _script(center, date(2026, 10, 3)).greeting == "国庆节快乐！"
    assert _script(center, date(2026, 10, 9)).greeting == ""
    # CON-09: the notice says 09-30 to 10-04 — the greeting switches on inside that window only
    services.greeting_window_create(
        actor=manager_a.user,
        organization=center,
        holiday="national_day",
        starts_on="2026-09-30",
        ends_on="2026-10-04",
        note="2026 国庆节通知",
    )
    assert _script(center, date(2026, 9, 29)).greeting == ""
    inside = _script(center, date(2026, 9, 30))
    assert inside.greeting == "国庆节快乐！" and "CON-09" in inside.greeting_reason
    assert _script(center, date(2026, 10, 4)).greeting == "国庆节快乐！"
    assert _script(center, date(2026, 10, 6)).greeting == ""  # the notice governs, not the statutory period


@pytest.mark.clause("CON-09")
def test_a_window_may_carry_its_own_text_and_only_script_setters_enter_windows(tree, manager_a, clerk_a):
    center = tree["a"]
    with pytest.raises(NotAllowed):
        services.greeting_window_create(
            actor=clerk_a.user,
            organization=center,
            holiday="spring_festival",
            starts_on="2027-02-01",
            ends_on="2027-02-10",
        )
    with pytest.raises(ValidationFailed):
        services.greeting_window_create(
            actor=manager_a.user,
            organization=center,
            holiday="spring_festival",
            starts_on="2027-02-10",
            ends_on="2027-02-01",
        )
    window = services.greeting_window_create(
        actor=manager_a.user,
        organization=center,
        holiday="spring_festival",
        starts_on="2027-02-01",
        ends_on="2027-02-12",
        greeting="过年好！",
    )
    assert _script(center, date(2027, 2, 2)).greeting == "过年好！"
    services.greeting_window_deactivate(actor=manager_a.user, window_id=window.pk)
    assert _script(center, date(2027, 2, 2)).greeting == ""
