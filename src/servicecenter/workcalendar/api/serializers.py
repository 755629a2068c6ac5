"""Output shapes of the calendar API (for the OpenAPI schema; the views build plain dicts)."""

from __future__ import annotations

from rest_framework import serializers


class IsWorkingOutputSerializer(serializers.Serializer):
    organization = serializers.IntegerField()
    at = serializers.DateTimeField(help_text="The instant asked about, in the organization's time zone.")
    working = serializers.BooleanField()
    day_kind = serializers.ChoiceField(choices=["workday", "weekend", "holiday", "makeup_workday"])
    day_kind_label = serializers.CharField()
    day_name = serializers.CharField(allow_null=True, help_text="Statutory holiday name, e.g. 国庆节.")
    periods = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))
    season = serializers.CharField(allow_null=True)
    override = serializers.DictField(allow_null=True)
    citation = serializers.CharField()


class AddMinutesOutputSerializer(serializers.Serializer):
    organization = serializers.IntegerField()
    start = serializers.DateTimeField()
    minutes = serializers.IntegerField()
    due = serializers.DateTimeField(help_text="Aware, in the organization's time zone.")
    citation = serializers.CharField()


class BetweenOutputSerializer(serializers.Serializer):
    organization = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    minutes = serializers.FloatField(help_text="Working minutes in [start, end); negative when end < start.")
    citation = serializers.CharField()


class DayOutputSerializer(serializers.Serializer):
    date = serializers.DateField()
    weekday = serializers.IntegerField(help_text="1 = Monday … 7 = Sunday")
    day_kind = serializers.ChoiceField(choices=["workday", "weekend", "holiday", "makeup_workday"])
    day_kind_label = serializers.CharField()
    day_name = serializers.CharField(allow_null=True)
    working = serializers.BooleanField(help_text="Whether the day has any working period.")
    round_the_clock = serializers.BooleanField()
    periods = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))
    season = serializers.CharField(allow_null=True)
    override = serializers.DictField(allow_null=True)


class DaysOutputSerializer(serializers.Serializer):
    organization = serializers.IntegerField()
    month = serializers.CharField()
    coverage_warning = serializers.CharField(allow_null=True)
    days = DayOutputSerializer(many=True)
