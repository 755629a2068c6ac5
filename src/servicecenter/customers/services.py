"""Every write to the customer master (SVC-17…SVC-19) and to the holiday greeting windows (CON-09).

Each function checks the actor's permission in the customer's center, validates, writes, and records an audit
event with the changed fields (nothing is silently overwritten; nothing is deleted: contacts, addresses and
documents are deactivated). The API (/api/v1/customers/) and the pages call these functions.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from servicecenter.core import audit
from servicecenter.core.access import has_permission_in
from servicecenter.core.errors import Conflict, NotAllowed, ValidationFailed, full_clean_or_raise
from servicecenter.org.models import Organization

from . import policies
from .models import (
    Customer,
    CustomerAddress,
    CustomerContact,
    CustomerDocument,
    CustomerStatus,
    DocumentKind,
    FeeStatus,
    GreetingWindow,
    SpecialGroup,
    customer_phone_validator,
    phone_digits,
)

ADD = "customers.add_customer"
CHANGE = "customers.change_customer"
SET_SCRIPTS = "policy.set_parameter"

EDITABLE = ("name", "phone", "address", "notes", "fee_status")
LIMITS = {
    "name": 100,
    "phone": 20,
    "address": 200,
    "notes": 2000,
    "relation": 50,
    "label": 50,
    "title": 100,
    "greeting": 100,
}


def _user(actor: Any) -> Any:
    return getattr(actor, "user", actor) if actor is not None else None


def _require(user: Any, permission: str, organization: Any, message: str) -> None:
    if user is None or not has_permission_in(user=user, permission=permission, organization=organization):
        raise NotAllowed(message)


def _text(raw: Any, field: str, label: str, *, required: bool) -> str:
    text = "" if raw is None else str(raw).strip()
    if required and not text:
        raise ValidationFailed(_("请填写%(label)s") % {"label": label}, fields={field: [_("此项必填")]})
    limit = LIMITS.get(field, 200)
    if len(text) > limit:
        raise ValidationFailed(
            _("%(label)s不能超过 %(n)s 个字") % {"label": label, "n": limit},
            fields={field: [_("不能超过 %(n)s 个字") % {"n": limit}]},
        )
    return text


def _phone(raw: Any, field: str = "phone") -> str:
    phone = ("" if raw is None else str(raw)).strip()
    if not phone:
        raise ValidationFailed(_("请填写电话"), fields={field: [_("此项必填")]})
    try:
        customer_phone_validator(phone)
    except Exception:
        raise ValidationFailed(
            _("电话号码格式不正确：只能包含数字、+、-、空格和括号"), fields={field: [_("电话号码格式不正确")]}
        ) from None
    if len(phone_digits(phone)) < 5:
        raise ValidationFailed(_("电话号码至少 5 位数字"), fields={field: [_("电话号码至少 5 位数字")]})
    return phone


def _center(organization: Any) -> Organization:
    if not isinstance(organization, Organization) or not organization.is_active or not organization.is_center:
        raise ValidationFailed(_("请选择有效的服务中心"), fields={"organization": [_("未知或已停用的服务中心")]})
    return organization


def _locked_customer(customer_id: Any) -> Customer:
    try:
        return (
            Customer.objects.select_for_update(of=("self",))
            .select_related("organization", "special_group")
            .get(pk=int(customer_id))
        )
    except (Customer.DoesNotExist, ValueError, TypeError):
        raise ValidationFailed(_("客户不存在")) from None


# --- customers -----------------------------------------------------------------------------------------------------


@transaction.atomic
def customer_create(
    *,
    actor: Any,
    organization: Any,
    name: Any,
    phone: Any,
    address: Any = "",
    status: Any = CustomerStatus.EXISTING,
    notes: Any = "",
) -> Customer:
    """SVC-17: a new customer of a center. Raises NotAllowed (no customers.add_customer there) or
    ValidationFailed (bad input, with fields; nothing saved)."""
    user = _user(actor)
    center = _center(organization)
    _require(user, ADD, center, _("您没有在该服务中心登记客户的权限"))
    if str(status) not in CustomerStatus.values:
        raise ValidationFailed(_("请选择有效的客户状态"), fields={"status": [_("请选择有效的选项")]})
    customer = Customer(
        organization=center,
        name=_text(name, "name", _("姓名/名称"), required=True),
        phone=_phone(phone),
        address=_text(address, "address", _("地址"), required=False),
        status=str(status),
        notes=_text(notes, "notes", _("备注"), required=False),
        created_by=user,
    )
    full_clean_or_raise(customer, exclude=["phone_digits"])
    customer.save()
    audit.record(actor=user, verb="customer.created", target=customer, clause="SVC-17")
    return customer


@transaction.atomic
def customer_update(*, actor: Any, customer_id: Any, expected_updated_at: Any = None, **changes: Any) -> Customer:
    """SVC-17: edit the profile (name, phone, address, notes; the fee status read by the callback's fee reminder,
    CB-07). Only the given fields change; each change is recorded as [old, new] in the audit log.
    `expected_updated_at` (what the editor loaded) turns a concurrent edit into `Conflict` instead of a silent
    overwrite."""
    user = _user(actor)
    customer = _locked_customer(customer_id)
    _require(user, CHANGE, customer.organization, _("您没有修改客户资料的权限"))
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationFailed(_("不能修改这些字段：%(f)s") % {"f": "、".join(sorted(unknown))})
    if expected_updated_at not in (None, "") and str(expected_updated_at) != customer.updated_at.isoformat():
        raise Conflict(_("客户资料已被他人修改，请刷新后再编辑"))
    labels = {"name": _("姓名/名称"), "phone": _("电话"), "address": _("地址"), "notes": _("备注")}
    before = audit.snapshot(customer, list(EDITABLE))
    for field, raw in changes.items():
        if field == "phone":
            customer.phone = _phone(raw)
        elif field == "fee_status":
            if str(raw or "") not in FeeStatus.values:
                raise ValidationFailed(_("请选择有效的缴费状态"), fields={"fee_status": [_("请选择有效的选项")]})
            customer.fee_status = str(raw)
        else:
            setattr(customer, field, _text(raw, field, labels[field], required=field == "name"))
    diff = audit.diff(customer, before, list(EDITABLE))
    if not diff:
        return customer
    full_clean_or_raise(customer, exclude=["phone_digits"])
    customer.save()
    audit.record(actor=user, verb="customer.updated", target=customer, changes=diff, clause="SVC-17")
    return customer


@transaction.atomic
def customer_set_status(*, actor: Any, customer_id: Any, status: Any, reason: Any) -> Customer:
    """SVC-19: move the customer between existing / converting / potential, with a reason (see the policy)."""
    user = _user(actor)
    customer = _locked_customer(customer_id)
    _require(user, CHANGE, customer.organization, _("您没有修改客户资料的权限"))
    reason_text = _text(reason, "reason", _("变更原因"), required=False)
    decision = policies.may_change_status(
        current=customer.status,
        new=str(status or ""),
        has_orders=customer.work_orders.exists(),
        reason=reason_text,
    )
    if not decision:
        raise ValidationFailed(decision.reason, fields={"status": [decision.reason]}, clause="SVC-19")
    old = customer.status
    customer.status = str(status)
    customer.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=user,
        verb="customer.status_changed",
        target=customer,
        changes={"status": [old, customer.status]},
        clause="SVC-19",
        note=reason_text,
    )
    return customer


@transaction.atomic
def customer_set_special_group(*, actor: Any, customer_id: Any, group_id: Any, note: Any = "") -> Customer:
    """WO-11 / C-21: register the customer as a member of a special group (or clear it with `group_id` None), with a
    note on how membership was established. The customer's later requests get top priority automatically."""
    user = _user(actor)
    customer = _locked_customer(customer_id)
    _require(user, CHANGE, customer.organization, _("您没有修改客户资料的权限"))
    group = None
    if group_id not in (None, ""):
        group = SpecialGroup.objects.filter(pk=group_id if str(group_id).isdigit() else 0, is_active=True).first()
        if group is None:
            raise ValidationFailed(_("请选择有效的特殊群体类别"), fields={"special_group": [_("未知类别")]})
    note_text = _text(note, "special_group_note", _("登记说明"), required=group is not None)
    before = audit.snapshot(customer, ["special_group", "special_group_note"])
    customer.special_group = group
    customer.special_group_note = note_text if group is not None else ""
    diff = audit.diff(customer, before, ["special_group", "special_group_note"])
    if not diff:
        return customer
    customer.save(update_fields=["special_group", "special_group_note", "updated_at"])
    audit.record(
        actor=user,
        verb="customer.special_group_set" if group else "customer.special_group_cleared",
        target=customer,
        changes=diff,
        clause="WO-11",
        note=note_text,
    )
    return customer


