"""Mounted at /api/v1/rosters/ by the root urls.py. URL names are global (no namespace), prefixed api-rosters-."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
