"""Permission-matrix cases of the leave pages and API (core.testing.Case).

Center A's field worker asks for leave; center B's people must not see it (lists without the marker, objects and
actions 404). Dates are a week or more ahead of the real clock (the matrix runs at the current time).
"""

from __future__ import annotations

import base64
from datetime import timedelta

from servicecenter.approvals import services as approvals
from servicecenter.core.testing import Case
from servicecenter.leave import services
from servicecenter.leave.models import LeaveRequest
from servicecenter.policy.values import local_today

MARKER = "甲中心事假：回老家办证"
PDF = b"%PDF-1.4\n%%EOF\n"


def _ask(world, reason: str, days_ahead: int, kind: str = "rest") -> LeaveRequest:
    day = local_today(world.tree["a"]) + timedelta(days=days_ahead)
    return services.leave_submit(actor=world.staff_a.user, kind=kind, start_date=day, end_date=day, reason=reason)


def _approve(world, leave: LeaveRequest) -> LeaveRequest:
    step = leave.approval_request.steps.get(order=leave.approval_request.current_step_order)
    approvals.step_decide(actor=world.manager_a.user, step_id=step.pk, decision="approve")
    leave.refresh_from_db()
    return leave


def _status_is(pk: int, status: str):
    def check(world, response) -> None:
        assert LeaveRequest.objects.get(pk=pk).status == status

    return check


def _has_attachment(pk: int):
    def check(world, response) -> None:
        assert LeaveRequest.objects.get(pk=pk).attachments.exists()

    return check


def build(world) -> list[Case]:
    listed = _ask(world, MARKER, 10, kind="personal")
    to_withdraw = _ask(world, "待撤回", 11)
    to_withdraw_api = _ask(world, "待接口撤回", 12)
    to_cancel = _approve(world, _ask(world, "待取消", 13))
    to_cancel_api = _approve(world, _ask(world, "待接口取消", 14))
    sick = _ask(world, "待上传证明", 15, kind="sick")
    sick_api = _ask(world, "待接口上传证明", 16, kind="sick")
    attachment = services.certificate_attach(actor=world.staff_a.user, leave_id=sick.pk, content=PDF, filename="a.pdf")
    services.entitlement_set(actor=world.manager_a.user, organization=world.tree["a"], rows=[(1, 5)])
    # Started and approved leave to close (销假): submitted in the past would break ATT rules, so travel back.
    import time_machine

    today = local_today(world.tree["a"])
    with time_machine.travel(today - timedelta(days=5), tick=True):
        to_close = _approve(world, _ask(world, "待销假", 3))
        to_close_api = _approve(world, _ask(world, "待接口销假", 4))
    return_at = f"{today:%Y-%m-%d}T00:30"
    weekday = today + timedelta(days=9 - today.weekday())  # a Wednesday 1–2 weeks ahead
    return [
        # --- pages ---
        Case("leave:mine", actor="staff_a", cross="staff_b", marker=MARKER),
        # center A is a service station (1 day → 服务中心经理), center B a gov hall (→ 分管领导)
        Case(
            "leave:preview",
            actor="staff_a",
            cross="staff_b",
            marker="服务中心经理",
            query=f"?kind=personal&start_date={weekday:%Y-%m-%d}",
        ),
        Case("leave:detail", kwargs={"pk": listed.pk}),
        Case("leave:detail", kwargs={"pk": listed.pk}, actor="staff_a", cross="staff_b"),
        Case(
            "leave:withdraw",
            kwargs={"pk": to_withdraw.pk},
            actor="staff_a",
            cross="staff_b",
            method="post",
            ok=(302,),
            check=_status_is(to_withdraw.pk, "withdrawn"),
        ),
        Case(
            "leave:cancel",
            kwargs={"pk": to_cancel.pk},
            method="post",
            data={"note": "人手紧张"},
            ok=(302,),
            check=_status_is(to_cancel.pk, "cancelled"),
        ),
        Case(
            "leave:close",
            kwargs={"pk": to_close.pk},
            method="post",
            data={"actual_return_at": return_at, "note": "按时返岗"},
            ok=(302,),
            check=_status_is(to_close.pk, "closed"),
        ),
        Case(
            "leave:certificate",
            kwargs={"pk": sick.pk},
            actor="staff_a",
            cross="staff_b",
            method="post",
            data_factory=lambda w: {"file": _upload()},
            ok=(302,),
            check=_has_attachment(sick.pk),
        ),
        Case("leave:attachment", kwargs={"pk": attachment.pk}),
        Case("leave:calendar", marker=world.staff_a.name),
        Case("leave:register", marker=MARKER),
        Case("leave:register_export", query=f"?center={world.tree['a'].pk}"),
        Case("leave:entitlements", marker=world.tree["a"].name),
        # --- API ---
        Case("leave_api:request_list", api=True, actor="staff_a", cross="staff_b", marker=MARKER),
        Case("leave_api:request_detail", kwargs={"pk": listed.pk}, api=True),
        Case(
            "leave_api:request_withdraw",
            kwargs={"pk": to_withdraw_api.pk},
            api=True,
            actor="staff_a",
            cross="staff_b",
            method="post",
            check=_status_is(to_withdraw_api.pk, "withdrawn"),
        ),
        Case(
            "leave_api:request_cancel",
            kwargs={"pk": to_cancel_api.pk},
            api=True,
            method="post",
            check=_status_is(to_cancel_api.pk, "cancelled"),
        ),
        Case(
            "leave_api:request_close",
            kwargs={"pk": to_close_api.pk},
            api=True,
            method="post",
            data={"actual_return_at": f"{today:%Y-%m-%d}T00:30:00+08:00"},
            check=_status_is(to_close_api.pk, "closed"),
        ),
        Case(
            "leave_api:request_certificate",
            kwargs={"pk": sick_api.pk},
            api=True,
            actor="staff_a",
            cross="staff_b",
            method="post",
            data={"filename": "证明.pdf", "content_base64": base64.b64encode(PDF).decode()},
            ok=(201,),
            check=_has_attachment(sick_api.pk),
        ),
        Case("leave_api:register", api=True, marker=MARKER),
    ]


def _upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("证明.pdf", PDF, content_type="application/pdf")
