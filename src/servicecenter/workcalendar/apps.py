from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkcalendarConfig(AppConfig):
    name = "servicecenter.workcalendar"
    label = "workcalendar"
    verbose_name = _("营业日历")
