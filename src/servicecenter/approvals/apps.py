from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "servicecenter.approvals"
    label = "approvals"
    verbose_name = _("审批")

    def ready(self) -> None:
        from servicecenter.core.nav import NavItem, register
        from servicecenter.org.roles import sync_builtin_roles_after_migrate

        # The built-in "general" kind (事项请示) registers itself on import; later apps register theirs the same way.
        from . import kinds  # noqa: F401

        register(NavItem(label=_("审批"), url_name="approvals:inbox", order=20))
        # The built-in roles (org/roles.py) grant approvals.* permissions, which only exist once this app's own
        # post_migrate has created them (it runs after org's): bring the role groups in line again here.
        post_migrate.connect(sync_builtin_roles_after_migrate, sender=self)
