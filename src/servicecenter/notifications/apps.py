from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """The inbox is reached from the navbar's 通知 link (base.html, with the unread badge): no menu entry."""

    name = "servicecenter.notifications"
    label = "notifications"
    verbose_name = _("通知")
