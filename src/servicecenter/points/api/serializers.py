"""API representations of the points ledger (entries, the daily check, the month, the board, instant rewards,
reversal requests) and the inputs of its endpoints. Output serializers are read-only; points are decimal strings
("3.00"); choice fields are strings listing their values (workorders/api/serializers.py)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from servicecenter.core.actors import display_name
from servicecenter.workorders.api.serializers import MoneyField, choice, code, text

from ..choices import Category, EntryStatus, MonthStatus, RequestStatus, Source
from ..models import DailyCheck, InstantReward, PointEntry, ReversalRequest


def _name(user: Any) -> str:
    return display_name(user) if user is not None else ""


def _id(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=2**31 - 1, **kwargs)


class PointEntrySerializer(serializers.ModelSerializer):
    """One ledger entry: who, when, how many points, from what, under which clause and why (the citation)."""

    center = serializers.IntegerField(source="organization_id", read_only=True)
    staff_name = serializers.CharField(source="staff.name", read_only=True)
    staff_no = serializers.CharField(source="staff.staff_no", read_only=True)
    category = code(Category)
    source = code(Source)  # type: ignore[assignment]
    status = code(EntryStatus)
    verified_by_name = serializers.SerializerMethodField()
    reversed_by = serializers.SerializerMethodField(help_text="冲正了本记录的记录 id（没有则为空）")
    rule_label = serializers.CharField(read_only=True, help_text="规则的文字说明")

    class Meta:
        model = PointEntry
        fields = [
            "id",
            "center",
            "staff",
            "staff_name",
            "staff_no",
            "day",
            "points",
            "category",
            "source",
            "source_id",
            "source_label",
            "rule",
            "rule_label",
            "clause",
            "citation",
            "status",
            "verified_by",
            "verified_by_name",
            "verified_at",
            "reverses",
            "reversed_by",
            "reason",
            "after_lock",
            "approval",
            "created_at",
        ]
        read_only_fields = fields

    def get_verified_by_name(self, entry: PointEntry) -> str:
        return _name(entry.verified_by) if entry.verified_by_id else ""

    def get_reversed_by(self, entry: PointEntry) -> int | None:
        reversed_ids = self.context.get("reversed_by")
        if reversed_ids is not None:
            return reversed_ids.get(entry.pk)
        found = PointEntry.objects.filter(reverses_id=entry.pk).values_list("pk", flat=True).first()
        return found


class ReversalRequestSerializer(serializers.ModelSerializer):
    """A reversal in a locked month waiting for the center manager (PTS-09): answered 202."""

    status = code(RequestStatus)
    requested_by_name = serializers.SerializerMethodField()

    class Meta:
        model = ReversalRequest
        fields = [
            "id",
            "entry",
            "reason",
            "status",
            "requested_by",
            "requested_by_name",
            "approval",
            "reversal",
            "created_at",
        ]
        read_only_fields = fields

    def get_requested_by_name(self, request: ReversalRequest) -> str:
        return _name(request.requested_by)


class DailyCheckSerializer(serializers.ModelSerializer):
    center = serializers.IntegerField(source="organization_id", read_only=True)
    verified_by_name = serializers.SerializerMethodField()
    drafts = serializers.SerializerMethodField(help_text="当日仍待核对的条数")

    class Meta:
        model = DailyCheck
        fields = [
            "center",
            "day",
            "verified_by",
            "verified_by_name",
            "verified_at",
            "verified_count",
            "drafts",
            "alerted_at",
            "summary_sent_at",
        ]
        read_only_fields = fields

    def get_verified_by_name(self, check: DailyCheck) -> str:
        return _name(check.verified_by) if check.verified_by_id else ""

    def get_drafts(self, check: DailyCheck) -> int:
        return PointEntry.objects.filter(
            organization_id=check.organization_id, day=check.day, status=EntryStatus.DRAFT
        ).count()


class InstantRewardSerializer(serializers.ModelSerializer):
    center = serializers.IntegerField(source="organization_id", read_only=True)
    staff_name = serializers.CharField(source="staff.name", read_only=True)
    status = code(RequestStatus)

    class Meta:
        model = InstantReward
        fields = [
            "id",
            "center",
            "staff",
            "staff_name",
            "day",
            "points",
            "amount_cny",
            "reason",
            "status",
            "approval",
            "entry",
        ]
        read_only_fields = fields


class BoardRowSerializer(serializers.Serializer):
    """One line of the board (PUB-01): name and staff number only."""

    staff = serializers.IntegerField(source="staff_id")
    staff_no = serializers.CharField()
    name = serializers.CharField()
    day_points = serializers.DecimalField(max_digits=12, decimal_places=2)
    month_work = serializers.DecimalField(max_digits=12, decimal_places=2)
    auxiliary = serializers.DecimalField(max_digits=12, decimal_places=2)
    fixed = serializers.DecimalField(max_digits=12, decimal_places=2)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)


class BoardSerializer(serializers.Serializer):
    center = serializers.IntegerField()
    month = serializers.CharField(help_text="YYYY-MM")
    day = serializers.DateField(help_text="截至日期 / as of")
    rows = BoardRowSerializer(many=True)


class MonthRowSerializer(BoardRowSerializer):
    snapshot_total = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True, help_text="锁定时的合计（未锁定为空）"
    )
    changed = serializers.BooleanField(help_text="锁定后合计有变动（锁定后冲正）")


class MonthSerializer(serializers.Serializer):
    """The month's recheck (PTS-09): state, deadline, settlement, drafts left, rows, after-lock reversals."""

    center = serializers.IntegerField()
    month = serializers.CharField(help_text="YYYY-MM")
    status = serializers.CharField(help_text=" | ".join(MonthStatus.values))
    locked_by = serializers.IntegerField(allow_null=True)
    locked_by_name = serializers.CharField()
    locked_at = serializers.DateTimeField(allow_null=True)
    note = serializers.CharField()
    deadline = serializers.DateField(help_text="复核截止日（points.month_recheck_deadline_day）")
    overdue = serializers.BooleanField()
    settled_at = serializers.DateTimeField(allow_null=True)
    drafts = serializers.IntegerField(help_text="本月仍待核对的条数")
    rows = MonthRowSerializer(many=True)
    after_lock_reversals = PointEntrySerializer(many=True)


