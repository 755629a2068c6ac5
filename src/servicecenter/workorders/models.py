"""Work orders (§3.5 WO) and the service register (§3.8 SVC).

One `WorkOrder` row is both the order and its service-register entry (SVC-03): it carries a sequential register
number per center and year. Its state changes only through `workorders.services` (one function per transition,
DESIGN.md §4); every action is one append-only `WorkOrderEvent` (WO-06). The SLA deadlines are computed once, at
creation, from the policy in force for the center (WO-03, C-09) and stored with their citation; a pause may move
the resolution deadline where the policy says so (C-19), and the move is recorded.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils.translation import gettext_lazy as _

from servicecenter.core.models import TimeStampedModel

from .choices import (
    AttachmentKind,
    Channel,
    EventVerb,
    ExpenseKind,
    OffsiteStatus,
    OrderKind,
    OrderStatus,
    PauseReason,
    PaymentPath,
    Priority,
    ServiceType,
)

_OPEN = Q(status__in=["new", "dispatched", "accepted", "in_progress", "paused"])


def board_priority_rank() -> Case:
    """WO-05 urgency, first key: urgent 0, high 1, normal 2 (the dispatch board's order and its index)."""
    return Case(
        When(priority="urgent", then=Value(0)),
        When(priority="high", then=Value(1)),
        default=Value(2),
        output_field=models.IntegerField(),
    )


def board_pending_due() -> Case:
    """WO-05 urgency, second key: the nearest pending deadline — the response while unresponded, else the
    resolution (the dispatch board's order and its index)."""
    return Case(When(responded_at__isnull=True, then=F("response_due_at")), default=F("resolve_due_at"))


class WorkOrderSequence(models.Model):
    """The last register number handed out per center and year (SVC-03: a sequentially numbered register).

    Counted up with one UPDATE … RETURNING while numbering (the row stays locked until the intake commits), so
    concurrent intakes never share or skip a number."""

    organization = models.ForeignKey("org.Organization", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_no = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="wo_sequence_org_year_uniq")]

    def __str__(self) -> str:
        return f"{self.organization_id}/{self.year}: {self.last_no}"


