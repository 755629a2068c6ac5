"""The printable service voucher (SVC-04…SVC-10): content, A4/A5, countersign then archive read-only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from servicecenter.core.errors import Conflict
from servicecenter.workorders import services

from .field_support import returned

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
@pytest.mark.clause("SVC-06", "SVC-09", "SVC-10")
def test_manager_countersigns_then_archives_the_voucher(client, tree, clerk_a, worker_a, manager_a):
    order = returned(clerk_a, tree["a"], worker_a)
    url = reverse("workorders:voucher", args=[order.pk])
    client.force_login(manager_a.user)

    # the voucher shows the register number, the record of SVC-09, the signature and the sign-off buttons
    page = client.get(url).content.decode()
    assert f"{order.register_year}-{order.register_no:06d}" in page
    assert "更换光猫电源" in page and 'id="signature-img"' in page
    assert 'id="btn-countersign"' in page and 'id="btn-archive"' not in page
    assert "size: A4" in page and "size: A5" in client.get(url + "?size=a5").content.decode()

    # countersign (SVC-10) then archive (SVC-06)
    assert client.post(reverse("workorders:voucher_countersign", args=[order.pk])).status_code == 302
    page = client.get(url).content.decode()
    assert "甲经理" in page or manager_a.name in page
    assert 'id="btn-archive"' in page and 'id="btn-countersign"' not in page
    assert client.post(reverse("workorders:voucher_archive", args=[order.pk])).status_code == 302
    page = client.get(url).content.decode()
    assert 'id="archive-stamp"' in page and "已归档" in page
    assert 'id="btn-archive"' not in page

    # read-only afterwards: every service refuses
    with pytest.raises(Conflict, match="已归档"):
        services.order_add_photo(actor=clerk_a.user, order_id=order.pk, data=b"x")
    again = client.post(reverse("workorders:voucher_archive", args=[order.pk]))
    assert "已归档" in client.get(again["Location"]).content.decode()


@pytest.mark.clause("SVC-10")
def test_archive_before_countersign_is_refused_with_the_reason(client, tree, clerk_a, worker_a, manager_a):
    order = returned(clerk_a, tree["a"], worker_a)
    client.force_login(manager_a.user)
    response = client.post(reverse("workorders:voucher_archive", args=[order.pk]), follow=True)
    assert "SVC-10" in response.content.decode()
    order.refresh_from_db()
    assert order.archived_at is None


def test_clerk_sees_the_voucher_without_sign_off_buttons_and_cannot_countersign(client, tree, clerk_a, worker_a):
    order = returned(clerk_a, tree["a"], worker_a)
    client.force_login(clerk_a.user)
    page = client.get(reverse("workorders:voucher", args=[order.pk])).content.decode()
    assert "btn-countersign" not in page
    assert client.post(reverse("workorders:voucher_countersign", args=[order.pk])).status_code == 403
    order.refresh_from_db()
    assert order.countersigned_at is None
