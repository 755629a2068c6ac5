"""Add the issue-4 data (callbacks, satisfaction, ratings, complaints) to the work-order bench data set.

    nice -n 15 .venv/bin/python bench/generate_callbacks.py [--reset]
        [--database-url postgres://postgres@127.0.0.1:5432/sc_bench_wo]

Run bench/generate_workorders.py first (1,000,000 orders in `sc_bench_wo`). This script runs `migrate` (the
callback and complaint tables, and any index added since), then per service center, in one transaction, loads with
PostgreSQL COPY (psycopg `cursor.copy`):

- a `CallbackTask` for every returned/closed order that the WO-10 hook would call back (inquiries get none, as in
  `callbacks.services.task_for_returned_order`; `callbacks.courtesy_sample_rate` is unset, so all are "after
  service"): the newest ~2 % pending (the queue: some with an appointment, CB-01, some already tried), ~3 %
  unreachable after 3 calls, ~0.5 % cancelled, the rest done with answers: solved 90 %, attitude 80/15/5 %,
  score 1–10 skewed high and correlated with the attitude, `score_pct` (C-10), charge mismatch 1 % (CB-04),
  completed a few hours to 2 days after the return, technician = the order's serviceman, caller = a clerk;
- 1–3 `CallbackAttempt` rows per task (the pending ones 0–2);
- a `FollowUp` for every done callback that G-03 flags (not solved, dissatisfied, score ≤ 5, charge mismatch):
  that is ~16 % of the done after-service callbacks, not the ~5 % of the brief, because 10 % "not solved" alone
  already opens one (and about half of the callbacks after a bad rating);
  older ones decided (closed; 2 % turned into a complaint), ~70 % of those of the last 14 days and 1 % of
  the older ones still open;
- ~3,000 `Rating` rows per center (~300,000, one per order at most, 5 levels with reason tags); each bad one
  (level ≤ 2) with its `Rectification` and its mandatory callback (kind "rating");
- `Opinion` rows: the callbacks' suggestions (CB-06), the comments of ratings ≤ 3, a few recorded by hand;
- 200 `Complaint` rows per center (~20,000) over the year, numbered per center and year (`ComplaintSequence`
  matches), every state (recent ones open, older closed), deadlines from the real calendar (G-01, per severity),
  breach flags in steady state (what the sweep would have flagged), with their `ComplaintEvent` timelines;
- the login `BNCO` (password as bench/common.py): the ops-center GM role at the company root, the company-wide
  reader of the satisfaction report (the generated roles stop at the ops centers).

The tables are then put in creation order (`CLUSTER … USING` the created_at index, as rows arrive in a live
system) and vacuumed. Deadlines (callback due, complaint deadlines, rectification due) are those of
`workcalendar.selectors.end_of_working_days` with its citations: the same loop on one `center_calendar_for` per
center, memoised per center and local date, its first answers checked equal to the function. Like the
work-order generator this bypasses the services on purpose (no audit events, no notifications or customer texts):
rows are valid (every CHECK and UNIQUE constraint holds; PostgreSQL checks them).
"""

from __future__ import annotations

import argparse
import bisect
import functools
import random
import sys
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import database_url, ensure_database, machine, phase, setup_django  # noqa: E402
from generate_workorders import _copy  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/sc_bench_wo"
RATINGS_PER_CENTER = 3000
COMPLAINTS_PER_CENTER = 200
SUGGESTIONS = [
    "希望维修人员上门前提前电话联系",
    "上门时间能不能再早一点",
    "师傅很耐心，感谢",
    "希望能提供网上预约",
    "维修后现场没有清理干净",
    "收费标准希望公开透明",
    "等待时间太长",
    "希望周末也能上门服务",
]
SUMMARIES = {
    "attitude": "维修人员态度生硬",
    "quality": "维修后问题再次出现",
    "timeliness": "预约时间未按时上门",
    "charge": "收费与告知不符",
    "language": "服务人员用语不文明",
    "merchant": "合作商户配件质量问题",
    "other": "对处理结果不满意",
}
RESPONSES = [
    "已与投诉人电话沟通并致歉，安排班长复查，问题已解决。",
    "经核实情况属实，已对相关人员进行批评教育，并上门重新处理。",
    "已退还多收费用，并向客户说明收费标准。",
    "经调查属误解，已向投诉人解释清楚，投诉人表示理解。",
]
MEASURES = "已约谈服务人员，组织班组学习服务规范，并回访客户确认。"


