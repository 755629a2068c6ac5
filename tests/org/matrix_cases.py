"""Permission-matrix cases for every org page and API route (core.testing.Case; run by tests/test_permission_matrix.py).

Objects live in center A (world.tree["a"]); the cross-center user must get 404 on them, or not see the marker on
lists. Staff imports are visible to their importer only.
"""

from __future__ import annotations

import itertools

from servicecenter.core.testing import Case
from servicecenter.org import services
from tests import factories
from tests.org.sheets import staff_file

_codes = itertools.count(1)


def _import(world, rows):
    return services.staff_import_upload(actor=world.manager_a.user, file=staff_file(rows))


def _temporary_password_works(pk: int):
    def check(world, response) -> None:
        from servicecenter.org.models import Staff

        password = response.context["password"]
        assert Staff.objects.get(pk=pk).user.check_password(password)
        assert password in response.content.decode()

    return check


def build(world) -> list[Case]:
    a, team_a = world.tree["a"], world.tree["team_a"]
    target = factories.make_staff(team_a, name="矩阵甲员工")
    api_target = factories.make_staff(team_a, name="矩阵甲接口员工")
    holder = factories.make_staff(a, "promoter", name="矩阵甲宣传员")
    api_holder = factories.make_staff(a, "promoter", name="矩阵甲接口宣传员")
    assignment = holder.user.role_assignments.get(is_active=True)
    api_assignment = api_holder.user.role_assignments.get(is_active=True)
    n = next(_codes)
    imp_confirm = _import(
        world, [[f"MXC{n}", "矩阵导入", a.code, "", "", "", ""], ["", "缺工号", a.code, "", "", "", ""]]
    )
    imp_cancel = _import(world, [[f"MXD{n}", "矩阵导入二", a.code, "", "", "", ""]])

    def new_org(_world):
        return {"parent": a.pk, "kind": "team", "name": "矩阵新班组", "code": f"mx-team-{next(_codes)}"}

    def new_staff(_world):
        return {"organization": a.pk, "staff_no": f"MXS{next(_codes)}", "name": "矩阵新员工"}

    return [
        # --- HTML pages ---
        Case("org:organization_list", marker=a.name),
        Case("org:organization_detail", kwargs={"pk": a.pk}),
        Case("org:organization_create", actor="admin_a", query=f"?parent={a.pk}"),
        Case(
            "org:organization_create",
            actor="admin_a",
            method="post",
            query=f"?parent={a.pk}",
            data_factory=new_org,
            ok=(302,),
        ),
        Case("org:organization_update", actor="admin_a", kwargs={"pk": team_a.pk}),
        Case(
            "org:organization_update",
            actor="admin_a",
            method="post",
            kwargs={"pk": team_a.pk},
            data={"name": "矩阵改名班组", "is_active": "on"},
            ok=(302,),
        ),
        Case("org:staff_list", marker="矩阵甲员工"),
        Case("org:staff_detail", kwargs={"pk": target.pk}),
        Case("org:staff_create", query=f"?organization={a.pk}"),
        Case("org:staff_create", method="post", query=f"?organization={a.pk}", data_factory=new_staff, ok=(302,)),
        Case("org:staff_update", kwargs={"pk": target.pk}),
        Case(
            "org:staff_update",
            method="post",
            kwargs={"pk": target.pk},
            data={"organization": team_a.pk, "name": "矩阵甲员工", "position": "维修员"},
            ok=(302,),
        ),
        Case("org:staff_set_status", kwargs={"pk": target.pk}, query="?status=on_leave"),
        Case(
            "org:staff_reset_password",
            method="post",
            kwargs={"pk": target.pk},
            check=_temporary_password_works(target.pk),
        ),
        Case(
            "org:staff_set_status",
            method="post",
            kwargs={"pk": target.pk},
            data={"status": "on_leave", "note": "矩阵"},
            ok=(302,),
        ),
        Case(
            "org:role_assign",
            method="post",
            kwargs={"pk": target.pk},
            data={"role": "order_clerk", "organization": a.pk},
            ok=(302,),
        ),
        Case("org:role_revoke", method="post", kwargs={"pk": assignment.pk}, ok=(302,)),
        Case("org:staff_export", query=f"?organization={a.pk}"),
        Case("org:staff_import", marker=a.name),
        Case("org:staff_import_template", query=f"?organization={a.pk}"),
        Case("org:staff_import_detail", kwargs={"pk": imp_confirm.pk}),
        Case("org:staff_import_errors", kwargs={"pk": imp_confirm.pk}),
        Case("org:staff_import_confirm", method="post", kwargs={"pk": imp_confirm.pk}, ok=(302,)),
        Case("org:staff_import_cancel", method="post", kwargs={"pk": imp_cancel.pk}, ok=(302,)),
        # --- API ---
        Case("org-api:organization-list", api=True, marker=a.name),
        Case("org-api:organization-detail", api=True, kwargs={"pk": a.pk}),
        Case(
            "org-api:organization-detail",
            api=True,
            actor="admin_a",
            method="patch",
            kwargs={"pk": team_a.pk},
            data={"address": "矩阵路 1 号"},
        ),
        Case("org-api:staff-list", api=True, marker="矩阵甲员工"),
        Case("org-api:staff-detail", api=True, kwargs={"pk": api_target.pk}),
        Case("org-api:staff-detail", api=True, method="patch", kwargs={"pk": api_target.pk}, data={"position": "班长"}),
        Case(
            "org-api:staff-status",
            api=True,
            method="post",
            kwargs={"pk": api_target.pk},
            data={"status": "on_leave"},
        ),
        # Roles are one catalogue: role managers see it whole, everyone else only the roles they hold.
        Case("org-api:role-list", api=True, marker="服务中心经理", cross="clerk_b"),
        Case("org-api:role-assignment-list", api=True, marker=a.name),
        Case("org-api:role-assignment-detail", api=True, kwargs={"pk": api_assignment.pk}),
        Case("org-api:role-assignment-revoke", api=True, method="post", kwargs={"pk": api_assignment.pk}),
    ]
