"""Pages of the leave app, mounted at /leave/ by the root urls.py (namespace "leave")."""

from django.urls import path

from . import views

app_name = "leave"
urlpatterns = [
    path("", views.my_leave, name="mine"),
    path("preview/", views.preview, name="preview"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/certificate/", views.certificate, name="certificate"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("calendar/", views.team_calendar, name="calendar"),
    path("register/", views.register, name="register"),
    path("register.xlsx", views.register_export, name="register_export"),
    path("entitlements/", views.entitlements, name="entitlements"),
]
