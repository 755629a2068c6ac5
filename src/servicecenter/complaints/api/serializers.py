"""API representations of complaints and their timeline, and the inputs of the create, filter and transition
endpoints. Read-only outputs; choice fields documented as strings listing their values (see
workorders/api/serializers.py). The complainant's phone is in full only for handlers (`context["phone_for"]`)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from servicecenter.approvals.services import person_name
from servicecenter.workorders.api.serializers import MoneyField, choice, code, text

from ..choices import Category, ComplaintChannel, ComplaintStatus, ComplaintVerb, Feedback, Severity
from ..models import Complaint, ComplaintEvent


def _id(**kwargs: Any) -> serializers.IntegerField:
    """A record id in the input: a positive 32-bit integer (a larger one is a 400, not a database error)."""
    return serializers.IntegerField(min_value=1, max_value=2**31 - 1, **kwargs)


# The channels a caller of the API registers a complaint from (callback / rating complaints come from follow-ups and
# ratings; "web" is the public form).
API_CHANNELS = [ComplaintChannel.PHONE, ComplaintChannel.WALK_IN, ComplaintChannel.LETTER, ComplaintChannel.WEB]


class ComplaintEventSerializer(serializers.ModelSerializer):
    """One action on the case (the 处理过程 of the handling form, CMP-04); `public`: shown to the complainant."""

    verb = code(ComplaintVerb)
    verb_display = serializers.CharField(source="get_verb_display", read_only=True)

    class Meta:
        model = ComplaintEvent
        fields = [
            "id",
            "at",
            "actor",
            "actor_name",
            "verb",
            "verb_display",
            "from_status",
            "to_status",
            "note",
            "clause",
            "public",
        ]
        read_only_fields = fields


class ComplaintSerializer(serializers.ModelSerializer):
    """One complaint in a list: number, classification, state, complainant, handler and the G-01 deadlines."""

    channel = code(ComplaintChannel)
    category = code(Category)
    severity = code(Severity)
    status = code(ComplaintStatus)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    phone = serializers.SerializerMethodField(help_text="完整号码仅对投诉处理人员显示，否则为 138****1234")
    order_number = serializers.SerializerMethodField()
    against_staff_name = serializers.SerializerMethodField()
    owner_name = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField(help_text="未结的投诉已超过确认受理或处理期限（G-01）")

    class Meta:
        model = Complaint
        fields = [
            "id",
            "number",
            "organization",
            "organization_name",
            "channel",
            "category",
            "severity",
            "status",
            "status_display",
            "complainant_name",
            "phone",
            "summary",
            "order",
            "order_number",
            "against_staff",
            "against_staff_name",
            "merchant_name",
            "owner",
            "owner_name",
            "received_at",
            "acknowledge_due_at",
            "resolve_due_at",
            "confirm_due_at",
            "acknowledged_at",
            "resolved_at",
            "closed_at",
            "acknowledge_breached_at",
            "resolve_breached_at",
            "escalated_at",
            "overdue",
            "reopen_count",
            "version",
        ]
        read_only_fields = fields

    def get_phone(self, complaint: Complaint) -> str:
        phone_for = self.context.get("phone_for")
        return phone_for(complaint) if phone_for else complaint.phone

    def get_order_number(self, complaint: Complaint) -> str:
        return complaint.order.number if complaint.order_id and complaint.order else ""

    def get_against_staff_name(self, complaint: Complaint) -> str:
        return complaint.against_staff.name if complaint.against_staff_id and complaint.against_staff else ""

    def get_owner_name(self, complaint: Complaint) -> str:
        return person_name(complaint.owner) if complaint.owner_id else ""

    def get_overdue(self, complaint: Complaint) -> bool:
        now = self.context.get("now")
        if now is None or not complaint.is_open:
            return False
        # as complaints.selectors' overdue filter: a deadline reached counts as passed
        late_ack = complaint.acknowledged_at is None and complaint.acknowledge_due_at <= now
        return bool(late_ack or complaint.resolve_due_at <= now)


class ComplaintDetailSerializer(ComplaintSerializer):
    """The case as data: everything of the list plus the details, the deadline citation, the response and the
    complainant's feedback, and the timeline (oldest first)."""

    feedback = code(Feedback)
    compensation = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True, read_only=True)
    received_by_name = serializers.SerializerMethodField()
    resolved_by_name = serializers.SerializerMethodField()
    closed_by_name = serializers.SerializerMethodField()
    events = ComplaintEventSerializer(many=True, read_only=True)

    class Meta(ComplaintSerializer.Meta):
        fields = [
            *ComplaintSerializer.Meta.fields,
            "details",
            "demand",
            "customer",
            "notify_complainant",
            "regulation_clause",
            "compensation",
            "compensation_payer",
            "violation",
            "received_by",
            "received_by_name",
            "investigation_started_at",
            "response",
            "resolved_by",
            "resolved_by_name",
            "feedback",
            "feedback_note",
            "confirmed_at",
            "closed_by",
            "closed_by_name",
            "deadline_citation",
            "escalation_reason",
            "events",
        ]
        read_only_fields = fields

    def get_received_by_name(self, complaint: Complaint) -> str:
        return person_name(complaint.received_by) if complaint.received_by_id else ""

    def get_resolved_by_name(self, complaint: Complaint) -> str:
        return person_name(complaint.resolved_by) if complaint.resolved_by_id else ""

    def get_closed_by_name(self, complaint: Complaint) -> str:
        return person_name(complaint.closed_by) if complaint.closed_by_id else ""