@transaction.atomic
def customer_deactivate(*, actor: Any, customer_id: Any, reason: Any) -> Customer:
    """A customer who should no longer be served is marked inactive (never deleted); the reason is kept."""
    user = _user(actor)
    customer = _locked_customer(customer_id)
    _require(user, CHANGE, customer.organization, _("您没有修改客户资料的权限"))
    text = _text(reason, "reason", _("原因"), required=True)
    if not customer.is_active:
        raise Conflict(_("该客户已停用"))
    customer.is_active = False
    customer.save(update_fields=["is_active", "updated_at"])
    audit.record(
        actor=user, verb="customer.deactivated", target=customer, changes={"is_active": [True, False]}, note=text
    )
    return customer


# --- contacts and addresses ----------------------------------------------------------------------------------------


@transaction.atomic
def contact_add(*, actor: Any, customer_id: Any, name: Any, phone: Any, relation: Any = "") -> CustomerContact:
    """SVC-17: another person to call about the customer's requests."""
    user = _user(actor)
    customer = _locked_customer(customer_id)
    _require(user, CHANGE, customer.organization, _("您没有修改客户资料的权限"))
    contact = CustomerContact(
        customer=customer,
        name=_text(name, "name", _("联系人"), required=True),
        phone=_phone(phone),
        relation=_text(relation, "relation", _("关系"), required=False),
        created_by=user,
    )
    full_clean_or_raise(contact, exclude=["customer", "phone_digits", "created_by"])
    contact.save()
    audit.record(
        actor=user,
        verb="customer.contact_added",
        target=customer,
        changes={"contact": [None, f"{contact.name} {contact.phone}"]},
        clause="SVC-17",
    )
    return contact


