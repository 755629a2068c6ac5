from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "servicecenter.complaints"
    label = "complaints"
    verbose_name = _("投诉")

    def ready(self) -> None:
        from servicecenter.core.nav import NavItem, register

        # Menu entries (group "care" = 回访投诉): each part of the app adds its own below.
        NAV: tuple[NavItem, ...] = (
            NavItem(
                label=_("投诉台账"),
                group="care",
                url_name="complaints:list",
                permission="complaints.view_complaint",
                order=40,
                prefix="/complaints/",
            ),
            NavItem(
                label=_("受理投诉"),
                group="care",
                url_name="complaints:create",
                permission="complaints.add_complaint",
                order=41,
                prefix="/complaints/new/",
            ),
            NavItem(
                label=_("改进措施"),
                group="care",
                url_name="complaints:actions",
                permission="complaints.view_complaint_register",
                order=42,
                prefix="/complaints/actions/",
            ),
            NavItem(
                label=_("沟通指引"),
                group="care",
                url_name="complaints:guidance",
                permission="complaints.view_guidancearticle",
                order=43,
                prefix="/complaints/guidance/",
            ),
        )
        for item in NAV:
            register(item)
