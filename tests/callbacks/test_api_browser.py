"""The callback and complaint API from a signed-in browser (session authentication, as scripts on the intranet use
it): reads need only the session, changes also the CSRF token; and the API reference page lists the new operations
(screenshots for docs/callbacks/api.md)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from servicecenter.callbacks.models import CallbackTask
from servicecenter.complaints import services as complaint_services
from tests.browser_support import SCREENSHOTS, login

from .conftest import returned

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Secret-2026"  # tests.factories.make_staff's default

FETCH = """async ([url, method, csrf]) => {
    const headers = {"Content-Type": "application/json", "Accept": "application/json"};
    if (csrf) {
        headers["X-CSRFToken"] = document.cookie.split("; ").find(c => c.startsWith("csrftoken=")).split("=")[1];
    }
    const response = await fetch(url, {method, headers, body: method === "GET" ? undefined : "{}"});
    return {status: response.status, body: await response.json()};
}"""


@pytest.fixture(autouse=True)
def at_morning():
    """The real clock: the browser and the live server agree on the time (overrides the conftest's travel)."""
    yield


def test_a_signed_in_clerk_calls_the_callback_api_from_the_browser(page, tree, clerk_a, manager_a, worker_a):
    # given: a returned order's callback, and a complaint taken today
    order = returned(clerk_a, tree["a"], worker_a)
    task = CallbackTask.objects.get(order=order)
    complaint_services.complaint_create(
        actor=clerk_a.user,
        organization=tree["a"],
        channel="phone",
        complainant_name="浏览器投诉人",
        phone="139 1234 5678",
        summary="上门迟到",
        details="约好 9 点，11 点才到",
        now=timezone.now(),
    )
    login(page, clerk_a.user.username, PASSWORD)
    page.wait_for_url("**/")

    # when: a script on the intranet reads the queue and the complaints with the session
    tasks = page.evaluate(FETCH, ["/api/v1/callbacks/tasks/?status=pending", "GET", False])
    complaints = page.evaluate(FETCH, ["/api/v1/complaints/", "GET", False])
    # then: the clerk dials callbacks (full number) but does not handle complaints (masked number)
    assert tasks["status"] == 200 and tasks["body"]["results"][0]["id"] == task.pk
    assert tasks["body"]["results"][0]["phone"] == order.phone
    assert complaints["status"] == 200 and complaints["body"]["results"][0]["phone"] == "139****5678"

    # when: it claims the callback without, then with, the CSRF token
    refused = page.evaluate(FETCH, [f"/api/v1/callbacks/tasks/{task.pk}/claim/", "POST", False])
    claimed = page.evaluate(FETCH, [f"/api/v1/callbacks/tasks/{task.pk}/claim/", "POST", True])
    # then
    assert refused["status"] == 403 and set(refused["body"]) == {"code", "message", "fields", "clause"}
    assert claimed["status"] == 200 and claimed["body"]["claimed_by_name"] == "甲内勤"

    # and: the API reference lists the callback and complaint operations (screenshots for the docs)
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto("/api/docs/#group-callbacks")
    answer = page.locator("#v1_callbacks_tasks_answer_create")
    answer.wait_for()
    assert "CB-05" in answer.inner_text() and "answers" in answer.inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    answer.screenshot(path=str(SCREENSHOTS / "api-callbacks-answer.png"))
    create = page.locator("#v1_complaints_create")
    assert "Idempotency-Key" in create.inner_text()
    create.screenshot(path=str(SCREENSHOTS / "api-complaints-create.png"))
