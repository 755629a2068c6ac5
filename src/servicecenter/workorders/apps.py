from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkordersConfig(AppConfig):
    name = "servicecenter.workorders"
    label = "workorders"
    verbose_name = _("工单")

    def ready(self) -> None:
        # The off-site service approval kind (SVC-13) registers itself on import.
        from servicecenter.core.nav import NavItem, register

        from . import kinds  # noqa: F401

        register(
            NavItem(
                label=_("受理来电"),
                group="workorders",
                url_name="workorders:intake",
                permission="workorders.add_workorder",
                order=12,
            )
        )
        register(
            NavItem(
                label=_("调度看板"),
                group="workorders",
                url_name="workorders:board",
                permission="workorders.dispatch_workorder",
                order=13,
                prefix="/workorders/board/",
            )
        )
        register(
            NavItem(
                label=_("内勤考核"),
                group="workorders",
                url_name="workorders:kpi",
                permission="workorders.view_kpi",
                order=18,
            )
        )
        register(
            NavItem(
                label=_("我的工单"),
                group="workorders",
                url_name="workorders:field_list",
                permission="workorders.work_workorder",
                order=11,
                prefix="/workorders/my/",
            )
        )
        register(
            NavItem(
                label=_("服务登记簿"),
                group="workorders",
                url_name="workorders:register",
                permission="workorders.view_register",
                order=14,
                prefix="/workorders/register/",
            )
        )
