from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "servicecenter.approvals"
    label = "approvals"
    verbose_name = _("审批")

    def ready(self) -> None:
        from servicecenter.core.nav import NavItem, register

        # The built-in "general" kind (事项请示) registers itself on import; later apps register theirs the same way.
        from . import kinds  # noqa: F401

        register(NavItem(label=_("审批"), url_name="approvals:inbox", order=20))