# --- input ----------------------------------------------------------------------------------------------------------


class ComplaintFilterSerializer(serializers.Serializer):
    """The list's query string (all optional)."""

    status = choice(ComplaintStatus, required=False)
    severity = choice(Severity, required=False)
    category = choice(Category, required=False)
    channel = choice(ComplaintChannel, required=False)
    center = _id(required=False)
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None)
    q = text(50, required=False, allow_blank=True, help_text="投诉编号、投诉人姓名或电话号码")


@extend_schema_field({"type": "string", "description": " | ".join(str(c) for c in API_CHANNELS)})
class _ChannelField(serializers.ChoiceField):
    pass


class ComplaintCreateSerializer(serializers.Serializer):
    """A complaint taken by phone, at the counter, by letter or from another system (CMP-01); the deadlines follow
    from the severity (G-01)."""

    organization = _id(help_text="服务中心 id")
    channel = _ChannelField(choices=[(c.value, c.label) for c in API_CHANNELS])
    complainant_name = text(100, help_text="投诉人姓名")
    phone = text(20, help_text="联系电话（状态变化短信发往此号码，CMP-11）")
    summary = text(200, help_text="投诉摘要")
    details = text(4000, help_text="投诉内容")
    category = choice(Category, required=False, default=Category.OTHER)
    severity = choice(Severity, required=False, default=Severity.NORMAL)
    demand = text(1000, required=False, allow_blank=True, default="", help_text="投诉人诉求")
    order = _id(required=False, allow_null=True, default=None, help_text="相关工单 id")
    against_staff = _id(required=False, allow_null=True, default=None, help_text="被投诉人员（Staff）id")
    customer = _id(required=False, allow_null=True, default=None, help_text="客户 id")
    merchant_name = text(100, required=False, allow_blank=True, default="", help_text="被投诉商户（CMP-09）")
    regulation_clause = text(100, required=False, allow_blank=True, default="", help_text="引用的制度条款（CMP-12）")
    notify_complainant = serializers.BooleanField(
        required=False, default=True, help_text="状态变化时短信通知投诉人（CMP-11），默认是"
    )


class ComplaintAcknowledgeSerializer(serializers.Serializer):
    owner = _id(required=False, allow_null=True, default=None, help_text="处理人（用户 id），默认为调用人")


class ComplaintNoteSerializer(serializers.Serializer):
    note = text(2000, help_text="处理记录（内部）")


class ComplaintOptionalNoteSerializer(serializers.Serializer):
    note = text(2000, required=False, allow_blank=True, default="")


class ComplaintResolveSerializer(serializers.Serializer):
    response = text(4000, help_text="处理结果与给投诉人的答复")
    compensation = MoneyField(required=False, allow_null=True, default=None)
    compensation_payer = text(
        100, required=False, allow_blank=True, default="", help_text="赔偿承担方（如商户，CMP-09）"
    )


class ComplaintFeedbackSerializer(serializers.Serializer):
    """The complainant's answer to the resolution: satisfied / no_reply → confirmed; dissatisfied → reopened
    (complaints.reopen_limit times), then escalated (G-01)."""

    feedback = choice(Feedback)
    note = text(2000, required=False, allow_blank=True, default="", help_text="反馈说明")


class ComplaintReasonSerializer(serializers.Serializer):
    reason = text(2000, help_text="重新打开的原因")
