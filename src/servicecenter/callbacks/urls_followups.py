"""Routes of the callback follow-ups (G-03)."""

from __future__ import annotations

from django.urls import path

from .views import followups

urlpatterns = [
    path("followups/", followups.followup_list_view, name="followups"),
    path("followups/<int:pk>/", followups.followup_detail_view, name="followup_detail"),
    path("followups/<int:pk>/resolve/", followups.followup_resolve_view, name="followup_resolve"),
]
