"""The public pages (no login): report a problem (rate limited, honeypot, CSRF) and look up an order's status
without exposing staff data."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from servicecenter.policy.services import parameter_set
from servicecenter.policy.values import local_today
from servicecenter.workorders import services
from servicecenter.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

REPORT = "/workorders/public/report/"
STATUS = "/workorders/public/status/"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def _report(center, **overrides):
    data = {
        "organization": str(center.pk),
        "kind": "repair",
        "customer_name": "赵女士",
        "phone": "139 1234 5678",
        "address": "新华街 8 号 2 单元 301",
        "problem": "楼道暖气管漏水",
        "website": "",
    }
    data.update(overrides)
    return data


@pytest.mark.smoke
def test_the_public_reports_a_problem_and_gets_the_order_number(client, tree):
    page = client.get(REPORT)
    body = page.content.decode()
    assert page.status_code == 200 and tree["a"].name in body
    assert 'id="mainnav"' not in body  # no staff navbar on public pages
    response = client.post(REPORT, _report(tree["a"]))
    assert response.status_code == 302 and response["Location"] == reverse("workorders:public_report_done")
    order = WorkOrder.objects.get()
    assert order.channel == "public_web" and order.created_by is None and order.kind == "repair"
    done = client.get(response["Location"]).content.decode()
    assert order.number in done and "5678" in done


def test_a_center_may_close_public_reports(client, tree, manager_a):
    parameter_set(
        actor=manager_a.user,
        key="workorders.public_intake_enabled",
        organization=tree["a"],
        value=False,
        effective_from=local_today(tree["a"]),
        reason="暂停网上报修",
    )
    assert tree["a"].name not in client.get(REPORT).content.decode()
    assert client.post(REPORT, _report(tree["a"])).status_code == 400
    assert not WorkOrder.objects.exists()


def test_reports_are_rate_limited_per_ip_with_429(client, tree):
    for i in range(5):
        assert client.post(REPORT, _report(tree["a"], problem=f"问题 {i}")).status_code == 302
    blocked = client.post(REPORT, _report(tree["a"], problem="第六次"))
    assert blocked.status_code == 429
    assert "提交过于频繁" in blocked.content.decode()
    assert WorkOrder.objects.count() == 5
    other_ip = client.post(REPORT, _report(tree["a"], problem="另一网络"), REMOTE_ADDR="10.9.9.9")
    assert other_ip.status_code == 302


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"website": "http://spam.example"}, "提交失败"),
        ({"customer_name": "名" * 10_000}, "不能超过 100 个字"),
        ({"phone": "call-me-maybe"}, "电话号码格式不正确"),
        ({"address": "     "}, "请填写地址"),
        ({"organization": "999999"}, "请选择服务中心"),
    ],
)
def test_bad_reports_get_a_400_and_nothing_is_saved(client, tree, overrides, message):
    response = client.post(REPORT, _report(tree["a"], **overrides))
    assert response.status_code == 400 and message in response.content.decode()
    assert not WorkOrder.objects.exists()


def test_the_report_form_is_csrf_protected(tree):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(REPORT, _report(tree["a"])).status_code == 403
    assert not WorkOrder.objects.exists()


def test_status_lookup_shows_state_and_times_but_no_staff_data(client, make_order, clerk_a, worker_a):
    order = make_order(phone="138 0013 8000")
    services.order_dispatch(actor=clerk_a.user, order_id=order.pk, assignee_id=worker_a.pk)
    response = client.post(STATUS, {"number": order.number, "phone_last4": "8000"})
    body = response.content.decode()
    assert response.status_code == 200
    assert order.number in body and "已派服务人员" in body and "预计处理完成" in body
    for secret in (worker_a.name, worker_a.staff_no, order.address, order.phone, "13800138000", clerk_a.name):
        assert secret not in body


def test_a_wrong_number_or_phone_gets_one_neutral_message(client, make_order):
    order = make_order(phone="13800138000")
    wrong_phone = client.post(STATUS, {"number": order.number, "phone_last4": "1111"}).content.decode()
    no_such = client.post(STATUS, {"number": "20260001999999", "phone_last4": "8000"}).content.decode()
    assert "未找到匹配的工单" in wrong_phone and "未找到匹配的工单" in no_such
    assert 'id="status-result"' not in wrong_phone + no_such


def test_status_lookups_are_limited_per_ip(client, make_order):
    order = make_order(phone="13800138000")
    for _ in range(10):
        client.post(STATUS, {"number": "x", "phone_last4": "0000"})
    blocked = client.post(STATUS, {"number": order.number, "phone_last4": "8000"})
    assert blocked.status_code == 429 and 'id="status-result"' not in blocked.content.decode()
