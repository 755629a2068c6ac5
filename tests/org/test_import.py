"""Staff import from .xlsx: file checks, the row-by-row report, and the one-transaction commit of the valid rows."""

from datetime import date, datetime

import pytest
from django.urls import reverse

from servicecenter.core.errors import Conflict, NotAllowed, ValidationFailed
from servicecenter.core.models import AuditEvent
from servicecenter.org import services
from servicecenter.org.choices import StaffImportStatus
from servicecenter.org.imports import MAX_ROWS, parse_date
from servicecenter.org.models import RoleAssignment, Staff, StaffImport
from tests.org.sheets import read_sheet, staff_file, upload, xlsx_bytes


def row(staff_no, name, org_code, position="", phone="", hire_date="", roles=""):
    return [staff_no, name, org_code, position, phone, hire_date, roles]


def upload_rows(actor, rows, **kwargs):
    return services.staff_import_upload(actor=actor.user, file=staff_file(rows, **kwargs))


def errors_by_row(staff_import):
    return {r["row"]: r["errors"] for r in staff_import.rows if r["errors"]}


@pytest.mark.smoke
def test_a_good_file_is_checked_then_imported_in_one_go(tree, manager_a):
    # given a clean file of two people
    code = tree["a"].code
    rows = [
        row("G001", "张一", code, "维修员", "13800000001", "2024-03-01", "service_staff"),
        row("G002", "张二", tree["team_a"].code, "", "", "", ""),
    ]
    # when it is uploaded
    imp = upload_rows(manager_a, rows)
    # then nothing is saved yet, and the report lists both rows as valid
    assert imp.status == StaffImportStatus.VALIDATED and (imp.total_rows, imp.valid_rows) == (2, 2)
    assert not Staff.objects.filter(staff_no__in=["G001", "G002"]).exists()
    assert AuditEvent.objects.for_target(imp).get().verb == "org.staff_import.uploaded"
    # when the importer confirms
    imp = services.staff_import_commit(actor=manager_a.user, staff_import=imp)
    # then both exist, each with its own audit event, the role granted over their unit
    one = Staff.objects.get(staff_no="G001")
    assert (one.name, one.position, one.phone, one.hire_date) == ("张一", "维修员", "13800000001", date(2024, 3, 1))
    assert one.organization == tree["a"]
    assert RoleAssignment.objects.get(user=one.user).role.code == "service_staff"
    assert Staff.objects.get(staff_no="G002").organization == tree["team_a"]
    assert AuditEvent.objects.filter(verb="org.staff.created", actor=manager_a.user).count() == 2
    assert imp.status == StaffImportStatus.COMMITTED and imp.created_count == 2
    assert all(r["staff_id"] for r in imp.rows)
    assert AuditEvent.objects.for_target(imp).first().verb == "org.staff_import.committed"


@pytest.mark.clause("ORG-08", "ORG-04")
def test_a_mixed_file_names_every_bad_row_with_its_reasons(tree, manager_a):
    # given one good row and one row per kind of mistake
    a = tree["a"].code
    existing = manager_a.staff_no
    rows = [
        row("OK01", "好人", a),  # 2
        row("", "无工号", a),  # 3
        row("BAD NO", "坏工号", a),  # 4
        row(existing, "已存在", a),  # 5
        row("DUP1", "重复一", a),  # 6
        row("DUP1", "重复二", a),  # 7
        row("N01", "", a),  # 8
        row("O01", "无组织", ""),  # 9
        row("O02", "他中心", tree["b"].code),  # 10: exists, but not the importer's
        row("O03", "乱码", "no-such-unit"),  # 11
        row("D01", "坏日期", a, hire_date="2024-13-45"),  # 12
        row("P01", "坏手机", a, phone="电话号码"),  # 13
        row("R01", "无角色", a, roles="no_such_role"),  # 14
        row("R02", "越权角色", a, roles="system_admin"),  # 15
        row("L01", "x" * 51, a, position="y" * 51),  # 16
    ]
    # when
    imp = upload_rows(manager_a, rows)
    # then
    errs = errors_by_row(imp)
    assert set(errs) == set(range(3, 17))
    assert imp.valid_rows == 1 and imp.total_rows == 15

    def text(n):
        return " ".join(f"{col}：{msg}" for col, msg in errs[n])

    assert "工号：请填写工号" in text(3)
    assert "字母、数字和连字符" in text(4)
    assert "工号已存在" in text(5)
    assert "第 7 行" in text(6) and "第 6 行" in text(7)
    assert "姓名：请填写姓名" in text(8)
    assert "所属组织编码：请填写所属组织编码" in text(9)
    assert "不存在或不在您的管理范围内" in text(10) and "不存在或不在您的管理范围内" in text(11)
    assert "入职日期：无法识别的日期" in text(12)
    assert "手机：手机号码格式不正确" in text(13)
    assert "角色「no_such_role」不存在" in text(14)
    assert "不能授予角色「系统管理员」" in text(15)
    assert "姓名最多 50 字" in text(16) and "岗位最多 50 字" in text(16)


