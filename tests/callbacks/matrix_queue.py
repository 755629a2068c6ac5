"""Permission-matrix cases of the callback queue, its history, the call page and its actions, care callbacks,
follow-ups, opinions and questionnaires (core.testing.Case).

Center A's orders are returned through the services (each gets its callback task); center B's people must not see
them in their lists (marker) and get 404 on every object page and action."""

from __future__ import annotations

import io
from datetime import timedelta

from django.utils import timezone
from PIL import Image

from servicecenter.callbacks import services
from servicecenter.callbacks.models import CallbackTask, FollowUp, Opinion, Questionnaire
from servicecenter.core.testing import Case
from servicecenter.customers.models import Customer
from servicecenter.workorders import services as order_services

MARKER = "回访矩阵客户甲"
GOOD = {"a": "yes", "b": "satisfied", "c": "no", "d": "9", "e": ""}


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 15), (255, 255, 255)).save(buffer, format="PNG")
    return buffer.getvalue()


def returned_task(world, name: str) -> CallbackTask:
    """An order of center A taken, dispatched to world.staff_a and completed now: its callback task (WO-10)."""
    clerk, staff = world.clerk_a.user, world.staff_a
    order = order_services.order_create(
        actor=clerk,
        organization=world.tree["a"],
        kind="repair",
        service_type="C",
        customer_name=name,
        phone="13900139001",
        address="甲路 2 号",
        problem="暖气不热",
        read_back=["problem", "address", "name", "phone"],
    )
    order_services.order_dispatch(actor=clerk, order_id=order.pk, assignee_id=staff.pk)
    order_services.order_accept(actor=staff.user, order_id=order.pk)
    now = timezone.now()
    order_services.order_complete(
        actor=staff.user,
        order_id=order.pk,
        work_content="清洗过滤网",
        service_started_at=now - timedelta(minutes=30),
        service_ended_at=now,
        signature_png=_png(),
        signer_name=name,
    )
    return CallbackTask.objects.get(order=order)


def _status_is(pk: int, status: str):
    def check(world, response) -> None:
        assert CallbackTask.objects.get(pk=pk).status == status, CallbackTask.objects.get(pk=pk).status

    return check


