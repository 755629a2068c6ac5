"""Pages of the attendance app, mounted at /attendance/ by the root urls.py (namespace "attendance")."""

from django.urls import path  # noqa: F401

app_name = "attendance"
urlpatterns: list = []
