"""Built-in roles and their permission sets (ORG-02, ORG-03, ORG-05, ORG-07, ORG-25, C-11).

Roles are Django groups with a stable `code`. The permission set of a built-in role is declared here, once;
`sync_builtin_roles()` (run after every migrate) brings the groups in line. A center may add roles of its
own in the admin; a role's reach is always the organization subtree of the assignment (core.access).
"""

from __future__ import annotations

from dataclasses import dataclass

# Every logged-in member of a center may read its organization tree, colleagues and regulations.
BASE = (
    "org.view_organization",
    "org.view_staff",
    "policy.view_regulation",
    "workcalendar.view_calendar",
    # Issue 3/5 apps: everyone sees the center's orders and customers, the published roster, clocks in and asks
    # for leave; what each may *do* to an order is decided by the order's policies (assignee, clerk, manager).
    "customers.view_customer",
    "workorders.view_workorder",
    "rosters.view_roster",
    "rosters.request_swap",
    "attendance.punch",
    "leave.add_leaverequest",
    "complaints.view_guidancearticle",  # CMP-05: the communication guidance is for everyone who meets customers
    "points.view_board",  # PUB-01: the points board is posted for the whole center
)
MANAGE_PEOPLE = (
    "org.add_staff",
    "org.change_staff",
    "org.import_staff",
    "org.export_staff",
    "org.view_roleassignment",
    "org.add_roleassignment",
    "org.change_roleassignment",
    "org.add_delegation",
)
MANAGE_POLICY = ("policy.set_parameter", "workcalendar.change_calendar")
SEE_AUDIT = ("core.view_auditevent", "approvals.view_all_requests")
SUBMIT = ("approvals.add_approvalrequest",)
# Work orders and customers (issue 3: WO-04, SVC-03, SVC-10, WO-07).
TAKE_CALLS = ("workorders.add_workorder", "customers.add_customer", "customers.change_customer")
DISPATCH = ("workorders.dispatch_workorder",)
FIELD_WORK = ("workorders.work_workorder",)
REGISTER = ("workorders.view_register", "workorders.export_register")
ORDER_OVERSIGHT = ("workorders.countersign_workorder", "workorders.view_kpi")
# People (issue 5): rosters, attendance results, leave register.
MANAGE_ROSTER = ("rosters.manage_roster",)
SEE_PEOPLE = ("attendance.view_results", "leave.view_leaverequest")
MANAGE_PEOPLE_TIME = ("attendance.manage_attendance", "leave.manage_leave")
# Callbacks, satisfaction and complaints (issue 4: WO-10, CB-*, CMP-*).
CALLBACKS = ("callbacks.view_callbacktask", "callbacks.make_callback")
COMPLAINT_INTAKE = ("complaints.view_complaint", "complaints.add_complaint")
CARE_OVERSIGHT = (
    "callbacks.manage_callbacks",
    "callbacks.view_satisfaction",
    "complaints.handle_complaint",
    "complaints.view_complaint_register",
    "complaints.manage_guidance",
)
# Points (issue 6: PTS-*, PUB-01): the order clerk verifies the day (PTS-04), the finance clerk rechecks and locks
# the month (PTS-09); both read the ledger and the appraisals.
VERIFY_POINTS = ("points.verify_points", "points.view_ledger")
MANAGE_POINTS = ("points.manage_points", "points.view_ledger")
# Renewals (issue 6: CB-11, PTS-12…PTS-18): the renewal specialist calls the lists; the manager imports them.
RENEWALS = ("renewals.make_renewal_call", "renewals.manage_renewals")
# Pay (PTS-01…PTS-03, FIN-19): the finance clerk enters the month's inputs and computes the payroll sheet; the
# manager and the GM review it and edit the pay formulas; the GM and the admin upload the coefficient table.
PAYROLL = ("pay.view_payroll", "pay.manage_payroll")
# A center manager (and the ops-center GM above him) holds every operational permission of the roles he grants:
# ORG-04 forbids granting more than one holds, and WO-04 lets the manager (re)assign any order.
OPERATIONS = (
    TAKE_CALLS
    + DISPATCH
    + FIELD_WORK
    + REGISTER
    + ORDER_OVERSIGHT
    + MANAGE_ROSTER
    + SEE_PEOPLE
    + MANAGE_PEOPLE_TIME
    + CALLBACKS
    + COMPLAINT_INTAKE
    + CARE_OVERSIGHT
    + VERIFY_POINTS
    + MANAGE_POINTS
    + RENEWALS
    + PAYROLL
    + ("pay.manage_formulas",)
)


@dataclass(frozen=True)
class RoleSpec:
    code: str
    name: str
    description: str
    permissions: tuple[str, ...]
    rank: int
    center_types: tuple[str, ...] = ()  # C-22: the kinds of center the role exists in; () = every kind


STATION = ("service_station",)
HALL = ("gov_hall", "convenience_center")
CALL = ("call_center", "cs_dept")


