"""Routes of the dispatch board and the order page (the board part of the work-order app)."""

from __future__ import annotations

from django.urls import path

from .views import board, order

urlpatterns = [
    path("board/", board.board_view, name="board"),
    path("board/rows/", board.board_rows_view, name="board_rows"),
    path("<int:pk>/", order.order_detail_view, name="order_detail"),
    path("<int:pk>/dispatch/", board.order_dispatch_view, name="order_dispatch"),
    path("<int:pk>/reassign/", board.order_reassign_view, name="order_reassign"),
    path("<int:pk>/take-back/", board.order_take_back_view, name="order_take_back"),
    path("<int:pk>/cancel/", board.order_cancel_view, name="order_cancel"),
    path("<int:pk>/close/", board.order_close_view, name="order_close"),
    path("<int:pk>/expenses/add/", order.order_add_expense_view, name="order_add_expense"),
    path("<int:pk>/notes/add/", order.order_add_note_view, name="order_add_note"),
    path("<int:pk>/offsite/", order.order_request_offsite_view, name="order_request_offsite"),
]
