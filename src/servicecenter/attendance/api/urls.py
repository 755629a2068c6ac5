"""Mounted at /api/v1/attendance/ by the root urls.py; URL names live in the "attendance_api" namespace."""

from django.urls import path

from . import views

app_name = "attendance_api"
urlpatterns = [
    path("punch/", views.PunchApi.as_view(), name="punch"),
    path("results/me/", views.MyResultsApi.as_view(), name="my_results"),
    path("results/", views.CenterResultsApi.as_view(), name="results"),
    path("violations/", views.ViolationListApi.as_view(), name="violations"),
]
