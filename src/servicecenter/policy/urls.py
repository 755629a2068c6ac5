"""Pages of the policy app: regulations with their clauses, and the parameters in force (DESIGN.md §2.2)."""

from django.urls import path

from . import views

app_name = "policy"
urlpatterns = [
    path("", views.regulation_list_view, name="regulation_list"),
    path("regulations/<int:pk>/", views.regulation_detail_view, name="regulation_detail"),
    path("parameters/<str:key>/", views.parameter_detail_view, name="parameter_detail"),
    path("parameters/<str:key>/set/", views.parameter_set_view, name="parameter_set"),
    path("parameters/<str:key>/reset/", views.parameter_reset_view, name="parameter_reset"),
]
