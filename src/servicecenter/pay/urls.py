"""Pay pages, mounted at /pay/ by the root urls.py (namespace "pay")."""

from django.urls import path

from . import views

app_name = "pay"
urlpatterns = [
    path("sheets/", views.sheet_list_view, name="sheets"),
    path("sheets/compute/", views.compute_view, name="compute"),
    path("sheets/<int:pk>/", views.sheet_detail_view, name="sheet"),
    path("sheets/<int:pk>/export.xlsx", views.sheet_export_view, name="sheet_export"),
    path("inputs/", views.inputs_view, name="inputs"),
    path("components/", views.components_view, name="components"),
    path("coefficients/", views.coefficients_view, name="coefficients"),
    path("coefficients/confirm/", views.coefficients_confirm_view, name="coefficients_confirm"),
    path("coefficients/template.xlsx", views.coefficient_template_view, name="coefficient_template"),
    path("deductions/", views.deductions_view, name="deductions"),
]
