"""API representations of callback tasks, follow-ups, opinions and ratings, and the inputs of their endpoints.

Output serializers are read-only. Choice fields are documented as strings listing their values (no named enum
components: several apps have a `status` or `kind` with other values; see workorders/api/serializers.py). Phone
numbers come in full only to callers who may call the customer (`context["phone_for"]`), else as 138****1234."""

from __future__ import annotations

from typing import Any

from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from servicecenter.approvals.services import person_name
from servicecenter.workorders.api.serializers import choice, code, text

from ..choices import (
    AttemptResult,
    Attitude,
    FollowUpStatus,
    OpinionKind,
    OpinionSource,
    OpinionStatus,
    RatingChannel,
    TaskKind,
    TaskStatus,
)
from ..models import CallbackAttempt, CallbackTask, FollowUp, Opinion, Rating
from ..selectors import API_TASK_ORDERING


def _id(**kwargs: Any) -> serializers.IntegerField:
    """A record id in the input: a positive 32-bit integer (a larger one is a 400, not a database error)."""
    return serializers.IntegerField(min_value=1, max_value=2**31 - 1, **kwargs)


# The results a caller records with /attempts/ (an answered call goes through /answer/).
ATTEMPT_RESULTS = [r for r in AttemptResult.values if r != AttemptResult.ANSWERED]


def _phone(serializer: serializers.Serializer, phone: str, organization: Any) -> str:
    phone_for = serializer.context.get("phone_for")
    return phone_for(phone, organization) if phone_for else phone


class _PhoneMixin:
    def get_phone(self, obj: Any) -> str:
        return _phone(self, obj.phone, obj.organization)  # type: ignore[arg-type]


# --- tasks ------------------------------------------------------------------------------------------------------


class CallbackTaskSerializer(_PhoneMixin, serializers.ModelSerializer):
    """One callback in a list: whom to call and why, when it is due, how often it was tried, who has it open."""

    kind = code(TaskKind)
    status = code(TaskStatus)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    order_number = serializers.SerializerMethodField()
    technician_name = serializers.SerializerMethodField()
    claimed_by_name = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField(help_text="完整号码仅对有回访权限者显示，否则为 138****1234")
    overdue = serializers.SerializerMethodField(help_text="待回访且已过回访期限")

    class Meta:
        model = CallbackTask
        fields = [
            "id",
            "organization",
            "organization_name",
            "kind",
            "status",
            "order",
            "order_number",
            "customer",
            "customer_name",
            "phone",
            "technician",
            "technician_name",
            "reason",
            "clause",
            "due_at",
            "due_citation",
            "overdue",
            "next_attempt_at",
            "appointment_at",
            "attempts",
            "claimed_by",
            "claimed_by_name",
            "claimed_until",
            "completed_at",
            "created_at",
            "version",
        ]
        read_only_fields = fields

    def get_order_number(self, task: CallbackTask) -> str:
        return task.order.number if task.order_id and task.order else ""

    def get_technician_name(self, task: CallbackTask) -> str:
        return task.technician.name if task.technician_id and task.technician else ""

    def get_claimed_by_name(self, task: CallbackTask) -> str:
        return person_name(task.claimed_by) if task.claimed_by_id else ""

    def get_overdue(self, task: CallbackTask) -> bool:
        now = self.context.get("now")
        return bool(task.status == TaskStatus.PENDING and now is not None and task.due_at < now)


class CallbackAttemptSerializer(serializers.ModelSerializer):
    result = code(AttemptResult)
    result_display = serializers.CharField(source="get_result_display", read_only=True)

    class Meta:
        model = CallbackAttempt
        fields = ["id", "at", "by", "by_name", "result", "result_display", "note", "appointment_at", "clause"]
        read_only_fields = fields


