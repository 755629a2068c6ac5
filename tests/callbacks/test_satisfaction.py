"""满意度统计 (CB-18, CB-15, C-10) on a small hand-built data set worked through the real services: exact figures per
staff member, team, center and month, scope, drill-down links, the .xlsx export, the charts and the query count."""

from __future__ import annotations

import html
import io
import re
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from servicecenter.callbacks import reports, services, surveys
from servicecenter.callbacks.models import CallbackTask
from servicecenter.complaints import services as complaint_services
from servicecenter.policy.services import parameter_set
from servicecenter.workorders import services as order_services
from tests import factories

from .conftest import SH, intake, png_bytes, returned

pytestmark = pytest.mark.django_db
URL = "/callbacks/satisfaction/"
DECEMBER = reports.Period.of(date(2026, 12, 1))

# (who, attitude b, solved a, charged c, score d): 10 callbacks of December in center A.
# 甲维修工 (at the center itself): 6 done — satisfied 4, average 1, dissatisfied 1; scores 10 9 9 8 8 3; solved 4;
# one unexpected charge (the customer says he paid, the order records no fee: CB-04).
# 甲班组师傅 (in the center's team): 4 done — satisfied 3, average 1; scores 8 7 6 5; all solved.
PLAN = (
    ("w", "satisfied", "yes", "no", 10),
    ("w", "satisfied", "yes", "no", 9),
    ("w", "satisfied", "yes", "no", 9),
    ("w", "satisfied", "yes", "yes", 8),
    ("w", "average", "no", "no", 8),
    ("w", "dissatisfied", "no", "no", 3),
    ("t", "satisfied", "yes", "no", 8),
    ("t", "satisfied", "yes", "no", 7),
    ("t", "satisfied", "yes", "no", 6),
    ("t", "average", "yes", "no", 5),
)


def _answer(clerk, order, attitude="satisfied", solved="yes", charged="no", score=9, now=None):
    task = CallbackTask.objects.get(order=order, kind="after_service")
    services.task_claim(actor=clerk.user, task_id=task.pk, now=now)
    services.task_answer(
        actor=clerk.user,
        task_id=task.pk,
        answers={"a": solved, "b": attitude, "c": charged, "d": str(score), "e": ""},
        now=now,
    )
    return task


def _returned_on(clerk, center, worker, at, phone):
    """An order taken, dispatched, worked and returned on `at` (the clock travels there: created_at agrees)."""
    with time_machine.travel(at, tick=False):
        order = intake(clerk, center, now=at, phone=phone)
        order_services.order_dispatch(actor=clerk.user, order_id=order.pk, assignee_id=worker.pk, now=at)
        order_services.order_accept(actor=worker.user, order_id=order.pk, now=at + timedelta(minutes=1))
        order_services.order_arrive(actor=worker.user, order_id=order.pk, now=at + timedelta(minutes=2))
        return order_services.order_complete(
            actor=worker.user,
            order_id=order.pk,
            work_content="处理完毕",
            service_started_at=at + timedelta(minutes=2),
            service_ended_at=at + timedelta(minutes=3),
            signature_png=png_bytes(),
            signer_name="客户",
            now=at + timedelta(minutes=4),
        )


@pytest.fixture
def team_worker(tree):
    return factories.make_staff(tree["team_a"], "service_staff", name="甲班组师傅", role_org=tree["a"])


