"""The roster proposal solver and the roster validation (pure Python: no ORM, no Django).

Input (`Problem`): the staff (ordered by staff number: the tie-break everywhere), the days of the month with their
business intervals (from the business calendar: minutes from the local midnight, `(0, 1440)` round the clock), the
shift templates (minute offsets from the start day's midnight, an end past 1440 = the shift ends the next day),
per-staff unavailable days (approved leave), per-staff rest quota (`attendance.monthly_rest_days` − personal
leave days, ATT-08 / LEV-04), the minimum staff on duty (ATT-02) and the coverage carried in from the previous
month's last night (a 24-h shift that started on the last day of the previous month).

Output (`Proposal`): one cell per (staff, day) — a template code, `None` for a rest day (排休) or no cell (not
scheduled: on leave, or the day after a 24-hour shift) — with a reason string per rest day and per empty cell,
and the list of unmet constraints (each a `Conflict` with its clause ID).

Method (greedy + repair, deterministic; documented in docs/rosters.md):

1. **Demand.** For each day, a greedy cover of its business intervals, `min_staff` deep: repeatedly take the
   template that covers the most still-uncovered demand minutes (ties: fewer paid minutes, then template order)
   until every business minute has `min_staff` people, or no template helps (→ an ATT-02 gap, reported). Minutes
   covered by yesterday's overnight shifts count.
2. **Rest days.** Round robin over the staff (staff number order): each round every staff member who still has
   rest to place gets one rest day on the day that keeps coverage possible (available people − people resting
   − demand > 0) and is closest to the staff member's evenly spaced ideal position (staggered per person so
   that rests spread across the month), ties → more slack, then the earlier day.
3. **Assignment.** Day by day: the demand slots are filled by the working people (not resting, not on leave,
   not coming off an overnight shift) with the fewest shifts of that template so far (ties: rotation by day,
   then staff number); the remaining working people get the day's non-overnight templates in turn.
4. **Repair.** When a day lacks people, a resting person's rest day is moved to a later day with slack (reason
   recorded); when none can move, the rest day is cancelled (ATT-08 unmet, ATT-02 kept: coverage wins).

`validate()` is the same check the editor runs after each click: coverage gaps (day, time, clause), too many or
too few rest days, shifts on approved-leave days, templates flagged by the 8-hour rule (ATT-07).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from servicecenter.core.policy import implements

DAY = 1440

Cell = str | None  # a template code, or None for a rest day
Assignment = dict[tuple[int, date], Cell]


@dataclass(frozen=True)
class StaffInput:
    id: int
    number: str
    name: str
    rest_quota: int
    unavailable: frozenset[date] = frozenset()
    quota_note: str = ""


@dataclass(frozen=True)
class ShiftOption:
    code: str
    label: str
    offsets: tuple[tuple[int, int], ...]
    counts_for_coverage: bool = True
    check_hours: bool = False
    on_call: bool = False

    @property
    def minutes(self) -> int:
        return sum(b - a for a, b in self.offsets)

    @property
    def overnight(self) -> bool:
        return any(b > DAY for _, b in self.offsets)


@dataclass(frozen=True)
class DayInput:
    day: date
    intervals: tuple[tuple[int, int], ...]  # business minutes from local midnight
    note: str = ""

    @property
    def round_the_clock(self) -> bool:
        return self.intervals == ((0, DAY),)


@dataclass(frozen=True)
class Problem:
    staff: tuple[StaffInput, ...]
    days: tuple[DayInput, ...]
    shifts: tuple[ShiftOption, ...]
    min_staff: int = 1
    workday_minutes: int | None = 480
    carry_in: tuple[tuple[int, int], ...] = ()  # coverage of day 1 by last month's overnight shifts
    coverage_clause: str = "ATT-02"
    quota_clause: str = "ATT-08"


@dataclass(frozen=True)
class Conflict:
    kind: str  # coverage | rest_quota | on_leave | unassigned | workday_hours | unknown_shift
    severity: str  # error (blocks publishing) | warning (needs a confirmation)
    clause: str
    message: str
    day: date | None = None
    staff_id: int | None = None
    start: int | None = None  # minutes from the day's midnight
    end: int | None = None


@dataclass
class Proposal:
    assignment: Assignment
    reasons: dict[tuple[int, date], str] = field(default_factory=dict)
    unmet: list[Conflict] = field(default_factory=list)


MIN_REST_MINUTES = 480
"""Preferred rest between two shifts of one person (a tie-break, not a rule: an evening shift is not followed by
the next night's 00:00 shift when someone else can take it)."""


def _start(option: ShiftOption) -> int:
    return min(a for a, _ in option.offsets)


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# ----------------------------------------------------------------------------------------------- coverage


def _segments(day: DayInput, extra: Sequence[int]) -> list[tuple[int, int, bool]]:
    """The day cut at every boundary: (start, end, is_business)."""
    points = {0, DAY}
    for a, b in day.intervals:
        points.update((a, b))
    points.update(p for p in extra if 0 < p < DAY)
    ordered = sorted(points)
    result = []
    for a, b in zip(ordered, ordered[1:], strict=False):
        business = any(s <= a and b <= e for s, e in day.intervals)
        result.append((a, b, business))
    return result


def _boundaries(shifts: Sequence[ShiftOption], carried: Sequence[tuple[int, int]]) -> list[int]:
    points: list[int] = []
    for option in shifts:
        for a, b in option.offsets:
            points.extend((a, b, a - DAY, b - DAY))
    for a, b in carried:
        points.extend((a, b))
    return points


def _count(segment: tuple[int, int], intervals: Sequence[tuple[int, int]]) -> int:
    a, b = segment
    return sum(1 for s, e in intervals if s <= a and b <= e)


def _day_intervals(option: ShiftOption) -> list[tuple[int, int]]:
    return [(a, min(b, DAY)) for a, b in option.offsets if a < DAY]


def _spill(option: ShiftOption) -> list[tuple[int, int]]:
    return [(max(a, DAY) - DAY, b - DAY) for a, b in option.offsets if b > DAY]


def day_demand(
    day: DayInput, shifts: Sequence[ShiftOption], carried: Sequence[tuple[int, int]], min_staff: int
) -> tuple[list[ShiftOption], list[tuple[int, int, int]]]:
    """Step 1: the templates a day needs (greedy cover, `min_staff` deep) and the gaps no template can fill
    (start, end, people short)."""
    usable = [s for s in shifts if s.counts_for_coverage and not s.on_call]
    segments = [(a, b) for a, b, business in _segments(day, _boundaries(usable, carried)) if business]
    have = [_count(seg, carried) for seg in segments]
    chosen: list[ShiftOption] = []
    while True:
        deficit = [max(0, min_staff - h) for h in have]
        if not any(deficit):
            break
        best: tuple[int, int, int] | None = None
        best_option: ShiftOption | None = None
        for index, option in enumerate(usable):
            cover = _day_intervals(option)
            gain = sum((b - a) for (a, b), d in zip(segments, deficit, strict=True) if d and _count((a, b), cover))
            if gain <= 0:
                continue
            key = (-gain, option.minutes, index)
            if best is None or key < best:
                best, best_option = key, option
        if best_option is None:
            break
        chosen.append(best_option)
        cover = _day_intervals(best_option)
        have = [h + _count(seg, cover) for seg, h in zip(segments, have, strict=True)]
    gaps = _merge_gaps(segments, have, min_staff)
    return chosen, gaps


def _merge_gaps(segments: Sequence[tuple[int, int]], have: Sequence[int], need: int) -> list[tuple[int, int, int]]:
    gaps: list[tuple[int, int, int]] = []
    for (a, b), h in zip(segments, have, strict=True):
        if h >= need:
            continue
        short = need - h
        if gaps and gaps[-1][1] == a and gaps[-1][2] == short:
            gaps[-1] = (gaps[-1][0], b, short)
        else:
            gaps.append((a, b, short))
    return gaps


# ----------------------------------------------------------------------------------------------- validation


def expected_rest_days(person: StaffInput, days: Sequence[DayInput]) -> int:
    """ATT-08: the rest days a person should have in the month: the quota, but at least the days the center is
    closed (a government hall's weekends and holidays are rest days), never more than the days not on leave."""
    free = [d for d in days if d.day not in person.unavailable]
    closed = sum(1 for d in free if not d.intervals)
    return max(0, min(max(person.rest_quota, closed), len(free)))


@implements("ATT-02", "ATT-07", "ATT-08", "ATT-17", "ATT-34")
def validate(problem: Problem, assignment: Mapping[tuple[int, date], Cell]) -> list[Conflict]:
    """Every conflict of a (proposed or edited) roster: errors first (ATT-02 / ATT-17 / ATT-34 coverage gaps),
    then warnings (rest quota ATT-08/LEV-04, shifts on approved leave, 8-hour templates ATT-07)."""
    by_code = {s.code: s for s in problem.shifts}
    errors: list[Conflict] = []
    warnings: list[Conflict] = []
    carried: list[tuple[int, int]] = list(problem.carry_in)
    used: set[str] = set()
    for day in problem.days:
        working: list[tuple[int, int]] = list(carried)
        next_carry: list[tuple[int, int]] = []
        for person in problem.staff:
            code = assignment.get((person.id, day.day))
            if code is None:
                continue
            option = by_code.get(code)
            if option is None:
                warnings.append(
                    Conflict(
                        "unknown_shift",
                        "warning",
                        "ATT-09",
                        f"{person.name} {day.day:%m-%d}：班次 {code} 已停用或不存在",
                        day.day,
                        person.id,
                    )
                )
                continue
            used.add(code)
            if day.day in person.unavailable:
                warnings.append(
                    Conflict(
                        "on_leave",
                        "warning",
                        "ATT-06",
                        f"{person.name} {day.day:%m-%d} 已批准请假，却排了{option.label}",
                        day.day,
                        person.id,
                    )
                )
                continue
            if option.on_call or not option.counts_for_coverage:
                continue
            working.extend(_day_intervals(option))
            next_carry.extend(_spill(option))
        if day.intervals:
            segments = [(a, b) for a, b, business in _segments(day, _boundaries(problem.shifts, working)) if business]
            have = [_count(seg, working) for seg in segments]
            clause = "ATT-17/ATT-34" if day.round_the_clock else problem.coverage_clause
            for a, b, short in _merge_gaps(segments, have, problem.min_staff):
                present = problem.min_staff - short
                errors.append(
                    Conflict(
                        "coverage",
                        "error",
                        clause,
                        f"{day.day:%m-%d} {hhmm(a)}–{hhmm(b)} 在岗 {present} 人，少于最少 {problem.min_staff} 人"
                        f"（{clause}：营业时间不得无人值守{'，7×24 小时' if day.round_the_clock else ''}）",
                        day.day,
                        None,
                        a,
                        b,
                    )
                )
        carried = next_carry
    for person in problem.staff:
        days_free = [d.day for d in problem.days if d.day not in person.unavailable]
        rests = sum(1 for d in days_free if (person.id, d) in assignment and assignment[(person.id, d)] is None)
        quota = expected_rest_days(person, problem.days)
        if rests != quota:
            word = "多" if rests > quota else "少"
            warnings.append(
                Conflict(
                    "rest_quota",
                    "warning",
                    problem.quota_clause,
                    f"{person.name} 本月排休 {rests} 天，应为 {quota} 天（{word} {abs(rests - quota)} 天；"
                    f"ATT-08 每月公休{person.quota_note}）",
                    None,
                    person.id,
                )
            )
    for person in problem.staff:
        empty = []
        previous: Cell = None
        for day in problem.days:
            key = (person.id, day.day)
            after_overnight = previous is not None and previous in by_code and by_code[previous].overnight
            if key not in assignment and day.day not in person.unavailable and not after_overnight:
                empty.append(day.day)
            previous = assignment.get(key)
        if empty:
            shown = "、".join(f"{d:%m-%d}" for d in empty[:5]) + ("等" if len(empty) > 5 else "")
            warnings.append(
                Conflict(
                    "unassigned",
                    "warning",
                    "ATT-09",
                    f"{person.name} 有 {len(empty)} 天未排班（{shown}）：既无班次也非公休",
                    empty[0],
                    person.id,
                )
            )
    if problem.workday_minutes:
        for option in problem.shifts:
            if option.code in used and option.check_hours and option.minutes != problem.workday_minutes:
                warnings.append(
                    Conflict(
                        "workday_hours",
                        "warning",
                        "ATT-07",
                        f"班次「{option.label}」时长 {option.minutes / 60:g} 小时，不等于每日工作 "
                        f"{problem.workday_minutes / 60:g} 小时（ATT-07）",
                    )
                )
    return errors + warnings


# ----------------------------------------------------------------------------------------------- proposal


def _ideal_positions(count: int, days: int, stagger: float) -> list[float]:
    if count <= 0:
        return []
    step = days / count
    return [((i + 0.5) * step + stagger) % days for i in range(count)]


@implements("ATT-02", "ATT-08")
def propose(problem: Problem) -> Proposal:
    """A roster that covers every business interval with ≥ min_staff and gives each person their rest quota where
    possible (see the module docstring for the method). Same input → same output."""
    staff = sorted(problem.staff, key=lambda p: (p.number, p.id))
    days = [d.day for d in problem.days]
    n_days = len(days)
    reasons: dict[tuple[int, date], str] = {}
    unmet: list[Conflict] = []
    assignment: Assignment = {}

    # 1. Demand per day assuming every slot is filled (used to plan rest days).
    demand: list[int] = []
    overnight: list[int] = []
    carried = list(problem.carry_in)
    for day in problem.days:
        chosen, _gaps = day_demand(day, problem.shifts, carried, problem.min_staff)
        demand.append(len(chosen))
        overnight.append(sum(1 for c in chosen if c.overnight))
        carried = [iv for c in chosen for iv in _spill(c)]
    # People coming off an overnight shift are not available the next day.
    need = [demand[i] + (overnight[i - 1] if i > 0 else 0) for i in range(n_days)]
    available = [sum(1 for p in staff if d not in p.unavailable) for d in days]

    # 2. Rest days, round robin.
    resting: list[int] = [0] * n_days
    rests: dict[int, set[date]] = {p.id: set() for p in staff}
    quota: dict[int, int] = {}
    placed: dict[int, int] = {}
    closed = {d.day for d in problem.days if not d.intervals}
    for p in staff:
        quota[p.id] = expected_rest_days(p, problem.days)
        # days the center is closed (calendar) are everyone's rest days first; they count against the quota
        for i, d in enumerate(days):
            if d in closed and d not in p.unavailable:
                rests[p.id].add(d)
                resting[i] += 1
                reasons[(p.id, d)] = "不营业日（营业日历），计为公休（ATT-08）"
        placed[p.id] = len(rests[p.id])
    ideals = {
        p.id: _ideal_positions(
            quota[p.id] - placed[p.id], n_days, (k * n_days / max(1, len(staff) * max(1, quota[p.id])))
        )
        for k, p in enumerate(staff)
    }
    rounds = max((quota[p.id] - placed[p.id] for p in staff), default=0)
    for r in range(rounds):
        for p in staff:
            if r >= quota[p.id] - placed[p.id]:
                continue
            target = ideals[p.id][r]
            best: tuple[float, int, int] | None = None
            for i, d in enumerate(days):
                if d in p.unavailable or d in rests[p.id]:
                    continue
                slack = available[i] - resting[i] - need[i]
                if slack <= 0:
                    continue
                distance = min(abs(i - target), n_days - abs(i - target))
                key = (distance, -slack, i)
                if best is None or key < best:
                    best = key
            if best is None:
                unmet.append(
                    Conflict(
                        "rest_quota",
                        "warning",
                        problem.quota_clause,
                        f"{p.name} 只能排休 {placed[p.id] + r} 天（应 {quota[p.id]} 天）：其余每天的在岗人数都只够"
                        f"满足营业时间最少 {problem.min_staff} 人（ATT-02 优先于 ATT-08）",
                        None,
                        p.id,
                    )
                )
                quota[p.id] = placed[p.id] + r
                continue
            i = best[2]
            rests[p.id].add(days[i])
            resting[i] += 1
            reasons[(p.id, days[i])] = (
                f"第 {placed[p.id] + r + 1} 天公休：{days[i]:%m-%d} 可用 {available[i]} 人，需在岗 {need[i]} 人，"
                f"排休后余 {available[i] - resting[i] - need[i]} 人（ATT-08 每月公休 {quota[p.id]} 天"
                f"{p.quota_note}；ATT-02）"
            )

    # 3 + 4. Assignment day by day, with repair.
    by_code_count: dict[tuple[int, str], int] = {}
    last_end: dict[int, int] = {}  # yesterday's shift end per person (minutes from yesterday's midnight)
    carried = list(problem.carry_in)
    recovering: set[int] = set()
    for i, day in enumerate(problem.days):
        d = day.day
        chosen, gaps = day_demand(day, problem.shifts, carried, problem.min_staff)

        def workers() -> list[StaffInput]:
            return [
                p
                for p in staff
                if d not in p.unavailable and d not in rests[p.id] and p.id not in recovering  # noqa: B023
            ]

        pool = workers()
        shortage = len(chosen) - len(pool)
        if shortage > 0:
            for p in staff:
                if shortage <= 0:
                    break
                if d not in rests[p.id] or p.id in recovering:
                    continue
                moved = False
                for j in range(i + 1, n_days):
                    later = days[j]
                    if later in p.unavailable or later in rests[p.id]:
                        continue
                    if available[j] - resting[j] - need[j] > 0:
                        rests[p.id].discard(d)
                        rests[p.id].add(later)
                        resting[i] -= 1
                        resting[j] += 1
                        reasons.pop((p.id, d), None)
                        reasons[(p.id, later)] = (
                            f"公休由 {d:%m-%d} 调至 {later:%m-%d}：{d:%m-%d} 人手不足"
                            f"（ATT-02 营业时间最少 {problem.min_staff} 人；ATT-08）"
                        )
                        moved = True
                        break
                if not moved:
                    rests[p.id].discard(d)
                    resting[i] -= 1
                    reasons.pop((p.id, d), None)
                    unmet.append(
                        Conflict(
                            "rest_quota",
                            "warning",
                            problem.quota_clause,
                            f"{p.name} {d:%m-%d} 的公休取消：当天人手不足且无法调到其他日期（ATT-02 优先于 ATT-08）",
                            d,
                            p.id,
                        )
                    )
                shortage -= 1
            pool = workers()
        rotation = {p.id: (k - i) % max(1, len(staff)) for k, p in enumerate(staff)}
        free = sorted(pool, key=lambda p: rotation[p.id])
        today: dict[int, ShiftOption] = {}
        slots = sorted(chosen, key=lambda c: (not c.overnight, problem.shifts.index(c)))
        for slot in slots:
            candidates = [p for p in free if p.id not in today]
            if not candidates:
                break
            tomorrow = days[i + 1] if i + 1 < n_days else None

            def preference(p: StaffInput, slot: ShiftOption = slot, tomorrow: date | None = tomorrow) -> tuple:
                # an overnight shift before a planned rest day would eat the rest day (the day after is off)
                clash = slot.overnight and tomorrow is not None and tomorrow in rests[p.id]
                short_rest = _start(slot) + DAY - last_end.get(p.id, -DAY) < MIN_REST_MINUTES  # noqa: B023
                return (clash, short_rest, by_code_count.get((p.id, slot.code), 0), rotation[p.id])  # noqa: B023

            pick = min(candidates, key=preference)
            today[pick.id] = slot
        extra_options = [c for c in chosen if not c.overnight] or [
            s for s in problem.shifts if s.counts_for_coverage and not s.on_call and not s.overnight
        ]
        # unique, in template order
        seen: set[str] = set()
        extra_options = [c for c in extra_options if not (c.code in seen or seen.add(c.code))]  # type: ignore[func-returns-value]
        for p in free:
            if p.id in today:
                continue
            if not extra_options:
                reasons[(p.id, d)] = "当天覆盖已满足，倒班制无白班可排（ATT-17）"
                continue
            option = min(
                extra_options,
                key=lambda c: (
                    _start(c) + DAY - last_end.get(p.id, -DAY) < MIN_REST_MINUTES,  # noqa: B023
                    by_code_count.get((p.id, c.code), 0),  # noqa: B023
                    extra_options.index(c),  # noqa: B023
                ),
            )
            today[p.id] = option
        # a rest planned on a day off after an overnight shift moves to a later free day
        for p in staff:
            if p.id in recovering and d in rests[p.id]:
                rests[p.id].discard(d)
                resting[i] -= 1
                reasons.pop((p.id, d), None)
                later_index = next(
                    (
                        j
                        for j in range(i + 1, n_days)
                        if days[j] not in p.unavailable
                        and days[j] not in rests[p.id]
                        and available[j] - resting[j] - need[j] > 0
                    ),
                    None,
                )
                if later_index is None:
                    unmet.append(
                        Conflict(
                            "rest_quota",
                            "warning",
                            problem.quota_clause,
                            f"{p.name} {d:%m-%d} 的公休与 24 小时班后的下班日重合，无法另排（ATT-08、ATT-17）",
                            d,
                            p.id,
                        )
                    )
                else:
                    rests[p.id].add(days[later_index])
                    resting[later_index] += 1
                    reasons[(p.id, days[later_index])] = (
                        f"公休由 {d:%m-%d} 调至 {days[later_index]:%m-%d}："
                        f"{d:%m-%d} 为 24 小时班后的下班日（ATT-17、ATT-08）"
                    )
        # write the day
        for p in staff:
            cell = (p.id, d)
            if d in p.unavailable:
                reasons[cell] = "已批准请假（不排班）"
            elif p.id in recovering:
                reasons[cell] = "前一日 24 小时班后下班休整（ATT-17 倒班）"
            elif d in rests[p.id]:
                assignment[cell] = None
            elif p.id in today:
                option = today[p.id]
                assignment[cell] = option.code
                by_code_count[(p.id, option.code)] = by_code_count.get((p.id, option.code), 0) + 1
        # actual coverage of the day for the gaps report
        working = list(carried)
        next_carry: list[tuple[int, int]] = []
        for option in today.values():
            working.extend(_day_intervals(option))
            next_carry.extend(_spill(option))
        if day.intervals:
            segments = [(a, b) for a, b, bus in _segments(day, _boundaries(problem.shifts, working)) if bus]
            have = [_count(seg, working) for seg in segments]
            clause = "ATT-17/ATT-34" if day.round_the_clock else problem.coverage_clause
            for a, b, short in _merge_gaps(segments, have, problem.min_staff):
                why = "没有可覆盖该时段的班次模板" if (a, b, short) in gaps else "人手不足"
                unmet.append(
                    Conflict(
                        "coverage",
                        "error",
                        clause,
                        f"{d:%m-%d} {hhmm(a)}–{hhmm(b)} 缺 {short} 人：{why}（{clause}）",
                        d,
                        None,
                        a,
                        b,
                    )
                )
        recovering = {pid for pid, option in today.items() if option.overnight}
        last_end = {pid: max(b for _, b in option.offsets) for pid, option in today.items()}
        carried = next_carry
    return Proposal(assignment=assignment, reasons=reasons, unmet=unmet)
