"""Pages of the rosters app, mounted at /rosters/ by the root urls.py (namespace "rosters")."""

from django.urls import path

from . import views

app_name = "rosters"
urlpatterns = [
    path("", views.home_view, name="home"),
    path("mine/", views.mine_view, name="mine"),
    path("center/<int:center_id>/templates/", views.templates_view, name="templates"),
    path("center/<int:center_id>/templates/presets/", views.templates_presets_view, name="templates_presets"),
    path("center/<int:center_id>/<int:year>/<int:month>/edit/", views.editor_view, name="editor"),
    path("center/<int:center_id>/<int:year>/<int:month>/draft/", views.draft_open_view, name="draft_open"),
    path("center/<int:center_id>/<int:year>/<int:month>/", views.published_view, name="published"),
    path("center/<int:center_id>/on-call/", views.on_call_view, name="on_call"),
    path("on-call/<int:pk>/withdraw/", views.on_call_withdraw_view, name="on_call_withdraw"),
    path("roster/<int:roster_id>/propose/", views.propose_view, name="propose"),
    path("roster/<int:roster_id>/publish/", views.publish_view, name="publish"),
    path("roster/<int:roster_id>/cell/", views.cell_view, name="cell"),
    path("swaps/", views.swaps_view, name="swaps"),
    path("swaps/<int:pk>/", views.swap_detail_view, name="swap_detail"),
    path("swaps/<int:pk>/<str:action>/", views.swap_action_view, name="swap_action"),
    path("handovers/", views.handovers_view, name="handovers"),
    path("handovers/<int:pk>/ack/", views.handover_ack_view, name="handover_ack"),
]
