from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayConfig(AppConfig):
    name = "servicecenter.pay"
    label = "pay"
    verbose_name = _("工资")

    def ready(self) -> None:
        from servicecenter.core.nav import NavItem, register

        # Menu entries (group "points" = 积分绩效).
        for item in (
            NavItem(
                label=_("工资表"),
                group="points",
                url_name="pay:sheets",
                permission="pay.view_payroll",
                order=70,
                prefix="/pay/sheets/",
            ),
            NavItem(
                label=_("工资录入"),
                group="points",
                url_name="pay:inputs",
                permission="pay.manage_payroll",
                order=71,
                prefix="/pay/inputs/",
            ),
            NavItem(
                label=_("工资扣款"),
                group="points",
                url_name="pay:deductions",
                permission="pay.view_payroll",
                order=72,
                prefix="/pay/deductions/",
            ),
            NavItem(
                label=_("工资公式"),
                group="points",
                url_name="pay:components",
                permission="pay.manage_formulas",
                order=73,
                prefix="/pay/components/",
            ),
            NavItem(
                label=_("考评系数表"),
                group="points",
                url_name="pay:coefficients",
                permission="pay.upload_coefficients",
                order=74,
                prefix="/pay/coefficients/",
            ),
        ):
            register(item)
