"""Mounted at /api/v1/complaints/ by the root urls.py. URL names are global, prefixed api-complaints-."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.ComplaintListApi.as_view(), name="api-complaints-list"),
    path("<int:pk>/", views.ComplaintDetailApi.as_view(), name="api-complaints-detail"),
    path("<int:pk>/events/", views.ComplaintEventListApi.as_view(), name="api-complaints-events"),
    path("<int:pk>/acknowledge/", views.ComplaintAcknowledgeApi.as_view(), name="api-complaints-acknowledge"),
    path(
        "<int:pk>/start-investigation/",
        views.ComplaintStartInvestigationApi.as_view(),
        name="api-complaints-start-investigation",
    ),
    path("<int:pk>/notes/", views.ComplaintNoteApi.as_view(), name="api-complaints-notes"),
    path("<int:pk>/resolve/", views.ComplaintResolveApi.as_view(), name="api-complaints-resolve"),
    path("<int:pk>/feedback/", views.ComplaintFeedbackApi.as_view(), name="api-complaints-feedback"),
    path("<int:pk>/close/", views.ComplaintCloseApi.as_view(), name="api-complaints-close"),
    path("<int:pk>/reopen/", views.ComplaintReopenApi.as_view(), name="api-complaints-reopen"),
]
