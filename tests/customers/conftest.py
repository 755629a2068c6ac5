"""Fixtures of the customer tests: a clerk of center A, a customer of center A, a small PNG and PDF."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from servicecenter.customers import services


def png_bytes(size: tuple[int, int] = (40, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (255, 255, 255)).save(buffer, format="PNG")
    return buffer.getvalue()


PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def customer(tree, clerk_a):
    return services.customer_create(
        actor=clerk_a.user, organization=tree["a"], name="王大爷", phone="138-0013-8000", address="古城路 12 号"
    )
