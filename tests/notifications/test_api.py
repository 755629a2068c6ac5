"""The inbox API: /api/v1/notifications/."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from servicecenter.notifications.models import Notification
from servicecenter.notifications.services import notify

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    def login(staff) -> APIClient:
        client = APIClient()
        client.force_authenticate(staff.user)
        return client

    return login


def _notify(user, title: str) -> Notification:
    [n] = notify(recipients=[user], title=title, verb="test.sent", link="/x/")
    return n


@pytest.mark.smoke
def test_list_returns_mine_newest_first_and_filters_unread(api, manager_a, manager_b):
    # given
    old = _notify(manager_a.user, "旧")
    _notify(manager_a.user, "新")
    _notify(manager_b.user, "别人的")
    Notification.objects.filter(pk=old.pk).update(read_at=old.created_at)

    # when
    everything = api(manager_a).get(reverse("api-notification-list"))
    unread = api(manager_a).get(reverse("api-notification-list"), {"unread": "1"})

    # then
    assert everything.status_code == 200
    assert [r["title"] for r in everything.json()["results"]] == ["新", "旧"]
    assert [r["title"] for r in unread.json()["results"]] == ["新"]
    first = everything.json()["results"][0]
    assert set(first) == {"id", "verb", "title", "body", "link", "is_read", "read_at", "created_at"}


def test_mark_read(api, manager_a):
    # given
    n = _notify(manager_a.user, "请审批")

    # when
    response = api(manager_a).post(reverse("api-notification-read", args=[n.pk]))

    # then
    assert response.status_code == 200
    assert response.json()["is_read"] is True
    n.refresh_from_db()
    assert n.read_at is not None


def test_mark_read_of_another_users_notification_is_404_in_the_error_format(api, manager_a, clerk_a):
    # given
    n = _notify(clerk_a.user, "内勤的")

    # when
    response = api(manager_a).post(reverse("api-notification-read", args=[n.pk]))

    # then
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_read_all(api, manager_a, clerk_a):
    # given
    _notify(manager_a.user, "a")
    _notify(manager_a.user, "b")
    _notify(clerk_a.user, "c")

    # when
    response = api(manager_a).post(reverse("api-notification-read-all"))

    # then
    assert response.json() == {"marked": 2}
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


def test_anonymous_is_refused():
    response = APIClient().get(reverse("api-notification-list"))
    assert response.status_code in (401, 403)
