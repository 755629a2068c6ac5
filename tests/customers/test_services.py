"""The customer master through its services and selectors (SVC-17…SVC-19, WO-11 registration)."""

from __future__ import annotations

import pytest

from servicecenter.core.errors import Conflict, NotAllowed, ValidationFailed
from servicecenter.core.models import AuditEvent
from servicecenter.customers import selectors, services
from servicecenter.customers.models import Customer, CustomerDocument, SpecialGroup
from servicecenter.policy.services import parameter_set
from servicecenter.policy.values import local_today
from tests import factories

from .conftest import PDF_BYTES, png_bytes

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
def test_customer_is_created_edited_and_every_change_is_audited(tree, clerk_a, customer):
    assert customer.phone_digits == "13800138000" and customer.status == "existing"
    updated = services.customer_update(
        actor=clerk_a.user,
        customer_id=customer.pk,
        expected_updated_at=customer.updated_at.isoformat(),
        address="古城路 12 号 3 单元",
        name="王大爷",
    )
    assert updated.address == "古城路 12 号 3 单元"
    event = AuditEvent.objects.get(verb="customer.updated")
    assert event.changes == {"address": ["古城路 12 号", "古城路 12 号 3 单元"]}


def test_a_stale_edit_is_refused_not_silently_overwritten(clerk_a, customer):
    stale = customer.updated_at.isoformat()
    services.customer_update(actor=clerk_a.user, customer_id=customer.pk, notes="先改的")
    with pytest.raises(Conflict, match="已被他人修改"):
        services.customer_update(actor=clerk_a.user, customer_id=customer.pk, expected_updated_at=stale, notes="后改的")
    assert Customer.objects.get(pk=customer.pk).notes == "先改的"


@pytest.mark.parametrize(
    ("field", "bad"), [("name", "名" * 10_000), ("phone", "138abc"), ("name", "    "), ("phone", "12")]
)
def test_bad_customer_input_is_refused_and_nothing_is_saved(tree, clerk_a, field, bad):
    data = {"name": "张三", "phone": "13900000000", field: bad}
    with pytest.raises(ValidationFailed) as exc:
        services.customer_create(actor=clerk_a.user, organization=tree["a"], **data)
    assert field in exc.value.fields
    assert not Customer.objects.exists()


def test_a_clerk_cannot_register_customers_of_another_center(tree, clerk_a):
    with pytest.raises(NotAllowed):
        services.customer_create(actor=clerk_a.user, organization=tree["b"], name="张三", phone="13900000000")


@pytest.mark.clause("SVC-19")
def test_status_changes_need_a_reason_and_never_silently_downgrade(tree, clerk_a, customer):
    prospect = services.customer_create(
        actor=clerk_a.user, organization=tree["a"], name="李女士", phone="13911112222", status="potential"
    )
    with pytest.raises(ValidationFailed, match="变更原因"):
        services.customer_set_status(actor=clerk_a.user, customer_id=prospect.pk, status="converting", reason=" ")
    converting = services.customer_set_status(
        actor=clerk_a.user, customer_id=prospect.pk, status="converting", reason="已上门报价"
    )
    assert converting.status == "converting"
    assert AuditEvent.objects.filter(verb="customer.status_changed", note="已上门报价", clause="SVC-19").exists()
    # a customer with orders on record is an existing customer: never back to potential
    from tests.workorders.conftest import intake

    intake(clerk_a, tree["a"], phone=customer.phone)
    with pytest.raises(ValidationFailed, match="不能改为潜在客户"):
        services.customer_set_status(actor=clerk_a.user, customer_id=customer.pk, status="potential", reason="误登")