def test_confirm_imports_only_the_valid_rows_and_the_error_report_lists_the_rest(tree, manager_a, client):
    a = tree["a"].code
    imp = upload_rows(manager_a, [row("V1", "有效一", a), row("", "无效", a), row("V2", "有效二", a)])
    # when
    imp = services.staff_import_commit(actor=manager_a.user, staff_import=imp)
    # then
    assert imp.created_count == 2 and set(
        Staff.objects.filter(name__startswith="有效").values_list("staff_no", flat=True)
    ) == {"V1", "V2"}
    assert not Staff.objects.filter(name="无效").exists()
    client.force_login(manager_a.user)
    response = client.get(reverse("org:staff_import_errors", kwargs={"pk": imp.pk}))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    sheet = read_sheet(response.content)
    assert sheet[0][0] == "行号" and sheet[0][-1] == "错误原因"
    assert len(sheet) == 2 and sheet[1][0] == 3 and "请填写工号" in sheet[1][-1]


def test_nothing_is_half_saved_when_a_row_fails_while_committing(tree, manager_a, monkeypatch):
    # given two valid rows; the second fails inside staff_create as if the database refused it
    a = tree["a"].code
    imp = upload_rows(manager_a, [row("T1", "一", a), row("T2", "二", a)])
    real = services.staff_create

    def flaky(**kwargs):
        if kwargs["staff_no"] == "T2":
            raise ValidationFailed("数据库拒绝")
        return real(**kwargs)

    monkeypatch.setattr(services, "staff_create", flaky)
    # when
    with pytest.raises(ValidationFailed):
        services.staff_import_commit(actor=manager_a.user, staff_import=imp)
    # then the first row was rolled back with the second, and the import still waits
    assert not Staff.objects.filter(staff_no__in=["T1", "T2"]).exists()
    imp.refresh_from_db()
    assert imp.status == StaffImportStatus.VALIDATED


def test_rows_are_checked_again_at_commit_and_a_changed_row_stops_the_import(tree, manager_a):
    # given a checked file, and meanwhile someone creates one of its staff numbers
    a = tree["a"].code
    imp = upload_rows(manager_a, [row("C1", "一", a), row("C2", "二", a)])
    services.staff_create(actor=None, organization=tree["a"], staff_no="C2", name="抢先")
    # when
    with pytest.raises(Conflict) as exc:
        services.staff_import_commit(actor=manager_a.user, staff_import=imp)
    # then nothing is imported, and the report now shows row 3 as bad
    assert "第 3 行" in exc.value.message
    assert not Staff.objects.filter(staff_no="C1").exists()
    imp.refresh_from_db()
    assert imp.status == StaffImportStatus.VALIDATED and imp.valid_rows == 1
    assert "工号已存在" in errors_by_row(imp)[3][0][1]
    # confirming the refreshed report imports the one row still valid
    imp = services.staff_import_commit(actor=manager_a.user, staff_import=imp)
    assert imp.created_count == 1 and Staff.objects.filter(staff_no="C1").exists()


def test_a_second_confirmation_and_a_reimport_create_nobody_twice(tree, manager_a):
    a = tree["a"].code
    rows = [row("I1", "一", a), row("I2", "二", a)]
    imp = upload_rows(manager_a, rows)
    services.staff_import_commit(actor=manager_a.user, staff_import=imp)
    # a second confirmation of the same import is refused
    with pytest.raises(Conflict):
        services.staff_import_commit(actor=manager_a.user, staff_import=imp)
    # the same file uploaded again: every row is a duplicate, nothing to import
    again = upload_rows(manager_a, rows)
    assert again.valid_rows == 0
    assert all("工号已存在" in e[0][1] for e in errors_by_row(again).values())
    services.staff_import_commit(actor=manager_a.user, staff_import=again)
    assert Staff.objects.filter(staff_no__in=["I1", "I2"]).count() == 2


