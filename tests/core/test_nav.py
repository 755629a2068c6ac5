"""The menu groups the entries of one domain in a dropdown; a group with one visible entry is a plain link."""

from __future__ import annotations

from django.test import RequestFactory

from servicecenter.core.nav import nav_for


def _menu(staff, path="/"):
    request = RequestFactory().get(path)
    request.user = staff.user
    return nav_for(request)["nav_items"]


def test_dispatcher_sees_work_orders_as_one_dropdown(tree, clerk_a):
    menu = _menu(clerk_a, "/workorders/board/")
    groups = {item["key"]: item for item in menu if item.get("children")}
    work = groups["workorders"]
    labels = [str(child["label"]) for child in work["children"]]
    assert "调度看板" in labels and "受理来电" in labels and "我的工单" not in labels
    assert work["active"] and [c["active"] for c in work["children"] if str(c["label"]) == "调度看板"] == [True]
    # top level stays short: the groups (工单, 回访投诉, 人员, 积分绩效, 制度) plus 审批 — one line at 1366 px
    assert len(menu) <= 6


def test_a_group_with_one_visible_entry_is_a_plain_link():
    from servicecenter.core.nav import _grouped

    entries = [
        {"label": "审批", "url": "/approvals/", "active": False, "group": "", "order": 20},
        {"label": "制度参数", "url": "/policy/", "active": True, "group": "rules", "order": 40},
        {"label": "考勤", "url": "/attendance/", "active": False, "group": "people", "order": 45},
        {"label": "排班", "url": "/rosters/", "active": False, "group": "people", "order": 45},
    ]
    menu = _grouped(entries)
    assert [str(item["label"]) for item in menu] == ["审批", "人员", "制度参数"]
    assert menu[2]["url"] == "/policy/" and menu[2]["active"] and "children" not in menu[2]
    assert [c["label"] for c in menu[1]["children"]] == ["考勤", "排班"] and not menu[1]["active"]
