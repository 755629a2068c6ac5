"""The staff pages of the points ledger, mounted at /points/ by the root urls.py (namespace "points"). The public
board has its own module (urls_board.py, namespace "points_board") under the same prefix."""

from __future__ import annotations

from django.urls import path

from .views import daily, ledger, month, rewards

app_name = "points"

urlpatterns = [
    path("daily/", daily.daily_view, name="daily"),
    path("daily/verify/", daily.daily_verify_view, name="daily_verify"),
    path("ledger/", ledger.ledger_view, name="ledger"),
    path("entries/<int:pk>/", ledger.entry_view, name="entry"),
    path("entries/<int:pk>/reverse/", ledger.entry_reverse_view, name="entry_reverse"),
    path("month/", month.month_index_view, name="month_index"),
    path("month/<int:center_pk>/<str:month>/", month.month_view, name="month"),
    path("month/<int:center_pk>/<str:month>/lock/", month.month_lock_view, name="month_lock"),
    path("month/<int:center_pk>/<str:month>/print/", month.month_print_view, name="month_print"),
    path("rewards/", rewards.reward_list_view, name="rewards"),
    path("rewards/new/", rewards.reward_create_view, name="reward_create"),
]
