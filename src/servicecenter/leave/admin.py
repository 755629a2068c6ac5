"""Read-only admin for leave: every change goes through leave/services.py (the entitlement table has its page)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from .models import AnnualLeaveEntitlement, LeaveAttachment, LeaveRequest


class ReadOnlyMixin:
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class LeaveAttachmentInline(ReadOnlyMixin, admin.TabularInline):
    model = LeaveAttachment
    extra = 0
    fields = ("original_name", "content_type", "size", "uploaded_by", "is_active", "created_at")
    readonly_fields = fields


@admin.register(LeaveRequest)
class LeaveRequestAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "staff", "kind", "start_date", "end_date", "days", "status", "organization")
    list_filter = ("kind", "status")
    search_fields = ("staff__name", "staff__staff_no")
    date_hierarchy = "start_date"
    list_select_related = ("staff", "organization")
    inlines = [LeaveAttachmentInline]


@admin.register(AnnualLeaveEntitlement)
class AnnualLeaveEntitlementAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("organization", "min_service_years", "days", "is_active")
    list_filter = ("is_active",)
    list_select_related = ("organization",)
