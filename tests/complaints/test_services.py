"""The complaint services: every transition of G-01, its deadlines on the business calendar, CMP-06 closing, the text
per status change (CMP-11), compensation (CMP-09), the violation link (CMP-08), the intake token, improvement
actions (CMP-02) and guidance versions (CMP-05)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from servicecenter.attendance.models import Violation
from servicecenter.complaints import policies, services
from servicecenter.complaints.models import Complaint, ComplaintEvent, GuidanceArticle, ImprovementAction
from servicecenter.core.errors import Conflict, NotAllowed, ValidationFailed
from servicecenter.core.models import AuditEvent
from servicecenter.notifications.channels import customer_captured
from servicecenter.notifications.models import CustomerMessage, Notification
from servicecenter.policy import services as policy_services
from tests import factories

from .conftest import MORNING, SH, complaint

pytestmark = pytest.mark.django_db


def _walk_to_resolved(case, handler, *, response="已安排复修并致歉"):
    services.complaint_acknowledge(actor=handler.user, complaint_id=case.pk)
    services.complaint_start_investigation(actor=handler.user, complaint_id=case.pk, note="调取派单记录")
    return services.complaint_resolve(actor=handler.user, complaint_id=case.pk, response=response)


def _verbs(case) -> list[str]:
    return list(ComplaintEvent.objects.filter(complaint=case).values_list("verb", flat=True))


# --- intake and deadlines (CMP-01, G-01) ------------------------------------------------------------------------


@pytest.mark.clause("CMP-01", "G-01")
def test_intake_creates_a_case_with_deadlines_on_the_calendar(
    make_complaint, clerk_a, manager_a, django_capture_on_commit_callbacks
):
    # given the D01 station (open every day 08:30–20:00), a Tuesday 09:00
    # when
    with django_capture_on_commit_callbacks(execute=True):
        case = make_complaint()
    # then: numbered, received, deadlines at the close of the 1st and 3rd working day, with the citation
    assert case.number.startswith(f"TS{case.organization_id:03d}-2026-")
    assert case.status == "received" and case.received_by == clerk_a.user
    assert case.acknowledge_due_at == datetime(2026, 12, 2, 20, 0, tzinfo=SH)
    assert case.resolve_due_at == datetime(2026, 12, 4, 20, 0, tzinfo=SH)
    assert "G-01" in case.deadline_citation and "1 个工作日" in case.deadline_citation
    assert _verbs(case) == ["received", "notified"]
    assert AuditEvent.objects.filter(verb="complaint.received", target_id=str(case.pk)).exists()
    # the manager is told of the new case
    assert Notification.objects.filter(recipient=manager_a.user, verb="complaints.received").exists()


@pytest.mark.clause("G-01")
def test_deadlines_skip_the_weekend_of_a_workdays_only_center(tree, manager_b):
    # given the gov hall (08:30–11:30, 14:30–17:30, statutory working days only), a Friday morning
    friday = datetime(2026, 12, 4, 10, 0, tzinfo=SH)
    # when
    case = complaint(manager_b, tree["b"], now=friday)
    # then: acknowledge by Monday's close, resolve by Wednesday's close — Saturday and Sunday do not count
    assert case.acknowledge_due_at == datetime(2026, 12, 7, 17, 30, tzinfo=SH)
    assert case.resolve_due_at == datetime(2026, 12, 9, 17, 30, tzinfo=SH)
    assert "17:30" in case.deadline_citation or "14:30" in case.deadline_citation


@pytest.mark.clause("G-01")
def test_severity_shortens_the_resolution_deadline(make_complaint):
    critical = make_complaint(severity="critical")
    # complaints.resolve_working_days = {"normal": 3, "serious": 2, "critical": 1}
    assert critical.resolve_due_at == datetime(2026, 12, 2, 20, 0, tzinfo=SH)


@pytest.mark.clause("G-01")
def test_deadline_parameters_per_center_are_used(tree, make_complaint, gm):
    # given center A sets a 5-working-day resolution for normal complaints (from today on)
    policy_services.parameter_set(
        actor=gm.user,
        key="complaints.resolve_working_days",
        organization=tree["a"],
        value={"normal": 5, "serious": 2, "critical": 1},
        effective_from=date(2026, 12, 1),
        reason="本中心投诉处理规程",
    )
    case = make_complaint()
    assert case.resolve_due_at == datetime(2026, 12, 6, 20, 0, tzinfo=SH)
    assert "5 个工作日" in case.deadline_citation


def test_bad_input_is_refused_and_nothing_is_saved(make_complaint):
    with pytest.raises(ValidationFailed) as caught:
        make_complaint(phone="abc", summary=" ")
    assert "phone" in caught.value.fields
    with pytest.raises(ValidationFailed) as caught:
        make_complaint(category="nonsense")
    assert "category" in caught.value.fields
    with pytest.raises(ValidationFailed) as caught:
        make_complaint(details="x" * 4001)
    assert "details" in caught.value.fields
    assert not Complaint.objects.exists()


def test_order_and_staff_must_belong_to_the_center(tree, make_complaint, manager_b):
    other = factories.make_staff(tree["b"], "service_staff", name="乙员工")
    with pytest.raises(ValidationFailed) as caught:
        make_complaint(against_staff_id=other.pk)
    assert "against_staff" in caught.value.fields
    with pytest.raises(ValidationFailed) as caught:
        make_complaint(order_id=999999)
    assert "order" in caught.value.fields


def test_a_clerk_of_another_center_may_not_take_the_complaint(tree, clerk_a):
    outsider = factories.make_staff(tree["b"], "center_manager", name="乙经理")
    with pytest.raises(NotAllowed):
        complaint(outsider, tree["a"])


def test_the_same_form_token_twice_makes_one_complaint(make_complaint, django_capture_on_commit_callbacks):
    token = str(uuid.uuid4())
    with django_capture_on_commit_callbacks(execute=True):
        first = make_complaint(intake_token=token)
    with django_capture_on_commit_callbacks(execute=True):
        again = make_complaint(intake_token=token, summary="第二次提交")
    assert again.pk == first.pk and again.summary == first.summary
    assert Complaint.objects.count() == 1
    assert len(customer_captured()) == 1  # one text, not two
    # the next complaint of the center takes the next number (the replay gave its number back)
    other = make_complaint(intake_token=str(uuid.uuid4()))
    assert int(other.number.rsplit("-", 1)[1]) == int(first.number.rsplit("-", 1)[1]) + 1
    with pytest.raises(ValidationFailed) as caught:
        make_complaint(intake_token="not-a-uuid")
    assert "intake_token" in caught.value.fields


# --- the transitions (G-01) -------------------------------------------------------------------------------------------


@pytest.mark.smoke
@pytest.mark.clause("G-01", "CMP-06")
def test_the_whole_lifecycle(make_complaint, handler_a, clerk_a):
    case = make_complaint()
    case = services.complaint_acknowledge(actor=handler_a.user, complaint_id=case.pk, owner_id=handler_a.user.pk)
    assert case.status == "acknowledged" and case.owner == handler_a.user and case.acknowledged_at is not None
    case = services.complaint_start_investigation(actor=handler_a.user, complaint_id=case.pk, note="调取记录")
    assert case.status == "investigating" and case.investigation_started_at is not None
    services.complaint_add_note(actor=handler_a.user, complaint_id=case.pk, note="已与维修人员谈话")
    case = services.complaint_resolve(actor=handler_a.user, complaint_id=case.pk, response="已复修，向您致歉")
    assert case.status == "resolved" and case.resolved_by == handler_a.user
    # the complainant's wait: 3 working days after the resolution (complaints.confirm_wait_working_days)
    assert case.confirm_due_at == datetime(2026, 12, 4, 20, 0, tzinfo=SH)
    case = services.complaint_record_feedback(actor=handler_a.user, complaint_id=case.pk, feedback="satisfied")
    assert case.status == "confirmed" and case.feedback == "satisfied" and case.confirmed_at is not None
    case = services.complaint_close(actor=handler_a.user, complaint_id=case.pk, note="回访确认满意")
    assert case.status == "closed" and case.closed_by == handler_a.user
    assert _verbs(case) == [
        "received",
        "notified",
        "acknowledged",
        "notified",
        "investigating",
        "notified",
        "note",
        "resolved",
        "notified",
        "confirmed",
        "closed",
        "notified",
    ]
    # the clerk may take complaints but not handle them
    with pytest.raises(NotAllowed):
        services.complaint_reopen(actor=clerk_a.user, complaint_id=case.pk, reason="新情况")
    case = services.complaint_reopen(actor=handler_a.user, complaint_id=case.pk, reason="投诉人反映问题再次出现")
    assert case.status == "reopened" and case.reopen_count == 1


@pytest.mark.clause("G-01")
def test_transitions_out_of_order_are_conflicts(make_complaint, handler_a):
    case = make_complaint()
    with pytest.raises(Conflict):
        services.complaint_start_investigation(actor=handler_a.user, complaint_id=case.pk)
    with pytest.raises(Conflict):
        services.complaint_record_feedback(actor=handler_a.user, complaint_id=case.pk, feedback="satisfied")
    with pytest.raises(Conflict):
        services.complaint_close(actor=handler_a.user, complaint_id=case.pk)
    services.complaint_acknowledge(actor=handler_a.user, complaint_id=case.pk)
    with pytest.raises(Conflict) as caught:
        services.complaint_acknowledge(actor=handler_a.user, complaint_id=case.pk)
    assert case.number in caught.value.message


def test_acknowledge_names_a_handler_of_the_center(make_complaint, handler_a, clerk_a, manager_b):
    case = make_complaint()
    with pytest.raises(ValidationFailed) as caught:
        services.complaint_acknowledge(actor=handler_a.user, complaint_id=case.pk, owner_id=clerk_a.user.pk)
    assert "owner" in caught.value.fields
    with pytest.raises(ValidationFailed):
        services.complaint_acknowledge(actor=handler_a.user, complaint_id=case.pk, owner_id=manager_b.user.pk)
    assert Complaint.objects.get(pk=case.pk).status == "received"


@pytest.mark.clause("G-01")
def test_dissatisfied_reopens_once_then_escalates(make_complaint, handler_a, gm, django_capture_on_commit_callbacks):
    case = make_complaint()
    _walk_to_resolved(case, handler_a)
    # first "dissatisfied": reopened (complaints.reopen_limit = 1), the owner is told
    case = services.complaint_record_feedback(
        actor=handler_a.user, complaint_id=case.pk, feedback="dissatisfied", note="还是不热"
    )
    assert case.status == "reopened" and case.reopen_count == 1 and case.escalated_at is None
    assert "第 1 次" in ComplaintEvent.objects.filter(complaint=case, verb="reopened").get().note
    # handled again, dissatisfied again: escalated to the ops-center GM above
    services.complaint_start_investigation(actor=handler_a.user, complaint_id=case.pk)
    services.complaint_resolve(actor=handler_a.user, complaint_id=case.pk, response="更换了整组散热器")
    with django_capture_on_commit_callbacks(execute=True):
        case = services.complaint_record_feedback(actor=handler_a.user, complaint_id=case.pk, feedback="dissatisfied")
    assert case.escalated_at is not None and case.reopen_count == 1 and case.status == "reopened"
    assert "升级" in case.escalation_reason
    assert Notification.objects.filter(recipient=gm.user, verb="complaints.escalated").exists()


@pytest.mark.clause("CMP-06")
def test_close_is_refused_without_a_recorded_response(make_complaint, handler_a):
    # given a confirmed case whose response was lost (written around the services, as a bad import would)
    case = make_complaint()
    _walk_to_resolved(case, handler_a)
    services.complaint_record_feedback(actor=handler_a.user, complaint_id=case.pk, feedback="satisfied")
    Complaint.objects.filter(pk=case.pk).update(response="  ")
    # when / then
    with pytest.raises(Conflict) as caught:
        services.complaint_close(actor=handler_a.user, complaint_id=case.pk)
    assert caught.value.clause == "CMP-06"
    assert Complaint.objects.get(pk=case.pk).status == "confirmed"


@pytest.mark.clause("CMP-06")
def test_the_database_refuses_a_closed_case_without_response_or_handler(make_complaint):
    # PostgreSQL check constraint cmp_closed_has_response: even a raw UPDATE cannot close an unanswered case
    case = make_complaint()
    with pytest.raises(IntegrityError), transaction.atomic():
        Complaint.objects.filter(pk=case.pk).update(status="closed")
    with pytest.raises(IntegrityError), transaction.atomic():
        Complaint.objects.filter(pk=case.pk).update(status="closed", response="已处理")  # no resolved_by
    assert Complaint.objects.get(pk=case.pk).status == "received"


@pytest.mark.clause("CMP-06")
def test_policy_check_can_close():
    with pytest.raises(Conflict):
        policies.check_can_close(response="", resolved_by_id=1)
    with pytest.raises(Conflict):
        policies.check_can_close(response="已答复", resolved_by_id=None)
    policies.check_can_close(response="已答复", resolved_by_id=1)


# --- texts to the complainant (CMP-11) ------------------------------------------------------------------------


@pytest.mark.clause("CMP-11")
def test_each_status_change_texts_the_complainant(make_complaint, handler_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = make_complaint()
    with django_capture_on_commit_callbacks(execute=True):
        services.complaint_acknowledge(actor=handler_a.user, complaint_id=case.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.complaint_start_investigation(actor=handler_a.user, complaint_id=case.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.complaint_add_note(actor=handler_a.user, complaint_id=case.pk, note="内部记录")  # no status change
    with django_capture_on_commit_callbacks(execute=True):
        services.complaint_resolve(actor=handler_a.user, complaint_id=case.pk, response="已处理")
    with django_capture_on_commit_callbacks(execute=True):
        services.complaint_record_feedback(actor=handler_a.user, complaint_id=case.pk, feedback="dissatisfied")
    sent = customer_captured()
    assert [phone for phone, _text in sent] == ["139 1234 5678"] * 5
    texts = [text for _phone, text in sent]
    assert "已受理" in texts[0] and case.number in texts[0] and "2026-12-04 20:00" in texts[0]
    assert "已确认" in texts[1]
    assert "调查处理中" in texts[2]
    assert "已有处理结果" in texts[3]
    assert "重新打开" in texts[4]
    # each text carries the lookup link
    assert all(f"/complaints/status/?number={case.number}" in text for text in texts)
    assert CustomerMessage.objects.filter(status="sent").count() == 5


@pytest.mark.clause("CMP-11")
def test_no_text_when_the_complainant_declined(make_complaint, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = make_complaint(notify_complainant=False)
    assert customer_captured() == []
    assert "notified" not in _verbs(case)


# --- compensation (CMP-09) -------------------------------------------------------------------------------------------


@pytest.mark.clause("CMP-09")
def test_a_merchant_complaint_names_the_merchant_and_the_merchant_pays(make_complaint, handler_a):
    with pytest.raises(ValidationFailed) as caught:
        make_complaint(category="merchant")
    assert "merchant_name" in caught.value.fields
    case = make_complaint(category="merchant", merchant_name="学苑超市", summary="买到过期牛奶")
    services.complaint_acknowledge(actor=handler_a.user, complaint_id=case.pk)
    case = services.complaint_resolve(
        actor=handler_a.user, complaint_id=case.pk, response="商户退一赔三", compensation="36.00"
    )
    assert case.compensation == Decimal("36.00") and case.compensation_payer == "学苑超市"
    event = ComplaintEvent.objects.get(complaint=case, verb="resolved")
    assert event.clause == "CMP-09" and event.data == {"compensation": "36.00", "payer": "学苑超市"}


@pytest.mark.clause("CMP-09")
def test_compensation_needs_a_payer_and_a_valid_amount(make_complaint, handler_a):
    case = make_complaint()
    services.complaint_acknowledge(actor=handler_a.user, complaint_id=case.pk)
    with pytest.raises(ValidationFailed) as caught:
        services.complaint_resolve(actor=handler_a.user, complaint_id=case.pk, response="赔偿", compensation="50")
    assert "compensation_payer" in caught.value.fields
    for bad in ("-1", "abc", "1.234", "NaN"):
        with pytest.raises(ValidationFailed):
            services.complaint_resolve(
                actor=handler_a.user, complaint_id=case.pk, response="赔偿", compensation=bad, compensation_payer="中心"
            )
    assert Complaint.objects.get(pk=case.pk).status == "acknowledged"
    case = services.complaint_resolve(
        actor=handler_a.user, complaint_id=case.pk, response="赔偿", compensation="50", compensation_payer="服务中心"
    )
    assert case.compensation_payer == "服务中心"


# --- the violation link (CMP-08) -------------------------------------------------------------------------------------


@pytest.mark.clause("CMP-08")
def test_a_complaint_against_staff_becomes_a_linked_violation(tree, make_complaint, handler_a, worker_a):
    case = make_complaint(against_staff_id=worker_a.pk)
    case = services.complaint_link_violation(
        actor=handler_a.user,
        complaint_id=case.pk,
        violation_type="off_post",
        day=date(2026, 12, 1),
        description="上门期间擅自离开",
    )
    violation = Violation.objects.get(staff=worker_a)
    assert case.violation == violation and violation.type == "off_post"
    assert case.number in violation.evidence_text
    event = ComplaintEvent.objects.get(complaint=case, verb="violation")
    assert event.clause == "CMP-08" and worker_a.name in event.note
    # once only
    with pytest.raises(Conflict):
        services.complaint_link_violation(
            actor=handler_a.user,
            complaint_id=case.pk,
            violation_type="off_post",
            day=date(2026, 12, 1),
            description="x",
        )


@pytest.mark.clause("CMP-08")
def test_the_attendance_service_decides_who_may_record_it(tree, handler_a, worker_a):
    # given a handler without attendance.manage_attendance (a custom role: complaints only)
    from django.contrib.auth.models import Group, Permission

    from servicecenter.org.models import Role

    group = Group.objects.create(name="投诉专员组")
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="complaints",
            codename__in=["view_complaint", "add_complaint", "handle_complaint"],
        )
    )
    role = Role.objects.create(code="complaint_officer", name="投诉专员", group=group, rank=35)
    officer = factories.make_staff(tree["a"], name="投诉专员")
    from servicecenter.org import services as org_services

    org_services.role_assign(actor=None, user=officer.user, role_code=role.code, organization=tree["a"])
    case = complaint(officer, tree["a"], against_staff_id=worker_a.pk)
    # when / then: refused by attendance, nothing linked, nothing recorded
    with pytest.raises(NotAllowed) as caught:
        services.complaint_link_violation(
            actor=officer.user, complaint_id=case.pk, violation_type="off_post", day=date(2026, 12, 1), description="x"
        )
    assert "违纪" in caught.value.message
    assert Complaint.objects.get(pk=case.pk).violation_id is None
    assert not Violation.objects.exists()
    assert "violation" not in _verbs(case)


@pytest.mark.clause("CON-12")
@pytest.mark.clause("CMP-08")
def test_a_language_complaint_records_a_language_violation_without_points(make_complaint, handler_a, worker_a):
    case = make_complaint(against_staff_id=worker_a.pk, category="language")
    services.complaint_link_violation(
        actor=handler_a.user,
        complaint_id=case.pk,
        violation_type="language",
        day=date(2026, 12, 1),
        description="上门时说话难听",
    )
    violation = Violation.objects.get(staff=worker_a)
    # CON-12 names no sanction: recorded with its clause, no absenteeism units (the points issue decides later)
    assert violation.type == "language" and violation.clause == "CON-12" and violation.units == 0


def test_no_violation_without_a_staff_member(make_complaint, handler_a):
    case = make_complaint()
    with pytest.raises(ValidationFailed):
        services.complaint_link_violation(
            actor=handler_a.user,
            complaint_id=case.pk,
            violation_type="off_post",
            day=date(2026, 12, 1),
            description="x",
        )


# --- improvement actions (CMP-02) ------------------------------------------------------------------------------------


def _closed(case, handler):
    _walk_to_resolved(case, handler)
    services.complaint_record_feedback(actor=handler.user, complaint_id=case.pk, feedback="satisfied")
    return services.complaint_close(actor=handler.user, complaint_id=case.pk)


@pytest.mark.clause("CMP-02")
def test_a_closed_complaint_spawns_an_audited_action(
    make_complaint, handler_a, worker_a, clerk_a, django_capture_on_commit_callbacks
):
    case = make_complaint()
    with pytest.raises(Conflict) as caught:
        services.action_create(
            actor=handler_a.user,
            complaint_id=case.pk,
            title="配件备货",
            owner_id=clerk_a.user.pk,
            due_date="2026-12-20",
        )
    assert caught.value.clause == "CMP-02"
    _closed(case, handler_a)
    with django_capture_on_commit_callbacks(execute=True):
        action = services.action_create(
            actor=handler_a.user,
            complaint_id=case.pk,
            title="常用配件随车备货",
            owner_id=worker_a.user.pk,
            due_date="2026-12-20",
            description="每车备阀芯、软管",
        )
    assert action.status == "open" and action.owner == worker_a.user and action.organization_id == case.organization_id
    assert AuditEvent.objects.filter(verb="complaint.action.created", clause="CMP-02").exists()
    assert ComplaintEvent.objects.filter(complaint=case, verb="action").exists()
    assert Notification.objects.filter(recipient=worker_a.user, verb="complaints.action").exists()
    # the owner completes it (without the handler permission)
    done = services.action_complete(actor=worker_a.user, action_id=action.pk, result="已配齐，12月15日检查")
    assert done.status == "done" and done.done_at is not None
    with pytest.raises(Conflict):
        services.action_drop(actor=handler_a.user, action_id=action.pk, reason="不需要了")


def test_action_input_is_checked(make_complaint, handler_a, clerk_a, manager_b):
    case = _closed(make_complaint(), handler_a)
    for kwargs, field in (
        ({"title": " ", "owner_id": clerk_a.user.pk, "due_date": "2026-12-20"}, "title"),
        ({"title": "x", "owner_id": manager_b.user.pk, "due_date": "2026-12-20"}, "owner"),
        ({"title": "x", "owner_id": clerk_a.user.pk, "due_date": "2026-11-30"}, "due_date"),
        ({"title": "x", "owner_id": clerk_a.user.pk, "due_date": "明天"}, "due_date"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            services.action_create(actor=handler_a.user, complaint_id=case.pk, **kwargs)
        assert field in caught.value.fields
    assert not ImprovementAction.objects.exists()


def test_only_the_owner_or_a_handler_finishes_an_action(tree, make_complaint, handler_a, worker_a, clerk_a):
    case = _closed(make_complaint(), handler_a)
    action = services.action_create(
        actor=handler_a.user, complaint_id=case.pk, title="培训", owner_id=worker_a.user.pk, due_date="2026-12-20"
    )
    with pytest.raises(NotAllowed):
        services.action_complete(actor=clerk_a.user, action_id=action.pk, result="x")
    with pytest.raises(NotAllowed):
        services.action_drop(actor=worker_a.user, action_id=action.pk, reason="x")
    dropped = services.action_drop(actor=handler_a.user, action_id=action.pk, reason="并入年度培训计划")
    assert dropped.status == "dropped" and dropped.result == "并入年度培训计划"


# --- guidance versions (CMP-05, CON-12) ------------------------------------------------------------------------------


@pytest.mark.clause("CMP-05", "CON-12")
def test_guidance_is_seeded_and_edited_as_new_versions(tree, manager_a, manager_b):
    # given the company-wide articles seeded by the data migration
    seeded = GuidanceArticle.objects.filter(organization__isnull=True, is_current=True)
    assert 6 <= seeded.count() <= 8
    language = seeded.get(title="文明用语与禁用语")
    assert "language" in language.tags and "✘" in language.body and language.clause == "CON-12"
    # a center manager may not rewrite a company-wide article ...
    with pytest.raises(NotAllowed):
        services.guidance_save(actor=manager_a.user, title="x", body="y", tags=["general"], supersedes_id=language.pk)
    # ... but writes the center's own, and edits it as a new version
    first = services.guidance_save(
        actor=manager_a.user,
        title="本中心投诉接待流程",
        body="先登记，后处理",
        tags=["general"],
        organization=tree["a"],
    )
    second = services.guidance_save(
        actor=manager_a.user,
        title="本中心投诉接待流程",
        body="先登记，再致歉，后处理",
        tags=["general"],
        supersedes_id=first.pk,
    )
    first.refresh_from_db()
    assert second.version == 2 and second.supersedes == first and second.is_current and not first.is_current
    assert second.organization == tree["a"]
    assert AuditEvent.objects.filter(verb="complaint.guidance.revised", clause="CMP-05").exists()
    # editing the old version again is a conflict (someone replaced it)
    with pytest.raises(Conflict):
        services.guidance_save(actor=manager_a.user, title="t", body="b", tags=["general"], supersedes_id=first.pk)
    # another center's manager may not edit it
    with pytest.raises(NotAllowed):
        services.guidance_save(actor=manager_b.user, title="t", body="b", tags=["general"], supersedes_id=second.pk)
    with pytest.raises(ValidationFailed) as caught:
        services.guidance_save(actor=manager_a.user, title="t", body="b", tags=["bogus"], organization=tree["a"])
    assert "tags" in caught.value.fields


def test_a_company_level_role_edits_company_wide_guidance(tree):
    company_admin = factories.make_staff(tree["company"], "center_manager", name="公司客服经理")
    article = GuidanceArticle.objects.get(organization__isnull=True, title="文明用语与禁用语")
    new = services.guidance_save(
        actor=company_admin.user,
        title=article.title,
        body=article.body + "\n✘ 这事我管不了。",
        tags=article.tags,
        supersedes_id=article.pk,
    )
    assert new.organization is None and new.version == 2


def test_the_unique_supersedes_constraint_forbids_forks(tree, manager_a):
    first = services.guidance_save(actor=manager_a.user, title="t", body="b", tags=["general"], organization=tree["a"])
    services.guidance_save(actor=manager_a.user, title="t", body="b2", tags=["general"], supersedes_id=first.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        GuidanceArticle.objects.create(title="fork", body="b", tags=["general"], supersedes=first, version=2)


def test_morning_constant_is_the_suite_clock():
    assert MORNING.weekday() == 1  # a Tuesday: the deadline tests above rely on it
    assert MORNING + timedelta(days=3) == datetime(2026, 12, 4, 9, 0, tzinfo=SH)
