from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "servicecenter.points"
    label = "points"
    verbose_name = _("积分")

    def ready(self) -> None:
        from servicecenter.workorders import services as workorder_services

        from . import kinds  # noqa: F401  (registers the approval kinds)
        from .services import entries_for_returned_order

        # A returned order earns its assignee a draft work entry at once (PTS-04); the sweep catches the rest.
        if entries_for_returned_order not in workorder_services.ON_RETURNED:
            workorder_services.ON_RETURNED.append(entries_for_returned_order)

        # Menu (group "points" = 积分绩效): the public board, then the staff pages (daily, ledger, month, rewards).
        from servicecenter.core.nav import NavItem, register

        for item in (
            NavItem(
                label=_("积分公示"),
                group="points",
                url_name="points_board:home",
                permission="points.view_board",
                order=69,
                prefix="/points/board/",
            ),
            NavItem(
                label=_("每日积分核对"),
                group="points",
                url_name="points:daily",
                permission="points.verify_points",
                order=70,
                prefix="/points/daily/",
            ),
            NavItem(
                label=_("积分明细"),
                group="points",
                url_name="points:ledger",
                permission="points.view_ledger",
                order=71,
                prefix="/points/ledger/",
            ),
            NavItem(
                label=_("月度复核"),
                group="points",
                url_name="points:month_index",
                permission="points.view_ledger",
                order=72,
                prefix="/points/month/",
            ),
            NavItem(
                label=_("及时奖励"),
                group="points",
                url_name="points:rewards",
                permission="points.view_ledger",
                order=73,
                prefix="/points/rewards/",
            ),
        ):
            register(item)
