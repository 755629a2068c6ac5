from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RostersConfig(AppConfig):
    name = "servicecenter.rosters"
    label = "rosters"
    verbose_name = _("排班")

    def ready(self) -> None:
        from servicecenter.core.nav import NavItem, register

        # Registers the "shift_swap" approval kind (ATT-20) on import.
        from . import services  # noqa: F401

        register(
            NavItem(
                label=_("排班"),
                group="people",
                url_name="rosters:home",
                permission="rosters.view_roster",
                order=45,
                prefix="/rosters/",
            )
        )
