"""CMP-02 improvement actions: the register per period, raising one from a closed complaint, done, dropped."""

from __future__ import annotations

from django.urls import path

from .views import actions

urlpatterns = [
    path("actions/", actions.action_list_view, name="actions"),
    path("<int:pk>/actions/new/", actions.action_create_view, name="action_create"),
    path("actions/<int:pk>/done/", actions.action_done_view, name="action_done"),
    path("actions/<int:pk>/drop/", actions.action_drop_view, name="action_drop"),
]
