"""Sample attendance for `servicecenter demo` (called by servicecenter.demo.loader inside a transaction).

For the demo station and the government hall, from the first day of the previous month to yesterday: punches for
every published shift (made through `services.punch_record` at the punch time), mostly on time, a few late, one
absence at the station and one missed sign-in at the hall, plus today's clock-ins for the shifts already begun;
then the results are closed with `results_compute`, and one non-work violation is recorded at the station. Needs
the published rosters: `rosters.demo.load_demo` is run first (idempotent). Idempotent: a center that already has
punches in the period gets none added, results are only rewritten when an input changed, the violation is recorded
once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from django.utils import timezone

from servicecenter.core.demo_data import as_list
from servicecenter.org.models import RoleAssignment, Staff
from servicecenter.policy.values import local_today

from . import inputs, services
from .models import Punch, Violation

CENTER_TYPES = ("service_station", "gov_hall")
VIOLATION_TEXT = "示例：工作时间在营业厅用手机玩游戏，经理巡查发现"


def _roll(*parts: Any) -> int:
    """A deterministic number 0–99 for a person and day (the demo is the same on every machine)."""
    return int(hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:8], 16) % 100


def _manager_of(center: Any) -> Any:
    row = (
        RoleAssignment.objects.filter(
            role__group__permissions__codename="manage_attendance",
            organization__path__in=[o.path for o in center.ancestors()],
            is_active=True,
        )
        .select_related("user")
        .order_by("-organization__depth", "id")
        .first()
    )
    return row.user if row is not None else None


def _punch(staff: Staff, kind: str, when: Any) -> None:
    services.punch_record(actor=staff.user, kind=kind, now=when, source="phone")


def _punches_for(center: Any, start: Any, end: Any) -> int:
    """Punches for the published shifts of `center` between `start` and `end` (local dates)."""
    people = {
        s.pk: s
        for s in Staff.objects.filter(organization__path__startswith=center.path, user__isnull=False).select_related(
            "user", "organization"
        )
    }
    shifts = sorted(
        (s for s in inputs.scheduled_shifts(start=start, end=end, organization=center) if not s.on_call),
        key=lambda s: (s.day, s.staff_id),
    )
    count = 0
    absence_done = missed_sign_in_done = False
    for index, shift in enumerate(shifts):
        staff = people.get(shift.staff_id)
        if staff is None or staff.user is None or not staff.user.is_active:
            continue
        first_start, last_end = shift.periods[0][0], shift.periods[-1][1]
        roll = _roll(staff.staff_no, shift.day)
        if center.center_type == "service_station" and not absence_done and index > len(shifts) // 3 and roll < 20:
            absence_done = True  # one absence: no punch at all that day (LEV-08)
            continue
        if shift.sign_in_window is not None and not missed_sign_in_done and index > len(shifts) // 4 and roll < 30:
            missed_sign_in_done = True  # gov hall: signs in at 08:35, after the window (ATT-22)
            clock_in = shift.sign_in_window[1] + timedelta(minutes=5)
        elif roll < 6 and shift.sign_in_window is None:
            clock_in = first_start + timedelta(minutes=5 + roll * 2)  # a few late
        elif shift.sign_in_window is not None:
            clock_in = shift.sign_in_window[0] + timedelta(minutes=5 + roll % 20)
        else:
            clock_in = first_start - timedelta(minutes=8 + roll % 15)
        _punch(staff, "in", clock_in)
        _punch(staff, "out", last_end + timedelta(minutes=2 + roll % 18))
        count += 2
    return count


def _clock_ins_today(center: Any, today: Any, now: Any) -> int:
    """Today's clock-ins for the shifts that have begun and not ended, so the dashboard and the dispatch board show
    people on duty; a person who already punched since the shift's sign-in time gets none."""
    people = {
        s.pk: s
        for s in Staff.objects.filter(organization__path__startswith=center.path, user__isnull=False).select_related(
            "user", "organization"
        )
    }
    count = 0
    for shift in inputs.scheduled_shifts(start=today, end=today, organization=center):
        staff = people.get(shift.staff_id)
        first_start, last_end = shift.periods[0][0], shift.periods[-1][1]
        if shift.on_call or staff is None or staff.user is None or not staff.user.is_active:
            continue
        if not first_start <= now < last_end:
            continue
        opens = shift.sign_in_window[0] if shift.sign_in_window is not None else first_start - timedelta(hours=1)
        if Punch.objects.filter(staff=staff, at__gte=opens).exists():
            continue
        roll = _roll(staff.staff_no, shift.day)
        if shift.sign_in_window is not None:
            clock_in = shift.sign_in_window[0] + timedelta(minutes=5 + roll % 20)
        elif roll < 10:
            clock_in = first_start + timedelta(minutes=3 + roll)  # late today
        else:
            clock_in = first_start - timedelta(minutes=8 + roll % 15)
        _punch(staff, "in", min(clock_in, now))
        count += 1
    return count


def load_demo(*, centers: Mapping[str, Any] | Iterable[Any], people: Mapping[str, Any] | Iterable[Any]) -> int:
    """Returns how many punches were created."""
    from servicecenter.rosters.demo import load_demo as load_rosters

    load_rosters(centers=centers, people=people)
    created = 0
    now = timezone.now()
    for center in as_list(centers):
        if center.center_type not in CENTER_TYPES:
            continue
        today = local_today(center)
        start = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
        end = today - timedelta(days=1)
        lo, _ = services._month_bounds(start, center)
        if not Punch.objects.filter(organization__path__startswith=center.path, at__gte=lo).exists():
            created += _punches_for(center, start, end)
        created += _clock_ins_today(center, today, now)
        services.results_compute(organization=center, start=start, end=end, note="示例数据", now=now)
        manager = _manager_of(center)
        if center.center_type != "service_station" or manager is None:
            continue
        if Violation.objects.filter(organization__path__startswith=center.path, description=VIOLATION_TEXT).exists():
            continue
        worker = (
            Staff.objects.filter(
                organization__path__startswith=center.path, user__role_assignments__role__code="service_staff"
            )
            .order_by("staff_no")
            .first()
        )
        if worker is not None:
            services.violation_record(
                actor=manager, staff=worker, day=start + timedelta(days=9), type="games", description=VIOLATION_TEXT
            )
    return created