@pytest.fixture
def data_set(tree, clerk_a, manager_a, worker_a, team_worker, worker_b):
    """Center A: the 10 answered callbacks of PLAN, one unreachable (甲维修工) and one pending (甲班组师傅), all due
    2026-12-02 20:00; one answered callback in November (satisfied, 10). Three complaints received in December: one
    against 甲维修工 answered on time, one against 甲班组师傅 answered late, one against nobody still open.
    Center B: one answered callback (satisfied, 10)."""
    people = {"w": worker_a, "t": team_worker}
    orders = {"w": [], "t": []}
    for i, (who, attitude, solved, charged, score) in enumerate(PLAN):
        order = returned(clerk_a, tree["a"], people[who], phone=f"1390000{i:04d}")
        _answer(clerk_a, order, attitude, solved, charged, score)
        orders[who].append(order)
    unreachable = returned(clerk_a, tree["a"], worker_a, phone="13900000100")
    task = CallbackTask.objects.get(order=unreachable)
    for _ in range(3):
        services.task_record_attempt(actor=clerk_a.user, task_id=task.pk, result="no_answer")
    pending = returned(clerk_a, tree["a"], team_worker, phone="13900000101")
    november = _returned_on(clerk_a, tree["a"], worker_a, datetime(2026, 11, 10, 10, 0, tzinfo=SH), "13900000102")
    _answer(clerk_a, november, score=10, now=datetime(2026, 11, 11, 10, 0, tzinfo=SH))
    clerk_b = factories.make_staff(tree["b"], "order_clerk", name="乙内勤")
    _answer(clerk_b, returned(clerk_b, tree["b"], worker_b, phone="13900000200"), score=10)

    def complaint(against=None, **extra):
        return complaint_services.complaint_create(
            actor=manager_a.user,
            organization=tree["a"],
            channel="phone",
            complainant_name="投诉人",
            phone="13900000300",
            summary="维修不及时",
            details="师傅迟到两小时",
            against_staff_id=against.pk if against else None,
            **extra,
        )

    on_time = complaint(worker_a)
    complaint_services.complaint_acknowledge(actor=manager_a.user, complaint_id=on_time.pk)
    complaint_services.complaint_resolve(actor=manager_a.user, complaint_id=on_time.pk, response="已道歉并上门复查")
    late = complaint(team_worker)
    complaint_services.complaint_acknowledge(actor=manager_a.user, complaint_id=late.pk)
    complaint_services.complaint_resolve(
        actor=manager_a.user,
        complaint_id=late.pk,
        response="已处理",
        now=datetime(2026, 12, 10, 10, 0, tzinfo=SH),  # after the 3-working-day deadline (G-01)
    )
    complaint()
    return {"w": worker_a, "t": team_worker, "orders": orders, "pending": pending, "unreachable": unreachable}


def table(user, group, period=DECEMBER, **scope):
    return reports.satisfaction_table(where=reports.Scope(user=user, **scope), group=group, period=period)


def pick(row, *names):
    return {name: row[name] for name in names}


FIGURES = (
    "done",
    "satisfied",
    "average",
    "dissatisfied",
    "satisfaction_rate",
    "score_avg",
    "pct_avg",
    "solved_rate",
    "unsolved",
    "mismatch",
    "mismatch_rate",
    "due",
    "due_done",
    "due_unreachable",
    "due_pending",
    "completion_rate",
    "unreachable",
    "complaints",
    "cmp_on_time_rate",
)


# --- figures -------------------------------------------------------------------------------------------------------


@pytest.mark.clause("CB-18", "C-10")
def test_per_staff_figures_are_exact(data_set, manager_a):
    rows = {row["label"]: row for row in table(manager_a.user, "staff")}
    assert set(rows) == {"甲维修工", "甲班组师傅", "（未指定人员）"}
    assert pick(rows["甲维修工"], *FIGURES) == {
        "done": 6,
        "satisfied": 4,
        "average": 1,
        "dissatisfied": 1,
        "satisfaction_rate": 66.7,  # 4 / 6
        "score_avg": 7.8,  # (10+9+9+8+8+3) / 6 = 7.83
        "pct_avg": 75.9,  # (100+88.9+88.9+77.8+77.8+22.2) / 6 = 75.93 (C-10: (s−1)×100/9)
        "solved_rate": 66.7,
        "unsolved": 2,
        "mismatch": 1,
        "mismatch_rate": 16.7,
        "due": 7,  # 6 done + the unreachable one, due 2026-12-02
        "due_done": 6,
        "due_unreachable": 1,
        "due_pending": 0,
        "completion_rate": 85.7,
        "unreachable": 1,
        "complaints": 1,
        "cmp_on_time_rate": 100.0,
    }
    assert pick(rows["甲班组师傅"], *FIGURES) == {
        "done": 4,
        "satisfied": 3,
        "average": 1,
        "dissatisfied": 0,
        "satisfaction_rate": 75.0,
        "score_avg": 6.5,
        "pct_avg": 61.1,  # (77.8+66.7+55.6+44.4) / 4 = 61.125
        "solved_rate": 100.0,
        "unsolved": 0,
        "mismatch": 0,
        "mismatch_rate": 0.0,
        "due": 5,
        "due_done": 4,
        "due_unreachable": 0,
        "due_pending": 1,
        "completion_rate": 80.0,
        "unreachable": 0,
        "complaints": 1,
        "cmp_on_time_rate": 0.0,  # answered after resolve_due_at
    }
    # the complaint against nobody is the row without a person; it has no callbacks
    assert pick(rows["（未指定人员）"], "done", "complaints", "cmp_on_time_rate") == {
        "done": 0,
        "complaints": 1,
        "cmp_on_time_rate": None,
    }
    assert rows["甲维修工"]["sub"] == manager_a.organization.name  # the person's unit


