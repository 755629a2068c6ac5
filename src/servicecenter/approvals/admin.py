"""Read-only admin for approvals: every change goes through approvals/services.py (STYLE.md Part 4 §2)."""

from __future__ import annotations

from django.contrib import admin

from .models import ApprovalNotice, ApprovalRequest, ApprovalStep


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ApprovalStepInline(ReadOnlyMixin, admin.TabularInline):
    model = ApprovalStep
    extra = 0
    fields = ("order", "role_code", "assignee", "acting_for", "status", "decided_by", "decided_at", "comment")
    readonly_fields = fields


class ApprovalNoticeInline(ReadOnlyMixin, admin.TabularInline):
    model = ApprovalNotice
    extra = 0
    fields = ("role_code", "user")
    readonly_fields = fields


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("title", "kind", "organization", "requested_by_name", "status", "created_at")
    list_filter = ("status", "kind")
    search_fields = ("title", "requested_by_name")
    list_select_related = ("organization",)
    inlines = (ApprovalStepInline, ApprovalNoticeInline)
