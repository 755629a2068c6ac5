"""The order page (/workorders/<pk>/): deadlines and why, timeline (WO-06), expenses (SVC-14), off-site (SVC-13),
notes, photos through the scoped attachment view, and only the actions the user may take."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from servicecenter.workorders import services
from servicecenter.workorders.models import ExpenseLine, WorkOrder

from .conftest import MORNING, png_bytes

pytestmark = pytest.mark.django_db


def _page(client, user, order):
    client.force_login(user)
    return client.get(reverse("workorders:order_detail", args=[order.pk]))


@pytest.mark.smoke
@pytest.mark.clause("WO-03", "C-19", "WO-06")
def test_page_shows_deadlines_with_their_reasons_and_the_timeline(make_order, clerk_a, worker_a, client):
    # given: an order dispatched, accepted, paused and resumed (the pause is on the timeline)
    order = make_order()
    services.order_dispatch(actor=clerk_a.user, order_id=order.pk, assignee_id=worker_a.pk, now=MORNING)
    services.order_accept(actor=worker_a.user, order_id=order.pk, now=MORNING + timedelta(minutes=5))
    services.order_pause(
        actor=worker_a.user, order_id=order.pk, reason="waiting_parts", now=MORNING + timedelta(minutes=10)
    )
    services.order_resume(actor=worker_a.user, order_id=order.pk, now=MORNING + timedelta(minutes=40))
    # when
    response = _page(client, clerk_a.user, order)
    body = response.content.decode()
    # then: the deadlines with the stored citation, the pause moves, every event with actor and clause
    assert response.status_code == 200
    assert order.sla_citation in body and 'id="sla-why"' in body
    assert 'id="pause-moves"' in body and "C-19" in body
    for label in ("受理", "派单", "接单", "暂停", "恢复处理"):
        assert label in body
    assert "甲内勤" in body and worker_a.name in body
    # a dispatcher sees the dispatcher's actions
    assert reverse("workorders:order_reassign", args=[order.pk]) in body
    assert reverse("workorders:order_dispatch", args=[order.pk]) not in body


@pytest.mark.clause("WO-11")
def test_priority_reason_is_shown(make_order, clerk_a, client):
    order = make_order(priority="urgent")
    WorkOrder.objects.filter(pk=order.pk).update(priority_reason="特殊群体（双无老人）优先：依据 WO-11")
    body = _page(client, clerk_a.user, order).content.decode()
    assert "依据 WO-11" in body and 'id="priority-why"' in body


def test_serviceman_sees_no_dispatcher_actions_but_a_link_to_the_field_page(make_order, clerk_a, worker_a, client):
    order = make_order()
    services.order_dispatch(actor=clerk_a.user, order_id=order.pk, assignee_id=worker_a.pk, now=MORNING)
    body = _page(client, worker_a.user, order).content.decode()
    assert reverse("workorders:order_reassign", args=[order.pk]) not in body
    assert reverse("workorders:order_cancel", args=[order.pk]) not in body
    assert "去处理" in body


@pytest.mark.clause("SVC-14")
def test_expense_is_added_and_bad_amount_is_a_400(make_order, clerk_a, client):
    order = make_order()
    client.force_login(clerk_a.user)
    url = reverse("workorders:order_add_expense", args=[order.pk])
    bad = client.post(url, {"kind": "travel", "amount": "abc", "incurred_on": "2026-12-01"})
    assert bad.status_code == 400 and not ExpenseLine.objects.exists()
    ok = client.post(url, {"kind": "travel", "amount": "35.50", "incurred_on": "2026-12-01", "note": "往返车费"})
    assert ok.status_code == 302
    body = _page(client, clerk_a.user, order).content.decode()
    assert "35.50" in body and "往返车费" in body and "登记费用" in body


def test_note_goes_on_the_timeline(make_order, clerk_a, client):
    order = make_order()
    client.force_login(clerk_a.user)
    assert client.post(reverse("workorders:order_add_note", args=[order.pk]), {"note": " "}).status_code == 400
    client.post(reverse("workorders:order_add_note", args=[order.pk]), {"note": "客户要求下午上门"})
    assert "客户要求下午上门" in _page(client, clerk_a.user, order).content.decode()


@pytest.mark.clause("SVC-13")
def test_offsite_request_goes_to_the_manager_and_blocks_dispatch(make_order, clerk_a, manager_a, worker_a, client):
    order = make_order(is_offsite=True, offsite_destination="邻县营业厅")
    body = _page(client, clerk_a.user, order).content.decode()
    assert "尚未申请" in body and reverse("workorders:order_request_offsite", args=[order.pk]) in body
    # dispatch before approval: refused with the clause
    refused = client.post(reverse("workorders:order_dispatch", args=[order.pk]), {"assignee": worker_a.pk})
    assert refused.status_code == 409 and "SVC-13" in refused.content.decode()
    # the request
    response = client.post(reverse("workorders:order_request_offsite", args=[order.pk]), {"reason": "客户在邻县"})
    assert response.status_code == 302, response.content.decode()[-3000:]
    order.refresh_from_db()
    assert order.offsite_status == "pending" and order.offsite_request_id
    body = _page(client, clerk_a.user, order).content.decode()
    assert "异地服务待批" in body and reverse("approvals:request_detail", args=[order.offsite_request_id]) in body


def test_photos_are_linked_through_the_scoped_attachment_view(make_order, clerk_a, client):
    order = make_order()
    attachment = services.order_add_photo(actor=clerk_a.user, order_id=order.pk, data=png_bytes())
    body = _page(client, clerk_a.user, order).content.decode()
    assert reverse("workorders:attachment", args=[attachment.pk]) in body
    assert "/media/" not in body


def test_close_a_returned_order(make_order, clerk_a, worker_a, client):
    order = make_order()
    services.order_dispatch(actor=clerk_a.user, order_id=order.pk, assignee_id=worker_a.pk, now=MORNING)
    services.order_accept(actor=worker_a.user, order_id=order.pk, now=MORNING)
    services.order_complete(
        actor=worker_a.user,
        order_id=order.pk,
        work_content="更换光猫",
        service_started_at=MORNING,
        service_ended_at=MORNING + timedelta(minutes=30),
        signature_png=png_bytes(),
        signer_name="王先生",
        now=MORNING + timedelta(minutes=31),
    )
    body = _page(client, clerk_a.user, order).content.decode()
    assert reverse("workorders:order_close", args=[order.pk]) in body
    assert client.post(reverse("workorders:order_close", args=[order.pk]), {"note": "回访满意"}).status_code == 302
    assert WorkOrder.objects.get(pk=order.pk).status == "closed"


def test_other_center_gets_404(make_order, manager_b, client):
    order = make_order()
    assert _page(client, manager_b.user, order).status_code == 404


def test_page_query_count_is_bounded(make_order, clerk_a, client, django_assert_max_num_queries):
    order = make_order()
    for i in range(10):
        services.order_add_note(actor=clerk_a.user, order_id=order.pk, note=f"备注{i}")
    client.force_login(clerk_a.user)
    with django_assert_max_num_queries(35):
        assert client.get(reverse("workorders:order_detail", args=[order.pk])).status_code == 200
