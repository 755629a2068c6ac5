"""Mounted at /api/v1/leave/ by the root urls.py. URL names are global (no namespace), prefixed api-leave-."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
