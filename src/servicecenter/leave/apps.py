from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeaveConfig(AppConfig):
    name = "servicecenter.leave"
    label = "leave"
    verbose_name = _("请假")

    def ready(self) -> None:
        from servicecenter.core.nav import NavItem, register

        from . import approval  # noqa: F401  (registers the approval kind "leave")

        register(
            NavItem(
                label=_("请假"),
                group="people",
                url_name="leave:mine",
                permission="leave.add_leaverequest",
                order=25,
                prefix="/leave/",
            )
        )
