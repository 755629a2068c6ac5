"""月度考评 (issue 6 item 7): the center overview and one person's month (`<staff pk>/<yyyy-mm>/`)."""

from __future__ import annotations

from django.urls import path, re_path

from . import views

app_name = "appraisal"

urlpatterns = [
    path("", views.overview_view, name="overview"),
    # Any text in the month place reaches the view, which answers 404 unless it is a past or current YYYY-MM.
    re_path(r"^(?P<staff_pk>\d+)/(?P<month>[^/]+)/$", views.staff_view, name="staff"),
]