class CallbackQuestionSerializer(serializers.Serializer):
    """One question (C-10): `type` yes_no | choice | score | text; `role` what it measures for the reports."""

    code = serializers.CharField()
    type = serializers.CharField()
    role = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    required = serializers.BooleanField()  # type: ignore[assignment]
    choices = serializers.ListField(child=serializers.CharField(), required=False)
    min = serializers.IntegerField(required=False)
    max = serializers.IntegerField(required=False)
    clause = serializers.CharField(required=False)


class CallbackQuestionnaireSerializer(serializers.Serializer):
    """The questionnaire a callback is asked from (the one in force for the center, or the version it was answered
    with), with the opening and closing scripts rendered for the center and its hotline (CB-08)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    version = serializers.IntegerField()
    opening = serializers.CharField()
    closing = serializers.CharField()
    fee_reminder = serializers.CharField(help_text="CB-07：仅在客户满意且本期费用未缴时宣读")
    score_min = serializers.IntegerField()
    score_max = serializers.IntegerField()
    questions = CallbackQuestionSerializer(many=True)


class CallbackOrderBriefSerializer(serializers.Serializer):
    """The order behind a callback, as the caller needs it for the charge cross-check (CB-04)."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    work_content = serializers.CharField()
    fee_total = serializers.DecimalField(max_digits=10, decimal_places=2)
    collected_amount = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    payment_path = serializers.CharField()
    returned_at = serializers.DateTimeField(allow_null=True)


class CallbackFollowUpBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()


class CallbackTaskDetailSerializer(CallbackTaskSerializer):
    """A callback with its attempts log, the answers (CB-02…CB-06), the charge cross-check, the questionnaire and
    the follow-up it opened (G-03)."""

    attitude = code(Attitude)
    customer_fee_status = serializers.CharField(source="customer.fee_status", read_only=True)
    completed_by_name = serializers.SerializerMethodField()
    order_detail = serializers.SerializerMethodField()
    questionnaire = serializers.SerializerMethodField()
    followup = serializers.SerializerMethodField()
    attempt_log = serializers.SerializerMethodField()

    class Meta(CallbackTaskSerializer.Meta):
        fields = [
            *CallbackTaskSerializer.Meta.fields,
            "customer_fee_status",
            "answers",
            "solved",
            "attitude",
            "charged",
            "charge_mismatch",
            "charge_note",
            "score",
            "score_pct",
            "suggestion",
            "fee_reminder_shown",
            "completed_by",
            "completed_by_name",
            "closed_note",
            "order_detail",
            "questionnaire",
            "followup",
            "attempt_log",
        ]
        read_only_fields = fields

    def get_completed_by_name(self, task: CallbackTask) -> str:
        return person_name(task.completed_by) if task.completed_by_id else ""

    @extend_schema_field(CallbackOrderBriefSerializer(allow_null=True))
    def get_order_detail(self, task: CallbackTask) -> dict[str, Any] | None:
        order = task.order if task.order_id else None
        if order is None:
            return None
        return dict(
            CallbackOrderBriefSerializer(
                {
                    "id": order.pk,
                    "number": order.number,
                    "work_content": order.work_content,
                    "fee_total": order.fee_total,
                    "collected_amount": order.collected_amount,
                    "payment_path": order.payment_path,
                    "returned_at": order.returned_at,
                }
            ).data
        )

    @extend_schema_field(CallbackQuestionnaireSerializer)
    def get_questionnaire(self, task: CallbackTask) -> dict[str, Any]:
        return dict(CallbackQuestionnaireSerializer(self.context["questionnaire"]).data)

    @extend_schema_field(CallbackAttemptSerializer(many=True))
    def get_attempt_log(self, task: CallbackTask) -> list[dict[str, Any]]:
        return list(CallbackAttemptSerializer(self.context.get("attempts", []), many=True).data)

    @extend_schema_field(CallbackFollowUpBriefSerializer(allow_null=True))
    def get_followup(self, task: CallbackTask) -> dict[str, Any] | None:
        followup = self.context.get("followup")
        return {"id": followup.pk, "status": followup.status} if followup is not None else None


# --- task inputs ------------------------------------------------------------------------------------------------


