"""Pages of the leave app, mounted at /leave/ by the root urls.py (namespace "leave")."""

from django.urls import path  # noqa: F401

app_name = "leave"
urlpatterns: list = []
