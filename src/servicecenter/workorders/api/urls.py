"""Mounted at /api/v1/workorders/ by the root urls.py. URL names are global (no namespace), prefixed api-workorders-."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
