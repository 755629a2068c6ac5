"""Permission-matrix cases of /api/v1/callbacks/ (core.testing.Case): each action gets its own record of center A in
the state it needs (care callbacks of a customer of A: no order needed; a returned order for the rating); center B's
people see none of it in the lists (marker) and get 404 on every record and action; anonymous callers 401/403."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from servicecenter.callbacks import services
from servicecenter.callbacks.models import CallbackTask, FollowUp, Opinion
from servicecenter.callbacks.surveys import rating_submit
from servicecenter.core.testing import Case
from servicecenter.customers.models import Customer
from servicecenter.workorders.models import WorkOrder
from tests.workorders.matrix_api import _order

MARKER = "接口回访矩阵客户甲"
GOOD = {"a": "yes", "b": "satisfied", "c": "no", "d": 9, "e": ""}


def _care_task(world, name: str = MARKER) -> CallbackTask:
    customer = Customer.objects.create(organization=world.tree["a"], name=name, phone="13700137000")
    return services.task_create_care(
        actor=world.manager_a.user,
        organization=world.tree["a"],
        customer_id=customer.pk,
        due_at=timezone.now() + timedelta(hours=2),
        reason="接口矩阵关怀回访",
    )


def _followup(world) -> FollowUp:
    task = _care_task(world)
    services.task_answer(actor=world.clerk_a.user, task_id=task.pk, answers={**GOOD, "a": "no"})
    return FollowUp.objects.get(task=task)


def _status_is(pk: int, status: str):
    def check(world, response) -> None:
        assert CallbackTask.objects.get(pk=pk).status == status, response.json()

    return check


def build(world) -> list[Case]:
    listed = _care_task(world)
    _followup(world)  # listed in the follow-ups (its customer is the marker)
    Opinion.objects.create(organization=world.tree["a"], kind="suggestion", source="manual", text=MARKER)
    rated = _order(world, "returned", name="接口评价客户")
    rating_submit(
        order=WorkOrder.objects.get(pk=_order(world, "returned", name="接口评价客户二").pk),
        level=4,
        tags=[],
        comment=MARKER,
        channel="phone",
        actor=world.clerk_a.user,
    )
    opinion = Opinion.objects.create(organization=world.tree["a"], kind="grievance", source="manual", text="待答复")

    def task_post(name, task, actor="clerk_a", data=None, status=None):
        return Case(
            f"api-callbacks-task-{name}",
            kwargs={"pk": task.pk},
            method="post",
            api=True,
            actor=actor,
            data=data or {},
            check=_status_is(task.pk, status) if status else None,
        )

    claimed = _care_task(world, "接口矩阵占用")
    return [
        Case("api-callbacks-tasks", api=True, marker=MARKER),
        Case("api-callbacks-task", kwargs={"pk": listed.pk}, api=True, actor="clerk_a"),
        task_post("claim", claimed),
        task_post("release", claimed),
        task_post("attempts", _care_task(world, "接口矩阵未接通"), data={"result": "no_answer"}, status="pending"),
        task_post("answer", _care_task(world, "接口矩阵回答"), data={"answers": GOOD}, status="done"),
        task_post(
            "cancel", _care_task(world, "接口矩阵取消"), actor="manager_a", data={"reason": "重复"}, status="cancelled"
        ),
        Case("api-callbacks-followups", api=True, marker=MARKER),
        Case(
            "api-callbacks-followup-resolve",
            kwargs={"pk": _followup(world).pk},
            method="post",
            api=True,
            data={"action": "close", "note": "已致电说明"},
        ),
        Case("api-callbacks-opinions", api=True, marker=MARKER),
        Case(
            "api-callbacks-opinions",
            method="post",
            api=True,
            actor="clerk_a",
            ok=(201,),
            data_factory=lambda w: {"organization": w.tree["a"].pk, "kind": "suggestion", "text": "接口矩阵意见"},
        ),
        Case(
            "api-callbacks-opinion-close",
            kwargs={"pk": opinion.pk},
            method="post",
            api=True,
            data={"response": "已答复客户"},
        ),
        Case("api-callbacks-ratings", api=True, marker=MARKER),
        Case(
            "api-callbacks-ratings",
            method="post",
            api=True,
            actor="clerk_a",
            ok=(201,),
            data={"order": rated.pk, "level": 5, "channel": "on_site"},
        ),
    ]
