"""Mounted at /api/v1/points/ by the root urls.py. URL names are global, prefixed api-points-."""

from django.urls import path

from . import views

urlpatterns = [
    path("entries/", views.EntryListApi.as_view(), name="api-points-entries"),
    path("entries/<int:pk>/", views.EntryDetailApi.as_view(), name="api-points-entry"),
    path("entries/<int:pk>/reverse/", views.EntryReverseApi.as_view(), name="api-points-entry-reverse"),
    path("days/verify/", views.DayVerifyApi.as_view(), name="api-points-day-verify"),
    path("board/", views.BoardApi.as_view(), name="api-points-board"),
    path("months/<int:center_pk>/<str:month>/", views.MonthApi.as_view(), name="api-points-month"),
    path("months/<int:center_pk>/<str:month>/lock/", views.MonthLockApi.as_view(), name="api-points-month-lock"),
    path("rewards/", views.RewardCreateApi.as_view(), name="api-points-rewards"),
]
