"""Mounted at /api/v1/workorders/ by the root urls.py. URL names are global (no namespace), prefixed api-workorders-."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.WorkOrderListApi.as_view(), name="api-workorders-list"),
    path("<int:pk>/", views.WorkOrderDetailApi.as_view(), name="api-workorders-detail"),
    path("<int:pk>/events/", views.WorkOrderEventListApi.as_view(), name="api-workorders-events"),
    path("<int:pk>/dispatch/", views.WorkOrderDispatchApi.as_view(), name="api-workorders-dispatch"),
    path("<int:pk>/reassign/", views.WorkOrderReassignApi.as_view(), name="api-workorders-reassign"),
    path("<int:pk>/take-back/", views.WorkOrderTakeBackApi.as_view(), name="api-workorders-take-back"),
    path("<int:pk>/accept/", views.WorkOrderAcceptApi.as_view(), name="api-workorders-accept"),
    path("<int:pk>/contact/", views.WorkOrderContactApi.as_view(), name="api-workorders-contact"),
    path("<int:pk>/arrive/", views.WorkOrderArriveApi.as_view(), name="api-workorders-arrive"),
    path("<int:pk>/pause/", views.WorkOrderPauseApi.as_view(), name="api-workorders-pause"),
    path("<int:pk>/resume/", views.WorkOrderResumeApi.as_view(), name="api-workorders-resume"),
    path("<int:pk>/complete/", views.WorkOrderCompleteApi.as_view(), name="api-workorders-complete"),
    path("<int:pk>/cancel/", views.WorkOrderCancelApi.as_view(), name="api-workorders-cancel"),
    path("<int:pk>/close/", views.WorkOrderCloseApi.as_view(), name="api-workorders-close"),
    path("<int:pk>/countersign/", views.WorkOrderCountersignApi.as_view(), name="api-workorders-countersign"),
    path("<int:pk>/archive/", views.WorkOrderArchiveApi.as_view(), name="api-workorders-archive"),
    path("<int:pk>/notes/", views.WorkOrderNoteApi.as_view(), name="api-workorders-notes"),
    path("<int:pk>/expenses/", views.WorkOrderExpenseApi.as_view(), name="api-workorders-expenses"),
    path("<int:pk>/log-call/", views.WorkOrderLogCallApi.as_view(), name="api-workorders-log-call"),
]
