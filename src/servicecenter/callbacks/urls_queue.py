"""Routes of the callback queue, its history (the satisfaction report's drill-down), the care callback and the call
page with its actions."""

from __future__ import annotations

from django.urls import path

from .views import call, queue

urlpatterns = [
    path("queue/", queue.queue_view, name="queue"),
    path("queue/history/", queue.history_view, name="queue_history"),
    path("queue/care/", queue.care_create_view, name="care_create"),
    path("<int:pk>/", call.call_view, name="call"),
    path("<int:pk>/claim/", call.call_claim_view, name="call_claim"),
    path("<int:pk>/release/", call.call_release_view, name="call_release"),
    path("<int:pk>/answer/", call.call_answer_view, name="call_answer"),
    path("<int:pk>/attempt/", call.call_attempt_view, name="call_attempt"),
    path("<int:pk>/cancel/", call.call_cancel_view, name="call_cancel"),
]
