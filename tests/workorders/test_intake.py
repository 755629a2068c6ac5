"""The intake page (接单内勤): read-back blocking (WO-08), classification (WO-01), duplicates and repeat calls,
special-group badge (WO-11), inquiries answered on the spot, the one-time form token, bad input, query counts."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from servicecenter.customers import services as customer_services
from servicecenter.customers.models import Customer, SpecialGroup
from servicecenter.workorders.models import WorkOrder, WorkOrderEvent

from .conftest import intake

pytestmark = pytest.mark.django_db

URL = "/workorders/intake/"
TICKS = {f"read_back_{f}": "1" for f in ("problem", "address", "name", "phone")}


def _form(center, **overrides):
    data = {
        "organization": str(center.pk),
        "intake_token": str(uuid.uuid4()),
        "kind": "repair",
        "service_type": "C",
        "priority": "normal",
        "customer_name": "王先生",
        "phone": "138 0013 8000",
        "address": "古城路 12 号 3 单元 501",
        "problem": "暖气不热",
        "action": "create",
        **TICKS,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.smoke
@pytest.mark.clause("WO-01")
def test_dispatcher_takes_a_call_and_sees_the_confirmation(client_for, clerk_a, tree):
    client = client_for(clerk_a)
    page = client.get(URL)
    assert page.status_code == 200
    body = page.content.decode()
    assert f"（{clerk_a.staff_no}号）为您服务" in body  # CON-07 opening with the staff number
    assert 'name="intake_token"' in body and "autofocus" in body
    response = client.post(URL, _form(tree["a"], kind="complaint"))
    order = WorkOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("workorders:intake_done", args=[order.pk])
    assert order.kind == "complaint" and order.read_back == ["problem", "address", "name", "phone"]
    done = client.get(response["Location"])
    assert order.number in done.content.decode() and "受理下一个来电" in done.content.decode()


@pytest.mark.clause("WO-08")
def test_save_is_blocked_until_all_four_ticks_with_field_messages(client_for, clerk_a, tree):
    data = _form(tree["a"])
    del data["read_back_address"], data["read_back_phone"]
    response = client_for(clerk_a).post(URL, data)
    body = response.content.decode()
    assert response.status_code == 400
    assert "请跟读确认：地址、电话（依据 WO-08）" in body
    assert body.count("请跟读确认后勾选") == 2
    assert not WorkOrder.objects.exists()
    # what was typed is kept
    assert "古城路 12 号 3 单元 501" in body


def test_double_submit_with_the_same_token_creates_one_order(client_for, clerk_a, tree):
    client = client_for(clerk_a)
    data = _form(tree["a"])
    first = client.post(URL, data)
    second = client.post(URL, data)
    assert WorkOrder.objects.count() == 1
    assert first["Location"] == second["Location"]


@pytest.mark.clause("WO-01")
def test_inquiry_answered_on_the_spot_is_created_and_closed(client_for, clerk_a, tree):
    client = client_for(clerk_a)
    empty = client.post(URL, _form(tree["a"], kind="inquiry", action="answer", answer=""))
    assert empty.status_code == 400 and "请填写当场答复的内容" in empty.content.decode()
    response = client.post(URL, _form(tree["a"], kind="inquiry", action="answer", answer="供暖期为11月15日起"))
    order = WorkOrder.objects.get()
    assert response.status_code == 302 and order.status == "closed" and order.answer == "供暖期为11月15日起"
    assert "已当场答复并办结" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"customer_name": "名" * 10_000}, "客户姓名不能超过 100 个字"),
        ({"phone": "138abc0000"}, "电话号码格式不正确"),
        ({"address": "      "}, "请填写地址"),
        ({"organization": "999999"}, "请选择有效的服务中心"),
        ({"kind": "nonsense"}, "请选择类别"),
        ({"intake_token": "not-a-uuid"}, "受理表单已失效"),
    ],
)
def test_bad_input_gets_a_400_page_with_messages_and_nothing_saved(client_for, clerk_a, tree, overrides, message):
    response = client_for(clerk_a).post(URL, _form(tree["a"], **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not WorkOrder.objects.exists() and not Customer.objects.exists()


@pytest.mark.clause("WO-01")
def test_a_likely_duplicate_is_flagged_and_the_call_logged_on_it(client_for, clerk_a, tree):
    order = intake(clerk_a, tree["a"], address="古城路12号3单元501")
    client = client_for(clerk_a)
    # same address typed differently, another phone
    lookup = client.get(
        reverse("workorders:intake_lookup"),
        {"organization": tree["a"].pk, "phone": "139 0000 0000", "address": "古城路 12 号，3 单元 501"},
    )
    body = lookup.content.decode()
    assert "可能是重复来电" in body and order.number in body and "记为重复来电" in body
    response = client.post(reverse("workorders:intake_log_call", args=[order.pk]), {"note": "邻居再次反映暖气不热"})
    assert response.status_code == 302 and response["Location"].endswith("?call=1")
    assert WorkOrder.objects.count() == 1
    call = WorkOrderEvent.objects.get(order=order, verb="call")
    assert "邻居再次反映暖气不热" in call.note and call.clause == "WO-01"
    assert "已记为重复来电" in client.get(response["Location"]).content.decode()


def test_an_order_outside_the_duplicate_window_is_not_flagged(client_for, clerk_a, tree):
    import time_machine

    from .conftest import MORNING

    intake(clerk_a, tree["a"], now=MORNING)
    from datetime import timedelta

    with time_machine.travel(MORNING + timedelta(hours=73), tick=False):
        lookup = client_for(clerk_a).get(
            reverse("workorders:intake_lookup"), {"organization": tree["a"].pk, "phone": "13800138000"}
        )
    assert "可能是重复来电" not in lookup.content.decode()


@pytest.mark.clause("WO-11")
def test_special_group_member_is_badged_and_gets_urgent_priority(client_for, clerk_a, tree):
    customer = customer_services.customer_create(
        actor=clerk_a.user, organization=tree["a"], name="王大爷", phone="13800138000", address="古城路 1 号"
    )
    customer_services.customer_set_special_group(
        actor=clerk_a.user,
        customer_id=customer.pk,
        group_id=SpecialGroup.objects.get(code="elderly").pk,
        note="独居老人",
    )
    client = client_for(clerk_a)
    lookup = client.get(reverse("workorders:intake_lookup"), {"organization": tree["a"].pk, "phone": "138-0013-8000"})
    body = lookup.content.decode()
    assert "特殊群体：老年人，将自动设为紧急" in body and "王大爷" in body and "使用客户资料" in body
    client.post(URL, _form(tree["a"], customer_id=str(customer.pk)))
    assert WorkOrder.objects.get().priority == "urgent"


def test_lookup_shows_the_customers_open_orders_and_history(client_for, clerk_a, tree):
    order = intake(clerk_a, tree["a"])
    lookup = client_for(clerk_a).get(
        reverse("workorders:intake_lookup"), {"organization": tree["a"].pk, "phone": "13800138000"}
    )
    body = lookup.content.decode()
    assert "未完成的工单" in body and order.number in body


def test_intake_page_and_lookup_have_bounded_queries(client_for, clerk_a, tree, django_assert_max_num_queries):
    for i in range(5):
        intake(clerk_a, tree["a"], address=f"古城路 {i} 号")
    client = client_for(clerk_a)
    client.get(URL)  # warm the per-process caches (policy catalogue, calendar)
    with django_assert_max_num_queries(30):
        assert client.get(URL).status_code == 200
    with django_assert_max_num_queries(12):
        response = client.get(
            reverse("workorders:intake_lookup"),
            {"organization": tree["a"].pk, "phone": "13800138000", "address": "古城路 1 号"},
        )
    assert response.status_code == 200


def test_people_without_intake_permission_get_403(client_for, worker_a):
    assert client_for(worker_a).get(URL).status_code == 403


def test_greeting_windows_page_adds_and_withdraws_a_window(client_for, manager_a, clerk_a, tree):
    url = reverse("workorders:greeting_windows")
    assert client_for(clerk_a).get(url).status_code == 403
    client = client_for(manager_a)
    assert "法定节假日" in client.get(url).content.decode()
    bad = client.post(url, {"organization": tree["a"].pk, "holiday": "national_day", "starts_on": "x", "ends_on": ""})
    assert bad.status_code == 400
    ok = client.post(
        url,
        {
            "organization": tree["a"].pk,
            "holiday": "national_day",
            "starts_on": "2027-09-30",
            "ends_on": "2027-10-07",
            "note": "2027 国庆通知",
        },
    )
    assert ok.status_code == 302
    from servicecenter.customers.models import GreetingWindow

    window = GreetingWindow.objects.get()
    assert "2027 国庆通知" in client.get(url).content.decode()
    client.post(reverse("workorders:greeting_window_withdraw", args=[window.pk]))
    window.refresh_from_db()
    assert window.is_active is False


@pytest.mark.clause("SVC-02")
def test_register_fields_show_where_the_center_asks_for_them(client_for, clerk_a, manager_a, tree):
    from servicecenter.policy.services import parameter_set
    from servicecenter.policy.values import local_today

    client = client_for(clerk_a)
    assert 'id="register-fields"' not in client.get(URL).content.decode()
    parameter_set(
        actor=manager_a.user,
        key="service.register_fields",
        organization=tree["a"],
        value=["product_model"],
        effective_from=local_today(tree["a"]),
        reason="登记簿要求型号",
    )
    assert 'id="id_product_model"' in client.get(URL).content.decode()
    missing = client.post(URL, _form(tree["a"]))
    assert missing.status_code == 400 and "本中心登记簿要求填写此项（SVC-02）" in missing.content.decode()
    assert client.post(URL, _form(tree["a"], product_model="GX-200")).status_code == 302
    assert WorkOrder.objects.get().product_model == "GX-200"
