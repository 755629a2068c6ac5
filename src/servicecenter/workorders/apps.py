from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkordersConfig(AppConfig):
    name = "servicecenter.workorders"
    label = "workorders"
    verbose_name = _("工单")

    def ready(self) -> None:
        # The off-site service approval kind (SVC-13) registers itself on import.
        from . import kinds  # noqa: F401
