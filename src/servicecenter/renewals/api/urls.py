"""Mounted at /api/v1/renewals/ by the root urls.py. URL names are global, prefixed api-renewals-."""

from django.urls import path

from . import views

urlpatterns = [
    path("rows/", views.RenewalRowListApi.as_view(), name="api-renewals-rows"),
    path("rows/<int:pk>/outcome/", views.RenewalOutcomeApi.as_view(), name="api-renewals-row-outcome"),
    path("result/", views.RenewalResultApi.as_view(), name="api-renewals-result"),
]
