"""Mounted at /api/v1/callbacks/ by the root urls.py. URL names are global, prefixed api-callbacks-."""

from django.urls import path

from . import views

urlpatterns = [
    path("tasks/", views.CallbackTaskListApi.as_view(), name="api-callbacks-tasks"),
    path("tasks/<int:pk>/", views.CallbackTaskDetailApi.as_view(), name="api-callbacks-task"),
    path("tasks/<int:pk>/claim/", views.CallbackTaskClaimApi.as_view(), name="api-callbacks-task-claim"),
    path("tasks/<int:pk>/release/", views.CallbackTaskReleaseApi.as_view(), name="api-callbacks-task-release"),
    path("tasks/<int:pk>/attempts/", views.CallbackTaskAttemptApi.as_view(), name="api-callbacks-task-attempts"),
    path("tasks/<int:pk>/answer/", views.CallbackTaskAnswerApi.as_view(), name="api-callbacks-task-answer"),
    path("tasks/<int:pk>/cancel/", views.CallbackTaskCancelApi.as_view(), name="api-callbacks-task-cancel"),
    path("followups/", views.FollowUpListApi.as_view(), name="api-callbacks-followups"),
    path("followups/<int:pk>/resolve/", views.FollowUpResolveApi.as_view(), name="api-callbacks-followup-resolve"),
    path("opinions/", views.OpinionListApi.as_view(), name="api-callbacks-opinions"),
    path("opinions/<int:pk>/close/", views.OpinionCloseApi.as_view(), name="api-callbacks-opinion-close"),
    path("ratings/", views.RatingListApi.as_view(), name="api-callbacks-ratings"),
]
