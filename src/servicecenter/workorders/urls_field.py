"""Field staff on the phone (my orders, the order screen, its steps, completion, photos) and attachment serving."""

from __future__ import annotations

from django.urls import path

from .views import attachments, field

urlpatterns = [
    path("my/", field.my_orders_view, name="field_list"),
    path("my/<int:pk>/", field.field_order_view, name="field_order"),
    path("my/<int:pk>/complete/", field.field_complete_view, name="field_complete"),
    path("my/<int:pk>/photos/", field.field_photo_view, name="field_photo"),
    path("my/<int:pk>/<slug:action>/", field.field_action_view, name="field_action"),
    path("attachments/<int:pk>/", attachments.attachment_view, name="attachment"),
]