def _pct(score: int) -> Decimal:
    return (Decimal(score - 1) * 100 / Decimal(9)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


class Deadlines:
    """`workcalendar.selectors.end_of_working_days`, memoised per (center, local date, days), and computed from one
    `center_calendar_for` per center (the bench's calendar configuration does not change over the year): the
    public function validates its calendar cache with 3 queries per call (~10 ms), 100,000 calls would take a
    quarter of an hour. The first answers of every center are checked equal to the real function."""

    CHECKS_PER_CENTER = 3

    def __init__(self) -> None:
        self._memo: dict[tuple[int, date, int], tuple[datetime, str]] = {}
        self._calendars: dict[int, Any] = {}
        self._checked: dict[int, int] = defaultdict(int)
        self.calls = 0

    def __call__(self, center: Any, start: datetime, days: int) -> tuple[datetime, str]:
        from servicecenter.workcalendar.selectors import center_calendar_for, end_of_working_days

        local = start.astimezone(self.tz(center)).date()
        key = (center.pk, local, days)
        hit = self._memo.get(key)
        if hit is None:
            self.calls += 1
            calendar = self._calendars.get(center.pk)
            if calendar is None:
                calendar = self._calendars[center.pk] = center_calendar_for(organization=center)
            hit = self._memo[key] = self._end(calendar, local, days)
            if self._checked[center.pk] < self.CHECKS_PER_CENTER:
                self._checked[center.pk] += 1
                real = end_of_working_days(organization=center, start=start, days=days)
                assert (real.value, real.citation) == hit, (center.pk, local, days, real, hit)
        return hit

    @staticmethod
    def _end(center_calendar: Any, first: date, days: int) -> tuple[datetime, str]:
        """The loop of end_of_working_days (workcalendar/selectors.py), on a calendar already at hand."""
        from datetime import time as clock

        calendar = center_calendar.calendar
        day, counted = first, 0
        for _step in range(731):
            periods = calendar.day_periods(day)
            if periods:
                if day > first:
                    counted += 1
                if (day == first and days == 0) or (day > first and counted >= max(days, 1)):
                    if all(p.end != clock(0) for p in periods):
                        due = datetime.combine(day, max(p.end for p in periods), tzinfo=calendar.tz)
                    else:
                        due = datetime.combine(day + timedelta(days=1), clock(0), tzinfo=calendar.tz)
                    return due, center_calendar.span_citation(first, day)
            day += timedelta(days=1)
        raise RuntimeError(f"no working day within two years of {first}")

    @staticmethod
    @functools.cache
    def _zone(name: str) -> Any:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)

    def tz(self, center: Any) -> Any:
        return self._zone(center.timezone or "Asia/Shanghai")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reset", action="store_true", help="delete the callback and complaint rows first")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args(argv)
    url = database_url(args.database_url)
    if url.rstrip("/").endswith("/sc_bench"):
        sys.exit("bench: this generator writes sc_bench_wo; sc_bench belongs to the earlier benches")
    timings: dict[str, float] = {}
    started = time.perf_counter()
    print(f"bench database: {url}", flush=True)
    if ensure_database(url):
        sys.exit("bench: the database was empty; run bench/generate_workorders.py first")
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection

    with phase("migrate", timings):
        call_command("migrate", interactive=False, verbosity=0)

    from servicecenter.callbacks.models import CallbackTask
    from servicecenter.workorders.models import WorkOrder

    if not WorkOrder.objects.exists():
        sys.exit("bench: no work orders; run bench/generate_workorders.py first")
    if args.reset:
        with phase("reset (truncate)", timings):
            reset()
    elif CallbackTask.objects.exists():
        print("callback tasks present; use --reset to rebuild them")
        return 0
    now = datetime.now(UTC).replace(microsecond=0)
    with phase("company-wide reader", timings):
        company_reader()
    counts = generate(now=now, timings=timings)
    with phase("physical order (CLUSTER)", timings):
        cluster_by_creation()
    with phase("vacuum analyze", timings), connection.cursor() as cursor:
        # autovacuum is off on the shared bench server: without a VACUUM the visibility map stays empty and the
        # report's covering indexes cannot be read index-only (in production autovacuum does this after the inserts)
        cursor.execute("VACUUM (ANALYZE) " + ", ".join(model._meta.db_table for model in _models()))
    total = time.perf_counter() - started
    print(f"  {'total':<28} {total:7.2f} s")
    print("data set: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
    print("machine: " + ", ".join(f"{k} {v}" for k, v in machine().items()))
    return 0


def _models() -> list[Any]:
    from servicecenter.callbacks.models import (
        CallbackAttempt,
        CallbackTask,
        FollowUp,
        Opinion,
        Rating,
        Rectification,
        SurveyCampaign,
        SurveyInvitation,
    )
    from servicecenter.complaints.models import Complaint, ComplaintEvent, ComplaintSequence, ImprovementAction

    return [
        CallbackAttempt,
        Rectification,
        Opinion,
        FollowUp,
        Rating,
        SurveyInvitation,
        SurveyCampaign,
        CallbackTask,
        ComplaintEvent,
        ImprovementAction,
        Complaint,
        ComplaintSequence,
    ]


def cluster_by_creation() -> None:
    """Put the rows of the big tables in the order of their creation, as a live system writes them (every center's
    tasks interleaved in time). Loaded one center at a time, the heap is sorted by center, which makes PostgreSQL
    believe that a scan of a center's whole history through the plain `organization_id` index is cheap and prefer
    it to the (organization, completed_at) index: 7.9 ms instead of 0.7 ms for one center's month (measured)."""
    from django.db import connection

    from servicecenter.callbacks.models import CallbackTask, FollowUp, Opinion, Rating
    from servicecenter.complaints.models import Complaint

    with connection.cursor() as cursor:
        for model in (CallbackTask, Rating, Complaint, FollowUp, Opinion):
            table = model._meta.db_table
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
                [table, "%USING btree (created_at)"],
            )
            row = cursor.fetchone()
            if row is not None:
                cursor.execute(f'CLUSTER {table} USING "{row[0]}"')


def reset() -> None:
    """Empty the generated tables (questionnaires and guidance articles stay: migrations and services made them)."""
    from django.db import connection

    tables = ", ".join(model._meta.db_table for model in _models())
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY")


COMPANY_READER = "BNCO"


