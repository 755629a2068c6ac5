"""Sample callbacks for `servicecenter demo`: the callback tasks the returned demo orders created (WO-10) are worked
through the real services — answered satisfied, answered "not solved" (a follow-up turned into a rework order),
dissatisfied (a follow-up turned into a complaint), a low score (an open follow-up), an appointment (CB-01), an
unreachable customer after three calls, suggestions answered (CMP-06) — plus a customer-care contact (CB-16). Every
other callback already past its deadline is answered (as the clerks would have done), so the queue shows the recent
ones. Customers answer some of the survey links (CB-14): good ratings, and a bad one that opens a rectification and a
mandatory callback. Idempotent: only tasks still pending and never attempted are touched, and only on the first run."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from django.utils import timezone

from servicecenter.core.demo_data import as_list
from servicecenter.workorders.demo import station_people

from . import services
from .models import CallbackTask, FollowUp, Opinion

GOOD = {"a": "yes", "b": "satisfied", "c": "no", "d": "10", "e": ""}
# What each pending task (oldest first) becomes: answers, or an attempt result.
PLAN: tuple[tuple[str, dict[str, str]], ...] = (
    ("answer", {**GOOD, "e": "师傅很专业，希望以后也能这么快"}),
    ("answer", {**GOOD, "a": "no", "d": "4", "e": "还是经常掉线"}),  # G-03 → rework
    ("answer", {**GOOD, "b": "dissatisfied", "d": "3", "e": "师傅态度不好"}),  # G-03 → complaint
    ("answer", {**GOOD, "b": "average", "d": "5"}),  # G-03: low score, left open for the manager
    ("answer", {**GOOD, "d": "9"}),
    ("answer", {**GOOD, "b": "average", "d": "8", "e": "上门前请先打电话"}),
    ("appointment", {}),
    ("unreachable", {}),
)


def load_demo(*, centers: Mapping[str, Any] | Iterable[Any], people: Mapping[str, Any] | Iterable[Any]) -> int:
    station = next((c for c in as_list(centers) if c.center_type == "service_station"), None)
    if station is None:
        return 0
    found = station_people(station, as_list(people))
    if found is None:
        return 0
    clerk, manager, _workers = found
    if CallbackTask.objects.filter(organization=station).exclude(attempts=0).exists():
        return 0  # already worked on (a second run creates nothing)
    now = timezone.now().replace(second=0, microsecond=0)
    tasks = list(
        CallbackTask.objects.filter(organization=station, status="pending", attempts=0).order_by("created_at", "id")
    )
    done = 0
    for task, (action, answers) in zip(tasks, PLAN, strict=False):
        at = max(task.next_attempt_at, task.created_at) + timedelta(minutes=30)
        at = min(at, now)
        if action == "answer":
            services.task_answer(actor=clerk.user, task_id=task.pk, answers=answers, now=at)
        elif action == "appointment":
            services.task_record_attempt(
                actor=clerk.user,
                task_id=task.pk,
                result="not_convenient",
                note="客户在上班，约晚上回访",
                appointment_at=now + timedelta(hours=3),
                now=at,
            )
        else:
            for n in range(3):
                current = CallbackTask.objects.get(pk=task.pk)
                if current.status != "pending":
                    break
                services.task_record_attempt(
                    actor=clerk.user, task_id=task.pk, result="no_answer", now=min(at + timedelta(hours=2 * n), now)
                )
        done += 1
    for followup in FollowUp.objects.filter(organization=station, status="open").order_by("id")[:2]:
        codes = {r.get("code") for r in followup.reasons}
        decision = "rework" if "not_solved" in codes else "complaint" if "dissatisfied" in codes else ""
        if decision:
            services.followup_resolve(
                actor=manager.user, followup_id=followup.pk, action=decision, note="回访反馈，经理已处理", now=now
            )
    for opinion in Opinion.objects.filter(organization=station, status="open", kind="suggestion").order_by("id")[:1]:
        services.opinion_close(actor=manager.user, opinion_id=opinion.pk, response="感谢建议，已转告服务人员", now=now)
    for task in CallbackTask.objects.filter(
        organization=station, status="pending", attempts=0, kind="after_service", due_at__lt=now
    ).order_by("id"):
        at = min(task.next_attempt_at + timedelta(hours=3), now)
        services.task_answer(actor=clerk.user, task_id=task.pk, answers={**GOOD, "d": str(8 + task.pk % 3)}, now=at)
        done += 1
    _survey_answers(station=station, now=now)
    customer_id = tasks[0].customer_id if tasks else None
    if customer_id:
        services.task_create_care(
            actor=manager.user,
            organization=station,
            customer_id=customer_id,
            due_at=now + timedelta(days=2),
            reason="供暖季前客户关怀：提醒检查设备",
            now=now,
        )
    return done


# Survey answers of the customers (CB-14): (level, tags, solved, comment) for the oldest invitations.
SURVEY_ANSWERS: tuple[tuple[int, list[str], str, str], ...] = (
    (5, ["attitude_good", "efficient"], "yes", ""),
    (4, ["professional"], "yes", "师傅很专业"),
    (5, ["tidy"], "yes", ""),
    (2, ["slow", "not_solved"], "no", "等了两天才上门，问题还没彻底解决"),
)


def _survey_answers(*, station: Any, now: Any) -> None:
    from .models import SurveyInvitation
    from .surveys import make_token, survey_answer

    invitations = SurveyInvitation.objects.filter(
        organization=station, answered_at__isnull=True, expires_at__gt=now
    ).order_by("created_at", "id")[: len(SURVEY_ANSWERS)]
    for invitation, (level, tags, solved, comment) in zip(invitations, SURVEY_ANSWERS, strict=False):
        at = min(invitation.created_at + timedelta(hours=5), now)
        survey_answer(make_token(invitation), level=level, tags=tags, solved=solved, comment=comment, now=at)
