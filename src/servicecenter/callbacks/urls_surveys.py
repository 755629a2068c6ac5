"""Routes of the survey campaigns (CB-12) and the courtesy-callback summary (CB-10)."""

from __future__ import annotations

from django.urls import path

from .views import surveys

urlpatterns = [
    path("campaigns/", surveys.campaign_list_view, name="campaigns"),
    path("campaigns/new/", surveys.campaign_create_view, name="campaign_create"),
    path("campaigns/<int:pk>/", surveys.campaign_detail_view, name="campaign_detail"),
    path("campaigns/<int:pk>/launch/", surveys.campaign_launch_view, name="campaign_launch"),
    path("campaigns/<int:pk>/close/", surveys.campaign_close_view, name="campaign_close"),
    path("campaigns/<int:pk>/print/", surveys.campaign_print_view, name="campaign_print"),
    path("courtesy/", surveys.courtesy_view, name="courtesy"),
]
