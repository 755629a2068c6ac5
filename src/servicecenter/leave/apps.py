from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeaveConfig(AppConfig):
    name = "servicecenter.leave"
    label = "leave"
    verbose_name = _("请假")
