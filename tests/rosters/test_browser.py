"""Manager generates and publishes a roster in a real browser (issue 5 "Done means"); a worker reads 我的班次 on a
phone."""

from __future__ import annotations

import pytest

from servicecenter.policy.values import local_today
from servicecenter.rosters import services
from servicecenter.rosters.models import Roster
from tests import factories
from tests.browser_support import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Secret-2026"


@pytest.mark.clause("ATT-09")
def test_manager_generates_and_publishes_a_roster(page, phone_page, tree, manager_a):
    crew = [
        factories.make_staff(tree["team_a"], "service_staff", name=f"师傅{i}", role_org=tree["a"]) for i in range(5)
    ]
    services.templates_install_presets(actor=manager_a.user, organization=tree["a"])
    today = local_today(tree["a"])
    login(page, manager_a.user.username, PASSWORD)
    page.goto(f"/rosters/center/{tree['a'].pk}/{today.year}/{today.month}/edit/")
    page.locator("#btn-draft").click()
    page.locator("#btn-propose").click()
    page.locator(".alert-success").wait_for()
    assert page.locator("#no-conflicts").count() == 1
    # a click on a cell cycles it and the conflicts panel follows (htmx)
    cell = page.locator(f"#cell-{crew[0].pk}-{today.strftime('%Y%m%d')}")
    before = cell.get_attribute("data-code")
    cell.click()
    page.wait_for_function(
        f"document.querySelector('#cell-{crew[0].pk}-{today.strftime('%Y%m%d')}').dataset.code !== '{before}'"
    )
    page.locator("#conflicts .conflict-warning, #conflicts .conflict-error").first.wait_for()
    screenshot(page, "rosters-editor")
    # put it back, then publish with the confirmation
    while page.locator(f"#cell-{crew[0].pk}-{today.strftime('%Y%m%d')}").get_attribute("data-code") != before:
        current = page.locator(f"#cell-{crew[0].pk}-{today.strftime('%Y%m%d')}").get_attribute("data-code")
        page.locator(f"#cell-{crew[0].pk}-{today.strftime('%Y%m%d')}").click()
        page.wait_for_function(
            f"document.querySelector('#cell-{crew[0].pk}-{today.strftime('%Y%m%d')}').dataset.code !== '{current}'"
        )
    page.locator("#confirm-warnings").check()
    page.locator("#btn-publish").click()
    page.locator("#roster-grid").wait_for()
    assert "已发布" in page.locator(".alert-success").inner_text()
    screenshot(page, "rosters-published")
    page.emulate_media(media="print")
    assert not page.locator("nav.navbar").is_visible() and not page.locator("#btn-print").is_visible()
    screenshot(page, "rosters-published-print")
    assert Roster.objects.get(organization=tree["a"], status="published").version == 1
    # the worker's phone
    login(phone_page, crew[1].user.username, PASSWORD)
    phone_page.goto("/rosters/mine/")
    phone_page.locator("#my-shifts li").first.wait_for()
    screenshot(phone_page, "rosters-my-shifts-phone")
    assert phone_page.locator("#my-shifts li").count() >= 28
