"""The customer answers the survey link on a 390×844 phone — 不满意, a problem tag, not solved, a comment — and sees
the thanks; the link reopened says 已提交过. The manager then finds the rectification on a desktop and closes it with
the measures; a campaign's page shows its response rate and answers. Without JavaScript the form still works."""

from __future__ import annotations

import pytest

from servicecenter.callbacks import campaigns, surveys
from servicecenter.callbacks.models import Rating, Rectification, SurveyInvitation
from servicecenter.policy import services as policy_services
from tests.browser_support import login, screenshot

from .conftest import MORNING, returned

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Secret-2026"  # tests.factories.make_staff's default


@pytest.mark.clause("CB-14")
def test_customer_answers_on_a_phone_then_manager_rectifies(phone_page, page, tree, clerk_a, worker_a, manager_a):
    policy_services.parameter_set(
        actor=manager_a.user,
        key="callbacks.hotline_number",
        organization=tree["a"],
        value="027-96345",
        effective_from=MORNING.date(),
        reason="服务热线",
    )
    order = returned(clerk_a, tree["a"], worker_a, customer_name="浏览器客户")
    invitation = SurveyInvitation.objects.get(order=order, campaign__isnull=True)
    link = surveys.survey_path(invitation)
    phone = phone_page

    # the page: the center and the service; the reason tags appear once a level is chosen
    phone.goto(link)
    assert phone.locator("#public-center").inner_text() == tree["a"].name
    assert order.number in phone.locator("#survey-service").inner_text()
    assert worker_a.name not in phone.content()
    assert phone.locator("#tags-good").is_hidden() and phone.locator("#tags-bad").is_hidden()
    phone.click("label[for=level-5]")
    assert phone.locator("#tags-good").is_visible() and phone.locator("#tags-bad").is_hidden()
    phone.click("label[for=tag-tidy]")
    # changing to 不满意 switches to the problem tags and drops the praise
    phone.click("label[for=level-2]")
    assert phone.locator("#tags-bad").is_visible() and phone.locator("#tags-good").is_hidden()
    assert not phone.locator("#tag-tidy").is_checked()
    phone.click("label[for=tag-slow]")
    phone.click("label[for=solved-no]")
    phone.fill("#id_comment", "师傅第三天才来，问题还没解决")
    phone.mouse.move(1, 1)  # no hover left on the last button tapped
    screenshot(phone, "cb-survey-mobile")
    phone.click("#survey-submit")
    phone.locator("#survey-thanks").wait_for()
    assert "感谢您的评价" in phone.locator("#survey-thanks").inner_text()
    assert "027-96345" in phone.locator("#survey-thanks").inner_text()
    screenshot(phone, "cb-survey-thanks")
    rating = Rating.objects.get(order=order)
    assert (rating.level, rating.tags, rating.channel) == (2, ["slow"], "survey_link")

    # the link opened again: already submitted, nothing more recorded
    phone.goto(link)
    phone.locator("#survey-used").wait_for()
    assert "已提交过" in phone.locator("#survey-used").inner_text()
    assert Rating.objects.filter(order=order).count() == 1

    # the manager: the rectification, with why its deadline is what it is, closed with the measures
    rectification = Rectification.objects.get(rating=rating)
    login(page, manager_a.user.username, PASSWORD)
    page.goto("/callbacks/rectifications/")
    page.locator(f"tr[data-pk='{rectification.pk}']").wait_for()
    page.goto(f"/callbacks/rectifications/{rectification.pk}/")
    page.locator("details summary").click()
    assert "15 个工作日" in page.locator("#rectification-citation").inner_text()
    page.fill("#id_measures", "约谈维修工；当日上门复查并更换配件；向客户致歉。")
    screenshot(page, "cb-rectification")
    page.click("#rectification-submit")
    page.locator("#rectification-measures").wait_for()
    assert page.locator("#rectification-status").inner_text() == "已整改"
    rectification.refresh_from_db()
    assert rectification.status == "done" and rectification.done_by == manager_a.user


