"""The customer's survey page (CB-14, 好差评): no login, reached through a signed single-use link."""

from __future__ import annotations

from django.urls import path

from .views import public

urlpatterns = [
    path("s/<str:token>/", public.survey_public_view, name="survey_public"),
]
