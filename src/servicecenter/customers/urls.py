"""Pages of the customers app, mounted at /customers/ by the root urls.py (namespace "customers")."""

from django.urls import path

from . import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list_view, name="list"),
    path("new/", views.customer_create_view, name="create"),
    path("<int:pk>/", views.customer_detail_view, name="detail"),
    path("<int:pk>/edit/", views.customer_edit_view, name="edit"),
    path("<int:pk>/status/", views.customer_status_view, name="status"),
    path("<int:pk>/special-group/", views.customer_special_group_view, name="special_group"),
    path("<int:pk>/contacts/", views.contact_add_view, name="contact_add"),
    path("<int:pk>/contacts/<int:contact_pk>/deactivate/", views.contact_deactivate_view, name="contact_deactivate"),
    path("<int:pk>/addresses/", views.address_add_view, name="address_add"),
    path("<int:pk>/addresses/<int:address_pk>/deactivate/", views.address_deactivate_view, name="address_deactivate"),
    path("<int:pk>/documents/", views.document_upload_view, name="document_upload"),
    path("<int:pk>/documents/<int:document_pk>/withdraw/", views.document_withdraw_view, name="document_withdraw"),
    path("documents/<int:pk>/", views.document_file_view, name="document_file"),
]
