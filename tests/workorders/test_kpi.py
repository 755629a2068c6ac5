"""WO-07 clerk KPIs on a small known data set: exact counts and percentages per clerk, serviceman, center, day and
month, the callbacks done / due of the rows' orders (WO-10, counted through the reverse relation); the page (SVG
chart, no CDN), the .xlsx export, scoping and the query count."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from servicecenter.callbacks.models import CallbackTask
from servicecenter.workorders import selectors, services
from tests import factories

from .conftest import MORNING, png_bytes

pytestmark = pytest.mark.django_db
DAY_START = MORNING.replace(hour=0)
DAY_END = DAY_START + timedelta(days=1)
NOW = MORNING + timedelta(hours=8)  # 17:00: every response (09:30) and resolution (13:00) deadline has passed


def m(minutes: int):
    return MORNING + timedelta(minutes=minutes)


def _complete(worker, order, at):
    services.order_arrive(actor=worker.user, order_id=order.pk, now=at - timedelta(minutes=5))
    services.order_complete(
        actor=worker.user,
        order_id=order.pk,
        work_content="处理完毕",
        service_started_at=at - timedelta(minutes=5),
        service_ended_at=at,
        signature_png=png_bytes(),
        signer_name="客户",
        now=at,
    )


@pytest.fixture
def data_set(tree, make_order, clerk_a, manager_a, worker_a, worker_a2, worker_b):
    """Six orders taken by 甲内勤 at 09:00 (+ one of center B):

    o1 dispatched by the clerk, accepted at +10 (on time), returned at +60 (on time);
    o2 dispatched by the clerk, accepted at +45 (late), returned at 14:00 (late: due 13:00);
    o3 never dispatched; o4 dispatched by the manager to 甲维修工二, never accepted;
    o5 cancelled (not counted); o6 an inquiry answered on the spot (responds at once, no resolution clock)."""
    o1, o2, o3, o4, o5 = (make_order(phone=f"1380000000{i}") for i in range(5))
    o6 = make_order(kind="inquiry", answer="营业时间为 8:30—20:00", phone="13800000009")
    for order, at in ((o1, 10), (o2, 45)):
        services.order_dispatch(actor=clerk_a.user, order_id=order.pk, assignee_id=worker_a.pk, now=m(5))
        services.order_accept(actor=worker_a.user, order_id=order.pk, now=m(at))
    _complete(worker_a, o1, m(60))
    _complete(worker_a, o2, m(300))
    services.order_dispatch(actor=manager_a.user, order_id=o4.pk, assignee_id=worker_a2.pk, now=m(6))
    services.order_cancel(actor=clerk_a.user, order_id=o5.pk, reason="客户取消", now=m(7))
    clerk_b = factories.make_staff(tree["b"], "order_clerk", name="乙内勤")
    from .conftest import intake

    intake(clerk_b, tree["b"], phone="13900000000")
    return {"o1": o1, "o2": o2, "o3": o3, "o4": o4, "o6": o6}


def table(user, group):
    return selectors.kpi_table(user=user.user, group=group, start=DAY_START, end=DAY_END, now=NOW)


def pick(rows, *keys):
    return [{k: row[k] for k in keys} for row in rows]


FIGURES = (
    "received",
    "dispatched",
    "handled",
    "response_met",
    "response_decided",
    "response_rate",
    "resolve_met",
    "resolve_decided",
    "resolve_rate",
)


@pytest.mark.smoke
def test_per_clerk_counts_and_compliance(data_set, clerk_a):
    rows = table(clerk_a, "clerk")
    assert pick(rows, "label", *FIGURES) == [
        # 5 received (o5 cancelled is left out); responses: o1 and o6 on time, o2 late, o3/o4 overdue → 2/5 = 40 %;
        # resolution: o1 on time, o2 late, o3/o4 overdue, o6 answered on the spot (no clock) → 1/4 = 25 %
        {
            "label": "甲内勤",
            "received": 5,
            "dispatched": 2,
            "handled": 2,
            "response_met": 2,
            "response_decided": 5,
            "response_rate": 40.0,
            "resolve_met": 1,
            "resolve_decided": 4,
            "resolve_rate": 25.0,
        },
        # the manager only dispatched (o4): a row with his dispatch, no orders received
        {
            "label": "甲经理",
            "received": 0,
            "dispatched": 1,
            "handled": 0,
            "response_met": 0,
            "response_decided": 0,
            "response_rate": None,
            "resolve_met": 0,
            "resolve_decided": 0,
            "resolve_rate": None,
        },
    ]
    clerk_row = rows[0]
    assert clerk_row["response_avg_minutes"] == pytest.approx((10 + 45 + 0) / 3, abs=0.1)


def test_per_serviceman_center_day_and_month(data_set, clerk_a, gm):
    staff = {row["label"]: row for row in table(clerk_a, "staff")}
    assert {k: (v["received"], v["handled"], v["resolve_rate"]) for k, v in staff.items()} == {
        "甲维修工": (2, 2, 50.0),
        "甲维修工二": (1, 0, 0.0),
        "—": (2, 0, 0.0),  # o3 (never dispatched) and o6 (answered: no resolution clock; o3 overdue)
    }
    (center,) = table(clerk_a, "center")
    assert (center["received"], center["response_rate"], center["resolve_rate"]) == (5, 40.0, 25.0)
    assert pick(table(clerk_a, "day"), "label", "received") == [{"label": "2026-12-01", "received": 5}]
    assert pick(table(clerk_a, "month"), "label", "received") == [{"label": "2026-12", "received": 5}]
    # the GM sees both centers; a clerk only his own
    assert sorted(r["received"] for r in table(gm, "center")) == [1, 5]


def test_before_the_deadlines_pending_orders_are_not_counted(data_set, clerk_a):
    # at 09:20 nothing but the answered inquiry and o1 have responded, and no deadline has passed yet
    early = selectors.kpi_table(user=clerk_a.user, group="center", start=DAY_START, end=DAY_END, now=m(20))
    (row,) = early
    assert (row["response_met"], row["response_decided"]) == (2, 3)  # o1 on time, o6 at once, o2 (late) counted
    assert (row["resolve_met"], row["resolve_decided"]) == (1, 2)  # only the returned orders


def test_totals_line(data_set, clerk_a):
    total = selectors.kpi_totals(table(clerk_a, "staff"))
    assert (total["received"], total["response_rate"], total["resolve_rate"]) == (5, 40.0, 25.0)


def test_kpi_page_shows_table_chart_and_callbacks_note(data_set, client_for, clerk_a, django_assert_max_num_queries):
    client = client_for(clerk_a)
    # 7 queries are the page's (scope, centers, two GROUP BYs, names, the chart's days); the rest are the shared
    # layout (session, user, one permission lookup per menu item, unread notifications)
    with django_assert_max_num_queries(26):
        resp = client.get(reverse("workorders:kpi"), {"date_from": "2026-12-01", "date_to": "2026-12-01"})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert 'id="kpi-chart"' in html and "<svg" in html and "kpi-bar" in html
    assert "回访模块未启用" not in html and "甲内勤" in html
    assert 'class="text-end kpi-callbacks"' in html  # 回访完成: done / due (WO-07 with the callbacks app installed)
    assert "cdn" not in html.lower()
    assert "乙" not in resp.context["report"].rows[0]["label"]
    by_day = client.get(reverse("workorders:kpi"), {"by": "day", "date_from": "2026-11-25", "date_to": "2026-12-01"})
    assert by_day.status_code == 200 and by_day.content.decode().count('class="kpi-bar"') == 7


def _answer_callback(clerk, order, attitude, now):
    from servicecenter.callbacks import services as callbacks

    task = CallbackTask.objects.get(order=order, kind="after_service")
    callbacks.task_claim(actor=clerk.user, task_id=task.pk, now=now)
    answers = {"a": "yes", "b": attitude, "c": "no", "d": "9", "e": ""}
    return callbacks.task_answer(actor=clerk.user, task_id=task.pk, answers=answers, now=now)


CALLBACK_FIGURES = ("callbacks_done", "callbacks_due", "callbacks_rate", "satisfaction_rate")


@pytest.mark.clause("WO-10")
def test_callbacks_done_per_clerk_serviceman_center_day_and_month(data_set, clerk_a, manager_a):
    # given: o1 and o2 were returned on 12-01 (their callbacks are due 12-02 20:00); o1's customer is called at 16:00
    _answer_callback(clerk_a, data_set["o1"], "satisfied", MORNING + timedelta(hours=7))
    # then at 17:00: o1's callback is done; o2's is not due yet and counts neither way
    assert pick(table(clerk_a, "clerk"), "label", *CALLBACK_FIGURES) == [
        {
            "label": "甲内勤",
            "callbacks_done": 1,
            "callbacks_due": 1,
            "callbacks_rate": 100.0,
            "satisfaction_rate": 100.0,
        },
        {"label": "甲经理", "callbacks_done": 0, "callbacks_due": 0, "callbacks_rate": None, "satisfaction_rate": None},
    ]
    staff = {row["label"]: pick([row], *CALLBACK_FIGURES)[0] for row in table(clerk_a, "staff")}
    assert staff["甲维修工"] == {
        "callbacks_done": 1,
        "callbacks_due": 1,
        "callbacks_rate": 100.0,
        "satisfaction_rate": 100.0,
    }
    assert staff["—"]["callbacks_due"] == 0  # o3 and o6 were never returned: no callback
    for group in ("center", "day", "month"):
        (row,) = table(clerk_a, group)
        assert (row["callbacks_done"], row["callbacks_due"]) == (1, 1), group
    # when o2's deadline has passed (12-03), it is due and not done; answered "average" later it is done
    later = MORNING + timedelta(days=2)
    (row,) = selectors.kpi_table(user=clerk_a.user, group="center", start=DAY_START, end=DAY_END, now=later)
    assert (row["callbacks_done"], row["callbacks_due"], row["callbacks_rate"]) == (1, 2, 50.0)
    _answer_callback(clerk_a, data_set["o2"], "average", later)
    (row,) = selectors.kpi_table(user=clerk_a.user, group="center", start=DAY_START, end=DAY_END, now=later)
    assert pick([row], *CALLBACK_FIGURES)[0] == {
        "callbacks_done": 2,
        "callbacks_due": 2,
        "callbacks_rate": 100.0,
        "satisfaction_rate": 50.0,  # one satisfied of two answers
    }
    total = selectors.kpi_totals(
        selectors.kpi_table(user=clerk_a.user, group="staff", start=DAY_START, end=DAY_END, now=later)
    )
    assert (total["callbacks_done"], total["callbacks_due"], total["satisfaction_rate"]) == (2, 2, 50.0)


def test_a_cancelled_callback_is_not_due(data_set, clerk_a, manager_a):
    from servicecenter.callbacks import services as callbacks

    task = CallbackTask.objects.get(order=data_set["o2"], kind="after_service")
    callbacks.task_cancel(actor=manager_a.user, task_id=task.pk, reason="客户要求不再回访")
    later = MORNING + timedelta(days=2)
    (row,) = selectors.kpi_table(user=clerk_a.user, group="center", start=DAY_START, end=DAY_END, now=later)
    assert (row["callbacks_done"], row["callbacks_due"]) == (0, 1)  # only o1's, overdue


def test_kpi_page_shows_callbacks_done_over_due(data_set, client_for, clerk_a):
    _answer_callback(clerk_a, data_set["o1"], "satisfied", MORNING + timedelta(hours=1))
    resp = client_for(clerk_a).get(reverse("workorders:kpi"), {"date_from": "2026-12-01", "date_to": "2026-12-01"})
    html = resp.content.decode()
    assert ">1 / 1</td>" in html  # the clerk's row and the total
    assert 'href="/callbacks/satisfaction/"' in html


def test_kpi_export_is_an_xlsx_of_the_table(data_set, client_for, clerk_a):
    resp = client_for(clerk_a).get(
        reverse("workorders:kpi_export"), {"by": "clerk", "date_from": "2026-12-01", "date_to": "2026-12-01"}
    )
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxml")
    sheet = load_workbook(io.BytesIO(resp.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert rows[0][:4] == ["内勤", "受理量", "派单量", "回单量"]
    assert rows[0][7:] == ["回访完成", "应回访", "回访满意率 %"]
    assert ["甲内勤", 5, 2, 2] == rows[1][:4]
    assert rows[1][7:] == [0, 0, None]  # no callback decided yet (due 12-02): no rate
    assert rows[-1][0] == "合计"


def test_bad_filters_are_a_400_and_no_permission_is_a_403(client_for, clerk_a, worker_a):
    client = client_for(clerk_a)
    assert (
        client.get(reverse("workorders:kpi"), {"date_from": "2026-12-02", "date_to": "2026-12-01"}).status_code == 400
    )
    assert (
        client.get(reverse("workorders:kpi"), {"date_from": "2025-01-01", "date_to": "2026-12-01"}).status_code == 400
    )
    assert client.get(reverse("workorders:kpi"), {"by": "password"}).status_code == 400
    assert client.get(reverse("workorders:kpi_export"), {"date_from": "bad"}).status_code == 400
    assert client_for(worker_a).get(reverse("workorders:kpi")).status_code == 403