def test_special_group_registration_needs_a_note_and_can_be_cleared(clerk_a, customer):
    elderly = SpecialGroup.objects.get(code="elderly")
    with pytest.raises(ValidationFailed):
        services.customer_set_special_group(actor=clerk_a.user, customer_id=customer.pk, group_id=elderly.pk)
    member = services.customer_set_special_group(
        actor=clerk_a.user, customer_id=customer.pk, group_id=elderly.pk, note="社区登记，80 岁独居"
    )
    assert member.special_group == elderly
    cleared = services.customer_set_special_group(actor=clerk_a.user, customer_id=customer.pk, group_id=None)
    assert cleared.special_group is None and cleared.special_group_note == ""
    assert AuditEvent.objects.filter(verb="customer.special_group_cleared").exists()


def test_contacts_and_addresses_are_added_and_deactivated_never_deleted(clerk_a, customer):
    contact = services.contact_add(
        actor=clerk_a.user, customer_id=customer.pk, name="王小明", phone="139 0000 1111", relation="儿子"
    )
    services.contact_deactivate(actor=clerk_a.user, contact_id=contact.pk)
    assert list(selectors.customer_contacts(customer=customer).values_list("is_active", flat=True)) == [False]
    home = services.address_add(actor=clerk_a.user, customer_id=customer.pk, address="古城路 12 号", label="家")
    assert home.is_default  # the first address is the default
    shop = services.address_add(
        actor=clerk_a.user, customer_id=customer.pk, address="新华街 8 号", label="店铺", is_default=True
    )
    rows = list(selectors.customer_addresses(customer=customer))
    assert [a.pk for a in rows if a.is_default] == [shop.pk]
    services.address_deactivate(actor=clerk_a.user, address_id=home.pk)
    assert len(selectors.customer_addresses(customer=customer)) == 2


@pytest.mark.clause("SVC-18")
def test_documents_are_images_or_pdfs_checked_by_content(manager_a, clerk_a, customer, tree):
    image = services.document_upload(
        actor=clerk_a.user, customer_id=customer.pk, kind="voucher", title="维修凭证", content=png_bytes()
    )
    pdf = services.document_upload(
        actor=clerk_a.user, customer_id=customer.pk, kind="contract", title="供暖合同", content=PDF_BYTES
    )
    assert (image.content_type, pdf.content_type) == ("image/png", "application/pdf")
    with pytest.raises(ValidationFailed, match="图片"):
        services.document_upload(
            actor=clerk_a.user,
            customer_id=customer.pk,
            kind="drawing",
            title="假图片",
            content=b"MZ\x90\x00 not an image",
            filename="drawing.png",
        )
    parameter_set(
        actor=manager_a.user,
        key="customers.document_max_mb",
        organization=tree["a"],
        value=1,
        effective_from=local_today(tree["a"]),
        reason="测试",
    )
    with pytest.raises(ValidationFailed, match="1 MB"):
        services.document_upload(
            actor=clerk_a.user,
            customer_id=customer.pk,
            kind="drawing",
            title="大文件",
            content=b"%PDF-" + b"0" * (1024 * 1024),
        )
    assert CustomerDocument.objects.count() == 2


def test_search_by_phone_digits_or_name_within_scope(tree, clerk_a, customer):
    other = factories.make_staff(tree["b"], "order_clerk")
    services.customer_create(actor=other.user, organization=tree["b"], name="王大爷", phone="13800138000")
    assert list(selectors.customer_search(user=clerk_a.user, q="138 0013 8000")) == [customer]
    assert list(selectors.customer_search(user=clerk_a.user, q="8000")) == [customer]
    assert list(selectors.customer_search(user=clerk_a.user, q="王")) == [customer]
    assert list(selectors.customer_search(user=clerk_a.user, q="李")) == []


def test_history_lists_orders_and_calls(tree, clerk_a, customer):
    from servicecenter.workorders import services as wo_services
    from tests.workorders.conftest import intake

    order = intake(clerk_a, tree["a"], phone="13800138000")
    wo_services.order_log_call(actor=clerk_a.user, order_id=order.pk, note="催修")
    assert list(selectors.customer_orders(customer=customer)) == [order]
    assert [e.verb for e in selectors.customer_calls(customer=customer)] == ["call", "created"]
