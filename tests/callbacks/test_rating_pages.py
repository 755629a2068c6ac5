"""The 好差评 pages: the ratings list (filters, masked phones, paging, a flat query count), recording a rating on
site or by phone (one per service, bad input 400 with nothing saved), the rectification list (open and overdue first)
and page (the manager records the measures; CMP-06 refusal shown; a clerk may read but not close)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from servicecenter.callbacks import surveys
from servicecenter.callbacks.models import CallbackTask, Rating, Rectification
from servicecenter.org.models import Staff
from tests import factories

from .conftest import MORNING, returned


@pytest.fixture
def clerk_b(tree):
    return factories.make_staff(tree["b"], "order_clerk", name="乙内勤")


def _rate(order, user, level, tags=(), comment="", channel="on_site"):
    return surveys.rating_submit(
        order=order, level=level, tags=list(tags), comment=comment, channel=channel, actor=user, now=MORNING
    )


@pytest.fixture
def rated(tree, clerk_a, worker_a, worker_a2):
    """Four rated services of center A: 5 (worker A), 4 (worker A2), 2 and 1 (worker A; bad → rectifications)."""
    orders = [
        returned(clerk_a, tree["a"], worker, customer_name=f"客户{i}", phone=f"1380000100{i}")
        for i, worker in enumerate((worker_a, worker_a2, worker_a, worker_a))
    ]
    ratings = [
        _rate(orders[0], clerk_a.user, 5, ["tidy"], "很好"),
        _rate(orders[1], clerk_a.user, 4, [], "", "phone"),
        _rate(orders[2], clerk_a.user, 2, ["slow"], "太慢"),
        _rate(orders[3], clerk_a.user, 1, ["attitude_bad"], "态度差"),
    ]
    return orders, ratings


def test_ratings_list_with_counts_and_filters(client_for, rated, manager_a, worker_a2):
    client = client_for(manager_a)
    response = client.get(reverse("callbacks:ratings"))
    assert response.status_code == 200
    html = response.content.decode()
    for order in rated[0]:
        assert order.number in html
    assert 'data-level="5">非常满意 1' in html and 'data-level="1">非常不满意 1' in html
    bad = client.get(reverse("callbacks:ratings"), {"bad": "on"}).content.decode()
    assert rated[0][2].number in bad and rated[0][3].number in bad and rated[0][0].number not in bad
    staff = client.get(reverse("callbacks:ratings"), {"staff": worker_a2.pk}).content.decode()
    assert rated[0][1].number in staff and rated[0][0].number not in staff
    level = client.get(reverse("callbacks:ratings"), {"level": "5"}).content.decode()
    assert rated[0][0].number in level and rated[0][1].number not in level
    month = client.get(reverse("callbacks:ratings"), {"month": "2026-11"}).content.decode()
    assert rated[0][0].number not in month and "没有符合条件的评价" in month


def test_bad_filters_answer_400(client_for, manager_a):
    client = client_for(manager_a)
    assert client.get(reverse("callbacks:ratings"), {"month": "2026-13"}).status_code == 400
    assert client.get(reverse("callbacks:ratings"), {"level": "7"}).status_code == 400
    assert client.get(reverse("callbacks:ratings"), {"center": "999999"}).status_code == 404


def test_phones_are_masked_for_readers_who_do_not_make_callbacks(client_for, rated, tree, manager_a):
    """A satisfaction reader (callbacks.view_satisfaction only, a custom role) sees 138****1000; the manager, who
    makes callbacks, the number."""
    from django.contrib.auth.models import Group, Permission

    from servicecenter.org import services as org_services
    from servicecenter.org.models import Role

    group = Group.objects.create(name="满意度查看")
    group.permissions.add(Permission.objects.get(codename="view_satisfaction", content_type__app_label="callbacks"))
    Role.objects.create(code="satisfaction_reader", name="满意度查看", group=group)
    reader = factories.make_staff(tree["a"], name="报表员")
    org_services.role_assign(actor=None, user=reader.user, role_code="satisfaction_reader", organization=tree["a"])
    html = client_for(reader).get(reverse("callbacks:ratings")).content.decode()
    assert "138****1000" in html and "13800001000" not in html
    assert 'id="rating-record"' not in html  # no recording without make_callback
    full = client_for(manager_a).get(reverse("callbacks:ratings")).content.decode()
    assert "13800001000" in full


def test_ratings_list_query_count_is_flat(
    client_for, tree, clerk_a, worker_a, manager_a, django_assert_max_num_queries
):
    client = client_for(manager_a)
    client.get(reverse("callbacks:ratings"))  # warm the per-user caches
    for i in range(2):
        _rate(returned(clerk_a, tree["a"], worker_a, problem=f"少 {i}"), clerk_a.user, 1, ["slow"])
    # session, user, grants, centers ×2 (read, record), staff filter, count, page, per-level counts, nav, inbox
    with django_assert_max_num_queries(11) as few:
        client.get(reverse("callbacks:ratings"))
    for i in range(8):
        _rate(returned(clerk_a, tree["a"], worker_a, problem=f"多 {i}"), clerk_a.user, 1, ["slow"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("callbacks:ratings"))
    assert response.content.decode().count('class="rating-row"') == 10


def test_ratings_list_pages(client_for, tree, clerk_a, worker_a, manager_a, monkeypatch):
    from servicecenter.callbacks import selectors

    monkeypatch.setattr(selectors, "RATING_PAGE", 2)
    for i in range(3):
        _rate(returned(clerk_a, tree["a"], worker_a, problem=f"分页 {i}"), clerk_a.user, 5)
    client = client_for(manager_a)
    first = client.get(reverse("callbacks:ratings"), {"level": "5"}).content.decode()
    assert first.count('class="rating-row"') == 2 and "?level=5&page=2" in first
    second = client.get(reverse("callbacks:ratings"), {"level": "5", "page": "2"}).content.decode()
    assert second.count('class="rating-row"') == 1


# --- recording a rating -----------------------------------------------------------------------------------------


@pytest.mark.clause("CB-13")
def test_clerk_records_a_phone_rating(client_for, returned_order, clerk_a, worker_a, django_assert_max_num_queries):
    client = client_for(clerk_a)
    client.get(reverse("callbacks:rating_create"))
    with django_assert_max_num_queries(6):
        page = client.get(reverse("callbacks:rating_create"), {"order": returned_order.number})
    assert page.status_code == 200 and returned_order.number in page.content.decode()
    response = client.post(
        reverse("callbacks:rating_create"),
        {
            "center": returned_order.organization_id,
            "order": returned_order.number,
            "channel": "phone",
            "level": "4",
            "tags": ["efficient"],
            "comment": "电话里说挺满意",
        },
    )
    assert response.status_code == 302
    rating = Rating.objects.get(order=returned_order)
    assert (rating.level, rating.channel, rating.recorded_by, rating.staff) == (4, "phone", clerk_a.user, worker_a)


def test_bad_rating_recorded_says_a_rectification_was_opened(client_for, returned_order, clerk_a):
    client = client_for(clerk_a)
    response = client.post(
        reverse("callbacks:rating_create"),
        {"center": returned_order.organization_id, "order": returned_order.number, "channel": "on_site", "level": "1"},
        follow=True,
    )
    assert "差评已生成整改任务" in response.content.decode()
    assert CallbackTask.objects.filter(order=returned_order, kind="rating").exists()


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"order": "", "level": "5"}, 400, "必填"),
        ({"order": "nope", "level": "5"}, 400, "本中心没有该工单号的已完工工单"),
        ({"level": ""}, 400, "请选择评价等级"),
        ({"level": "5", "tags": ["slow"]}, 400, "所选原因与评价不符"),
        ({"level": "5", "channel": "survey_link"}, 400, "选择一个有效的选项"),
    ],
)
def test_bad_rating_input_is_shown_and_nothing_saved(client_for, returned_order, clerk_a, data, status, message):
    form = {"center": returned_order.organization_id, "order": returned_order.number, "channel": "phone", **data}
    response = client_for(clerk_a).post(reverse("callbacks:rating_create"), form)
    assert response.status_code == status
    assert message in response.content.decode()
    assert not Rating.objects.exists()


def test_second_rating_is_a_409_with_the_message(client_for, returned_order, clerk_a):
    _rate(returned_order, clerk_a.user, 5)
    form = {"center": returned_order.organization_id, "order": returned_order.number, "channel": "phone", "level": "1"}
    response = client_for(clerk_a).post(reverse("callbacks:rating_create"), form)
    assert response.status_code == 409 and "该服务已评价" in response.content.decode()
    assert Rating.objects.get(order=returned_order).level == 5


def test_another_centers_order_cannot_be_rated(client_for, returned_order, tree, clerk_b):
    form = {"center": tree["b"].pk, "order": returned_order.number, "channel": "phone", "level": "5"}
    response = client_for(clerk_b).post(reverse("callbacks:rating_create"), form)
    assert response.status_code == 400 and not Rating.objects.exists()
    form["center"] = tree["a"].pk  # not one of clerk B's centers: it does not exist for him
    assert client_for(clerk_b).post(reverse("callbacks:rating_create"), form).status_code == 404
    assert not Rating.objects.exists()


# --- rectifications -------------------------------------------------------------------------------------------------


def test_rectification_list_overdue_first_with_tabs(client_for, rated, manager_a, django_assert_max_num_queries):
    late, fresh = Rectification.objects.order_by("pk")
    Rectification.objects.filter(pk=late.pk).update(due_at=MORNING - timedelta(days=1))
    client = client_for(manager_a)
    client.get(reverse("callbacks:rectifications"))
    with django_assert_max_num_queries(9):
        response = client.get(reverse("callbacks:rectifications"))
    html = response.content.decode()
    assert html.index(f'data-pk="{late.pk}"') < html.index(f'data-pk="{fresh.pk}"')
    assert "table-danger" in html and "已逾期" in html
    overdue = client.get(reverse("callbacks:rectifications"), {"state": "overdue"}).content.decode()
    assert f'data-pk="{late.pk}"' in overdue and f'data-pk="{fresh.pk}"' not in overdue
    done = client.get(reverse("callbacks:rectifications"), {"state": "done"}).content.decode()
    assert "没有差评整改" in done


@pytest.mark.clause("CMP-06")
def test_manager_records_measures_and_closes(client_for, rated, manager_a, django_assert_max_num_queries):
    rectification = Rectification.objects.order_by("pk").first()
    client = client_for(manager_a)
    url = reverse("callbacks:rectification_detail", args=[rectification.pk])
    client.get(url)
    with django_assert_max_num_queries(7):
        page = client.get(url).content.decode()
    assert "为什么是这个期限" in page and "15 个工作日" in page and 'id="rectification-form"' in page
    refused = client.post(reverse("callbacks:rectification_complete", args=[rectification.pk]), {"measures": " "})
    assert refused.status_code == 400 and "CMP-06" in refused.content.decode()
    rectification.refresh_from_db()
    assert rectification.status == "open"
    done = client.post(
        reverse("callbacks:rectification_complete", args=[rectification.pk]), {"measures": "约谈并培训"}, follow=True
    )
    assert "约谈并培训" in done.content.decode() and "已整改" in done.content.decode()
    again = client.post(reverse("callbacks:rectification_complete", args=[rectification.pk]), {"measures": "再次"})
    assert again.status_code == 409
    rectification.refresh_from_db()
    assert rectification.measures == "约谈并培训"


def test_clerk_reads_but_cannot_close(client_for, rated, clerk_a):
    rectification = Rectification.objects.order_by("pk").first()
    client = client_for(clerk_a)
    page = client.get(reverse("callbacks:rectification_detail", args=[rectification.pk]))
    assert page.status_code == 200 and 'id="rectification-form"' not in page.content.decode()
    post = client.post(reverse("callbacks:rectification_complete", args=[rectification.pk]), {"measures": "措施"})
    assert post.status_code == 403
    rectification.refresh_from_db()
    assert rectification.status == "open"


def test_serviceman_sees_no_ratings(client_for, worker_a, rated):
    client = client_for(worker_a)
    assert client.get(reverse("callbacks:ratings")).status_code == 403
    assert client.get(reverse("callbacks:rectifications")).status_code == 403
    rectification = Rectification.objects.first()
    assert client.get(reverse("callbacks:rectification_detail", args=[rectification.pk])).status_code == 404


def test_staff_names_are_internal_only(client_for, rated, manager_a, worker_a):
    Staff.objects.filter(pk=worker_a.pk).update(phone="13712345678")
    html = client_for(manager_a).get(reverse("callbacks:ratings")).content.decode()
    assert worker_a.name in html and "13712345678" not in html  # the serviceman's name, never his phone