def test_cancel_imports_nothing_and_only_the_importer_decides(tree, manager_a, gm):
    imp = upload_rows(manager_a, [row("X1", "一", tree["a"].code)])
    with pytest.raises(NotAllowed):
        services.staff_import_commit(actor=gm.user, staff_import=imp)
    with pytest.raises(NotAllowed):
        services.staff_import_cancel(actor=gm.user, staff_import=imp)
    imp = services.staff_import_cancel(actor=manager_a.user, staff_import=imp)
    assert imp.status == StaffImportStatus.CANCELLED and not Staff.objects.filter(staff_no="X1").exists()
    with pytest.raises(Conflict):
        services.staff_import_commit(actor=manager_a.user, staff_import=imp)


def test_excel_dates_in_every_form_are_read(tree, manager_a):
    a = tree["a"].code
    rows = [
        row("E1", "日期格", a, hire_date=datetime(2023, 5, 6)),  # a real date cell
        row("E2", "序列号", a, hire_date=45292),  # 2024-01-01 typed into a number-formatted cell
        row("E3", "斜杠", a, hire_date="2024/2/3"),
        row("E4", "中文", a, hire_date="2024年3月4日"),
        row("E5", "数字工号", 10086, phone=13800001111),  # numbers where text was meant
    ]
    imp = upload_rows(manager_a, rows, number_formats={(3, 6): "General"})
    values = {r["values"]["staff_no"]: r["values"] for r in imp.rows}
    assert values["E1"]["hire_date"] == "2023-05-06"
    assert values["E2"]["hire_date"] == "2024-01-01"
    assert values["E5"]["phone"] == "13800001111" and values["E5"]["org_code"] == "10086"
    assert set(errors_by_row(imp)) == {6}  # only the unknown organization 10086
    services.staff_import_commit(actor=manager_a.user, staff_import=imp)
    got = dict(Staff.objects.filter(staff_no__in=["E1", "E2", "E3", "E4"]).values_list("staff_no", "hire_date"))
    assert got == {"E1": date(2023, 5, 6), "E2": date(2024, 1, 1), "E3": date(2024, 2, 3), "E4": date(2024, 3, 4)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-01", date(2024, 3, 1)),
        ("2024.3.1", date(2024, 3, 1)),
        ("20240301", date(2024, 3, 1)),
        ("45352", date(2024, 3, 1)),
        ("45352.5", date(2024, 3, 1)),
        ("明天", None),
        ("0", None),
        ("2024-02-30", None),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"staff_no,name\nS1,A\n", "staff.csv", "只支持 .xlsx"),
        (b"staff_no,name\nS1,A\n", "staff.xls", "只支持 .xlsx"),
        (b"this is not a zip file at all", "staff.xlsx", "已损坏"),
        (b"PK\x03\x04broken zip", "staff.xlsx", "已损坏"),
        (b"", "staff.xlsx", "空"),
    ],
)
def test_a_file_that_is_not_xlsx_is_refused_with_a_clear_reason(tree, manager_a, content, name, message):
    with pytest.raises(ValidationFailed) as exc:
        services.staff_import_upload(actor=manager_a.user, file=upload(content, name))
    assert message in exc.value.fields["file"][0]
    assert not StaffImport.objects.exists()


def test_a_zip_that_is_not_a_workbook_is_refused(tree, manager_a):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    with pytest.raises(ValidationFailed) as exc:
        services.staff_import_upload(actor=manager_a.user, file=upload(buffer.getvalue()))
    assert "已损坏" in exc.value.message


def test_missing_headers_are_named(tree, manager_a):
    content = xlsx_bytes([["S1", "张三"]], headers=["工号", "名字"])
    with pytest.raises(ValidationFailed) as exc:
        services.staff_import_upload(actor=manager_a.user, file=upload(content))
    assert "姓名" in exc.value.message and "所属组织编码" in exc.value.message


