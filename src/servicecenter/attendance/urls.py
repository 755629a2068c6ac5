"""Pages of the attendance app, mounted at /attendance/ by the root urls.py (namespace "attendance")."""

from django.urls import path

from . import views

app_name = "attendance"
urlpatterns = [
    path("", views.home, name="home"),
    path("punch/", views.punch, name="punch"),
    path("me/", views.my_month, name="my_month"),
    path("corrections/new/", views.correction_create, name="correction_create"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("sheet/", views.sheet, name="sheet"),
    path("sheet.xlsx", views.sheet_xlsx, name="sheet_xlsx"),
    path("staff/<int:pk>/", views.staff_month, name="staff_month"),
    path("recompute/", views.recompute, name="recompute"),
    path("violations/", views.violation_list, name="violation_list"),
    path("violations/new/", views.violation_create, name="violation_create"),
    path("violations/<int:pk>/photo/", views.violation_photo, name="violation_photo"),
    path("violations/<int:pk>/withdraw/", views.violation_withdraw, name="violation_withdraw"),
    path("events/", views.event_list, name="event_list"),
    path("events/new/", views.event_create, name="event_create"),
    path("events/<int:pk>/", views.event_detail, name="event_detail"),
    path("events/<int:pk>/check/", views.event_check, name="event_check"),
    path("events/<int:pk>/close/", views.event_close, name="event_close"),
]
