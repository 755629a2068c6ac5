"""Services and the contract selectors of the rosters app (PostgreSQL and SQLite)."""

from __future__ import annotations

from datetime import date, time

import pytest

from servicecenter.approvals import services as approvals
from servicecenter.core.errors import Conflict, NotAllowed, ValidationFailed
from servicecenter.rosters import selectors, services
from servicecenter.rosters.models import Roster, RosterEntry, RosterStatus, SwapStatus
from tests import factories

from .conftest import MONTH


@pytest.mark.smoke
@pytest.mark.clause("ATT-09")
@pytest.mark.clause("ATT-02")
def test_manager_generates_and_publishes(published, crew):
    assert published.status == RosterStatus.PUBLISHED and published.version == 1
    shifts = selectors.scheduled_shifts(start=MONTH, end=date(2026, 3, 31), organization=published.organization)
    rests = selectors.rest_days(start=MONTH, end=date(2026, 3, 31), organization=published.organization)
    assert {s.shift_code for s in shifts} <= {"EARLY", "LATE"}
    assert all(len(rests[s.pk]) == 6 for s in crew)
    first = next(s for s in shifts if s.shift_code == "EARLY")
    start, end = first.periods[0]
    assert start.tzinfo is not None and (start.hour, start.minute) == (8, 30) and (end.hour, end.minute) == (16, 30)
    assert first.early_arrival_minutes == 0  # ATT-18 is the call center rule: the station preset says 0
    assert not first.on_call and "ATT-09" in first.citation and "ATT-18" in first.citation


def test_publish_refused_with_coverage_gaps(station, manager_a, crew, frozen):
    draft = services.roster_open_draft(actor=manager_a.user, organization=station, month=MONTH)
    services.roster_set_cell(actor=manager_a.user, roster_id=draft.pk, staff_id=crew[0].pk, day=MONTH, value="EARLY")
    with pytest.raises(ValidationFailed) as exc:
        services.roster_publish(actor=manager_a.user, roster_id=draft.pk, confirm_warnings=True)
    assert "16:30–20:00" in exc.value.message and exc.value.clause == "ATT-02"


def test_publish_warnings_need_confirmation(station, manager_a, frozen):
    draft = services.roster_open_draft(actor=manager_a.user, organization=station, month=MONTH)
    services.roster_propose(actor=manager_a.user, roster_id=draft.pk)
    # a manual change that leaves someone with 7 rest days
    entry = RosterEntry.objects.filter(roster=draft, shift__isnull=False).order_by("day").last()
    services.roster_set_cell(
        actor=manager_a.user, roster_id=draft.pk, staff_id=entry.staff_id, day=entry.day, value="REST"
    )
    if not services.roster_conflicts(draft):
        pytest.skip("the change happened to create no warning")
    errors = [c for c in services.roster_conflicts(draft) if c.severity == "error"]
    if errors:
        pytest.skip("the change uncovered an interval")
    with pytest.raises(services.ConfirmationRequired):
        services.roster_publish(actor=manager_a.user, roster_id=draft.pk)
    assert services.roster_publish(actor=manager_a.user, roster_id=draft.pk, confirm_warnings=True).publish_warnings


def test_new_version_supersedes_and_keeps_history(published, manager_a, crew):
    draft = services.roster_open_draft(actor=manager_a.user, organization=published.organization, month=MONTH)
    assert draft.version == 2 and draft.entries.count() == published.entries.count()
    with pytest.raises(Conflict):
        services.roster_set_cell(
            actor=manager_a.user, roster_id=published.pk, staff_id=crew[0].pk, day=MONTH, value="REST"
        )
    services.roster_publish(actor=manager_a.user, roster_id=draft.pk, confirm_warnings=True)
    published.refresh_from_db()
    assert published.status == RosterStatus.SUPERSEDED
    assert Roster.objects.filter(organization=published.organization, month=MONTH).count() == 2


def test_only_managers_build(station, crew, frozen):
    with pytest.raises(NotAllowed):
        services.roster_open_draft(actor=crew[0].user, organization=station, month=MONTH)


