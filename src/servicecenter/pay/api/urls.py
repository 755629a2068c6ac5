"""Mounted at /api/v1/pay/ by the root urls.py. URL names are global, prefixed api-pay-."""

from django.urls import path

from . import views

urlpatterns = [
    path("sheets/", views.SheetListApi.as_view(), name="api-pay-sheets"),
    path("sheets/<int:pk>/", views.SheetDetailApi.as_view(), name="api-pay-sheet"),
    path("sheets/compute/", views.ComputeApi.as_view(), name="api-pay-compute"),
]
