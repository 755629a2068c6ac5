"""The customer's fee status (CB-07): set on the customer edit page, audited like the other profile fields, read by
the callback's fee reminder."""

from __future__ import annotations

import pytest
from django.urls import reverse

from servicecenter.core.errors import ValidationFailed
from servicecenter.core.models import AuditEvent
from servicecenter.customers import services
from servicecenter.customers.models import Customer

pytestmark = pytest.mark.django_db


@pytest.mark.clause("CB-07")
def test_fee_status_is_set_through_the_service_and_audited(clerk_a, customer):
    assert customer.fee_status == "unknown"
    services.customer_update(actor=clerk_a.user, customer_id=customer.pk, fee_status="unpaid")
    assert Customer.objects.get(pk=customer.pk).fee_status == "unpaid"
    event = AuditEvent.objects.get(verb="customer.updated")
    assert event.changes == {"fee_status": ["unknown", "unpaid"]}
    with pytest.raises(ValidationFailed) as caught:
        services.customer_update(actor=clerk_a.user, customer_id=customer.pk, fee_status="half")
    assert "fee_status" in caught.value.fields
    assert Customer.objects.get(pk=customer.pk).fee_status == "unpaid"


def test_fee_status_on_the_edit_page(clerk_a, customer, client):
    client.force_login(clerk_a.user)
    url = reverse("customers:edit", args=[customer.pk])
    body = client.get(url).content.decode()
    assert 'name="fee_status"' in body and "回访时客户满意且未缴费的" in body
    data = {
        "name": customer.name,
        "phone": customer.phone,
        "address": customer.address,
        "notes": "",
        "updated_at": customer.updated_at.isoformat(),
    }
    response = client.post(url, {**data, "fee_status": "owing"})
    assert response.status_code == 400
    assert Customer.objects.get(pk=customer.pk).fee_status == "unknown"
    response = client.post(url, {**data, "fee_status": "paid"})
    assert response.status_code == 302
    assert Customer.objects.get(pk=customer.pk).fee_status == "paid"
    assert "已缴费" in client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
