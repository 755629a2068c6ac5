"""满意度统计 (CB-18): the report page and its .xlsx (`?format=xlsx`)."""

from __future__ import annotations

from django.urls import path

from .views import satisfaction

urlpatterns = [
    path("satisfaction/", satisfaction.satisfaction_view, name="satisfaction"),
]
