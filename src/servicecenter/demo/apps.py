from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Operational commands at the top of the dependency order: `load_demo` and `run_periodic_jobs`."""

    name = "servicecenter.demo"
    label = "demo"
    verbose_name = _("示例与运维")
