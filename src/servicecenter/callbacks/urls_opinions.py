"""Routes of the customer opinions (CB-13, CMP-06)."""

from __future__ import annotations

from django.urls import path

from .views import opinions

urlpatterns = [
    path("opinions/", opinions.opinion_list_view, name="opinions"),
    path("opinions/new/", opinions.opinion_record_view, name="opinion_record"),
    path("opinions/<int:pk>/close/", opinions.opinion_close_view, name="opinion_close"),
]