def company_reader() -> None:
    """A login that sees every center's satisfaction report: the data set's roles stop at the ops centers (10
    centers each), so `BNCO` holds the ops-center GM role at the company root (its subtree: all 100 centers)."""
    from common import BENCH_PASSWORD
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from servicecenter.org.models import Organization, Role, RoleAssignment, Staff

    company = Organization.objects.get(code="bench-co")
    user, created = get_user_model().objects.get_or_create(
        username=COMPANY_READER, defaults={"first_name": "公司满意度", "password": make_password(BENCH_PASSWORD)}
    )
    if created:
        Staff.objects.create(
            user=user, organization=company, staff_no=COMPANY_READER, name="公司满意度", position="ops_center_gm"
        )
    RoleAssignment.objects.get_or_create(user=user, role=Role.objects.get(code="ops_center_gm"), organization=company)


def _staff_by_center() -> dict[int, dict[str, list[Any]]]:
    from servicecenter.org.models import Staff

    out: dict[int, dict[str, list[Any]]] = {}
    for staff in (
        Staff.objects.select_related("organization")
        .filter(staff_no__startswith="BN")
        .exclude(staff_no__startswith="BNG")
    ):
        center_id = staff.organization.parent_id if staff.organization.kind == "team" else staff.organization_id
        out.setdefault(center_id, {}).setdefault(staff.position, []).append(staff)
    return out


def generate(*, now: datetime, timings: dict[str, float]) -> dict[str, int]:
    from django.db import connection, transaction
    from django.db.models import Count

    from servicecenter.callbacks import services as callback_services
    from servicecenter.callbacks.models import (
        CallbackAttempt,
        CallbackTask,
        FollowUp,
        Opinion,
        Rating,
        Rectification,
    )
    from servicecenter.complaints.models import Complaint, ComplaintEvent, ComplaintSequence
    from servicecenter.org.models import Organization
    from servicecenter.workorders.models import WorkOrder

    rng = random.Random(4026)
    deadlines = Deadlines()
    questionnaire = callback_services.builtin_questionnaire()
    centers = list(Organization.objects.filter(code__startswith="bench-c-", kind="service_center").order_by("pk"))
    staff_by_center = _staff_by_center()
    names = {s.user_id: s.name for g in staff_by_center.values() for lst in g.values() for s in lst}
    ids = defaultdict(int)
    counts: dict[str, int] = defaultdict(int)
    started = time.perf_counter()
    for c, center in enumerate(centers):
        people = staff_by_center[center.pk]
        clerks = [s.user_id for s in people["order_clerk"]]
        manager = people["center_manager"][0].user_id
        workers = [s.pk for s in people["service_staff"]]
        orders = list(
            WorkOrder.objects.filter(organization=center, status__in=["returned", "closed"])
            .order_by("returned_at", "id")
            .values("id", "number", "kind", "customer_id", "customer_name", "phone", "assignee_id", "returned_at")
        )
        # a recent order of the work-order generator may be "returned" a few hours ahead of now: not yet called
        orders = [o for o in orders if o["returned_at"] <= now - timedelta(minutes=10)]
        rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        tasks_by_order: dict[int, dict[str, Any]] = {}
        called = [o for o in orders if o["kind"] != "inquiry"]
        n_pending = max(1, round(len(called) * 0.022))
        for index, order in enumerate(called):
            pending = index >= len(called) - n_pending
            task = _task(rng, center, order, now=now, pending=pending, deadlines=deadlines)
            ids["task"] += 1
            task["id"] = ids["task"]
            _attempts_and_answers(
                rng, task, rows, clerks=clerks, names=names, questionnaire_id=questionnaire.pk, now=now
            )
            rows["tasks"].append(task)
            tasks_by_order[order["id"]] = task
            if task["status"] == "done":
                reasons = _followup_reasons(task)
                if reasons:
                    ids["followup"] += 1
                    rows["followups"].append(_followup(rng, ids["followup"], task, reasons, manager=manager, now=now))
                if task["suggestion"]:
                    ids["opinion"] += 1
                    rows["opinions"].append(
                        _opinion(
                            ids["opinion"],
                            center,
                            kind="grievance" if task["attitude"] == "dissatisfied" else "suggestion",
                            source="callback",
                            text=task["suggestion"],
                            at=task["completed_at"],
                            customer_id=task["customer_id"],
                            staff_id=task["technician_id"],
                            task_id=task["id"],
                            manager=manager,
                            now=now,
                        )
                    )
        # --- ratings (好差评), their rectifications and mandatory callbacks -----------------------------------
        rated = rng.sample(orders, min(RATINGS_PER_CENTER, len(orders)))
        rated.sort(key=lambda o: o["returned_at"])
        for order in rated:
            at = min(order["returned_at"] + timedelta(minutes=rng.randint(10, 3 * 1440)), now - timedelta(minutes=5))
            level = rng.choices([5, 4, 3, 2, 1], weights=[65, 22, 8, 3, 2])[0]
            if level >= 4:
                tags = rng.sample(sorted(_good_tags()), rng.randint(1, 2))
            else:
                tags = rng.sample(sorted(_bad_tags()), rng.randint(1, 2))
            channel = rng.choices(["survey_link", "on_site", "phone", "staff_entry"], weights=[60, 15, 15, 10])[0]
            comment = rng.choice(SUGGESTIONS) if rng.random() < 0.2 else ""
            ids["rating"] += 1
            rating = {
                "id": ids["rating"],
                "created_at": at,
                "updated_at": at,
                "organization_id": center.pk,
                "order_id": order["id"],
                "customer_id": order["customer_id"],
                "staff_id": order["assignee_id"],
                "level": level,
                "tags": tags,
                "comment": comment,
                "channel": channel,
                "rated_at": at,
                "recorded_by_id": rng.choice(clerks) if channel == "staff_entry" else None,
            }
            rows["ratings"].append(rating)
            if comment and level <= 3:
                ids["opinion"] += 1
                rows["opinions"].append(
                    _opinion(
                        ids["opinion"],
                        center,
                        kind="grievance",
                        source="rating",
                        text=comment,
                        at=at,
                        customer_id=order["customer_id"],
                        staff_id=order["assignee_id"],
                        task_id=None,
                        manager=manager,
                        now=now,
                    )
                )
            if level <= 2:
                _bad_rating(
                    rng,
                    center,
                    order,
                    rating,
                    rows,
                    ids,
                    clerks=clerks,
                    names=names,
                    manager=manager,
                    questionnaire_id=questionnaire.pk,
                    now=now,
                    deadlines=deadlines,
                )
        for _ in range(20):  # opinions recorded by hand (CB-13)
            at = now - timedelta(seconds=rng.randint(3600, 365 * 86400))
            ids["opinion"] += 1
            kind = rng.choice(["suggestion", "grievance", "staff_rating"])
            rows["opinions"].append(
                _opinion(
                    ids["opinion"],
                    center,
                    kind=kind,
                    source="manual",
                    text=rng.choice(SUGGESTIONS),
                    at=at,
                    customer_id=None,
                    staff_id=rng.choice(workers) if kind == "staff_rating" else None,
                    task_id=None,
                    manager=manager,
                    now=now,
                )
            )
        # --- complaints -----------------------------------------------------------------------------------------
        from_callbacks = [f for f in rows["followups"] if f["status"] == "complaint"]
        _complaints(
            rng,
            center,
            rows,
            ids,
            orders=orders,
            tasks_by_order=tasks_by_order,
            from_callbacks=from_callbacks,
            clerks=clerks,
            manager=manager,
            names=names,
            workers=workers,
            now=now,
            deadlines=deadlines,
        )
        with transaction.atomic(), connection.cursor() as cursor:
            raw = cursor.cursor
            _copy(raw, Complaint, rows["complaints"], with_id=True)
            _copy(raw, ComplaintEvent, rows["complaint_events"], with_id=False)
            _copy(raw, ComplaintSequence, rows["sequences"], with_id=False)
            _copy(raw, CallbackTask, rows["tasks"], with_id=True)
            _copy(raw, CallbackAttempt, rows["attempts"], with_id=False)
            _copy(raw, FollowUp, rows["followups"], with_id=True)
            _copy(raw, Rating, rows["ratings"], with_id=True)
            _copy(raw, Rectification, rows["rectifications"], with_id=False)
            _copy(raw, Opinion, rows["opinions"], with_id=True)
        for key, value in rows.items():
            counts[key] += len(value)
        if c % 10 == 9:
            print(
                f"    {c + 1} centers, {counts['tasks']:,} tasks, {counts['attempts']:,} attempts, "
                f"{counts['complaints']:,} complaints, {time.perf_counter() - started:.0f} s",
                flush=True,
            )
    timings["callbacks + complaints (COPY)"] = time.perf_counter() - started
    with connection.cursor() as cursor:
        for model in (CallbackTask, FollowUp, Rating, Opinion, Complaint):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))"
            )
    print(f"    calendar look-ups (memoised end_of_working_days): {deadlines.calls:,}", flush=True)
    by_status = CallbackTask.objects.values_list("kind", "status").annotate(n=Count("id")).order_by("kind", "status")
    print("    tasks by kind/status: " + ", ".join(f"{k}/{s} {n:,}" for k, s, n in by_status), flush=True)
    return {
        "callback tasks": counts["tasks"],
        "callback attempts": counts["attempts"],
        "follow-ups": counts["followups"],
        "ratings": counts["ratings"],
        "rectifications": counts["rectifications"],
        "opinions": counts["opinions"],
        "complaints": counts["complaints"],
        "complaint events": counts["complaint_events"],
    }


