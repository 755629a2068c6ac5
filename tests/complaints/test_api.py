"""/api/v1/complaints/: scoped list with filters and masked phones, the create through the service (CMP-01, deadlines
G-01, Idempotency-Key), the detail and timeline, and one endpoint per G-01 transition — 401/403/404/409/400 answers in
the one error format, nothing saved on a refusal, and the query counts of the lists."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from rest_framework.test import APIClient

from servicecenter.complaints.models import Complaint, ComplaintEvent
from servicecenter.core.models import IdempotencyKey
from servicecenter.org.models import Role
from tests import factories

from .conftest import CASE, returned

pytestmark = pytest.mark.django_db
ERROR_KEYS = {"code", "message", "fields", "clause"}


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
    """A staff member of `center` whose only role grants `permissions`."""
    code = "reader-" + "-".join(p.split(".")[1] for p in permissions)
    group = Group.objects.create(name=code)
    for perm in permissions:
        app_label, codename = perm.split(".")
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    Role.objects.create(code=code, name=code, group=group)
    return factories.make_staff(center, code, name=name)


def url(name, complaint=None):
    return reverse(f"api-complaints-{name}", args=[complaint.pk] if complaint is not None else [])


def body(tree, **overrides):
    return {"organization": tree["a"].pk, **CASE, **overrides}


def post(client, name, complaint, data=None):
    return client.post(url(name, complaint), data or {}, format="json")


# --- the case from intake to closing ------------------------------------------------------------------------------


@pytest.mark.smoke
@pytest.mark.clause("G-01", "CMP-06")
def test_a_complaint_goes_from_intake_to_closing_through_the_api(api, tree, clerk_a, manager_a):
    # given: the hotline system registers a phone complaint as the clerk
    created = api(clerk_a).post(url("list"), body(tree, severity="normal"), format="json")
    # then: a case with its number and its G-01 deadlines (1 working day to acknowledge, 3 to resolve)
    assert created.status_code == 201, created.json()
    case = created.json()
    assert case["status"] == "received" and case["number"].startswith(f"TS{tree['a'].pk:03d}-2026-")
    assert case["received_by_name"] == "甲内勤" and case["channel"] == "phone"
    assert "G-01" in case["deadline_citation"]
    assert case["acknowledge_due_at"] < case["resolve_due_at"]
    assert [e["verb"] for e in case["events"]] == ["received", "notified"]
    assert case["events"][1]["clause"] == "CMP-11"
    complaint = Complaint.objects.get(pk=case["id"])
    handler = api(manager_a)

    # when: every step of G-01
    ack = post(handler, "acknowledge", complaint)
    assert ack.status_code == 200, ack.json()
    assert ack.json()["status"] == "acknowledged" and ack.json()["owner_name"] == "甲经理"
    assert post(handler, "start-investigation", complaint, {"note": "调取派单记录"}).json()["status"] == "investigating"
    note = post(handler, "notes", complaint, {"note": "已与维修人员谈话"})
    assert note.status_code == 201 and note.json()["verb"] == "note" and note.json()["public"] is False
    resolved = post(handler, "resolve", complaint, {"response": "已批评教育维修人员，明日上午重新上门"})
    assert resolved.json()["status"] == "resolved" and resolved.json()["resolved_by_name"] == "甲经理"
    confirmed = post(handler, "feedback", complaint, {"feedback": "satisfied", "note": "客户表示满意"})
    assert confirmed.json()["status"] == "confirmed" and confirmed.json()["feedback"] == "satisfied"
    closed = post(handler, "close", complaint)

    # then: closed with the response and its handler on record (CMP-06)
    assert closed.status_code == 200
    final = closed.json()
    assert final["status"] == "closed" and final["closed_by_name"] == "甲经理"
    assert final["response"] and final["resolved_by"] == manager_a.user.pk
    assert final["events"][-2]["verb"] == "closed" and final["events"][-2]["clause"] == "CMP-06"
    events = handler.get(url("events", complaint)).json()
    assert events["count"] == ComplaintEvent.objects.filter(complaint=complaint).count()
    assert [e["verb"] for e in events["results"]][:2] == ["received", "notified"]
    # a closed case can be reopened, with a reason
    assert post(handler, "reopen", complaint, {"reason": " "}).status_code == 400
    reopened = post(handler, "reopen", complaint, {"reason": "客户反映问题复发"})
    assert reopened.json()["status"] == "reopened" and reopened.json()["reopen_count"] == 1


@pytest.mark.clause("G-01")
def test_a_dissatisfied_complainant_reopens_once_then_the_case_escalates(api, make_complaint, manager_a):
    complaint = make_complaint()
    handler = api(manager_a)
    post(handler, "acknowledge", complaint)
    post(handler, "resolve", complaint, {"response": "已处理"})
    first = post(handler, "feedback", complaint, {"feedback": "dissatisfied", "note": "还是没修好"})
    assert first.json()["status"] == "reopened" and first.json()["reopen_count"] == 1
    post(handler, "resolve", complaint, {"response": "再次上门处理"})
    second = post(handler, "feedback", complaint, {"feedback": "dissatisfied"})
    assert second.status_code == 200
    assert second.json()["escalated_at"] and second.json()["events"][-1]["verb"] == "escalated"
    assert second.json()["reopen_count"] == 1  # complaints.reopen_limit = 1: the second time escalates instead


def test_resolving_with_compensation(api, make_complaint, manager_a):
    complaint = make_complaint(category="merchant", merchant_name="某商户")
    handler = api(manager_a)
    post(handler, "acknowledge", complaint)
    bad = post(handler, "resolve", complaint, {"response": "赔偿", "compensation": "-1"})
    assert bad.status_code == 400 and "compensation" in bad.json()["fields"]
    ok = post(
        handler,
        "resolve",
        complaint,
        {"response": "商户赔偿", "compensation": "120.50", "compensation_payer": "某商户"},
    )
    assert ok.status_code == 200 and ok.json()["compensation"] == "120.50"


# --- refusals: 409, 403, 404, 401, 400 -----------------------------------------------------------------------------


@pytest.mark.clause("G-01")
def test_a_step_out_of_order_is_a_409_naming_the_state(api, make_complaint, manager_a):
    complaint = make_complaint()
    handler = api(manager_a)
    for name, data in (
        ("start-investigation", {}),
        ("resolve", {"response": "x"}),
        ("feedback", {"feedback": "satisfied"}),
        ("close", {}),
        ("reopen", {"reason": "x"}),
    ):
        resp = post(handler, name, complaint, data)
        assert resp.status_code == 409 and set(resp.json()) == ERROR_KEYS, name
        assert "已受理" in resp.json()["message"], name
    assert post(handler, "acknowledge", complaint).status_code == 200
    assert post(handler, "acknowledge", complaint).status_code == 409
    complaint.refresh_from_db()
    assert complaint.status == "acknowledged" and complaint.response == ""


def test_handling_needs_the_handler_permission(api, make_complaint, clerk_a):
    # the clerk takes complaints and sees them, but does not handle them
    complaint = make_complaint()
    clerk = api(clerk_a)
    assert clerk.get(url("detail", complaint)).status_code == 200
    for name, data in (
        ("acknowledge", {}),
        ("start-investigation", {}),
        ("notes", {"note": "x"}),
        ("resolve", {"response": "x"}),
        ("feedback", {"feedback": "satisfied"}),
        ("close", {}),
        ("reopen", {"reason": "x"}),
    ):
        resp = post(clerk, name, complaint, data)
        assert resp.status_code == 403 and resp.json()["code"] == "not_allowed", name
    assert ComplaintEvent.objects.filter(complaint=complaint, verb="note").count() == 0


def test_taking_a_complaint_needs_the_permission_in_that_center(api, tree, worker_a, clerk_a):
    # the serviceman holds a role in center A, but not the complaint intake: 403; center B is not his: 404
    refused = api(worker_a).post(url("list"), body(tree), format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "not_allowed"
    assert api(clerk_a).post(url("list"), body(tree, organization=tree["b"].pk), format="json").status_code == 404
    assert api(clerk_a).post(url("list"), body(tree, organization=999_999), format="json").status_code == 404
    assert not Complaint.objects.exists()


def test_another_center_sees_nothing(api, make_complaint, manager_b, clerk_b):
    complaint = make_complaint()
    for staff in (manager_b, clerk_b):
        other = api(staff)
        assert other.get(url("list")).json()["count"] == 0
        for name in ("detail", "events"):
            resp = other.get(url(name, complaint))
            assert resp.status_code == 404 and set(resp.json()) == ERROR_KEYS
        for name, data in (("acknowledge", {}), ("notes", {"note": "x"}), ("close", {}), ("reopen", {"reason": "x"})):
            assert post(other, name, complaint, data).status_code == 404, name
    complaint.refresh_from_db()
    assert complaint.status == "received"


def test_anonymous_callers_are_refused(api, make_complaint):
    complaint = make_complaint()
    anonymous = api()
    answers = [
        anonymous.get(url("list")),
        anonymous.get(url("detail", complaint)),
        anonymous.get(url("events", complaint)),
    ]
    answers.append(anonymous.post(url("list"), {}, format="json"))
    for name in ("acknowledge", "start-investigation", "notes", "resolve", "feedback", "close", "reopen"):
        answers.append(post(anonymous, name, complaint))
    for resp in answers:
        assert resp.status_code in (401, 403) and resp.json()["code"] == "not_authenticated"


def test_the_list_is_refused_to_someone_without_the_permission_anywhere(api, worker_a):
    resp = api(worker_a).get(url("list"))
    assert resp.status_code == 403 and resp.json()["code"] == "not_allowed"


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("complainant_name", "  "),
        ("complainant_name", "名" * 101),
        ("phone", "abc"),
        ("phone", "12"),
        ("summary", ""),
        ("details", "a\x00b"),
        ("severity", "apocalyptic"),
        ("category", "weather"),
        ("channel", "callback"),
        ("organization", "abc"),
        ("order", 0),
        ("against_staff", "x"),
        ("notify_complainant", "perhaps"),
    ],
)
def test_bad_create_input_is_a_400_with_the_field_and_nothing_is_saved(api, tree, clerk_a, field, bad):
    resp = api(clerk_a).post(url("list"), body(tree, **{field: bad}), format="json")
    assert resp.status_code == 400, resp.json()
    assert field in resp.json()["fields"], resp.json()
    assert not Complaint.objects.exists() and not ComplaintEvent.objects.exists()


def test_an_order_or_staff_member_of_another_center_is_refused(api, tree, clerk_a, clerk_b, worker_b):
    order_b = returned(clerk_b, tree["b"], worker_b)
    for field, value in (("order", order_b.pk), ("against_staff", worker_b.pk)):
        resp = api(clerk_a).post(url("list"), body(tree, **{field: value}), format="json")
        assert resp.status_code == 400 and field in resp.json()["fields"], field
    assert not Complaint.objects.exists()


def test_a_complaint_about_an_order_names_the_order_and_the_staff(api, tree, clerk_a, worker_a):
    order = returned(clerk_a, tree["a"], worker_a)
    resp = api(clerk_a).post(url("list"), body(tree, order=order.pk, against_staff=worker_a.pk), format="json")
    assert resp.status_code == 201
    assert resp.json()["order_number"] == order.number and resp.json()["against_staff_name"] == worker_a.name
    assert resp.json()["customer"] == order.customer_id


@pytest.mark.parametrize(
    ("name", "data", "field"),
    [
        ("notes", {}, "note"),
        ("notes", {"note": "x" * 2001}, "note"),
        ("resolve", {"response": ""}, "response"),
        ("feedback", {"feedback": "meh"}, "feedback"),
        ("reopen", {}, "reason"),
        ("acknowledge", {"owner": "me"}, "owner"),
    ],
)
def test_bad_transition_input_is_a_400_and_changes_nothing(api, make_complaint, manager_a, name, data, field):
    complaint = make_complaint()
    before = ComplaintEvent.objects.filter(complaint=complaint).count()
    resp = post(api(manager_a), name, complaint, data)
    assert resp.status_code == 400 and field in resp.json()["fields"], resp.json()
    complaint.refresh_from_db()
    assert complaint.status == "received"
    assert ComplaintEvent.objects.filter(complaint=complaint).count() == before


def test_the_handler_named_must_be_able_to_handle(api, make_complaint, manager_a, clerk_a):
    complaint = make_complaint()
    resp = post(api(manager_a), "acknowledge", complaint, {"owner": clerk_a.user.pk})
    assert resp.status_code == 400 and "owner" in resp.json()["fields"]
    supervisor = factories.make_staff(complaint.organization, "center_manager", name="甲副经理")
    ok = post(api(manager_a), "acknowledge", complaint, {"owner": supervisor.user.pk})
    assert ok.status_code == 200 and ok.json()["owner_name"] == "甲副经理"


# --- Idempotency-Key ------------------------------------------------------------------------------------------------


def test_a_retry_with_the_same_key_returns_the_same_complaint(api, tree, clerk_a):
    client = api(clerk_a)
    first = client.post(url("list"), body(tree), format="json", HTTP_IDEMPOTENCY_KEY="hotline-call-77")
    again = client.post(
        url("list"), dict(reversed(body(tree).items())), format="json", HTTP_IDEMPOTENCY_KEY="hotline-call-77"
    )
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Complaint.objects.count() == 1
    other = client.post(url("list"), body(tree), format="json", HTTP_IDEMPOTENCY_KEY="hotline-call-78")
    assert other.status_code == 201 and other.json()["number"] != first.json()["number"]


def test_the_same_key_with_another_body_is_a_422(api, tree, clerk_a):
    client = api(clerk_a)
    client.post(url("list"), body(tree), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    resp = client.post(url("list"), body(tree, summary="另一件事"), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert resp.status_code == 422 and resp.json()["code"] == "idempotency_mismatch"
    assert set(resp.json()) == ERROR_KEYS and Complaint.objects.count() == 1


def test_a_refused_create_does_not_keep_its_key(api, tree, clerk_a):
    client = api(clerk_a)
    assert client.post(url("list"), body(tree, phone="x"), format="json", HTTP_IDEMPOTENCY_KEY="k-2").status_code == 400
    assert not IdempotencyKey.objects.exists()
    assert client.post(url("list"), body(tree), format="json", HTTP_IDEMPOTENCY_KEY="k-2").status_code == 201


# --- list: filters, masking, query counts ---------------------------------------------------------------------------


def test_list_filters(api, tree, make_complaint, manager_a):
    first = make_complaint()
    second = make_complaint(
        complainant_name="赵先生", phone="137 7777 6666", severity="serious", category="charge", channel="walk_in"
    )
    client = api(manager_a)
    post(client, "acknowledge", first)

    def numbers(**params):
        resp = client.get(url("list"), params)
        assert resp.status_code == 200, resp.json()
        return [row["number"] for row in resp.json()["results"]]

    assert numbers() == [second.number, first.number]
    assert numbers(status="acknowledged") == [first.number]
    assert numbers(severity="serious") == [second.number]
    assert numbers(category="charge", channel="walk_in") == [second.number]
    assert numbers(center=tree["a"].pk) == [second.number, first.number]
    assert numbers(center=tree["b"].pk) == []
    assert numbers(center=999_999) == []
    assert numbers(q="赵") == [second.number]
    assert numbers(q=first.number) == [first.number]
    assert numbers(q="137 7777 6666") == [second.number]
    assert numbers(q="7777") == []  # a partial number never finds (or reveals) a masked phone
    assert numbers(overdue="true") == []
    for bad in ({"status": "lost"}, {"overdue": "maybe"}, {"q": "a\x00"}, {"center": "x"}):
        resp = client.get(url("list"), bad)
        assert resp.status_code == 400 and set(resp.json()) == ERROR_KEYS, bad


@pytest.mark.clause("G-01")
def test_overdue_cases_are_flagged_and_filtered(api, make_complaint, manager_a):
    late = make_complaint()
    acknowledged = make_complaint(complainant_name="钱先生")
    post(api(manager_a), "acknowledge", acknowledged)
    # after the acknowledgement deadline (1 working day) but before the resolution one
    with time_machine.travel(late.acknowledge_due_at + timedelta(minutes=1)):
        resp = api(manager_a).get(url("list"), {"overdue": "true"})
        rows = {row["number"]: row["overdue"] for row in api(manager_a).get(url("list")).json()["results"]}
    assert [row["number"] for row in resp.json()["results"]] == [late.number]
    assert rows == {late.number: True, acknowledged.number: False}


def test_phones_are_in_full_only_for_handlers(api, tree, make_complaint, manager_a, clerk_a):
    complaint = make_complaint()
    assert api(manager_a).get(url("list")).json()["results"][0]["phone"] == "139 1234 5678"
    assert api(clerk_a).get(url("list")).json()["results"][0]["phone"] == "139****5678"
    assert api(clerk_a).get(url("detail", complaint)).json()["phone"] == "139****5678"
    viewer = reader(tree["a"], "complaints.view_complaint")
    assert api(viewer).get(url("detail", complaint)).json()["phone"] == "139****5678"


def test_list_and_events_query_counts(api, tree, make_complaint, manager_a, worker_a, django_assert_max_num_queries):
    order = returned(factories.make_staff(tree["a"], "order_clerk"), tree["a"], worker_a)
    complaints = [make_complaint(order_id=order.pk, against_staff_id=worker_a.pk) for _ in range(6)]
    client = api(manager_a)
    for complaint in complaints[:3]:
        post(client, "acknowledge", complaint)
    first = complaints[0]
    # grants, the count, the page (organization, owner, staff and order joined)
    with django_assert_max_num_queries(3):
        assert client.get(url("list")).json()["count"] == 6
    with django_assert_max_num_queries(3):
        assert client.get(url("list"), {"q": "李", "status": "acknowledged"}).json()["count"] == 3
    with django_assert_max_num_queries(3):
        assert client.get(url("events", first)).json()["count"] >= 3
    with django_assert_max_num_queries(3):
        assert client.get(url("detail", first)).status_code == 200


def test_a_malformed_idempotency_key_is_a_400(api, tree, clerk_a):
    resp = api(clerk_a).post(url("list"), body(tree), format="json", HTTP_IDEMPOTENCY_KEY="with space")
    assert resp.status_code == 400 and "Idempotency-Key" in resp.json()["fields"]
    assert not Complaint.objects.exists()


@pytest.mark.clause("G-01")
def test_the_deadlines_follow_the_business_calendar(api, tree, clerk_a):
    # given: the D01 station is open 08:30–20:00 every day; received Tuesday 1 December at 09:00
    case = api(clerk_a).post(url("list"), body(tree), format="json").json()
    # then: acknowledged by the close of the next working day, resolved by the close of the third (G-01 defaults)
    assert case["acknowledge_due_at"] == "2026-12-02T20:00:00+08:00"
    assert case["resolve_due_at"] == "2026-12-04T20:00:00+08:00"
    assert "1 个工作日内确认受理" in case["deadline_citation"] and "3 个工作日内答复" in case["deadline_citation"]
