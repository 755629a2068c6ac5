"""The complaint pages for staff: list, intake, the case page with its actions, the violation link, the print form."""

from __future__ import annotations

from django.urls import path

from .views import cases

urlpatterns = [
    path("", cases.complaint_list_view, name="list"),
    path("new/", cases.complaint_create_view, name="create"),
    path("new/orders/", cases.complaint_order_search_view, name="order_search"),
    path("<int:pk>/", cases.complaint_detail_view, name="detail"),
    path("<int:pk>/created/", cases.complaint_created_view, name="created"),
    path("<int:pk>/acknowledge/", cases.complaint_acknowledge_view, name="acknowledge"),
    path("<int:pk>/investigate/", cases.complaint_investigate_view, name="investigate"),
    path("<int:pk>/note/", cases.complaint_note_view, name="note"),
    path("<int:pk>/resolve/", cases.complaint_resolve_view, name="resolve"),
    path("<int:pk>/feedback/", cases.complaint_feedback_view, name="feedback"),
    path("<int:pk>/close/", cases.complaint_close_view, name="close"),
    path("<int:pk>/reopen/", cases.complaint_reopen_view, name="reopen"),
    path("<int:pk>/violation/", cases.complaint_violation_view, name="violation"),
    path("<int:pk>/print/", cases.complaint_print_view, name="print"),
]
