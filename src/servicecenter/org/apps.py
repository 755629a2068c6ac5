from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "servicecenter.org"
    label = "org"
    verbose_name = _("组织与人员")

    def ready(self) -> None:
        # Built-in roles and their permission sets are declared in org/roles.py; after every migrate the
        # groups are brought in line with that declaration. Permissions only exist once each app's own
        # post_migrate has run, and roles grant permissions of apps installed after org, so the handler listens
        # to every app and acts on the last one (see sync_builtin_roles_after_migrate).
        from servicecenter.core.nav import NavItem, register

        from .roles import sync_builtin_roles_after_migrate

        post_migrate.connect(sync_builtin_roles_after_migrate, dispatch_uid="org.sync_builtin_roles")
        register(
            NavItem(
                label=_("组织人员"),
                group="people",
                url_name="org:staff_list",
                permission="org.view_staff",
                order=30,
                prefix="/org/",
            )
        )
