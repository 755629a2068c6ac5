"""Admin: regulations and clauses are reference data edited here (with simple_history keeping every change);
parameter values are read-only because every change goes through `services.parameter_set` (audit, no backdating).
"""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Clause, ParameterValue, Regulation


class ClauseInline(admin.StackedInline):
    model = Clause
    extra = 0
    fields = ("number", "sort_key", "title", "text", "original_text", "requirement_ids")
    readonly_fields = ("original_text",)
    can_delete = False
    show_change_link = True


@admin.register(Regulation)
class RegulationAdmin(SimpleHistoryAdmin):
    list_display = ("title", "code", "version", "organization", "source", "effective_date", "is_active")
    list_filter = ("is_active", "source")
    search_fields = ("title", "code")
    readonly_fields = ("code", "version", "source", "created_at", "updated_at")
    inlines = [ClauseInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # nothing is deleted: deactivate (is_active) instead


@admin.register(Clause)
class ClauseAdmin(SimpleHistoryAdmin):
    list_display = ("regulation", "number", "title", "requirement_ids")
    list_filter = ("regulation",)
    search_fields = ("text", "title", "number")
    readonly_fields = ("regulation", "original_text", "created_at", "updated_at")

    def has_add_permission(self, request) -> bool:
        return False  # clauses are added with their regulation (services.regulation_create) or inline

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ParameterValue)
class ParameterValueAdmin(admin.ModelAdmin):
    list_display = ("key", "organization", "value", "inherit", "effective_from", "set_by", "reason", "created_at")
    list_filter = ("inherit",)
    search_fields = ("key", "reason")
    date_hierarchy = "effective_from"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
