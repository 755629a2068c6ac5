"""The org pages in headless Chromium: the import flow on a desktop, the staff list on a phone."""

from pathlib import Path

import pytest

from servicecenter.org.models import Staff
from tests import factories
from tests.browser_support import login, screenshot
from tests.org.sheets import xlsx_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-Secret-2026"


def test_import_report_then_confirm_in_the_browser(page, tmp_path: Path):  # noqa: F811
    # given a manager and a file with one good and one bad row
    tree = factories.org_tree("br")
    manager = factories.make_staff(tree["a"], "center_manager", name="浏览器经理")
    path = tmp_path / "名单.xlsx"
    path.write_bytes(
        xlsx_bytes(
            [
                ["BR-1", "浏览器甲", tree["team_a"].code, "维修员", "13800009999", "2025-01-02", "service_staff"],
                ["BR 2", "浏览器乙", "nowhere", "", "", "", ""],
            ]
        )
    )
    login(page, manager.staff_no, PASSWORD)
    # when the file is uploaded
    page.goto("/org/staff/import/")
    page.set_input_files("#id_file", str(path))
    page.click("text=上传并校验")
    # then the report names the bad row and its reasons, and offers to import the one good row
    page.wait_for_selector("#bad-rows")
    assert "工号只能包含字母、数字和连字符" in page.inner_text("#row-3")
    assert "不存在或不在您的管理范围内" in page.inner_text("#row-3")
    assert page.inner_text("#confirm-import").strip() == "导入 1 条有效数据"
    screenshot(page, "org-import-report")
    # when confirmed
    page.click("#confirm-import")
    page.wait_for_selector("text=已导入 1 名员工")
    # then
    assert Staff.objects.filter(staff_no="BR-1", organization=tree["team_a"]).exists()
    assert page.inner_text("#import-status").strip() == "已导入"


def test_staff_list_fits_a_phone_and_filters_with_htmx(phone_page):  # noqa: F811
    tree = factories.org_tree("br")
    manager = factories.make_staff(tree["a"], "center_manager", name="手机经理")
    for i in range(12):
        factories.make_staff(tree["team_a"], "service_staff", name=f"手机员工{i}")
    login(phone_page, manager.staff_no, PASSWORD)
    phone_page.goto("/org/staff/")
    # nothing sticks out sideways on a 390 px screen
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    # typing in the search box filters the table without a page load
    phone_page.fill("#id_q", "手机员工1")
    phone_page.wait_for_function("document.querySelectorAll('#staff-table tbody tr').length === 3")
    assert "q=" in phone_page.url
    screenshot(phone_page, "org-staff-list-phone")
