"""The customer pages: search list, detail tabs, edits, documents (checked by content, served in scope)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from servicecenter.customers.models import Customer, CustomerDocument
from tests import factories

from .conftest import PDF_BYTES, png_bytes

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
def test_clerk_registers_a_customer_and_finds_it_by_phone(client_for, clerk_a, tree):
    client = client_for(clerk_a)
    response = client.post(
        reverse("customers:create"),
        {"organization": tree["a"].pk, "name": "王大爷", "phone": "138-0013-8000", "status": "existing"},
    )
    customer = Customer.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("customers:detail", args=[customer.pk])
    listing = client.get(reverse("customers:list"), {"q": "13800138000"}).content.decode()
    assert "王大爷" in listing
    for tab in ("profile", "contacts", "addresses", "documents", "orders", "calls"):
        assert client.get(reverse("customers:detail", args=[customer.pk]), {"tab": tab}).status_code == 200


@pytest.mark.parametrize(
    ("field", "bad"), [("name", "名" * 10_000), ("phone", "138abc"), ("name", "   "), ("organization", "999999")]
)
def test_bad_customer_form_gets_400_and_saves_nothing(client_for, clerk_a, tree, field, bad):
    data = {"organization": tree["a"].pk, "name": "王大爷", "phone": "13800138000", "status": "existing", field: bad}
    response = client_for(clerk_a).post(reverse("customers:create"), data)
    assert response.status_code == 400 and "invalid-feedback" in response.content.decode()
    assert not Customer.objects.exists()


def test_non_image_document_is_refused_with_400(client_for, clerk_a, customer):
    fake = SimpleUploadedFile("plan.png", b"#!/bin/sh\necho not an image\n", content_type="image/png")
    response = client_for(clerk_a).post(
        reverse("customers:document_upload", args=[customer.pk]), {"kind": "drawing", "title": "图纸", "file": fake}
    )
    assert response.status_code == 400 and "只能上传图片" in response.content.decode()
    assert not CustomerDocument.objects.exists()


def test_documents_are_served_only_within_scope(client_for, clerk_a, tree, customer):
    client = client_for(clerk_a)
    for name, content in (("v.png", png_bytes()), ("c.pdf", PDF_BYTES)):
        upload = SimpleUploadedFile(name, content)
        response = client.post(
            reverse("customers:document_upload", args=[customer.pk]), {"kind": "voucher", "title": name, "file": upload}
        )
        assert response.status_code == 302
    document = CustomerDocument.objects.get(content_type="image/png")
    served = client.get(reverse("customers:document_file", args=[document.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == png_bytes()
    outsider = factories.make_staff(tree["b"], "order_clerk")
    assert client_for(outsider).get(reverse("customers:document_file", args=[document.pk])).status_code == 404


def test_an_edit_form_keeps_what_was_typed_and_records_changes(client_for, clerk_a, customer):
    client = client_for(clerk_a)
    url = reverse("customers:edit", args=[customer.pk])
    form = client.get(url)
    assert form.status_code == 200
    response = client.post(
        url,
        {
            "name": "王大爷",
            "phone": "13800138000",
            "address": "古城路 12 号 3 单元",
            "notes": "",
            "updated_at": customer.updated_at.isoformat(),
        },
    )
    assert response.status_code == 302
    stale = client.post(
        url,
        {"name": "王大爷", "phone": "13800138000", "address": "别处", "notes": "", "updated_at": "2020-01-01T00:00"},
    )
    assert stale.status_code == 409 and "已被他人修改" in stale.content.decode()
    assert Customer.objects.get().address == "古城路 12 号 3 单元"


def test_status_change_without_a_reason_is_refused_on_the_page(client_for, clerk_a, customer):
    response = client_for(clerk_a).post(
        reverse("customers:status", args=[customer.pk]), {"status": "converting", "reason": ""}
    )
    assert response.status_code == 400
    assert Customer.objects.get().status == "existing"


def test_list_and_detail_have_bounded_queries(client_for, clerk_a, tree, customer, django_assert_max_num_queries):
    from tests.workorders.conftest import intake

    for i in range(3):
        intake(clerk_a, tree["a"], address=f"古城路 {i} 号", phone="13800138000")
    client = client_for(clerk_a)
    with django_assert_max_num_queries(22):
        assert client.get(reverse("customers:list"), {"q": "王"}).status_code == 200
    for tab in ("orders", "calls"):
        with django_assert_max_num_queries(22):
            assert client.get(reverse("customers:detail", args=[customer.pk]), {"tab": tab}).status_code == 200
