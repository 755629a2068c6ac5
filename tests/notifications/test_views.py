"""Inbox pages: list and tabs, mark read (htmx row), mark all read, 投递失败 for administrators, query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from servicecenter.notifications.models import Delivery, Notification
from servicecenter.notifications.selectors import notification_list_for, unread_count
from servicecenter.notifications.services import delivery_attempt, notify
from tests import factories

pytestmark = pytest.mark.django_db


def _notify(user, title: str, **kwargs) -> Notification:
    [n] = notify(recipients=[user], title=title, verb="test.sent", **kwargs)
    return n


@pytest.mark.smoke
def test_inbox_lists_my_notifications_newest_first_with_navbar_badge(client_for, manager_a, manager_b):
    # given
    _notify(manager_a.user, "第一条", link="/org/")
    _notify(manager_a.user, "第二条")
    _notify(manager_b.user, "别人的通知")

    # when
    response = client_for(manager_a).get(reverse("notifications:inbox"))

    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert body.index("第二条") < body.index("第一条")
    assert "别人的通知" not in body
    assert 'name="next" value="/org/"' in body
    assert response.context["nav_unread"] == 2


def test_unread_tab_and_pagination(client_for, manager_a):
    # given: 21 notifications, the oldest read
    first = _notify(manager_a.user, "最早一条")
    for i in range(20):
        _notify(manager_a.user, f"通知{i:02d}")
    Notification.objects.filter(pk=first.pk).update(read_at=timezone.now())
    client = client_for(manager_a)

    # when
    page1 = client.get(reverse("notifications:inbox"))
    page2 = client.get(reverse("notifications:inbox"), {"page": 2})
    unread = client.get(reverse("notifications:inbox"), {"filter": "unread"})

    # then
    assert len(page1.context["page"]) == 20
    assert [n.title for n in page2.context["page"]] == ["最早一条"]
    assert unread.context["unread_only"] is True
    assert "最早一条" not in unread.content.decode()
    assert unread.context["page"].paginator.count == 20


def test_inbox_query_count_is_bounded_and_does_not_grow_with_rows(client_for, manager_a, django_assert_max_num_queries):
    # given
    client = client_for(manager_a)
    _notify(manager_a.user, "第一条", actor=manager_a.user)
    client.get(reverse("notifications:inbox"))
    with CaptureQueriesContext(connection) as one_row:
        client.get(reverse("notifications:inbox"))
    for i in range(24):
        _notify(manager_a.user, f"通知{i}", actor=manager_a.user)

    # when / then: session, user, menu permissions, unread badge, page count and rows (with actors), failures
    with django_assert_max_num_queries(len(one_row)):
        response = client.get(reverse("notifications:inbox"))
    assert len(one_row) <= 16
    assert len(response.context["page"]) == 20


def test_unread_count_is_one_query(manager_a, django_assert_num_queries):
    # given
    _notify(manager_a.user, "a")
    _notify(manager_a.user, "b")

    # when / then
    with django_assert_num_queries(1):
        assert unread_count(user=manager_a.user) == 2


def test_notification_list_loads_actors_without_extra_queries(manager_a, clerk_a, django_assert_num_queries):
    # given
    for i in range(3):
        _notify(manager_a.user, f"n{i}", actor=clerk_a.user)

    # when / then
    with django_assert_num_queries(1):
        names = [n.actor.staff.name for n in notification_list_for(user=manager_a.user)]
    assert names == ["甲内勤"] * 3


def test_mark_read_with_htmx_returns_the_row_and_the_badge(client_for, manager_a):
    # given
    n = _notify(manager_a.user, "请审批")
    _notify(manager_a.user, "另一条")

    # when
    response = client_for(manager_a).post(reverse("notifications:mark_read", args=[n.pk]), HTTP_HX_REQUEST="true")

    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="notification-{n.pk}"' in body
    assert "标为已读" not in body
    assert 'id="nav-notifications" hx-swap-oob="innerHTML"' in body
    assert ">1</span>" in body
    assert 'id="tab-unread-count" hx-swap-oob="innerHTML"' in body
    n.refresh_from_db()
    assert n.read_at is not None


def test_clicking_the_title_marks_read_and_opens_the_link(client_for, manager_a):
    # given
    n = _notify(manager_a.user, "请审批", link="/org/")

    # when
    response = client_for(manager_a).post(reverse("notifications:mark_read", args=[n.pk]), {"next": "/org/"})

    # then
    assert response.status_code == 302
    assert response["Location"] == "/org/"
    n.refresh_from_db()
    assert n.read_at is not None


def test_mark_read_does_not_redirect_off_site(client_for, manager_a):
    # given
    n = _notify(manager_a.user, "请审批")

    # when
    response = client_for(manager_a).post(
        reverse("notifications:mark_read", args=[n.pk]), {"next": "https://evil.example/"}
    )

    # then
    assert response["Location"] == reverse("notifications:inbox")


def test_mark_read_of_another_users_notification_is_404(client_for, manager_a, clerk_a):
    # given: a colleague of the same center
    n = _notify(clerk_a.user, "内勤的通知")

    # when
    response = client_for(manager_a).post(reverse("notifications:mark_read", args=[n.pk]), HTTP_HX_REQUEST="true")

    # then
    assert response.status_code == 404
    n.refresh_from_db()
    assert n.read_at is None


def test_mark_read_keeps_the_first_read_time(client_for, manager_a):
    # given
    n = _notify(manager_a.user, "请审批")
    client = client_for(manager_a)
    client.post(reverse("notifications:mark_read", args=[n.pk]))
    n.refresh_from_db()
    first = n.read_at

    # when
    client.post(reverse("notifications:mark_read", args=[n.pk]))

    # then
    n.refresh_from_db()
    assert n.read_at == first


def test_mark_all_read_marks_only_mine(client_for, manager_a, clerk_a):
    # given
    _notify(manager_a.user, "a")
    _notify(manager_a.user, "b")
    _notify(clerk_a.user, "c")

    # when
    response = client_for(manager_a).post(reverse("notifications:mark_all_read"))

    # then
    assert response.status_code == 200
    assert "已将 2 条通知标为已读" in response.content.decode()
    assert response.context["nav_unread"] == 0
    assert unread_count(user=clerk_a.user) == 1


def test_get_on_actions_is_refused(client_for, manager_a):
    n = _notify(manager_a.user, "a")
    client = client_for(manager_a)
    assert client.get(reverse("notifications:mark_read", args=[n.pk])).status_code == 405
    assert client.get(reverse("notifications:mark_all_read")).status_code == 405


def _dead_delivery(user, organization, title: str) -> Delivery:
    from django.test import override_settings

    with override_settings(NOTIFICATION_CHANNELS=["inapp", "sms"], NOTIFICATION_SMS_GATEWAY_URL=""):
        [n] = notify(recipients=[user], title=title, verb="test.sent", organization=organization)
    delivery = Delivery.objects.get(notification=n)
    delivery_attempt(delivery_id=delivery.pk, now=timezone.now())
    return delivery


def test_dead_deliveries_are_listed_for_administrators_of_their_center(client_for, tree, manager_a, manager_b):
    # given: a dead SMS in center A and one in center B
    clerk = factories.make_staff(tree["a"], "order_clerk", name="甲内勤")
    _dead_delivery(clerk.user, tree["a"], "甲中心短信")
    _dead_delivery(manager_b.user, tree["b"], "乙中心短信")
    admin_a = factories.make_staff(tree["a"], "system_admin", name="甲管理员")

    # when
    as_admin = client_for(admin_a).get(reverse("notifications:inbox"))
    as_clerk = client_for(clerk).get(reverse("notifications:inbox"))

    # then: the admin sees center A's failure with its reason; the clerk sees no failure section
    body = as_admin.content.decode()
    assert "投递失败" in body
    assert "甲中心短信" in body and "甲内勤" in body and "NOTIFICATION_SMS_GATEWAY_URL" in body
    assert "乙中心短信" not in body
    assert as_admin.context["failure_count"] == 1
    assert 'id="delivery-failures"' not in as_clerk.content.decode()
