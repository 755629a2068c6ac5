"""Pages for the complainant (no login): look up a case and answer it, complain on the web."""

from __future__ import annotations

from django.urls import path

from .views import public

urlpatterns = [
    path("status/", public.public_status_view, name="public_status"),
    path("public/new/", public.public_new_view, name="public_new"),
    path("public/done/", public.public_done_view, name="public_done"),
]