@pytest.mark.smoke
@pytest.mark.clause("CB-18")
def test_totals_are_the_ten_callbacks_of_the_plan(data_set, manager_a):
    total = reports.totals(table(manager_a.user, "staff"))
    assert pick(total, *FIGURES) == {
        "done": 10,
        "satisfied": 7,
        "average": 2,
        "dissatisfied": 1,
        "satisfaction_rate": 70.0,
        "score_avg": 7.3,  # 73 / 10
        "pct_avg": 70.0,  # 700.1 / 10
        "solved_rate": 80.0,
        "unsolved": 2,
        "mismatch": 1,
        "mismatch_rate": 10.0,
        "due": 12,
        "due_done": 10,
        "due_unreachable": 1,
        "due_pending": 1,
        "completion_rate": 83.3,
        "unreachable": 1,
        "complaints": 3,
        "cmp_on_time_rate": 50.0,
    }
    # every grouping adds up to the same totals
    for group in ("team", "center"):
        assert pick(reports.totals(table(manager_a.user, group)), *FIGURES) == pick(total, *FIGURES)


@pytest.mark.clause("CB-18")
def test_team_rows_are_the_staff_units(data_set, manager_a, tree):
    rows = {row["key"]: row for row in table(manager_a.user, "team")}
    center, team = rows[tree["a"].pk], rows[tree["team_a"].pk]
    assert (center["label"], center["sub"], center["done"]) == (tree["a"].name, "", 6)
    assert (team["label"], team["sub"], team["done"]) == (tree["team_a"].name, tree["a"].name, 4)
    assert rows[None]["complaints"] == 1  # the complaint against nobody
    # the team filter narrows every source to the unit's people
    (only,) = table(manager_a.user, "staff", team=tree["team_a"])
    assert (only["label"], only["done"], only["complaints"]) == ("甲班组师傅", 4, 1)


@pytest.mark.clause("CB-18")
def test_month_trend_has_twelve_months_in_order(data_set, manager_a):
    rows = table(manager_a.user, "month", period=reports.Period.of(date(2026, 12, 1), 12))
    assert [row["label"] for row in rows] == [f"2026-{m:02d}" for m in range(1, 13)]
    november, december = rows[-2], rows[-1]
    assert pick(november, "done", "satisfaction_rate", "pct_avg", "due", "complaints") == {
        "done": 1,
        "satisfaction_rate": 100.0,
        "pct_avg": 100.0,
        "due": 1,
        "complaints": 0,
    }
    total = reports.totals(table(manager_a.user, "staff"))
    assert pick(december, *FIGURES) == pick(total, *FIGURES)  # the month row is the month's report
    assert all(row["done"] == 0 and row["satisfaction_rate"] is None for row in rows[:10])


@pytest.mark.smoke
@pytest.mark.clause("CB-18")
def test_many_centers_trend_equals_the_sum_of_the_centers(data_set, gm, tree):
    # many centers are counted month by month (UNION ALL), one center by a GROUP BY: both must agree
    period = reports.Period.of(date(2026, 12, 1), 12)
    wide = table(gm.user, "month", period=period)
    a = table(gm.user, "month", period=period, center=tree["a"])
    b = table(gm.user, "month", period=period, center=tree["b"])
    assert [row["label"] for row in wide] == [row["label"] for row in a]
    for name in reports.COUNTS:
        assert [row[name] for row in wide] == [x[name] + y[name] for x, y in zip(a, b, strict=True)], name
    assert (wide[-1]["done"], wide[-2]["done"], wide[-1]["pct_avg"]) == (11, 1, 72.7)  # (700.1 + 100) / 11


@pytest.mark.clause("CB-18")
def test_kind_filter(data_set, manager_a):
    (row,) = [r for r in table(manager_a.user, "center", kind="courtesy")]
    assert (row["done"], row["complaints"]) == (0, 3)  # no courtesy callbacks; complaints are not callbacks
    assert table(manager_a.user, "center", kind="after_service")[0]["done"] == 10


