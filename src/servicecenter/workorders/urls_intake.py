"""Intake (接单内勤) routes: the call-taking page, its phone lookup, repeat calls, greeting windows (CON-09)."""

from django.urls import path

from .views import intake

urlpatterns = [
    path("intake/", intake.intake_view, name="intake"),
    path("intake/lookup/", intake.intake_lookup_view, name="intake_lookup"),
    path("intake/<int:pk>/call/", intake.intake_log_call_view, name="intake_log_call"),
    path("intake/<int:pk>/done/", intake.intake_done_view, name="intake_done"),
    path("intake/greetings/", intake.greeting_windows_view, name="greeting_windows"),
    path(
        "intake/greetings/<int:pk>/withdraw/",
        intake.greeting_window_withdraw_view,
        name="greeting_window_withdraw",
    ),
]
