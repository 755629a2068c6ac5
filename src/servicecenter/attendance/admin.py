"""Read-mostly admin of the attendance records (writes go through the services and pages)."""

from django.contrib import admin

from .models import AttendanceEvent, AttendanceResult, Punch, PunchCorrection, Violation


@admin.register(Punch)
class PunchAdmin(admin.ModelAdmin):
    list_display = ("staff", "kind", "at", "source", "accepted")
    list_filter = ("kind", "source", "accepted")
    search_fields = ("staff__name", "staff__staff_no")
    readonly_fields = [f.name for f in Punch._meta.fields]


@admin.register(AttendanceResult)
class AttendanceResultAdmin(admin.ModelAdmin):
    list_display = ("staff", "day", "status", "minutes_late", "minutes_early", "clause")
    list_filter = ("status",)
    search_fields = ("staff__name", "staff__staff_no")
    readonly_fields = [f.name for f in AttendanceResult._meta.fields]


@admin.register(Violation)
class ViolationAdmin(admin.ModelAdmin):
    list_display = ("staff", "day", "type", "ordinal", "units", "escalated", "status")
    list_filter = ("type", "status")
    readonly_fields = [f.name for f in Violation._meta.fields]


admin.site.register(PunchCorrection)
admin.site.register(AttendanceEvent)
