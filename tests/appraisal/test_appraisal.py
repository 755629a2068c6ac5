"""The monthly appraisal (issue 6 item 7; PTS-22, PTS-14): a person's month from the ledger, orders, callbacks,
ratings and attendance; the pages with their permissions, 404s and pinned, flat query counts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from servicecenter.appraisal import selectors
from servicecenter.renewals.models import RenewalRow
from tests import factories

from .conftest import DAY, MONTH, MORNING, answered, attendance, entry, rating, violation

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def month_on_record(tree, clerk_a, manager_a, worker_a, worker_a2):
    """worker_a's December: 3 orders returned (one resolved late), callbacks satisfied ×2 and dissatisfied ×1, one
    5-star rating, attendance 2 on time + 1 late + 1 absent day, one active and one withdrawn violation, 30 work +
    5 reward points verified (a draft is not counted); worker_a2 has 40 points — the center's best."""
    center, team = tree["a"], tree["a"]
    first = answered(clerk_a, center, worker_a, attitude="satisfied")
    answered(clerk_a, center, worker_a, attitude="satisfied", breached=True)
    answered(clerk_a, center, worker_a, attitude="dissatisfied", score_pct="20")
    rating(first, worker_a, 5)
    for offset, status in enumerate(("on_time", "on_time", "late")):
        attendance(worker_a, team, DAY + timedelta(days=offset), status)
    attendance(worker_a, team, DAY + timedelta(days=3), "absent", absent_days="1")
    attendance(worker_a, team, DAY + timedelta(days=4), "rest")
    violation(worker_a, team, DAY, manager_a.user)
    violation(worker_a, team, DAY, manager_a.user, status="withdrawn")
    entry(worker_a, center, "30")
    entry(worker_a, center, "5", category="reward")
    entry(worker_a, center, "100", status="draft")
    entry(worker_a2, center, "40")
    return worker_a


@pytest.mark.clause("PTS-22")
def test_month_figures_and_composite(tree, month_on_record):
    worker = month_on_record
    data = selectors.month_figures(center=tree["a"], month=MONTH, staff_ids=[worker.pk])
    f = data.figures[worker.pk]
    assert (f.work, f.auxiliary, f.total, data.best_total) == (D("30.00"), D("5.00"), D("35.00"), D("40.00"))
    assert (f.returned, f.responded_on_time, f.resolved_on_time, f.resolve_rate) == (3, 3, 2, D("66.7"))
    assert (f.cb_done, f.cb_satisfied, f.cb_dissatisfied, f.ratings, f.ratings_good) == (3, 2, 1, 1, 1)
    assert f.satisfied_rate == D("75.0")  # (2 satisfied callbacks + 1 good rating) ÷ (3 + 1)
    assert (f.late, f.absent, f.absent_days, f.worked_days, f.violations) == (1, 1, D("1.0"), 4, 1)
    assert f.scores == {"points": D("87.5"), "sla": D("66.7"), "satisfaction": D("75.0"), "attendance": D("70.0")}
    # 0.4 × 87.5 + 0.2 × 66.7 + 0.2 × 75 + 0.2 × 70 = 77.34
    assert f.composite is not None and f.composite.score == D("77.3")


@pytest.mark.clause("PTS-22")
def test_weights_come_from_the_parameter_with_their_citation(tree, manager_a, month_on_record):
    from servicecenter.policy.services import parameter_set

    parameter_set(
        actor=manager_a.user,
        key="appraisal.weights",
        organization=tree["a"],
        value={"points": 0, "sla": 0, "satisfaction": 100, "attendance": 0},
        effective_from=MONTH,
        reason="只看满意度",
    )
    data = selectors.month_figures(center=tree["a"], month=MONTH, staff_ids=[month_on_record.pk])
    assert data.figures[month_on_record.pk].composite.score == D("75.0")
    assert "PTS-22" in data.params.weights_value.citation


def test_staff_page_shows_every_section_and_links_to_the_rows(client_for, tree, manager_a, month_on_record):
    resp = client_for(manager_a).get(f"/appraisal/{month_on_record.pk}/2026-12/")
    body = resp.content.decode()
    assert resp.status_code == 200
    for marker in ("ap-composite", "ap-points", "ap-sla", "ap-satisfaction", "ap-attendance", "ap-sign"):
        assert f'id="{marker}"' in body
    assert "77.3" in body and "被考评人" in body and "服务中心经理" in body and "window.print()" in body
    assert f"technician={month_on_record.pk}" in body  # the callbacks behind the counts
    assert f"/attendance/staff/{month_on_record.pk}/?month=2026-12" in body
    assert 'id="ap-renewal"' not in body  # not a renewal specialist, no renewal rows
    assert "@page { size: A4 portrait" in body


def test_page_of_a_person_without_any_data_renders(client_for, tree, manager_a, worker_a):
    body = client_for(manager_a).get(f"/appraisal/{worker_a.pk}/2026-12/").content.decode()
    assert "本月各分项均无数据" in body and "无数据" in body


def test_a_component_without_data_is_said_to_be_left_out(client_for, tree, manager_a, worker_a):
    entry(worker_a, tree["a"], "10")
    body = client_for(manager_a).get(f"/appraisal/{worker_a.pk}/2026-12/").content.decode()
    assert 'id="ap-renormalised"' in body and "工单时效" in body


