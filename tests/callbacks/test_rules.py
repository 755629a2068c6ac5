"""The callback rules one by one (CB-02…CB-07, CB-09, C-10, WO-10 retries), through the services and policies."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from servicecenter.callbacks import policies, services
from servicecenter.callbacks.models import CallbackAttempt, CallbackTask, FollowUp, Opinion, Questionnaire
from servicecenter.core.errors import ValidationFailed
from servicecenter.customers.models import Customer
from servicecenter.policy.services import parameter_set

from .conftest import MORNING, returned

GOOD = {"a": "yes", "b": "satisfied", "c": "no", "d": "9", "e": ""}


def _task(order) -> CallbackTask:
    return CallbackTask.objects.get(order=order)


def _set(manager, center, key, value):
    parameter_set(
        actor=manager.user, key=key, organization=center, value=value, effective_from=date(2026, 12, 1), reason="测试"
    )


@pytest.mark.clause("CB-02")
@pytest.mark.clause("CB-03")
def test_required_answers_are_named(returned_order, clerk_a):
    task = _task(returned_order)
    with pytest.raises(ValidationFailed) as caught:
        services.task_answer(actor=clerk_a.user, task_id=task.pk, answers={"a": "", "b": "happy", "c": "no", "d": "8"})
    assert set(caught.value.fields) == {"a", "b"}
    task.refresh_from_db()
    assert task.status == "pending" and not task.answers
    assert not Opinion.objects.exists()


@pytest.mark.clause("CB-05")
@pytest.mark.clause("C-10")
@pytest.mark.parametrize(("raw", "ok"), [("1", True), ("10", True), ("0", False), ("7.5", False), ("十", False)])
def test_score_is_an_integer_in_range_and_normalised(returned_order, clerk_a, raw, ok):
    task = _task(returned_order)
    answers = {**GOOD, "d": raw}
    if not ok:
        with pytest.raises(ValidationFailed):
            services.task_answer(actor=clerk_a.user, task_id=task.pk, answers=answers)
        return
    services.task_answer(actor=clerk_a.user, task_id=task.pk, answers=answers)
    task.refresh_from_db()
    assert task.score == int(raw)
    assert task.score_pct == {"1": Decimal("0.0"), "10": Decimal("100.0")}[raw]


@pytest.mark.clause("C-10")
def test_normalisation_across_scales():
    assert policies.normalize_score(4, 1, 5) == Decimal("75.0")
    assert policies.normalize_score(7, 1, 10) == Decimal("66.7")


@pytest.mark.clause("CB-04")
def test_charge_claim_is_cross_checked_with_the_order(returned_order, clerk_a, manager_a):
    # The order of the fixture is a free service (fee 0): a customer who says he paid is a mismatch.
    task = _task(returned_order)
    services.task_answer(actor=clerk_a.user, task_id=task.pk, answers={**GOOD, "c": "yes"})
    task.refresh_from_db()
    assert task.charge_mismatch is True
    assert "CB-04" in task.charge_note
    followup = FollowUp.objects.get(task=task)
    assert [r["code"] for r in followup.reasons] == ["charge_mismatch"]


@pytest.mark.clause("CB-04")
def test_charge_check_rules():
    assert not policies.check_charge(charged=False, fee_total=Decimal("0"), collected=None, payment_path="").mismatch
    assert policies.check_charge(charged=True, fee_total=Decimal("0"), collected=None, payment_path="").mismatch
    paid = policies.check_charge(charged=False, fee_total=Decimal("80"), collected=Decimal("80"), payment_path="现场")
    assert paid.mismatch
    # Invoiced (nothing collected on site): "not charged" is what the customer experienced.
    invoiced = policies.check_charge(charged=False, fee_total=Decimal("500"), collected=None, payment_path="开票")
    assert not invoiced.mismatch


@pytest.mark.clause("CB-07")
@pytest.mark.parametrize(
    ("attitude", "fee_status", "shown"),
    [
        ("satisfied", "unpaid", True),
        ("satisfied", "paid", False),
        ("average", "unpaid", False),
        ("satisfied", "unknown", False),
    ],
)
def test_fee_reminder_only_when_satisfied_and_unpaid(returned_order, clerk_a, attitude, fee_status, shown):
    Customer.objects.filter(pk=returned_order.customer_id).update(fee_status=fee_status)
    task = _task(returned_order)
    services.task_answer(actor=clerk_a.user, task_id=task.pk, answers={**GOOD, "b": attitude})
    task.refresh_from_db()
    assert task.fee_reminder_shown is shown


@pytest.mark.clause("CB-06")
@pytest.mark.clause("CB-13")
def test_suggestion_becomes_an_opinion(returned_order, clerk_a):
    task = _task(returned_order)
    services.task_answer(
        actor=clerk_a.user, task_id=task.pk, answers={**GOOD, "b": "dissatisfied", "e": "师傅进门没穿鞋套"}
    )
    opinion = Opinion.objects.get(task=task)
    assert opinion.kind == "grievance"  # CB-13: a dissatisfied customer's remark is a grievance
    assert opinion.staff_id == returned_order.assignee_id
    assert opinion.status == "open"


@pytest.mark.clause("CMP-06")
def test_opinion_closes_only_with_a_response(returned_order, clerk_a, manager_a):
    task = _task(returned_order)
    services.task_answer(actor=clerk_a.user, task_id=task.pk, answers={**GOOD, "e": "希望周末也能上门"})
    opinion = Opinion.objects.get(task=task)
    with pytest.raises(ValidationFailed):
        services.opinion_close(actor=manager_a.user, opinion_id=opinion.pk, response="  ")
    services.opinion_close(actor=manager_a.user, opinion_id=opinion.pk, response="已安排周末值班")
    opinion.refresh_from_db()
    assert opinion.status == "closed" and opinion.handled_by == manager_a.user


@pytest.mark.clause("CB-13")
def test_staff_rating_needs_the_staff_member(tree, clerk_a, worker_a):
    with pytest.raises(ValidationFailed):
        services.opinion_record(actor=clerk_a.user, organization=tree["a"], kind="staff_rating", text="很好")
    opinion = services.opinion_record(
        actor=clerk_a.user, organization=tree["a"], kind="staff_rating", text="很耐心", staff_id=worker_a.pk
    )
    assert opinion.source == "manual"


@pytest.mark.clause("G-03")
@pytest.mark.parametrize(("score", "opens"), [("5", True), ("6", False)])
def test_low_score_threshold(returned_order, clerk_a, score, opens):
    task = _task(returned_order)
    services.task_answer(actor=clerk_a.user, task_id=task.pk, answers={**GOOD, "d": score})
    assert FollowUp.objects.filter(task=task).exists() is opens


@pytest.mark.clause("WO-10")
def test_unreachable_after_max_attempts(returned_order, clerk_a):
    task = _task(returned_order)
    now = MORNING + timedelta(hours=1)
    for n in range(1, 4):
        task = services.task_record_attempt(actor=clerk_a.user, task_id=task.pk, result="no_answer", now=now)
        if n < 3:
            assert task.status == "pending"
            # 120 business minutes later (the station is open 08:30–20:00).
            assert task.next_attempt_at == now + timedelta(minutes=120)
            now = task.next_attempt_at
    assert task.status == "unreachable"
    assert CallbackAttempt.objects.filter(task=task).count() == 3
    assert "3" in task.closed_note


@pytest.mark.clause("CB-09")
def test_courtesy_sample(tree, clerk_a, worker_a, manager_a):
    assert not policies.courtesy_sampled(order_number="X1", kind="installation", rate=None)
    assert not policies.courtesy_sampled(order_number="X1", kind="repair", rate=100)
    assert policies.courtesy_sampled(order_number="X1", kind="installation", rate=100)
    assert not policies.courtesy_sampled(order_number="X1", kind="installation", rate=0)
    picked = sum(
        bool(policies.courtesy_sampled(order_number=f"WO{n}", kind="installation", rate=20)) for n in range(2000)
    )
    assert 320 < picked < 480  # about one in five
    _set(manager_a, tree["a"], "callbacks.courtesy_sample_rate", "100")
    order = returned(clerk_a, tree["a"], worker_a, kind="installation")
    assert _task(order).kind == "courtesy" and _task(order).clause == "CB-09"


@pytest.mark.clause("C-10")
def test_center_questionnaire_version_is_used(returned_order, clerk_a, manager_a, tree):
    builtin = services.questionnaire_for(tree["a"])
    assert builtin.organization is None and [q["code"] for q in builtin.questions] == ["a", "b", "c", "d", "e"]
    own = services.questionnaire_publish(
        actor=manager_a.user,
        organization=tree["a"],
        name="本站回访",
        opening="您好，{center}回访",
        closing="再见，热线 {hotline}",
        questions=[
            {"code": "q1", "type": "yes_no", "role": "solved", "label": "修好了吗？", "required": True},
            {"code": "q2", "type": "score", "role": "score", "label": "打分", "required": True, "min": 1, "max": 5},
        ],
    )
    assert services.questionnaire_for(tree["a"]) == own and own.version == 1
    task = _task(returned_order)
    services.task_answer(actor=clerk_a.user, task_id=task.pk, answers={"q1": "yes", "q2": "4"})
    task.refresh_from_db()
    assert task.questionnaire == own and task.score == 4 and task.score_pct == Decimal("75.0")
    again = services.questionnaire_publish(
        actor=manager_a.user, organization=tree["a"], name="本站回访", opening="o", closing="c", questions=own.questions
    )
    assert again.version == 2
    assert Questionnaire.objects.filter(organization=tree["a"], is_current=True).get() == again
    with pytest.raises(ValidationFailed):
        services.questionnaire_publish(
            actor=manager_a.user,
            organization=tree["a"],
            name="x",
            opening="o",
            closing="c",
            questions=[{"code": "a", "type": "yes_no", "role": "solved", "label": "1"}] * 2,
        )
