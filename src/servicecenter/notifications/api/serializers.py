"""API shapes of the inbox."""

from __future__ import annotations

from rest_framework import serializers

from ..models import Notification


class NotificationOutputSerializer(serializers.ModelSerializer):
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ("id", "verb", "title", "body", "link", "is_read", "read_at", "created_at")
        read_only_fields = fields


class MarkAllReadOutputSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were unread and are now read.")