def test_staff_may_open_their_own_page_only(client_for, tree, worker_a, worker_a2):
    client = client_for(worker_a)
    own = client.get(f"/appraisal/{worker_a.pk}/2026-12/")
    assert own.status_code == 200 and "technician=" not in own.content.decode()  # no drill-down for a staff member
    assert client.get(f"/appraisal/{worker_a2.pk}/2026-12/").status_code == 404
    # the overview takes them to their own month
    resp = client.get("/appraisal/")
    assert resp.status_code == 302 and resp["Location"].startswith(f"/appraisal/{worker_a.pk}/")


def test_other_centers_and_bad_months_are_not_found(client_for, tree, manager_a, manager_b, worker_a):
    client = client_for(manager_b)
    assert client.get(f"/appraisal/{worker_a.pk}/2026-12/").status_code == 404
    assert client.get(f"/appraisal/?center={tree['a'].pk}").status_code == 404
    client = client_for(manager_a)
    for month in ("2026-13", "2026-1", "abcd-ef", "2027-01", "1999-12"):
        assert client.get(f"/appraisal/{worker_a.pk}/{month}/").status_code == 404, month
    assert client.get("/appraisal/999999/2026-12/").status_code == 404
    resp = client.get("/appraisal/", {"month": "2026-99"})
    assert resp.status_code == 400 and "YYYY-MM" in resp.content.decode()


def test_finance_and_clerk_read_the_appraisal(client_for, tree, clerk_a, finance_a, worker_a):
    for viewer in (clerk_a, finance_a):
        assert client_for(viewer).get(f"/appraisal/{worker_a.pk}/2026-12/").status_code == 200


def test_overview_lists_the_centers_staff_with_their_scores(client_for, tree, manager_a, month_on_record, worker_b):
    resp = client_for(manager_a).get("/appraisal/", {"center": tree["a"].pk, "month": "2026-12"})
    body = resp.content.decode()
    assert resp.status_code == 200
    assert month_on_record.name in body and "77.3" in body and worker_b.name not in body
    assert f"/appraisal/{month_on_record.pk}/2026-12/" in body


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_are_pinned_and_flat(client_for, tree, clerk_a, manager_a, worker_a, worker_a2):
    client = client_for(manager_a)
    page, overview = f"/appraisal/{worker_a.pk}/2026-12/", f"/appraisal/?center={tree['a'].pk}&month=2026-12"
    client.get(page)  # warm the session and permission caches
    answered(clerk_a, tree["a"], worker_a)
    entry(worker_a, tree["a"], "3")
    before = (_queries(client, page), _queries(client, overview))
    for _ in range(4):
        order = answered(clerk_a, tree["a"], worker_a, attitude="average")
        rating(order, worker_a, 2)
        answered(clerk_a, tree["a"], worker_a2)
    for offset in range(5):
        attendance(worker_a, tree["a"], DAY + timedelta(days=offset), "late")
        entry(worker_a2, tree["a"], "2")
    after = (_queries(client, page), _queries(client, overview))
    assert before == after
    assert after[0] <= 24 and after[1] <= 24, after


@pytest.mark.clause("PTS-22")
def test_staff_page_query_count_is_bounded(client_for, django_assert_max_num_queries, tree, manager_a, month_on_record):
    client = client_for(manager_a)
    with django_assert_max_num_queries(24):
        assert client.get(f"/appraisal/{month_on_record.pk}/2026-12/").status_code == 200


def test_renewal_section_for_the_specialist_shows_the_rate_against_the_target(client_for, tree, manager_a):
    specialist = factories.make_staff(tree["a"], "renewal_specialist", name="甲续费")
    client = client_for(manager_a)
    body = client.get(f"/appraisal/{specialist.pk}/2026-12/").content.decode()
    assert 'id="ap-renewal"' in body and "70%" in body  # no rows yet: the target, no rate
    for n in range(10):
        RenewalRow.objects.create(
            organization=tree["a"],
            month=MONTH,
            kind="due",
            subscriber_no=f"U{n:03d}",
            name=f"用户{n}",
            tier="6.0",
            assignee=specialist,
            outcome="renewed" if n < 7 else "refused",
        )
    body = client.get(f"/appraisal/{specialist.pk}/2026-12/").content.decode()
    assert 'id="ap-renewal-rate"' in body and "70%" in body and "达标" in body and "未达标" not in body


def test_renewal_rows_alone_bring_the_section(client_for, tree, manager_a, worker_a):
    RenewalRow.objects.create(
        organization=tree["a"], month=MONTH, kind="due", subscriber_no="U1", name="用户", tier="6.0", assignee=worker_a
    )
    body = client_for(manager_a).get(f"/appraisal/{worker_a.pk}/2026-12/").content.decode()
    assert 'id="ap-renewal"' in body


def test_after_lock_reversals_of_the_person_are_listed(client_for, tree, manager_a, worker_a, worker_a2):
    from servicecenter.points.models import MonthClose

    MonthClose.objects.create(organization=tree["a"], month=MONTH, status="locked", locked_at=MORNING)
    original = entry(worker_a, tree["a"], "5")
    reversal = entry(worker_a, tree["a"], "-5")
    other = entry(worker_a2, tree["a"], "-1")
    type(reversal).objects.filter(pk=reversal.pk).update(after_lock=True, reverses=original, reason="重复计分")
    type(other).objects.filter(pk=other.pk).update(after_lock=True, reason="别人的冲正")
    body = client_for(manager_a).get(f"/appraisal/{worker_a.pk}/2026-12/").content.decode()
    assert "重复计分" in body and "别人的冲正" not in body and "已复核锁定" in body
