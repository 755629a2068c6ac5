from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    name = "servicecenter.attendance"
    label = "attendance"
    verbose_name = _("考勤")

    def ready(self) -> None:
        from servicecenter.core.nav import NavItem, register

        from . import kinds  # noqa: F401  (approval kinds punch_correction, violation_escalation)

        register(
            NavItem(
                label=_("考勤"), group="people", url_name="attendance:home", permission="attendance.punch", order=45
            )
        )
