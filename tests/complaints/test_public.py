"""The complainant's pages (no login): the status lookup (neutral miss, no staff data, rate limit), answering a
resolution (满意 / 不满意 → G-01), and the web complaint form (honeypot, CSRF, token, confirmation number)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from servicecenter.complaints import services
from servicecenter.complaints.models import Complaint, ComplaintEvent
from servicecenter.complaints.views import public as public_views

from .conftest import intake

pytestmark = pytest.mark.django_db

STATUS = reverse("complaints:public_status")
NEW = reverse("complaints:public_new")


def _lookup(client, case, last4="5678"):
    return client.post(STATUS, {"action": "lookup", "number": case.number, "phone_last4": last4})


def _resolved(make_complaint, handler):
    case = make_complaint(against_staff_id=None)
    services.complaint_acknowledge(actor=handler.user, complaint_id=case.pk)
    services.complaint_add_note(actor=handler.user, complaint_id=case.pk, note="内部：约谈维修工王某")
    return services.complaint_resolve(actor=handler.user, complaint_id=case.pk, response="已上门复修，向您致歉。")


@pytest.mark.clause("CMP-11")
def test_lookup_shows_state_public_timeline_and_response_without_staff_data(client, make_complaint, handler_a):
    case = _resolved(make_complaint, handler_a)
    response = _lookup(client, case)
    body = response.content.decode()
    assert response.status_code == 200
    assert case.number in body and "已答复，请告诉我们您是否满意" in body
    assert "已上门复修，向您致歉。" in body and 'id="public-response"' in body
    assert "工作人员" in body
    # never a staff name, a phone number or an internal note
    for secret in ("甲经理", "甲内勤", "王某", "139 1234 5678", "13912345678", case.deadline_citation):
        assert secret not in body
    assert 'id="btn-satisfied"' in body and 'id="btn-dissatisfied"' in body


def test_a_miss_and_wrong_digits_answer_the_same_neutral_message(client, make_complaint):
    case = make_complaint()
    for number, last4 in ((case.number, "0000"), ("TS999-2026-00001", "5678"), ("", ""), (case.number, "56")):
        response = client.post(STATUS, {"action": "lookup", "number": number, "phone_last4": last4})
        body = response.content.decode()
        assert response.status_code == 200 and 'id="not-found"' in body
        assert str(public_views.NEUTRAL) in body and "status-result" not in body


def test_the_lookup_is_case_insensitive_on_the_number(client, make_complaint):
    case = make_complaint()
    response = client.post(STATUS, {"action": "lookup", "number": case.number.lower(), "phone_last4": "5678"})
    assert 'id="status-result"' in response.content.decode()


def test_the_text_link_prefills_the_number(client, make_complaint):
    case = make_complaint()
    body = client.get(STATUS, {"number": case.number}).content.decode()
    assert f'value="{case.number}"' in body


@pytest.mark.smoke
@pytest.mark.clause("G-01", "CMP-11")
def test_the_complainant_confirms_satisfied(client, make_complaint, handler_a):
    case = _resolved(make_complaint, handler_a)
    response = client.post(
        STATUS, {"action": "feedback", "number": case.number, "phone_last4": "5678", "feedback": "satisfied"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'id="thanks"' in body
    case.refresh_from_db()
    assert case.status == "confirmed" and case.feedback == "satisfied"
    event = ComplaintEvent.objects.get(complaint=case, verb="confirmed")
    assert event.public and event.actor is None and event.actor_name == "投诉人（网上反馈）"
    assert "处理结果已确认" in body and 'id="btn-satisfied"' not in body
    # the same answer again: refused politely, nothing changes
    again = client.post(
        STATUS, {"action": "feedback", "number": case.number, "phone_last4": "5678", "feedback": "dissatisfied"}
    )
    assert again.status_code == 409 and 'id="feedback-error"' in again.content.decode()
    assert Complaint.objects.get(pk=case.pk).status == "confirmed"


@pytest.mark.clause("G-01")
def test_the_complainant_is_dissatisfied_with_a_note(client, make_complaint, handler_a):
    case = _resolved(make_complaint, handler_a)
    client.post(
        STATUS,
        {
            "action": "feedback",
            "number": case.number,
            "phone_last4": "5678",
            "feedback": "dissatisfied",
            "note": "暖气还是不热",
        },
    )
    case.refresh_from_db()
    assert case.status == "reopened" and case.feedback_note == "暖气还是不热" and case.reopen_count == 1


def test_feedback_needs_the_right_digits_and_a_choice(client, make_complaint, handler_a):
    case = _resolved(make_complaint, handler_a)
    wrong = client.post(
        STATUS, {"action": "feedback", "number": case.number, "phone_last4": "1111", "feedback": "satisfied"}
    )
    assert 'id="not-found"' in wrong.content.decode()
    bad = client.post(STATUS, {"action": "feedback", "number": case.number, "phone_last4": "5678", "feedback": "meh"})
    assert bad.status_code == 400 and 'id="feedback-error"' in bad.content.decode()
    assert Complaint.objects.get(pk=case.pk).status == "resolved"


def test_lookup_is_rate_limited(client, make_complaint, monkeypatch):
    monkeypatch.setattr(public_views, "STATUS_LIMIT", (3, 600))
    case = make_complaint()
    for _ in range(3):
        assert _lookup(client, case, "0000").status_code == 200
    response = _lookup(client, case)
    assert response.status_code == 429 and 'id="rate-limited"' in response.content.decode()
    # another address is not affected
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert _lookup(other, case).status_code == 200


def test_public_pages_need_csrf(make_complaint):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(STATUS, {"number": "x", "phone_last4": "1234"}).status_code == 403
    assert strict.post(NEW, {}).status_code == 403


# --- the web form -----------------------------------------------------------------------------------------------------


def _web(center, **overrides):
    data = {
        "organization": str(center.pk),
        "complainant_name": "钱女士",
        "phone": "136 2222 3333",
        "category": "quality",
        "merchant_name": "",
        "summary": "热水器修了又坏",
        "details": "上周修过一次，昨天又不出热水。",
        "demand": "免费复修",
        "order_number": "",
        "intake_token": "0d7a4a4e-2f55-4e4e-8a0b-3a5a6f1f0a01",
        "website": "",
    }
    data.update(overrides)
    return data


def test_web_complaint_shows_its_number(client, tree):
    page = client.get(NEW)
    assert page.status_code == 200 and tree["a"].name in page.content.decode()
    response = client.post(NEW, _web(tree["a"]))
    assert response.status_code == 302 and response["Location"] == reverse("complaints:public_done")
    case = Complaint.objects.get()
    assert case.channel == "web" and case.received_by is None and case.category == "quality"
    done = client.get(response["Location"]).content.decode()
    assert case.number in done and "3333" in done and "2026-12-04 20:00" in done
    # the same form submitted twice: still one complaint
    client.post(NEW, _web(tree["a"]))
    assert Complaint.objects.count() == 1


def test_web_complaint_links_the_complainants_own_order(client, tree, clerk_a):
    order = intake(clerk_a, tree["a"], phone="136 2222 3333")
    stranger = intake(clerk_a, tree["a"], phone="135 9999 0000")
    response = client.post(NEW, _web(tree["a"], order_number=stranger.number))
    assert response.status_code == 400 and "未找到该工单" in response.content.decode()
    response = client.post(NEW, _web(tree["a"], order_number=order.number))
    assert response.status_code == 302
    assert Complaint.objects.get().order == order


def test_web_form_refuses_bots_and_bad_input(client, tree):
    assert client.post(NEW, _web(tree["a"], website="http://spam")).status_code == 400
    response = client.post(NEW, _web(tree["a"], phone="12", summary=""))
    body = response.content.decode()
    assert response.status_code == 400 and 'id="form-error"' in body
    assert "上周修过一次" in body  # the typed text is kept
    assert client.post(NEW, _web(tree["a"], organization="999999")).status_code == 400
    assert client.post(NEW, _web(tree["a"], category="merchant")).status_code == 400  # names the merchant
    assert not Complaint.objects.exists()


def test_web_form_is_rate_limited(client, tree, monkeypatch):
    monkeypatch.setattr(public_views, "FORM_LIMIT", (2, 600))
    client.post(NEW, _web(tree["a"], website="x"))
    client.post(NEW, _web(tree["a"], website="x"))
    response = client.post(NEW, _web(tree["a"]))
    assert response.status_code == 429 and 'id="rate-limited"' in response.content.decode()
    assert not Complaint.objects.exists()


def test_done_page_without_a_submission(client):
    assert "没有找到刚提交的投诉" in client.get(reverse("complaints:public_done")).content.decode()
