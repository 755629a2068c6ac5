"""The approval pages: inbox with htmx decisions, detail, new request, withdraw/resubmit, delegation; query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from servicecenter.approvals import services
from servicecenter.core.models import AuditEvent
from servicecenter.org.models import Delegation
from tests import factories

from .conftest import pending_step

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.mark.smoke
def test_inbox_lists_what_waits_for_me(client_for, submit, clerk_a, manager_a, manager_b):
    submit(clerk_a, title="申请购买工具箱")
    # as the approver
    body = client_for(manager_a).get(reverse("approvals:inbox")).content.decode()
    assert "申请购买工具箱" in body and "同意" in body and "驳回" in body
    # as someone else
    body = client_for(manager_b).get(reverse("approvals:inbox")).content.decode()
    assert "申请购买工具箱" not in body


@pytest.mark.smoke
def test_htmx_approve_returns_the_item_with_result(client_for, submit, clerk_a, manager_a):
    # given
    req = submit(clerk_a)
    step = pending_step(req)
    # when
    resp = client_for(manager_a).post(
        reverse("approvals:step_decide", args=[step.pk]), {"decision": "approve", "comment": "可以"}, **HTMX
    )
    # then the partial shows the result, no form
    assert resp.status_code == 200
    body = resp.content.decode()
    assert f'id="step-{step.pk}"' in body and "已处理" in body and "<form" not in body
    req.refresh_from_db()
    assert req.status == "approved"


def test_htmx_second_click_shows_conflict(client_for, submit, clerk_a, manager_a):
    req = submit(clerk_a)
    step = pending_step(req)
    client = client_for(manager_a)
    url = reverse("approvals:step_decide", args=[step.pk])
    client.post(url, {"decision": "approve"}, **HTMX)
    # when the same item is posted again (double click, second tab)
    resp = client.post(url, {"decision": "approve"}, **HTMX)
    # then a clear message, and only one decision recorded
    body = resp.content.decode()
    assert resp.status_code == 200
    assert "已由他人处理" in body and "该审批已由 甲经理 于" in body
    assert AuditEvent.objects.for_target(req).filter(verb="approvals.step.approved").count() == 1


def test_htmx_reject_without_comment_shows_field_error(client_for, submit, clerk_a, manager_a):
    req = submit(clerk_a)
    step = pending_step(req)
    resp = client_for(manager_a).post(
        reverse("approvals:step_decide", args=[step.pk]), {"decision": "reject", "comment": ""}, **HTMX
    )
    body = resp.content.decode()
    assert resp.status_code == 200
    assert "驳回或退回时必须填写意见" in body and "is-invalid" in body and "<form" in body
    step.refresh_from_db()
    assert step.status == "pending"


def test_plain_post_decide_redirects_with_message(client_for, submit, clerk_a, manager_a):
    req = submit(clerk_a)
    step = pending_step(req)
    resp = client_for(manager_a).post(
        reverse("approvals:step_decide", args=[step.pk]), {"decision": "return", "comment": "请补充"}, follow=True
    )
    assert resp.redirect_chain[-1][0] == reverse("approvals:request_detail", args=[req.pk])
    assert "已处理" in resp.content.decode()


def test_decide_as_other_center_is_not_found(client_for, submit, clerk_a, manager_a, manager_b):
    step = pending_step(submit(clerk_a))
    resp = client_for(manager_b).post(reverse("approvals:step_decide", args=[step.pk]), {"decision": "approve"})
    assert resp.status_code == 404


@pytest.mark.smoke
def test_detail_shows_route_clause_and_history(client_for, submit, clerk_a, manager_a, gm):
    req = submit(clerk_a, amount="8800", title="申请更换服务车轮胎")
    services.step_decide(actor=manager_a.user, step_id=pending_step(req).pk, decision="approve", comment="属实")
    body = client_for(clerk_a).get(reverse("approvals:request_detail", args=[req.pk])).content.decode()
    assert "申请更换服务车轮胎" in body
    assert "服务中心经理" in body and "营维中心总经理" in body
    assert "属实" in body and "¥8,800.00" in body
    assert "ORG-05" in body and "approvals.step.approved" in body
    assert "撤回申请" in body


def test_detail_shows_delegated_decision(client_for, submit, clerk_a, manager_a, deputy_a):
    now = timezone.now()
    Delegation.objects.create(
        principal=manager_a.user, delegate=deputy_a.user, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(1)
    )
    req = submit(clerk_a)
    services.step_decide(actor=deputy_a.user, step_id=pending_step(req).pk, decision="approve")
    body = client_for(clerk_a).get(reverse("approvals:request_detail", args=[req.pk])).content.decode()
    assert "由 甲副经理 代 甲经理 审批" in body


def test_detail_is_not_found_for_other_center(client_for, submit, clerk_a, manager_a, manager_b):
    req = submit(clerk_a)
    assert client_for(manager_b).get(reverse("approvals:request_detail", args=[req.pk])).status_code == 404


def test_create_form_validates_in_chinese(client_for, clerk_a, manager_a):
    client = client_for(clerk_a)
    resp = client.post(reverse("approvals:request_create"), {"title": "", "amount": "-3"})
    body = resp.content.decode()
    assert resp.status_code == 200
    assert "该字段是必填项" in body and "确保该值大于或等于0" in body
    assert "is-invalid" in body


@pytest.mark.smoke
def test_create_submits_and_redirects(client_for, clerk_a, manager_a):
    resp = client_for(clerk_a).post(
        reverse("approvals:request_create"), {"title": "申请外出培训", "description": "两天", "amount": "1200"}
    )
    assert resp.status_code == 302
    req = clerk_a.user.approval_requests.get()
    assert resp["Location"] == reverse("approvals:request_detail", args=[req.pk])
    assert (req.title, req.payload) == ("申请外出培训", {"amount": "1200.00"})
    assert pending_step(req).assignee == manager_a.user


def test_create_without_submit_permission_is_forbidden(client, tree):
    outsider = factories.make_staff(tree["a"])  # a member of the center without any role
    client.force_login(outsider.user)
    assert client.get(reverse("approvals:request_create")).status_code == 403


def test_withdraw_and_resubmit_views(client_for, submit, clerk_a, manager_a):
    req = submit(clerk_a)
    services.step_decide(actor=manager_a.user, step_id=pending_step(req).pk, decision="return", comment="补充")
    client = client_for(clerk_a)
    resp = client.post(reverse("approvals:request_resubmit", args=[req.pk]), {"description": "已补充报价"})
    assert resp.status_code == 302
    req.refresh_from_db()
    assert (req.status, req.description) == ("pending", "已补充报价")
    resp = client.post(reverse("approvals:request_withdraw", args=[req.pk]))
    assert resp.status_code == 302
    req.refresh_from_db()
    assert req.status == "withdrawn"
    # a second withdrawal shows an error, not a 500
    resp = client.post(reverse("approvals:request_withdraw", args=[req.pk]), follow=True)
    assert "不能撤回" in resp.content.decode()


def test_non_requester_cannot_withdraw(client_for, submit, clerk_a, manager_a):
    req = submit(clerk_a)
    resp = client_for(manager_a).post(reverse("approvals:request_withdraw", args=[req.pk]), follow=True)
    assert "只有申请人可以撤回申请" in resp.content.decode()
    req.refresh_from_db()
    assert req.status == "pending"


@pytest.mark.clause("ORG-13")
def test_delegation_page_creates_my_delegation(client_for, manager_a, deputy_a, manager_b):
    client = client_for(manager_a)
    page = client.get(reverse("approvals:delegation_create")).content.decode()
    assert "甲副经理" in page and "乙经理" not in page
    start = timezone.localtime() + timedelta(days=1)
    resp = client.post(
        reverse("approvals:delegation_create"),
        {
            "delegate": deputy_a.pk,
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "reason": "出差",
        },
    )
    assert resp.status_code == 302
    delegation = Delegation.objects.get(principal=manager_a.user)
    assert (delegation.delegate, delegation.reason) == (deputy_a.user, "出差")
    assert "委托 甲副经理 代我审批" in client.get(reverse("approvals:inbox")).content.decode()


def test_delegation_form_errors(client_for, manager_a, deputy_a, manager_b):
    start = timezone.localtime() + timedelta(days=1)
    resp = client_for(manager_a).post(
        reverse("approvals:delegation_create"),
        {
            "delegate": manager_b.pk,  # not a colleague I can see
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    body = resp.content.decode()
    assert resp.status_code == 200
    assert "选择一个有效的选项" in body and "结束时间应晚于开始时间" in body
    assert not Delegation.objects.exists()


def test_inbox_tabs(client_for, submit, clerk_a, manager_a, gm):
    req = submit(clerk_a, title="已处理的申请")
    services.step_decide(actor=manager_a.user, step_id=pending_step(req).pk, decision="approve")
    client = client_for(manager_a)
    assert "已处理的申请" in client.get(reverse("approvals:inbox"), {"tab": "done"}).content.decode()
    assert "已处理的申请" in client.get(reverse("approvals:inbox"), {"tab": "all"}).content.decode()
    assert "已处理的申请" in client_for(clerk_a).get(reverse("approvals:inbox"), {"tab": "mine"}).content.decode()
    # filters
    body = client.get(reverse("approvals:inbox"), {"tab": "all", "status": "rejected"}).content.decode()
    assert "已处理的申请" not in body
    # a clerk has no 全部 tab; asking for it shows the pending tab
    assert "已处理的申请" not in client_for(clerk_a).get(reverse("approvals:inbox"), {"tab": "all"}).content.decode()


def _many_requests(tree, count: int):
    requesters = [factories.make_staff(tree["a"], "order_clerk") for _ in range(3)]
    for i in range(count):
        services.request_submit(
            actor=requesters[i % 3].user, kind="general", organization=tree["a"], title=f"请示{i}", payload={}
        )


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


# The bound is the same page with nothing waiting plus a fixed allowance (the list query), so menu entries added by
# other apps (one permission lookup each) do not break it; what it checks is that the count does not grow with data.
@pytest.mark.parametrize("count", [1, 30])
def test_inbox_query_count_is_bounded(client_for, tree, manager_a, count, django_assert_max_num_queries):
    client = client_for(manager_a)
    url = reverse("approvals:inbox")
    client.get(url)  # warm up per-process caches (content types)
    empty = _queries(client, url)
    _many_requests(tree, count)
    with django_assert_max_num_queries(empty + 1):
        resp = client.get(url)
    assert resp.content.decode().count("approval-item") == min(count, 20)


@pytest.mark.parametrize("count", [1, 30])
def test_home_page_query_count_is_bounded(client_for, tree, manager_a, count, django_assert_max_num_queries):
    client = client_for(manager_a)
    url = reverse("home")
    client.get(url)
    empty = _queries(client, url)
    _many_requests(tree, count)
    with django_assert_max_num_queries(empty + 1):
        resp = client.get(url)
    awaiting = resp.content.decode().split('id="awaiting"')[1].split("</section>")[0]
    assert awaiting.count("/approvals/requests/") == min(count, 10)


@pytest.mark.parametrize("count", [1, 30])
def test_detail_query_count_is_bounded(
    client_for, submit, clerk_a, manager_a, gm, count, django_assert_max_num_queries
):
    # given a request with `count` reminders in its history
    req = submit(clerk_a, amount="9000")
    url = reverse("approvals:request_detail", args=[req.pk])
    client = client_for(clerk_a)
    client.get(url)
    fresh = _queries(client, url)
    for i in range(count):
        services.approvals_send_reminders(now=timezone.now() + timedelta(days=i + 1))
    # then the page costs the same
    with django_assert_max_num_queries(fresh):
        assert client.get(url).status_code == 200


def test_detail_page_decision_reloads_detail_and_ignores_foreign_next(client_for, submit, clerk_a, manager_a, gm):
    req = submit(clerk_a, amount="9000")
    detail = reverse("approvals:request_detail", args=[req.pk])
    client = client_for(manager_a)
    page = client.get(detail).content.decode()
    assert 'id="decide"' in page and "hx-post" not in page.split('id="decide"')[1]
    # when posted with an outside `next`
    resp = client.post(
        reverse("approvals:step_decide", args=[pending_step(req).pk]),
        {"decision": "approve", "next": "https://evil.example/"},
    )
    # then back to the request, whose route moved on
    assert resp["Location"] == detail
    req.refresh_from_db()
    assert req.current_step_order == 2
    event = AuditEvent.objects.for_target(req).get(verb="approvals.step.approved")
    assert event.changes == {"step_status": ["pending", "approved"], "current_step_order": [1, 2]}