class CallbackTaskFilterSerializer(serializers.Serializer):
    """The list's query string (all optional)."""

    status = choice(TaskStatus, required=False)
    kind = choice(TaskKind, required=False)
    center = _id(required=False)
    technician = _id(required=False, help_text="服务人员（Staff）id")
    due_before = serializers.DateTimeField(required=False, help_text="回访期限早于该时刻")
    ordering = text(20, required=False, allow_blank=True, help_text=" | ".join(API_TASK_ORDERING))

    def validate_ordering(self, value: str) -> str:
        if value and value not in API_TASK_ORDERING:
            raise serializers.ValidationError(_("排序只能是：%(v)s") % {"v": "、".join(API_TASK_ORDERING)})
        return value


class CallbackEmptySerializer(serializers.Serializer):
    """No input."""


@extend_schema_field({"type": "string", "description": " | ".join(ATTEMPT_RESULTS)})
class _AttemptResultField(serializers.ChoiceField):
    pass


class CallbackAttemptInputSerializer(serializers.Serializer):
    """A call that did not produce the answers. not_convenient needs `appointment_at` in the future (CB-01)."""

    result = _AttemptResultField(choices=[(r, AttemptResult(r).label) for r in ATTEMPT_RESULTS])
    note = text(300, required=False, allow_blank=True, default="", help_text="说明")
    appointment_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="客户不方便时预约的回访时间（CB-01）"
    )


@extend_schema_field(
    {
        "oneOf": [{"type": "string", "maxLength": 2000}, {"type": "integer"}, {"type": "boolean"}],
        "nullable": True,
        "description": "是/否题：yes | no（或 true/false）；单选题：选项值；评分题：整数；文字题：文字",
    }
)
class AnswerValueField(serializers.Field):
    """One answer: a string (no NUL, at most 2000 characters), an integer or a boolean; the service checks it
    against its question (CB-02…CB-05)."""

    default_error_messages = {
        "invalid": _("回答应为文字、整数或是/否"),
        "null_characters": _("不能包含空字符"),
        "too_long": _("不能超过 2000 个字"),
    }

    def to_internal_value(self, data: Any) -> Any:
        if data is None or isinstance(data, bool):
            return data
        if isinstance(data, int):
            if abs(data) > 2**31:
                self.fail("invalid")
            return data
        if not isinstance(data, str):
            self.fail("invalid")
        if "\x00" in data:
            self.fail("null_characters")
        if len(data) > 2000:
            self.fail("too_long")
        return data

    def to_representation(self, value: Any) -> Any:
        return value


class CallbackAnswerSerializer(serializers.Serializer):
    """The customer's answers by question code (questionnaire.questions[].code), e.g.
    {"a": "yes", "b": "satisfied", "c": "no", "d": 9, "e": "…"}."""

    answers = serializers.DictField(
        child=AnswerValueField(allow_null=True),
        allow_empty=True,
        help_text='问题代码 → 回答，如 {"a": "yes", "b": "satisfied", "c": "no", "d": 9, "e": "希望准时"}',
    )

    def validate_answers(self, value: dict[str, Any]) -> dict[str, Any]:
        if len(value) > 50:
            raise serializers.ValidationError(_("回答最多 50 项"))
        for key in value:
            if not key or len(key) > 20 or "\x00" in key:
                raise serializers.ValidationError(_("问题代码无效：%(code)s") % {"code": key[:20]})
        return value


class CallbackReasonSerializer(serializers.Serializer):
    reason = text(300, help_text="取消原因")


# --- follow-ups -------------------------------------------------------------------------------------------------


class FollowUpReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField()
    clause = serializers.CharField()