def _good_tags() -> dict[str, str]:
    from servicecenter.callbacks.choices import GOOD_TAGS

    return GOOD_TAGS


def _bad_tags() -> dict[str, str]:
    from servicecenter.callbacks.choices import BAD_TAGS

    return BAD_TAGS


def _task(
    rng: random.Random, center: Any, order: dict[str, Any], *, now: datetime, pending: bool, deadlines: Deadlines
) -> dict[str, Any]:
    returned = order["returned_at"]
    due, citation = deadlines(center, returned, 1)
    return {
        "created_at": returned,
        "updated_at": returned,
        "organization_id": center.pk,
        "kind": "after_service",
        "status": "pending" if pending else "done",
        "order_id": order["id"],
        "customer_id": order["customer_id"],
        "customer_name": order["customer_name"],
        "phone": order["phone"],
        "technician_id": order["assignee_id"],
        "reason": f"工单 {order['number']} 已回单",
        "clause": "WO-10",
        "due_at": due,
        "due_citation": f"WO-10 回单后回访：1 个工作日内（默认值）；{citation}",
        "next_attempt_at": returned,
        "attempts": 0,
        "answers": {},
        "attitude": "",
        "suggestion": "",
        "charge_mismatch": False,
    }


def _attempts_and_answers(
    rng: random.Random,
    task: dict[str, Any],
    rows: dict[str, list[dict[str, Any]]],
    *,
    clerks: list[int],
    names: dict[int, str],
    questionnaire_id: int,
    now: datetime,
    attitude_weights: tuple[int, int, int] = (80, 15, 5),
) -> None:
    """The calls of a task and, for a done one, the answers (CB-02…CB-06). Decides done/unreachable/cancelled for
    a task that is not pending."""
    start = task["created_at"]
    clerk = rng.choice(clerks)
    if task["status"] == "pending":
        n_tried = rng.choices([0, 1, 2], weights=[70, 22, 8])[0]
        at = start
        for _ in range(n_tried):
            at = min(at + timedelta(minutes=rng.randint(30, 300)), now - timedelta(minutes=1))
            rows["attempts"].append(_attempt(task, at, clerk, names, rng.choice(["no_answer", "busy"]), "WO-10"))
        task["attempts"] = n_tried
        if n_tried:
            task["next_attempt_at"] = at + timedelta(hours=2)
            task["updated_at"] = at
        if rng.random() < 0.1:  # CB-01: the customer asked to be called at another time
            appointment = max(now, at) + timedelta(hours=rng.randint(1, 72))
            at = min(at + timedelta(minutes=rng.randint(10, 120)), now - timedelta(minutes=1))
            row = _attempt(task, at, clerk, names, "not_convenient", "CB-01")
            row["appointment_at"] = appointment
            rows["attempts"].append(row)
            task.update(attempts=task["attempts"] + 1, appointment_at=appointment, next_attempt_at=appointment)
            task["updated_at"] = at
        return
    draw = rng.random()
    if draw < 0.031:
        task["status"] = "unreachable"
    elif draw < 0.036:
        task["status"] = "cancelled"
    completed = start + timedelta(minutes=rng.randint(120, 48 * 60))
    completed = min(completed, now - timedelta(minutes=1))
    if task["status"] == "cancelled":
        task.update(completed_at=completed, completed_by_id=None, closed_note="客户要求不再回访", updated_at=completed)
        return
    if task["status"] == "unreachable":
        n_tries = 3
    else:
        n_tries = rng.choices([1, 2, 3], weights=[70, 20, 10])[0]
    span = (completed - start) / n_tries
    times = [start + span * (i + 1) for i in range(n_tries)]
    for at in times[:-1]:
        rows["attempts"].append(_attempt(task, at, clerk, names, rng.choice(["no_answer", "busy"]), "WO-10"))
    task.update(attempts=n_tries, completed_at=completed, completed_by_id=clerk, updated_at=completed)
    task["next_attempt_at"] = times[-2] + timedelta(hours=2) if n_tries > 1 else start
    if task["status"] == "unreachable":
        rows["attempts"].append(
            _attempt(task, completed, clerk, names, rng.choice(["no_answer", "busy", "wrong_number"]), "WO-10")
        )
        task["closed_note"] = "已拨打 3 次仍无法联系（最多 3 次，默认值）"
        return
    rows["attempts"].append(_attempt(task, completed, clerk, names, "answered", "CB-02"))
    attitude = rng.choices(["satisfied", "average", "dissatisfied"], weights=attitude_weights)[0]
    solved = rng.random() < {"satisfied": 0.93, "average": 0.85, "dissatisfied": 0.62}[attitude]
    if attitude == "satisfied":
        score = rng.choices([10, 9, 8, 7], weights=[40, 33, 20, 7])[0]
    elif attitude == "average":
        score = rng.choices([8, 7, 6, 5], weights=[20, 35, 30, 15])[0]
    else:
        score = rng.randint(1, 5)
    if not solved:
        score = max(1, score - rng.randint(1, 2))
    mismatch = rng.random() < 0.01
    charged = mismatch  # the generated orders carry no fee: "charged" is a mismatch (CB-04)
    suggestion = rng.choice(SUGGESTIONS) if rng.random() < (0.04 if attitude == "satisfied" else 0.25) else ""
    answers: dict[str, Any] = {"a": solved, "b": attitude, "c": charged, "d": score}
    if suggestion:
        answers["e"] = suggestion
    task.update(
        questionnaire_id=questionnaire_id,
        answers=answers,
        solved=solved,
        attitude=attitude,
        charged=charged,
        charge_mismatch=mismatch,
        charge_note="客户称已收费，但工单未记录任何费用（CB-04）" if mismatch else "工单无费用",
        score=score,
        score_pct=_pct(score),
        suggestion=suggestion,
        fee_reminder_shown=attitude == "satisfied" and rng.random() < 0.05,
    )