class WorkOrder(TimeStampedModel):
    # --- identity and register (SVC-03) ---
    organization = models.ForeignKey(
        "org.Organization", on_delete=models.PROTECT, related_name="work_orders", verbose_name=_("服务中心")
    )
    number = models.CharField(_("工单号"), max_length=20, unique=True)
    register_year = models.PositiveSmallIntegerField(_("登记年度"))
    register_no = models.PositiveIntegerField(_("登记序号"))

    # --- classification (WO-01, SVC-01) ---
    kind = models.CharField(_("类别"), max_length=20, choices=OrderKind.choices)
    service_type = models.CharField(_("服务类型"), max_length=1, choices=ServiceType.choices)
    channel = models.CharField(_("来源"), max_length=20, choices=Channel.choices, default=Channel.PHONE)
    priority = models.CharField(_("优先级"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    priority_reason = models.CharField(_("优先级依据"), max_length=300, blank=True)
    is_facility_issue = models.BooleanField(_("设施故障"), default=False)

    # --- the customer, as given at intake (WO-08, SVC-02) ---
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="work_orders", verbose_name=_("客户")
    )
    customer_name = models.CharField(_("客户姓名"), max_length=100)
    phone = models.CharField(_("电话"), max_length=20)
    phone_digits = models.CharField(max_length=20, editable=False)
    address = models.CharField(_("地址"), max_length=200)
    problem = models.TextField(_("问题描述"), max_length=2000)
    read_back = models.JSONField(_("已跟读确认"), default=list, blank=True)
    special_group = models.ForeignKey(
        "customers.SpecialGroup",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("特殊群体"),
    )
    product_model = models.CharField(_("商品型号"), max_length=100, blank=True)
    product_spec = models.CharField(_("规格"), max_length=100, blank=True)
    purchase_date = models.DateField(_("购买日期"), null=True, blank=True)
    purchase_place = models.CharField(_("购买地点"), max_length=100, blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates", verbose_name=_("重复于")
    )
    answer = models.TextField(_("答复内容"), blank=True)
    # Intake: the one-time token of the form that created the order; a second submit of it returns this order.
    intake_token = models.UUIDField(_("受理表单令牌"), null=True, blank=True, unique=True, editable=False)

    # --- state (WO-02) ---
    status = models.CharField(_("状态"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.NEW)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        "org.Staff",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_work_orders",
        verbose_name=_("服务人员"),
    )
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("接单时间"), null=True, blank=True)
    first_contact_at = models.DateTimeField(_("首次联系客户"), null=True, blank=True)
    responded_at = models.DateTimeField(_("响应时间"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("到达时间"), null=True, blank=True)
    service_started_at = models.DateTimeField(_("实际开始"), null=True, blank=True)
    service_ended_at = models.DateTimeField(_("实际结束"), null=True, blank=True)
    work_content = models.TextField(_("服务内容"), blank=True)
    returned_at = models.DateTimeField(_("回单时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=300, blank=True)

    # --- SLA clocks (WO-03, C-09, C-19): frozen at creation with their citation ---
    sla_clock = models.CharField(_("计时方式"), max_length=10, default="business")
    response_minutes = models.PositiveIntegerField(_("响应时限（分钟）"))
    resolve_minutes = models.PositiveIntegerField(_("处理时限（分钟）"))
    warning_fraction = models.DecimalField(_("预警比例"), max_digits=4, decimal_places=3)
    on_missing_info = models.CharField(_("暂停时计时"), max_length=10, default="none")
    sla_citation = models.TextField(_("时限依据"), blank=True)
    response_due_at = models.DateTimeField(_("响应截止"))
    response_warn_at = models.DateTimeField(_("响应预警时间"))
    resolve_due_at = models.DateTimeField(_("处理截止"))
    resolve_warn_at = models.DateTimeField(_("处理预警时间"))
    response_warned_at = models.DateTimeField(null=True, blank=True)
    response_breached_at = models.DateTimeField(_("响应超时"), null=True, blank=True)
    resolve_warned_at = models.DateTimeField(null=True, blank=True)
    resolve_breached_at = models.DateTimeField(_("处理超时"), null=True, blank=True)
    paused_at = models.DateTimeField(_("暂停开始"), null=True, blank=True)
    pause_reason = models.CharField(_("暂停原因"), max_length=20, choices=PauseReason.choices, blank=True)
    paused_minutes = models.PositiveIntegerField(_("累计暂停（分钟）"), default=0)

    # --- next-day priority (SVC-12) and re-escalation (WO-15) ---
    rolled_over_at = models.DateTimeField(_("转次日优先"), null=True, blank=True)
    reescalation_count = models.PositiveIntegerField(_("再次上报次数"), default=0)
    last_escalated_at = models.DateTimeField(_("最近上报"), null=True, blank=True)

    # --- off-site service (SVC-13, SVC-14) ---
    is_offsite = models.BooleanField(_("异地服务"), default=False)
    offsite_destination = models.CharField(_("异地服务地点"), max_length=200, blank=True)
    offsite_status = models.CharField(
        _("异地服务审批"), max_length=10, choices=OffsiteStatus.choices, default=OffsiteStatus.NOT_NEEDED, blank=True
    )
    offsite_request = models.ForeignKey(
        "approvals.ApprovalRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # --- charges (SVC-07, SVC-08, G-13) ---
    labour_fee = models.DecimalField(_("服务费"), max_digits=10, decimal_places=2, default=0)
    fee_total = models.DecimalField(_("费用合计"), max_digits=10, decimal_places=2, default=0)
    payment_path = models.CharField(_("收费方式"), max_length=10, choices=PaymentPath.choices, default=PaymentPath.NONE)
    payment_citation = models.CharField(_("收费方式依据"), max_length=300, blank=True)
    collected_amount = models.DecimalField(_("现场收款"), max_digits=10, decimal_places=2, null=True, blank=True)
    collected_at = models.DateTimeField(_("收款时间"), null=True, blank=True)

    # --- voucher sign-off (SVC-05, SVC-06, SVC-10) ---
    signer_name = models.CharField(_("客户签字人"), max_length=100, blank=True)
    signed_at = models.DateTimeField(_("客户签字时间"), null=True, blank=True)
    countersigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    countersigned_at = models.DateTimeField(_("经理核签时间"), null=True, blank=True)
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("工单")
        verbose_name_plural = _("工单")
        permissions = [
            ("dispatch_workorder", "派单、改派、收回工单"),
            ("work_workorder", "处理派给自己的工单（服务人员）"),
            ("countersign_workorder", "核签服务凭证并归档"),
            ("view_register", "查看服务登记簿与对账"),
            ("export_register", "导出服务登记簿"),
            ("view_kpi", "查看内勤考核与工单统计"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "register_year", "register_no"], name="wo_register_no_uniq"
            ),
            # Only an order that is being worked on has a serviceman; a new one has none.
            models.CheckConstraint(
                name="wo_new_has_no_assignee", condition=~Q(status="new") | Q(assignee__isnull=True)
            ),
            models.CheckConstraint(
                name="wo_assigned_states_have_assignee",
                condition=~Q(status__in=["dispatched", "accepted", "in_progress", "paused"])
                | Q(assignee__isnull=False),
            ),
            models.CheckConstraint(name="wo_fee_not_negative", condition=Q(fee_total__gte=0) & Q(labour_fee__gte=0)),
        ]
        indexes = [
            # Register (SVC-03): one center, newest first; filters by status / type / staff.
            models.Index(fields=["organization", "-created_at"], name="wo_org_created_idx"),
            models.Index(fields=["organization", "status", "-created_at"], name="wo_org_status_idx"),
            models.Index(fields=["assignee", "status"], name="wo_assignee_status_idx"),
            # Phone search and the duplicate check (WO-01).
            models.Index(fields=["phone_digits", "-created_at"], name="wo_phone_idx"),
            # Dispatch board: the open orders of a center (about 5 % of all rows).
            models.Index(fields=["organization", "resolve_due_at"], name="wo_board_idx", condition=_OPEN),
            # SLA sweep (WO-03): only the rows whose warning or breach is still ahead.
            models.Index(
                fields=["response_warn_at"],
                name="wo_resp_pending_idx",
                condition=Q(responded_at__isnull=True, response_breached_at__isnull=True)
                & Q(status__in=["new", "dispatched"]),
            ),
            models.Index(
                fields=["resolve_warn_at"],
                name="wo_resolve_pending_idx",
                condition=Q(resolve_breached_at__isnull=True) & _OPEN,
            ),
            # Dispatch board rows (WO-05): a center's open orders already in the board's order (priority rank, nearest
            # pending deadline, arrival), so that a page is read from the index instead of sorting every open order.
            # The expressions are the ones selectors.board_orders sorts by (board_priority_rank, board_pending_due).
            models.Index(
                F("organization"),
                board_priority_rank(),
                board_pending_due(),
                F("created_at"),
                F("id"),
                name="wo_board_order_idx",
                condition=_OPEN,
            ),
            # Dispatch board staff panel and dispatch choice (WO-05): each serviceman's open orders (the load).
            models.Index(fields=["assignee"], name="wo_open_assignee_idx", condition=_OPEN),
            # Dispatch board header: the breaches of a center since local midnight (a few % of all rows, OR-ed).
            models.Index(
                fields=["organization", "response_breached_at"],
                name="wo_resp_breach_idx",
                condition=Q(response_breached_at__isnull=False),
            ),
            models.Index(
                fields=["organization", "resolve_breached_at"],
                name="wo_resolve_breach_idx",
                condition=Q(resolve_breached_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.customer_name}"

    @property
    def is_open(self) -> bool:
        return self.status in ("new", "dispatched", "accepted", "in_progress", "paused")

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class WorkOrderEvent(models.Model):
    """WO-06: one action on an order — append-only (no service updates or deletes a row)."""

    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(_("操作人"), max_length=100, blank=True)
    verb = models.CharField(_("动作"), max_length=30, choices=EventVerb.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    clause = models.CharField(_("依据"), max_length=300, blank=True)

    class Meta:
        ordering = ("at", "id")
        verbose_name = _("工单记录")
        verbose_name_plural = _("工单记录")
        indexes = [models.Index(fields=["order", "at"], name="wo_event_order_idx")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.verb}"


class MaterialLine(models.Model):
    """Materials used on the job (SVC-09 voucher content); part of the fee of a paid service."""

    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="materials")
    name = models.CharField(_("材料"), max_length=100)
    spec = models.CharField(_("规格"), max_length=100, blank=True)
    quantity = models.DecimalField(_("数量"), max_digits=10, decimal_places=2)
    unit = models.CharField(_("单位"), max_length=10, blank=True)
    unit_price = models.DecimalField(_("单价"), max_digits=10, decimal_places=2, default=0)
    amount = models.DecimalField(_("金额"), max_digits=12, decimal_places=2, default=0)

    class Meta:
        ordering = ("id",)
        verbose_name = _("材料")
        verbose_name_plural = _("材料")
        constraints = [
            models.CheckConstraint(name="wo_material_positive", condition=Q(quantity__gt=0) & Q(unit_price__gte=0))
        ]

    def __str__(self) -> str:
        return f"{self.name} × {self.quantity}"


class ExpenseLine(TimeStampedModel):
    """SVC-14: travel and allowance expenses attached to the order as service cost."""

    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="expenses")
    kind = models.CharField(_("费用类别"), max_length=20, choices=ExpenseKind.choices)
    amount = models.DecimalField(_("金额"), max_digits=10, decimal_places=2)
    incurred_on = models.DateField(_("发生日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ("incurred_on", "id")
        verbose_name = _("服务成本")
        verbose_name_plural = _("服务成本")
        constraints = [models.CheckConstraint(name="wo_expense_positive", condition=Q(amount__gt=0))]


def attachment_path(instance: OrderAttachment, filename: str) -> str:
    return f"workorders/{instance.order_id}/{instance.kind}/{filename}"


class OrderAttachment(TimeStampedModel):
    """A photo of the site, the customer's on-screen signature or a photographed paper voucher (SVC-05).

    Never served from a public URL: the attachment view checks the viewer's scope."""

    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField(_("类别"), max_length=20, choices=AttachmentKind.choices)
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=255)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ("created_at", "id")
        verbose_name = _("工单附件")
        verbose_name_plural = _("工单附件")
        indexes = [models.Index(fields=["order", "kind"], name="wo_attachment_order_idx")]
