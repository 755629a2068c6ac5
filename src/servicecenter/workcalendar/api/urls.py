"""Mounted at /api/v1/calendar/ by the root urls.py. URL names are global (no namespace):

- api-calendar-is-working   GET {org_id}/is-working/?at=ISO
- api-calendar-add-minutes  GET {org_id}/add-minutes/?start=ISO&minutes=N
- api-calendar-between      GET {org_id}/between/?start=ISO&end=ISO
- api-calendar-days         GET {org_id}/days/?month=YYYY-MM
"""

from django.urls import path

from . import views

urlpatterns = [
    path("<int:org_id>/is-working/", views.IsWorkingApi.as_view(), name="api-calendar-is-working"),
    path("<int:org_id>/add-minutes/", views.AddMinutesApi.as_view(), name="api-calendar-add-minutes"),
    path("<int:org_id>/between/", views.BetweenApi.as_view(), name="api-calendar-between"),
    path("<int:org_id>/days/", views.DaysApi.as_view(), name="api-calendar-days"),
]