# --- inputs -------------------------------------------------------------------------------------------------------


class EntryFilterSerializer(serializers.Serializer):
    center = _id(required=False)
    staff = _id(required=False)
    day_from = serializers.DateField(required=False)
    day_to = serializers.DateField(required=False)
    status = choice(EntryStatus, required=False)
    category = choice(Category, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("day_from") and attrs.get("day_to") and attrs["day_from"] > attrs["day_to"]:
            raise serializers.ValidationError({"day_to": ["结束日期不能早于开始日期"]})
        return attrs


class ReasonSerializer(serializers.Serializer):
    reason = text(300, help_text="冲正原因（必填）")


class DayVerifySerializer(serializers.Serializer):
    center = _id()
    day = serializers.DateField()
    entry_ids = serializers.ListField(
        child=_id(), required=False, allow_empty=False, max_length=5000, help_text="只核对这些记录；不填则核对当日全部"
    )


class BoardQuerySerializer(serializers.Serializer):
    center = _id(required=False)
    month = serializers.RegexField(r"^\d{4}-(0[1-9]|1[0-2])$", required=False, help_text="YYYY-MM，默认本月")
    day = serializers.DateField(required=False, help_text="截至日期，默认今天（或该月最后一天）")


class LockSerializer(serializers.Serializer):
    note = text(300, required=False, allow_blank=True, default="")


class RewardCreateSerializer(serializers.Serializer):
    center = _id()
    staff = _id()
    day = serializers.DateField()
    points = MoneyField(required=False, allow_null=True, max_digits=7, help_text="奖励积分")
    amount_cny = MoneyField(required=False, allow_null=True, help_text="奖励金额（元）")
    reason = text(300)
