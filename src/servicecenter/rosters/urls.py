"""Pages of the rosters app, mounted at /rosters/ by the root urls.py (namespace "rosters")."""

from django.urls import path  # noqa: F401

app_name = "rosters"
urlpatterns: list = []
