"""The home page: my center, my roles, approvals waiting for me, unread notifications — bounded queries."""

import pytest
from django.urls import reverse

from servicecenter.approvals import services as approvals
from servicecenter.notifications.services import notify


def _submit(staff, org, title):
    return approvals.request_submit(
        actor=staff.user, kind="general", organization=org, title=title, payload={"amount": "100"}
    )


@pytest.mark.smoke
def test_home_shows_center_roles_pending_and_notifications(client_for, tree, manager_a, clerk_a):
    # given a request waiting for the manager and an unread notification
    _submit(clerk_a, tree["a"], "请示：更换打印机硒鼓")
    notify(recipients=[manager_a.user], title="本周安全例会改到周四", verb="test.notice")
    # when
    body = client_for(manager_a).get(reverse("home")).content.decode()
    # then
    assert tree["a"].name in body
    assert "服务中心经理" in body
    assert "请示：更换打印机硒鼓" in body
    assert "本周安全例会改到周四" in body
    assert manager_a.staff_no in body


def test_home_query_count_does_not_grow_with_data(client_for, tree, manager_a, clerk_a, django_assert_max_num_queries):
    # given one pending request
    client = client_for(manager_a)
    _submit(clerk_a, tree["a"], "请示 0")
    notify(recipients=[manager_a.user], title="通知 0", verb="test.notice")
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("home"))
    # when thirty more requests and notifications arrive
    for i in range(1, 31):
        _submit(clerk_a, tree["a"], f"请示 {i}")
        notify(recipients=[manager_a.user], title=f"通知 {i}", verb="test.notice")
    # then the page runs the same number of queries
    with django_assert_max_num_queries(len(few.captured_queries)):
        resp = client.get(reverse("home"))
    assert resp.status_code == 200


def test_user_without_staff_record_sees_a_clear_page(client, db, django_user_model):
    user = django_user_model.objects.create_user("auditor", password="x-Secret-2026")
    client.force_login(user)
    body = client.get(reverse("home")).content.decode()
    assert "此账户未关联员工档案" in body
