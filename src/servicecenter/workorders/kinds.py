"""The approval kind of the work-order domain: the off-site service request (SVC-13, 异地服务申请单)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from servicecenter.approvals.kinds import Route, RouteContext, register_kind

from . import services


def offsite_route(ctx: RouteContext) -> Route:
    """SVC-13: 「由部门经理核准后，方能外出服务」 — the department (center) manager approves."""
    return Route(steps=("center_manager",), clause="SVC-13", citation=str(_("依据 SVC-13：异地服务须经部门经理核准")))


register_kind(services.OFFSITE_KIND, _("异地服务申请"), offsite_route, on_decided=services.offsite_decided)