def _attempt(task: dict[str, Any], at: datetime, clerk: int, names: dict[int, str], result: str, clause: str) -> dict:
    return {
        "task_id": task["id"],
        "at": at,
        "by_id": clerk,
        "by_name": names.get(clerk, ""),
        "result": result,
        "note": "",
        "appointment_at": None,
        "clause": clause,
    }


def _followup_reasons(task: dict[str, Any]) -> list[dict[str, str]]:
    reasons = []
    if task["solved"] is False:
        reasons.append({"code": "not_solved", "text": "问题未解决", "clause": "G-03"})
    if task["attitude"] == "dissatisfied":
        reasons.append({"code": "dissatisfied", "text": "对服务态度不满意", "clause": "G-03"})
    if task["score"] is not None and task["score"] <= 5:
        reasons.append(
            {"code": "low_score", "text": f"评分 {task['score']} 分，不高于 5 分（默认值）", "clause": "G-03"}
        )
    if task["charge_mismatch"]:
        reasons.append({"code": "charge_mismatch", "text": task["charge_note"], "clause": "CB-04"})
    return reasons


def _followup(
    rng: random.Random, pk: int, task: dict[str, Any], reasons: list[dict[str, str]], *, manager: int, now: datetime
) -> dict[str, Any]:
    at = task["completed_at"]
    row = {
        "id": pk,
        "created_at": at,
        "updated_at": at,
        "organization_id": task["organization_id"],
        "task_id": task["id"],
        "order_id": task["order_id"],
        "reasons": reasons,
        "clause": reasons[0]["clause"],
        "assigned_to_id": manager,
        "status": "open",
        # private, for the complaint generator
        "_task": task,
    }
    if at < now - timedelta(days=14) and rng.random() < 0.99 or rng.random() < 0.3:
        resolved = min(at + timedelta(hours=rng.randint(1, 72)), now - timedelta(minutes=1))
        status = "complaint" if rng.random() < 0.02 else "closed"
        row.update(
            status=status,
            resolution="已电话安抚客户并安排班长复查" if status == "closed" else "",
            resolved_by_id=manager,
            resolved_at=resolved,
            updated_at=resolved,
        )
    return row