@pytest.mark.clause("CB-18")
def test_empty_month_has_no_rows_and_no_rates(data_set, manager_a, client_for):
    october = reports.Period.of(date(2026, 10, 1))
    assert table(manager_a.user, "staff", period=october) == []
    total = reports.totals([])
    assert (total["done"], total["satisfaction_rate"], total["pct_avg"], total["completion_rate"]) == (
        0,
        None,
        None,
        None,
    )
    resp = client_for(manager_a).get(URL, {"month": "2026-10"})
    assert resp.status_code == 200
    assert 'id="sat-empty"' in resp.content.decode()
    assert resp.context["summary"]["done"] == 0


@pytest.mark.clause("C-10")
def test_normalised_score_compares_centers_with_different_scales(
    tree, clerk_a, manager_a, manager_b, worker_a, worker_b, gm
):
    # given: center B scores 1–5 (its own parameter), center A the D02 1–10
    parameter_set(
        actor=manager_b.user,
        key="callbacks.score_range",
        organization=tree["b"],
        value={"min": 1, "max": 5},
        effective_from=date(2026, 12, 1),
        reason="政务大厅五分制",
    )
    clerk_b = factories.make_staff(tree["b"], "order_clerk", name="乙内勤")
    for i, score in enumerate((5, 3)):
        _answer(clerk_b, returned(clerk_b, tree["b"], worker_b, phone=f"1370000{i:04d}"), score=score)
    for i, score in enumerate((10, 6)):
        _answer(clerk_a, returned(clerk_a, tree["a"], worker_a, phone=f"1360000{i:04d}"), score=score)
    # when
    rows = {row["key"]: row for row in table(gm.user, "center")}
    # then: raw means are on different scales; the 0–100 means compare them
    a, b = rows[tree["a"].pk], rows[tree["b"].pk]
    assert (a["score_avg"], a["pct_avg"]) == (8.0, 77.8)  # (100 + 55.6) / 2
    assert (b["score_avg"], b["pct_avg"]) == (4.0, 75.0)  # (100 + 50) / 2
    assert reports.totals(list(rows.values()))["pct_avg"] == 76.4  # (100+55.6+100+50) / 4 = 76.4


@pytest.mark.clause("CB-18", "CB-15")
def test_bad_ratings_and_their_reasons(data_set, manager_a, clerk_a):
    # given: a very dissatisfied rating (bad: opens a rectification) and a very satisfied one
    w_order, t_order = data_set["orders"]["w"][0], data_set["orders"]["t"][0]
    surveys.rating_submit(
        order=w_order, level=1, tags=["slow", "attitude_bad"], comment="", channel="on_site", actor=clerk_a.user
    )
    surveys.rating_submit(order=t_order, level=5, tags=["efficient"], comment="", channel="on_site", actor=clerk_a.user)
    # when
    rows = {row["label"]: row for row in table(manager_a.user, "staff")}
    findings = reports.survey_findings(where=reports.Scope(user=manager_a.user), period=DECEMBER)
    # then
    assert pick(rows["甲维修工"], "ratings", "bad_ratings") == {"ratings": 1, "bad_ratings": 1}
    assert pick(rows["甲班组师傅"], "ratings", "bad_ratings") == {"ratings": 1, "bad_ratings": 0}
    bad = {item["code"]: item["n"] for item in findings["bad"]}
    assert bad["slow"] == 1 and bad["attitude_bad"] == 1 and bad["unexpected_charge"] == 0
    assert findings["bad"][0]["n"] == 1  # most frequent first
    assert {item["code"]: item["n"] for item in findings["good"]}["efficient"] == 1
    # the bad rating's mandatory callback is due too (pending, not done)
    assert rows["甲维修工"]["due"] == 8 and rows["甲维修工"]["due_pending"] == 1


# --- scope ---------------------------------------------------------------------------------------------------------


@pytest.mark.clause("CB-18")
def test_a_center_manager_sees_his_center_and_the_gm_all_below(data_set, manager_a, gm, tree):
    assert [c.pk for c in reports.satisfaction_centers(user=manager_a.user)] == [tree["a"].pk]
    assert {row["key"] for row in table(manager_a.user, "center")} == {tree["a"].pk}
    assert "乙服务人员" not in {row["label"] for row in table(manager_a.user, "staff")}
    by_center = {row["key"]: row["done"] for row in table(gm.user, "center")}
    assert by_center == {tree["a"].pk: 10, tree["b"].pk: 1}
    assert table(gm.user, "staff", center=tree["b"])[0]["label"] == "乙服务人员"


