"""Pay pages and API: scope, 403, 400 (nothing saved), query counts flat in the staff count, export, upload."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from servicecenter.pay import services
from servicecenter.pay.models import CoefficientTable, PayInput, PayrollSheet
from tests import factories
from tests.pay.conftest import MONTH, entry

pytestmark = [pytest.mark.django_db, pytest.mark.clause("FIN-19")]
M = f"{MONTH:%Y-%m}"


def test_sheet_pages_and_export(client_for, pts01, manager_a, finance_a):
    client = client_for(finance_a)
    resp = client.post(reverse("pay:compute"), {"center": pts01.pk, "month": M})
    sheet = PayrollSheet.objects.get(organization=pts01, month=MONTH)
    assert resp.status_code == 302 and resp["Location"] == reverse("pay:sheet", args=[sheet.pk])
    page = client_for(manager_a).get(reverse("pay:sheet", args=[sheet.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and "3880.00" in body and "PTS-01" in body
    xlsx = client.get(reverse("pay:sheet_export", args=[sheet.pk]))
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert any(r[1] == manager_a.name and r[7] == 3880 for r in rows)
    assert client.get(reverse("pay:sheets"), {"center": pts01.pk}).status_code == 200


def test_staff_without_permission_gets_403(client_for, tree):
    worker = factories.make_staff(tree["a"], "service_staff")
    client = client_for(worker)
    assert client.get(reverse("pay:sheets")).status_code == 403
    assert client.get(reverse("pay:inputs")).status_code == 403


def test_inputs_bulk_edit_bad_number_saves_nothing(client_for, pts01, finance_a, worker1, worker2):
    client = client_for(finance_a)
    data = {
        "center": pts01.pk,
        "month": "2026-11",
        f"base_salary_{worker1.pk}": "2100",
        f"base_salary_{worker2.pk}": "abc",
    }
    resp = client.post(reverse("pay:inputs"), data)
    assert resp.status_code == 400
    assert "不是数字" in resp.content.decode()
    assert not PayInput.objects.filter(month="2026-11-01").exists()
    data[f"base_salary_{worker2.pk}"] = "2200.5"
    assert client.post(reverse("pay:inputs"), data).status_code == 302
    assert PayInput.objects.get(staff=worker2, month="2026-11-01").base_salary == Decimal("2200.50")
    # carried forward as the default of the next month
    page = client.get(reverse("pay:inputs"), {"center": pts01.pk, "month": "2026-12"}).content.decode()
    assert "沿用 2026-11" in page


def test_sheet_page_queries_flat_in_staff_count(client_for, pts01, manager_a, finance_a, django_assert_max_num_queries):
    services.payroll_compute(actor=finance_a.user, organization=pts01, month=MONTH)
    small = PayrollSheet.objects.get(organization=pts01, month=MONTH)
    client = client_for(manager_a)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("pay:sheet", args=[small.pk])).status_code == 200
    for n in range(15):
        staff = factories.make_staff(pts01, "service_staff", name=f"加员{n}")
        entry(pts01, staff, "3")
    big = services.payroll_compute(actor=finance_a.user, organization=pts01, month=MONTH).sheet
    with django_assert_max_num_queries(25):
        assert client.get(reverse("pay:sheet", args=[big.pk])).status_code == 200
    with django_assert_max_num_queries(30):
        assert client_for(finance_a).get(reverse("pay:inputs"), {"center": pts01.pk, "month": M}).status_code == 200


def test_compute_queries_do_not_grow_with_staff(pts01, finance_a, django_assert_max_num_queries):
    for n in range(20):
        entry(pts01, factories.make_staff(pts01, "service_staff", name=f"员{n}"), "2")
    with django_assert_max_num_queries(40):
        services.payroll_compute(actor=finance_a.user, organization=pts01, month=MONTH)


@pytest.mark.clause("C-18")
def test_component_editor_refuses_bad_formula_and_previews(client_for, pts01, manager_a, worker1):
    client = client_for(manager_a)
    bad = client.post(
        reverse("pay:components"),
        {
            "center": pts01.pk,
            "role": "other",
            "name": "x",
            "formula": "__import__('os')",
            "clause": "C-18",
            "valid_from": M,
        },
    )
    assert bad.status_code == 400 and "公式有误" in bad.content.decode()
    unknown = client.post(
        reverse("pay:components"),
        {"center": pts01.pk, "role": "other", "name": "x", "formula": "salary * 2", "valid_from": M},
    )
    assert unknown.status_code == 400 and "未知输入 salary" in unknown.content.decode()
    page = client.get(
        reverse("pay:components"),
        {"center": pts01.pk, "month": M, "formula": "points * amount_per_point", "staff": worker1.pk},
    )
    assert page.status_code == 200 and "700.00" in page.content.decode()


def _xlsx(rows):
    book = Workbook()
    ws = book.active
    ws.append(["服务中心编码", "净增长", "新增", "权责收入", "考核系数"])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "coeff.xlsx"
    return out


@pytest.mark.clause("PTS-01")
def test_coefficient_upload_preview_then_confirm_versions(client, tree):
    admin = factories.make_staff(tree["ops"], "ops_center_gm")
    client.force_login(admin.user)
    bad = client.post(
        reverse("pay:coefficients"),
        {"month": M, "file": _xlsx([["nope", 1, 2, 3, 1.1], [tree["a"].code, "x", 2, 3, 1]])},
    )
    assert bad.status_code == 400
    assert "未知服务中心编码 nope" in bad.content.decode() and "不是数字" in bad.content.decode()
    assert not CoefficientTable.objects.exists()
    for expected in (1, 2):
        ok = client.post(reverse("pay:coefficients"), {"month": M, "file": _xlsx([[tree["a"].code, 1, 2, 3, "1.2"]])})
        assert ok.status_code == 200
        payload = ok.context["preview"]["payload"]
        assert client.post(reverse("pay:coefficients_confirm"), {"payload": payload}).status_code == 302
        assert CoefficientTable.objects.filter(month=MONTH).order_by("-version").first().version == expected
    assert client.get(reverse("pay:coefficient_template")).status_code == 200


def test_api_list_detail_compute(client_for, pts01, finance_a, manager_b):
    client = client_for(finance_a)
    resp = client.post(
        reverse("api-pay-compute"), json.dumps({"center": pts01.pk, "month": M}), content_type="application/json"
    )
    assert resp.status_code == 200 and resp.json()["created"] is True
    again = client.post(
        reverse("api-pay-compute"), json.dumps({"center": pts01.pk, "month": M}), content_type="application/json"
    )
    assert again.json()["created"] is False
    sheet_id = resp.json()["sheet"]["id"]
    detail = client.get(reverse("api-pay-sheet", args=[sheet_id])).json()
    assert {line["net"] for line in detail["lines"]} >= {"3880.00"}
    assert client.get(reverse("api-pay-sheets")).json()["count"] == 1
    assert client_for(manager_b).get(reverse("api-pay-sheet", args=[sheet_id])).status_code == 404
    bad = client_for(finance_a).post(
        reverse("api-pay-compute"),
        json.dumps({"center": pts01.pk, "month": "2026-13"}),
        content_type="application/json",
    )
    assert bad.status_code == 400


def test_a_malformed_month_is_a_400_with_the_reason_on_pages_and_api(client_for, pts01, finance_a):
    client = client_for(finance_a)
    page = client.get(reverse("pay:sheets"), {"center": pts01.pk, "month": "2026-13"})
    assert page.status_code == 400 and "月份格式应为 2026-12" in page.content.decode()
    assert client.post(reverse("pay:compute"), {"center": pts01.pk, "month": "0000-01"}).status_code == 400
    assert not PayrollSheet.objects.exists()  # nothing computed
    api = client.get("/api/v1/pay/sheets/", {"month": "26-1"})
    assert api.status_code == 400 and api.json()["message"] == "月份格式应为 2026-12"
    assert client.get(reverse("pay:sheets"), {"center": pts01.pk, "month": M}).status_code == 200
