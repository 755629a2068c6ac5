"""Calendar pages, mounted at /calendar/ by the root urls.py (namespace "workcalendar")."""

from django.urls import path

from . import views

app_name = "workcalendar"
urlpatterns = [
    path("", views.calendar_view, name="calendar"),
    path("calculate/", views.calculate_view, name="calculate"),
    path("<int:org_id>/seasons/", views.season_create_view, name="season_create"),
    path("seasons/<int:pk>/deactivate/", views.season_deactivate_view, name="season_deactivate"),
    path("seasons/<int:pk>/end/", views.season_end_view, name="season_end"),
    path("<int:org_id>/overrides/", views.override_create_view, name="override_create"),
    path("overrides/<int:pk>/deactivate/", views.override_deactivate_view, name="override_deactivate"),
    path("<int:org_id>/holidays/", views.holiday_create_view, name="holiday_create"),
    path("holidays/<int:pk>/deactivate/", views.holiday_deactivate_view, name="holiday_deactivate"),
]
