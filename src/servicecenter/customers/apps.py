from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "servicecenter.customers"
    label = "customers"
    verbose_name = _("客户")

    def ready(self) -> None:
        from servicecenter.core.nav import NavItem, register

        register(
            NavItem(
                label=_("客户"),
                group="workorders",
                url_name="customers:list",
                permission="customers.view_customer",
                order=14,
                prefix="/customers/",
            )
        )
