from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RostersConfig(AppConfig):
    name = "servicecenter.rosters"
    label = "rosters"
    verbose_name = _("排班")
