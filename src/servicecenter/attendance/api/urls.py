"""Mounted at /api/v1/attendance/ by the root urls.py. URL names are global (no namespace), prefixed api-attendance-."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