def _opinion(
    pk: int,
    center: Any,
    *,
    kind: str,
    source: str,
    text: str,
    at: datetime,
    customer_id: int | None,
    staff_id: int | None,
    task_id: int | None,
    manager: int,
    now: datetime,
) -> dict[str, Any]:
    row = {
        "id": pk,
        "created_at": at,
        "updated_at": at,
        "organization_id": center.pk,
        "kind": kind,
        "source": source,
        "text": text,
        "customer_id": customer_id,
        "staff_id": staff_id,
        "task_id": task_id,
        "status": "open",
    }
    if at < now - timedelta(days=7):
        handled = at + timedelta(days=2)
        row.update(
            status="closed",
            response="已电话答复客户并记录改进",
            handled_by_id=manager,
            handled_at=handled,
            updated_at=handled,
        )
    return row


def _bad_rating(
    rng: random.Random,
    center: Any,
    order: dict[str, Any],
    rating: dict[str, Any],
    rows: dict[str, list[dict[str, Any]]],
    ids: dict[str, int],
    *,
    clerks: list[int],
    names: dict[int, str],
    manager: int,
    questionnaire_id: int,
    now: datetime,
    deadlines: Deadlines,
) -> None:
    """A bad rating: a mandatory callback (kind "rating") and a rectification due in 15 working days."""
    at = rating["rated_at"]
    due, citation = deadlines(center, at, 1)
    ids["task"] += 1
    task = {
        "id": ids["task"],
        "created_at": at,
        "updated_at": at,
        "organization_id": center.pk,
        "kind": "rating",
        "status": "pending" if at > now - timedelta(days=1) else "done",
        "order_id": order["id"],
        "customer_id": order["customer_id"],
        "customer_name": order["customer_name"],
        "phone": order["phone"],
        "technician_id": order["assignee_id"],
        "reason": f"好差评：{rating['level']} 星",
        "clause": "CB-18",
        "due_at": due,
        "due_citation": f"差评回访：1 个工作日内；{citation}",
        "next_attempt_at": at,
        "attempts": 0,
        "answers": {},
        "attitude": "",
        "suggestion": "",
        "charge_mismatch": False,
    }
    _attempts_and_answers(
        rng,
        task,
        rows,
        clerks=clerks,
        names=names,
        questionnaire_id=questionnaire_id,
        now=now,
        attitude_weights=(20, 40, 40),
    )
    rows["tasks"].append(task)
    reasons = _followup_reasons(task) if task["status"] == "done" else []
    if reasons:  # the same service answers it (task_answer): G-03 applies as to any callback
        ids["followup"] += 1
        rows["followups"].append(_followup(rng, ids["followup"], task, reasons, manager=manager, now=now))
    rect_due, rect_citation = deadlines(center, at, 15)
    rect: dict[str, Any] = {
        "created_at": at,
        "updated_at": at,
        "organization_id": center.pk,
        "rating_id": rating["id"],
        "owner_id": manager,
        "due_at": rect_due,
        "due_citation": f"差评整改：15 个工作日内（默认值）；{rect_citation}",
        "status": "open",
        "callback_id": task["id"],
    }
    if at < now - timedelta(days=10) and rng.random() < 0.95:
        done = min(at + timedelta(days=rng.randint(1, 20)), now - timedelta(minutes=1))
        rect.update(status="done", measures=MEASURES, done_at=done, done_by_id=manager, updated_at=done)
    elif rect_due < now:
        rect["overdue_flagged_at"] = rect_due
    rows["rectifications"].append(rect)


