"""Choices of the work-order domain: kinds (WO-01), service types (SVC-01), states (WO-02), events (WO-06)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderKind(models.TextChoices):
    """WO-01: every incoming call is classified."""

    INQUIRY = "inquiry", _("咨询")
    COMPLAINT = "complaint", _("投诉")
    REPAIR = "repair", _("报修")
    INSTALLATION = "installation", _("安装")
    OTHER = "other", _("其他")


class ServiceType(models.TextChoices):
    """SVC-01: A 有偿服务, B 合同服务, C 免费服务, D 内务服务 (labels may be renamed per center: service.types)."""

    PAID = "A", _("有偿服务")
    CONTRACT = "B", _("合同服务")
    FREE = "C", _("免费服务")
    INTERNAL = "D", _("内务服务")


class Channel(models.TextChoices):
    PHONE = "phone", _("电话")
    WALK_IN = "walk_in", _("来访")
    PUBLIC_WEB = "public_web", _("网上报修")
    API = "api", _("系统对接")
    INTERNAL = "internal", _("内部上报")


class Priority(models.TextChoices):
    """Ordered: the dispatch board sorts urgent first (WO-11 special groups, SVC-12 rolled-over requests)."""

    NORMAL = "normal", _("普通")
    HIGH = "high", _("优先")
    URGENT = "urgent", _("紧急")


PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2}


class OrderStatus(models.TextChoices):
    """WO-02: new → dispatched → accepted → in progress (⇄ paused) → returned (回单) → closed; plus cancelled."""

    NEW = "new", _("待派单")
    DISPATCHED = "dispatched", _("已派单")
    ACCEPTED = "accepted", _("已接单")
    IN_PROGRESS = "in_progress", _("处理中")
    PAUSED = "paused", _("暂停")
    RETURNED = "returned", _("已回单")
    CLOSED = "closed", _("已关闭")
    CANCELLED = "cancelled", _("已取消")


OPEN_STATUSES = (
    OrderStatus.NEW,
    OrderStatus.DISPATCHED,
    OrderStatus.ACCEPTED,
    OrderStatus.IN_PROGRESS,
    OrderStatus.PAUSED,
)
# States in which the response is still owed (WO-03: acceptance or first contact answers it).
UNRESPONDED_STATUSES = (OrderStatus.NEW, OrderStatus.DISPATCHED)


class PauseReason(models.TextChoices):
    WAITING_CUSTOMER = "waiting_customer", _("等待客户")
    WAITING_PARTS = "waiting_parts", _("等待配件")
    MISSING_INFO = "missing_info", _("资料不全")


class PaymentPath(models.TextChoices):
    """SVC-07 / SVC-08 / G-13: how a paid service is settled."""

    NONE = "none", _("不收费")
    ON_SITE = "on_site", _("现场收费")
    INVOICE = "invoice", _("财务开票收费")


class ExpenseKind(models.TextChoices):
    """SVC-14: travel and allowance expenses of a service are its cost."""

    TRAVEL = "travel", _("差旅费")
    ALLOWANCE = "allowance", _("补贴费")
    OTHER = "other", _("其他费用")


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("现场照片")
    SIGNATURE = "signature", _("客户签名")
    VOUCHER_PHOTO = "voucher_photo", _("纸质凭证照片")


class OffsiteStatus(models.TextChoices):
    """SVC-13: off-site service waits for the manager's approval before it may be dispatched."""

    NOT_NEEDED = "", _("—")
    PENDING = "pending", _("异地服务待批")
    APPROVED = "approved", _("异地服务已批准")
    REJECTED = "rejected", _("异地服务被驳回")


class EventVerb(models.TextChoices):
    """WO-06: every action on an order is one timeline event."""

    CREATED = "created", _("受理")
    ANSWERED = "answered", _("当场答复并办结")
    LINKED_DUPLICATE = "linked_duplicate", _("关联重复报修")
    DISPATCHED = "dispatched", _("派单")
    REASSIGNED = "reassigned", _("改派")
    TAKEN_BACK = "taken_back", _("收回")
    ACCEPTED = "accepted", _("接单")
    CONTACTED = "contacted", _("联系客户")
    ARRIVED = "arrived", _("到达现场")
    PAUSED = "paused", _("暂停")
    RESUMED = "resumed", _("恢复处理")
    COMPLETED = "completed", _("完工回单")
    COUNTERSIGNED = "countersigned", _("经理核签")
    ARCHIVED = "archived", _("凭证归档")
    CLOSED = "closed", _("关闭")
    CANCELLED = "cancelled", _("取消")
    NOTE = "note", _("备注")
    CALL = "call", _("通话记录")
    SLA_WARNING = "sla_warning", _("时限预警")
    SLA_BREACH = "sla_breach", _("超时")
    ROLLED_OVER = "rolled_over", _("次日优先派工")
    REESCALATED = "reescalated", _("再次上报")
    OFFSITE_REQUESTED = "offsite_requested", _("申请异地服务")
    OFFSITE_DECIDED = "offsite_decided", _("异地服务审批结果")
    EXPENSE = "expense", _("登记费用")
    ATTACHMENT = "attachment", _("上传附件")
    PAYMENT = "payment", _("收费")


class SlaKind(models.TextChoices):
    RESPONSE = "response", _("响应")
    RESOLUTION = "resolution", _("处理")
