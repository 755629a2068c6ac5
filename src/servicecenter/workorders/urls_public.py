"""Pages for the public (no login): report a problem, look up the status of an order."""

from django.urls import path

from .views import public

urlpatterns = [
    path("public/report/", public.public_report_view, name="public_report"),
    path("public/report/done/", public.public_report_done_view, name="public_report_done"),
    path("public/status/", public.public_status_view, name="public_status"),
]
