"""Attendance pages and API: the clock-in flow, the sheet and its .xlsx, the dashboard (query counts), violations,
the punch API (idempotent, refused accounts, bad input)."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from servicecenter.attendance import services
from servicecenter.attendance.models import AttendanceResult, Punch, Violation
from servicecenter.org import services as org_services
from tests import factories

from .fakes import at, d8

DAY = date(2026, 3, 10)


@pytest.fixture
def worker(tree):
    return factories.make_staff(tree["team_a"], "service_staff", role_org=tree["a"], name="甲师傅")


@pytest.mark.django_db
@pytest.mark.smoke
def test_clock_in_page_and_punch(client_for, worker, roster):
    roster.shifts.append(d8(worker.pk, DAY))
    client = client_for(worker)
    with time_machine.travel(at(DAY, "08:40"), tick=False):
        page = client.get(reverse("attendance:punch"))
        assert page.status_code == 200
        body = page.content.decode()
        assert "上班打卡" in body and "08:30–16:30" in body
        response = client.post(reverse("attendance:punch"), {"kind": "in"})
        assert response.status_code == 302
        again = client.post(reverse("attendance:punch"), {"kind": "in"}, follow=True)
        assert "无需重复打卡" in again.content.decode()
        page = client.get(reverse("attendance:punch")).content.decode()
    assert Punch.objects.filter(staff=worker).count() == 1
    assert "迟到 10 分钟" in page and "ATT-04" in page and "下班打卡" in page


@pytest.mark.django_db
def test_sheet_xlsx_and_dashboard(client_for, manager_a, worker, tree, roster, django_assert_max_num_queries):
    roster.shifts += [d8(worker.pk, DAY), d8(worker.pk, DAY + timedelta(days=1))]
    with time_machine.travel(at(DAY, "08:45"), tick=False):
        services.punch_record(actor=worker.user, kind="in")
    with time_machine.travel(at(DAY, "16:40"), tick=False):
        services.punch_record(actor=worker.user, kind="out")
    services.results_compute(
        organization=tree["a"], start=DAY, end=DAY + timedelta(days=1), now=at(DAY + timedelta(days=3), "08:00")
    )
    client = client_for(manager_a)
    with time_machine.travel(at(DAY + timedelta(days=3), "10:00"), tick=False):
        with django_assert_max_num_queries(25):
            page = client.get(reverse("attendance:sheet"), {"center": tree["a"].pk, "month": "2026-03"})
        body = page.content.decode()
        assert "甲师傅" in body and "迟" in body and "旷" in body
        xlsx = client.get(reverse("attendance:sheet_xlsx"), {"center": tree["a"].pk, "month": "2026-03"})
        ws = load_workbook(io.BytesIO(xlsx.content)).active
        rows = {r[2]: r for r in ws.iter_rows(min_row=4, values_only=True)}
        assert rows["甲师傅"][3 + 9] == "迟" and rows["甲师傅"][3 + 10] == "旷"
        dash = client.get(reverse("attendance:dashboard"), {"center": tree["a"].pk})
        assert dash.status_code == 200 and "甲师傅" in dash.content.decode()
        # no query per person: five more people on duty cost no more queries
        with CaptureQueriesContext(connection) as before:
            client.get(reverse("attendance:dashboard"), {"center": tree["a"].pk})
        for n in range(5):
            extra = factories.make_staff(tree["team_a"], "service_staff", role_org=tree["a"], name=f"加{n}")
            roster.shifts.append(d8(extra.pk, DAY + timedelta(days=3)))
            with time_machine.travel(at(DAY + timedelta(days=3), "08:00"), tick=False):
                services.punch_record(actor=extra.user, kind="in")
        with CaptureQueriesContext(connection) as after:
            dash = client.get(reverse("attendance:dashboard"), {"center": tree["a"].pk})
        assert "加4" in dash.content.decode()
        assert len(after) <= len(before) <= 25
        staff_page = client.get(reverse("attendance:staff_month", args=[worker.pk]), {"month": "2026-03"})
        assert "迟到 15 分钟" in staff_page.content.decode()


@pytest.mark.django_db
def test_recompute_page(client_for, manager_a, worker, tree, roster):
    roster.shifts.append(d8(worker.pk, DAY))
    client = client_for(manager_a)
    with time_machine.travel(at(DAY + timedelta(days=2), "10:00"), tick=False):
        response = client.post(
            reverse("attendance:recompute"),
            {"center": tree["a"].pk, "start": "2026-03-10", "end": "2026-03-10"},
            follow=True,
        )
    assert "已重算" in response.content.decode()
    assert AttendanceResult.objects.get(staff=worker, day=DAY).status == "absent"


@pytest.mark.django_db
def test_violation_form_errors_and_create(client_for, manager_a, worker):
    client = client_for(manager_a)
    with time_machine.travel(at(DAY, "18:00"), tick=False):
        bad = client.post(
            reverse("attendance:violation_create"), {"staff": worker.pk, "day": "2026-03-10", "type": "games"}
        )
        assert bad.status_code == 200 and "请填写情况说明或提供证据" in bad.content.decode()
        ok = client.post(
            reverse("attendance:violation_create"),
            {"staff": worker.pk, "day": "2026-03-10", "type": "games", "description": "玩游戏"},
        )
    assert ok.status_code == 302
    assert Violation.objects.get().units == 1


@pytest.mark.django_db
def test_punch_api(client, manager_a, worker):
    client.force_login(manager_a.user)
    url = reverse("attendance_api:punch")
    body = {"staff_no": worker.staff_no, "kind": "in"}
    first = client.post(url, json.dumps(body), content_type="application/json")
    assert first.status_code == 201 and first.json()["duplicate"] is False
    second = client.post(url, json.dumps(body), content_type="application/json")
    assert second.status_code == 200 and second.json()["duplicate"] is True
    bad = client.post(url, json.dumps({"kind": "sideways"}), content_type="application/json")
    assert bad.status_code == 400 and bad.json()["fields"]["kind"]
    org_services.staff_set_status(actor=None, staff=worker, status="left", on=date.today())
    refused = client.post(
        url, json.dumps({"staff_no": worker.staff_no, "kind": "out"}), content_type="application/json"
    )
    assert refused.status_code == 400 and "离职" in refused.json()["message"]
    assert Punch.objects.count() == 1


@pytest.mark.django_db
def test_own_punch_api_and_results(client, worker):
    client.force_login(worker.user)
    response = client.post(reverse("attendance_api:punch"), json.dumps({"kind": "in"}), content_type="application/json")
    assert response.status_code == 201 and response.json()["staff_no"] == worker.staff_no
    assert client.get(reverse("attendance_api:my_results")).status_code == 200
    assert client.get(reverse("attendance_api:results")).status_code == 404
