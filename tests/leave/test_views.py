"""Leave pages: my leave (form, live count, balances), detail actions, certificate upload, calendar, register and
export, entitlement table — through the test client, with query counts on the hot pages."""

from __future__ import annotations

import io
from datetime import date

import pytest
import time_machine
from openpyxl import load_workbook

from servicecenter.leave import services
from servicecenter.leave.choices import LeaveStatus
from servicecenter.leave.models import LeaveRequest
from tests import factories

from .conftest import at
from .helpers import PDF, decide

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(at(2026, 12, 1, 8), tick=False):
        yield


@pytest.mark.smoke
def test_submit_from_the_page_and_see_it(client_for, worker_a, manager_a):
    client = client_for(worker_a)
    page = client.get("/leave/")
    assert page.status_code == 200 and "申请请假" in page.content.decode() and "本月剩余公休" in page.content.decode()
    response = client.post(
        "/leave/",
        {"kind": "personal", "start_date": "2026-12-03", "start_half": "am", "end_date": "2026-12-03",
         "end_half": "pm", "reason": "家中有事"},
    )  # fmt: skip
    leave = LeaveRequest.objects.get(staff=worker_a)
    assert response.status_code == 302 and response["Location"] == f"/leave/{leave.pk}/"
    detail = client.get(response["Location"]).content.decode()
    assert "审批中" in detail and "服务中心经理" in detail and "LEV-01" in detail


def test_bad_input_is_a_400_with_the_message_and_nothing_saved(client_for, worker_a, manager_a):
    client = client_for(worker_a)
    response = client.post(
        "/leave/",
        {"kind": "personal", "start_date": "2026-12-05", "end_date": "2026-12-03", "reason": "x"},
    )
    assert response.status_code == 400 and "结束时间不能早于开始时间" in response.content.decode()
    response = client.post("/leave/", {"kind": "nonsense"})
    assert response.status_code == 400
    assert not LeaveRequest.objects.exists()


def test_live_preview_shows_days_and_approver(client_for, worker_a, manager_a):
    client = client_for(worker_a)
    body = client.get(
        "/leave/preview/",
        {"kind": "personal", "start_date": "2026-12-03", "start_half": "pm", "end_date": "2026-12-05",
         "end_half": "pm"},
    ).content.decode()  # fmt: skip
    assert 'data-days="2.5"' in body and "营维中心总经理" in body
    body = client.get("/leave/preview/", {"kind": "personal", "start_date": "2026-12-05", "end_date": "2026-12-03"})
    assert "结束时间不能早于开始时间" in body.content.decode()


