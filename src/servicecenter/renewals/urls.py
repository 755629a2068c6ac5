"""Renewal pages, mounted at /renewals/ by the root urls.py (namespace "renewals")."""

from __future__ import annotations

from django.urls import path

from .views import imports, result, rows

app_name = "renewals"
urlpatterns = [
    path("rows/", rows.rows_view, name="rows"),
    path("rows/<int:pk>/", rows.row_view, name="row"),
    path("rows/<int:pk>/claim/", rows.row_claim_view, name="row_claim"),
    path("imports/", imports.import_view, name="import"),
    path("imports/template/", imports.import_template_view, name="import_template"),
    path("imports/<int:pk>/", imports.import_detail_view, name="import_detail"),
    path("imports/<int:pk>/confirm/", imports.import_confirm_view, name="import_confirm"),
    path("imports/<int:pk>/cancel/", imports.import_cancel_view, name="import_cancel"),
    path("result/", result.result_view, name="result"),
]
