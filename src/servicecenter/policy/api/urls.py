"""Mounted at /api/v1/policy/ by the root urls.py. URL names are global (no namespace), prefixed api-policy-."""

from django.urls import path

from . import views

urlpatterns = [
    path("parameters/", views.ParameterListApi.as_view(), name="api-policy-parameter-list"),
    path("parameters/<str:key>/", views.ParameterDetailApi.as_view(), name="api-policy-parameter-detail"),
    path(
        "parameters/<str:key>/values/",
        views.ParameterValueCreateApi.as_view(),
        name="api-policy-parameter-value-create",
    ),
    path("regulations/", views.RegulationListApi.as_view(), name="api-policy-regulation-list"),
    path("regulations/<int:pk>/", views.RegulationDetailApi.as_view(), name="api-policy-regulation-detail"),
    path("requirements/", views.RequirementListApi.as_view(), name="api-policy-requirement-list"),
]
