"""Mounted at /api/v1/leave/ by the root urls.py; URL names live in the "leave_api" namespace."""

from django.urls import path

from . import views

app_name = "leave_api"
urlpatterns = [
    path("requests/", views.MyLeaveListApi.as_view(), name="request_list"),
    path("requests/<int:pk>/", views.LeaveDetailApi.as_view(), name="request_detail"),
    path("requests/<int:pk>/withdraw/", views.LeaveWithdrawApi.as_view(), name="request_withdraw"),
    path("requests/<int:pk>/cancel/", views.LeaveCancelApi.as_view(), name="request_cancel"),
    path("requests/<int:pk>/close/", views.LeaveCloseApi.as_view(), name="request_close"),
    path("requests/<int:pk>/certificate/", views.LeaveCertificateApi.as_view(), name="request_certificate"),
    path("register/", views.LeaveRegisterApi.as_view(), name="register"),
]
