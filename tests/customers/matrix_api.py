"""Permission-matrix cases of /api/v1/customers/ (core.testing.Case), for tests/customers/matrix_cases.py to import
(`from .matrix_api import build as build_api`)."""

from __future__ import annotations

from servicecenter.core.testing import Case
from servicecenter.customers import services

MARKER = "接口矩阵客户乙先生"


def build(world) -> list[Case]:
    customer = services.customer_create(
        actor=world.clerk_a.user, organization=world.tree["a"], name=MARKER, phone="13812345678"
    )
    return [
        Case("api-customers-list", api=True, marker=MARKER),
        Case(
            "api-customers-list",
            method="post",
            api=True,
            actor="clerk_a",
            ok=(201,),
            data_factory=lambda w: {"organization": w.tree["a"].pk, "name": "接口新客户", "phone": "13700002222"},
        ),
        Case("api-customers-detail", kwargs={"pk": customer.pk}, api=True),
        Case(
            "api-customers-detail",
            kwargs={"pk": customer.pk},
            method="patch",
            api=True,
            actor="clerk_a",
            data={"address": "矩阵路 9 号"},
        ),
    ]