@pytest.mark.clause("ATT-20")
def test_swap_needs_consent_then_approval(published, crew, manager_a):
    roster_entries = {(e.staff_id, e.day): e for e in published.entries.select_related("shift")}
    day = next(
        d
        for d in (date(2026, 3, n) for n in range(1, 32))
        if (roster_entries[(crew[0].pk, d)].shift_id != roster_entries[(crew[1].pk, d)].shift_id)
    )
    swap = services.swap_request(actor=crew[0].user, counterpart_id=crew[1].pk, requester_day=day, reason="家中有事")
    assert swap.status == SwapStatus.AWAITING_CONSENT
    with pytest.raises(NotAllowed):
        services.swap_consent(actor=crew[0].user, swap_id=swap.pk, accept=True)  # not self-arranged
    swap = services.swap_consent(actor=crew[1].user, swap_id=swap.pk, accept=True)
    assert swap.status == SwapStatus.PENDING_APPROVAL and swap.approval is not None
    assert selectors.published_roster(organization=published.organization, month=MONTH).pk == published.pk
    step = swap.approval.steps.get(order=swap.approval.current_step_order)
    approvals.step_decide(actor=manager_a.user, step_id=step.pk, decision="approve", comment="同意")
    swap.refresh_from_db()
    assert swap.status == SwapStatus.APPROVED
    new = selectors.published_roster(organization=published.organization, month=MONTH)
    assert new.version == 2 and swap.applied_roster_id == new.pk
    mine = RosterEntry.objects.get(roster=new, staff=crew[0], day=day)
    assert mine.shift_id == roster_entries[(crew[1].pk, day)].shift_id
    shifts = selectors.scheduled_shifts(start=day, end=day, staff_ids=[crew[0].pk])
    expected = roster_entries[(crew[1].pk, day)]
    assert [s.shift_code for s in shifts] == ([expected.shift.code] if expected.shift else [])


def test_swap_same_cells_refused(published, crew):
    entries = {(e.staff_id, e.day): e.shift_id for e in published.entries.all()}
    day = next(
        d for d in (date(2026, 3, n) for n in range(1, 32)) if entries[(crew[0].pk, d)] == entries[(crew[1].pk, d)]
    )
    with pytest.raises(ValidationFailed) as exc:
        services.swap_request(actor=crew[0].user, counterpart_id=crew[1].pk, requester_day=day, reason="x")
    assert exc.value.clause == "ATT-20"


@pytest.mark.clause("ATT-19")
def test_handover_acknowledged_by_incoming_only(station, crew):
    note = services.handover_create(
        actor=crew[0].user, to_staff_id=crew[1].pk, day=date(2026, 2, 20), open_orders="工单 #12 待上门"
    )
    with pytest.raises(NotAllowed):
        services.handover_acknowledge(actor=crew[2].user, note_id=note.pk)
    services.handover_acknowledge(actor=crew[1].user, note_id=note.pk)
    with pytest.raises(Conflict):
        services.handover_acknowledge(actor=crew[1].user, note_id=note.pk)
    with pytest.raises(ValidationFailed):
        services.handover_create(actor=crew[0].user, to_staff_id=crew[1].pk, day=date(2026, 2, 20))


@pytest.mark.clause("ATT-35")
@pytest.mark.clause("C-24")
def test_on_call_roster_is_separate(station, manager_a, crew):
    duty = services.on_call_add(
        actor=manager_a.user, organization=station, staff_id=crew[0].pk, day=date(2026, 3, 5), mobile="13800000000"
    )
    [shift] = selectors.scheduled_shifts(start=date(2026, 3, 5), end=date(2026, 3, 5), staff_ids=[crew[0].pk])
    assert shift.on_call and shift.early_arrival_minutes == 0 and "13800000000" in shift.citation
    assert shift.periods[0][1].time() == time(8, 30) and shift.periods[0][1].day == 6
    with pytest.raises(ValidationFailed):
        services.on_call_add(
            actor=manager_a.user, organization=station, staff_id=crew[1].pk, day=date(2026, 3, 5), mobile="abc"
        )
    services.on_call_withdraw(actor=manager_a.user, entry_id=duty.pk)
    assert selectors.scheduled_shifts(start=date(2026, 3, 5), end=date(2026, 3, 5), staff_ids=[crew[0].pk]) == []


@pytest.mark.clause("C-17")
def test_presets_per_center_type(tree, manager_b):
    created = services.templates_install_presets(actor=manager_b.user, organization=tree["b"])
    split = next(t for t in created if t.code == "SPLIT")
    assert split.periods == [["08:30", "11:30"], ["14:30", "17:30"]] and split.sign_in_window == [["08:00", "08:30"]]
    assert not split.check_workday_hours
    assert services.templates_install_presets(actor=manager_b.user, organization=tree["b"]) == []


def test_template_bad_input(station, manager_a):
    with pytest.raises(ValidationFailed) as exc:
        services.template_save(
            actor=manager_a.user, organization=station, code="X1", label="坏", periods=[["8点", "9"]]
        )
    assert "periods" in exc.value.fields


