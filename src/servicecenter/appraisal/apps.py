from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppraisalConfig(AppConfig):
    """月度考评: reads only (no models) — points, SLA, satisfaction, attendance and renewals of a person's month."""

    name = "servicecenter.appraisal"
    label = "appraisal"
    verbose_name = _("月度考评")

    def ready(self) -> None:
        from servicecenter.core.nav import NavItem, register

        register(
            NavItem(
                label=_("月度考评"),
                group="points",
                url_name="appraisal:overview",
                permission="points.view_ledger",
                order=78,
                prefix="/appraisal/",
            )
        )
