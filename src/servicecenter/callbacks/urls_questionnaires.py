"""Route of the callback questionnaires (C-10)."""

from __future__ import annotations

from django.urls import path

from .views import questionnaires

urlpatterns = [
    path("questionnaires/", questionnaires.questionnaire_view, name="questionnaires"),
]
