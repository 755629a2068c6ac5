"""Sample complaints for `servicecenter demo`: cases of the D01-style station in every state of G-01 (received,
acknowledged, investigating, resolved, confirmed, closed, reopened, escalated by the deadline sweep), taken and moved
through the real services with explicit `now` values. Idempotent: a sample whose summary exists is skipped."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from django.utils import timezone

from servicecenter.core.demo_data import as_list
from servicecenter.workorders.demo import station_people

from . import services
from .models import Complaint

# (summary, complainant, phone, category, severity, channel, hours ago, target state, details)
SAMPLES: tuple[tuple[str, str, str, str, str, str, float, str, str], ...] = (
    (
        "装机师傅迟到两小时",
        "施建平",
        "13800138023",
        "timeliness",
        "normal",
        "phone",
        2,
        "received",
        "约好上午十点，十二点才到，也没有提前打电话。",
    ),
    (
        "维修后仍然断网",
        "褚卫东",
        "13800138011",
        "quality",
        "serious",
        "phone",
        20,
        "acknowledged",
        "师傅走后第二天又断网，要求尽快处理。",
    ),
    (
        "收费与报价不一致",
        "卫秀兰",
        "13800138012",
        "charge",
        "normal",
        "walk_in",
        30,
        "investigating",
        "电话里说 30 元，上门收了 50 元。",
    ),
    (
        "客服电话态度生硬",
        "姜丽萍",
        "13800138032",
        "attitude",
        "normal",
        "phone",
        60,
        "resolved",
        "询问资费时接线员不耐烦。",
    ),
    (
        "维修人员说话不文明",
        "蒋志刚",
        "13800138013",
        "language",
        "serious",
        "letter",
        100,
        "confirmed",
        "师傅嫌楼层高，说话难听。",
    ),
    (
        "宽带安装拖延一周",
        "韩国庆",
        "13800138015",
        "timeliness",
        "normal",
        "web",
        170,
        "closed",
        "预约装机一周仍未上门。",
    ),
    (
        "机顶盒更换后仍卡顿",
        "沈玉梅",
        "13800138014",
        "quality",
        "normal",
        "phone",
        140,
        "reopened",
        "换了机顶盒还是卡，问题没解决。",
    ),
    (
        "多次报修无人处理",
        "陈淑珍",
        "13800138010",
        "timeliness",
        "critical",
        "phone",
        80,
        "overdue",
        "楼道分线箱进水三天无人来。",
    ),
)


def load_demo(*, centers: Mapping[str, Any] | Iterable[Any], people: Mapping[str, Any] | Iterable[Any]) -> int:
    station = next((c for c in as_list(centers) if c.center_type == "service_station"), None)
    if station is None:
        return 0
    found = station_people(station, as_list(people))
    if found is None:
        return 0
    clerk, manager, _workers = found
    now = timezone.now().replace(second=0, microsecond=0)
    existing = set(
        Complaint.objects.filter(organization=station, summary__in=[s[0] for s in SAMPLES]).values_list(
            "summary", flat=True
        )
    )
    created = 0
    for summary, name, phone, category, severity, channel, hours, state, details in SAMPLES:
        if summary in existing:
            continue
        t0 = now - timedelta(hours=hours)
        complaint = services.complaint_create(
            actor=clerk.user,
            organization=station,
            channel=channel,
            complainant_name=name,
            phone=phone,
            summary=summary,
            details=details,
            category=category,
            severity=severity,
            demand="尽快解决并给出答复",
            now=t0,
        )
        Complaint.objects.filter(pk=complaint.pk).update(created_at=t0)
        _advance(complaint.pk, state=state, t0=t0, manager=manager)
        created += 1
    if created:
        services.complaint_sweep(now=now)
    return created


def _advance(pk: int, *, state: str, t0: Any, manager: Any) -> None:
    user = manager.user
    steps = ["acknowledged", "investigating", "resolved", "confirmed", "closed"]
    if state in ("received", "overdue"):
        return
    services.complaint_acknowledge(actor=user, complaint_id=pk, now=t0 + timedelta(hours=1))
    if state == "acknowledged":
        return
    services.complaint_start_investigation(
        actor=user, complaint_id=pk, note="已联系投诉人并调取工单记录", now=t0 + timedelta(hours=2)
    )
    services.complaint_add_note(
        actor=user, complaint_id=pk, note="与当班人员面谈，核实情况属实", now=t0 + timedelta(hours=3)
    )
    if state == "investigating":
        return
    services.complaint_resolve(
        actor=user,
        complaint_id=pk,
        response="经核实情况属实，已向您致歉并安排复查；相关人员已批评教育，纳入本月考核。",
        now=t0 + timedelta(hours=5),
    )
    if state == "resolved":
        return
    if state == "reopened":
        services.complaint_record_feedback(
            actor=user, complaint_id=pk, feedback="dissatisfied", note="问题依旧", now=t0 + timedelta(hours=8)
        )
        return
    services.complaint_record_feedback(actor=user, complaint_id=pk, feedback="satisfied", now=t0 + timedelta(hours=8))
    if state == "confirmed":
        return
    assert state == steps[-1]
    services.complaint_close(actor=user, complaint_id=pk, note="投诉人满意，结案", now=t0 + timedelta(hours=9))
