"""Mounted at /api/v1/customers/ by the root urls.py. URL names are global (no namespace), prefixed api-customers-."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.CustomerListApi.as_view(), name="api-customers-list"),
    path("<int:pk>/", views.CustomerDetailApi.as_view(), name="api-customers-detail"),
]
