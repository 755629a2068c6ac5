"""Read-only admin: notifications and deliveries are written by services only (STYLE.md Part 4 #2)."""

from django.contrib import admin

from .models import Delivery, Notification


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    fields = ("channel", "status", "attempts", "last_error", "next_attempt_at", "sent_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "recipient", "verb", "title", "read_at")
    list_filter = ("verb",)
    search_fields = ("title", "recipient__username", "dedupe_key")
    date_hierarchy = "created_at"
    list_select_related = ("recipient",)
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "notification", "channel", "status", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("status", "channel")
    list_select_related = ("notification",)