def test_campaign_page_with_answers(page, tree, clerk_a, worker_a, manager_a):
    orders = [
        returned(clerk_a, tree["a"], worker_a, customer_name=f"调查客户{i}", problem=f"故障 {i}") for i in range(6)
    ]
    campaign = campaigns.campaign_create(
        actor=manager_a.user,
        organization=tree["a"],
        name="十二月客户意见调查",
        kind="ad_hoc",
        period_start="2026-12-01",
        period_end="2026-12-31",
        sample_rate=100,
        channel="link",
        note="年终服务质量抽查：所有完工用户",
    )
    campaigns.campaign_launch(actor=manager_a.user, campaign_id=campaign.pk)
    answers = [
        (5, ["professional", "tidy"], "yes", "师傅很专业"),
        (5, ["efficient"], "yes", ""),
        (4, ["clear"], "yes", "希望上门前先打电话"),
        (2, ["slow"], "no", "等了两天"),
    ]
    invitations = SurveyInvitation.objects.filter(campaign=campaign).order_by("pk")
    for invitation, (level, tags, solved, comment) in zip(invitations, answers, strict=False):
        surveys.survey_answer(surveys.make_token(invitation), level=level, tags=tags, solved=solved, comment=comment)
    login(page, manager_a.user.username, PASSWORD)
    page.goto(f"/callbacks/campaigns/{campaign.pk}/")
    assert page.locator("#campaign-response-rate").inner_text() == "66.7%"
    assert page.locator(".answer-row").count() == 4
    screenshot(page, "cb-campaign")
    page.click("#campaign-print")
    assert page.locator(".print-row").count() == len(orders)
    screenshot(page, "cb-campaign-print")
    page.goto("/callbacks/campaigns/")
    screenshot(page, "cb-campaigns")
    # the ratings the answers recorded (好差评), the bad one marked with its rectification
    page.goto("/callbacks/ratings/")
    assert page.locator(".rating-row").count() == 4
    screenshot(page, "cb-ratings")


def test_courtesy_summary_page(page, tree, clerk_a, worker_a, worker_a2, manager_a):
    from servicecenter.callbacks import services
    from servicecenter.callbacks.models import CallbackTask

    policy_services.parameter_set(
        actor=manager_a.user,
        key="callbacks.courtesy_sample_rate",
        organization=tree["a"],
        value=100,
        effective_from=MORNING.date(),
        reason="新装用户全部温馨回访",
    )
    good = {"a": "yes", "b": "satisfied", "c": "no", "d": "10", "e": ""}
    plan = [
        (worker_a, good),
        (worker_a, {**good, "d": "9"}),
        (worker_a, {**good, "b": "average", "d": "7"}),
        (worker_a2, {**good, "d": "8"}),
        (worker_a2, {**good, "a": "no", "b": "dissatisfied", "d": "3"}),
    ]
    for i, (worker, answers) in enumerate(plan):
        order = returned(clerk_a, tree["a"], worker, kind="installation", problem=f"新装宽带 {i}")
        task = CallbackTask.objects.get(order=order)
        services.task_claim(actor=clerk_a.user, task_id=task.pk)
        services.task_answer(actor=clerk_a.user, task_id=task.pk, answers=answers)
    login(page, manager_a.user.username, PASSWORD)
    page.goto("/callbacks/courtesy/?month=2026-12")
    assert page.locator(".courtesy-row").count() == 2
    screenshot(page, "cb-courtesy")
    # a count leads to the callbacks it counts
    page.locator(f"tr[data-technician='{worker_a2.pk}'] a.drill").last.click()
    page.locator("#history-table").wait_for()
    assert page.locator(".history-row").count() == 1


def test_survey_form_works_without_javascript(browser, live_server, returned_order):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, java_script_enabled=False, base_url=live_server.url
    )
    try:
        phone = context.new_page()
        link = surveys.survey_path(SurveyInvitation.objects.get(order=returned_order, campaign__isnull=True))
        phone.goto(link)
        # both tag groups show, each saying when it applies
        assert phone.locator("#tags-good").is_visible() and phone.locator("#tags-bad").is_visible()
        phone.click("label[for=level-4]")
        phone.click("label[for=tag-clear]")
        phone.click("#survey-submit")
        phone.locator("#survey-thanks").wait_for()
    finally:
        context.close()
    assert Rating.objects.get(order=returned_order).tags == ["clear"]
