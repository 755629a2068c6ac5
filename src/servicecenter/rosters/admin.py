"""Read-only admin for rosters: every change goes through rosters/services.py (pages: 排班)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from .models import HandoverNote, OnCallEntry, Roster, ShiftTemplate, SwapRequest


class ReadOnlyMixin:
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(ShiftTemplate)
class ShiftTemplateAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("code", "label", "organization", "periods_text", "on_call", "is_active")
    list_filter = ("on_call", "is_active")
    list_select_related = ("organization",)


@admin.register(Roster)
class RosterAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("organization", "month", "version", "status", "published_at")
    list_filter = ("status",)
    list_select_related = ("organization",)


@admin.register(SwapRequest)
class SwapRequestAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "organization", "requester", "counterpart", "requester_day", "status")
    list_filter = ("status",)
    list_select_related = ("organization", "requester", "counterpart")


@admin.register(HandoverNote)
class HandoverNoteAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "organization", "from_staff", "to_staff", "day", "acknowledged_at")
    list_select_related = ("organization", "from_staff", "to_staff")


@admin.register(OnCallEntry)
class OnCallEntryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("day", "organization", "staff", "mobile", "is_active")
    list_filter = ("is_active",)
    list_select_related = ("organization", "staff")
