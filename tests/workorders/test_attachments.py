"""Attachments are served only through the scoped view (never a public URL), inline, with nosniff."""

from __future__ import annotations

import pytest
from django.urls import reverse

from servicecenter.workorders.models import OrderAttachment

from .field_support import returned

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
def test_signature_is_served_inline_to_who_may_see_the_order(client, tree, clerk_a, worker_a, manager_b):
    order = returned(clerk_a, tree["a"], worker_a)
    signature = OrderAttachment.objects.get(order=order, kind="signature")
    url = reverse("workorders:attachment", args=[signature.pk])

    client.force_login(clerk_a.user)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")

    # another center's manager: as if it did not exist
    client.force_login(manager_b.user)
    assert client.get(url).status_code == 404
    # anonymous: to the login page
    client.logout()
    assert client.get(url).status_code == 302
    # a made-up id
    client.force_login(clerk_a.user)
    assert client.get(reverse("workorders:attachment", args=[999999])).status_code == 404
