"""Mounted at /api/v1/rosters/ by the root urls.py. URL names are global (no namespace), prefixed api-rosters-."""

from django.urls import path

from . import views

urlpatterns = [
    path("centers/<int:center_id>/templates/", views.TemplateListApi.as_view(), name="api-rosters-templates"),
    path(
        "centers/<int:center_id>/<int:year>/<int:month>/",
        views.PublishedRosterApi.as_view(),
        name="api-rosters-published",
    ),
    path("my-shifts/", views.MyShiftsApi.as_view(), name="api-rosters-my-shifts"),
    path("swaps/", views.SwapCreateApi.as_view(), name="api-rosters-swap-create"),
    path("swaps/<int:pk>/consent/", views.SwapConsentApi.as_view(), name="api-rosters-swap-consent"),
]
