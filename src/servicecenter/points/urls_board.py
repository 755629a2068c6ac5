"""积分公示 (PUB-01, PUB-03, PUB-14), mounted at /points/board/ by the root urls.py (namespace "points_board")."""

from __future__ import annotations

from django.urls import path

from .views import board

app_name = "points_board"
urlpatterns = [
    path("", board.board_home_view, name="home"),
    path("<int:center_pk>/", board.board_view, name="board"),
    path("<int:center_pk>/print/", board.board_print_view, name="print"),
    path("<int:center_pk>/screen/", board.board_screen_view, name="screen"),
    path("<int:center_pk>/screen/data/", board.board_screen_data_view, name="screen_data"),
    path("<int:center_pk>/post/", board.board_post_view, name="post"),
    path("<int:center_pk>/postings/", board.postings_view, name="postings"),
    path("<int:center_pk>/postings/<int:pk>/", board.posting_detail_view, name="posting_detail"),
]
