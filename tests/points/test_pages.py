"""The points staff pages: 每日积分核对 (PTS-04, G-04), 积分明细 and 积分记录 with 冲正, 月度复核 and its print view
(PTS-09, C-08), 及时奖励 (PTS-28). Permissions (403 / 404), bad input (400), conflicts (409), query counts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from servicecenter.points import policies, services
from servicecenter.points.choices import Category, EntryStatus, MonthStatus, RequestStatus, Source
from servicecenter.points.models import DailyCheck, InstantReward, MonthClose, PointEntry, ReversalRequest
from tests import factories

from .conftest import MORNING, approve_pending

pytestmark = pytest.mark.django_db
DAY = MORNING.date()  # 2026-12-01
NOV = date(2026, 11, 1)
DAILY = reverse("points:daily")


def post(
    center, staff, day=DAY, points="2", key=None, status=EntryStatus.DRAFT, source=Source.WORK_ORDER, source_id=None
):
    rule = policies.Rule(
        Decimal(points), Category.WORK, "workorder.returned", "PTS-04", f"依据 PTS-04：测试 {points} 分"
    )
    key = key or f"test:{staff.pk}:{day}:{PointEntry.objects.count()}"
    services.entries_post(
        [services.Draft(center.pk, staff.pk, day, rule, source, source_id, f"单 {key}", key, status=status)]
    )
    return PointEntry.objects.get(key=key)


def daily(center, day=DAY):
    return f"{DAILY}?center={center.pk}&day={day:%Y-%m-%d}"


# --- 每日积分核对 ------------------------------------------------------------------------------------------------


@pytest.mark.clause("PTS-04")
@pytest.mark.clause("G-04")
def test_daily_page_groups_per_staff_and_shows_the_g04_banner(tree, client_for, clerk_a, worker_a, worker_a2):
    e1 = post(tree["a"], worker_a, points="3")
    post(tree["a"], worker_a, points="1")
    post(tree["a"], worker_a2, points="2")
    client = client_for(clerk_a)
    resp = client.get(DAILY)  # default: the clerk's center, today
    body = resp.content.decode()
    assert resp.status_code == 200
    assert body.count('class="card mb-2 staff-group"') == 2
    assert worker_a.name in body and worker_a.staff_no in body and "4.00" in body  # per-staff total
    assert "6.00" in body  # the day's total
    assert "依据 PTS-04：测试 3 分" in body  # the «why?» shows the stored citation
    assert f'value="{e1.pk}"' in body and "核对全部" in body
    assert "迟到/早退/旷工扣分标准未设定，考勤扣分暂不计入（G-04）" in body
    assert "/policy/parameters/points.deduction.late/" in body


@pytest.mark.clause("G-04")
def test_no_g04_banner_once_the_deductions_are_set(tree, client_for, clerk_a, deductions_a):
    body = client_for(clerk_a).get(daily(tree["a"])).content.decode()
    assert "扣分标准未设定" not in body and "g04-banner" not in body


def test_daily_page_source_links(tree, client_for, clerk_a, worker_a, at_morning):
    from tests.workorders.field_support import returned

    order = returned(clerk_a, tree["a"], worker_a)
    body = client_for(clerk_a).get(daily(tree["a"])).content.decode()
    assert reverse("workorders:order_detail", args=[order.pk]) in body


def test_daily_page_permissions_and_bad_input(tree, client_for, clerk_a, manager_b, worker_a):
    assert client_for(worker_a).get(DAILY).status_code == 403  # a serviceman does not verify points
    assert client_for(manager_b).get(daily(tree["a"])).status_code == 404  # another center's day
    client = client_for(clerk_a)
    assert client.get(f"{DAILY}?day=2026-13-45").status_code == 400
    assert client.get(f"{DAILY}?center=abc").status_code == 400


@pytest.mark.clause("PTS-04")
def test_a_checked_past_day_collapses_verified_staff_and_opens_on_request(
    tree, client_for, clerk_a, worker_a, worker_a2
):
    past = date(2026, 11, 30)
    done = post(tree["a"], worker_a, day=past, status=EntryStatus.VERIFIED)
    draft = post(tree["a"], worker_a2, day=past)
    client = client_for(clerk_a)
    body = client.get(daily(tree["a"], past)).content.decode()
    # worker A is all verified: one line with a link; worker A2 has a draft: shown in full
    assert f'data-pk="{draft.pk}"' in body and f'data-pk="{done.pk}"' not in body
    assert "1 人的积分均已核对，已折叠" in body and f"open={worker_a.pk}" in body
    assert f'data-pk="{done.pk}"' in client.get(daily(tree["a"], past) + f"&open={worker_a.pk}").content.decode()
    assert f'data-pk="{done.pk}"' in client.get(daily(tree["a"], past) + "&open=all").content.decode()
    # today's page always shows every row (the clerk sees what was verified)
    today = post(tree["a"], worker_a, status=EntryStatus.VERIFIED)
    assert f'data-pk="{today.pk}"' in client.get(daily(tree["a"])).content.decode()


@pytest.mark.clause("PTS-04")
def test_daily_page_query_count_is_flat(tree, client_for, clerk_a, worker_a, worker_a2, django_assert_max_num_queries):
    client = client_for(clerk_a)
    post(tree["a"], worker_a)
    client.get(daily(tree["a"]))  # warm caches (policy values, nav)
    with django_assert_max_num_queries(30) as few:
        client.get(daily(tree["a"]))
    staff = [factories.make_staff(tree["a"], "service_staff", name=f"甲工{i}") for i in range(6)]
    for i in range(30):
        post(tree["a"], staff[i % 6] if i % 3 else worker_a2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        resp = client.get(daily(tree["a"]))
    assert resp.content.decode().count("entry-row") >= 31


@pytest.mark.clause("PTS-04")
def test_verify_all_then_a_double_click_is_refused_clearly(tree, client_for, clerk_a, worker_a):
    e1, e2 = post(tree["a"], worker_a), post(tree["a"], worker_a)
    client = client_for(clerk_a)
    url = reverse("points:daily_verify")
    resp = client.post(url, {"center": tree["a"].pk, "day": "2026-12-01", "all": "1"})
    assert resp.status_code == 302 and resp["Location"] == daily(tree["a"])
    assert set(PointEntry.objects.values_list("status", flat=True)) == {EntryStatus.VERIFIED}
    check = DailyCheck.objects.get(organization=tree["a"], day=DAY)
    assert check.verified_by == clerk_a.user and check.verified_count == 2
    # the second click (the ticked ids, already verified): a clear message, nothing changes
    resp = client.post(url, {"center": tree["a"].pk, "day": "2026-12-01", "entry": [e1.pk, e2.pk]})
    assert resp.status_code == 400 and "已被他人核对" in resp.content.decode()
    body = client.get(daily(tree["a"])).content.decode()
    assert "甲内勤" in body and "btn-verify-all" not in body


@pytest.mark.clause("PTS-04")
def test_verify_ticked_entries_only(tree, client_for, clerk_a, worker_a):
    e1, e2 = post(tree["a"], worker_a), post(tree["a"], worker_a)
    resp = client_for(clerk_a).post(
        reverse("points:daily_verify"), {"center": tree["a"].pk, "day": "2026-12-01", "entry": [e1.pk]}
    )
    assert resp.status_code == 302
    e1.refresh_from_db()
    e2.refresh_from_db()
    assert (e1.status, e2.status) == (EntryStatus.VERIFIED, EntryStatus.DRAFT)


def test_verify_bad_input_and_permissions(tree, client_for, clerk_a, finance_a, manager_b, worker_a):
    post(tree["a"], worker_a)
    url = reverse("points:daily_verify")
    client = client_for(clerk_a)
    resp = client.post(url, {"center": tree["a"].pk, "day": "2026-12-01"})  # nothing ticked
    assert resp.status_code == 400 and "请勾选要核对的记录" in resp.content.decode()
    assert client.post(url, {"center": tree["a"].pk, "day": "2026-12-02", "all": "1"}).status_code == 400  # future
    assert client.post(url, {"center": tree["a"].pk, "day": "x", "all": "1"}).status_code == 400
    # the finance clerk reads the day but does not verify it
    assert client_for(finance_a).get(daily(tree["a"])).status_code == 200
    assert client_for(finance_a).post(url, {"center": tree["a"].pk, "day": "2026-12-01", "all": "1"}).status_code == 403
    assert client_for(manager_b).post(url, {"center": tree["a"].pk, "day": "2026-12-01", "all": "1"}).status_code == 404
    assert PointEntry.objects.get().status == EntryStatus.DRAFT


# --- 积分明细 / 积分记录 ----------------------------------------------------------------------------------------


def test_ledger_filters_and_pages(tree, client_for, clerk_a, worker_a, worker_a2, django_assert_max_num_queries):
    for _i in range(55):
        post(tree["a"], worker_a)
    post(tree["a"], worker_a2, points="7", day=date(2026, 11, 20))
    client = client_for(clerk_a)
    url = reverse("points:ledger")
    with django_assert_max_num_queries(30):
        resp = client.get(url)
    assert resp.status_code == 200 and resp.content.decode().count('class="ledger-row') == 50
    assert "第 1 / 2 页" in resp.content.decode()
    body = client.get(url, {"month": "2026-11"}).content.decode()
    assert body.count('class="ledger-row') == 1 and "7.00" in body
    assert client.get(url, {"staff": worker_a2.pk}).content.decode().count('class="ledger-row') == 1
    assert client.get(url, {"reversals": "1"}).content.decode().count('class="ledger-row') == 0
    assert client.get(url, {"month": "2026-13"}).status_code == 400
    assert client.get(url, {"status": "bogus"}).status_code == 400
    assert client_for(worker_a).get(url).status_code == 403


def test_entry_page_and_reversal_in_an_open_month(tree, client_for, clerk_a, worker_a, manager_b):
    entry = post(tree["a"], worker_a, points="3")
    client = client_for(clerk_a)
    url = reverse("points:entry", args=[entry.pk])
    body = client.get(url).content.decode()
    assert "依据 PTS-04：测试 3 分" in body and "reverse-form" in body
    rev = reverse("points:entry_reverse", args=[entry.pk])
    resp = client.post(rev, {"reason": ""})
    assert resp.status_code == 400 and "请写明冲正原因" in resp.content.decode()
    resp = client.post(rev, {"reason": "重复计分"})
    assert resp.status_code == 302
    reversal = PointEntry.objects.get(reverses=entry)
    assert reversal.points == Decimal("-3.00") and not reversal.after_lock
    body = client.get(url).content.decode()
    assert "已被冲正" in body and f"#{reversal.pk}" in body and "reverse-form" not in body
    # a second submit (double click / stale tab) is a conflict, said clearly
    resp = client.post(rev, {"reason": "重复计分"})
    assert resp.status_code == 409 and "该记录已被冲正" in resp.content.decode()
    assert client_for(manager_b).get(url).status_code == 404
    assert client_for(manager_b).post(rev, {"reason": "跨中心"}).status_code == 404
    assert client_for(worker_a).post(rev, {"reason": "无权"}).status_code in (403, 404)


# --- 月度复核 ---------------------------------------------------------------------------------------------------


def _november(tree, worker_a):
    return post(tree["a"], worker_a, day=date(2026, 11, 11), points="4", key="nov:1")


@pytest.mark.clause("PTS-09")
@pytest.mark.clause("C-08")
def test_month_page_lock_print_and_after_lock_reversal(tree, client_for, clerk_a, finance_a, manager_a, worker_a):
    entry = _november(tree, worker_a)
    url = reverse("points:month", args=[tree["a"].pk, "2026-11"])
    lock = reverse("points:month_lock", args=[tree["a"].pk, "2026-11"])
    fin = client_for(finance_a)
    body = fin.get(url).content.decode()
    assert "未锁定" in body and "2026-12-05" in body and "drafts-left" in body
    assert daily(tree["a"], date(2026, 11, 11)) in body.replace("&amp;", "&")
    resp = fin.post(lock, {"note": ""})
    assert resp.status_code == 400 and "未核对" in resp.content.decode()
    services.day_verify(actor=clerk_a.user, organization=tree["a"], day=entry.day)
    assert client_for(clerk_a).post(lock, {}).status_code == 403  # the order clerk does not lock
    fin = client_for(finance_a)
    resp = fin.post(lock, {"note": "核查无误"})
    assert resp.status_code == 302
    close = MonthClose.objects.get(organization=tree["a"], month=NOV)
    assert close.status == MonthStatus.LOCKED and close.locked_by == finance_a.user
    assert fin.post(lock, {"note": ""}).status_code == 409
    body = fin.get(url).content.decode()
    assert "已复核锁定" in body and finance_a.name in body and "lock-form" not in body
    printed = fin.get(reverse("points:month_print", args=[tree["a"].pk, "2026-11"])).content.decode()
    assert "复核人" in printed and finance_a.name in printed and "服务中心经理签字" in printed
    # after the lock: a reversal is a request to the manager
    rev = reverse("points:entry_reverse", args=[entry.pk])
    resp = fin.post(rev, {"reason": "工单重复计分"}, follow=True)
    assert "已申请冲正，待经理审批" in resp.content.decode()
    request = ReversalRequest.objects.get(entry=entry)
    assert request.status == RequestStatus.PENDING and not PointEntry.objects.filter(reverses=entry).exists()
    approve_pending(request.approval, manager_a)
    body = fin.get(reverse("points:entry", args=[entry.pk])).content.decode()
    assert "锁定后冲正" in body and manager_a.name in body
    body = fin.get(url).content.decode()
    assert 'class="after-lock-row"' in body and "table-warning changed" in body


@pytest.mark.clause("PTS-09")
def test_month_permissions_and_bad_month(tree, client_for, finance_a, manager_b, worker_a, clerk_a):
    url = reverse("points:month", args=[tree["a"].pk, "2026-11"])
    assert client_for(manager_b).get(url).status_code == 404
    assert client_for(worker_a).get(url).status_code == 403
    assert client_for(finance_a).get(reverse("points:month", args=[tree["a"].pk, "2026-1x"])).status_code == 404
    # the current month cannot be locked yet
    resp = client_for(finance_a).post(reverse("points:month_lock", args=[tree["a"].pk, "2026-12"]), {})
    assert resp.status_code == 400 and "尚未结束" in resp.content.decode()
    # the index: the user's center, the previous month
    resp = client_for(clerk_a).get(reverse("points:month_index"))
    assert resp.status_code == 200 and resp.context["center"] == tree["a"] and resp.context["month"] == NOV


# --- 及时奖励 ---------------------------------------------------------------------------------------------------


@pytest.mark.clause("PTS-28")
def test_instant_reward_form_and_list(tree, client_for, clerk_a, manager_a, worker_a, manager_b):
    client = client_for(clerk_a)
    new = reverse("points:reward_create")
    assert client.get(new).status_code == 200
    resp = client.post(new, {"center": tree["a"].pk, "staff": worker_a.pk, "day": "2026-12-01", "reason": "雨夜抢修"})
    assert resp.status_code == 400 and "请填写奖励积分或奖励金额" in resp.content.decode()
    resp = client.post(
        new, {"center": tree["a"].pk, "staff": worker_a.pk, "day": "2026-12-09", "points": "5", "reason": "雨夜抢修"}
    )
    assert resp.status_code == 400 and "不能晚于今天" in resp.content.decode()
    resp = client.post(
        new,
        {
            "center": tree["a"].pk,
            "staff": worker_a.pk,
            "day": "2026-12-01",
            "points": "5",
            "amount_cny": "100",
            "reason": "雨夜抢修",
        },
    )
    assert resp.status_code == 302
    reward = InstantReward.objects.get()
    assert reward.status == RequestStatus.PENDING and reward.amount_cny == Decimal("100.00")
    body = client.get(reverse("points:rewards")).content.decode()
    assert "雨夜抢修" in body and "待审批" in body and f"/approvals/requests/{reward.approval_id}/" in body
    approve_pending(reward.approval, manager_a)
    assert "已批准" in client.get(reverse("points:rewards")).content.decode()
    assert client_for(worker_a).get(new).status_code == 403
    assert client_for(manager_b).get(f"{new}?center={tree['a'].pk}").status_code == 404
