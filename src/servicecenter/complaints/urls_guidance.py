"""CMP-05 / CON-12 communication guidance: list, article, new, new version."""

from __future__ import annotations

from django.urls import path

from .views import guidance

urlpatterns = [
    path("guidance/", guidance.guidance_list_view, name="guidance"),
    path("guidance/new/", guidance.guidance_create_view, name="guidance_create"),
    path("guidance/<int:pk>/", guidance.guidance_detail_view, name="guidance_detail"),
    path("guidance/<int:pk>/edit/", guidance.guidance_edit_view, name="guidance_edit"),
]
