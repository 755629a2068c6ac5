"""Mounted at /api/v1/approvals/ by the root urls.py; URL names live in the "approvals_api" namespace."""

from django.urls import path

from . import views

app_name = "approvals_api"
urlpatterns = [
    path("requests/", views.ApprovalRequestListApi.as_view(), name="request_list"),
    path("requests/<int:pk>/", views.ApprovalRequestDetailApi.as_view(), name="request_detail"),
    path("inbox/", views.InboxApi.as_view(), name="inbox"),
    path("steps/<int:pk>/decide/", views.StepDecideApi.as_view(), name="step_decide"),
]