class FollowUpSerializer(serializers.ModelSerializer):
    """G-03: a callback that found the problem unsolved, the customer dissatisfied or a low score."""

    status = code(FollowUpStatus)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    customer_name = serializers.CharField(source="task.customer_name", read_only=True)
    order_number = serializers.SerializerMethodField()
    reasons = serializers.SerializerMethodField()
    assigned_to_name = serializers.SerializerMethodField()
    resolved_by_name = serializers.SerializerMethodField()
    rework_order_number = serializers.SerializerMethodField()
    complaint_number = serializers.SerializerMethodField()

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "organization",
            "organization_name",
            "task",
            "customer_name",
            "order",
            "order_number",
            "reasons",
            "clause",
            "status",
            "assigned_to",
            "assigned_to_name",
            "rework_order",
            "rework_order_number",
            "complaint",
            "complaint_number",
            "resolution",
            "resolved_by",
            "resolved_by_name",
            "resolved_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_order_number(self, followup: FollowUp) -> str:
        return followup.order.number if followup.order_id and followup.order else ""

    @extend_schema_field(FollowUpReasonSerializer(many=True))
    def get_reasons(self, followup: FollowUp) -> list[dict[str, str]]:
        rows = followup.reasons if isinstance(followup.reasons, list) else []
        return [
            {"code": str(r.get("code", "")), "text": str(r.get("text", "")), "clause": str(r.get("clause", ""))}
            for r in rows
            if isinstance(r, dict)
        ]

    def get_assigned_to_name(self, followup: FollowUp) -> str:
        return person_name(followup.assigned_to) if followup.assigned_to_id else ""

    def get_resolved_by_name(self, followup: FollowUp) -> str:
        return person_name(followup.resolved_by) if followup.resolved_by_id else ""

    def get_rework_order_number(self, followup: FollowUp) -> str:
        return followup.rework_order.number if followup.rework_order_id and followup.rework_order else ""

    def get_complaint_number(self, followup: FollowUp) -> str:
        return followup.complaint.number if followup.complaint_id and followup.complaint else ""


class FollowUpFilterSerializer(serializers.Serializer):
    status = choice(FollowUpStatus, required=False)
    center = _id(required=False)


@extend_schema_field({"type": "string", "description": "rework | complaint | close"})
class _FollowUpActionField(serializers.ChoiceField):
    pass


@extend_schema_field({"type": "string", "description": "normal | serious | critical"})
class _SeverityField(serializers.ChoiceField):
    pass


class FollowUpResolveSerializer(serializers.Serializer):
    """rework: a new repair order for the same customer; complaint: a complaint case (with `severity`); close: ends
    it, `note` required."""

    action = _FollowUpActionField(choices=[("rework", "rework"), ("complaint", "complaint"), ("close", "close")])
    note = text(2000, required=False, allow_blank=True, default="", help_text="处理说明（结束时必填）")
    severity = _SeverityField(
        choices=[("normal", "normal"), ("serious", "serious"), ("critical", "critical")],
        required=False,
        default="normal",
    )


# --- opinions ---------------------------------------------------------------------------------------------------


class OpinionSerializer(serializers.ModelSerializer):
    """CB-13: a suggestion, grievance or rating of a staff member; closed only with a response and handler
    (CMP-06)."""

    kind = code(OpinionKind)
    source = code(OpinionSource)  # type: ignore[assignment]
    status = code(OpinionStatus)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    customer_name = serializers.SerializerMethodField()
    staff_name = serializers.SerializerMethodField()
    handled_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Opinion
        fields = [
            "id",
            "organization",
            "organization_name",
            "kind",
            "source",
            "status",
            "text",
            "customer",
            "customer_name",
            "staff",
            "staff_name",
            "task",
            "response",
            "handled_by",
            "handled_by_name",
            "handled_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_customer_name(self, opinion: Opinion) -> str:
        return opinion.customer.name if opinion.customer_id and opinion.customer else ""

    def get_staff_name(self, opinion: Opinion) -> str:
        return opinion.staff.name if opinion.staff_id and opinion.staff else ""

    def get_handled_by_name(self, opinion: Opinion) -> str:
        return person_name(opinion.handled_by) if opinion.handled_by_id else ""


class OpinionFilterSerializer(serializers.Serializer):
    status = choice(OpinionStatus, required=False)
    kind = choice(OpinionKind, required=False)
    source = choice(OpinionSource, required=False)  # type: ignore[assignment]
    center = _id(required=False)
    staff = _id(required=False, help_text="涉及人员（Staff）id")


class OpinionCreateSerializer(serializers.Serializer):
    """An opinion received another way (letter, walk-in, phone), typed (CB-13); a staff rating names the staff."""

    organization = _id(help_text="服务中心 id")
    kind = choice(OpinionKind)
    text = text(2000, help_text="意见内容")
    customer = _id(required=False, allow_null=True, default=None, help_text="客户 id")
    staff = _id(required=False, allow_null=True, default=None, help_text="涉及人员（Staff）id；品评时必填")


class OpinionCloseSerializer(serializers.Serializer):
    """CMP-06: the response given to the customer (required; the handler is the caller)."""

    # Not required by the serializer: the service refuses a missing or blank response with clause CMP-06.
    response = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        validators=[ProhibitNullCharactersValidator()],
        help_text="答复内容（必填，CMP-06）",
    )


