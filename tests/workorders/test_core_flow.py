"""The work-order lifecycle through the services (WO-02): intake → dispatch → accept → complete → sign-off."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from servicecenter.core.errors import Conflict, NotAllowed, ValidationFailed
from servicecenter.policy.services import parameter_set
from servicecenter.workorders import services
from servicecenter.workorders.models import WorkOrderEvent

from .conftest import MORNING, png_bytes

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
@pytest.mark.clause("WO-03", "SVC-05", "SVC-09")
def test_order_goes_from_intake_to_archived_voucher(make_order, clerk_a, worker_a, manager_a):
    # given: a repair order taken at 09:00 on a working day of a D01 station (30 min / 240 min, business clock)
    order = make_order()
    assert order.status == "new"
    assert order.response_due_at == MORNING + timedelta(minutes=30)
    assert order.resolve_due_at == MORNING + timedelta(minutes=240)
    assert "WO-03" in order.sla_citation

    # when: dispatched, accepted, on site, completed with the customer's signature
    services.order_dispatch(
        actor=clerk_a.user, order_id=order.pk, assignee_id=worker_a.pk, now=MORNING + timedelta(minutes=5)
    )
    services.order_accept(actor=worker_a.user, order_id=order.pk, now=MORNING + timedelta(minutes=10))
    services.order_arrive(actor=worker_a.user, order_id=order.pk, now=MORNING + timedelta(minutes=50))
    done = services.order_complete(
        actor=worker_a.user,
        order_id=order.pk,
        work_content="更换光猫电源适配器，恢复上网",
        service_started_at=MORNING + timedelta(minutes=50),
        service_ended_at=MORNING + timedelta(minutes=80),
        materials=[{"name": "电源适配器", "quantity": "1", "unit": "个", "unit_price": "0"}],
        signature_png=png_bytes(),
        signer_name="王先生",
        now=MORNING + timedelta(minutes=85),
    )
    services.order_countersign(actor=manager_a.user, order_id=order.pk, now=MORNING + timedelta(hours=3))
    archived = services.order_archive(actor=manager_a.user, order_id=order.pk, now=MORNING + timedelta(hours=3))

    # then: returned within the SLA, archived read-only, every step on the timeline (WO-06)
    assert done.status == "returned" and done.responded_at == MORNING + timedelta(minutes=10)
    assert archived.archived_at is not None
    verbs = list(WorkOrderEvent.objects.filter(order=order).values_list("verb", flat=True))
    assert verbs == [
        "created",
        "dispatched",
        "accepted",
        "arrived",
        "completed",
        "payment",
        "countersigned",
        "archived",
    ]
    with pytest.raises(Conflict, match="已归档"):
        services.order_add_expense(
            actor=clerk_a.user, order_id=order.pk, kind="travel", amount="10", incurred_on=MORNING.date()
        )


@pytest.mark.clause("WO-03")
def test_sla_is_counted_on_the_business_calendar(make_order):
    # given: a call at 19:50, ten minutes before the D01 station closes (20:00)
    late = MORNING.replace(hour=19, minute=50)
    order = make_order(now=late)
    # then: the response clock resumes at 08:30 next morning: 10 + 20 minutes
    assert order.response_due_at == (late + timedelta(days=1)).replace(hour=8, minute=50)


@pytest.mark.clause("WO-08")
def test_intake_without_all_read_back_ticks_saves_nothing(tree, clerk_a):
    from servicecenter.workorders.models import WorkOrder

    with pytest.raises(ValidationFailed) as exc:
        services.order_create(
            actor=clerk_a.user,
            organization=tree["a"],
            kind="repair",
            service_type="C",
            customer_name="王先生",
            phone="13800138000",
            address="古城路 12 号",
            problem="断网",
            read_back=["problem", "name"],
            now=MORNING,
        )
    assert "地址" in exc.value.message and "电话" in exc.value.message
    assert set(exc.value.fields) == {"read_back_address", "read_back_phone"}
    assert not WorkOrder.objects.exists()


@pytest.mark.parametrize(
    ("field", "bad"),
    [("customer_name", "名" * 10_000), ("phone", "138abc"), ("address", "    "), ("kind", "nonsense")],
)
def test_bad_intake_input_is_refused_with_a_field_message(make_order, field, bad):
    with pytest.raises(ValidationFailed) as exc:
        make_order(**{field: bad})
    assert exc.value.fields


def test_second_dispatcher_is_told_who_won(make_order, clerk_a, manager_a, worker_a, worker_a2):
    order = make_order()
    services.order_dispatch(actor=clerk_a.user, order_id=order.pk, assignee_id=worker_a.pk, now=MORNING)
    with pytest.raises(Conflict, match=f"该工单已被 甲内勤 派给 {worker_a.name}"):
        services.order_dispatch(actor=manager_a.user, order_id=order.pk, assignee_id=worker_a2.pk, now=MORNING)


def test_reassign_keeps_the_clock_and_needs_a_reason(make_order, clerk_a, worker_a, worker_a2):
    order = make_order()
    services.order_dispatch(actor=clerk_a.user, order_id=order.pk, assignee_id=worker_a.pk, now=MORNING)
    with pytest.raises(ValidationFailed):
        services.order_reassign(actor=clerk_a.user, order_id=order.pk, assignee_id=worker_a2.pk, reason=" ")
    moved = services.order_reassign(
        actor=clerk_a.user, order_id=order.pk, assignee_id=worker_a2.pk, reason="甲维修工请假", now=MORNING
    )
    assert moved.assignee == worker_a2 and moved.response_due_at == order.response_due_at


def test_only_the_assignee_may_accept(make_order, clerk_a, worker_a, worker_a2):
    order = make_order()
    services.order_dispatch(actor=clerk_a.user, order_id=order.pk, assignee_id=worker_a.pk, now=MORNING)
    with pytest.raises(NotAllowed):
        services.order_accept(actor=worker_a2.user, order_id=order.pk)


def test_worker_of_another_center_cannot_be_dispatched(make_order, clerk_a, worker_b):
    order = make_order()
    with pytest.raises(ValidationFailed):
        services.order_dispatch(actor=clerk_a.user, order_id=order.pk, assignee_id=worker_b.pk)


@pytest.mark.clause("SVC-07", "SVC-08", "G-13")
def test_paid_service_goes_to_invoice_until_the_low_fee_threshold_is_set(
    make_order, clerk_a, worker_a, manager_a, tree
):
    def complete(order, fee):
        services.order_dispatch(actor=clerk_a.user, order_id=order.pk, assignee_id=worker_a.pk, now=MORNING)
        services.order_accept(actor=worker_a.user, order_id=order.pk, now=MORNING)
        return services.order_complete(
            actor=worker_a.user,
            order_id=order.pk,
            work_content="上门调试",
            service_started_at=MORNING,
            service_ended_at=MORNING + timedelta(minutes=30),
            labour_fee=fee,
            signature_png=png_bytes(),
            signer_name="王先生",
            now=MORNING + timedelta(minutes=40),
        )

    first = complete(make_order(service_type="A"), "50")
    assert first.payment_path == "invoice" and "G-13" in first.payment_citation
    parameter_set(
        actor=manager_a.user,
        organization=tree["a"],
        key="service.low_fee_threshold",
        value=Decimal("100"),
        effective_from=MORNING.date(),
        reason="中心规定 100 元以下当场收费",
    )
    second = complete(make_order(service_type="A"), "50")
    assert second.payment_path == "on_site" and "SVC-07" in second.payment_citation


@pytest.mark.clause("SVC-05")
def test_completion_needs_a_signature_or_a_voucher_photo(make_order, clerk_a, worker_a):
    order = make_order()
    services.order_dispatch(actor=clerk_a.user, order_id=order.pk, assignee_id=worker_a.pk, now=MORNING)
    services.order_accept(actor=worker_a.user, order_id=order.pk, now=MORNING)
    with pytest.raises(ValidationFailed, match="SVC-05"):
        services.order_complete(
            actor=worker_a.user,
            order_id=order.pk,
            work_content="修好了",
            service_started_at=MORNING,
            service_ended_at=MORNING + timedelta(minutes=30),
            now=MORNING + timedelta(minutes=40),
        )
    with pytest.raises(ValidationFailed, match="图片"):
        services.order_complete(
            actor=worker_a.user,
            order_id=order.pk,
            work_content="修好了",
            service_started_at=MORNING,
            service_ended_at=MORNING + timedelta(minutes=30),
            voucher_photo=b"%PDF-1.4 not an image",
            now=MORNING + timedelta(minutes=40),
        )
    order.refresh_from_db()
    assert order.status == "accepted" and not order.attachments.exists()


@pytest.mark.clause("WO-03")
def test_sla_sweep_warns_then_breaches_once(make_order, clerk_a):
    order = make_order()
    assert services.sla_sweep(now=MORNING + timedelta(minutes=23)).response_warnings == 0
    assert services.sla_sweep(now=MORNING + timedelta(minutes=24)).response_warnings == 1
    assert services.sla_sweep(now=MORNING + timedelta(minutes=25)).response_warnings == 0
    result = services.sla_sweep(now=MORNING + timedelta(minutes=30))
    assert result.response_breaches == 1
    assert services.sla_sweep(now=MORNING + timedelta(minutes=31)).response_breaches == 0
    breach = WorkOrderEvent.objects.get(order=order, verb="sla_breach")
    assert breach.clause == "WO-03" and "30" in breach.note


@pytest.mark.clause("WO-11")
def test_special_group_member_gets_top_priority(tree, clerk_a, make_order):
    from servicecenter.customers.models import Customer, SpecialGroup

    Customer.objects.create(
        organization=tree["a"],
        name="李奶奶",
        phone="13900001111",
        special_group=SpecialGroup.objects.get(code="elderly"),
    )
    order = make_order(customer_name="李奶奶", phone="139-0000-1111")
    assert order.priority == "urgent" and "WO-11" in order.priority_reason


@pytest.mark.clause("SVC-12")
def test_undispatched_orders_roll_over_to_next_day_priority(make_order):
    order = make_order()
    assert services.rollover_undispatched(now=MORNING + timedelta(hours=10)) == 0
    assert services.rollover_undispatched(now=MORNING + timedelta(days=1)) == 1
    assert services.rollover_undispatched(now=MORNING + timedelta(days=1, minutes=5)) == 0
    order.refresh_from_db()
    assert order.priority == "high" and "SVC-12" in order.priority_reason


@pytest.mark.clause("SVC-13")
def test_offsite_order_waits_for_approval(make_order, clerk_a, worker_a, manager_a):
    from servicecenter.approvals.models import ApprovalStep
    from servicecenter.approvals.services import step_decide

    order = make_order(is_offsite=True, offsite_destination="邻县分店")
    with pytest.raises(Conflict, match="SVC-13"):
        services.order_dispatch(actor=clerk_a.user, order_id=order.pk, assignee_id=worker_a.pk)
    services.order_request_offsite(actor=clerk_a.user, order_id=order.pk, reason="客户在邻县，需出差")
    step = ApprovalStep.objects.get(request__subject_id=str(order.pk), status="pending")
    step_decide(actor=manager_a.user, step_id=step.pk, decision="approve", comment="同意")
    dispatched = services.order_dispatch(actor=clerk_a.user, order_id=order.pk, assignee_id=worker_a.pk)
    assert dispatched.offsite_status == "approved"


@pytest.mark.clause("C-09")
def test_sla_matrix_row_for_kind_and_priority_wins(make_order, manager_a, tree):
    parameter_set(
        actor=manager_a.user,
        organization=tree["a"],
        key="workorders.sla_matrix",
        value=[{"kind": "repair", "priority": "urgent", "response_minutes": 15, "resolve_minutes": 120}],
        effective_from=MORNING.date(),
        reason="紧急报修 15 分钟响应",
    )
    urgent = make_order(priority="urgent")
    normal = make_order()
    assert urgent.response_due_at == MORNING + timedelta(minutes=15) and "15" in urgent.sla_citation
    assert normal.response_due_at == MORNING + timedelta(minutes=30)


@pytest.mark.clause("C-19")
@pytest.mark.parametrize(("policy", "moved"), [("none", 0), ("pause", 60)])
def test_pause_moves_the_resolution_deadline_only_where_the_policy_says(
    make_order, clerk_a, worker_a, manager_a, tree, policy, moved
):
    if policy != "none":  # "none" is the default for work orders (C-19)
        parameter_set(
            actor=manager_a.user,
            organization=tree["a"],
            key="workorders.on_missing_info",
            value=policy,
            effective_from=MORNING.date(),
            reason="测试",
        )
    order = make_order()
    services.order_dispatch(actor=clerk_a.user, order_id=order.pk, assignee_id=worker_a.pk, now=MORNING)
    services.order_accept(actor=worker_a.user, order_id=order.pk, now=MORNING)
    services.order_pause(actor=worker_a.user, order_id=order.pk, reason="waiting_parts", now=MORNING)
    resumed = services.order_resume(actor=worker_a.user, order_id=order.pk, now=MORNING + timedelta(hours=1))
    assert resumed.resolve_due_at == order.resolve_due_at + timedelta(minutes=moved)
    assert WorkOrderEvent.objects.get(order=order, verb="resumed").clause == "C-19"


@pytest.mark.clause("SVC-02")
def test_center_register_fields_are_required_where_used(make_order, manager_a, tree):
    parameter_set(
        actor=manager_a.user,
        organization=tree["a"],
        key="service.register_fields",
        value=["product_model", "purchase_date"],
        effective_from=MORNING.date(),
        reason="登记簿要求型号和购买日期",
    )
    with pytest.raises(ValidationFailed) as exc:
        make_order(product_model="HG8145")
    assert set(exc.value.fields) == {"purchase_date"}
    assert make_order(product_model="HG8145", purchase_date=MORNING.date()).product_model == "HG8145"


@pytest.mark.clause("SVC-06")
def test_voucher_is_archived_only_after_countersign(make_order, manager_a):
    order = make_order()
    with pytest.raises(Conflict, match="SVC-10"):
        services.order_archive(actor=manager_a.user, order_id=order.pk)


@pytest.mark.clause("SVC-14")
def test_travel_costs_attach_to_the_order(make_order, clerk_a):
    order = make_order()
    line = services.order_add_expense(
        actor=clerk_a.user, order_id=order.pk, kind="travel", amount="86.50", incurred_on=MORNING.date(), note="高铁"
    )
    assert line.order == order and str(line.amount) == "86.50"
    with pytest.raises(ValidationFailed):
        services.order_add_expense(actor=clerk_a.user, order_id=order.pk, kind="travel", amount="-1", incurred_on="")


@pytest.mark.clause("WO-15")
def test_open_facility_issue_is_reescalated_at_the_interval(make_order, manager_a, tree):
    order = make_order(is_facility_issue=True)
    assert services.reescalate_facility_issues(now=MORNING + timedelta(hours=5)) == 0  # no interval set: no rule
    parameter_set(
        actor=manager_a.user,
        organization=tree["a"],
        key="workorders.issue_reescalation_interval_minutes",
        value=120,
        effective_from=MORNING.date(),
        reason="两小时未解决再次上报",
    )
    assert services.reescalate_facility_issues(now=MORNING + timedelta(minutes=119)) == 0
    assert services.reescalate_facility_issues(now=MORNING + timedelta(minutes=121)) == 1
    assert services.reescalate_facility_issues(now=MORNING + timedelta(minutes=130)) == 0
    assert services.reescalate_facility_issues(now=MORNING + timedelta(minutes=241)) == 1
    order.refresh_from_db()
    assert order.reescalation_count == 2
