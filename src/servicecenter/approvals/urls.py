from django.urls import path

from . import views

app_name = "approvals"
urlpatterns = [
    path("", views.inbox_view, name="inbox"),
    path("new/", views.request_create_view, name="request_create"),
    path("requests/<int:pk>/", views.request_detail_view, name="request_detail"),
    path("requests/<int:pk>/withdraw/", views.request_withdraw_view, name="request_withdraw"),
    path("requests/<int:pk>/resubmit/", views.request_resubmit_view, name="request_resubmit"),
    path("steps/<int:pk>/decide/", views.step_decide_view, name="step_decide"),
    path("delegations/new/", views.delegation_create_view, name="delegation_create"),
    path("delegations/<int:pk>/end/", views.delegation_end_view, name="delegation_end"),
]
