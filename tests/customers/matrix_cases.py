"""Permission-matrix cases of the customer pages (core.testing.Case): center A's customer is invisible to center B
(lists without the marker, objects and actions 404)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from servicecenter.core.testing import Case
from servicecenter.customers import services
from servicecenter.customers.models import Customer

from .conftest import png_bytes
from .matrix_api import build as build_api

MARKER = "甲中心客户王大爷"


def _png(world) -> dict:
    return {"kind": "voucher", "title": "凭证", "file": SimpleUploadedFile("v.png", png_bytes())}


def _status_is(pk: int, status: str):
    def check(world, response) -> None:
        assert Customer.objects.get(pk=pk).status == status

    return check


def build(world) -> list[Case]:
    a = world.tree["a"]
    clerk = world.clerk_a.user
    customer = services.customer_create(
        actor=clerk, organization=a, name=MARKER, phone="13800138000", address="古城路 1 号", status="potential"
    )
    contact = services.contact_add(actor=clerk, customer_id=customer.pk, name="王小明", phone="13900001111")
    address = services.address_add(actor=clerk, customer_id=customer.pk, address="新华街 2 号")
    document = services.document_upload(
        actor=clerk, customer_id=customer.pk, kind="voucher", title="凭证", content=png_bytes()
    )
    to_withdraw = services.document_upload(
        actor=clerk, customer_id=customer.pk, kind="voucher", title="待撤下", content=png_bytes()
    )
    pk = {"pk": customer.pk}
    return build_api(world) + [
        Case("customers:list", marker=MARKER),
        Case("customers:list", marker=MARKER, query="?q=13800138000"),
        Case("customers:create", actor="clerk_a", marker=a.name),
        Case("customers:detail", kwargs=pk),
        Case("customers:detail", kwargs=pk, query="?tab=calls"),
        Case("customers:edit", kwargs=pk, actor="clerk_a"),
        Case(
            "customers:status",
            kwargs=pk,
            actor="clerk_a",
            method="post",
            data={"status": "converting", "reason": "已报价"},
            ok=(302,),
            check=_status_is(customer.pk, "converting"),
        ),
        Case(
            "customers:special_group",
            kwargs=pk,
            actor="clerk_a",
            method="post",
            data={"special_group": "", "note": ""},
            ok=(302,),
        ),
        Case(
            "customers:contact_add",
            kwargs=pk,
            actor="clerk_a",
            method="post",
            data={"name": "李四", "phone": "13900002222", "relation": "邻居"},
            ok=(302,),
        ),
        Case(
            "customers:contact_deactivate",
            kwargs={"pk": customer.pk, "contact_pk": contact.pk},
            actor="clerk_a",
            method="post",
            ok=(302,),
        ),
        Case(
            "customers:address_add",
            kwargs=pk,
            actor="clerk_a",
            method="post",
            data={"address": "解放路 3 号", "label": "老房"},
            ok=(302,),
        ),
        Case(
            "customers:address_deactivate",
            kwargs={"pk": customer.pk, "address_pk": address.pk},
            actor="clerk_a",
            method="post",
            ok=(302,),
        ),
        Case("customers:document_upload", kwargs=pk, actor="clerk_a", method="post", data_factory=_png, ok=(302,)),
        Case("customers:document_file", kwargs={"pk": document.pk}),
        Case(
            "customers:document_withdraw",
            kwargs={"pk": customer.pk, "document_pk": to_withdraw.pk},
            actor="clerk_a",
            method="post",
            data={"reason": "重复上传"},
            ok=(302,),
        ),
    ]
