"""Pages of the workorders app, mounted at /workorders/ by the root urls.py (namespace "workorders")."""

from django.urls import path  # noqa: F401

app_name = "workorders"
urlpatterns: list = []
