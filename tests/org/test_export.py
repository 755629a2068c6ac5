"""Staff export (.xlsx): the import template's columns first, filters applied, phones masked where they must be."""

from datetime import date

import pytest
from django.urls import reverse

from servicecenter.org import services
from servicecenter.org.imports import HEADERS
from servicecenter.org.models import Staff
from tests import factories
from tests.org.sheets import read_sheet, upload, xlsx_bytes


@pytest.fixture
def people(tree):
    one = services.staff_create(
        actor=None,
        organization=tree["team_a"],
        staff_no="X-001",
        name="导出一",
        position="维修员",
        phone="13800001234",
        hire_date=date(2024, 3, 1),
        roles=["service_staff", "promoter"],
    )
    two = services.staff_create(actor=None, organization=tree["a"], staff_no="X-002", name="导出二")
    services.staff_create(actor=None, organization=tree["b"], staff_no="X-003", name="别处的人")
    return one, two


def export(client, user, query=""):
    client.force_login(user)
    response = client.get(reverse("org:staff_export") + query)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    return read_sheet(response.content)


def test_export_round_trip_uses_the_import_columns(client, tree, manager_a, people):
    # when the manager exports their center
    rows = export(client, manager_a.user)
    # then the first seven columns are the import template's, in order
    assert tuple(rows[0][:7]) == HEADERS and rows[0][7:] == ["所属组织", "状态", "离职日期"]
    by_no = {r[0]: r for r in rows[1:]}
    assert set(by_no) == {manager_a.staff_no, "X-001", "X-002"}  # not center B's
    one = by_no["X-001"]
    assert one[:5] == ["X-001", "导出一", tree["team_a"].code, "维修员", "13800001234"]
    assert one[5].date() == date(2024, 3, 1)
    assert set(one[6].split(",")) == {"service_staff", "promoter"}
    # and the exported file is read back by the importer without a column or format problem: with the staff
    # numbers changed, every row imports into the same units with the same data
    renamed = [[f"N{r[0]}", *r[1:7]] for r in rows[1:]]
    imp = services.staff_import_upload(actor=manager_a.user, file=upload(xlsx_bytes(renamed)))
    assert imp.valid_rows == imp.total_rows == 3, imp.rows
    services.staff_import_commit(actor=manager_a.user, staff_import=imp)
    copy = Staff.objects.get(staff_no="NX-001")
    assert (copy.organization, copy.phone, copy.hire_date) == (tree["team_a"], "13800001234", date(2024, 3, 1))
    assert {a.role.code for a in copy.user.role_assignments.all()} == {"service_staff", "promoter"}


def test_export_applies_the_list_filters(client, tree, manager_a, people):
    rows = export(client, manager_a.user, f"?organization={tree['team_a'].pk}")
    assert [r[0] for r in rows[1:]] == ["X-001"]
    rows = export(client, manager_a.user, "?q=导出二")
    assert [r[0] for r in rows[1:]] == ["X-002"]


def test_exporting_another_centers_unit_is_not_found(client, tree, manager_a, people):
    client.force_login(manager_a.user)
    assert client.get(reverse("org:staff_export") + f"?organization={tree['b'].pk}").status_code == 404
    assert client.get(reverse("org:staff_export") + "?organization=abc").status_code == 404


def test_phones_are_masked_for_an_exporter_who_may_not_change_staff(client, tree, people):
    # given a finance clerk: may export, may not change staff
    finance = factories.make_staff(tree["a"], "finance_clerk")
    rows = export(client, finance.user)
    by_no = {r[0]: r for r in rows[1:]}
    assert by_no["X-001"][4] == "138****1234"


def test_export_needs_the_export_permission(client, tree, clerk_a):
    client.force_login(clerk_a.user)
    assert client.get(reverse("org:staff_export")).status_code == 403
