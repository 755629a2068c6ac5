"""Permission-matrix cases of the attendance pages and API (core.testing.Case).

Center A's worker (staff_a) has punches, a result and a violation; center B's people must not see them (lists without
the marker, objects and actions 404)."""

from __future__ import annotations

import io
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from servicecenter.attendance import services
from servicecenter.attendance.models import AttendanceEvent, Violation
from servicecenter.core.testing import Case
from servicecenter.policy.values import local_today

MARKER = "甲中心违纪：上班玩游戏"


def _withdrawn(pk: int):
    def check(world, response) -> None:
        assert Violation.objects.get(pk=pk).status == "withdrawn"

    return check


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def _checked_in(pk: int):
    def check(world, response) -> None:
        assert AttendanceEvent.objects.get(pk=pk).attendances.get().checked_in_at is not None

    return check


def _closed(pk: int):
    def check(world, response) -> None:
        assert AttendanceEvent.objects.get(pk=pk).closed_at is not None

    return check


def build(world) -> list[Case]:
    a = world.tree["a"]
    today = local_today(a)
    yesterday = today - timedelta(days=1)
    month = yesterday.strftime("%Y-%m")
    listed = services.violation_record(
        actor=world.manager_a.user,
        staff=world.staff_a,
        day=yesterday,
        type="games",
        description=MARKER,
        evidence_photo=SimpleUploadedFile("evidence.png", _png(), content_type="image/png"),
    )
    services.results_compute(organization=a, start=yesterday, end=yesterday)
    to_withdraw = services.violation_record(
        actor=world.manager_a.user, staff=world.staff_a, day=yesterday, type="off_post", description="离开岗位"
    )
    now = timezone.now()
    event = services.event_create(
        actor=world.manager_a.user,
        organization=a,
        kind="meeting",
        title="甲中心例会",
        starts_at=now - timedelta(hours=3),
        ends_at=now - timedelta(hours=2),
        staff_ids=[world.staff_a.pk],
    )
    to_close = services.event_create(
        actor=world.manager_a.user,
        organization=a,
        kind="training",
        title="甲中心培训",
        starts_at=now - timedelta(hours=3),
        ends_at=now - timedelta(hours=2),
        staff_ids=[world.staff_a.pk],
    )
    center_q = f"?center={a.pk}&month={month}"
    return [
        # --- pages: own data (every staff member) ---
        # (a staff member's own pages: the other center's worker gets their own page, without A's worker's name;
        # the punch POST is covered in test_views.py — it only ever punches for the signed-in user)
        Case("attendance:home", actor="staff_a", cross="staff_b", marker=world.staff_a.name),
        Case("attendance:punch", actor="staff_a", cross="staff_b", marker=world.staff_a.name),
        Case("attendance:my_month", actor="staff_a", cross="staff_b", marker=MARKER, query=f"?month={month}"),
        Case("attendance:correction_create", actor="staff_a", cross="staff_b", marker=world.staff_a.name),
        # --- pages: a center's results (managers) ---
        Case("attendance:dashboard", query=center_q),
        Case("attendance:sheet", query=center_q),
        Case("attendance:sheet_xlsx", query=center_q),
        Case("attendance:staff_month", kwargs={"pk": world.staff_a.pk}),
        Case(
            "attendance:recompute",
            method="post",
            data={"center": a.pk, "start": str(yesterday), "end": str(yesterday)},
            ok=(302,),
        ),
        Case("attendance:violation_list", marker=MARKER),
        Case("attendance:violation_create", marker=world.staff_a.name),
        Case(
            "attendance:violation_withdraw",
            kwargs={"pk": to_withdraw.pk},
            method="post",
            data={"reason": "登记错误"},
            ok=(302,),
            check=_withdrawn(to_withdraw.pk),
        ),
        Case("attendance:violation_photo", kwargs={"pk": listed.pk}),
        Case("attendance:event_list", marker="甲中心例会"),
        Case("attendance:event_create", query=f"?center={a.pk}"),
        Case("attendance:event_detail", kwargs={"pk": event.pk}),
        Case(
            "attendance:event_check",
            kwargs={"pk": event.pk},
            method="post",
            data={"action": "in", "attendance": event.attendances.get().pk},
            ok=(302,),
            check=_checked_in(event.pk),
        ),
        Case(
            "attendance:event_close",
            kwargs={"pk": to_close.pk},
            method="post",
            ok=(302,),
            check=_closed(to_close.pk),
        ),
        # --- API ---
        Case(
            "attendance_api:punch",
            api=True,
            method="post",
            data={"staff_no": world.staff_a.staff_no, "kind": "out"},
            ok=(201, 200),
        ),
        Case(
            "attendance_api:my_results",
            api=True,
            actor="staff_a",
            cross="staff_b",
            marker=world.staff_a.staff_no,
            query=f"?month={month}",
        ),
        Case("attendance_api:results", api=True, query=center_q),
        Case("attendance_api:violations", api=True, marker=MARKER),
        Case(
            "attendance_api:violations",
            api=True,
            method="post",
            data_factory=lambda w: {
                "staff_no": w.staff_a.staff_no,
                "day": str(date.today() - timedelta(days=2)),
                "type": "internet",
                "description": "上班浏览购物网站",
            },
            ok=(201,),
        ),
    ]
