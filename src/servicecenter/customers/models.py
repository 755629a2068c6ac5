"""The customer master (SVC-17…SVC-19) and the special groups whose requests get top priority (WO-11, C-21).

A customer belongs to one service center. The phone number is stored as given (`phone`) and as digits only
(`phone_digits`, indexed) so a search by any spelling of the number finds it. Customers are never deleted: a
customer who should no longer be served is marked inactive; merges keep the merged record pointing at the survivor.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servicecenter.core.models import TimeStampedModel

# A phone as people type it: digits with optional +, -, spaces and brackets; 5–20 characters.
customer_phone_validator = RegexValidator(
    r"^[0-9+\-() ]{5,20}$", _("电话号码只能包含数字、+、-、空格和括号（5–20 位）")
)
_NOT_DIGIT = re.compile(r"\D")


def phone_digits(phone: str) -> str:
    """The digits of a phone number: the key the customer is matched on (any spelling of one number matches)."""
    return _NOT_DIGIT.sub("", phone or "")


class CustomerStatus(models.TextChoices):
    """SVC-19: 已有的、正在成为的客户以及潜在的目标客户."""

    EXISTING = "existing", _("现有客户")
    CONVERTING = "converting", _("转化中客户")
    POTENTIAL = "potential", _("潜在客户")


class FeeStatus(models.TextChoices):
    """CB-07: the current period's fee (e.g. the heating fee), as the finance side reports it."""

    UNKNOWN = "unknown", _("未知")
    PAID = "paid", _("已缴费")
    UNPAID = "unpaid", _("未缴费")


class SpecialGroup(TimeStampedModel):
    """A kind of special-group member (C-21): 双无老人, 残疾人, 老年人 by default; a center may add its own."""

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    definition = models.TextField(_("认定标准"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ("name",)
        verbose_name = _("特殊群体类别")
        verbose_name_plural = _("特殊群体类别")

    def __str__(self) -> str:
        return self.name


class Customer(TimeStampedModel):
    organization = models.ForeignKey(
        "org.Organization", on_delete=models.PROTECT, related_name="customers", verbose_name=_("所属服务中心")
    )
    name = models.CharField(_("姓名/名称"), max_length=100)
    phone = models.CharField(_("电话"), max_length=20, validators=[customer_phone_validator])
    phone_digits = models.CharField(_("电话（数字）"), max_length=20, editable=False)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    status = models.CharField(
        _("客户状态"), max_length=20, choices=CustomerStatus.choices, default=CustomerStatus.EXISTING
    )
    special_group = models.ForeignKey(
        SpecialGroup,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
        verbose_name=_("特殊群体"),
    )
    special_group_note = models.CharField(_("特殊群体登记说明"), max_length=200, blank=True)
    fee_status = models.CharField(
        _("本期费用"), max_length=10, choices=FeeStatus.choices, default=FeeStatus.UNKNOWN
    )  # CB-07: the callback's fee reminder
    notes = models.TextField(_("备注"), blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("已合并到")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("name", "id")
        verbose_name = _("客户")
        verbose_name_plural = _("客户")
        indexes = [
            # Intake: match the caller by phone within the center (WO-01 duplicate check, history).
            models.Index(fields=["organization", "phone_digits"], name="customer_org_phone_idx"),
            # Cross-center lookup by phone (a manager of several centers, the public status page).
            models.Index(fields=["phone_digits"], name="customer_phone_idx"),
            # Customer list: search by name within the center (prefix match).
            models.Index(fields=["organization", "name"], name="customer_org_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(name="customer_phone_has_digits", condition=~Q(phone_digits="")),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.phone_digits = phone_digits(self.phone)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "phone" in update_fields:
            kwargs["update_fields"] = {*update_fields, "phone_digits"}
        super().save(*args, **kwargs)


class CustomerContact(TimeStampedModel):
    """Another person to call about the customer's requests (SVC-17): a family member, a caretaker, a neighbour."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="contacts", verbose_name=_("客户"))
    name = models.CharField(_("联系人"), max_length=100)
    phone = models.CharField(_("电话"), max_length=20, validators=[customer_phone_validator])
    phone_digits = models.CharField(_("电话（数字）"), max_length=20, editable=False)
    relation = models.CharField(_("关系"), max_length=50, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("-is_active", "id")
        verbose_name = _("客户联系人")
        verbose_name_plural = _("客户联系人")
        indexes = [models.Index(fields=["phone_digits"], name="customer_contact_phone_idx")]

    def __str__(self) -> str:
        return f"{self.name} {self.phone}"

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.phone_digits = phone_digits(self.phone)
        super().save(*args, **kwargs)


class CustomerAddress(TimeStampedModel):
    """A service address of the customer (SVC-17); one of them is the default offered at intake."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="addresses", verbose_name=_("客户"))
    label = models.CharField(_("名称"), max_length=50, blank=True)
    address = models.CharField(_("地址"), max_length=200)
    is_default = models.BooleanField(_("默认地址"), default=False)
    is_active = models.BooleanField(_("有效"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("-is_active", "-is_default", "id")
        verbose_name = _("客户地址")
        verbose_name_plural = _("客户地址")
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(is_default=True, is_active=True),
                name="customer_one_default_address",
            )
        ]

    def __str__(self) -> str:
        return self.address


class DocumentKind(models.TextChoices):
    """SVC-18: the customer's file documents."""

    CONTRACT = "contract", _("合同")
    DRAWING = "drawing", _("图纸")
    VOUCHER = "voucher", _("凭证")
    OTHER = "other", _("其他")


def document_path(instance: CustomerDocument, filename: str) -> str:
    return f"customers/{instance.customer_id}/{instance.sha256[:16]}-{filename}"


class CustomerDocument(TimeStampedModel):
    """A document in the customer's file (SVC-18): an image or a PDF, checked by content, never served publicly."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="documents", verbose_name=_("客户"))
    kind = models.CharField(_("类别"), max_length=20, choices=DocumentKind.choices)
    title = models.CharField(_("标题"), max_length=100)
    file = models.FileField(_("文件"), upload_to=document_path, max_length=255)
    original_name = models.CharField(_("原文件名"), max_length=255, blank=True)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    is_active = models.BooleanField(_("有效"), default=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("客户档案资料")
        verbose_name_plural = _("客户档案资料")

    def __str__(self) -> str:
        return self.title


class GreetingWindow(TimeStampedModel):
    """CON-09: the date range of one holiday greeting as the holiday notice sets it, per center.

    Without a window for a holiday, its greeting is used during the statutory holiday period of the business
    calendar (G-12). `greeting` overrides the text of `scripts.holiday_greetings` when filled."""

    organization = models.ForeignKey(
        "org.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("服务中心")
    )
    holiday = models.CharField(_("节日"), max_length=40)
    greeting = models.CharField(_("开头用语"), max_length=100, blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    note = models.CharField(_("依据（节日通知）"), max_length=200, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("-starts_on", "id")
        verbose_name = _("节日开头语时段")
        verbose_name_plural = _("节日开头语时段")
        indexes = [models.Index(fields=["organization", "ends_on"], name="greeting_org_end_idx")]
        constraints = [
            models.CheckConstraint(name="greeting_window_order", condition=Q(ends_on__gte=models.F("starts_on")))
        ]

    def __str__(self) -> str:
        return f"{self.holiday} {self.starts_on}–{self.ends_on}"
