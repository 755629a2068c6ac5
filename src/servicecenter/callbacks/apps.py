from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallbacksConfig(AppConfig):
    name = "servicecenter.callbacks"
    label = "callbacks"
    verbose_name = _("回访与满意度")

    def ready(self) -> None:
        from servicecenter.core.nav import NavItem, register
        from servicecenter.workorders import services as workorder_services

        from .services import task_for_returned_order

        # WO-10: a callback task for every returned order (called inside the transaction that returned it).
        if task_for_returned_order not in workorder_services.ON_RETURNED:
            workorder_services.ON_RETURNED.append(task_for_returned_order)
        from .surveys import invite_for_returned_order

        # CB-14: every service-register entry sends the customer a survey link.
        if invite_for_returned_order not in workorder_services.ON_RETURNED:
            workorder_services.ON_RETURNED.append(invite_for_returned_order)

        # Menu entries (group "care" = 回访投诉): each part of the app adds its own below.
        NAV: tuple[NavItem, ...] = (
            # queue / call / follow-ups / opinions / questionnaires (the call page /callbacks/<pk>/ is the queue's)
            NavItem(
                label=_("回访队列"),
                group="care",
                url_name="callbacks:queue",
                permission="callbacks.make_callback",
                order=50,
                prefix="/callbacks/queue/",
            ),
            NavItem(
                label=_("回访跟进"),
                group="care",
                url_name="callbacks:followups",
                permission="callbacks.manage_callbacks",
                order=52,
                prefix="/callbacks/followups/",
            ),
            NavItem(
                label=_("客户意见"),
                group="care",
                url_name="callbacks:opinions",
                permission="callbacks.manage_callbacks",
                order=54,
                prefix="/callbacks/opinions/",
            ),
            NavItem(
                label=_("回访问卷"),
                group="care",
                url_name="callbacks:questionnaires",
                permission="callbacks.manage_callbacks",
                order=56,
                prefix="/callbacks/questionnaires/",
            ),
            NavItem(
                label=_("满意度统计"),
                group="care",
                url_name="callbacks:satisfaction",
                permission="callbacks.view_satisfaction",
                order=60,
                prefix="/callbacks/satisfaction/",
            ),
            # surveys and ratings
            NavItem(
                label=_("好差评"),
                group="care",
                url_name="callbacks:ratings",
                permission="callbacks.view_satisfaction",
                order=62,
                prefix="/callbacks/ratings/",
            ),
            NavItem(
                label=_("差评整改"),
                group="care",
                url_name="callbacks:rectifications",
                permission="callbacks.view_satisfaction",
                order=63,
                prefix="/callbacks/rectifications/",
            ),
            NavItem(
                label=_("温馨回访汇总"),
                group="care",
                url_name="callbacks:courtesy",
                permission="callbacks.view_satisfaction",
                order=64,
                prefix="/callbacks/courtesy/",
            ),
            NavItem(
                label=_("意见调查"),
                group="care",
                url_name="callbacks:campaigns",
                permission="callbacks.manage_callbacks",
                order=65,
                prefix="/callbacks/campaigns/",
            ),
        )
        for item in NAV:
            register(item)
