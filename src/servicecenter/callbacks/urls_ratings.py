"""Routes of the ratings (好差评) and their rectification (差评整改)."""

from __future__ import annotations

from django.urls import path

from .views import ratings

urlpatterns = [
    path("ratings/", ratings.rating_list_view, name="ratings"),
    path("ratings/new/", ratings.rating_create_view, name="rating_create"),
    path("rectifications/", ratings.rectification_list_view, name="rectifications"),
    path("rectifications/<int:pk>/", ratings.rectification_detail_view, name="rectification_detail"),
    path("rectifications/<int:pk>/complete/", ratings.rectification_complete_view, name="rectification_complete"),
]
