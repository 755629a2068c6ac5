from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


def _forget_calendars(sender, **kwargs) -> None:
    """Cache invalidation only (STYLE.md §2.3): a saved season, override or statutory day clears this process's
    calendar cache at once. Other processes notice through the version key of selectors.center_calendar_for."""
    from .selectors import clear_calendar_cache

    clear_calendar_cache()


class WorkcalendarConfig(AppConfig):
    """The business calendar (C-01, C-02): menu entry «营业日历» and the cache-invalidation receivers."""

    name = "servicecenter.workcalendar"
    label = "workcalendar"
    verbose_name = _("营业日历")

    def ready(self) -> None:
        from servicecenter.core.nav import NavItem, register

        from .models import DateOverride, Season, StatutoryHoliday

        register(
            NavItem(
                label=_("营业日历"),
                group="rules",
                url_name="workcalendar:calendar",
                permission="workcalendar.view_calendar",
                order=50,
            )
        )
        for model in (Season, DateOverride, StatutoryHoliday):
            post_save.connect(_forget_calendars, sender=model, dispatch_uid=f"workcalendar-forget-{model.__name__}")
