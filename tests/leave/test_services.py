"""Leave services: every rule of LEV-01…LEV-14, ATT-06, ATT-14, C-03, C-04, G-14, with their boundaries (month end,
holidays and make-up workdays, half days)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from servicecenter.approvals.choices import RouteFlag
from servicecenter.core.errors import Conflict, NotAllowed, ValidationFailed
from servicecenter.core.models import AuditEvent
from servicecenter.leave import selectors, services
from servicecenter.leave.choices import LeaveStatus
from servicecenter.notifications.models import Notification
from servicecenter.org.choices import StaffStatus
from servicecenter.policy.services import parameter_set
from tests import factories

from .conftest import at
from .helpers import PDF, decide, pending_step, png_bytes

pytestmark = pytest.mark.django_db


def route_of(leave):
    request = leave.approval_request
    return [s.role_code for s in request.steps.all()], list(request.route_flags), request


# ------------------------------------------------------------------------------------------------ routes


@pytest.mark.smoke
@pytest.mark.clause("LEV-01", "C-03")
def test_one_day_goes_to_the_center_manager_and_is_approved(worker_a, manager_a, gm, ask):
    leave = ask(worker_a, start=date(2026, 12, 3))
    steps, flags, request = route_of(leave)
    assert (leave.status, leave.days, steps, flags) == (LeaveStatus.SUBMITTED, Decimal("1"), ["center_manager"], [])
    assert pending_step(leave).assignee == manager_a.user
    assert "LEV-01" in leave.route_citation and "请假审批权限" in leave.route_citation
    decide(leave, manager_a)
    assert leave.status == LeaveStatus.APPROVED and "审批单" in leave.decision_citation
    assert AuditEvent.objects.for_target(leave).filter(verb="leave.approved").exists()


@pytest.mark.clause("LEV-02", "C-03")
def test_two_and_a_half_days_go_to_the_gm_with_a_copy_to_the_channel_department(worker_a, manager_a, gm, channel, ask):
    leave = ask(worker_a, start=date(2026, 12, 3), end=date(2026, 12, 5), end_half="am")
    steps, flags, request = route_of(leave)
    assert (leave.days, steps, flags) == (Decimal("2.5"), ["ops_center_gm"], [])
    assert list(request.notices.values_list("role_code", flat=True)) == ["channel_department"]
    decide(leave, gm)
    assert leave.status == LeaveStatus.APPROVED
    assert Notification.objects.filter(recipient=channel.user, verb="approvals.request.decided").exists()


@pytest.mark.clause("C-03")
def test_five_days_match_no_band_and_go_to_the_gm_flagged(worker_a, gm, ask):
    leave = ask(worker_a, start=date(2026, 12, 7), end=date(2026, 12, 11))
    steps, flags, request = route_of(leave)
    assert (leave.days, steps, flags) == (Decimal("5"), ["ops_center_gm"], [RouteFlag.NO_RULE])
    assert "无匹配规则" in request.route_message


@pytest.mark.clause("LEV-10", "LEV-11")
def test_gov_hall_one_day_to_the_leader_in_charge_three_days_written_to_the_principal(worker_b, leaders_b, ask):
    in_charge, principal = leaders_b
    one = ask(worker_b, start=date(2026, 12, 2))
    assert route_of(one)[0] == ["leader_in_charge"] and "LEV-10" in one.route_citation
    with pytest.raises(ValidationFailed) as refused:
        ask(worker_b, start=date(2026, 12, 7), end=date(2026, 12, 9))
    assert refused.value.clause == "LEV-11" and "handover_note" in refused.value.fields
    three = ask(worker_b, start=date(2026, 12, 7), end=date(2026, 12, 9), handover_note="窗口由小李代岗")
    assert route_of(three)[0] == ["principal_leader"] and three.days == Decimal("3")


# ------------------------------------------------------------------------------------------------ days


def test_half_days_count_half(worker_a, manager_a, ask):
    leave = ask(worker_a, start=date(2026, 12, 3), start_half="pm", end=date(2026, 12, 4), end_half="am")
    assert leave.days == Decimal("1") and leave.day_breakdown == {"2026-12-03": "0.5", "2026-12-04": "0.5"}
    morning = ask(worker_a, start=date(2026, 12, 8), end_half="am")
    assert morning.days == Decimal("0.5") and morning.ends_at == at(2026, 12, 8, 12)


def test_gov_hall_counts_working_days_holidays_out_make_up_days_in(worker_b, leaders_b, ask):
    # 2026-09-30 (Wed) … 2026-10-10 (Sat, make-up workday 调休); 10-01…10-07 National Day holiday
    leave = ask(worker_b, start=date(2026, 9, 30), end=date(2026, 10, 10), handover_note="交接", now=at(2026, 9, 1))
    assert sorted(leave.day_breakdown) == ["2026-09-30", "2026-10-08", "2026-10-09", "2026-10-10"]
    assert leave.days == Decimal("4")


def test_leave_only_on_closed_days_is_refused(worker_b, leaders_b, ask):
    with pytest.raises(ValidationFailed) as refused:
        ask(worker_b, start=date(2026, 10, 3), end=date(2026, 10, 4), now=at(2026, 9, 1))
    assert "天数为 0" in refused.value.message
    assert not worker_b.leave_requests.exists()


def test_end_before_start_is_refused(worker_a, ask):
    with pytest.raises(ValidationFailed) as refused:
        ask(worker_a, start=date(2026, 12, 5), end=date(2026, 12, 3))
    assert "结束时间不能早于开始时间" in refused.value.message and "end_date" in refused.value.fields
    with pytest.raises(ValidationFailed):
        ask(worker_a, start=date(2026, 12, 5), start_half="pm", end=date(2026, 12, 5), end_half="am")
    assert not worker_a.leave_requests.exists()


def test_overlap_with_a_submitted_leave_names_the_dates(worker_a, manager_a, ask):
    first = ask(worker_a, start=date(2026, 12, 3))
    with pytest.raises(Conflict) as refused:
        ask(worker_a, start=date(2026, 12, 2), end=date(2026, 12, 4))
    assert "2026-12-03 上午 至 2026-12-03 下午" in refused.value.message and f"#{first.pk}" in refused.value.message
    # the afternoon before and the next day are free
    ask(worker_a, start=date(2026, 12, 2), end_half="am")
    ask(worker_a, start=date(2026, 12, 4))


def test_a_left_staff_cannot_submit(worker_a, ask):
    worker_a.status, worker_a.left_date = StaffStatus.LEFT, date(2026, 11, 30)
    worker_a.save()
    with pytest.raises(NotAllowed):
        ask(worker_a, start=date(2026, 12, 3))


# ------------------------------------------------------------------------------------------------ personal leave


@pytest.mark.clause("LEV-03", "C-04")
def test_personal_leave_capped_per_month_month_end_boundary(worker_a, manager_a, gm, ask):
    ask(worker_a, start=date(2026, 12, 28), end=date(2026, 12, 31))  # 4 days in December
    # 2 more in December reach the cap of 6; the January days do not count for December
    ask(worker_a, start=date(2026, 12, 25), end=date(2026, 12, 26))
    ask(worker_a, start=date(2027, 1, 1), end=date(2027, 1, 3))
    with pytest.raises(ValidationFailed) as refused:
        ask(worker_a, start=date(2026, 12, 24), end_half="am")
    assert refused.value.clause == "LEV-03" and "2026-12" in refused.value.message and "6" in refused.value.message


@pytest.mark.clause("C-04")
def test_personal_cap_scope_per_request(tree, worker_a, gm, ask):
    admin = factories.make_staff(tree["company"], "system_admin")
    with time_machine.travel(at(2026, 11, 20), tick=False):
        parameter_set(
            actor=admin.user,
            key="leave.personal_max_days",
            organization=tree["a"],
            value={"days": 3, "scope": "request"},
            effective_from=date(2026, 11, 20),
            reason="测试",
        )
    ask(worker_a, start=date(2026, 12, 7), end=date(2026, 12, 9))
    ask(worker_a, start=date(2026, 12, 14), end=date(2026, 12, 16))  # per request: the first does not count
    with pytest.raises(ValidationFailed, match="每次最多 3 天"):
        ask(worker_a, start=date(2026, 12, 21), end=date(2026, 12, 24))


@pytest.mark.clause("LEV-04")
def test_four_days_personal_leave_leave_two_rest_days(worker_a, gm, ask):
    leave = decide(ask(worker_a, start=date(2026, 12, 14), end=date(2026, 12, 17)), gm)
    assert leave.status == LeaveStatus.APPROVED
    assert selectors.rest_days_left(worker_a, 2026, 12).value == Decimal("2")
    assert selectors.rest_days_left(worker_a, 2026, 11).value == Decimal("6")


@pytest.mark.clause("LEV-04")
def test_gov_hall_does_not_offset_rest_days(worker_b, leaders_b, ask):
    decide(ask(worker_b, start=date(2026, 12, 2)), leaders_b[0])
    left = selectors.rest_days_left(worker_b, 2026, 12)
    assert (left.value, left.personal_days, left.offsets) == (Decimal("6"), Decimal("1"), False)


# ------------------------------------------------------------------------------------------------ sick leave


@pytest.mark.clause("LEV-05")
def test_sick_leave_over_three_days_only_as_special_case(worker_a, gm, ask):
    with pytest.raises(ValidationFailed) as refused:
        ask(worker_a, kind="sick", start=date(2026, 12, 3), end=date(2026, 12, 6))
    assert refused.value.clause == "LEV-05" and "special_case" in refused.value.fields
    with pytest.raises(ValidationFailed, match="原因"):
        ask(worker_a, kind="sick", start=date(2026, 12, 3), end=date(2026, 12, 6), special_case=True)
    leave = ask(
        worker_a, kind="sick", start=date(2026, 12, 3), end=date(2026, 12, 6), special_case=True, special_reason="住院"
    )
    steps, _flags, request = route_of(leave)
    assert steps == ["ops_center_gm"] and "LEV-05" in request.route_clause
    three = ask(worker_a, kind="sick", start=date(2026, 12, 14), end=date(2026, 12, 16))  # 3 days: a normal request
    assert route_of(three)[0] == ["ops_center_gm"] and not three.special_case


@pytest.mark.clause("LEV-05")
def test_special_case_sick_leave_goes_to_the_next_band(worker_b, leaders_b, ask):
    # gov hall: a 1-day sick leave normally goes to the leader in charge (band ≤1); with sick_max_days 3 the normal
    # band is the principal's and there is no higher one — the route stays with the principal leader
    leave = ask(
        worker_b,
        kind="sick",
        start=date(2026, 12, 7),
        end=date(2026, 12, 10),
        special_case=True,
        special_reason="手术",
        handover_note="小李代岗",
    )
    assert route_of(leave)[0] == ["principal_leader"]


@pytest.mark.clause("LEV-06")
def test_sick_leave_without_certificate_cannot_be_approved(worker_a, manager_a, ask):
    leave = ask(worker_a, kind="sick", start=date(2026, 12, 3))
    with pytest.raises(ValidationFailed) as refused:
        decide(leave, manager_a)
    assert refused.value.clause == "LEV-06" and "病历证明" in refused.value.message
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.SUBMITTED and pending_step(leave).status == "pending"
    services.certificate_attach(actor=worker_a.user, leave_id=leave.pk, content=png_bytes(), filename="a.png")
    assert decide(leave, manager_a).status == LeaveStatus.APPROVED


@pytest.mark.clause("LEV-06")
def test_certificate_checked_by_content(worker_a, manager_a, ask):
    leave = ask(worker_a, kind="sick", start=date(2026, 12, 3))
    for content, name in ((b"MZ\x90\x00 not an image", "evil.png"), (b"", "empty.pdf"), (b"GIF89a broken", "x.gif")):
        with pytest.raises(ValidationFailed):
            services.certificate_attach(actor=worker_a.user, leave_id=leave.pk, content=content, filename=name)
    too_big = PDF + b"0" * services.CERTIFICATE_MAX_BYTES
    with pytest.raises(ValidationFailed, match="文件过大"):
        services.certificate_attach(actor=worker_a.user, leave_id=leave.pk, content=too_big, filename="big.pdf")
    assert not leave.attachments.exists()
    pdf = services.certificate_attach(actor=worker_a.user, leave_id=leave.pk, content=PDF, filename="../诊断.exe")
    assert (pdf.content_type, pdf.original_name) == ("application/pdf", "诊断.exe")
    assert pdf.file.name.endswith(".pdf")


def test_a_colleague_cannot_attach_to_my_leave(tree, worker_a, manager_a, ask):
    leave = ask(worker_a, kind="sick", start=date(2026, 12, 3))
    colleague = factories.make_staff(tree["a"], "service_staff")
    with pytest.raises(ValidationFailed):
        services.certificate_attach(actor=colleague.user, leave_id=leave.pk, content=PDF, filename="x.pdf")


# ------------------------------------------------------------------------------------------------ annual leave


def set_table(manager, center, rows=((1, 5), (10, 10))):
    return services.entitlement_set(actor=manager.user, organization=center, rows=rows)


@pytest.mark.clause("LEV-07")
def test_annual_leave_needs_a_year_of_service(tree, manager_a, ask):
    set_table(manager_a, tree["a"])
    newcomer = factories.make_staff(tree["a"], "service_staff")
    newcomer.hire_date = date(2026, 2, 1)  # 10 months before the request
    newcomer.save()
    with pytest.raises(ValidationFailed) as refused:
        ask(newcomer, kind="annual", start=date(2027, 1, 11))
    assert refused.value.clause == "LEV-07" and "工龄满 1 年" in refused.value.message


@pytest.mark.clause("LEV-07")
def test_annual_leave_needs_thirty_days_notice(tree, worker_a, manager_a, ask):
    set_table(manager_a, tree["a"])
    with pytest.raises(ValidationFailed) as refused:
        ask(worker_a, kind="annual", start=date(2026, 12, 30))  # 29 days ahead
    assert refused.value.clause == "LEV-07" and "2026-12-31" in refused.value.message
    leave = ask(worker_a, kind="annual", start=date(2026, 12, 31))  # exactly 30 days ahead
    assert leave.status == LeaveStatus.SUBMITTED


@pytest.mark.clause("G-14")
def test_annual_leave_within_the_table_balance(tree, worker_a, manager_a, gm, ask):
    with pytest.raises(ValidationFailed, match="尚未录入年休假标准"):
        ask(worker_a, kind="annual", start=date(2027, 1, 11))
    set_table(manager_a, tree["a"])  # 6 years of service → 5 days
    balance = selectors.annual_balance(staff=worker_a, year=2027, today=date(2026, 12, 1))
    assert (balance.service_years, balance.entitlement, balance.left) == (6, Decimal("5"), Decimal("5"))
    ask(worker_a, kind="annual", start=date(2027, 1, 11), end=date(2027, 1, 13))
    with pytest.raises(ValidationFailed, match="剩余 2 天"):
        ask(worker_a, kind="annual", start=date(2027, 2, 1), end=date(2027, 2, 3))
    ask(worker_a, kind="annual", start=date(2027, 2, 1), end=date(2027, 2, 2))


@pytest.mark.clause("G-14")
def test_entitlement_table_replaced_not_deleted(tree, manager_a, clerk_a):
    set_table(manager_a, tree["a"])
    set_table(manager_a, tree["a"], rows=[(1, 5), (10, 10), (20, "15")])
    rows = selectors.entitlement_rows(center=tree["a"])
    assert [(r.min_service_years, r.days) for r in rows] == [(1, 5), (10, 10), (20, 15)]
    assert tree["a"].annual_leave_rows.filter(is_active=False).count() == 2
    with pytest.raises(NotAllowed):
        set_table(clerk_a, tree["a"])
    with pytest.raises(ValidationFailed):
        set_table(manager_a, tree["a"], rows=[(1, 5), (1, 6)])
    with pytest.raises(ValidationFailed):
        set_table(manager_a, tree["a"], rows=[(1, "0.3")])


# ------------------------------------------------------------------------------------------------ timed kinds


@pytest.mark.clause("ATT-06")
def test_leave_post_must_be_asked_before_it_starts(worker_a, manager_a):
    with pytest.raises(ValidationFailed) as refused:
        services.leave_submit(
            actor=worker_a.user,
            kind="leave_post",
            starts_at=at(2026, 12, 3, 10),
            ends_at=at(2026, 12, 3, 11),
            reason="取快递",
            now=at(2026, 12, 3, 10, 5),
        )
    assert refused.value.clause == "ATT-06"
    leave = services.leave_submit(
        actor=worker_a.user,
        kind="leave_post",
        starts_at=at(2026, 12, 3, 10),
        ends_at=at(2026, 12, 3, 11),
        reason="去银行",
        now=at(2026, 12, 3, 9, 50),
    )
    assert leave.days == Decimal("0.5") and route_of(leave)[0] == ["center_manager"]


@pytest.mark.clause("ATT-14", "C-23")
def test_event_leave_submitted_before_the_event(worker_a, manager_a, ask):
    with pytest.raises(ValidationFailed) as refused:
        ask(worker_a, kind="event", start=date(2026, 12, 1), event_title="安全培训", now=at(2026, 12, 1, 8))
    assert refused.value.clause == "ATT-14"
    leave = ask(worker_a, kind="event", start=date(2026, 12, 2), end_half="am", event_title="安全培训")
    assert leave.status == LeaveStatus.SUBMITTED and route_of(leave)[0] == ["center_manager"]


@pytest.mark.clause("LEV-14", "C-23")
def test_official_outing_records_details_and_is_not_deducted(tree, worker_b, leaders_b):
    def outing(**extra):
        return services.leave_submit(
            actor=worker_b.user,
            kind="official_outing",
            starts_at=at(2026, 12, 2, 9),
            ends_at=at(2026, 12, 2, 11),
            now=at(2026, 12, 1),
            **extra,
        )

    with pytest.raises(ValidationFailed) as refused:
        outing()
    assert set(refused.value.fields) == {"destination", "purpose", "expected_return_at"}
    leave = outing(destination="区行政审批局", purpose="送审材料", expected_return_at=at(2026, 12, 2, 11))
    assert route_of(leave)[0] == ["leader_in_charge"]
    decide(leave, leaders_b[0])
    (absence,) = selectors.approved_absences(organization=tree["b"], start=date(2026, 12, 2), end=date(2026, 12, 2))
    assert (absence.kind, absence.deducted, absence.kind_label) == ("official_outing", False, "因公外出")


# ------------------------------------------------------------------------------------------------ transitions


def test_withdraw_while_waiting(worker_a, manager_a, ask):
    leave = ask(worker_a, start=date(2026, 12, 3))
    leave = services.leave_withdraw(actor=worker_a.user, leave_id=leave.pk, now=at(2026, 12, 1, 9))
    assert leave.status == LeaveStatus.WITHDRAWN and leave.approval_request.status == "withdrawn"
    with pytest.raises(Conflict):
        services.leave_withdraw(actor=worker_a.user, leave_id=leave.pk)
    ask(worker_a, start=date(2026, 12, 3))  # the time is free again


def test_rejected_leave(worker_a, manager_a, ask):
    leave = decide(ask(worker_a, start=date(2026, 12, 3)), manager_a, decision="reject", comment="人手不足")
    assert leave.status == LeaveStatus.REJECTED


def test_cancel_before_start_only(worker_a, manager_a, ask):
    leave = decide(ask(worker_a, start=date(2026, 12, 3)), manager_a)
    with pytest.raises(ValidationFailed, match="销假"):
        services.leave_cancel(actor=worker_a.user, leave_id=leave.pk, now=at(2026, 12, 3, 9))
    leave = services.leave_cancel(actor=worker_a.user, leave_id=leave.pk, note="事情已办完", now=at(2026, 12, 2))
    assert leave.status == LeaveStatus.CANCELLED
    assert selectors.approved_absences(staff_ids=[worker_a.pk], start=date(2026, 12, 1), end=date(2026, 12, 31)) == []


@pytest.mark.clause("LEV-12")
def test_close_early_recomputes_the_days(worker_a, manager_a, gm, ask):
    leave = decide(ask(worker_a, start=date(2026, 12, 14), end=date(2026, 12, 17)), gm)
    with pytest.raises(ValidationFailed, match="尚未开始"):
        services.leave_close(
            actor=manager_a.user, leave_id=leave.pk, actual_return_at=at(2026, 12, 13), now=at(2026, 12, 13)
        )
    leave = services.leave_close(
        actor=manager_a.user,
        leave_id=leave.pk,
        actual_return_at=at(2026, 12, 16, 8, 30),
        note="提前返岗",
        now=at(2026, 12, 16, 9),
    )
    assert (leave.status, leave.actual_days, leave.days) == (LeaveStatus.CLOSED, Decimal("2"), Decimal("4"))
    assert leave.closed_by == manager_a.user
    assert selectors.rest_days_left(worker_a, 2026, 12).value == Decimal("4")
    event = AuditEvent.objects.for_target(leave).get(verb="leave.closed")
    assert event.changes["actual_days"] == ["4", "2"] and "LEV-12" in event.clause
    with pytest.raises(Conflict):
        services.leave_close(
            actor=manager_a.user, leave_id=leave.pk, actual_return_at=at(2026, 12, 16), now=at(2026, 12, 16, 9)
        )


def test_a_colleague_cannot_close_or_cancel(tree, worker_a, manager_a, ask):
    leave = decide(ask(worker_a, start=date(2026, 12, 3)), manager_a)
    colleague = factories.make_staff(tree["a"], "service_staff")
    with pytest.raises(NotAllowed):
        services.leave_cancel(actor=colleague.user, leave_id=leave.pk, now=at(2026, 12, 2))
    with pytest.raises(NotAllowed):
        services.leave_close(
            actor=colleague.user, leave_id=leave.pk, actual_return_at=at(2026, 12, 3, 14), now=at(2026, 12, 3, 15)
        )


def test_absurd_dates_are_input_errors(worker_a, manager_a, ask):
    with pytest.raises(ValidationFailed, match="有效的日期"):
        ask(worker_a, start=date(9999, 12, 31))
    with pytest.raises(ValidationFailed, match="31 天"):
        services.leave_submit(
            actor=worker_a.user,
            kind="leave_post",
            starts_at=at(2026, 12, 3, 10),
            ends_at=at(2027, 3, 3, 10),
            reason="x",
            now=at(2026, 12, 1),
        )
    assert not worker_a.leave_requests.exists()
