"""The service register (SVC-03): filters, keyset pages, query count, the .xlsx export."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from servicecenter.workorders import exports
from servicecenter.workorders.views import register as register_views

from .conftest import MORNING, intake
from .field_support import dispatched, returned

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(tree, clerk_a, worker_a):
    first = returned(clerk_a, tree["a"], worker_a, customer_name="登记甲", phone="138 1111 0001")
    second = dispatched(clerk_a, tree["a"], worker_a, customer_name="登记乙", phone="138 1111 0002", kind="complaint")
    third = intake(clerk_a, tree["a"], customer_name="登记丙", phone="138 1111 0003", service_type="A")
    return first, second, third


@pytest.mark.smoke
def test_register_lists_the_centers_entries_newest_first_with_filters(client, entries, manager_a, manager_b, tree):
    first, second, third = entries
    client.force_login(manager_a.user)
    body = client.get(reverse("workorders:register")).content.decode()
    assert body.index("登记丙") < body.index("登记乙") < body.index("登记甲")
    assert f"{first.register_year}-{first.register_no:06d}" in body and "客户已签字" in body

    def names(**params):
        page = client.get(reverse("workorders:register"), params).content.decode()
        return [n for n in ("登记甲", "登记乙", "登记丙") if n in page]

    assert names(status="returned") == ["登记甲"]
    assert names(kind="complaint") == ["登记乙"]
    assert names(service_type="A") == ["登记丙"]
    assert names(phone="13811110002") == ["登记乙"]
    assert names(phone="138-1111-0002") == ["登记乙"]
    assert names(staff=first.assignee_id) == ["登记甲", "登记乙"]
    today = MORNING.date().isoformat()
    assert len(names(date_from=today, date_to=today)) == 3
    assert names(date_from=(MORNING.date() + timedelta(days=1)).isoformat()) == []

    # another center's clerk sees their own (empty) register, never center A's entries
    client.force_login(manager_b.user)
    other = client.get(reverse("workorders:register"))
    assert other.status_code == 200 and "登记甲" not in other.content.decode()
    assert client.get(reverse("workorders:register"), {"center": tree["a"].pk}).status_code == 404


def test_bad_filters_get_a_clear_message_and_a_4xx(client, entries, manager_a):
    client.force_login(manager_a.user)
    response = client.get(reverse("workorders:register"), {"phone": "138abc"})
    assert response.status_code == 400 and "电话只能包含数字" in response.content.decode()
    response = client.get(reverse("workorders:register"), {"date_from": "2026-12-05", "date_to": "2026-12-01"})
    assert response.status_code == 400 and "截止日期不能早于起始日期" in response.content.decode()
    assert client.get(reverse("workorders:register"), {"date_from": "tomorrow"}).status_code == 400


def test_register_pages_by_keyset_and_asserts_its_query_count(
    client, entries, manager_a, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(register_views, "PAGE_SIZE", 2)
    client.force_login(manager_a.user)
    client.get(reverse("workorders:register"))  # warm the session and caches
    # session, user, scope, centers, staff choices, one query for the rows — plus the menu's per-permission checks
    # (cached per request, one per menu entry of other apps): bounded, and independent of the number of rows.
    with django_assert_max_num_queries(25) as few:
        first_page = client.get(reverse("workorders:register"))
    monkeypatch.setattr(register_views, "PAGE_SIZE", 50)
    with django_assert_max_num_queries(len(few)):
        client.get(reverse("workorders:register"))
    monkeypatch.setattr(register_views, "PAGE_SIZE", 2)
    body = first_page.content.decode()
    assert "登记丙" in body and "登记乙" in body and "登记甲" not in body
    next_url = first_page.context["next_url"]
    assert next_url
    second = client.get(reverse("workorders:register") + next_url).content.decode()
    assert "登记甲" in second and "登记丙" not in second
    assert client.get(reverse("workorders:register") + next_url).context["next_url"] == ""
    # a garbled cursor falls back to the first page
    assert "登记丙" in client.get(reverse("workorders:register"), {"after": "garbage"}).content.decode()


@pytest.mark.clause("SVC-09")
def test_export_writes_the_filtered_register_as_xlsx(client, entries, manager_a):
    client.force_login(manager_a.user)
    response = client.get(reverse("workorders:register_export"), {"status": "returned"})
    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "登记号" and len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=False))
    assert row["客户"] == "登记甲" and row["电话"] == "138 1111 0001"
    assert row["服务内容"] == "更换光猫电源" and row["实际开始"] is not None and row["实际结束"] is not None
    assert row["凭证"] == "客户已签字"


def test_export_is_capped_with_a_message(client, entries, manager_a, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_CAP", 2)
    client.force_login(manager_a.user)
    response = client.get(reverse("workorders:register_export"))
    assert response["X-Export-Capped"] == "2"
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert len(rows) == 4 and "仅导出前 2 条" in rows[-1][0]


def test_service_staff_have_no_register(client, entries, worker_a):
    client.force_login(worker_a.user)
    assert client.get(reverse("workorders:register")).status_code == 404
    assert client.get(reverse("workorders:register_export")).status_code == 404