# --- ratings (好差评) -------------------------------------------------------------------------------------------


class RatingSerializer(serializers.ModelSerializer):
    """One rating of a service: five levels (5 best) with reason tags."""

    channel = code(RatingChannel)
    # A plain integer (no named enum component: other apps have a `level` too).
    level = serializers.IntegerField(read_only=True, help_text="1 非常不满意 … 5 非常满意")
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    order_number = serializers.CharField(source="order.number", read_only=True)
    staff_name = serializers.SerializerMethodField()
    recorded_by_name = serializers.SerializerMethodField()
    tags = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Rating
        fields = [
            "id",
            "organization",
            "organization_name",
            "order",
            "order_number",
            "customer",
            "staff",
            "staff_name",
            "level",
            "level_display",
            "tags",
            "comment",
            "channel",
            "rated_at",
            "recorded_by",
            "recorded_by_name",
        ]
        read_only_fields = fields

    def get_staff_name(self, rating: Rating) -> str:
        return rating.staff.name if rating.staff_id and rating.staff else ""

    def get_recorded_by_name(self, rating: Rating) -> str:
        return person_name(rating.recorded_by) if rating.recorded_by_id else ""


class RatingFilterSerializer(serializers.Serializer):
    center = _id(required=False)
    staff = _id(required=False, help_text="服务人员（Staff）id")
    level = serializers.IntegerField(required=False, min_value=1, max_value=5, help_text="评价等级 1–5（5 最好）")
    level_max = serializers.IntegerField(
        required=False, min_value=1, max_value=5, help_text="等级不高于（如 2 = 不满意及以下）"
    )
    channel = choice(RatingChannel, required=False)
    rated_after = serializers.DateField(required=False, help_text="评价日期不早于")
    rated_before = serializers.DateField(required=False, help_text="评价日期不晚于")


STAFF_RATING_CHANNELS = [RatingChannel.ON_SITE, RatingChannel.PHONE, RatingChannel.STAFF_ENTRY]


@extend_schema_field({"type": "string", "description": " | ".join(str(c) for c in STAFF_RATING_CHANNELS)})
class _StaffChannelField(serializers.ChoiceField):
    pass


class RatingCreateSerializer(serializers.Serializer):
    """A rating a staff member records for a customer (on-site evaluator, by phone, or typed in)."""

    order = _id(help_text="工单 id")
    level = serializers.IntegerField(min_value=1, max_value=5, help_text="1 非常不满意 … 5 非常满意")
    tags = serializers.ListField(
        child=text(30), required=False, default=list, max_length=20, help_text="评价原因代码（好评/差评标签）"
    )
    comment = text(1000, required=False, allow_blank=True, default="", help_text="评价内容")
    channel = _StaffChannelField(
        choices=[(c.value, c.label) for c in STAFF_RATING_CHANNELS], required=False, default=RatingChannel.STAFF_ENTRY
    )
