"""Sample points for `servicecenter demo`: a full month of points at the demo station, worked through the services.

The station sets its deduction values (G-04) and its points per order kind; every day of last month and of this
month up to yesterday gets its entries: the returned demo orders', callbacks' and attendance results' (collected
by `collect_day`), plus the station's earlier daily tallies for the days before the system's own orders (work
entries labelled «历史台账», as entered from the paper board). The order clerk verifies each past day, the summary
goes out, an instant reward is approved, last month is settled (the finance clerk's fixed 50 points), rechecked and
locked by the finance clerk, and one correction after the lock waits for the manager's approval. Idempotent: a
second run finds last month locked and writes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from servicecenter.core.demo_data import as_list
from servicecenter.org.models import RoleAssignment
from servicecenter.policy import services as policy_services
from servicecenter.policy.values import local_today, value
from servicecenter.workorders.demo import station_people

from . import policies, services
from .choices import Category, EntryStatus, MonthStatus, Source
from .models import MonthClose, PointEntry

DEDUCTIONS = {"late": "2", "early_leave": "2", "absenteeism": "10"}
ORDER_POINTS = {"repair": 3, "installation": 5, "other": 1, "inquiry": 0, "complaint": 0}


def _set(manager: Any, station: Any, key: str, val: Any, today: date) -> None:
    if value(key, org=station).value == val:
        return
    policy_services.parameter_set(
        actor=manager.user, key=key, organization=station, value=val, effective_from=today, reason="演示：中心设定"
    )


def _tally(staff_no: str, day: date) -> int:
    """A stable 0–4 orders a day for the paper-board history (the same every run)."""
    digest = hashlib.sha256(f"{staff_no}:{day}".encode()).digest()
    return digest[0] % 5


def _history(station: Any, workers: list[Any], days: list[date]) -> int:
    rule_text = "依据 PTS-04：纸质积分公示表历史台账录入（每单 3 分）"
    drafts = []
    for day in days:
        for worker in workers:
            n = _tally(worker.staff_no, day)
            if day.weekday() == 6 or not n:
                continue
            rule = policies.Rule(Decimal(3 * n), Category.WORK, "history.tally", "PTS-04", rule_text)
            drafts.append(
                services.Draft(
                    station.pk,
                    worker.pk,
                    day,
                    rule,
                    Source.WORK_ORDER,
                    None,
                    f"历史台账 {n} 单",
                    f"demo:{worker.pk}:{day}",
                )
            )
    return services.entries_post(drafts)


def load_demo(*, centers: Mapping[str, Any] | Iterable[Any], people: Mapping[str, Any] | Iterable[Any]) -> int:
    station = next((c for c in as_list(centers) if c.center_type == "service_station"), None)
    if station is None:
        return 0
    found = station_people(station, as_list(people))
    if found is None:
        return 0
    clerk, manager, workers = found
    today = local_today(station)
    last_month = policies.previous_month(today)
    if MonthClose.objects.filter(organization=station, month=last_month, status=MonthStatus.LOCKED).exists():
        return 0
    for key, val in DEDUCTIONS.items():
        _set(manager, station, f"points.deduction.{key}", val, today)
    _set(manager, station, "points.work_order", ORDER_POINTS, today)
    _set(manager, station, "points.callback", {"satisfied": 1, "average": 0, "dissatisfied": -2}, today)
    first_real = (
        PointEntry.objects.filter(organization=station)
        .exclude(key__startswith="demo:")
        .order_by("day")
        .values_list("day", flat=True)
        .first()
    )
    days = [last_month + timedelta(days=i) for i in range((today - last_month).days)]
    written = _history(station, workers, [d for d in days if first_real is None or d < first_real])
    now = timezone.now()
    for day in days + [today]:
        written += services.collect_day(organization=station, day=day, now=now)["posted"]
    for day in days:
        if PointEntry.objects.filter(organization=station, day=day, status=EntryStatus.DRAFT).exists():
            services.day_verify(actor=clerk.user, organization=station, day=day, now=now)
    # an instant reward (PTS-28), approved by the manager
    reward = services.instant_reward_request(
        actor=clerk.user,
        organization=station,
        staff_id=workers[0].pk,
        day=today - timedelta(days=2) if today.day > 2 else today,
        reason="雨夜抢修光缆，客户来电表扬",
        points="5",
        amount_cny="100",
    )
    _approve(reward.approval, manager)
    # last month: settled, rechecked and locked by the finance clerk (PTS-09), one correction waiting for approval
    finance = _finance_clerk(station, as_list(people))
    services.month_settle(organization=station, month=last_month, now=now)
    if finance is not None:
        services.month_lock(
            actor=finance.user, organization=station, month=last_month, note="核查无误，打印交经理", now=now
        )
        wrong = (
            PointEntry.objects.filter(
                organization=station, day__gte=last_month, day__lt=today.replace(day=1), category=Category.WORK
            )
            .order_by("id")
            .first()
        )
        if wrong is not None:
            services.entry_reverse(
                actor=finance.user, entry_id=wrong.pk, reason="复核发现重复计分（同一工单登记两次）", now=now
            )
    yesterday = today - timedelta(days=1)
    services.board_post(organization=station, day=yesterday, actor=clerk.user, now=now)
    return written


def _approve(request: Any, approver: Any) -> None:
    from servicecenter.approvals.models import ApprovalStep
    from servicecenter.approvals.services import step_decide

    step = ApprovalStep.objects.filter(request=request, status="pending").first()
    if step is not None:
        step_decide(actor=approver.user, step_id=step.pk, decision="approve", comment="同意，予以奖励")


def _finance_clerk(station: Any, people: list[Any]) -> Any:
    holders = set(
        RoleAssignment.objects.filter(role__code="finance_clerk", organization=station, is_active=True).values_list(
            "user_id", flat=True
        )
    )
    return next((p for p in people if p.user_id in holders), None)