def _complaints(
    rng: random.Random,
    center: Any,
    rows: dict[str, list[dict[str, Any]]],
    ids: dict[str, int],
    *,
    orders: list[dict[str, Any]],
    tasks_by_order: dict[int, dict[str, Any]],
    from_callbacks: list[dict[str, Any]],
    clerks: list[int],
    manager: int,
    names: dict[int, str],
    workers: list[int],
    now: datetime,
    deadlines: Deadlines,
) -> None:
    """COMPLAINTS_PER_CENTER complaints over the year in every state, with their timelines (G-01, CMP-11)."""
    tz = deadlines.tz(center)
    returned_at = [o["returned_at"] for o in orders]
    specs: list[dict[str, Any]] = []
    for followup in from_callbacks:  # G-03 → complaint: received when the follow-up was decided
        task = followup["_task"]
        specs.append({"received_at": followup["resolved_at"], "followup": followup, "task": task})
    while len(specs) < COMPLAINTS_PER_CENTER:
        day = now - timedelta(days=rng.randint(0, 364))
        local = day.astimezone(tz)
        received = local.replace(hour=rng.randint(8, 17), minute=rng.randint(0, 59), second=rng.randint(0, 59))
        received = received.astimezone(UTC)
        if received > now - timedelta(minutes=10):
            received = now - timedelta(minutes=rng.randint(10, 600))
        specs.append({"received_at": received, "followup": None, "task": None})
    specs.sort(key=lambda s: s["received_at"])
    serial: dict[int, int] = defaultdict(int)
    for spec in specs:
        received = spec["received_at"]
        year = received.astimezone(tz).year
        serial[year] += 1
        ids["complaint"] += 1
        pk = ids["complaint"]
        severity = rng.choices(["normal", "serious", "critical"], weights=[80, 15, 5])[0]
        if spec["followup"] is not None:
            task = spec["task"]
            order = {"id": task["order_id"], "customer_id": task["customer_id"], "assignee_id": task["technician_id"]}
            name, phone = task["customer_name"], task["phone"]
            channel = "callback"
            category = (
                "quality"
                if task["solved"] is False
                else ("attitude" if task["attitude"] == "dissatisfied" else "other")
            )
            against = task["technician_id"] if task["attitude"] == "dissatisfied" else None
            spec["followup"]["complaint_id"] = pk
        else:
            channel = rng.choices(["phone", "walk_in", "web", "rating", "letter"], weights=[55, 15, 20, 5, 5])[0]
            category = rng.choices(
                ["attitude", "quality", "timeliness", "charge", "language", "merchant", "other"],
                weights=[25, 30, 20, 8, 5, 4, 8],
            )[0]
            # 70 % name an order of the complainant returned in the 30 days before; the others only the customer
            end = bisect.bisect_left(returned_at, received)
            begin = bisect.bisect_left(returned_at, received - timedelta(days=30))
            order = orders[rng.randrange(begin, end)] if end > begin and rng.random() < 0.7 else None
            src = order or rng.choice(orders)
            name, phone = src["customer_name"], src["phone"]
            against = src["assignee_id"] if category in ("attitude", "language", "quality") and order else None
        ack_days, resolve_days = 1, {"normal": 3, "serious": 2, "critical": 1}[severity]
        ack_due, _ = deadlines(center, received, ack_days)
        resolve_due, cal_citation = deadlines(center, received, resolve_days)
        citation = (
            f"G-01 投诉处理时限：{ack_days} 个工作日内确认受理，{resolve_days} 个工作日内答复（默认值）；{cal_citation}"
        )
        summary = SUMMARIES[category]
        row: dict[str, Any] = {
            "id": pk,
            "created_at": received,
            "updated_at": received,
            "organization_id": center.pk,
            "number": f"TS{center.pk:03d}-{year}-{serial[year]:05d}",
            "channel": channel,
            "category": category,
            "severity": severity,
            "status": "received",
            "complainant_name": name,
            "phone": phone,
            "phone_digits": "".join(ch for ch in phone if ch.isdigit()),
            "customer_id": order["customer_id"] if order else None,
            "notify_complainant": True,
            "summary": summary,
            "details": f"{summary}，请尽快处理。",
            "demand": rng.choice(["", "要求道歉", "要求重新上门", "要求退还费用"]),
            "order_id": order["id"] if order else None,
            "against_staff_id": against,
            "merchant_name": "某某配件商行" if category == "merchant" else "",
            "received_by_id": rng.choice(clerks) if channel != "web" else None,
            "received_at": received,
            "acknowledge_due_at": ack_due,
            "resolve_due_at": resolve_due,
            "deadline_citation": citation,
        }
        rows["complaints"].append(row)
        _complaint_life(rng, row, rows, now=now, manager=manager, names=names, clerk=row["received_by_id"])
    for year, last in serial.items():
        rows["sequences"].append({"organization_id": center.pk, "year": year, "last_no": last})
    for followup in from_callbacks:
        followup.pop("_task", None)
    for followup in rows["followups"]:
        followup.pop("_task", None)