@pytest.mark.clause("LEV-04")
def test_approved_personal_leave_is_planned_around(station, manager_a, gm, crew, frozen):
    from servicecenter.leave import services as leave_services
    from servicecenter.rosters.inputs import planning_for

    worker = crew[0]
    leave = leave_services.leave_submit(
        actor=worker.user, kind="personal", start_date=date(2026, 3, 10), end_date=date(2026, 3, 11), reason="家中有事"
    )
    request = leave.approval_request
    while request.status == "pending":
        step = request.steps.get(order=request.current_step_order)
        approvals.step_decide(actor=step.assignee, step_id=step.pk, decision="approve")
        request.refresh_from_db()
    planned = {p.id: p for p in planning_for(organization=station, month=MONTH).problem.staff}[worker.pk]
    assert planned.rest_quota == 4 and "LEV-04" in planned.quota_note
    assert planned.unavailable == {date(2026, 3, 10), date(2026, 3, 11)}
    draft = services.roster_open_draft(actor=manager_a.user, organization=station, month=MONTH)
    services.roster_propose(actor=manager_a.user, roster_id=draft.pk)
    cells = {e.day: e for e in RosterEntry.objects.filter(roster=draft, staff=worker)}
    assert date(2026, 3, 10) not in cells and date(2026, 3, 11) not in cells
    assert sum(1 for e in cells.values() if e.shift_id is None) == 4


def test_contract_selectors_are_bounded(published, django_assert_max_num_queries):
    center = published.organization
    with django_assert_max_num_queries(5):
        shifts = selectors.scheduled_shifts(start=MONTH, end=date(2026, 3, 31), organization=center)
    with django_assert_max_num_queries(1):
        rests = selectors.rest_days(start=MONTH, end=date(2026, 3, 31), organization=center)
    assert len(shifts) + sum(len(v) for v in rests.values()) == published.entries.count()


@pytest.mark.clause("C-17")
def test_gov_hall_split_day_with_sign_in_window(tree, manager_b, frozen):
    hall = tree["b"]
    clerks = [factories.make_staff(hall, "window_staff", name=f"窗口{i}") for i in range(3)]
    services.templates_install_presets(actor=manager_b.user, organization=hall)
    draft = services.roster_open_draft(actor=manager_b.user, organization=hall, month=MONTH)
    services.roster_propose(actor=manager_b.user, roster_id=draft.pk)
    assert [c for c in services.roster_conflicts(draft)] == []  # weekends are rest days, 6-h day not flagged
    services.roster_publish(actor=manager_b.user, roster_id=draft.pk)
    [shift] = selectors.scheduled_shifts(start=date(2026, 3, 2), end=date(2026, 3, 2), staff_ids=[clerks[0].pk])
    (a1, b1), (a2, b2) = shift.periods
    assert (a1.time(), b1.time(), a2.time(), b2.time()) == (time(8, 30), time(11, 30), time(14, 30), time(17, 30))
    assert shift.sign_in_window is not None
    assert (shift.sign_in_window[0].time(), shift.sign_in_window[1].time()) == (time(8, 0), time(8, 30))
    rests = selectors.rest_days(start=MONTH, end=date(2026, 3, 31), staff_ids=[clerks[0].pk])[clerks[0].pk]
    assert date(2026, 3, 1) in rests and date(2026, 3, 7) in rests  # Sunday, Saturday


def test_approved_swap_reaches_an_open_draft(published, crew, manager_a):
    draft = services.roster_open_draft(actor=manager_a.user, organization=published.organization, month=MONTH)
    cells = {(e.staff_id, e.day): e.shift_id for e in published.entries.all()}
    day = next(d for d in (date(2026, 3, n) for n in range(1, 32)) if cells[(crew[0].pk, d)] != cells[(crew[1].pk, d)])
    swap = services.swap_request(actor=crew[0].user, counterpart_id=crew[1].pk, requester_day=day, reason="换班")
    swap = services.swap_consent(actor=crew[1].user, swap_id=swap.pk, accept=True)
    step = swap.approval.steps.get(order=swap.approval.current_step_order)
    approvals.step_decide(actor=manager_a.user, step_id=step.pk, decision="approve")
    assert RosterEntry.objects.get(roster=draft, staff=crew[0], day=day).shift_id == cells[(crew[1].pk, day)]
    assert RosterEntry.objects.get(roster=draft, staff=crew[1], day=day).shift_id == cells[(crew[0].pk, day)]
