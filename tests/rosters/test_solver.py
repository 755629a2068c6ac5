"""The pure solver: coverage (ATT-02, ATT-17/34), quotas (ATT-08, LEV-04), determinism, month ends, holidays."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicecenter.rosters.policies import rest_quota
from servicecenter.rosters.solver import DayInput, Problem, ShiftOption, StaffInput, propose, validate

EARLY = ShiftOption("EARLY", "早班", ((510, 990),), check_hours=True)
LATE = ShiftOption("LATE", "晚班", ((720, 1200),), check_hours=True)
R24 = ShiftOption("R24", "24小时", ((480, 1920),))
DAY8 = ShiftOption("D8", "白班", ((510, 990),))
SPLIT = ShiftOption("SPLIT", "政务大厅班", ((510, 690), (870, 1050)))


def month(first: date, intervals=((510, 1200),), closed=()) -> tuple[DayInput, ...]:
    days = []
    d = first
    while d.month == first.month:
        days.append(DayInput(d, () if d in closed else intervals))
        d += timedelta(days=1)
    return tuple(days)


def people(n: int, quota: int = 6, **unavailable) -> tuple[StaffInput, ...]:
    return tuple(
        StaffInput(i, f"S{i:03d}", f"员工{i}", quota, frozenset(unavailable.get(f"s{i}", ()))) for i in range(1, n + 1)
    )


def errors(problem, assignment):
    return [c for c in validate(problem, assignment) if c.severity == "error"]


@pytest.mark.smoke
@pytest.mark.clause("ATT-02")
@pytest.mark.clause("ATT-08")
def test_station_month_is_covered_and_quotas_met():
    problem = Problem(people(6), month(date(2026, 3, 1)), (EARLY, LATE))
    proposal = propose(problem)
    assert proposal.unmet == []
    assert validate(problem, proposal.assignment) == []
    for p in problem.staff:
        rests = [d for d in problem.days if proposal.assignment[(p.id, d.day)] is None]
        assert len(rests) == 6
        assert all(proposal.reasons[(p.id, d.day)].count("ATT-08") for d in rests)


def test_same_input_same_output():
    problem = Problem(people(7), month(date(2026, 2, 1)), (EARLY, LATE), min_staff=2)
    assert propose(problem).assignment == propose(problem).assignment


@pytest.mark.clause("ATT-02")
def test_gap_is_listed_with_time_day_and_clause():
    problem = Problem(people(2), month(date(2026, 3, 1)), (EARLY, LATE))
    assignment = {(1, date(2026, 3, 1)): "EARLY", (2, date(2026, 3, 1)): None}
    gaps = [c for c in errors(problem, assignment) if c.day == date(2026, 3, 1)]
    assert gaps[0].start == 990 and gaps[0].end == 1200
    assert "16:30–20:00" in gaps[0].message and gaps[0].clause == "ATT-02"


@pytest.mark.clause("ATT-02")
def test_coverage_wins_over_rest_when_short_handed():
    problem = Problem(people(2), month(date(2026, 4, 1)), (EARLY, LATE))
    proposal = propose(problem)
    assert errors(problem, proposal.assignment) == []
    assert any(c.kind == "rest_quota" and "ATT-02" in c.message for c in proposal.unmet)


@pytest.mark.clause("ATT-08")
@pytest.mark.clause("LEV-04")
def test_personal_leave_reduces_the_quota():
    assert rest_quota(quota=6, personal_days=0)[0] == 6
    assert rest_quota(quota=6, personal_days=2)[0] == 4
    assert rest_quota(quota=6, personal_days=1.5)[0] == 4  # half day left over is not a rest day
    assert rest_quota(quota=6, personal_days=9)[0] == 0


@pytest.mark.clause("ATT-08")
def test_too_many_and_too_few_rest_days_warn():
    problem = Problem(people(1), month(date(2026, 3, 1)), (EARLY,))
    assignment = {(1, d.day): "EARLY" for d in problem.days}
    [warning] = [c for c in validate(problem, assignment) if c.kind == "rest_quota"]
    assert "少 6 天" in warning.message


def test_leave_days_are_not_scheduled_and_flagged_when_edited():
    leave = {date(2026, 3, 10), date(2026, 3, 11)}
    problem = Problem(people(5, s1=leave), month(date(2026, 3, 1)), (EARLY, LATE))
    proposal = propose(problem)
    assert all((1, d) not in proposal.assignment for d in leave)
    edited = dict(proposal.assignment)
    edited[(1, date(2026, 3, 10))] = "EARLY"
    assert any(c.kind == "on_leave" for c in validate(problem, edited))


@pytest.mark.clause("ATT-17")
@pytest.mark.clause("ATT-34")
def test_round_the_clock_month_has_no_gap_with_carry_in():
    problem = Problem(people(6), month(date(2026, 1, 1), ((0, 1440),)), (DAY8, R24), carry_in=((0, 480),))
    proposal = propose(problem)
    assert errors(problem, proposal.assignment) == []
    # nobody works the day after a 24-hour shift
    for p in problem.staff:
        for d in problem.days[:-1]:
            if proposal.assignment.get((p.id, d.day)) == "R24":
                assert (p.id, d.day + timedelta(days=1)) not in proposal.assignment


@pytest.mark.clause("ATT-17")
def test_round_the_clock_without_carry_in_reports_first_night():
    problem = Problem(people(6), month(date(2026, 1, 1), ((0, 1440),)), (DAY8, R24))
    gaps = errors(problem, propose(problem).assignment)
    assert [(g.day, g.start, g.end) for g in gaps] == [(date(2026, 1, 1), 0, 480)]
    assert gaps[0].clause == "ATT-17/ATT-34"


def test_gov_hall_closed_days_need_nobody():
    # 2026-02: Spring Festival holidays closed, make-up workday Saturday 2026-02-14 open
    closed = {date(2026, 2, d) for d in (1, 7, 8, 15, 16, 17, 18, 19, 20, 21, 22, 23, 28)}
    problem = Problem(people(3), month(date(2026, 2, 1), ((510, 690), (870, 1050)), closed), (SPLIT,))
    proposal = propose(problem)
    assert errors(problem, proposal.assignment) == []
    assert any(proposal.assignment.get((p.id, date(2026, 2, 14))) == "SPLIT" for p in problem.staff)


@pytest.mark.clause("ATT-07")
def test_eight_hour_flag_only_where_configured():
    six = ShiftOption("SIX", "六小时", ((510, 870),), check_hours=True)
    problem = Problem(people(1, quota=0), month(date(2026, 3, 1), ((510, 870),)), (six, SPLIT))
    assignment = {(1, d.day): "SIX" for d in problem.days}
    assert [c.kind for c in validate(problem, assignment)] == ["workday_hours"]
    hall = Problem(people(1, quota=0), month(date(2026, 3, 1), ((510, 690), (870, 1050))), (SPLIT,))
    assignment = {(1, d.day): "SPLIT" for d in hall.days}
    assert validate(hall, assignment) == []


def test_month_end_overnight_spill_is_not_lost():
    problem = Problem(people(4), month(date(2026, 2, 1), ((0, 1440),)), (R24,), carry_in=((0, 480),))
    proposal = propose(problem)
    assert errors(problem, proposal.assignment) == []
    assert sum(1 for p in problem.staff if proposal.assignment.get((p.id, date(2026, 2, 28))) == "R24") == 1


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=12),
    min_staff=st.integers(min_value=1, max_value=2),
    quota=st.integers(min_value=0, max_value=8),
    first=st.sampled_from([date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)]),
    leave=st.lists(st.tuples(st.integers(1, 12), st.integers(0, 27)), max_size=12),
    closed=st.sets(st.integers(0, 27), max_size=4),
)
@pytest.mark.clause("ATT-02")
def test_property_no_gap_when_feasible(n, min_staff, quota, first, leave, closed):
    """Whenever every open day has enough people not on leave for its slots (early + late, × min staff), the
    proposal leaves no ATT-02 gap; and the same input gives the same output."""
    off: dict[str, set[date]] = {}
    for who, offset in leave:
        if who <= n:
            off.setdefault(f"s{who}", set()).add(first + timedelta(days=offset))
    shut = {first + timedelta(days=o) for o in closed}
    problem = Problem(people(n, quota, **off), month(first, closed=shut), (EARLY, LATE), min_staff=min_staff)
    proposal = propose(problem)
    feasible = all(
        sum(1 for p in problem.staff if d.day not in p.unavailable) >= 2 * min_staff
        for d in problem.days
        if d.intervals
    )
    if feasible:
        assert errors(problem, proposal.assignment) == []
    assert propose(problem).assignment == proposal.assignment


@pytest.mark.clause("ATT-08")
def test_closed_days_are_rest_days_and_count_against_the_quota():
    closed = {date(2026, 2, d) for d in (1, 7, 8, 15, 16, 17, 18, 19, 20, 21, 22, 23, 28)}
    problem = Problem(people(3), month(date(2026, 2, 1), ((510, 690), (870, 1050)), closed), (SPLIT,))
    proposal = propose(problem)
    for p in problem.staff:
        rests = {d.day for d in problem.days if proposal.assignment.get((p.id, d.day), "x") is None}
        assert rests == closed  # 13 closed days ≥ quota 6: no further rest on open days
    assert validate(problem, proposal.assignment) == []
    # a station closed one day (override) still gives 6 rest days in all, the closed day among them
    station = Problem(people(4), month(date(2026, 3, 1), closed={date(2026, 3, 8)}), (EARLY, LATE))
    result = propose(station)
    for p in station.staff:
        rests = {d.day for d in station.days if result.assignment.get((p.id, d.day), "x") is None}
        assert len(rests) == 6 and date(2026, 3, 8) in rests
    assert validate(station, result.assignment) == []


def test_empty_cells_warn_except_leave_and_the_day_after_a_24_hour_shift():
    problem = Problem(people(2, quota=0, s2={date(2026, 3, 3)}), month(date(2026, 3, 1), ((0, 1440),)), (R24,))
    assignment = {(1, d.day): ("R24" if d.day.day % 2 else None) for d in problem.days}
    assignment.update({(2, d.day): ("R24" if d.day.day % 2 == 0 else None) for d in problem.days})
    del assignment[(1, date(2026, 3, 2))]  # after 1st's 24-h shift: fine
    del assignment[(2, date(2026, 3, 3))]  # on leave: fine
    del assignment[(2, date(2026, 3, 6))]  # a real hole (the 5th was a rest day)
    unassigned = [c for c in validate(problem, assignment) if c.kind == "unassigned"]
    assert [(c.staff_id, c.day) for c in unassigned] == [(2, date(2026, 3, 6))]