def _complaint_life(
    rng: random.Random,
    row: dict[str, Any],
    rows: dict[str, list[dict[str, Any]]],
    *,
    now: datetime,
    manager: int,
    names: dict[int, str],
    clerk: int | None,
) -> None:
    """Walk a complaint along G-01 as far as its age allows, appending its events (with the CMP-11 texts)."""
    events = rows["complaint_events"]
    first_event = len(events)
    pk = row["id"]
    age = now - row["received_at"]

    def event(
        verb: str,
        at: datetime,
        before: str,
        after: str,
        note: str = "",
        clause: str = "",
        public: bool = False,
        actor: int | None = manager,
    ) -> None:
        events.append(
            {
                "complaint_id": pk,
                "at": at,
                "actor_id": actor,
                "actor_name": names.get(actor, "系统") if actor else "系统",
                "verb": verb,
                "from_status": before,
                "to_status": after,
                "note": note,
                "data": {},
                "clause": clause,
                "public": public,
            }
        )

    def notified(at: datetime, status: str, label: str) -> None:
        event("notified", at, status, status, f"已短信通知投诉人：{label}", "CMP-11", actor=None)

    received = row["received_at"]
    event("received", received, "", "received", row["summary"], "CMP-01、G-01", True, actor=clerk)
    notified(received, "received", "已受理")
    # where this case is now, by its age
    if age < timedelta(days=1):
        target = rng.choices(["received", "acknowledged"], weights=[55, 45])[0]
    elif age < timedelta(days=3):
        target = rng.choices(["acknowledged", "investigating", "resolved"], weights=[25, 40, 35])[0]
    elif age < timedelta(days=10):
        target = rng.choices(
            ["investigating", "resolved", "confirmed", "closed", "reopened"], weights=[10, 20, 30, 35, 5]
        )[0]
    elif age < timedelta(days=30):
        target = rng.choices(["closed", "confirmed", "reopened", "investigating"], weights=[80, 12, 4, 4])[0]
    else:
        target = rng.choices(["closed", "confirmed"], weights=[96, 4])[0]
    order = ["received", "acknowledged", "investigating", "resolved", "confirmed", "closed"]
    goal = order.index("investigating") if target == "reopened" else order.index(target)
    span = max(age.total_seconds() / 60 - 5, 30)

    def step(lo_h: float, hi_h: float, prev: datetime) -> datetime:
        at = prev + timedelta(minutes=rng.uniform(lo_h * 60, hi_h * 60))
        return min(at, received + timedelta(minutes=span))

    late_ack = rng.random() < 0.06
    late_resolve = rng.random() < 0.08
    at = received
    status = "received"
    if goal >= 1:
        at = step(0.2, 4, at) if not late_ack else max(step(0.2, 4, at), row["acknowledge_due_at"] + timedelta(hours=2))
        at = min(at, now - timedelta(minutes=3))
        row.update(status="acknowledged", acknowledged_at=at, owner_id=manager)
        event("acknowledged", at, status, "acknowledged", f"处理人：{names.get(manager, '')}", "G-01", True)
        status = "acknowledged"
        notified(at, status, "已确认")
    if goal >= 2:
        at = min(step(0.2, 6, at), now - timedelta(minutes=2))
        row.update(status="investigating", investigation_started_at=at)
        event("investigating", at, status, "investigating", "", "", True)
        status = "investigating"
        notified(at, status, "调查处理中")
        event("note", min(step(0.1, 3, at), now - timedelta(minutes=2)), status, status, "已联系投诉人了解情况")
    if goal >= 3:
        at = step(1, 30, at)
        if late_resolve:
            at = max(at, row["resolve_due_at"] + timedelta(hours=3))
        at = min(at, now - timedelta(minutes=1))
        row.update(status="resolved", response=rng.choice(RESPONSES), resolved_by_id=manager, resolved_at=at)
        event("resolved", at, status, "resolved", row["response"], "", True)
        status = "resolved"
        notified(at, status, "已处理待确认")
    if goal >= 4:
        at = min(step(1, 48, at), now - timedelta(minutes=1))
        feedback = rng.choices(["satisfied", "no_reply"], weights=[85, 15])[0]
        row.update(status="confirmed", feedback=feedback, confirmed_at=at)
        event("confirmed", at, status, "confirmed", "", "G-01", actor=None if feedback == "no_reply" else manager)
        status = "confirmed"
    if goal >= 5:
        at = min(step(0.5, 24, at), now - timedelta(minutes=1))
        row.update(status="closed", closed_by_id=manager, closed_at=at)
        event("closed", at, status, "closed", "", "CMP-06", True)
        status = "closed"
        notified(at, status, "已结案")
    if target == "reopened":
        at = min(step(1, 24, at), now - timedelta(minutes=1))
        row.update(status="resolved", response=rng.choice(RESPONSES), resolved_by_id=manager, resolved_at=at)
        event("resolved", at, "investigating", "resolved", row["response"], "", True)
        at = min(step(1, 24, at), now - timedelta(seconds=30))
        row.update(status="reopened", feedback="dissatisfied", reopen_count=1)
        event(
            "reopened",
            at,
            "resolved",
            "reopened",
            "投诉人不满意，重新打开（第 1 次，最多 1 次）",
            "G-01",
            True,
            actor=None,
        )
        status = "reopened"
        notified(at, status, "已重新打开")
    # steady state of the breach flags (complaint_sweep has run): a deadline missed is flagged once
    open_now = status in ("received", "acknowledged", "investigating", "reopened")
    ack_at = row.get("acknowledged_at")
    if (ack_at is None and row["acknowledge_due_at"] <= now) or (ack_at and ack_at > row["acknowledge_due_at"]):
        row["acknowledge_breached_at"] = row["acknowledge_due_at"]
    resolved_at = row.get("resolved_at")
    if (open_now and resolved_at is None and row["resolve_due_at"] <= now) or (
        resolved_at and resolved_at > row["resolve_due_at"]
    ):
        row["resolve_breached_at"] = row["resolve_due_at"]
    for flag, label in (("acknowledge_breached_at", "确认受理"), ("resolve_breached_at", "处理")):
        if row.get(flag):
            row["escalated_at"] = row.get("escalated_at") or row[flag]
            row["escalation_reason"] = row.get("escalation_reason") or f"超过{label}期限"
            event("escalated", row[flag], status, status, f"超过{label}期限，已上报中心经理", "G-01", actor=None)
    row["updated_at"] = max(e["at"] for e in events[first_event:])


if __name__ == "__main__":
    sys.exit(main())
