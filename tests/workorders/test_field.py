"""Field staff on the phone (issue 3 item 4): my orders, the next-action button, completion with a signature."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from servicecenter.workorders import services
from servicecenter.workorders.models import OrderAttachment, WorkOrder

from .conftest import MORNING, png_bytes
from .field_support import data_url, dispatched

pytestmark = pytest.mark.django_db


def _action(client, order, action, **data):
    return client.post(reverse("workorders:field_action", args=[order.pk, action]), data)


@pytest.mark.smoke
@pytest.mark.clause("WO-03", "WO-09", "SVC-05", "SVC-09")
def test_worker_walks_an_order_from_accept_to_complete_on_the_phone(client, tree, clerk_a, worker_a):
    # given: an order dispatched to the worker
    order = dispatched(clerk_a, tree["a"], worker_a)
    client.force_login(worker_a.user)

    # when: he opens his list and the order, then taps accept → contacted → arrived
    page = client.get(reverse("workorders:field_list"))
    assert page.status_code == 200 and order.customer_name in page.content.decode()
    screen = client.get(reverse("workorders:field_order", args=[order.pk])).content.decode()
    assert 'id="btn-accept"' in screen and f'href="tel:{order.phone_digits}"' in screen
    assert _action(client, order, "accept").status_code == 302
    screen = client.get(reverse("workorders:field_order", args=[order.pk])).content.decode()
    assert 'id="btn-contact"' in screen
    assert _action(client, order, "contact").status_code == 302
    assert 'id="btn-arrive"' in client.get(reverse("workorders:field_order", args=[order.pk])).content.decode()
    assert _action(client, order, "arrive").status_code == 302

    # and completes with a finger-drawn signature (a PNG data URL) and a material line
    form = client.get(reverse("workorders:field_complete", args=[order.pk]))
    assert form.status_code == 200 and "signature-pad" in form.content.decode()
    now = timezone.localtime()
    response = client.post(
        reverse("workorders:field_complete", args=[order.pk]),
        {
            "work_content": "更换光猫电源适配器",
            "service_started_at": (now - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"),
            "service_ended_at": now.strftime("%Y-%m-%dT%H:%M"),
            "mat_name": ["电源适配器", ""],
            "mat_qty": ["1", ""],
            "mat_unit": ["个", ""],
            "mat_price": ["0", ""],
            "signature": data_url(png_bytes()),
            "signer_name": "王先生",
        },
    )

    # then: the order is returned with its signature, materials, contact and response times
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == "returned"
    assert order.responded_at is not None and order.first_contact_at is not None
    assert order.materials.count() == 1
    assert OrderAttachment.objects.filter(order=order, kind="signature").count() == 1
    listing = client.get(reverse("workorders:field_list")).content.decode()
    assert "今天已完成" in listing


def test_my_orders_lists_open_orders_by_deadline_and_only_mine(client, tree, clerk_a, worker_a, worker_a2):
    late = dispatched(clerk_a, tree["a"], worker_a, customer_name="晚到客户", now=MORNING + timedelta(minutes=30))
    early = dispatched(clerk_a, tree["a"], worker_a, customer_name="早到客户", phone="139 0000 1111")
    other = dispatched(clerk_a, tree["a"], worker_a2, customer_name="别人的客户", phone="137 0000 2222")
    client.force_login(worker_a.user)
    body = client.get(reverse("workorders:field_list")).content.decode()
    assert body.index(early.customer_name) < body.index(late.customer_name)
    assert other.customer_name not in body
    # someone else's order is not on my phone screen
    assert client.get(reverse("workorders:field_order", args=[other.pk])).status_code == 404


def test_double_tap_accept_is_a_gentle_note_not_an_error(client, tree, clerk_a, worker_a):
    order = dispatched(clerk_a, tree["a"], worker_a)
    client.force_login(worker_a.user)
    assert _action(client, order, "accept").status_code == 302
    second = _action(client, order, "accept")
    assert second.status_code == 302
    page = client.get(second["Location"]).content.decode()
    assert "已接单" in page and "已是最新状态" in page
    assert order.events.filter(verb="accepted").count() == 1


@pytest.mark.clause("WO-09")
def test_contact_time_may_be_earlier_but_not_in_the_future(client, tree, clerk_a, worker_a):
    order = dispatched(clerk_a, tree["a"], worker_a)
    client.force_login(worker_a.user)
    future = (timezone.localtime() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = _action(client, order, "contact", at=future)
    assert response.status_code == 400
    assert "联系时间应在受理之后、当前时间之前" in response.content.decode()
    order.refresh_from_db()
    assert order.first_contact_at is None
    # the minute the order was taken (the form has minute precision) counts as «at creation»
    earlier = timezone.localtime(order.created_at).strftime("%Y-%m-%dT%H:%M")
    assert _action(client, order, "contact", at=earlier).status_code == 302
    order.refresh_from_db()
    assert order.first_contact_at == order.created_at and order.responded_at == order.first_contact_at
    too_early = (timezone.localtime(order.created_at) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    assert _action(client, order, "contact", at=too_early).status_code == 400


@pytest.mark.clause("C-19")
def test_pause_with_a_reason_and_resume(client, tree, clerk_a, worker_a):
    order = dispatched(clerk_a, tree["a"], worker_a)
    client.force_login(worker_a.user)
    _action(client, order, "accept")
    assert _action(client, order, "pause", reason="waiting_parts", note="等配件").status_code == 302
    order.refresh_from_db()
    assert order.status == "paused" and order.pause_reason == "waiting_parts"
    assert 'id="btn-resume"' in client.get(reverse("workorders:field_order", args=[order.pk])).content.decode()
    bad = _action(client, order, "pause", reason="nonsense")
    assert bad.status_code in (302, 400)
    assert _action(client, order, "resume").status_code == 302
    order.refresh_from_db()
    assert order.status == "accepted"
    assert client.post(reverse("workorders:field_action", args=[order.pk, "explode"])).status_code == 404


def _arrived(client, tree, clerk_a, worker_a, **overrides):
    order = dispatched(clerk_a, tree["a"], worker_a, **overrides)
    services.order_accept(actor=worker_a.user, order_id=order.pk)
    services.order_arrive(actor=worker_a.user, order_id=order.pk)
    client.force_login(worker_a.user)
    return order


def _complete_data(**extra):
    now = timezone.localtime()
    data = {
        "work_content": "疏通下水管",
        "service_started_at": (now - timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M"),
        "service_ended_at": now.strftime("%Y-%m-%dT%H:%M"),
        "signer_name": "王先生",
    }
    data.update(extra)
    return data


@pytest.mark.clause("SVC-05")
def test_completion_without_signature_or_voucher_is_refused_with_the_clause(client, tree, clerk_a, worker_a):
    order = _arrived(client, tree, clerk_a, worker_a)
    response = client.post(reverse("workorders:field_complete", args=[order.pk]), _complete_data())
    assert response.status_code == 400
    assert "SVC-05" in response.content.decode()
    order.refresh_from_db()
    assert order.status == "in_progress" and not order.materials.exists()


@pytest.mark.clause("SVC-05")
def test_completion_with_a_photographed_paper_voucher(client, tree, clerk_a, worker_a):
    order = _arrived(client, tree, clerk_a, worker_a)
    photo = SimpleUploadedFile("voucher.jpg", png_bytes((60, 80)), content_type="image/jpeg")
    response = client.post(reverse("workorders:field_complete", args=[order.pk]), _complete_data(voucher_photo=photo))
    assert response.status_code == 302
    attachment = OrderAttachment.objects.get(order=order, kind="voucher_photo")
    assert attachment.content_type == "image/png"  # decoded, not believed from the upload


def test_a_file_that_is_not_an_image_gets_a_clear_message_and_nothing_is_saved(client, tree, clerk_a, worker_a):
    order = _arrived(client, tree, clerk_a, worker_a)
    fake = SimpleUploadedFile("voucher.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    response = client.post(reverse("workorders:field_complete", args=[order.pk]), _complete_data(voucher_photo=fake))
    assert response.status_code == 400
    assert "不是有效的图片" in response.content.decode()
    order.refresh_from_db()
    assert order.status == "in_progress" and not OrderAttachment.objects.filter(order=order).exists()
    # a site photo that is not an image: same message, nothing saved
    fake.seek(0)
    photo = client.post(reverse("workorders:field_photo", args=[order.pk]), {"photo": fake})
    assert photo.status_code == 400 and "不是有效的图片" in photo.content.decode()
    good = SimpleUploadedFile("site.png", png_bytes(), content_type="image/png")
    assert client.post(reverse("workorders:field_photo", args=[order.pk]), {"photo": good}).status_code == 302
    assert OrderAttachment.objects.filter(order=order, kind="photo").count() == 1


def test_a_broken_signature_data_url_is_refused(client, tree, clerk_a, worker_a):
    order = _arrived(client, tree, clerk_a, worker_a)
    response = client.post(
        reverse("workorders:field_complete", args=[order.pk]), _complete_data(signature="data:text/html;base64,PGI+")
    )
    assert response.status_code == 400 and "签名数据无效" in response.content.decode()


def test_double_submit_of_the_completion_form_completes_once(client, tree, clerk_a, worker_a):
    order = _arrived(client, tree, clerk_a, worker_a)
    data = _complete_data(signature=data_url(png_bytes()))
    assert client.post(reverse("workorders:field_complete", args=[order.pk]), data).status_code == 302
    again = client.post(reverse("workorders:field_complete", args=[order.pk]), data)
    assert again.status_code == 302
    assert "已是最新状态" in client.get(again["Location"]).content.decode()
    assert WorkOrder.objects.get(pk=order.pk).events.filter(verb="completed").count() == 1
    assert OrderAttachment.objects.filter(order=order, kind="signature").count() == 1


@pytest.mark.clause("SVC-07", "SVC-08", "G-13")
def test_completion_form_shows_the_payment_path_of_a_paid_service(client, tree, clerk_a, worker_a, manager_a):
    from servicecenter.policy.services import parameter_set

    order = _arrived(client, tree, clerk_a, worker_a, service_type="A")
    # G-13: no threshold set → the invoice path
    page = client.get(reverse("workorders:field_complete", args=[order.pk])).content.decode()
    assert 'name="labour_fee"' in page and "G-13" in page
    parameter_set(
        actor=manager_a.user,
        key="service.low_fee_threshold",
        organization=tree["a"],
        value=Decimal("100"),
        effective_from=MORNING.date(),
        reason="测试",
    )
    page = client.get(reverse("workorders:field_complete", args=[order.pk])).content.decode()
    assert 'data-threshold="100"' in page and "现场收费" in page and "已收款" in page
    response = client.post(
        reverse("workorders:field_complete", args=[order.pk]),
        _complete_data(labour_fee="50", collected="1", signature=data_url(png_bytes())),
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.payment_path == "on_site" and order.collected_amount == 50
