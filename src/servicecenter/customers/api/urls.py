"""Mounted at /api/v1/customers/ by the root urls.py. URL names are global (no namespace), prefixed api-customers-."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
