"""Read-only admin for the customer master: every change goes through customers/services.py (audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from .models import Customer, CustomerAddress, CustomerContact, CustomerDocument, GreetingWindow, SpecialGroup


class ReadOnlyMixin:
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Customer)
class CustomerAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("name", "phone", "organization", "status", "special_group", "is_active")
    list_filter = ("status", "special_group", "is_active")
    search_fields = ("name", "phone_digits")


@admin.register(CustomerContact)
class CustomerContactAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("customer", "name", "phone", "relation", "is_active")


@admin.register(CustomerAddress)
class CustomerAddressAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("customer", "label", "address", "is_default", "is_active")


@admin.register(CustomerDocument)
class CustomerDocumentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("customer", "kind", "title", "content_type", "size", "is_active")
    exclude = ("file",)


@admin.register(GreetingWindow)
class GreetingWindowAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("organization", "holiday", "starts_on", "ends_on", "greeting", "is_active")


@admin.register(SpecialGroup)
class SpecialGroupAdmin(admin.ModelAdmin):
    """Special-group kinds are reference data (C-21): a center may add its own."""

    list_display = ("name", "code", "is_active")