@transaction.atomic
def contact_deactivate(*, actor: Any, contact_id: Any) -> CustomerContact:
    user = _user(actor)
    contact = CustomerContact.objects.select_related("customer__organization").filter(pk=_int(contact_id)).first()
    if contact is None:
        raise ValidationFailed(_("联系人不存在"))
    customer = _locked_customer(contact.customer_id)
    _require(user, CHANGE, customer.organization, _("您没有修改客户资料的权限"))
    if not contact.is_active:
        raise Conflict(_("该联系人已停用"))
    contact.is_active = False
    contact.save(update_fields=["is_active", "updated_at"])
    audit.record(
        actor=user,
        verb="customer.contact_deactivated",
        target=customer,
        changes={"contact": [f"{contact.name} {contact.phone}", None]},
    )
    return contact


def _int(raw: Any) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return 0


@transaction.atomic
def address_add(
    *, actor: Any, customer_id: Any, address: Any, label: Any = "", is_default: bool = False
) -> CustomerAddress:
    """SVC-17: a service address of the customer; a new default replaces the previous default (which stays)."""
    user = _user(actor)
    customer = _locked_customer(customer_id)
    _require(user, CHANGE, customer.organization, _("您没有修改客户资料的权限"))
    text = _text(address, "address", _("地址"), required=True)
    first = not customer.addresses.filter(is_active=True).exists()
    default = bool(is_default) or first
    if default:
        customer.addresses.filter(is_default=True).update(is_default=False)
    row = CustomerAddress(
        customer=customer,
        label=_text(label, "label", _("名称"), required=False),
        address=text,
        is_default=default,
        created_by=user,
    )
    full_clean_or_raise(row, exclude=["customer", "created_by"])
    row.save()
    audit.record(
        actor=user,
        verb="customer.address_added",
        target=customer,
        changes={"address": [None, text]},
        clause="SVC-17",
        note=_("默认地址") if default else "",
    )
    return row


@transaction.atomic
def address_deactivate(*, actor: Any, address_id: Any) -> CustomerAddress:
    user = _user(actor)
    row = CustomerAddress.objects.filter(pk=_int(address_id)).first()
    if row is None:
        raise ValidationFailed(_("地址不存在"))
    customer = _locked_customer(row.customer_id)
    _require(user, CHANGE, customer.organization, _("您没有修改客户资料的权限"))
    if not row.is_active:
        raise Conflict(_("该地址已停用"))
    row.is_active = False
    row.is_default = False
    row.save(update_fields=["is_active", "is_default", "updated_at"])
    audit.record(
        actor=user, verb="customer.address_deactivated", target=customer, changes={"address": [row.address, None]}
    )
    return row


# --- documents (SVC-18) --------------------------------------------------------------------------------------------