def build(world) -> list[Case]:
    clerk = world.clerk_a.user
    center_a = world.tree["a"]
    listed = returned_task(world, MARKER)
    to_claim = returned_task(world, "待开始回访")
    to_release = returned_task(world, "待放回")
    services.task_claim(actor=clerk, task_id=to_release.pk)
    to_answer = returned_task(world, "待提交回访")
    to_attempt = returned_task(world, "待未接通")
    to_cancel = returned_task(world, "待取消回访")
    finished = returned_task(world, "已回访客户甲")
    services.task_answer(actor=clerk, task_id=finished.pk, answers={**GOOD, "a": "no", "e": "还是不热"})
    followup = FollowUp.objects.get(task=finished)
    to_resolve = returned_task(world, "待处理跟进")
    services.task_answer(actor=clerk, task_id=to_resolve.pk, answers={**GOOD, "d": "3"})
    followup_to_resolve = FollowUp.objects.get(task=to_resolve)
    opinion = Opinion.objects.get(task=finished)
    customer = Customer.objects.filter(organization=center_a).first()
    assert customer is not None
    questionnaire = services.questionnaire_publish(
        actor=world.manager_a.user,
        organization=center_a,
        name="甲中心回访问卷",
        opening="您好，{center}回访",
        closing="热线 {hotline}",
        questions=[{"code": "q1", "type": "yes_no", "role": "solved", "label": "修好了吗？", "required": True}],
    )
    Questionnaire.objects.filter(pk=questionnaire.pk).update(is_current=False)  # the other tasks keep the D02 set
    later = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    return [
        Case("callbacks:queue", actor="clerk_a", marker=MARKER),
        Case("callbacks:queue", actor="manager_a", query=f"?center={center_a.pk}&overdue="),
        Case("callbacks:queue_history", actor="clerk_a", marker="已回访客户甲"),
        Case("callbacks:queue_history", actor="manager_a", marker="已回访客户甲", query="?solved=no&status=done"),
        Case("callbacks:care_create", actor="manager_a", marker=center_a.name),
        Case(
            "callbacks:care_create",
            actor="manager_a",
            method="post",
            data={"center": center_a.pk, "customer": customer.pk, "due_at": later, "reason": "节日问候"},
            ok=(302,),
            check=lambda world, response: CallbackTask.objects.filter(kind="care", customer=customer).exists(),
        ),
        Case("callbacks:call", kwargs={"pk": listed.pk}, actor="clerk_a"),
        Case("callbacks:call", kwargs={"pk": finished.pk}, actor="manager_a"),
        Case(
            "callbacks:call_claim",
            kwargs={"pk": to_claim.pk},
            actor="clerk_a",
            method="post",
            ok=(302,),
            check=lambda world, response: (
                CallbackTask.objects.get(pk=to_claim.pk).claimed_by_id == world.clerk_a.user.pk
            ),
        ),
        Case(
            "callbacks:call_release",
            kwargs={"pk": to_release.pk},
            actor="clerk_a",
            method="post",
            ok=(302,),
            check=lambda world, response: CallbackTask.objects.get(pk=to_release.pk).claimed_by_id is None,
        ),
        Case(
            "callbacks:call_answer",
            kwargs={"pk": to_answer.pk},
            actor="clerk_a",
            method="post",
            data={f"q_{k}": v for k, v in GOOD.items()},
            ok=(302,),
            check=_status_is(to_answer.pk, "done"),
        ),
        Case(
            "callbacks:call_attempt",
            kwargs={"pk": to_attempt.pk},
            actor="clerk_a",
            method="post",
            data={"result": "no_answer"},
            ok=(302,),
            check=lambda world, response: CallbackTask.objects.get(pk=to_attempt.pk).attempts == 1,
        ),
        Case(
            "callbacks:call_cancel",
            kwargs={"pk": to_cancel.pk},
            actor="manager_a",
            method="post",
            data={"reason": "客户要求不再回访"},
            ok=(302,),
            check=_status_is(to_cancel.pk, "cancelled"),
        ),
        Case("callbacks:followups", actor="manager_a", marker="已回访客户甲"),
        Case("callbacks:followups", actor="manager_a", marker="已回访客户甲", query="?status=all"),
        Case("callbacks:followup_detail", kwargs={"pk": followup.pk}, actor="manager_a"),
        Case(
            "callbacks:followup_resolve",
            kwargs={"pk": followup_to_resolve.pk},
            actor="manager_a",
            method="post",
            data={"action": "close", "note": "已电话致歉"},
            ok=(302,),
            check=lambda world, response: FollowUp.objects.get(pk=followup_to_resolve.pk).status == "closed",
        ),
        Case("callbacks:opinions", actor="manager_a", marker="还是不热"),
        Case("callbacks:opinion_record", actor="clerk_a", marker=center_a.name),
        Case(
            "callbacks:opinion_record",
            actor="clerk_a",
            method="post",
            data={"center": center_a.pk, "kind": "suggestion", "text": "希望周末也能上门"},
            ok=(302,),
            check=lambda world, response: Opinion.objects.filter(text="希望周末也能上门", source="manual").exists(),
        ),
        Case(
            "callbacks:opinion_close",
            kwargs={"pk": opinion.pk},
            actor="manager_a",
            method="post",
            data={"response": "已安排复查"},
            ok=(302,),
            check=lambda world, response: Opinion.objects.get(pk=opinion.pk).status == "closed",
        ),
        Case("callbacks:questionnaires", actor="manager_a", marker="甲中心回访问卷"),
        Case(
            "callbacks:questionnaires",
            actor="manager_a",
            method="post",
            data={
                "organization": center_a.pk,
                "name": "甲中心回访问卷二",
                "opening": "您好",
                "closing": "再见",
                "q_code": ["a"],
                "q_label": ["问题解决了吗？"],
                "q_type": ["yes_no"],
                "q_role": ["solved"],
                "q_required": ["1"],
                "q_choices": [""],
                "q_min": [""],
                "q_max": [""],
                "q_clause": [""],
            },
            ok=(302,),
            check=lambda world, response: Questionnaire.objects.filter(name="甲中心回访问卷二").exists(),
        ),
    ]