def test_my_leave_page_query_count(client_for, worker_a, manager_a, ask):
    """Bounded: the same number of queries for 1 or 4 requests (the menu's own queries grow with the apps)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(worker_a)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/leave/").status_code == 200
        return len(queries)

    ask(worker_a, kind="rest", start=date(2026, 12, 3))
    client.get("/leave/")
    one = count()
    for day in (8, 10, 15):
        ask(worker_a, kind="rest", start=date(2026, 12, day))
    assert count() == one and one <= 35


def test_withdraw_cancel_and_close_buttons(client_for, worker_a, manager_a, ask):
    client = client_for(worker_a)
    waiting = ask(worker_a, start=date(2026, 12, 3))
    assert "撤回" in client.get(f"/leave/{waiting.pk}/").content.decode()
    client.post(f"/leave/{waiting.pk}/withdraw/")
    waiting.refresh_from_db()
    assert waiting.status == LeaveStatus.WITHDRAWN

    leave = decide(ask(worker_a, start=date(2026, 12, 4)), manager_a)
    assert "取消请假" in client.get(f"/leave/{leave.pk}/").content.decode()
    client.post(f"/leave/{leave.pk}/cancel/", {"note": "不用了"})
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.CANCELLED


def test_close_page_validates_and_registers(client_for, worker_a, manager_a, ask):
    leave = decide(ask(worker_a, start=date(2026, 12, 1), now=at(2026, 11, 30)), manager_a)
    client = client_for(manager_a)
    with time_machine.travel(at(2026, 12, 1, 15), tick=False):
        assert "销假" in client.get(f"/leave/{leave.pk}/").content.decode()
        bad = client.post(f"/leave/{leave.pk}/close/", {"actual_return_at": "2026-12-09T08:00"})
        assert bad.status_code == 400 and "实际返岗时间不能晚于现在" in bad.content.decode()
        ok = client.post(f"/leave/{leave.pk}/close/", {"actual_return_at": "2026-12-01T14:00", "note": "提前回"})
    assert ok.status_code == 302
    leave.refresh_from_db()
    assert (leave.status, str(leave.actual_days)) == (LeaveStatus.CLOSED, "0.5")


def test_certificate_upload_checked_and_served_only_in_scope(client_for, tree, worker_a, manager_a, manager_b, ask):
    from django.core.files.uploadedfile import SimpleUploadedFile

    leave = ask(worker_a, kind="sick", start=date(2026, 12, 3))
    client = client_for(worker_a)
    assert "病历证明" in client.get(f"/leave/{leave.pk}/").content.decode()
    fake = SimpleUploadedFile("scan.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    response = client.post(f"/leave/{leave.pk}/certificate/", {"file": fake})
    assert response.status_code == 400 and "图片" in response.content.decode()
    real = SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")
    assert client.post(f"/leave/{leave.pk}/certificate/", {"file": real}).status_code == 302
    attachment = leave.attachments.get()
    download = client.get(f"/leave/attachments/{attachment.pk}/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF
    assert client_for(manager_b).get(f"/leave/attachments/{attachment.pk}/").status_code == 404
    colleague = factories.make_staff(tree["a"], "service_staff")
    assert client_for(colleague).get(f"/leave/{leave.pk}/").status_code == 404


def test_team_calendar_shows_who_is_away(client_for, worker_a, manager_a, ask, django_assert_max_num_queries):
    decide(ask(worker_a, start=date(2026, 12, 3)), manager_a)
    ask(worker_a, kind="rest", start=date(2026, 12, 8))
    client = client_for(manager_a)
    client.get("/leave/calendar/?month=2026-12")
    with django_assert_max_num_queries(35):
        body = client.get("/leave/calendar/?month=2026-12").content.decode()
    assert "甲师傅" in body and "事假" in body and "公休（待批）" in body
    assert client_for(worker_a).get("/leave/calendar/").status_code == 403


@pytest.mark.clause("LEV-12")
def test_register_filters_and_exports(client_for, worker_a, manager_a, gm, ask, django_assert_max_num_queries):
    leave = decide(ask(worker_a, start=date(2026, 12, 3)), manager_a)
    ask(worker_a, kind="rest", start=date(2027, 1, 5), reason="一月公休")
    client = client_for(manager_a)
    with django_assert_max_num_queries(35):
        body = client.get("/leave/register/?month=2026-12").content.decode()
    assert "家中有事" in body and "一月公休" not in body
    body = client.get("/leave/register/?kind=rest").content.decode()
    assert "一月公休" in body and "家中有事" not in body
    assert "月份格式" in client.get("/leave/register/?month=2026-13").content.decode()
    export = client.get("/leave/register.xlsx?month=2026-12")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("编号", "中心", "工号", "姓名", "类型") and rows[1][0] == leave.pk and len(rows) == 2


def test_entitlement_page(client_for, tree, manager_a, worker_a):
    client = client_for(manager_a)
    assert client.get("/leave/entitlements/").status_code == 200
    response = client.post("/leave/entitlements/", {"years": ["1", "10", ""], "days": ["5", "10", ""]})
    assert response.status_code == 302
    assert [(r.min_service_years, str(r.days)) for r in tree["a"].annual_leave_rows.filter(is_active=True)] == [
        (1, "5.0"),
        (10, "10.0"),
    ]
    bad = client.post("/leave/entitlements/", {"years": ["1", "1"], "days": ["5", "6"]})
    assert bad.status_code == 400 and "重复" in bad.content.decode()
    assert client_for(worker_a).get("/leave/entitlements/").status_code == 403
    services.entitlement_set(actor=manager_a.user, organization=tree["a"], rows=[(1, 5)])