def test_pages_refuse_outside_the_scope(data_set, client_for, manager_a, worker_a, tree):
    client = client_for(manager_a)
    assert client.get(URL, {"center": tree["b"].pk}).status_code == 404
    assert client.get(URL, {"team": tree["b"].pk}).status_code == 404
    assert client.get(URL, {"team": "x"}).status_code == 404
    assert client.get(URL, {"center": tree["b"].pk, "format": "xlsx"}).status_code == 404
    assert client_for(worker_a).get(URL).status_code == 403


@pytest.mark.parametrize(
    "params",
    [
        {"month": "2026-13"},
        {"month": "12-2026"},
        {"month": "1999-12"},
        {"month": "2027-01"},  # the future
        {"by": "password"},
        {"kind": "x"},
        {"sort": "x"},
        {"page": "0"},
        {"page": "abc"},
    ],
)
def test_bad_filters_are_a_400_with_a_message(client_for, manager_a, params):
    resp = client_for(manager_a).get(URL, params)
    assert resp.status_code == 400
    assert 'id="sat-errors"' in resp.content.decode()
    assert client_for(manager_a).get(URL, {**params, "format": "xlsx"}).status_code == 400


# --- the page ------------------------------------------------------------------------------------------------------


def _drills(body: str) -> list[dict[str, list[str]]]:
    """The drill-down links of a page (`<a class="drill">` on a count): path and query parameters of each."""
    found = []
    for href in re.findall(r'<a class="drill" href="([^"]+)"', body):
        url = urlsplit(html.unescape(href))
        found.append({"path": [url.path], **parse_qs(url.query)})
    return found


@pytest.mark.smoke
@pytest.mark.clause("CB-18")
def test_page_shows_the_table_the_charts_and_no_cdn(data_set, client_for, manager_a, tree):
    resp = client_for(manager_a).get(URL, {"month": "2026-12"})
    assert resp.status_code == 200
    body = resp.content.decode()
    assert resp.context["report"].group == "staff"  # one center: per staff member by default
    assert [row["label"] for row in resp.context["rows"]] == ["甲班组师傅", "甲维修工", "（未指定人员）"]
    summary = resp.context["summary"]
    assert (summary["done"], summary["satisfaction_rate"], summary["pct_avg"]) == (10, 70.0, 70.0)
    assert '<svg id="sat-trend"' in body and body.count('class="sat-bar"') == 12
    assert 'id="sat-line-satisfaction_rate"' in body and 'id="sat-line-pct_avg"' in body
    assert body.count('class="sat-attitude-part"') == 3
    assert "cdn" not in body.lower() and '<script src="http' not in body
    assert 'href="/complaints/actions/"' in body  # CB-15: the improvement actions
    assert client_for(manager_a).get("/complaints/actions/").status_code == 200


@pytest.mark.clause("CB-18")
def test_counts_link_to_the_lists_they_count(data_set, client_for, manager_a, tree):
    w, center = data_set["w"], tree["a"]
    resp = client_for(manager_a).get(URL, {"month": "2026-12", "center": center.pk})
    row = next(r for r in resp.context["rows"] if r["key"] == w.pk)
    links = {name: urlsplit(url) for name, url in row["links"].items()}
    params = {name: parse_qs(url.query) for name, url in links.items()}
    base = {"month": ["2026-12"], "center": [str(center.pk)], "technician": [str(w.pk)]}
    assert links["done"].path == "/callbacks/queue/history/"
    assert params["done"] == {**base, "status": ["done"]}
    assert params["dissatisfied"] == {**base, "status": ["done"], "attitude": ["dissatisfied"]}
    assert params["unsolved"] == {**base, "status": ["done"], "solved": ["no"]}
    assert params["mismatch"] == {**base, "status": ["done"], "charge_mismatch": ["1"]}
    assert params["unreachable"] == {**base, "status": ["unreachable"]}
    assert links["complaints"].path == "/complaints/"
    assert params["complaints"] == {"month": ["2026-12"], "center": [str(center.pk)], "against_staff": [str(w.pk)]}
    assert links["bad_ratings"].path == "/callbacks/ratings/"
    assert params["bad_ratings"] == {
        "month": ["2026-12"],
        "center": [str(center.pk)],
        "staff": [str(w.pk)],
        "bad": ["1"],
    }
    # the links are in the page, on the numbers they count
    body = resp.content.decode()
    assert f'href="{html.escape(row["links"]["done"])}"' in body
    assert any(
        p["path"] == ["/callbacks/queue/history/"] and p.get("attitude") == ["dissatisfied"] for p in _drills(body)
    )
    # a kind filter is carried to the callback history
    kind = client_for(manager_a).get(URL, {"month": "2026-12", "kind": "after_service"})
    row = next(r for r in kind.context["rows"] if r["key"] == w.pk)
    assert parse_qs(urlsplit(row["links"]["done"]).query)["kind"] == ["after_service"]


