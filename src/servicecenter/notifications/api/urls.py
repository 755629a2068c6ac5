"""Mounted at /api/v1/notifications/ by the root urls.py. URL names are global (no namespace)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.NotificationListApi.as_view(), name="api-notification-list"),
    path("<int:pk>/read/", views.NotificationMarkReadApi.as_view(), name="api-notification-read"),
    path("read-all/", views.NotificationMarkAllReadApi.as_view(), name="api-notification-read-all"),
]
