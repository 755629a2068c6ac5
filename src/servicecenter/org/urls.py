"""Pages of the organization tree and staff (app namespace "org")."""

from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("organizations/", views.organization_list_view, name="organization_list"),
    path("organizations/new/", views.organization_create_view, name="organization_create"),
    path("organizations/<int:pk>/", views.organization_detail_view, name="organization_detail"),
    path("organizations/<int:pk>/edit/", views.organization_update_view, name="organization_update"),
    path("staff/", views.staff_list_view, name="staff_list"),
    path("staff/new/", views.staff_create_view, name="staff_create"),
    path("staff/export.xlsx", views.staff_export_view, name="staff_export"),
    path("staff/import/", views.staff_import_view, name="staff_import"),
    path("staff/import/template.xlsx", views.staff_import_template_view, name="staff_import_template"),
    path("staff/import/<int:pk>/", views.staff_import_detail_view, name="staff_import_detail"),
    path("staff/import/<int:pk>/confirm/", views.staff_import_confirm_view, name="staff_import_confirm"),
    path("staff/import/<int:pk>/cancel/", views.staff_import_cancel_view, name="staff_import_cancel"),
    path("staff/import/<int:pk>/errors.xlsx", views.staff_import_errors_view, name="staff_import_errors"),
    path("staff/<int:pk>/", views.staff_detail_view, name="staff_detail"),
    path("staff/<int:pk>/edit/", views.staff_update_view, name="staff_update"),
    path("staff/<int:pk>/status/", views.staff_set_status_view, name="staff_set_status"),
    path("staff/<int:pk>/password/", views.staff_reset_password_view, name="staff_reset_password"),
    path("staff/<int:pk>/roles/", views.role_assign_view, name="role_assign"),
    path("role-assignments/<int:pk>/revoke/", views.role_revoke_view, name="role_revoke"),
]
