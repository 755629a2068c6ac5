"""/api/v1/callbacks/: the callback queue as data (scoped list with filters, masked phones), the task with its
questionnaire and attempts, every action endpoint (claim, release, attempts, answer, cancel), follow-ups, opinions
and staff-recorded ratings — 401/403/404/409/400 answers in the one error format, nothing saved on a refusal, the
Idempotency-Key replays, and the query counts of the lists."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from rest_framework.test import APIClient

from servicecenter.callbacks import services
from servicecenter.callbacks.models import CallbackAttempt, CallbackTask, FollowUp, Opinion, Rating, Rectification
from servicecenter.complaints.models import Complaint
from servicecenter.core.models import IdempotencyKey
from servicecenter.org.models import Role
from tests import factories

from .conftest import MORNING, intake, returned

pytestmark = pytest.mark.django_db
ERROR_KEYS = {"code", "message", "fields", "clause"}
GOOD = {"a": "yes", "b": "satisfied", "c": "no", "d": 9, "e": ""}


@pytest.fixture
def api():
    def login(staff=None):
        client = APIClient()
        if staff is not None:
            client.force_authenticate(staff.user)
        return client

    return login


@pytest.fixture
def clerk_b(tree):
    return factories.make_staff(tree["b"], "order_clerk", name="乙内勤")


def reader(center, *permissions: str, name: str = "甲查阅"):
    """A staff member of `center` whose only role grants `permissions` (e.g. a report reader)."""
    code = "reader-" + "-".join(p.split(".")[1] for p in permissions)
    role = Role.objects.filter(code=code).first()
    if role is None:
        group = Group.objects.create(name=code)
        for perm in permissions:
            app_label, codename = perm.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        Role.objects.create(code=code, name=code, group=group)
    return factories.make_staff(center, code, name=name)


def url(name, obj=None):
    return reverse(f"api-callbacks-{name}", args=[obj.pk] if obj is not None else [])


def task_of(order) -> CallbackTask:
    return CallbackTask.objects.get(order=order)


# --- the flow ---------------------------------------------------------------------------------------------------


@pytest.mark.smoke
def test_clerk_works_a_callback_through_the_api(api, returned_order, clerk_a):
    # given: the returned order's callback waits in the queue
    clerk = api(clerk_a)
    task = task_of(returned_order)
    # when: the telephony client reads the queue and opens the task
    listed = clerk.get(url("tasks"), {"status": "pending"})
    detail = clerk.get(url("task", task))
    # then: the clerk dials, so the phone is in full; the questionnaire in force comes with its scripts (CB-08)
    assert listed.status_code == 200, listed.json()
    row = listed.json()["results"][0]
    assert (
        row["id"] == task.pk and row["phone"] == returned_order.phone and row["order_number"] == returned_order.number
    )
    assert row["kind"] == "after_service" and row["overdue"] is False
    body = detail.json()
    assert [q["code"] for q in body["questionnaire"]["questions"]] == ["a", "b", "c", "d", "e"]
    assert returned_order.organization.name in body["questionnaire"]["opening"]
    assert (body["questionnaire"]["score_min"], body["questionnaire"]["score_max"]) == (1, 10)
    assert body["order_detail"]["number"] == returned_order.number
    assert body["attempt_log"] == [] and body["followup"] is None

    # when: claim, then answer
    claimed = clerk.post(url("task-claim", task), {}, format="json")
    assert claimed.status_code == 200 and claimed.json()["claimed_by_name"] == "甲内勤"
    answered = clerk.post(url("task-answer", task), {"answers": GOOD}, format="json")

    # then
    assert answered.status_code == 200, answered.json()
    done = answered.json()
    assert done["status"] == "done" and done["score"] == 9 and done["attitude"] == "satisfied"
    assert done["solved"] is True and done["charged"] is False and done["charge_mismatch"] is False
    assert done["score_pct"] == "88.9"  # C-10: (9 − 1) / 9 × 100
    assert [a["result"] for a in done["attempt_log"]] == ["answered"]
    assert done["claimed_by"] is None and done["followup"] is None
    assert done["questionnaire"]["id"] == task_of(returned_order).questionnaire_id


@pytest.mark.clause("CB-05", "CB-02")
def test_bad_answers_are_a_400_naming_each_question_and_nothing_is_saved(api, returned_order, clerk_a):
    # given
    task = task_of(returned_order)
    # when: a score out of range, a missing attitude, a yes/no that is neither
    resp = api(clerk_a).post(
        url("task-answer", task), {"answers": {**GOOD, "d": 11, "b": "", "a": "maybe"}}, format="json"
    )
    # then
    assert resp.status_code == 400
    body = resp.json()
    assert set(body) == ERROR_KEYS and body["clause"] == "CB-02"
    assert set(body["fields"]) == {"answers.a", "answers.b", "answers.d"}
    assert "1–10" in body["fields"]["answers.d"][0]
    task.refresh_from_db()
    assert task.status == "pending" and task.answers == {} and task.attempts == 0
    assert not CallbackAttempt.objects.filter(task=task).exists()


@pytest.mark.clause("C-10")
def test_the_centers_own_questionnaire_is_the_one_given_and_checked(api, returned_order, clerk_a, manager_a):
    # given: center A publishes its own version: two questions, a 1–5 score
    services.questionnaire_publish(
        actor=manager_a.user,
        organization=returned_order.organization,
        name="甲中心回访",
        opening="您好，这里是{center}",
        closing="如有问题请拨打 {hotline}",
        questions=[
            {"code": "q1", "type": "yes_no", "role": "solved", "label": "修好了吗？", "required": True},
            {"code": "q2", "type": "score", "role": "score", "label": "打分", "required": True, "min": 1, "max": 5},
        ],
    )
    task = task_of(returned_order)
    clerk = api(clerk_a)
    # when
    questionnaire = clerk.get(url("task", task)).json()["questionnaire"]
    # then: its questions and scripts (no hotline set for the center: the gap shows)
    assert questionnaire["name"] == "甲中心回访" and questionnaire["version"] == 1
    assert [(q["code"], q.get("max")) for q in questionnaire["questions"]] == [("q1", None), ("q2", 5)]
    assert questionnaire["opening"] == f"您好，这里是{returned_order.organization.name}"
    assert "未设置服务热线号码" in questionnaire["closing"]
    # and the answers are checked against it, the score normalised to 0–100 on its own scale
    bad = clerk.post(url("task-answer", task), {"answers": {"q1": "yes", "q2": 6}}, format="json")
    assert bad.status_code == 400 and set(bad.json()["fields"]) == {"answers.q2"}
    ok = clerk.post(url("task-answer", task), {"answers": {"q1": "是", "q2": 5}}, format="json")
    assert ok.status_code == 200 and ok.json()["score_pct"] == "100.0" and ok.json()["solved"] is True


@pytest.mark.parametrize(
    "answers",
    [
        {"d": 9.5},
        {"d": "9.0"},
        {"d": True},
        {"a": ["yes"]},
        {"a": {"x": 1}},
        {"e": "a\x00b"},
        {"e": "长" * 2001},
    ],
)
def test_malformed_answer_values_are_refused(api, returned_order, clerk_a, answers):
    task = task_of(returned_order)
    resp = api(clerk_a).post(url("task-answer", task), {"answers": {**GOOD, **answers}}, format="json")
    assert resp.status_code == 400, resp.json()
    assert any(key.startswith("answers") for key in resp.json()["fields"]), resp.json()
    task.refresh_from_db()
    assert task.status == "pending"


def test_answers_must_be_an_object(api, returned_order, clerk_a):
    task = task_of(returned_order)
    for body in ({}, {"answers": ["a"]}, {"answers": "a=yes"}):
        resp = api(clerk_a).post(url("task-answer", task), body, format="json")
        assert resp.status_code == 400 and "answers" in resp.json()["fields"], body


@pytest.mark.clause("CB-01")
def test_not_convenient_needs_a_future_appointment_and_requeues_the_task(api, returned_order, clerk_a):
    # given
    task = task_of(returned_order)
    clerk = api(clerk_a)
    # when: no appointment, then one in the past
    missing = clerk.post(url("task-attempts", task), {"result": "not_convenient"}, format="json")
    past = clerk.post(
        url("task-attempts", task),
        {"result": "not_convenient", "appointment_at": (MORNING - timedelta(hours=1)).isoformat()},
        format="json",
    )
    # then
    for resp in (missing, past):
        assert resp.status_code == 400 and resp.json()["clause"] == "CB-01"
        assert "appointment_at" in resp.json()["fields"]
    task.refresh_from_db()
    assert task.attempts == 0 and not CallbackAttempt.objects.filter(task=task).exists()
    # when: the customer asks to be called at 15:00
    later = MORNING.replace(hour=15)
    ok = clerk.post(
        url("task-attempts", task),
        {"result": "not_convenient", "appointment_at": later.isoformat(), "note": "客户在开会"},
        format="json",
    )
    # then: re-queued for then (CB-01)
    assert ok.status_code == 200, ok.json()
    body = ok.json()
    assert body["status"] == "pending" and body["attempts"] == 1
    assert body["next_attempt_at"] == body["appointment_at"] == later.isoformat()
    assert body["attempt_log"][0]["result"] == "not_convenient" and body["attempt_log"][0]["clause"] == "CB-01"


@pytest.mark.clause("WO-10")
def test_unanswered_calls_are_retried_then_the_task_ends_unreachable(api, returned_order, clerk_a):
    task = task_of(returned_order)
    clerk = api(clerk_a)
    first = clerk.post(url("task-attempts", task), {"result": "no_answer"}, format="json").json()
    assert first["status"] == "pending" and first["next_attempt_at"] > first["created_at"]
    clerk.post(url("task-attempts", task), {"result": "busy"}, format="json")
    last = clerk.post(url("task-attempts", task), {"result": "wrong_number"}, format="json").json()
    assert last["status"] == "unreachable" and last["attempts"] == 3
    # an ended task takes no more calls
    again = clerk.post(url("task-attempts", task), {"result": "no_answer"}, format="json")
    assert again.status_code == 409 and set(again.json()) == ERROR_KEYS


def test_attempt_results_are_checked(api, returned_order, clerk_a):
    task = task_of(returned_order)
    for body in ({"result": "answered"}, {"result": "nope"}, {}, {"result": "no_answer", "note": "x" * 301}):
        resp = api(clerk_a).post(url("task-attempts", task), body, format="json")
        assert resp.status_code == 400, body
    assert task_of(returned_order).attempts == 0


def test_a_second_clerk_gets_409_naming_who_is_calling(api, returned_order, clerk_a, tree):
    # given
    other = factories.make_staff(tree["a"], "order_clerk", name="甲内勤二")
    task = task_of(returned_order)
    assert api(clerk_a).post(url("task-claim", task), {}, format="json").status_code == 200
    # when
    claim = api(other).post(url("task-claim", task), {}, format="json")
    answer = api(other).post(url("task-answer", task), {"answers": GOOD}, format="json")
    # then
    for resp in (claim, answer):
        assert resp.status_code == 409 and "甲内勤" in resp.json()["message"]
    assert task_of(returned_order).status == "pending"
    # the other clerk's release leaves the claim alone; the holder's own release frees it
    assert api(other).post(url("task-release", task), {}, format="json").json()["claimed_by_name"] == "甲内勤"
    assert api(clerk_a).post(url("task-release", task), {}, format="json").json()["claimed_by"] is None
    assert api(other).post(url("task-claim", task), {}, format="json").status_code == 200


def test_only_a_manager_cancels_and_only_with_a_reason(api, returned_order, clerk_a, manager_a):
    task = task_of(returned_order)
    refused = api(clerk_a).post(url("task-cancel", task), {"reason": "重复"}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "not_allowed"
    blank = api(manager_a).post(url("task-cancel", task), {"reason": "  "}, format="json")
    assert blank.status_code == 400 and "reason" in blank.json()["fields"]
    assert task_of(returned_order).status == "pending"
    done = api(manager_a).post(url("task-cancel", task), {"reason": "客户要求不再回访"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "cancelled"
    assert done.json()["closed_note"] == "客户要求不再回访"
    again = api(manager_a).post(url("task-cancel", task), {"reason": "再取消"}, format="json")
    assert again.status_code == 409
    # an ended callback cannot be claimed or answered
    assert api(clerk_a).post(url("task-claim", task), {}, format="json").status_code == 409
    assert api(clerk_a).post(url("task-answer", task), {"answers": GOOD}, format="json").status_code == 409


# --- scope, permissions, anonymous ------------------------------------------------------------------------------


def test_another_center_sees_no_callback(api, returned_order, manager_b, clerk_b):
    task = task_of(returned_order)
    for staff in (manager_b, clerk_b):
        client = api(staff)
        assert client.get(url("tasks")).json()["count"] == 0
        assert client.get(url("tasks"), {"center": returned_order.organization_id}).json()["count"] == 0
        detail = client.get(url("task", task))
        assert detail.status_code == 404 and set(detail.json()) == ERROR_KEYS
        for name, body in (
            ("task-claim", {}),
            ("task-release", {}),
            ("task-attempts", {"result": "no_answer"}),
            ("task-answer", {"answers": GOOD}),
            ("task-cancel", {"reason": "x"}),
        ):
            assert client.post(url(name, task), body, format="json").status_code == 404, name
    assert task_of(returned_order).attempts == 0


def test_anonymous_callers_are_refused_everywhere(api, returned_order):
    task = task_of(returned_order)
    anonymous = api()
    gets = [url("tasks"), url("task", task), url("followups"), url("opinions"), url("ratings")]
    posts = [url(n, task) for n in ("task-claim", "task-release", "task-attempts", "task-answer", "task-cancel")]
    posts += [url("opinions"), url("ratings"), reverse("api-callbacks-followup-resolve", args=[1])]
    posts += [reverse("api-callbacks-opinion-close", args=[1])]
    for resp in [anonymous.get(u) for u in gets] + [anonymous.post(u, {}, format="json") for u in posts]:
        assert resp.status_code in (401, 403) and resp.json()["code"] == "not_authenticated"


def test_someone_without_the_permission_anywhere_gets_403_on_the_lists(api, tree, worker_a):
    # the serviceman holds no callback permission in any center
    client = api(worker_a)
    for name in ("tasks", "followups", "opinions", "ratings"):
        resp = client.get(url(name))
        assert resp.status_code == 403 and resp.json()["code"] == "not_allowed", name


def test_phones_are_masked_for_readers_who_do_not_call(api, returned_order, tree):
    # given: a report reader may see callbacks but does not make them
    task = task_of(returned_order)
    client = api(reader(tree["a"], "callbacks.view_callbacktask"))
    # when
    row = client.get(url("tasks")).json()["results"][0]
    detail = client.get(url("task", task)).json()
    # then
    assert row["phone"] == detail["phone"] == "138****8000"
    # and the actions are not theirs (403: they see the task, the service refuses)
    for name, data in (
        ("task-claim", {}),
        ("task-release", {}),
        ("task-attempts", {"result": "no_answer"}),
        ("task-answer", {"answers": GOOD}),
        ("task-cancel", {"reason": "x"}),
    ):
        resp = client.post(url(name, task), data, format="json")
        assert resp.status_code == 403 and resp.json()["code"] == "not_allowed", name
    task.refresh_from_db()
    assert task.status == "pending" and task.attempts == 0 and task.claimed_by is None


def test_task_list_filters_and_ordering(api, tree, clerk_a, manager_a, worker_a, worker_a2):
    # given: two returned orders by two servicemen; one callback later cancelled
    first = task_of(returned(clerk_a, tree["a"], worker_a))
    second = task_of(returned(clerk_a, tree["a"], worker_a2, phone="139 0000 2222"))
    services.task_cancel(actor=manager_a.user, task_id=second.pk, reason="重复")
    client = api(manager_a)

    def ids(**params):
        resp = client.get(url("tasks"), params)
        assert resp.status_code == 200, resp.json()
        return [row["id"] for row in resp.json()["results"]]

    # then: by default the newest first; the queue order for pending ones, the latest finished first for the others
    assert ids() == [second.pk, first.pk]
    assert ids(ordering="next_attempt_at") == [first.pk, second.pk]
    assert ids(status="pending") == [first.pk]
    assert ids(status="cancelled") == [second.pk]
    assert ids(technician=worker_a2.pk) == [second.pk]
    assert ids(kind="after_service", center=tree["a"].pk) == [second.pk, first.pk]
    assert ids(kind="care") == []
    assert ids(center=tree["b"].pk) == []
    assert ids(due_before=first.due_at.isoformat()) == []
    assert ids(due_before=(first.due_at + timedelta(seconds=1)).isoformat()) == [second.pk, first.pk]
    assert ids(ordering="-completed_at") == [second.pk, first.pk]  # the pending one (no completion) last
    for bad in ({"status": "nope"}, {"ordering": "phone"}, {"due_before": "tomorrow"}, {"technician": "x"}):
        resp = client.get(url("tasks"), bad)
        assert resp.status_code == 400 and set(resp.json()) == ERROR_KEYS, bad


def test_overdue_is_flagged_in_the_list(api, returned_order, clerk_a):
    import time_machine

    task = task_of(returned_order)
    with time_machine.travel(task.due_at + timedelta(minutes=1)):
        row = api(clerk_a).get(url("tasks")).json()["results"][0]
    assert row["overdue"] is True


# --- follow-ups (G-03) ------------------------------------------------------------------------------------------


def _answered_badly(clerk, order, **answers) -> FollowUp:
    task = task_of(order)
    services.task_answer(actor=clerk.user, task_id=task.pk, answers={**GOOD, **answers})
    return FollowUp.objects.get(task=task)


@pytest.mark.clause("G-03")
def test_a_low_score_opens_a_follow_up_the_manager_resolves(api, returned_order, clerk_a, manager_a):
    # given: the customer scored 4 over the API
    task = task_of(returned_order)
    resp = api(clerk_a).post(url("task-answer", task), {"answers": {**GOOD, "d": 4}}, format="json")
    followup_id = resp.json()["followup"]["id"]
    assert resp.json()["followup"]["status"] == "open"
    # when: the manager reads the follow-ups
    listed = api(manager_a).get(url("followups"), {"status": "open"})
    # then
    assert listed.status_code == 200
    row = listed.json()["results"][0]
    assert row["id"] == followup_id and [r["code"] for r in row["reasons"]] == ["low_score"]
    assert row["assigned_to_name"] == "甲经理" and row["order_number"] == returned_order.number
    # when: closing needs a note; then it is closed once
    followup = FollowUp.objects.get(pk=followup_id)
    blank = api(manager_a).post(url("followup-resolve", followup), {"action": "close"}, format="json")
    assert blank.status_code == 400 and "note" in blank.json()["fields"]
    done = api(manager_a).post(
        url("followup-resolve", followup), {"action": "close", "note": "已电话致歉"}, format="json"
    )
    assert done.status_code == 200 and done.json()["status"] == "closed"
    assert done.json()["resolved_by_name"] == "甲经理" and done.json()["resolution"] == "已电话致歉"
    again = api(manager_a).post(url("followup-resolve", followup), {"action": "close", "note": "x"}, format="json")
    assert again.status_code == 409


@pytest.mark.clause("G-03")
def test_a_follow_up_becomes_a_complaint_or_a_rework_order(api, tree, clerk_a, manager_a, worker_a):
    unsolved = _answered_badly(clerk_a, returned(clerk_a, tree["a"], worker_a), a="no")
    rude = _answered_badly(clerk_a, returned(clerk_a, tree["a"], worker_a), b="dissatisfied")
    manager = api(manager_a)
    complaint = manager.post(
        url("followup-resolve", rude), {"action": "complaint", "severity": "serious", "note": "态度差"}, format="json"
    )
    assert complaint.status_code == 200, complaint.json()
    case = Complaint.objects.get(pk=complaint.json()["complaint"])
    assert complaint.json()["complaint_number"] == case.number and case.severity == "serious"
    assert case.channel == "callback" and case.against_staff_id == worker_a.pk
    rework = manager.post(url("followup-resolve", unsolved), {"action": "rework"}, format="json")
    assert rework.status_code == 200 and rework.json()["status"] == "rework"
    assert rework.json()["rework_order_number"]


def test_follow_ups_are_the_managers(api, returned_order, clerk_a, manager_b):
    followup = _answered_badly(clerk_a, returned_order, a="no")
    # the clerk holds no follow-up permission anywhere; the other center's manager does not see this one
    assert api(clerk_a).get(url("followups")).status_code == 403
    resp = api(clerk_a).post(url("followup-resolve", followup), {"action": "close", "note": "x"}, format="json")
    assert resp.status_code == 404
    assert api(manager_b).get(url("followups")).json()["count"] == 0
    assert api(manager_b).get(url("followups"), {"status": "lost"}).status_code == 400
    resp = api(manager_b).post(url("followup-resolve", followup), {"action": "close", "note": "x"}, format="json")
    assert resp.status_code == 404
    assert FollowUp.objects.get(pk=followup.pk).status == "open"


@pytest.mark.parametrize(
    "body", [{}, {"action": "delete"}, {"action": "complaint", "severity": "huge"}, {"action": "close", "note": ["x"]}]
)
def test_follow_up_input_is_checked(api, returned_order, clerk_a, manager_a, body):
    followup = _answered_badly(clerk_a, returned_order, a="no")
    resp = api(manager_a).post(url("followup-resolve", followup), body, format="json")
    assert resp.status_code == 400, resp.json()
    assert FollowUp.objects.get(pk=followup.pk).status == "open" and not Complaint.objects.exists()


# --- opinions (CB-13, CMP-06) -----------------------------------------------------------------------------------


def opinion_body(tree, **overrides):
    return {"organization": tree["a"].pk, "kind": "suggestion", "text": "希望周末也能上门", **overrides}


@pytest.mark.clause("CB-13")
def test_a_clerk_records_typed_opinions(api, tree, clerk_a, worker_a, worker_b):
    clerk = api(clerk_a)
    created = clerk.post(url("opinions"), opinion_body(tree), format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["kind"] == "suggestion" and created.json()["source"] == "manual"
    assert created.json()["status"] == "open"
    # a rating of a staff member names them (CB-13), one of the center's
    missing = clerk.post(url("opinions"), opinion_body(tree, kind="staff_rating"), format="json")
    assert missing.status_code == 400 and missing.json()["clause"] == "CB-13" and "staff" in missing.json()["fields"]
    elsewhere = clerk.post(url("opinions"), opinion_body(tree, kind="staff_rating", staff=worker_b.pk), format="json")
    assert elsewhere.status_code == 400 and "staff" in elsewhere.json()["fields"]
    rated = clerk.post(url("opinions"), opinion_body(tree, kind="staff_rating", staff=worker_a.pk), format="json")
    assert rated.status_code == 201 and rated.json()["staff_name"] == worker_a.name
    assert Opinion.objects.count() == 2


@pytest.mark.parametrize(
    ("field", "bad"),
    [("kind", "praise"), ("text", "  "), ("text", "长" * 2001), ("text", "a\x00b"), ("customer", 0), ("staff", "x")],
)
def test_bad_opinion_input_is_a_400_and_nothing_is_saved(api, tree, clerk_a, field, bad):
    resp = api(clerk_a).post(url("opinions"), opinion_body(tree, **{field: bad}), format="json")
    assert resp.status_code == 400 and field in resp.json()["fields"], resp.json()
    assert not Opinion.objects.exists()


def test_an_opinion_for_another_centers_customer_is_refused(api, tree, clerk_a):
    from servicecenter.customers.models import Customer

    other = Customer.objects.create(organization=tree["b"], name="乙客户", phone="13500001111")
    resp = api(clerk_a).post(url("opinions"), opinion_body(tree, customer=other.pk), format="json")
    assert resp.status_code == 400 and "customer" in resp.json()["fields"]
    assert not Opinion.objects.exists()


def test_recording_an_opinion_needs_a_role_in_the_center(api, tree, clerk_a, worker_a):
    # another center: it does not exist for the caller; their own center without the permission: 403
    resp = api(clerk_a).post(url("opinions"), opinion_body(tree, organization=tree["b"].pk), format="json")
    assert resp.status_code == 404
    resp = api(worker_a).post(url("opinions"), opinion_body(tree), format="json")
    assert resp.status_code == 403 and resp.json()["code"] == "not_allowed"
    assert not Opinion.objects.exists()


def test_recording_an_opinion_is_idempotent(api, tree, clerk_a):
    clerk = api(clerk_a)
    first = clerk.post(url("opinions"), opinion_body(tree), format="json", HTTP_IDEMPOTENCY_KEY="letter-0001")
    again = clerk.post(url("opinions"), opinion_body(tree), format="json", HTTP_IDEMPOTENCY_KEY="letter-0001")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    other = clerk.post(
        url("opinions"), opinion_body(tree, text="另一封信"), format="json", HTTP_IDEMPOTENCY_KEY="letter-0001"
    )
    assert other.status_code == 422 and other.json()["code"] == "idempotency_mismatch"
    assert Opinion.objects.count() == 1


@pytest.mark.clause("CMP-06")
def test_an_opinion_is_closed_only_with_a_response(api, tree, clerk_a, manager_a, manager_b):
    opinion = Opinion.objects.get(pk=api(clerk_a).post(url("opinions"), opinion_body(tree), format="json").json()["id"])
    manager = api(manager_a)
    # the list is the manager's (the clerk holds no opinion permission to read it)
    assert api(clerk_a).get(url("opinions")).status_code == 403
    assert manager.get(url("opinions"), {"status": "open"}).json()["results"][0]["id"] == opinion.pk
    assert api(manager_b).get(url("opinions")).json()["count"] == 0
    assert api(manager_b).post(url("opinion-close", opinion), {"response": "x"}, format="json").status_code == 404
    # CMP-06: no response, no closing
    for body in ({}, {"response": "   "}):
        resp = manager.post(url("opinion-close", opinion), body, format="json")
        assert resp.status_code == 400 and resp.json()["clause"] == "CMP-06" and "response" in resp.json()["fields"]
    opinion.refresh_from_db()
    assert opinion.status == "open" and opinion.handled_by is None
    closed = manager.post(url("opinion-close", opinion), {"response": "已安排周末班组"}, format="json")
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed" and closed.json()["handled_by_name"] == "甲经理"
    again = manager.post(url("opinion-close", opinion), {"response": "再答复"}, format="json")
    assert again.status_code == 409 and "甲经理" in again.json()["message"]


def test_opinion_list_filters(api, tree, clerk_a, manager_a, worker_a):
    clerk = api(clerk_a)
    suggestion = clerk.post(url("opinions"), opinion_body(tree), format="json").json()["id"]
    rating = clerk.post(
        url("opinions"), opinion_body(tree, kind="staff_rating", staff=worker_a.pk), format="json"
    ).json()["id"]
    client = api(manager_a)

    def ids(**params):
        return [row["id"] for row in client.get(url("opinions"), params).json()["results"]]

    assert ids() == [rating, suggestion]
    assert ids(kind="suggestion") == [suggestion]
    assert ids(staff=worker_a.pk) == [rating]
    assert ids(source="callback") == []
    assert ids(center=tree["b"].pk) == []
    assert client.get(url("opinions"), {"kind": "x"}).status_code == 400


# --- ratings (好差评) -------------------------------------------------------------------------------------------


def test_a_clerk_records_a_rating_once_per_order(api, returned_order, clerk_a, manager_a):
    clerk = api(clerk_a)
    body = {
        "order": returned_order.pk,
        "level": 5,
        "tags": ["attitude_good"],
        "comment": "师傅很专业",
        "channel": "phone",
    }
    created = clerk.post(url("ratings"), body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["level"] == 5 and created.json()["recorded_by_name"] == "甲内勤"
    assert created.json()["order_number"] == returned_order.number and created.json()["channel"] == "phone"
    again = clerk.post(url("ratings"), {**body, "level": 4}, format="json")
    assert again.status_code == 409 and again.json()["message"] == "该服务已评价"
    listed = api(manager_a).get(url("ratings")).json()
    assert listed["count"] == 1 and listed["results"][0]["tags"] == ["attitude_good"]


def test_a_bad_rating_opens_a_rectification_and_a_callback(api, returned_order, clerk_a):
    resp = api(clerk_a).post(
        url("ratings"), {"order": returned_order.pk, "level": 1, "tags": ["attitude_bad"]}, format="json"
    )
    assert resp.status_code == 201, resp.json()
    rating = Rating.objects.get(pk=resp.json()["id"])
    assert Rectification.objects.filter(rating=rating).exists()
    assert CallbackTask.objects.filter(order=returned_order, kind="rating").exists()


@pytest.mark.parametrize(
    "overrides",
    [{"level": 0}, {"level": 6}, {"channel": "survey_link"}, {"tags": ["no_such_tag"]}, {"tags": "x"}, {"order": "a"}],
)
def test_bad_rating_input_is_a_400_and_nothing_is_saved(api, returned_order, clerk_a, overrides):
    body = {"order": returned_order.pk, "level": 4, **overrides}
    resp = api(clerk_a).post(url("ratings"), body, format="json")
    assert resp.status_code == 400, resp.json()
    assert not Rating.objects.exists()


def test_rating_scope_and_permission(api, tree, returned_order, clerk_b, worker_a):
    # another center's order does not exist for the caller; an order not yet done cannot be rated
    assert api(clerk_b).post(url("ratings"), {"order": returned_order.pk, "level": 5}, format="json").status_code == 404
    refused = api(worker_a).post(url("ratings"), {"order": returned_order.pk, "level": 5}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "not_allowed"
    assert not Rating.objects.exists()


def test_an_unfinished_order_cannot_be_rated(api, tree, clerk_a):
    order = intake(clerk_a, tree["a"])
    resp = api(clerk_a).post(url("ratings"), {"order": order.pk, "level": 5}, format="json")
    assert resp.status_code == 400 and "order" in resp.json()["fields"]


def test_rating_list_filters(api, tree, clerk_a, manager_a, worker_a, worker_a2):
    good = returned(clerk_a, tree["a"], worker_a)
    bad = returned(clerk_a, tree["a"], worker_a2)
    clerk = api(clerk_a)
    good_id = clerk.post(url("ratings"), {"order": good.pk, "level": 5}, format="json").json()["id"]
    bad_id = clerk.post(url("ratings"), {"order": bad.pk, "level": 2, "channel": "on_site"}, format="json").json()["id"]
    client = api(manager_a)

    def ids(**params):
        resp = client.get(url("ratings"), params)
        assert resp.status_code == 200, resp.json()
        return [row["id"] for row in resp.json()["results"]]

    assert ids() == [bad_id, good_id]
    assert ids(level=5) == [good_id]
    assert ids(level_max=2) == [bad_id]
    assert ids(staff=worker_a.pk) == [good_id]
    assert ids(channel="on_site") == [bad_id]
    assert ids(rated_after="2026-12-01", rated_before="2026-12-01") == [bad_id, good_id]
    assert ids(rated_after="2026-12-02") == []
    assert ids(center=tree["b"].pk) == []
    for bad_query in ({"level": 9}, {"rated_after": "yesterday"}, {"channel": "pigeon"}):
        assert client.get(url("ratings"), bad_query).status_code == 400


def test_recording_a_rating_is_idempotent(api, returned_order, clerk_a):
    clerk = api(clerk_a)
    body = {"order": returned_order.pk, "level": 4}
    first = clerk.post(url("ratings"), body, format="json", HTTP_IDEMPOTENCY_KEY="eval-1")
    again = clerk.post(url("ratings"), body, format="json", HTTP_IDEMPOTENCY_KEY="eval-1")
    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    assert Rating.objects.count() == 1 and IdempotencyKey.objects.count() == 1


# --- query counts -----------------------------------------------------------------------------------------------


def test_list_query_counts_do_not_grow_with_the_rows(
    api, tree, clerk_a, manager_a, worker_a, worker_a2, django_assert_max_num_queries
):
    # given: six callbacks, four answered badly (follow-ups and suggestions), four rated
    orders = [returned(clerk_a, tree["a"], worker_a if i % 2 else worker_a2) for i in range(6)]
    for order in orders[:4]:
        _answered_badly(clerk_a, order, a="no", e="希望师傅准时")
        services.opinion_record(
            actor=clerk_a.user, organization=tree["a"], kind="staff_rating", text="好", staff_id=worker_a.pk
        )
        api(clerk_a).post(url("ratings"), {"order": order.pk, "level": 3}, format="json")
    services.task_claim(actor=clerk_a.user, task_id=task_of(orders[5]).pk)
    client = api(manager_a)
    # then: the caller's grants (once per request), the count, the page with its related rows joined
    with django_assert_max_num_queries(3):
        assert client.get(url("tasks")).json()["count"] == 6
    with django_assert_max_num_queries(3):
        assert client.get(url("followups")).json()["count"] == 4
    with django_assert_max_num_queries(3):
        assert client.get(url("opinions")).json()["count"] == 8
    with django_assert_max_num_queries(3):
        assert client.get(url("ratings")).json()["count"] == 4
    # a task: the task with its relations, the center's ancestors and parameters (questionnaire, hotline), the calls
    answered, pending = url("task", task_of(orders[0])), url("task", task_of(orders[5]))
    with django_assert_max_num_queries(4):
        assert client.get(answered).status_code == 200
    with django_assert_max_num_queries(6):  # not yet answered: + the questionnaire in force
        assert client.get(pending).status_code == 200