def test_every_drill_down_link_opens_its_list(data_set, client_for, manager_a, gm, clerk_a):
    # the lists behind the counts (callback history, complaints, ratings) accept the parameters the report sends
    surveys.rating_submit(
        order=data_set["orders"]["w"][0], level=1, tags=["slow"], comment="", channel="on_site", actor=clerk_a.user
    )
    for staff, params in ((manager_a, {}), (gm, {"by": "staff"}), (gm, {"by": "center"}), (gm, {"by": "month"})):
        client = client_for(staff)
        resp = client.get(URL, {"month": "2026-12", **params})
        links = {url for row in [*resp.context["rows"], resp.context["summary"]] for url in row["links"].values()}
        assert links
        for url in sorted(links):
            assert client.get(url).status_code == 200, url


@pytest.mark.clause("CB-18")
def test_team_and_center_and_month_rows_drill_down(data_set, client_for, gm, tree):
    client = client_for(gm)
    teams = client.get(URL, {"month": "2026-12", "by": "team", "center": tree["a"].pk})
    team_row = next(r for r in teams.context["rows"] if r["key"] == tree["team_a"].pk)
    url = urlsplit(team_row["links"]["done"])
    assert url.path == URL and parse_qs(url.query) == {
        "by": ["staff"],
        "team": [str(tree["team_a"].pk)],
        "month": ["2026-12"],
        "center": [str(tree["a"].pk)],
    }
    staff = client.get(URL + "?" + url.query)
    assert [r["label"] for r in staff.context["rows"]] == ["甲班组师傅"]
    centers = client.get(URL, {"month": "2026-12"})
    assert centers.context["report"].group == "center"  # several centers: per center by default
    b_row = next(r for r in centers.context["rows"] if r["key"] == tree["b"].pk)
    assert parse_qs(urlsplit(b_row["links"]["done"]).query) == {
        "month": ["2026-12"],
        "center": [str(tree["b"].pk)],
        "status": ["done"],
    }
    # every center's staff at once: the ratings list (which offers one center's staff) gets the person's center
    people = client.get(URL, {"month": "2026-12", "by": "staff"})
    team_worker = next(r for r in people.context["rows"] if r["label"] == "甲班组师傅")
    assert parse_qs(urlsplit(team_worker["links"]["ratings"]).query) == {
        "month": ["2026-12"],
        "staff": [str(team_worker["key"])],
        "center": [str(tree["a"].pk)],  # his unit is the team; its center is A
    }
    assert "center" not in parse_qs(urlsplit(team_worker["links"]["done"]).query)
    months = client.get(URL, {"month": "2026-12", "by": "month", "center": tree["a"].pk})
    assert [r["label"] for r in months.context["rows"]][:2] == ["2026-12", "2026-11"]  # newest first
    november = months.context["rows"][1]
    assert parse_qs(urlsplit(november["links"]["done"]).query)["month"] == ["2026-11"]


def test_rows_are_paged_and_sorted(data_set, client_for, manager_a, tree, monkeypatch):
    from servicecenter.callbacks.views import satisfaction

    monkeypatch.setattr(satisfaction, "PAGE_SIZE", 2)
    client = client_for(manager_a)
    first = client.get(URL, {"month": "2026-12", "sort": "rate"})
    assert [r["label"] for r in first.context["rows"]] == ["甲维修工", "甲班组师傅"]  # 66.7 % before 75 %
    assert first.context["pages"] == 2 and "page=2" in first.context["next_url"]
    second = client.get(URL, {"month": "2026-12", "sort": "rate", "page": "2"})
    assert [r["label"] for r in second.context["rows"]] == ["（未指定人员）"]  # no rate: last
    assert second.context["prev_url"] and not second.context["next_url"]
    beyond = client.get(URL, {"month": "2026-12", "page": "9"})
    assert beyond.status_code == 200 and beyond.context["page"] == 2


