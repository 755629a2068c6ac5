"""Permission-matrix cases of /api/v1/complaints/ (core.testing.Case): each transition gets its own complaint of
center A in the state it needs (walked there through the services); center B's people see none of them in the list
(marker) and get 404 on every complaint and action; anonymous callers 401/403."""

from __future__ import annotations

from servicecenter.complaints import services
from servicecenter.complaints.models import Complaint
from servicecenter.core.testing import Case

MARKER = "接口投诉矩阵人甲"
STEPS = ["acknowledged", "investigating", "resolved", "confirmed", "closed"]


def _complaint(world, state: str = "received", name: str = "接口投诉矩阵人") -> Complaint:
    manager = world.manager_a.user
    complaint = services.complaint_create(
        actor=world.clerk_a.user,
        organization=world.tree["a"],
        channel="phone",
        complainant_name=name,
        phone="13600136000",
        summary="接口矩阵投诉",
        details="接口矩阵投诉内容",
    )
    for step in STEPS[: STEPS.index(state) + 1] if state in STEPS else []:
        if step == "acknowledged":
            services.complaint_acknowledge(actor=manager, complaint_id=complaint.pk)
        elif step == "investigating":
            services.complaint_start_investigation(actor=manager, complaint_id=complaint.pk)
        elif step == "resolved":
            services.complaint_resolve(actor=manager, complaint_id=complaint.pk, response="已处理")
        elif step == "confirmed":
            services.complaint_record_feedback(actor=manager, complaint_id=complaint.pk, feedback="satisfied")
        elif step == "closed":
            services.complaint_close(actor=manager, complaint_id=complaint.pk)
    return complaint


def _status_is(pk: int, status: str):
    def check(world, response) -> None:
        assert Complaint.objects.get(pk=pk).status == status, response.json()

    return check


def build(world) -> list[Case]:
    listed = _complaint(world, name=MARKER)

    def post(name, complaint, data=None, ok=(200,), status=None):
        return Case(
            f"api-complaints-{name}",
            kwargs={"pk": complaint.pk},
            method="post",
            api=True,
            data=data or {},
            ok=ok,
            check=_status_is(complaint.pk, status) if status else None,
        )

    return [
        Case("api-complaints-list", api=True, marker=MARKER),
        Case(
            "api-complaints-list",
            method="post",
            api=True,
            actor="clerk_a",
            ok=(201,),
            data_factory=lambda w: {
                "organization": w.tree["a"].pk,
                "channel": "phone",
                "complainant_name": "接口新投诉",
                "phone": "13600136001",
                "summary": "接口登记",
                "details": "接口登记投诉",
            },
        ),
        Case("api-complaints-detail", kwargs={"pk": listed.pk}, api=True, actor="clerk_a"),
        Case("api-complaints-events", kwargs={"pk": listed.pk}, api=True),
        post("acknowledge", _complaint(world), status="acknowledged"),
        post("start-investigation", _complaint(world, "acknowledged"), status="investigating"),
        post("notes", listed, data={"note": "接口矩阵记录"}, ok=(201,)),
        post("resolve", _complaint(world, "acknowledged"), data={"response": "已答复"}, status="resolved"),
        post("feedback", _complaint(world, "resolved"), data={"feedback": "satisfied"}, status="confirmed"),
        post("close", _complaint(world, "confirmed"), status="closed"),
        post("reopen", _complaint(world, "closed"), data={"reason": "问题复发"}, status="reopened"),
    ]
