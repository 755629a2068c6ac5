"""Pages of the customers app, mounted at /customers/ by the root urls.py (namespace "customers")."""

from django.urls import path  # noqa: F401

app_name = "customers"
urlpatterns: list = []
