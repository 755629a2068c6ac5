from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "servicecenter.org"
    label = "org"
    verbose_name = _("组织与人员")

    def ready(self) -> None:
        # Built-in roles and their permission sets are declared in org/roles.py; after every migrate the
        # groups are brought in line with that declaration (permissions only exist after migrate, as in
        # django.contrib.auth's own post_migrate handler).
        from servicecenter.core.nav import NavItem, register

        from .roles import sync_builtin_roles_after_migrate

        post_migrate.connect(sync_builtin_roles_after_migrate, sender=self)
        register(NavItem(label=_("组织人员"), url_name="org:staff_list", permission="org.view_staff", order=30))