@transaction.atomic
def document_upload(
    *, actor: Any, customer_id: Any, kind: Any, title: Any, content: bytes, filename: str = ""
) -> CustomerDocument:
    """SVC-18: attach a contract, drawing or voucher (image or PDF, checked by content and size) to the customer's
    file. Raises ValidationFailed for anything else; nothing is stored then."""
    user = _user(actor)
    customer = _locked_customer(customer_id)
    _require(user, CHANGE, customer.organization, _("您没有修改客户资料的权限"))
    if str(kind or "") not in DocumentKind.values:
        raise ValidationFailed(_("请选择资料类别"), fields={"kind": [_("请选择有效的选项")]})
    title_text = _text(title, "title", _("标题"), required=True)
    checked = policies.check_document(content=content or b"", organization=customer.organization)
    digest = hashlib.sha256(content).hexdigest()
    document = CustomerDocument(
        customer=customer,
        kind=str(kind),
        title=title_text,
        original_name=(filename or "")[:255],
        content_type=checked.content_type,
        size=len(content),
        sha256=digest,
        uploaded_by=user,
    )
    document.file.save(f"{kind}.{checked.extension}", ContentFile(content), save=False)
    document.save()
    audit.record(
        actor=user,
        verb="customer.document_uploaded",
        target=customer,
        changes={"document": [None, title_text]},
        clause="SVC-18",
        note=f"{checked.content_type} {len(content)} B sha256={digest[:12]}",
    )
    return document


@transaction.atomic
def document_deactivate(*, actor: Any, document_id: Any, reason: Any) -> CustomerDocument:
    """Withdraw a document from the customer's file (kept, marked inactive, with the reason)."""
    user = _user(actor)
    document = CustomerDocument.objects.filter(pk=_int(document_id)).first()
    if document is None:
        raise ValidationFailed(_("资料不存在"))
    customer = _locked_customer(document.customer_id)
    _require(user, CHANGE, customer.organization, _("您没有修改客户资料的权限"))
    text = _text(reason, "reason", _("原因"), required=True)
    if not document.is_active:
        raise Conflict(_("该资料已撤下"))
    document.is_active = False
    document.save(update_fields=["is_active", "updated_at"])
    audit.record(
        actor=user,
        verb="customer.document_withdrawn",
        target=customer,
        changes={"document": [document.title, None]},
        note=text,
    )
    return document


# --- holiday greeting windows (CON-09) -----------------------------------------------------------------------------


def _date(raw: Any, field: str, label: str) -> date:
    if isinstance(raw, date):
        return raw
    parsed = parse_date(str(raw or "")) if raw else None
    if parsed is None:
        raise ValidationFailed(_("请填写%(label)s（年-月-日）") % {"label": label}, fields={field: [_("日期无效")]})
    return parsed


@transaction.atomic
def greeting_window_create(
    *,
    actor: Any,
    organization: Any,
    holiday: Any,
    starts_on: Any,
    ends_on: Any,
    greeting: Any = "",
    note: Any = "",
) -> GreetingWindow:
    """CON-09: an admin enters the date range of a holiday greeting as the holiday notice sets it."""
    user = _user(actor)
    center = _center(organization)
    _require(user, SET_SCRIPTS, center, _("您没有设置该服务中心话术的权限"))
    key = str(holiday or "")
    if key not in policies.HOLIDAY_LABELS:
        raise ValidationFailed(_("请选择节日"), fields={"holiday": [_("请选择有效的选项")]})
    start = _date(starts_on, "starts_on", _("开始日期"))
    end = _date(ends_on, "ends_on", _("结束日期"))
    if end < start:
        raise ValidationFailed(_("结束日期不能早于开始日期"), fields={"ends_on": [_("结束日期不能早于开始日期")]})
    if (end - start).days > 60:
        raise ValidationFailed(_("节日开头语时段不能超过 60 天"), fields={"ends_on": [_("时段过长")]})
    window = GreetingWindow(
        organization=center,
        holiday=key,
        greeting=_text(greeting, "greeting", _("开头用语"), required=False),
        starts_on=start,
        ends_on=end,
        note=_text(note, "note", _("依据"), required=False),
        created_by=user,
    )
    full_clean_or_raise(window, exclude=["organization", "created_by"])
    window.save()
    audit.record(
        actor=user,
        verb="scripts.greeting_window_created",
        target=window,
        clause="CON-09",
        changes={"window": [None, f"{key} {start}–{end}"]},
        note=window.note,
    )
    return window


@transaction.atomic
def greeting_window_deactivate(*, actor: Any, window_id: Any) -> GreetingWindow:
    user = _user(actor)
    window = (
        GreetingWindow.objects.select_for_update(of=("self",))
        .select_related("organization")
        .filter(pk=_int(window_id))
        .first()
    )
    if window is None:
        raise ValidationFailed(_("时段不存在"))
    _require(user, SET_SCRIPTS, window.organization, _("您没有设置该服务中心话术的权限"))
    if not window.is_active:
        raise Conflict(_("该时段已撤销"))
    window.is_active = False
    window.save(update_fields=["is_active", "updated_at"])
    audit.record(
        actor=user,
        verb="scripts.greeting_window_withdrawn",
        target=window,
        clause="CON-09",
        changes={"is_active": [True, False]},
    )
    return window
