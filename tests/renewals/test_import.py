"""Importing a call list (CB-11): a good file, bad rows named per row, duplicates, the template; nothing is added
to the list before confirmation."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from servicecenter.core.errors import Conflict, ValidationFailed
from servicecenter.renewals import services
from servicecenter.renewals.models import RenewalImport, RenewalRow

from .conftest import MONTH, add_rows, xlsx

pytestmark = pytest.mark.django_db


def _upload(manager, center, rows, kind="due", **kw):
    return services.import_upload(
        actor=manager.user, organization=center, month=MONTH, kind=kind, file=xlsx(rows, **kw)
    )


@pytest.mark.clause("CB-11")
def test_good_file_is_previewed_then_committed(tree, manager_a, specialist_a):
    imp = _upload(
        manager_a,
        tree["a"],
        [
            ["U1", "王五", "13800001111", "6.0", "2026-11-20", specialist_a.staff_no],
            ["U2", "赵六", "", "3.0", "2026/11/25", ""],
        ],
    )
    assert imp.valid_rows == 2 and not RenewalRow.objects.exists()  # nothing before confirmation
    services.import_commit(actor=manager_a.user, imp=imp)
    rows = {r.subscriber_no: r for r in RenewalRow.objects.all()}
    assert rows["U1"].assignee_id == specialist_a.pk and rows["U2"].assignee_id is None
    assert rows["U2"].due_date.isoformat() == "2026-11-25" and rows["U1"].month == MONTH
    imp.refresh_from_db()
    assert imp.status == "committed" and imp.created_count == 2 and imp.rows[0]["row_id"] == rows["U1"].pk
    with pytest.raises(Conflict):
        services.import_commit(actor=manager_a.user, imp=imp)


@pytest.mark.clause("CB-11")
def test_bad_rows_are_named(tree, manager_a):
    imp = _upload(
        manager_a,
        tree["a"],
        [
            ["", "无编号", "", "6.0", "2026-11-20", ""],
            ["U3", "档次错", "", "5.5", "2026-11-20", ""],
            ["U4", "日期错", "", "6.0", "下个月", ""],
            ["U5", "工号错", "", "6.0", "2026-11-20", "X999"],
            ["U6", "好的", "", "8.2", "2026-11-20", ""],
        ],
    )
    errors = {r["row"]: r["errors"] for r in imp.rows}
    assert errors[2] == [["用户编号", "请填写用户编号"]]
    assert "未知的产品档次「5.5」" in errors[3][0][1]
    assert "无法识别的日期" in errors[4][0][1]
    assert "不是本中心的续费专员" in errors[5][0][1]
    assert errors[6] == [] and imp.valid_rows == 1


@pytest.mark.clause("CB-11")
def test_duplicates_in_the_file_and_already_listed(tree, manager_a):
    add_rows(tree["a"], n=1, prefix="D")  # D00000 is on this month's due list
    imp = _upload(
        manager_a,
        tree["a"],
        [
            ["U7", "甲", "", "6.0", "2026-11-20", ""],
            ["U7", "乙", "", "6.0", "2026-11-20", ""],
            ["D00000", "丙", "", "6.0", "2026-11-20", ""],
        ],
    )
    messages = [e[1] for r in imp.rows for e in r["errors"]]
    assert "与本文件第 3 行用户编号重复" in messages and "与本文件第 2 行用户编号重复" in messages
    assert "该用户已在本月名单中" in messages and imp.valid_rows == 0


def test_a_row_listed_meanwhile_stops_the_commit(tree, manager_a):
    imp = _upload(manager_a, tree["a"], [["U8", "甲", "", "6.0", "2026-11-20", ""]])
    other = _upload(manager_a, tree["a"], [["U8", "甲", "", "6.0", "2026-11-20", ""]])
    services.import_commit(actor=manager_a.user, imp=other)
    with pytest.raises(Conflict):
        services.import_commit(actor=manager_a.user, imp=imp)
    imp.refresh_from_db()
    assert imp.status == "validated" and imp.valid_rows == 0 and RenewalRow.objects.count() == 1


def test_suspended_list_needs_no_due_date(tree, manager_a):
    imp = _upload(manager_a, tree["a"], [["S1", "停机户", "", "3.0", "", ""]], kind="suspended")
    assert imp.valid_rows == 1


@pytest.mark.parametrize(
    ("name", "headers", "message"),
    [("名单.csv", None, "只支持 .xlsx"), ("名单.xlsx", ["姓名"], "缺少必填列")],
)
def test_bad_files_are_refused_whole(tree, manager_a, name, headers, message):
    kw = {"name": name} | ({"headers": headers} if headers else {})
    with pytest.raises(ValidationFailed) as err:
        _upload(manager_a, tree["a"], [["x"]], **kw)
    assert message in err.value.message and not RenewalImport.objects.exists()


def test_cancel_keeps_the_report(tree, manager_a):
    imp = _upload(manager_a, tree["a"], [["U9", "甲", "", "6.0", "2026-11-20", ""]])
    services.import_cancel(actor=manager_a.user, imp=imp)
    imp.refresh_from_db()
    assert imp.status == "cancelled" and not RenewalRow.objects.exists()


def test_template_download_has_the_headers_and_tiers(tree, manager_a, client_for):
    response = client_for(manager_a).get(f"/renewals/imports/template/?center={tree['a'].pk}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book.worksheets[0][1]] == [
        "用户编号",
        "姓名",
        "电话",
        "当前产品",
        "到期日期",
        "续费专员工号",
    ]
    assert "3.0、6.0、8.2" in [c.value for c in book["填写说明"]["C"]]


def test_upload_page_preview_and_confirm(tree, manager_a, client_for):
    client = client_for(manager_a)
    response = client.post(
        "/renewals/imports/",
        {
            "center": tree["a"].pk,
            "kind": "due",
            "month": "2026-11",
            "file": xlsx([["U10", "甲", "", "9", "2026-11-20", ""]]),
        },
    )
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert "未知的产品档次「9」" in preview.content.decode()
    bad = client.post("/renewals/imports/", {"center": tree["a"].pk, "kind": "due", "month": "2026-13"})
    assert bad.status_code == 400
