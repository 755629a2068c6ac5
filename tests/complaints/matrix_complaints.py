"""Permission-matrix cases of the complaint pages (helper B): list, intake, case page and its actions, the violation
link, the print form, improvement actions, guidance and the public pages."""

from __future__ import annotations

from servicecenter.complaints import services
from servicecenter.complaints.models import Complaint, ImprovementAction
from servicecenter.core.testing import Case

LIST_MARKER = "矩阵投诉：服务态度差"
ACTION_MARKER = "矩阵改进措施：文明用语培训"
GUIDANCE_MARKER = "矩阵甲中心接待指引"


def _case(world, summary: str, **overrides):
    data = {
        "channel": "phone",
        "complainant_name": "矩阵投诉人",
        "phone": "139 0000 1111",
        "summary": summary,
        "details": "矩阵测试的投诉内容",
        "category": "attitude",
    }
    data.update(overrides)
    return services.complaint_create(actor=world.clerk_a.user, organization=world.tree["a"], **data)


def _acknowledged(world, summary: str):
    case = _case(world, summary)
    return services.complaint_acknowledge(actor=world.manager_a.user, complaint_id=case.pk)


def _resolved(world, summary: str):
    case = _acknowledged(world, summary)
    return services.complaint_resolve(actor=world.manager_a.user, complaint_id=case.pk, response="已处理")


def _confirmed(world, summary: str):
    case = _resolved(world, summary)
    return services.complaint_record_feedback(actor=world.manager_a.user, complaint_id=case.pk, feedback="satisfied")


def _closed(world, summary: str):
    case = _confirmed(world, summary)
    return services.complaint_close(actor=world.manager_a.user, complaint_id=case.pk)


def _status_is(pk: int, status: str):
    def check(world, response) -> None:
        assert Complaint.objects.get(pk=pk).status == status

    return check


def _action_is(pk: int, status: str):
    def check(world, response) -> None:
        assert ImprovementAction.objects.get(pk=pk).status == status

    return check


def build(world) -> list[Case]:
    a = world.tree["a"]
    listed = _case(world, LIST_MARKER)
    received = _case(world, "矩阵：待确认")
    acknowledged = _acknowledged(world, "矩阵：待调查")
    to_resolve = _acknowledged(world, "矩阵：待答复")
    resolved = _resolved(world, "矩阵：待反馈")
    confirmed = _confirmed(world, "矩阵：待结案")
    closed = _closed(world, "矩阵：已结案")
    against = _case(world, "矩阵：针对员工", against_staff_id=world.staff_a.pk)
    for_action = _closed(world, "矩阵：提出措施")
    action = services.action_create(
        actor=world.manager_a.user,
        complaint_id=closed.pk,
        title=ACTION_MARKER,
        owner_id=world.manager_a.user.pk,
        due_date="2099-12-31",
    )
    to_drop = services.action_create(
        actor=world.manager_a.user,
        complaint_id=closed.pk,
        title="矩阵：待撤销的措施",
        owner_id=world.manager_a.user.pk,
        due_date="2099-12-31",
    )
    article = services.guidance_save(
        actor=world.manager_a.user, title=GUIDANCE_MARKER, body="✔ 您好", tags=["general"], organization=a
    )
    return [
        Case("complaints:list", actor="clerk_a", marker=LIST_MARKER),
        Case("complaints:create", actor="clerk_a", marker=a.name),
        Case("complaints:order_search", actor="clerk_a", data={"organization": a.pk, "order_number": "2026"}),
        Case("complaints:detail", kwargs={"pk": listed.pk}, actor="manager_a"),
        Case("complaints:created", kwargs={"pk": listed.pk}, actor="clerk_a"),
        Case("complaints:print", kwargs={"pk": listed.pk}, actor="manager_a"),
        Case(
            "complaints:acknowledge",
            kwargs={"pk": received.pk},
            method="post",
            data={"owner": ""},
            ok=(302,),
            check=_status_is(received.pk, "acknowledged"),
        ),
        Case(
            "complaints:investigate",
            kwargs={"pk": acknowledged.pk},
            method="post",
            data={"investigate-note": ""},
            ok=(302,),
            check=_status_is(acknowledged.pk, "investigating"),
        ),
        Case("complaints:note", kwargs={"pk": listed.pk}, method="post", data={"note-note": "矩阵记录"}, ok=(302,)),
        Case(
            "complaints:resolve",
            kwargs={"pk": to_resolve.pk},
            method="post",
            data={"response": "矩阵答复", "compensation": "", "compensation_payer": ""},
            ok=(302,),
            check=_status_is(to_resolve.pk, "resolved"),
        ),
        Case(
            "complaints:feedback",
            kwargs={"pk": resolved.pk},
            method="post",
            data={"feedback-feedback": "satisfied", "feedback-note": ""},
            ok=(302,),
            check=_status_is(resolved.pk, "confirmed"),
        ),
        Case(
            "complaints:close",
            kwargs={"pk": confirmed.pk},
            method="post",
            data={"close-note": ""},
            ok=(302,),
            check=_status_is(confirmed.pk, "closed"),
        ),
        Case(
            "complaints:reopen",
            kwargs={"pk": closed.pk},
            method="post",
            data={"reason": "矩阵重开"},
            ok=(302,),
            check=_status_is(closed.pk, "reopened"),
        ),
        Case(
            "complaints:violation",
            kwargs={"pk": against.pk},
            method="post",
            data={"violation_type": "off_post", "day": "2020-01-01", "description": "矩阵违纪"},
            ok=(302,),
        ),
        # improvement actions (CMP-02)
        Case("complaints:actions", actor="manager_a", marker=ACTION_MARKER),
        Case(
            "complaints:action_create",
            kwargs={"pk": for_action.pk},
            method="post",
            data={"title": "矩阵新措施", "description": "", "owner": world.manager_a.user.pk, "due_date": "2099-12-31"},
            ok=(302,),
        ),
        Case(
            "complaints:action_done",
            kwargs={"pk": action.pk},
            method="post",
            data={"result": "矩阵完成"},
            ok=(302,),
            check=_action_is(action.pk, "done"),
        ),
        Case(
            "complaints:action_drop",
            kwargs={"pk": to_drop.pk},
            method="post",
            data={"result": "矩阵撤销"},
            ok=(302,),
            check=_action_is(to_drop.pk, "dropped"),
        ),
        # guidance (CMP-05 / CON-12)
        Case("complaints:guidance", actor="manager_a", marker=GUIDANCE_MARKER),
        Case("complaints:guidance_create", actor="manager_a", marker=a.name),
        Case("complaints:guidance_detail", kwargs={"pk": article.pk}, actor="manager_a"),
        Case("complaints:guidance_edit", kwargs={"pk": article.pk}, actor="manager_a"),
        # the complainant's pages: no login
        Case("complaints:public_status", public=True),
        Case("complaints:public_new", public=True),
        Case("complaints:public_done", public=True),
    ]
