"""The campaign pages (CB-12): list, create (bad input 400, nothing saved), the page with the response rate, the rating
distribution and the answers, launch / close, the printed list of links and the mailing list; the courtesy summary per
technician (CB-10) with its links to the callback history. Query counts pinned flat in the number of rows."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from servicecenter.callbacks import campaigns, services, surveys
from servicecenter.callbacks.models import CallbackTask, SurveyCampaign, SurveyInvitation
from servicecenter.policy import services as policy_services
from tests import factories

from .conftest import MORNING, SH, returned
from .test_survey_campaigns import returned_on

CAMPAIGN = {
    "name": "十二月意见调查",
    "kind": "ad_hoc",
    "period_start": "2026-12-01",
    "period_end": "2026-12-31",
    "sample_rate": "100",
    "channel": "link",
    "note": "",
}


def _campaign(manager, center, **overrides):
    return campaigns.campaign_create(actor=manager.user, organization=center, **{**CAMPAIGN, **overrides})


@pytest.fixture
def launched(tree, clerk_a, worker_a, manager_a):
    """A link campaign over three November services: one answered 非常满意, one 不满意 (not solved), one open."""
    orders = [
        returned_on(
            clerk_a, tree["a"], worker_a, datetime(2026, 11, 28 + i, 10, 0, tzinfo=SH), customer_name=f"调查{i}"
        )
        for i in range(3)
    ]
    campaign = _campaign(manager_a, tree["a"], period_start="2026-11-01", period_end="2026-11-30")
    campaigns.campaign_launch(actor=manager_a.user, campaign_id=campaign.pk)
    first, second, _third = SurveyInvitation.objects.filter(campaign=campaign).order_by("order__returned_at")
    surveys.survey_answer(surveys.make_token(first), level=5, tags=["tidy"], solved="yes", comment="很好")
    surveys.survey_answer(surveys.make_token(second), level=2, tags=["not_solved"], solved="no", comment="没修好")
    return campaign, orders


def test_campaign_list_shows_counts(client_for, launched, manager_a, django_assert_max_num_queries):
    campaign, _orders = launched
    client = client_for(manager_a)
    client.get(reverse("callbacks:campaigns"))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("callbacks:campaigns"))
    html = response.content.decode()
    assert campaign.name in html and "66.7%" in html  # 2 of 3 answered


@pytest.mark.clause("CB-12")
def test_create_draft_then_launch_and_close_through_the_pages(client_for, tree, clerk_a, worker_a, manager_a):
    returned(clerk_a, tree["a"], worker_a)
    client = client_for(manager_a)
    assert client.get(reverse("callbacks:campaign_create")).status_code == 200
    response = client.post(reverse("callbacks:campaign_create"), {**CAMPAIGN, "center": tree["a"].pk})
    campaign = SurveyCampaign.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "callbacks:campaign_detail", args=[campaign.pk]
    )
    page = client.get(response["Location"]).content.decode()
    assert "可调查的服务 1 单" in page and 'id="campaign-launch"' in page
    launched = client.post(reverse("callbacks:campaign_launch", args=[campaign.pk]), follow=True).content.decode()
    assert "调查已发出" in launched and "发出 1 份" in launched
    again = client.post(reverse("callbacks:campaign_launch", args=[campaign.pk]), follow=True).content.decode()
    assert "已发出或已结束" in again
    assert SurveyInvitation.objects.filter(campaign=campaign).count() == 1
    closed = client.post(reverse("callbacks:campaign_close", args=[campaign.pk]), follow=True).content.decode()
    assert "调查已结束" in closed
    campaign.refresh_from_db()
    assert campaign.status == "closed"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "此项必填"),
        ({"period_end": "2026-11-01"}, "截止日期不能早于起始日期"),
        ({"sample_rate": "0"}, "抽样比例须为"),
        ({"kind": "ad_hoc", "repeat_monthly": "on"}, "只有定期调查可以每月重复"),
        ({"period_start": "not-a-date"}, "请填写有效的日期"),
    ],
)
def test_bad_campaign_form_is_400_with_the_message_and_nothing_saved(client_for, tree, manager_a, overrides, message):
    data = {**CAMPAIGN, "center": tree["a"].pk, **overrides}
    response = client_for(manager_a).post(reverse("callbacks:campaign_create"), data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not SurveyCampaign.objects.exists()


def test_campaign_page_shows_rate_distribution_and_answers(
    client_for, launched, manager_a, django_assert_max_num_queries
):
    campaign, _orders = launched
    client = client_for(manager_a)
    url = reverse("callbacks:campaign_detail", args=[campaign.pk])
    client.get(url)
    with django_assert_max_num_queries(9):  # the campaign, its figures (one aggregate), count + page of answers
        response = client.get(url)
    html = response.content.decode()
    assert 'id="campaign-response-rate">66.7%' in html
    assert 'data-level="5"' in html and "1（50.0%）" in html  # one 非常满意 of two answers
    assert "没修好" in html and "很好" in html and "问题未解决" in html
    assert html.count('class="answer-row"') == 2


def test_campaign_stats_are_exact(launched):
    from servicecenter.callbacks import selectors

    campaign, _orders = launched
    stats = selectors.campaign_stats(campaign=campaign)
    assert (stats["invited"], stats["answered"], stats["opened"], stats["sent"]) == (3, 2, 2, 0)
    assert (stats["solved_yes"], stats["solved_no"], stats["commented"]) == (1, 1, 2)
    assert [(lv["level"], lv["count"], lv["pct"]) for lv in stats["levels"]] == [
        (5, 1, 50.0),
        (4, 0, 0.0),
        (3, 0, 0.0),
        (2, 1, 50.0),
        (1, 0, 0.0),
    ]


@pytest.mark.clause("CB-14")
def test_printed_links_and_mailing_list(client_for, launched, manager_a, django_assert_max_num_queries):
    campaign, orders = launched
    client = client_for(manager_a)
    url = reverse("callbacks:campaign_print", args=[campaign.pk])
    client.get(url)
    with django_assert_max_num_queries(8):
        links = client.get(url).content.decode()
    for invitation in SurveyInvitation.objects.filter(campaign=campaign):
        assert surveys.short_path(invitation) in links and surveys.make_token(invitation) not in links
    assert "已填写" in links and "未填写" in links
    assert orders[0].address not in links and "138****8000" in links  # the link list: masked phones, no address
    post = client.get(url, {"kind": "post"}).content.decode()
    assert orders[0].address in post and "邮寄名单" in post


def test_draft_cannot_be_printed(client_for, tree, manager_a):
    campaign = _campaign(manager_a, tree["a"])
    response = client_for(manager_a).get(reverse("callbacks:campaign_print", args=[campaign.pk]))
    assert response.status_code == 302


def test_campaigns_are_for_managers(client_for, launched, clerk_a, manager_b):
    campaign, _orders = launched
    assert client_for(clerk_a).get(reverse("callbacks:campaigns")).status_code == 403
    assert client_for(manager_b).get(reverse("callbacks:campaign_detail", args=[campaign.pk])).status_code == 404
    response = client_for(manager_b).post(reverse("callbacks:campaign_close", args=[campaign.pk]))
    assert response.status_code == 404
    campaign.refresh_from_db()
    assert campaign.status == "running"


# --- the courtesy summary (CB-10) -------------------------------------------------------------------------------------

GOOD = {"a": "yes", "b": "satisfied", "c": "no", "d": "10", "e": ""}


@pytest.fixture
def courtesy(tree, clerk_a, manager_a, worker_a, worker_a2):
    """Every new installation of center A is sampled for a courtesy callback (rate 100 %): five answered for worker A
    (4 satisfied, 1 dissatisfied + not solved; scores 10, 9, 8, 7, 2), one for worker A2 (average, 6), one
    unreachable for worker A2."""
    policy_services.parameter_set(
        actor=manager_a.user,
        key="callbacks.courtesy_sample_rate",
        organization=tree["a"],
        value=100,
        effective_from=MORNING.date(),
        reason="全部新装用户温馨回访",
    )
    plan = [
        (worker_a, {**GOOD, "d": "10"}),
        (worker_a, {**GOOD, "d": "9"}),
        (worker_a, {**GOOD, "d": "8"}),
        (worker_a, {**GOOD, "d": "7"}),
        (worker_a, {**GOOD, "a": "no", "b": "dissatisfied", "d": "2"}),
        (worker_a2, {**GOOD, "b": "average", "d": "6"}),
        (worker_a2, None),
    ]
    for i, (worker, answers) in enumerate(plan):
        order = returned(clerk_a, tree["a"], worker, kind="installation", problem=f"新装 {i}")
        task = CallbackTask.objects.get(order=order)
        assert task.kind == "courtesy"
        services.task_claim(actor=clerk_a.user, task_id=task.pk)
        if answers is None:
            for _attempt in range(3):
                services.task_record_attempt(actor=clerk_a.user, task_id=task.pk, result="no_answer")
        else:
            services.task_answer(actor=clerk_a.user, task_id=task.pk, answers=answers)
    return plan


@pytest.mark.clause("CB-10")
def test_courtesy_summary_per_technician(courtesy, worker_a, worker_a2):
    from servicecenter.callbacks import selectors

    start, end = datetime(2026, 12, 1, tzinfo=SH), datetime(2027, 1, 1, tzinfo=SH)
    rows = {
        r["technician_id"]: r for r in selectors.courtesy_summary(centers=[worker_a.organization], start=start, end=end)
    }
    a, a2 = rows[worker_a.pk], rows[worker_a2.pk]
    assert (a["done"], a["unreachable"], a["solved_rate"], a["satisfied"], a["dissatisfied"]) == (5, 0, 80.0, 4, 1)
    assert (a["mean_score"], a["mean_pct"], a["satisfied_rate"]) == (7.2, 68.9, 80.0)
    assert (a2["done"], a2["unreachable"], a2["average"], a2["mean_score"]) == (1, 1, 1, 6.0)
    total = selectors.courtesy_totals(list(rows.values()))
    assert (total["done"], total["unreachable"], total["mean_score"], total["solved_rate"]) == (6, 1, 7.0, 83.3)
    # another month: nothing
    assert (
        selectors.courtesy_summary(centers=[worker_a.organization], start=end, end=datetime(2027, 2, 1, tzinfo=SH))
        == []
    )


@pytest.mark.clause("CB-10")
def test_courtesy_page_links_counts_to_the_history(
    client_for, courtesy, manager_a, worker_a, tree, django_assert_max_num_queries
):
    client = client_for(manager_a)
    client.get(reverse("callbacks:courtesy"))
    with django_assert_max_num_queries(7):  # one GROUP BY for the whole table
        response = client.get(reverse("callbacks:courtesy"), {"month": "2026-12"})
    assert response.status_code == 200
    html = response.content.decode()
    assert worker_a.name in html and 'id="courtesy-total"' in html
    row = next(r for r in response.context["rows"] if r["technician_id"] == worker_a.pk)
    link = urlparse(row["links"]["dissatisfied"])
    assert link.path == "/callbacks/queue/history/"
    assert parse_qs(link.query) == {
        "technician": [str(worker_a.pk)],
        "month": ["2026-12"],
        "kind": ["courtesy"],
        "attitude": ["dissatisfied"],
    } or parse_qs(link.query) == {
        "technician": [str(worker_a.pk)],
        "month": ["2026-12"],
        "kind": ["courtesy"],
        "attitude": ["dissatisfied"],
        "center": [str(tree["a"].pk)],
    }
    assert f'href="{row["links"]["dissatisfied"].replace("&", "&amp;")}"' in html
    # the history the link leads to lists exactly that callback (helper A's page, the agreed parameters)
    history = client.get(row["links"]["dissatisfied"])
    assert history.status_code == 200
    assert history.content.decode().count('class="history-row"') == 1


def test_courtesy_month_is_validated(client_for, manager_a):
    response = client_for(manager_a).get(reverse("callbacks:courtesy"), {"month": "2026-13"})
    assert response.status_code == 400 and "YYYY-MM" in response.content.decode()


def test_courtesy_query_count_is_flat_in_technicians(
    client_for, courtesy, tree, clerk_a, manager_a, django_assert_max_num_queries
):
    client = client_for(manager_a)
    client.get(reverse("callbacks:courtesy"))
    with django_assert_max_num_queries(7) as few:
        client.get(reverse("callbacks:courtesy"))
    for i in range(3):
        worker = factories.make_staff(tree["a"], "service_staff", name=f"新师傅{i}")
        order = returned(clerk_a, tree["a"], worker, kind="installation", problem=f"更多 {i}")
        task = CallbackTask.objects.get(order=order)
        services.task_claim(actor=clerk_a.user, task_id=task.pk)
        services.task_answer(actor=clerk_a.user, task_id=task.pk, answers=GOOD)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("callbacks:courtesy"))
    assert len(response.context["rows"]) == 5