def test_headers_may_carry_required_marks_and_blank_rows_are_skipped(tree, manager_a):
    headers = ["工号*", "姓名 *", "所属组织编码（必填）", "岗位", "手机", "入职日期", "角色编码"]
    content = xlsx_bytes(
        [row("B1", "一", tree["a"].code), [None] * 7, row("B2", "二", tree["a"].code)], headers=headers
    )
    imp = services.staff_import_upload(actor=manager_a.user, file=upload(content))
    assert [r["row"] for r in imp.rows] == [2, 4] and imp.valid_rows == 2


def test_an_empty_sheet_is_refused(tree, manager_a):
    with pytest.raises(ValidationFailed) as exc:
        services.staff_import_upload(actor=manager_a.user, file=staff_file([]))
    assert "没有数据行" in exc.value.message


def test_oversized_files_are_refused_before_reading(tree, manager_a):
    big = upload(b"PK\x03\x04" + b"0" * (2 * 1024 * 1024 + 10))
    with pytest.raises(ValidationFailed) as exc:
        services.staff_import_upload(actor=manager_a.user, file=big)
    assert "2 MB" in exc.value.message


def test_too_many_rows_are_refused(tree, manager_a):
    rows = [row(f"R{i}", "某", tree["a"].code) for i in range(MAX_ROWS + 1)]
    with pytest.raises(ValidationFailed) as exc:
        services.staff_import_upload(actor=manager_a.user, file=staff_file(rows))
    assert str(MAX_ROWS) in exc.value.message


def test_import_needs_the_import_permission(tree, clerk_a):
    with pytest.raises(NotAllowed):
        services.staff_import_upload(actor=clerk_a.user, file=staff_file([row("Z1", "一", tree["a"].code)]))


# --- pages -------------------------------------------------------------------------------------------------------


@pytest.mark.smoke
def test_upload_page_shows_the_report_and_confirm_imports(client, tree, manager_a):
    client.force_login(manager_a.user)
    # the upload page explains the rule and lists the codes the importer may use
    page = client.get(reverse("org:staff_import"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "只导入有效行" in body and tree["a"].code in body
    # upload a mixed file
    file = staff_file(
        [row("W1", "页面一", tree["a"].code), row("W1", "页面二", tree["a"].code), row("W3", "页面三", tree["a"].code)]
    )
    response = client.post(reverse("org:staff_import"), {"file": file})
    assert response.status_code == 302
    report = client.get(response["Location"])
    html = report.content.decode()
    assert report.status_code == 200
    assert "导入 1 条有效数据" in html and 'id="row-2"' in html and 'id="row-3"' in html and "第 3 行" in html
    imp = StaffImport.objects.get(uploaded_by=manager_a.user)
    confirm = client.post(reverse("org:staff_import_confirm", kwargs={"pk": imp.pk}))
    assert confirm.status_code == 302
    assert (
        Staff.objects.filter(name="页面三").exists()
        and not Staff.objects.filter(name__in=["页面一", "页面二"]).exists()
    )
    done = client.get(reverse("org:staff_import_detail", kwargs={"pk": imp.pk})).content.decode()
    assert "已导入" in done and "导入 1 名员工" in done


def test_a_bad_upload_rerenders_the_form_with_the_reason(client, tree, manager_a):
    client.force_login(manager_a.user)
    response = client.post(reverse("org:staff_import"), {"file": upload(b"a,b\n", "list.csv")})
    assert response.status_code == 200
    assert "只支持 .xlsx 格式" in response.content.decode()
    response = client.post(reverse("org:staff_import"), {})
    assert response.status_code == 200 and "请选择要上传的 .xlsx 文件" in response.content.decode()


def test_template_download_has_the_headers_an_example_and_the_codes(client, tree, manager_a):
    client.force_login(manager_a.user)
    response = client.get(reverse("org:staff_import_template"))
    assert response.status_code == 200
    content = response.content
    staff_rows = read_sheet(content)
    assert tuple(staff_rows[0]) == ("工号", "姓名", "所属组织编码", "岗位", "手机", "入职日期", "角色编码")
    assert staff_rows[1][2] == tree["a"].code
    codes = [r[0] for r in read_sheet(content, "组织编码")[1:]]
    assert codes == [tree["a"].code, tree["team_a"].code]
    roles = [r[0] for r in read_sheet(content, "角色编码")[1:]]
    assert "service_staff" in roles and "system_admin" not in roles
    # the template itself imports cleanly once its example is made unique
    imp = services.staff_import_upload(actor=manager_a.user, file=upload(content))
    assert imp.valid_rows == 1