BUILTIN_ROLES: tuple[RoleSpec, ...] = (
    RoleSpec(
        "system_admin",
        "系统管理员",
        "维护组织、角色、制度参数；不参与业务审批。",
        BASE
        + MANAGE_PEOPLE
        + MANAGE_POLICY
        + SEE_AUDIT
        + SUBMIT
        + ("org.add_organization", "org.change_organization", "pay.upload_coefficients"),
        1,
    ),
    RoleSpec(
        "ops_center_gm",
        "营维中心总经理",
        "审批超出中心经理权限的事项，处理上报与升级（ORG-05）。",
        BASE + MANAGE_PEOPLE + MANAGE_POLICY + SEE_AUDIT + SUBMIT + OPERATIONS + ("pay.upload_coefficients",),
        10,
    ),
    RoleSpec(
        "center_manager",
        "服务中心经理",
        "对本中心范围内的人、财、物享有调配管理权（ORG-04）。",
        BASE + MANAGE_PEOPLE + MANAGE_POLICY + SEE_AUDIT + SUBMIT + OPERATIONS,
        20,
    ),
    RoleSpec(
        "order_clerk",
        "接单内勤",
        "受理来电、派单、回访、每日积分核对。",
        BASE
        + SUBMIT
        + TAKE_CALLS
        + DISPATCH
        + REGISTER
        + CALLBACKS
        + COMPLAINT_INTAKE
        + VERIFY_POINTS
        + ("workorders.view_kpi", "callbacks.view_satisfaction"),
        30,
    ),
    RoleSpec(
        "finance_clerk",
        "税控专员内勤",
        "发票、账务、资产、积分统计。",
        BASE + SUBMIT + REGISTER + MANAGE_POINTS + PAYROLL + ("org.export_staff",),
        31,
    ),
    RoleSpec(
        "renewal_specialist",
        "续费专员",
        "续费回访与续费率。",
        BASE + SUBMIT + ("renewals.make_renewal_call",),
        32,
        center_types=STATION,
    ),
    RoleSpec("service_sales_supervisor", "服务销售主管", "服务销售管理。", BASE + SUBMIT, 33, center_types=STATION),
    RoleSpec("marketing_sales_supervisor", "市场销售主管", "市场销售管理。", BASE + SUBMIT, 34, center_types=STATION),
    RoleSpec("sales_specialist", "销售专员", "销售。", BASE + SUBMIT, 35, center_types=STATION),
    RoleSpec("service_staff", "服务人员", "上门维修与安装。", BASE + SUBMIT + FIELD_WORK, 36),
    RoleSpec("promoter", "基础宣传员", "基础宣传。", BASE + SUBMIT, 37, center_types=STATION),
    RoleSpec("channel_department", "渠道部", "接收请假等事项的报备（知会，不审批，ORG-06）。", BASE + SUBMIT, 40),
    RoleSpec(
        "supervisor",
        "主管",
        "呼叫中心主管：审批排班调整（ORG-07）。",
        BASE
        + SUBMIT
        + SEE_AUDIT
        + TAKE_CALLS
        + DISPATCH
        + REGISTER
        + MANAGE_ROSTER
        + SEE_PEOPLE
        + CALLBACKS
        + COMPLAINT_INTAKE
        + CARE_OVERSIGHT,
        41,
        center_types=CALL,
    ),
    RoleSpec(
        "principal_leader",
        "党政主要领导",
        "政务服务中心：审批两天以上请假（LEV-11）。",
        BASE + MANAGE_PEOPLE + MANAGE_POLICY + SEE_AUDIT + SUBMIT + SEE_PEOPLE + MANAGE_PEOPLE_TIME + MANAGE_ROSTER,
        15,
        center_types=HALL,
    ),
    RoleSpec(
        "leader_in_charge",
        "分管领导",
        "政务服务中心：审批一天以内请假（LEV-10）。",
        BASE + SEE_AUDIT + SUBMIT + SEE_PEOPLE,
        21,
        center_types=HALL,
    ),
    RoleSpec(
        "party_gov_office",
        "党政办",
        "政务服务中心：请销假登记备案（ORG-25）。",
        BASE + SUBMIT + SEE_PEOPLE + ("org.export_staff",),
        42,
        center_types=HALL,
    ),
    RoleSpec(
        "window_staff", "窗口工作人员", "政务服务窗口受理。", BASE + SUBMIT + COMPLAINT_INTAKE, 43, center_types=HALL
    ),
)
ROLE_CODES = frozenset(spec.code for spec in BUILTIN_ROLES)


def _permission_objects(names: tuple[str, ...]):
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    query = Q()
    for name in names:
        app_label, codename = name.split(".", 1)
        query |= Q(content_type__app_label=app_label, codename=codename)
    return list(Permission.objects.filter(query)) if names else []


def sync_builtin_roles() -> None:
    """Create or update the built-in roles' groups and permission sets. Idempotent."""
    from django.contrib.auth.models import Group

    from .models import Role

    for spec in BUILTIN_ROLES:
        wanted = {
            "name": spec.name,
            "description": spec.description,
            "rank": spec.rank,
            "is_builtin": True,
            "center_types": list(spec.center_types),
        }
        role = Role.objects.filter(code=spec.code).select_related("group").first()
        if role is None:
            group, _ = Group.objects.get_or_create(name=f"role:{spec.code}")
            role = Role.objects.create(code=spec.code, group=group, **wanted)
        elif any(getattr(role, key) != value for key, value in wanted.items()):
            for key, value in wanted.items():
                setattr(role, key, value)
            role.save(update_fields=[*wanted, "updated_at"])
        role.group.permissions.set(_permission_objects(spec.permissions))


def sync_builtin_roles_after_migrate(sender, using="default", **kwargs) -> None:
    """post_migrate handler: sync once, after the last installed app with models has had its permissions created."""
    from django.apps import apps
    from django.db import connections

    from .models import Role

    last_app = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if sender.label != last_app.label:
        return

    table = Role._meta.db_table
    if table in connections[using].introspection.table_names():
        sync_builtin_roles()
