"""Sample leave for `servicecenter demo` (called by servicecenter.demo.loader inside a transaction).

Requests in every state at the D01-style station (古城服务站) and the D19-style hall (城西政务服务中心), submitted,
decided, cancelled and closed (销假) through the real services and the approvals engine, around today's date.
Idempotent: a sample whose reason already exists for its person is skipped.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from servicecenter.approvals import services as approvals
from servicecenter.core.demo_data import as_list
from servicecenter.policy.values import local_today, zone_of

from . import selectors, services
from .models import LeaveRequest

ENTITLEMENT_TABLE = ((1, 5), (10, 10), (20, 15))


@dataclass(frozen=True)
class Sample:
    staff_no: str
    kind: str
    reason: str
    offset: int  # first day, days from today (negative = in the past)
    length: int = 1  # working days wanted
    stage: str = "pending"  # pending | approved | rejected | withdrawn | cancelled | closed
    extra: dict[str, Any] = field(default_factory=dict)
    certificate: bool = False
    timed: tuple[int, int] | None = None  # leave-post / outing: (start hour, end hour) on the first day


STATION_SAMPLES = (
    Sample("GC010", "personal", "孩子开家长会", 3),
    Sample("GC011", "personal", "回老家办理房产手续", 5, length=2, stage="approved"),
    Sample("GC012", "sick", "急性肠胃炎，医院建议休息", -3, length=2, stage="closed", certificate=True),
    Sample("GC013", "sick", "发烧就诊", 1),
    Sample("GC014", "rest", "调休陪家人", 7, stage="rejected"),
    Sample("GC002", "personal", "参加亲戚婚礼", 10, stage="withdrawn"),
    Sample("GC005", "rest", "公休外出", 4, stage="cancelled"),
    Sample("GC003", "annual", "年休假外出旅游", 40, length=3),
    Sample("GC015", "leave_post", "去银行办理业务", 1, stage="approved", timed=(10, 11)),
    Sample("GC006", "event", "与客户回访时间冲突，申请不参加安全培训", 2, extra={"event_title": "季度安全培训"}),
)
HALL_SAMPLES = (
    Sample("ZW004", "personal", "家中老人就医陪护", 2, stage="approved"),
    Sample("ZW006", "personal", "外地参加考试", 8, length=3, extra={"handover_note": "社保窗口业务由钟若楠代办"}),
    Sample(
        "ZW005",
        "official_outing",
        "",
        1,
        stage="approved",
        timed=(9, 11),
        extra={"destination": "区行政审批局", "purpose": "报送窗口月度材料"},
    ),
)


def _png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (360, 200), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((4, 4, 355, 195), outline="black")
    draw.text((20, 30), "Medical certificate (demo)", fill="black")
    draw.text((20, 70), "Rest advised: 2 days", fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _working_run(center: Any, first: date, length: int) -> tuple[date, date]:
    """The first working day on or after `first` and the day `length` working days later (business calendar)."""
    start = first
    for _ in range(30):
        span = selectors.leave_span(center=center, kind="personal", start_date=start, end_date=start)
        if span.days > 0:
            break
        start += timedelta(days=1)
    end = start
    while True:
        span = selectors.leave_span(center=center, kind="personal", start_date=start, end_date=end)
        if span.days >= length or (end - start).days > 30:
            return start, end
        end += timedelta(days=1)


def _decide(leave: LeaveRequest, decision: str, comment: str, now: datetime) -> None:
    request = leave.approval_request
    assert request is not None
    step = request.steps.get(order=request.current_step_order or 0)
    approvals.step_decide(actor=step.assignee, step_id=step.pk, decision=decision, comment=comment, now=now)


def _load(center: Any, people: Mapping[str, Any], samples: Iterable[Sample], today: date) -> int:
    zone = zone_of(center)

    def local(day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=zone)

    created = 0
    for sample in samples:
        staff = people.get(sample.staff_no)
        if staff is None or staff.user_id is None:
            continue
        if LeaveRequest.objects.filter(staff=staff, reason=sample.reason, kind=sample.kind).exists():
            continue
        start, end = _working_run(center, today + timedelta(days=sample.offset), sample.length)
        asked = local(min(today, start) - timedelta(days=1), 9) if sample.offset < 1 else local(today, 8)
        kwargs: dict[str, Any] = {"kind": sample.kind, "reason": sample.reason, "now": asked, **sample.extra}
        if sample.timed:
            kwargs["starts_at"], kwargs["ends_at"] = local(start, sample.timed[0]), local(start, sample.timed[1])
            if sample.kind == "official_outing":
                kwargs["expected_return_at"] = kwargs["ends_at"]
        else:
            kwargs["start_date"], kwargs["end_date"] = start, end
        leave = services.leave_submit(actor=staff.user, **kwargs)
        created += 1
        decided_at = asked + timedelta(hours=1)
        if sample.certificate:
            services.certificate_attach(actor=staff.user, leave_id=leave.pk, content=_png(), filename="病历证明.png")
        if sample.stage in ("approved", "cancelled", "closed"):
            _decide(leave, "approve", "同意，注意做好工作交接。", decided_at)
        elif sample.stage == "rejected":
            _decide(leave, "reject", "本周人手紧张，请改期。", decided_at)
        elif sample.stage == "withdrawn":
            services.leave_withdraw(actor=staff.user, leave_id=leave.pk, now=decided_at)
        if sample.stage == "cancelled":
            services.leave_cancel(actor=staff.user, leave_id=leave.pk, note="家中事情已处理", now=decided_at)
        if sample.stage == "closed":
            back = local(end, 14)
            services.leave_close(
                actor=staff.user, leave_id=leave.pk, actual_return_at=back, note="身体好转，提前返岗", now=back
            )
    return created


def load_demo(*, centers: Mapping[str, Any] | Iterable[Any], people: Mapping[str, Any] | Iterable[Any]) -> int:
    """Load the samples for the first service station and the first gov hall among `centers`; `people` maps staff
    numbers to Staff rows (or is an iterable of Staff). Returns how many requests were created."""
    by_no: dict[str, Any] = {s.staff_no: s for s in as_list(people)}
    created = 0
    station = next((c for c in as_list(centers) if c.center_type == "service_station"), None)
    if station is not None:
        manager = next((s for s in by_no.values() if s.staff_no == "GC001"), None)
        if manager is not None and not selectors.entitlement_rows(center=station):
            services.entitlement_set(actor=manager.user, organization=station, rows=ENTITLEMENT_TABLE)
        created += _load(station, by_no, STATION_SAMPLES, local_today(station))
    hall = next((c for c in as_list(centers) if c.center_type == "gov_hall"), None)
    if hall is not None:
        created += _load(hall, by_no, HALL_SAMPLES, local_today(hall))
    return created
