"""The staff pages: the list (filters, counts, masking, paging, colours), intake (one-time token, errors, order
number), the case page (deadlines and why, timeline, texts sent, actions by state, refusals), the violation link,
and the printable 投诉处理单 — with pinned query counts."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from django.test import override_settings
from django.urls import reverse

from servicecenter.complaints import services
from servicecenter.complaints.models import Complaint, ComplaintEvent
from servicecenter.notifications.models import CustomerMessage
from tests import factories

from .conftest import SH, complaint, intake

pytestmark = pytest.mark.django_db

LIST = reverse("complaints:list")
NEW = reverse("complaints:create")


def _form(center, **overrides):
    data = {
        "organization": str(center.pk),
        "channel": "phone",
        "complainant_name": "张先生",
        "phone": "138 0013 8000",
        "notify_complainant": "on",
        "summary": "上门服务迟到两小时",
        "details": "约好上午九点，十一点才到，也没有提前打电话。",
        "demand": "希望以后准时",
        "category": "timeliness",
        "severity": "normal",
        "order_number": "",
        "against_staff": "",
        "merchant_name": "",
        "regulation_clause": "",
        "intake_token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


# --- the list ---------------------------------------------------------------------------------------------------------


@pytest.mark.clause("CMP-01", "G-01")
def test_list_shows_the_cases_with_counts_colours_and_masked_phones(
    client_for, tree, make_complaint, clerk_a, manager_a, manager_b
):
    # given three cases of center A (one overdue) and one of center B
    make_complaint(summary="第一件：态度")
    late = make_complaint(summary="第二件：已超时", now=datetime(2026, 11, 20, 9, 0, tzinfo=SH))
    make_complaint(summary="第三件：收费", category="charge", phone="13700001111")
    complaint(manager_b, tree["b"], summary="乙中心的投诉")
    # when the clerk opens the list
    response = client_for(clerk_a).get(LIST)
    body = response.content.decode()
    # then: A's cases only, newest first, the overdue one red, phones masked for a clerk (no handle permission)
    assert response.status_code == 200
    assert "第一件" in body and "第三件" in body and "乙中心的投诉" not in body
    assert "139****5678" in body and "139 1234 5678" not in body
    assert 'data-state="breached"' in body and late.number in body
    assert 'id="tab-overdue"' in body
    counts = response.context["counts"]
    assert counts["total"] == 3 and counts["overdue"] == 1
    assert dict((s, n) for s, _label, n in counts["states"])["received"] == 3
    # the manager (a handler) sees the full number
    body = client_for(manager_a).get(LIST).content.decode()
    assert "139 1234 5678" in body


def test_list_filters(client_for, tree, make_complaint, handler_a, clerk_a):
    a = make_complaint(summary="甲：收费问题", category="charge", severity="serious")
    b = make_complaint(summary="乙：服务态度", complainant_name="赵大爷", phone="135 0000 9999")
    services.complaint_acknowledge(actor=handler_a.user, complaint_id=b.pk)
    client = client_for(handler_a)

    def numbers(**params):
        response = client.get(LIST, params)
        assert response.status_code == 200, response.content.decode()[:500]
        return {c.number for c in response.context["rows"]}

    assert numbers(status="acknowledged") == {b.number}
    assert numbers(category="charge") == {a.number}
    assert numbers(severity="serious") == {a.number}
    assert numbers(channel="web") == set()
    assert numbers(mine="on") == {b.number}
    assert numbers(q="赵大爷") == {b.number}
    assert numbers(q=a.number) == {a.number}
    assert numbers(q="13500009999") == {b.number}  # the full phone number
    assert numbers(q="9999") == set()  # a partial number reveals nothing
    assert numbers(center=str(tree["a"].pk)) == {a.number, b.number}
    assert numbers(month="2026-12") == {a.number, b.number}
    assert numbers(month="2026-11") == set()
    assert numbers(overdue="on") == set()


def test_bad_filters_answer_400_and_a_foreign_center_404(client_for, tree, clerk_a):
    client = client_for(clerk_a)
    response = client.get(LIST, {"status": "nonsense"})
    assert response.status_code == 400 and 'id="filter-errors"' in response.content.decode()
    assert client.get(LIST, {"month": "2026-13"}).status_code == 400
    assert client.get(LIST, {"center": str(tree["b"].pk)}).status_code == 404


def test_list_pages_by_25(client_for, make_complaint, clerk_a):
    for i in range(27):
        make_complaint(summary=f"投诉{i:02d}")
    client = client_for(clerk_a)
    first = client.get(LIST)
    assert len(first.context["rows"]) == 25 and "第 1 / 2 页" in first.content.decode()
    second = client.get(LIST, {"page": 2})
    assert len(second.context["rows"]) == 2
    assert client.get(LIST, {"page": "x"}).status_code == 200  # a bad page number shows the first page


def test_list_query_count_does_not_grow_with_rows(client_for, make_complaint, clerk_a, django_assert_max_num_queries):
    for i in range(3):
        make_complaint(summary=f"少量{i}")
    client = client_for(clerk_a)
    client.get(LIST)  # warm the per-process caches (content types, calendars)
    with django_assert_max_num_queries(12) as few:
        client.get(LIST)
    for i in range(30):
        make_complaint(summary=f"更多{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(LIST)
    assert len(response.context["rows"]) == 25


def test_no_role_no_list(client_for, tree):
    nobody = factories.make_staff(tree["a"], name="无角色")
    assert client_for(nobody).get(LIST).status_code == 403


# --- intake (CMP-01) --------------------------------------------------------------------------------------------------


@pytest.mark.clause("CMP-01", "G-01")
def test_intake_creates_the_case_and_shows_number_and_deadlines(client_for, tree, clerk_a):
    client = client_for(clerk_a)
    page = client.get(NEW)
    assert page.status_code == 200
    token = page.context["form"]["intake_token"].value()
    uuid.UUID(token)
    response = client.post(NEW, _form(tree["a"], intake_token=token))
    case = Complaint.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("complaints:created", args=[case.pk])
    done = client.get(response["Location"]).content.decode()
    assert case.number in done and case.deadline_citation in done
    assert "2026-12-02 20:00" in done and "2026-12-04 20:00" in done
    assert case.channel == "phone" and case.category == "timeliness" and case.notify_complainant


def test_a_double_submit_makes_one_complaint(client_for, tree, clerk_a):
    client = client_for(clerk_a)
    data = _form(tree["a"])
    first = client.post(NEW, data)
    second = client.post(NEW, data)
    assert first["Location"] == second["Location"]
    assert Complaint.objects.count() == 1


def test_bad_input_rerenders_with_messages_and_saves_nothing(client_for, tree, clerk_a):
    client = client_for(clerk_a)
    response = client.post(NEW, _form(tree["a"], complainant_name="", phone="abc", category="merchant"))
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="intake-error"' in body
    assert "上门服务迟到两小时" in body  # the typed text is kept
    response = client.post(NEW, _form(tree["a"], category="merchant"))
    assert response.status_code == 400 and "请填写被投诉商户" in response.content.decode()
    response = client.post(NEW, _form(tree["a"], intake_token="garbage"))
    assert response.status_code == 400
    assert response.context["form"]["intake_token"].value() != "garbage"  # a fresh token for the next try
    response = client.post(NEW, _form(tree["a"], organization=str(tree["b"].pk)))
    assert response.status_code == 400
    assert not Complaint.objects.exists()


def test_intake_links_an_order_by_its_number(client_for, tree, clerk_a, worker_a):
    order = intake(clerk_a, tree["a"])
    client = client_for(clerk_a)
    search = client.get(
        reverse("complaints:order_search"), {"organization": tree["a"].pk, "order_number": order.number[:8]}
    )
    assert order.number in search.content.decode()
    assert client.get(reverse("complaints:order_search"), {"organization": tree["b"].pk}).status_code == 404
    response = client.post(NEW, _form(tree["a"], order_number="999999999", against_staff=str(worker_a.pk)))
    assert response.status_code == 400 and "工单号不存在" in response.content.decode()
    response = client.post(NEW, _form(tree["a"], order_number=order.number, against_staff=str(worker_a.pk)))
    assert response.status_code == 302
    case = Complaint.objects.get()
    assert case.order == order and case.against_staff == worker_a and case.customer == order.customer


def test_intake_needs_the_add_permission(client_for, tree, worker_a):
    assert client_for(worker_a).get(NEW).status_code == 403


def test_intake_page_query_count(client_for, clerk_a, django_assert_max_num_queries):
    client = client_for(clerk_a)
    client.get(NEW)
    with django_assert_max_num_queries(10):
        assert client.get(NEW).status_code == 200


# --- the case page ----------------------------------------------------------------------------------------------------


def _detail(client, case):
    return client.get(reverse("complaints:detail", args=[case.pk]))


@pytest.mark.clause("G-01", "CMP-11")
def test_the_case_page_shows_deadlines_why_timeline_and_texts(
    client_for, make_complaint, handler_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = make_complaint()
    # a text that could not go out: dead with its reason
    with override_settings(CUSTOMER_MESSAGE_CHANNEL="sms", NOTIFICATION_SMS_GATEWAY_URL=""):
        with django_capture_on_commit_callbacks(execute=True):
            services.complaint_acknowledge(actor=handler_a.user, complaint_id=case.pk)
    body = _detail(client_for(handler_a), case).content.decode()
    assert case.deadline_citation in body and 'id="deadline-why"' in body
    assert "2026-12-02 20:00" in body and "2026-12-04 20:00" in body
    assert body.count('class="list-group-item timeline-event"') == ComplaintEvent.objects.filter(complaint=case).count()
    assert "甲经理" in body  # the actor of the acknowledgement
    assert 'data-status="sent"' in body and 'data-status="dead"' in body
    assert "短信网关未配置" in body
    assert CustomerMessage.objects.filter(status="dead").count() == 1


def test_actions_follow_the_state(client_for, make_complaint, handler_a, clerk_a):
    case = make_complaint()
    body = _detail(client_for(handler_a), case).content.decode()
    assert reverse("complaints:acknowledge", args=[case.pk]) in body
    assert reverse("complaints:resolve", args=[case.pk]) not in body
    assert reverse("complaints:close", args=[case.pk]) not in body
    # a clerk sees the case but no handling actions, and a masked phone
    body = _detail(client_for(clerk_a), case).content.decode()
    assert reverse("complaints:acknowledge", args=[case.pk]) not in body
    assert "139****5678" in body


@pytest.mark.smoke
@pytest.mark.clause("G-01", "CMP-06")
def test_the_handler_walks_the_case_through_the_page(client_for, make_complaint, handler_a):
    case = make_complaint()
    client = client_for(handler_a)

    def post(name, data):
        response = client.post(reverse(f"complaints:{name}", args=[case.pk]), data)
        assert response.status_code == 302, response.content.decode()[:2000]
        return Complaint.objects.get(pk=case.pk)

    assert post("acknowledge", {"owner": handler_a.user.pk}).status == "acknowledged"
    assert post("investigate", {"investigate-note": "查看派单记录"}).status == "investigating"
    post("note", {"note-note": "约谈维修人员"})
    assert (
        post("resolve", {"response": "已致歉并复修", "compensation": "", "compensation_payer": ""}).status == "resolved"
    )
    assert post("feedback", {"feedback-feedback": "satisfied", "feedback-note": "电话回访满意"}).status == "confirmed"
    assert post("close", {"close-note": ""}).status == "closed"
    assert post("reopen", {"reason": "投诉人再次来电"}).status == "reopened"
    page = client.get(reverse("complaints:detail", args=[case.pk])).content.decode()
    assert "约谈维修人员" in page and "已致歉并复修" in page


def test_a_refused_action_shows_the_message_with_its_status(client_for, make_complaint, handler_a):
    case = make_complaint()
    client = client_for(handler_a)
    # out of order: Conflict → 409 with the message, nothing changed
    response = client.post(reverse("complaints:close", args=[case.pk]), {"close-note": ""})
    assert response.status_code == 409
    assert "不能结案" in response.content.decode()
    # bad input: 400 with the field error
    response = client.post(reverse("complaints:reopen", args=[case.pk]), {"reason": ""})
    assert response.status_code == 400
    assert Complaint.objects.get(pk=case.pk).status == "received"


def test_a_clerk_posting_a_handler_action_is_refused(client_for, make_complaint, clerk_a):
    case = make_complaint()
    response = client_for(clerk_a).post(reverse("complaints:acknowledge", args=[case.pk]), {"owner": ""})
    assert response.status_code == 403
    assert Complaint.objects.get(pk=case.pk).status == "received"


def test_other_centers_cases_do_not_exist(client_for, make_complaint, manager_b):
    case = make_complaint()
    assert _detail(client_for(manager_b), case).status_code == 404
    assert client_for(manager_b).get(reverse("complaints:print", args=[case.pk])).status_code == 404
    assert client_for(manager_b).get(reverse("complaints:detail", args=[99999999])).status_code == 404


@pytest.mark.clause("CMP-08")
def test_violation_link_from_the_page(client_for, make_complaint, handler_a, worker_a):
    case = make_complaint(against_staff_id=worker_a.pk)
    client = client_for(handler_a)
    body = _detail(client, case).content.decode()
    assert reverse("complaints:violation", args=[case.pk]) in body
    response = client.post(
        reverse("complaints:violation", args=[case.pk]),
        {"violation_type": "off_post", "day": "2026-12-01", "description": "上门期间离岗"},
    )
    assert response.status_code == 302
    body = _detail(client, case).content.decode()
    assert "已登记违纪" in body and reverse("complaints:violation", args=[case.pk]) not in body
    # a future day is refused by the attendance service, shown on the page
    other = make_complaint(against_staff_id=worker_a.pk)
    response = client.post(
        reverse("complaints:violation", args=[other.pk]),
        {"violation_type": "off_post", "day": "2026-12-09", "description": "x"},
    )
    assert response.status_code == 400 and "发生日期不能晚于今天" in response.content.decode()


def test_the_followup_that_opened_the_case_is_shown(client_for, returned_order, clerk_a, manager_a):
    from servicecenter.callbacks import services as callback_services
    from servicecenter.callbacks.models import CallbackTask, FollowUp

    task = CallbackTask.objects.get(order=returned_order)
    callback_services.task_claim(actor=clerk_a.user, task_id=task.pk)
    callback_services.task_answer(
        actor=clerk_a.user, task_id=task.pk, answers={"a": "no", "b": "satisfied", "c": "no", "d": "4", "e": ""}
    )
    followup = FollowUp.objects.get(task=task)
    done = callback_services.followup_resolve(
        actor=manager_a.user, followup_id=followup.pk, action="complaint", note=""
    )
    body = _detail(client_for(manager_a), done.complaint).content.decode()
    assert 'id="complaint-followups"' in body and f"#{followup.pk}" in body


def test_the_case_page_query_count_does_not_grow_with_history(
    client_for, make_complaint, handler_a, django_assert_max_num_queries
):
    case = make_complaint()
    client = client_for(handler_a)
    client.get(reverse("complaints:detail", args=[case.pk]))
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("complaints:detail", args=[case.pk]))
    services.complaint_acknowledge(actor=handler_a.user, complaint_id=case.pk)
    for i in range(15):
        services.complaint_add_note(actor=handler_a.user, complaint_id=case.pk, note=f"记录{i}")
    services.complaint_start_investigation(actor=handler_a.user, complaint_id=case.pk)
    with django_assert_max_num_queries(len(few.captured_queries) + 2):
        response = client.get(reverse("complaints:detail", args=[case.pk]))
    assert response.status_code == 200


@pytest.mark.clause("CMP-05", "CON-12")
def test_the_case_page_shows_the_guidance_for_its_category(client_for, make_complaint, handler_a):
    case = make_complaint(category="language")
    body = _detail(client_for(handler_a), case).content.decode()
    assert "文明用语与禁用语" in body  # tagged "language"
    assert "投诉处理五步法" in body  # tagged "general"
    assert "商户投诉的处理与赔偿" not in body  # tagged "merchant" only


# --- the printable form (CMP-04) --------------------------------------------------------------------------------------


@pytest.mark.clause("CMP-04")
def test_the_print_form_has_case_steps_response_feedback_and_signatures(client_for, make_complaint, handler_a):
    case = make_complaint()
    services.complaint_acknowledge(actor=handler_a.user, complaint_id=case.pk)
    services.complaint_add_note(actor=handler_a.user, complaint_id=case.pk, note="与维修人员核实经过")
    services.complaint_resolve(actor=handler_a.user, complaint_id=case.pk, response="已当面致歉并复修完毕")
    services.complaint_record_feedback(actor=handler_a.user, complaint_id=case.pk, feedback="satisfied")
    response = client_for(handler_a).get(reverse("complaints:print", args=[case.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "投诉处理单" in body and case.number in body and case.details in body
    assert "与维修人员核实经过" in body and "已当面致歉并复修完毕" in body
    assert "满意" in body
    for line in ("处理人签字", "部门经理签字", "投诉人签字"):
        assert line in body
    assert "@page { size: A4" in body and "@media print" in body
    assert "已短信通知投诉人" not in body  # the automatic text notices are not handling steps