@pytest.mark.clause("CB-18")
def test_query_count_does_not_grow_with_staff_or_callbacks(data_set, client_for, manager_a, tree, clerk_a):
    client = client_for(manager_a)
    params = {"month": "2026-12", "center": tree["a"].pk}
    client.get(URL, params)  # warm the session and the per-request caches
    with CaptureQueriesContext(connection) as before:
        assert client.get(URL, params).status_code == 200
    # more people, more callbacks
    for i in range(4):
        worker = factories.make_staff(tree["a"], "service_staff", name=f"新师傅{i}")
        _answer(clerk_a, returned(clerk_a, tree["a"], worker, phone=f"1350000{i:04d}"), score=7)
    with CaptureQueriesContext(connection) as after:
        resp = client.get(URL, params)
    assert len(resp.context["rows"]) == 7
    assert len(after) == len(before)


def test_page_query_budget(data_set, client_for, manager_a, gm, tree, django_assert_max_num_queries):
    # 18 = the report's 14 (the grants and the centers; the 12-month trend and the month's grouping: 5 sources each —
    # callbacks ended, callbacks due, complaints, ratings, bad ratings; the names; the CB-15 reasons) + the layout's 4
    # (session, user, the menu's staff record, unread notifications)
    manager = client_for(manager_a)
    with django_assert_max_num_queries(18):
        assert manager.get(URL, {"month": "2026-12"}).status_code == 200
    director = client_for(gm)
    with django_assert_max_num_queries(19):  # + the team lookup
        assert director.get(URL, {"month": "2026-12", "by": "staff", "team": tree["team_a"].pk}).status_code == 200
    with django_assert_max_num_queries(18):  # many centers: the trend's sources are one UNION ALL each
        assert director.get(URL, {"month": "2026-12", "by": "team"}).status_code == 200


# --- the export ----------------------------------------------------------------------------------------------------


@pytest.mark.clause("CB-18")
def test_xlsx_has_every_grouping_with_the_numbers(data_set, client_for, manager_a, tree):
    resp = client_for(manager_a).get(URL, {"month": "2026-12", "format": "xlsx"})
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxml")
    assert "satisfaction-" in resp["Content-Disposition"] and "2026-12" in resp["Content-Disposition"]
    book = load_workbook(io.BytesIO(resp.content))
    assert book.sheetnames == ["按服务人员", "按班组", "按服务中心", "近12个月", "口径说明"]
    staff = book["按服务人员"]
    title = [c.value for c in staff[1]]
    assert title[0] == "满意度统计（CB-18）" and title[1] == tree["a"].name and title[2] == "2026-12"
    header = [c.value for c in staff[3]]
    assert header[:6] == ["服务人员", "回访完成", "满意", "一般", "不满意", "满意率 %"]
    rows = {r[0]: r for r in staff.iter_rows(min_row=4, values_only=True)}
    w = rows[f"甲维修工（{tree['a'].name}）"]
    assert list(w[1:8]) == [6, 4, 1, 1, 66.7, 7.8, 75.9]
    total = rows["合计"]
    assert list(total[1:6]) == [10, 7, 2, 1, 70.0]
    assert total[header.index("回访完成率 %")] == 83.3 and total[header.index("投诉")] == 3
    trend = book["近12个月"]
    assert trend["A1"].value == "满意度统计（CB-18）" and trend["C1"].value == "2026-01 — 2026-12"
    months = [r[0] for r in trend.iter_rows(min_row=4, values_only=True)]
    assert months == [f"2026-{m:02d}" for m in range(1, 13)]


def test_xlsx_is_capped(data_set, client_for, manager_a, monkeypatch):
    from servicecenter.callbacks import report_export

    monkeypatch.setattr(report_export, "EXPORT_CAP", 1)
    book = load_workbook(io.BytesIO(client_for(manager_a).get(URL, {"month": "2026-12", "format": "xlsx"}).content))
    values = [r[0] for r in book["按服务人员"].iter_rows(min_row=4, values_only=True)]
    assert len(values) == 2 and "仅导出前 1 行" in values[-1]


def test_menu_entry_for_those_who_may_see_it(client_for, manager_a, worker_a):
    assert 'href="/callbacks/satisfaction/"' in client_for(manager_a).get(reverse("home")).content.decode()
    assert 'href="/callbacks/satisfaction/"' not in client_for(worker_a).get(reverse("home")).content.decode()
