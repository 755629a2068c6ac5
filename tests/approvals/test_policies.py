"""The pure rules of the approvals engine, one boundary at a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from servicecenter.approvals.policies import (
    NO_RULE_MESSAGE,
    Route,
    active_delegation,
    choose_approver,
    comment_required,
    decide_authority,
    general_request_route,
    notice_recipients,
    reminder_due,
    route_from_bands,
)
from servicecenter.policy.presets import PRESETS
from servicecenter.policy.registry import get_spec

D01_BANDS = get_spec("leave.approval_bands").default
D19_BANDS = PRESETS["gov_hall"].values["leave.approval_bands"]


@pytest.mark.clause("C-03")
@pytest.mark.parametrize(
    ("days", "steps", "notify", "flag"),
    [
        ("0.5", ("center_manager",), (), ""),
        ("1", ("center_manager",), (), ""),
        ("1.5", ("ops_center_gm",), ("channel_department",), ""),
        ("3", ("ops_center_gm",), ("channel_department",), ""),
        # D01 names no approver for 4–6 days: the highest band approves, flagged "no rule".
        ("3.5", ("ops_center_gm",), ("channel_department",), "no_rule"),
        ("6", ("ops_center_gm",), ("channel_department",), "no_rule"),
    ],
)
def test_d01_leave_bands_route_by_length(days, steps, notify, flag):
    # when
    route = route_from_bands(quantity=Decimal(days), bands=D01_BANDS)
    # then
    assert (route.steps, route.notify, route.flag, route.clause) == (steps, notify, flag, "C-03")
    assert route.message == (NO_RULE_MESSAGE if flag else "")


@pytest.mark.clause("C-03")
def test_no_rule_message_tells_to_configure_bands():
    route = route_from_bands(quantity=Decimal("5"), bands=D01_BANDS)
    assert route.message == "无匹配规则，已送最高审批人，请配置审批档"


@pytest.mark.clause("C-03")
@pytest.mark.parametrize(
    ("days", "steps", "form"),
    [
        ("0.5", ("leader_in_charge",), ""),
        ("1", ("leader_in_charge",), ""),
        # D19 says nothing for 1 < x < 2 days; the gov-hall preset's last band has no upper limit, so the gap
        # goes to the principal leader — the same person C-03's fallback would choose.
        ("1.5", ("principal_leader",), "written"),
        ("2", ("principal_leader",), "written"),
        ("10", ("principal_leader",), "written"),
    ],
)
def test_d19_gov_hall_bands_close_the_one_to_two_day_gap(days, steps, form):
    route = route_from_bands(quantity=Decimal(days), bands=D19_BANDS)
    assert route.steps == steps
    assert route.notify == ("party_gov_office",)
    assert route.form == form
    assert route.flag == ""


@pytest.mark.clause("C-03")
def test_d19_gap_without_open_band_falls_back_to_highest_band_with_flag():
    # given the D19 ladder written with an explicit ceiling on the second band (≥2 days up to 30)
    bands = [
        {"max_days": "1", "approvers": ["leader_in_charge"], "notify": [], "form": ""},
        {"max_days": "30", "approvers": ["principal_leader"], "notify": [], "form": "written"},
    ]
    # when a request exceeds every band
    route = route_from_bands(quantity=Decimal("31"), bands=bands)
    # then it goes to the highest band's approver, flagged
    assert route.steps == ("principal_leader",)
    assert route.flag == "no_rule"


def test_bands_refuse_negative_quantity_and_empty_bands():
    with pytest.raises(ValueError):
        route_from_bands(quantity=Decimal("-1"), bands=D01_BANDS)
    with pytest.raises(ValueError):
        route_from_bands(quantity=Decimal("1"), bands=[])


def test_route_needs_a_step():
    with pytest.raises(ValueError):
        Route(steps=())


@pytest.mark.clause("ORG-05")
@pytest.mark.parametrize(
    ("amount", "steps"),
    [
        (None, ("center_manager",)),
        ("0", ("center_manager",)),
        ("2000", ("center_manager",)),
        ("2000.01", ("center_manager", "ops_center_gm")),
        ("50000", ("center_manager", "ops_center_gm")),
    ],
)
def test_general_request_route_by_amount(amount, steps):
    route = general_request_route(amount=Decimal(amount) if amount else None, manager_limit=Decimal("2000"))
    assert route.steps == steps
    assert route.clause == "ORG-05"


@pytest.mark.clause("C-11", "ORG-05")
def test_choose_approver_takes_nearest_holder_and_never_the_requester():
    holders = {"center_manager": [[10, 11], [20]], "ops_center_gm": [[30]]}
    # nearest level, first holder
    assert choose_approver(role_code="center_manager", holders=holders, requester_id=1, escalation={}).user_id == 10
    # the requester is passed over for the next holder at the same level
    assert choose_approver(role_code="center_manager", holders=holders, requester_id=10, escalation={}).user_id == 11
    # … or up the tree
    only_up = {"center_manager": [[10], [20]]}
    assert choose_approver(role_code="center_manager", holders=only_up, requester_id=10, escalation={}).user_id == 20


@pytest.mark.clause("ORG-05")
def test_requester_only_holder_escalates_or_skips_when_next_step_covers_it():
    holders = {"center_manager": [[10]], "ops_center_gm": [[30]]}
    escalation = {"center_manager": "ops_center_gm"}
    up = choose_approver(role_code="center_manager", holders=holders, requester_id=10, escalation=escalation)
    assert (up.role_code, up.user_id, up.skip) == ("ops_center_gm", 30, False)
    assert "上报" in up.note
    skip = choose_approver(
        role_code="center_manager",
        holders=holders,
        requester_id=10,
        escalation=escalation,
        later_roles=["ops_center_gm"],
    )
    assert skip.skip and skip.user_id is None


@pytest.mark.clause("C-11")
def test_nobody_holding_the_role_is_flagged_no_approver():
    choice = choose_approver(
        role_code="principal_leader", holders={}, requester_id=1, escalation={"center_manager": "ops_center_gm"}
    )
    assert (choice.user_id, choice.flag) == (None, "no_approver")


@pytest.mark.clause("ORG-13")
def test_active_delegation_window_is_start_inclusive_end_exclusive():
    start = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    d = SimpleNamespace(pk=1, is_active=True, starts_at=start, ends_at=start + timedelta(days=2), delegate_id=7)
    assert active_delegation(delegations=[d], at=start - timedelta(seconds=1)) is None
    assert active_delegation(delegations=[d], at=start) is d
    assert active_delegation(delegations=[d], at=d.ends_at - timedelta(seconds=1)) is d
    assert active_delegation(delegations=[d], at=d.ends_at) is None
    # never to the requester
    assert active_delegation(delegations=[d], at=start, requester_id=7) is None
    # the newest of two overlapping delegations wins; a deactivated one is ignored
    later = SimpleNamespace(
        pk=2, is_active=True, starts_at=start + timedelta(hours=1), ends_at=d.ends_at, delegate_id=8
    )
    off = SimpleNamespace(pk=3, is_active=False, starts_at=start + timedelta(hours=2), ends_at=d.ends_at, delegate_id=9)
    assert active_delegation(delegations=[d, later, off], at=start + timedelta(hours=3)) is later


@pytest.mark.clause("ORG-13")
def test_decide_authority():
    # the assignee, in their own right or for their principal
    assert decide_authority(actor_id=5, requester_id=1, assignee_id=5, acting_for_id=None).on_behalf_of_id is None
    assert decide_authority(actor_id=5, requester_id=1, assignee_id=5, acting_for_id=4).on_behalf_of_id == 4
    # the principal back early
    back = decide_authority(actor_id=4, requester_id=1, assignee_id=5, acting_for_id=4)
    assert back.allowed and back.on_behalf_of_id is None
    # a current delegate of the assignee acts for them
    stand_in = decide_authority(actor_id=6, requester_id=1, assignee_id=5, acting_for_id=None, delegators_of_actor={5})
    assert stand_in.allowed and stand_in.on_behalf_of_id == 5
    # anybody else, or the requester, may not
    assert not decide_authority(actor_id=9, requester_id=1, assignee_id=5, acting_for_id=None).allowed
    assert not decide_authority(actor_id=1, requester_id=1, assignee_id=1, acting_for_id=None).allowed


def test_comment_required_for_reject_and_return_only():
    assert comment_required("reject") and comment_required("return") and not comment_required("approve")


@pytest.mark.clause("ORG-06")
def test_notice_recipients():
    assert notice_recipients(event="submitted", requester_id=1, notice_user_ids=[7, 8]) == [7, 8]
    assert notice_recipients(event="decided", requester_id=1, notice_user_ids=[7, 1]) == [1, 7]
    assert notice_recipients(event="returned", requester_id=1, notice_user_ids=[7]) == [1]
    with pytest.raises(ValueError):
        notice_recipients(event="other", requester_id=1, notice_user_ids=[])


def test_reminder_due_every_interval():
    t0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    assert not reminder_due(activated_at=t0, last_reminded_at=None, hours=24, now=t0 + timedelta(hours=23, minutes=59))
    assert reminder_due(activated_at=t0, last_reminded_at=None, hours=24, now=t0 + timedelta(hours=24))
    last = t0 + timedelta(hours=24)
    assert not reminder_due(activated_at=t0, last_reminded_at=last, hours=24, now=last)
    assert reminder_due(activated_at=t0, last_reminded_at=last, hours=24, now=last + timedelta(hours=24))
