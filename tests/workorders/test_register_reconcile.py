"""Daily reconciliation of the register against the vouchers (SVC-11)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from servicecenter.workorders import policies, services
from servicecenter.workorders.models import WorkOrder

from .conftest import MORNING
from .field_support import dispatched, returned

pytestmark = pytest.mark.django_db


@pytest.mark.clause("SVC-11")
def test_reconcile_rule_names_each_mismatch_with_its_reason():
    entries = [
        policies.RegisterEntryFacts(order_id=1, number="N1", has_voucher=True, countersigned=True),
        policies.RegisterEntryFacts(order_id=2, number="N2", has_voucher=False, countersigned=False),
        policies.RegisterEntryFacts(order_id=3, number="N3", has_voucher=True, countersigned=False),
    ]
    vouchers = [
        policies.VoucherFacts(attachment_id=10, order_id=1, number="N1", order_status="closed", returned_on_day=True),
        policies.VoucherFacts(
            attachment_id=11, order_id=4, number="N4", order_status="cancelled", returned_on_day=False
        ),
        policies.VoucherFacts(
            attachment_id=12, order_id=5, number="N5", order_status="in_progress", returned_on_day=False
        ),
        policies.VoucherFacts(
            attachment_id=13, order_id=6, number="N6", order_status="returned", returned_on_day=False
        ),
    ]
    result = policies.reconcile_register(entries=entries, vouchers=vouchers)
    reasons = {(m.side, m.number): m.reason for m in result}
    assert set(reasons) == {("entry", "N2"), ("entry", "N3"), ("voucher", "N4"), ("voucher", "N5"), ("voucher", "N6")}
    assert "没有客户签字" in reasons[("entry", "N2")]
    assert "核签" in reasons[("entry", "N3")]
    assert "已取消" in reasons[("voucher", "N4")]
    assert "尚未回单" in reasons[("voucher", "N5")]
    assert "不是当日" in reasons[("voucher", "N6")]
    assert all(m.reason.startswith("依据 SVC-11") for m in result)


@pytest.mark.smoke
@pytest.mark.clause("SVC-11")
def test_reconcile_page_lists_the_days_mismatches(client, tree, clerk_a, worker_a, manager_a):
    signed_off = returned(clerk_a, tree["a"], worker_a, customer_name="已核签客户", phone="139 2222 0001")
    services.order_countersign(actor=manager_a.user, order_id=signed_off.pk)
    waiting = returned(clerk_a, tree["a"], worker_a, customer_name="待核签客户", phone="139 2222 0002")
    moved = returned(clerk_a, tree["a"], worker_a, customer_name="改日回单客户", phone="139 2222 0003", signature=False)
    services.order_countersign(actor=manager_a.user, order_id=moved.pk)
    # the register says this one was returned the day before (its voucher photo is of today)
    WorkOrder.objects.filter(pk=moved.pk).update(returned_at=MORNING - timedelta(days=1))
    dispatched(clerk_a, tree["a"], worker_a, customer_name="未完工客户", phone="139 2222 0004")

    client.force_login(manager_a.user)
    response = client.get(reverse("workorders:reconcile"), {"center": tree["a"].pk, "date": MORNING.date().isoformat()})
    assert response.status_code == 200
    result = response.context["result"]
    assert [o.pk for o in result.entries] == [signed_off.pk, waiting.pk]
    by_side = {(m.side, m.order_id) for m in result.mismatches}
    assert by_side == {("entry", waiting.pk), ("voucher", moved.pk)}
    body = response.content.decode()
    assert waiting.number in body and moved.number in body and "2 处不符" in body

    # the day before: the moved entry has no voucher of that day — listed on neither side (its voucher is today's)
    before = client.get(
        reverse("workorders:reconcile"),
        {"center": tree["a"].pk, "date": (MORNING.date() - timedelta(days=1)).isoformat()},
    )
    assert [o.pk for o in before.context["result"].entries] == [moved.pk]


def test_reconcile_bad_date_and_foreign_center(client, tree, manager_a, manager_b):
    client.force_login(manager_a.user)
    assert client.get(reverse("workorders:reconcile"), {"date": "yesterday"}).status_code == 400
    assert client.get(reverse("workorders:reconcile"), {"center": tree["b"].pk}).status_code == 404
    client.force_login(manager_b.user)
    assert client.get(reverse("workorders:reconcile"), {"center": tree["a"].pk}).status_code == 404
