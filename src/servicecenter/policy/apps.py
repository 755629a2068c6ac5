from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PolicyConfig(AppConfig):
    name = "servicecenter.policy"
    label = "policy"
    verbose_name = _("制度与参数")

    def ready(self) -> None:
        # Import the parameter catalogue so every declared parameter is registered at start-up.
        from servicecenter.core.nav import NavItem, register

        from . import catalogue  # noqa: F401

        register(
            NavItem(
                label=_("制度参数"),
                group="rules",
                url_name="policy:regulation_list",
                permission="policy.view_regulation",
                order=40,
            )
        )
