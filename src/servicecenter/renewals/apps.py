from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RenewalsConfig(AppConfig):
    name = "servicecenter.renewals"
    label = "renewals"
    verbose_name = _("续费回访")

    def ready(self) -> None:
        from servicecenter.core.nav import NavItem, register
        from servicecenter.points import services as points_services

        from .services import post_month

        # PTS-18: the month-end settlement of the points app posts the renewal and conversion points.
        if post_month not in points_services.MONTH_END:
            points_services.MONTH_END.append(post_month)

        for item in (
            NavItem(
                label=_("续费回访"),
                group="points",
                url_name="renewals:rows",
                permission="renewals.make_renewal_call",
                order=70,
                prefix="/renewals/rows/",
            ),
            NavItem(
                label=_("续费名单导入"),
                group="points",
                url_name="renewals:import",
                permission="renewals.manage_renewals",
                order=71,
                prefix="/renewals/imports/",
            ),
            NavItem(
                label=_("续费率月报"),
                group="points",
                url_name="renewals:result",
                permission="renewals.make_renewal_call",
                order=72,
                prefix="/renewals/result/",
            ),
        ):
            register(item)
