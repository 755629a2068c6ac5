"""Clerk KPIs (WO-07): the page and its .xlsx export."""

from __future__ import annotations

from django.urls import path

from .views import kpi

urlpatterns = [
    path("kpi/", kpi.kpi_view, name="kpi"),
    path("kpi/export/", kpi.kpi_export_view, name="kpi_export"),
]
