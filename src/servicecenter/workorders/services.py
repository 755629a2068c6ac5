"""Every write to a work order: one function per transition (DESIGN.md §4, WO-02).

Each function locks the order (SELECT … FOR UPDATE), checks who may do it, validates, writes, appends the timeline
event (WO-06) and the audit event, and queues notifications with `transaction.on_commit`. Nothing else sets
`WorkOrder.status`. A loser of a race gets `Conflict` naming what the winner did.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from servicecenter.approvals.selectors import role_holders_up_tree
from servicecenter.core import audit
from servicecenter.core.access import has_permission_in
from servicecenter.core.actors import bump_version as _bump
from servicecenter.core.actors import display_name as _name
from servicecenter.core.actors import require as _require
from servicecenter.core.actors import user_of as _user
from servicecenter.core.errors import Conflict, NotAllowed, ValidationFailed, full_clean_or_raise
from servicecenter.core.policy import implements
from servicecenter.customers.models import Customer, customer_phone_validator, phone_digits
from servicecenter.org.models import Organization, Staff
from servicecenter.policy.values import value, zone_of

from . import policies
from .choices import (
    OPEN_STATUSES,
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
from .models import ExpenseLine, MaterialLine, OrderAttachment, WorkOrder, WorkOrderEvent, WorkOrderSequence

ADD = "workorders.add_workorder"
DISPATCH = "workorders.dispatch_workorder"
WORK = "workorders.work_workorder"
COUNTERSIGN = "workorders.countersign_workorder"

MAX_TEXT = {"customer_name": 100, "address": 200, "problem": 2000, "answer": 2000, "work_content": 2000}
MAX_UPLOAD_BYTES = 8 * 1024 * 1024
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}

# What resuming a paused order writes (C-19: the resolution clock may move).
PAUSE_FIELDS = ("paused_at", "pause_reason", "paused_minutes", "resolve_due_at", "resolve_warn_at")

# Hooks of later apps (callbacks, points): called inside the transaction that returned an order (WO-10).
ON_RETURNED: list[Callable[[WorkOrder], object]] = []


# --- helpers -------------------------------------------------------------------------------------------------------


def _staff_of(user: Any) -> Staff | None:
    try:
        return user.staff if user is not None else None
    except Staff.DoesNotExist:
        return None


@implements("WO-06")
def _event(
    order: WorkOrder,
    *,
    actor: Any,
    verb: str,
    at: datetime,
    from_status: str = "",
    note: str = "",
    data: Mapping[str, Any] | None = None,
    clause: str = "",
    audit_verb: str = "",
    changes: dict[str, list[Any]] | None = None,
) -> WorkOrderEvent:
    user = _user(actor)
    event = WorkOrderEvent.objects.create(
        order=order,
        at=at,
        actor=user if user is not None and getattr(user, "is_authenticated", False) else None,
        actor_name=_name(user),
        verb=verb,
        from_status=from_status,
        to_status=order.status,
        note=note,
        data=audit._jsonable(dict(data or {})),
        clause=clause,
    )
    if audit_verb:  # the audit log too (STYLE §2.5): same actor, clause and note as the timeline
        audit.record(actor=user, verb=audit_verb, target=order, changes=changes, clause=clause, note=note)
    return event


def _locked(order_id: Any) -> WorkOrder:
    try:
        order = (
            WorkOrder.objects.select_for_update(of=("self",))
            .select_related("organization", "assignee")
            .get(pk=order_id)
        )
    except (WorkOrder.DoesNotExist, ValueError, TypeError):
        raise ValidationFailed(_("工单不存在")) from None
    if order.assignee_id is not None and getattr(order.assignee, "pk", None) != order.assignee_id:
        # After waiting for the lock, PostgreSQL re-checks the locked row but keeps the joined rows of its first
        # snapshot (EvalPlanQual): re-read the serviceman the winner of the race just set.
        order.assignee = Staff.objects.get(pk=order.assignee_id)
    return order


def _require_worker_or_dispatcher(order: WorkOrder, user: Any, message: str) -> None:
    """Photos, notes, expenses and the off-site request: the order's serviceman or a dispatcher of its center."""
    staff = _staff_of(user)
    if staff is not None and order.assignee_id == staff.pk:
        return
    if not has_permission_in(user=user, permission=DISPATCH, organization=order.organization):
        raise NotAllowed(message)


def _not_archived(order: WorkOrder) -> None:
    if order.archived_at is not None:
        raise Conflict(_("工单 %(no)s 的服务凭证已归档，只读（SVC-06）") % {"no": order.number}, clause="SVC-06")


def _expect(order: WorkOrder, allowed: Sequence[str], action: str) -> None:
    if order.status not in allowed:
        raise Conflict(
            _("工单 %(no)s 当前为「%(status)s」，不能%(action)s")
            % {"no": order.number, "status": order.get_status_display(), "action": action}
        )


def _clean_text(values: dict[str, Any], key: str, *, required: bool, label: str) -> str:
    raw = values.get(key)
    text = "" if raw is None else str(raw).strip()
    limit = MAX_TEXT.get(key, 200)
    if required and not text:
        raise ValidationFailed(_("请填写%(label)s") % {"label": label}, fields={key: [_("此项必填")]})
    if len(text) > limit:
        raise ValidationFailed(
            _("%(label)s不能超过 %(n)s 个字") % {"label": label, "n": limit},
            fields={key: [_("不能超过 %(n)s 个字") % {"n": limit}]},
        )
    return text


def _clean_phone(raw: Any) -> str:
    phone = ("" if raw is None else str(raw)).strip()
    if not phone:
        raise ValidationFailed(_("请填写电话"), fields={"phone": [_("此项必填")]})
    try:
        customer_phone_validator(phone)
    except Exception:
        raise ValidationFailed(
            _("电话号码格式不正确：只能包含数字、+、-、空格和括号"), fields={"phone": [_("电话号码格式不正确")]}
        ) from None
    if len(phone_digits(phone)) < 5:
        raise ValidationFailed(_("电话号码至少 5 位数字"), fields={"phone": [_("电话号码至少 5 位数字")]})
    return phone


def _choice(raw: Any, choices: Any, field: str, label: str) -> str:
    text = "" if raw is None else str(raw)
    if text not in choices.values:
        raise ValidationFailed(_("请选择%(label)s") % {"label": label}, fields={field: [_("请选择有效的选项")]})
    return text


def _center(organization: Any) -> Organization:
    if not isinstance(organization, Organization) or not organization.is_active or not organization.is_center:
        raise ValidationFailed(_("请选择有效的服务中心"), fields={"organization": [_("未知或已停用的服务中心")]})
    return organization


def _bump_sequence(organization: Organization, year: int) -> int | None:
    """ONE statement: add 1 to the center's counter of the year and return it (None: no counter yet). The UPDATE
    keeps the row locked until the intake commits, so concurrent intakes of a center are numbered one by one."""
    meta = WorkOrderSequence._meta
    qn = connection.ops.quote_name
    column = {f.name: qn(str(f.column)) for f in meta.concrete_fields}
    last, org, yr = column["last_no"], column["organization"], column["year"]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {qn(meta.db_table)} SET {last} = {last} + 1 WHERE {org} = %s AND {yr} = %s RETURNING {last}",
            [organization.pk, year],
        )
        row = cursor.fetchone()
    return int(row[0]) if row is not None else None


def _next_number(organization: Organization, at: datetime) -> tuple[int, int, str]:
    """The next register number of the center and year (SVC-03): one UPDATE … RETURNING; the first intake of a
    year inserts the counter (a concurrent first intake loses the insert and takes the next number)."""
    year = timezone.localtime(at).year
    serial = _bump_sequence(organization, year)
    if serial is None:
        try:
            with transaction.atomic():
                WorkOrderSequence.objects.create(organization=organization, year=year, last_no=1)
            serial = 1
        except IntegrityError:
            serial = _bump_sequence(organization, year)
            if serial is None:  # pragma: no cover - the row exists: the insert above just collided with it
                raise Conflict(_("工单编号分配失败，请重试")) from None
    return year, serial, f"{year}{organization.pk:04d}{serial:06d}"


def _money(raw: Any, field: str, *, default: str = "0") -> Decimal:
    try:
        amount = Decimal(str(raw if raw not in (None, "") else default))
    except InvalidOperation:
        raise ValidationFailed(_("金额应为数字"), fields={field: [_("金额应为数字")]}) from None
    if not amount.is_finite() or amount < 0 or amount > Decimal("99999999"):
        raise ValidationFailed(_("金额应为 0 到 99999999 之间的数"), fields={field: [_("金额无效")]})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationFailed(_("金额最多两位小数"), fields={field: [_("金额最多两位小数")]})
    return amount


def _notify_on_commit(
    order: WorkOrder,
    *,
    verb: str,
    title: str,
    body: str,
    recipients: Iterable[Any] | Callable[[], Iterable[Any]],
    key: str,
) -> None:
    """Notify `recipients` (users or user ids) after the commit. A callable is called then: the look-up of who
    to tell stays out of the transaction (and out of the numbering lock of order_create)."""
    from servicecenter.notifications.services import Notice, notify, notify_many

    if callable(recipients):
        later = recipients

        def send_later() -> None:
            users = list(later())
            if users:  # one bulk INSERT for all recipients (notify() saves each in its own savepoint)
                notice = Notice(
                    recipients=users,
                    title=title,
                    verb=verb,
                    body=body,
                    link=f"/workorders/{order.pk}/",
                    target=order,
                    organization=order.organization,
                    dedupe_key=key,
                )
                notify_many([notice])

        transaction.on_commit(send_later)
        return
    users = list(recipients)
    if not users:
        return
    link = f"/workorders/{order.pk}/"

    def send() -> None:
        notify(
            recipients=users,
            title=title,
            verb=verb,
            body=body,
            link=link,
            target=order,
            organization=order.organization,
            dedupe_key=key,
        )

    transaction.on_commit(send)


def order_supervisor_ids(organization: Organization) -> list[int]:
    """Users who watch a center's orders: its dispatchers and its manager (nearest holders up the tree)."""
    holders = role_holders_up_tree(
        organization=organization, role_codes=["order_clerk", "supervisor", "center_manager"]
    )
    ids: list[int] = []
    for levels in holders.values():
        for user_id in levels[0] if levels else []:
            if user_id not in ids:
                ids.append(user_id)
    return ids


# --- intake (WO-01, WO-08, WO-11, SVC-01, SVC-02) ------------------------------------------------------------------


def _customer_for(
    *, organization: Organization, user: Any, name: str, phone: str, address: str, customer_id: Any
) -> Customer:
    digits = phone_digits(phone)
    if customer_id not in (None, ""):
        customer = Customer.objects.filter(pk=customer_id, organization=organization, is_active=True).first()
        if customer is None:
            raise ValidationFailed(_("客户不存在或不属于本中心"), fields={"customer": [_("未知客户")]})
        return customer
    customer = (
        Customer.objects.filter(organization=organization, phone_digits=digits, is_active=True)
        .order_by("-updated_at", "-id")
        .first()
    )
    if customer is not None:
        return customer
    customer = Customer(organization=organization, name=name, phone=phone, address=address, created_by=user)
    # The center was checked by order_create and the user authenticated: no existence queries for them.
    full_clean_or_raise(customer, exclude=["phone_digits", "organization", "created_by"])
    customer.save()
    audit.record(actor=user, verb="customer.created", target=customer, note=_("受理来电时建档"))
    return customer


@transaction.atomic
def order_create(
    *,
    actor: Any,
    organization: Any,
    kind: Any,
    service_type: Any,
    customer_name: Any,
    phone: Any,
    address: Any,
    problem: Any,
    read_back: Iterable[str] = (),
    channel: str = Channel.PHONE,
    priority: Any = Priority.NORMAL,
    customer_id: Any = None,
    product_model: Any = "",
    product_spec: Any = "",
    purchase_date: Any = None,
    purchase_place: Any = "",
    is_facility_issue: bool = False,
    is_offsite: bool = False,
    offsite_destination: Any = "",
    answer: Any = "",
    intake_token: Any = None,
    now: datetime | None = None,
) -> WorkOrder:
    """Register a call or request as a work order (WO-01) — the one way an order comes into being.

    Phone and walk-in intake require the read-back ticks (WO-08); the public web form and the API (customers typed
    their own data, or a telephony system did) do not. The customer is matched by phone in the center or created.
    A special-group customer raises the priority (WO-11). The SLA deadlines are fixed now (WO-03). An inquiry with
    an `answer` is answered on the spot: created and closed in one step. `intake_token` (the one-time UUID of the
    intake form) makes a repeated submit harmless: the order already created with it is returned unchanged.

    Raises:
        NotAllowed: the actor may not take orders in the center (public_web needs no actor).
        ValidationFailed: bad or missing input, with `fields`; nothing is saved.
    """
    now = now or timezone.now()
    user = _user(actor)
    center = _center(organization)
    channel = _choice(channel, Channel, "channel", _("来源"))
    if channel == Channel.PUBLIC_WEB:
        if user is not None and not getattr(user, "is_authenticated", False):
            user = None
    else:
        _require(user, ADD, center, _("您没有在该服务中心受理工单的权限"))
    token = _intake_token(intake_token)
    if token is not None:
        already = WorkOrder.objects.filter(intake_token=token).first()
        if already is not None:
            return already
    values: dict[str, Any] = {
        "customer_name": customer_name,
        "address": address,
        "problem": problem,
        "answer": answer,
    }
    kind = _choice(kind, OrderKind, "kind", _("类别"))
    service_type = _choice(service_type, ServiceType, "service_type", _("服务类型"))
    name = _clean_text(values, "customer_name", required=True, label=_("客户姓名"))
    phone = _clean_phone(phone)
    address_text = _clean_text(values, "address", required=True, label=_("地址"))
    problem_text = _clean_text(values, "problem", required=True, label=_("问题描述"))
    answer_text = _clean_text(values, "answer", required=False, label=_("答复内容"))
    if answer_text and kind != OrderKind.INQUIRY:
        raise ValidationFailed(_("只有咨询可以当场答复办结"), fields={"answer": [_("只有咨询可以当场答复办结")]})
    priority = _choice(priority or Priority.NORMAL, Priority, "priority", _("优先级"))
    register: dict[str, Any] = {
        "product_model": _clean_text({"v": product_model}, "v", required=False, label=_("商品型号"))[:100],
        "product_spec": _clean_text({"v": product_spec}, "v", required=False, label=_("规格"))[:100],
        "purchase_date": purchase_date or None,
        "purchase_place": _clean_text({"v": purchase_place}, "v", required=False, label=_("购买地点"))[:100],
    }
    ticked = [str(f) for f in (read_back or [])]
    params = policies.intake_values(organization=center, at=now)  # every parameter of the intake: one look-up
    read_back_pv = None
    if channel in (Channel.PHONE, Channel.WALK_IN):
        read_back_pv = policies.check_read_back(organization=center, confirmed=ticked, at=now, values=params)
    if kind != OrderKind.INQUIRY:
        policies.check_register_fields(organization=center, values=register, at=now, parameters=params)
    destination = _clean_text({"v": offsite_destination}, "v", required=bool(is_offsite), label=_("异地服务地点"))

    savepoint = transaction.savepoint() if token is not None else None
    customer = _customer_for(
        organization=center, user=user, name=name, phone=phone, address=address_text, customer_id=customer_id
    )
    group = customer.special_group if customer.special_group_id else None
    decision = policies.intake_priority(
        organization=center, requested=priority, special_group=group, at=now, values=params
    )
    plan = policies.sla_plan(organization=center, kind=kind, priority=decision.priority, start=now, values=params)
    year, serial, number = _next_number(center, now)
    if savepoint is not None:
        # The numbering lock serializes intakes of the center: a concurrent submit of the same form has committed
        # by now, and this one undoes its customer and number and answers with that order.
        already = WorkOrder.objects.filter(intake_token=token).first()
        if already is not None:
            transaction.savepoint_rollback(savepoint)
            return already
        transaction.savepoint_commit(savepoint)
    order = WorkOrder(
        organization=center,
        number=number,
        register_year=year,
        register_no=serial,
        kind=kind,
        service_type=service_type,
        channel=channel,
        priority=decision.priority,
        priority_reason=decision.reason,
        is_facility_issue=bool(is_facility_issue),
        customer=customer,
        customer_name=name,
        phone=phone,
        phone_digits=phone_digits(phone),
        address=address_text,
        problem=problem_text,
        read_back=ticked,
        special_group=group,
        intake_token=token,
        product_model=register["product_model"],
        product_spec=register["product_spec"],
        purchase_date=register["purchase_date"],
        purchase_place=register["purchase_place"],
        is_offsite=bool(is_offsite),
        offsite_destination=destination,
        created_by=user if user is not None else None,
        sla_clock=plan.clock,
        response_minutes=plan.response_minutes,
        resolve_minutes=plan.resolve_minutes,
        warning_fraction=plan.warning_fraction,
        on_missing_info=plan.on_missing_info,
        sla_citation=plan.citation,
        response_due_at=plan.response_due_at,
        response_warn_at=plan.response_warn_at,
        resolve_due_at=plan.resolve_due_at,
        resolve_warn_at=plan.resolve_warn_at,
    )
    if answer_text:
        order.answer = answer_text
        order.status = OrderStatus.CLOSED
        order.responded_at = now
        order.closed_at = now
    # Field validation only: the uniqueness and check constraints are the database's (an INSERT that breaks one
    # is answered as a conflict below, and the transaction rolls back: nothing is saved half).
    full_clean_or_raise(
        order,
        exclude=["customer", "organization", "created_by", "special_group", "duplicate_of", "phone_digits", "number"],
        validate_unique=False,
        validate_constraints=False,
    )
    try:
        order.save()
    except IntegrityError:
        raise Conflict(_("工单未能保存：与已有记录冲突（重复提交或编号冲突），请刷新后重试")) from None
    clause = "WO-01、WO-03" + ("、WO-08" if read_back_pv is not None else "")
    _event(
        order,
        actor=user,
        verb=EventVerb.CREATED,
        at=now,
        note=plan.citation,
        data={"channel": channel, "priority": order.priority, "read_back": ticked},
        clause=clause,
    )
    if decision.reason:
        _event(order, actor=user, verb=EventVerb.NOTE, at=now, note=decision.reason, clause="WO-11")
    if answer_text:
        _event(
            order,
            actor=user,
            verb=EventVerb.ANSWERED,
            at=now,
            from_status=OrderStatus.NEW,
            note=answer_text,
            clause="WO-01",
        )
    audit.record(actor=user, verb="workorder.created", target=order, clause=clause, note=order.get_kind_display())
    if channel in (Channel.PUBLIC_WEB, Channel.API) and not answer_text:
        _notify_on_commit(
            order,
            verb="workorders.order.new",
            title=_("新工单 %(no)s：%(problem)s") % {"no": order.number, "problem": problem_text[:40]},
            body=_("来源：%(channel)s，请及时派单。") % {"channel": order.get_channel_display()},
            recipients=lambda: order_supervisor_ids(center),
            key=f"wo-new-{order.pk}",
        )
    return order


def _intake_token(raw: Any) -> uuid.UUID | None:
    if raw in (None, ""):
        return None
    try:
        return raw if isinstance(raw, uuid.UUID) else uuid.UUID(str(raw))
    except (ValueError, TypeError, AttributeError):
        raise ValidationFailed(
            _("受理表单已失效，请刷新页面后重新填写"), fields={"intake_token": [_("表单令牌无效")]}
        ) from None


@transaction.atomic
def order_log_call(*, actor: Any, order_id: Any, note: Any, now: datetime | None = None) -> WorkOrder:
    """A repeat call about an open order (the duplicate the intake flagged, WO-01): logged on that order instead of
    creating a second one."""
    now = now or timezone.now()
    user = _user(actor)
    order = _locked(order_id)
    _require(user, ADD, order.organization, _("您没有在该服务中心受理工单的权限"))
    text = _clean_text({"note": note}, "note", required=True, label=_("来电内容"))
    _event(order, actor=user, verb=EventVerb.CALL, at=now, note=text, clause="WO-01")
    _bump(order, [])
    return order


# --- dispatch (WO-04, WO-05, SVC-13) -------------------------------------------------------------------------------


def _assignable(center: Organization, assignee_id: Any) -> Staff:
    staff = (
        Staff.objects.select_related("organization", "user")
        .filter(pk=assignee_id, organization__path__startswith=center.path, status="active")
        .first()
        if str(assignee_id or "").isdigit()
        else None
    )
    if staff is None:
        raise ValidationFailed(_("请选择本中心在岗的服务人员"), fields={"assignee": [_("请选择本中心在岗的服务人员")]})
    if staff.user is None or not staff.user.is_active:
        raise ValidationFailed(
            _("%(name)s 没有可用的账号，不能派单") % {"name": staff.name}, fields={"assignee": [_("无账号")]}
        )
    return staff


def _notify_assignee(order: WorkOrder, staff: Staff, *, verb: str) -> None:
    _notify_on_commit(
        order,
        verb=verb,
        title=_("新派工单 %(no)s") % {"no": order.number},
        body=_("%(address)s：%(problem)s（请在 %(due)s 前响应）")
        % {
            "address": order.address,
            "problem": order.problem[:60],
            "due": timezone.localtime(order.response_due_at).strftime("%m-%d %H:%M"),
        },
        recipients=[staff.user],
        key=f"wo-dispatch-{order.pk}-{order.version}",
    )


@transaction.atomic
def order_dispatch(*, actor: Any, order_id: Any, assignee_id: Any, now: datetime | None = None) -> WorkOrder:
    """WO-04: the order clerk (or manager) dispatches a new order to a serviceman of the center.

    Two dispatchers at once: the second finds the order already dispatched and gets `Conflict`
    «该工单已被 X 派给 Y». Off-site service waits for its approval (SVC-13)."""
    now = now or timezone.now()
    user = _user(actor)
    order = _locked(order_id)
    _require(user, DISPATCH, order.organization, _("您没有派单权限"))
    if order.status != OrderStatus.NEW:
        if order.assignee_id is not None:
            raise Conflict(
                _("该工单已被 %(who)s 派给 %(staff)s")
                % {
                    "who": _name(order.dispatched_by) if order.dispatched_by_id else _("他人"),
                    "staff": order.assignee.name if order.assignee else "—",
                }
            )
        _expect(order, [OrderStatus.NEW], _("派单"))
    decision = policies.may_dispatch_offsite(is_offsite=order.is_offsite, offsite_status=order.offsite_status)
    if not decision:
        raise Conflict(decision.reason, clause=decision.clause)
    staff = _assignable(order.organization, assignee_id)
    before = order.status
    order.status = OrderStatus.DISPATCHED
    order.assignee = staff
    order.dispatched_by = user
    order.dispatched_at = now
    _bump(order, ["status", "assignee", "dispatched_by", "dispatched_at"])
    _event(
        order,
        actor=user,
        verb=EventVerb.DISPATCHED,
        at=now,
        from_status=before,
        note=staff.name,
        data={"assignee": staff.pk},
        clause="WO-04",
        audit_verb="workorder.dispatched",
        changes={"assignee": [None, staff.pk]},
    )
    _notify_assignee(order, staff, verb="workorders.order.dispatched")
    return order


@transaction.atomic
def order_reassign(
    *,
    actor: Any,
    order_id: Any,
    assignee_id: Any,
    reason: Any,
    expected_assignee_id: Any = None,
    now: datetime | None = None,
) -> WorkOrder:
    """WO-04: reassign to another serviceman, with a reason; the SLA clocks keep running (deadlines unchanged).

    `expected_assignee_id` (what the dispatcher saw) turns a race with another reassignment into `Conflict`."""
    now = now or timezone.now()
    user = _user(actor)
    order = _locked(order_id)
    _require(user, DISPATCH, order.organization, _("您没有派单权限"))
    _expect(
        order, [OrderStatus.DISPATCHED, OrderStatus.ACCEPTED, OrderStatus.IN_PROGRESS, OrderStatus.PAUSED], _("改派")
    )
    if expected_assignee_id not in (None, "") and str(order.assignee_id) != str(expected_assignee_id):
        raise Conflict(
            _("该工单已被改派给 %(staff)s，请刷新后再试") % {"staff": order.assignee.name if order.assignee else "—"}
        )
    text = _clean_text({"reason": reason}, "reason", required=True, label=_("改派原因"))
    staff = _assignable(order.organization, assignee_id)
    if staff.pk == order.assignee_id:
        raise ValidationFailed(_("新的服务人员与原服务人员相同"), fields={"assignee": [_("请选择其他服务人员")]})
    previous = order.assignee
    before = order.status
    order.assignee = staff
    order.status = OrderStatus.DISPATCHED
    order.accepted_at = None
    order.dispatched_by = user
    order.dispatched_at = now
    if order.paused_at is not None:
        _resume_fields(order, now)
    _bump(
        order,
        [
            "assignee",
            "status",
            "accepted_at",
            "dispatched_by",
            "dispatched_at",
            *PAUSE_FIELDS,
        ],
    )
    _event(
        order,
        actor=user,
        verb=EventVerb.REASSIGNED,
        at=now,
        from_status=before,
        note=text,
        data={
            "from": previous.pk if previous else None,
            "to": staff.pk,
            "from_name": previous.name if previous else "",
        },
        clause="WO-04",
        audit_verb="workorder.reassigned",
        changes={"assignee": [previous.pk if previous else None, staff.pk]},
    )
    _notify_assignee(order, staff, verb="workorders.order.dispatched")
    return order


@transaction.atomic
def order_take_back(*, actor: Any, order_id: Any, reason: Any, now: datetime | None = None) -> WorkOrder:
    """WO-04: the dispatcher takes an order back into the queue (the clocks keep running)."""
    now = now or timezone.now()
    user = _user(actor)
    order = _locked(order_id)
    _require(user, DISPATCH, order.organization, _("您没有派单权限"))
    _expect(
        order, [OrderStatus.DISPATCHED, OrderStatus.ACCEPTED, OrderStatus.IN_PROGRESS, OrderStatus.PAUSED], _("收回")
    )
    text = _clean_text({"reason": reason}, "reason", required=True, label=_("收回原因"))
    previous = order.assignee
    before = order.status
    if order.paused_at is not None:
        _resume_fields(order, now)
    order.status = OrderStatus.NEW
    order.assignee = None
    order.accepted_at = None
    _bump(
        order,
        [
            "status",
            "assignee",
            "accepted_at",
            *PAUSE_FIELDS,
        ],
    )
    _event(
        order,
        actor=user,
        verb=EventVerb.TAKEN_BACK,
        at=now,
        from_status=before,
        note=text,
        data={"from": previous.pk if previous else None},
        clause="WO-04",
        audit_verb="workorder.taken_back",
    )
    return order


# --- the serviceman's steps (WO-03 response, WO-09 contact, SVC-09) -------------------------------------------------


def _own(order: WorkOrder, user: Any) -> Staff:
    staff = _staff_of(user)
    if staff is None or order.assignee_id != staff.pk:
        raise NotAllowed(_("只有被派单的服务人员可以处理此工单"))
    if not has_permission_in(user=user, permission=WORK, organization=order.organization):
        raise NotAllowed(_("您没有处理工单的权限"))
    return staff


def _respond(order: WorkOrder, now: datetime) -> list[str]:
    if order.responded_at is None:
        order.responded_at = now
        return ["responded_at"]
    return []


@transaction.atomic
def order_accept(*, actor: Any, order_id: Any, now: datetime | None = None) -> WorkOrder:
    """The serviceman accepts the dispatched order: this answers the response SLA (WO-03)."""
    now = now or timezone.now()
    user = _user(actor)
    order = _locked(order_id)
    _own(order, user)
    _expect(order, [OrderStatus.DISPATCHED], _("接单"))
    order.status = OrderStatus.ACCEPTED
    order.accepted_at = now
    fields = ["status", "accepted_at", *_respond(order, now)]
    _bump(order, fields)
    _event(
        order,
        actor=user,
        verb=EventVerb.ACCEPTED,
        at=now,
        from_status=OrderStatus.DISPATCHED,
        clause="WO-03",
        audit_verb="workorder.accepted",
    )
    return order


@transaction.atomic
def order_contact(
    *, actor: Any, order_id: Any, note: Any = "", at: datetime | None = None, now: datetime | None = None
) -> WorkOrder:
    """WO-09: the serviceman contacted the customer; the first contact time is kept (and answers the response SLA,
    WO-03). `at` may be earlier than now (a call made before opening the app) but not in the future."""
    now = now or timezone.now()
    user = _user(actor)
    order = _locked(order_id)
    _own(order, user)
    _expect(
        order,
        [OrderStatus.DISPATCHED, OrderStatus.ACCEPTED, OrderStatus.IN_PROGRESS, OrderStatus.PAUSED],
        _("记录联系"),
    )
    when = at or now
    if when > now or when < order.created_at:
        raise ValidationFailed(_("联系时间应在受理之后、当前时间之前"), fields={"at": [_("时间无效")]})
    text = _clean_text({"note": note}, "note", required=False, label=_("联系记录"))
    fields = _respond(order, when)
    if order.first_contact_at is None:
        order.first_contact_at = when
        fields.append("first_contact_at")
    _bump(order, fields)
    _event(order, actor=user, verb=EventVerb.CONTACTED, at=when, from_status=order.status, note=text, clause="WO-09")
    return order


@transaction.atomic
def order_arrive(*, actor: Any, order_id: Any, now: datetime | None = None) -> WorkOrder:
    """The serviceman is on site: the work starts (in progress)."""
    now = now or timezone.now()
    user = _user(actor)
    order = _locked(order_id)
    _own(order, user)
    _expect(order, [OrderStatus.ACCEPTED], _("到达现场"))
    order.status = OrderStatus.IN_PROGRESS
    order.arrived_at = now
    order.service_started_at = order.service_started_at or now
    _bump(order, ["status", "arrived_at", "service_started_at"])
    _event(order, actor=user, verb=EventVerb.ARRIVED, at=now, from_status=OrderStatus.ACCEPTED)
    return order


@transaction.atomic
def order_pause(*, actor: Any, order_id: Any, reason: Any, note: Any = "", now: datetime | None = None) -> WorkOrder:
    """Pause (waiting for the customer or for parts). Whether the resolution clock stops is the order's frozen
    `on_missing_info` policy (C-19); the pause is recorded either way."""
    now = now or timezone.now()
    user = _user(actor)
    order = _locked(order_id)
    _own(order, user)
    _expect(order, [OrderStatus.ACCEPTED, OrderStatus.IN_PROGRESS], _("暂停"))
    reason = _choice(reason, PauseReason, "reason", _("暂停原因"))
    text = _clean_text({"note": note}, "note", required=False, label=_("说明"))
    before = order.status
    order.status = OrderStatus.PAUSED
    order.paused_at = now
    order.pause_reason = reason
    _bump(order, ["status", "paused_at", "pause_reason"])
    _event(
        order,
        actor=user,
        verb=EventVerb.PAUSED,
        at=now,
        from_status=before,
        note=text or str(PauseReason(reason).label),
        data={"reason": reason, "on_missing_info": order.on_missing_info},
        clause="C-19",
    )
    return order


def _resume_fields(order: WorkOrder, now: datetime) -> str:
    assert order.paused_at is not None
    result = policies.resume_clock(
        organization=order.organization,
        clock=order.sla_clock,
        on_missing_info=order.on_missing_info,
        resolve_minutes=order.resolve_minutes,
        warning_fraction=order.warning_fraction,
        resolve_due_at=order.resolve_due_at,
        resolve_warn_at=order.resolve_warn_at,
        paused_at=order.paused_at,
        resumed_at=now,
    )
    order.resolve_due_at = result.resolve_due_at
    order.resolve_warn_at = result.resolve_warn_at
    order.paused_minutes += result.paused_minutes
    order.paused_at = None
    order.pause_reason = ""
    return result.citation


@transaction.atomic
def order_resume(*, actor: Any, order_id: Any, now: datetime | None = None) -> WorkOrder:
    """Resume a paused order; the resolution deadline moves as C-19 says, and the timeline says why."""
    now = now or timezone.now()
    user = _user(actor)
    order = _locked(order_id)
    _own(order, user)
    _expect(order, [OrderStatus.PAUSED], _("恢复处理"))
    old_due = order.resolve_due_at
    citation = _resume_fields(order, now)
    order.status = OrderStatus.IN_PROGRESS if order.arrived_at else OrderStatus.ACCEPTED
    _bump(order, ["status", *PAUSE_FIELDS])
    _event(
        order,
        actor=user,
        verb=EventVerb.RESUMED,
        at=now,
        from_status=OrderStatus.PAUSED,
        note=citation,
        data={"resolve_due_at": [old_due, order.resolve_due_at]},
        clause="C-19",
    )
    return order


def _decode_image(data: bytes, *, field: str) -> tuple[str, str]:
    """The content type and extension of an uploaded image, by decoding it (never by the file name)."""
    from io import BytesIO

    from PIL import Image, UnidentifiedImageError

    if not data:
        raise ValidationFailed(_("文件为空"), fields={field: [_("文件为空")]})
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationFailed(
            _("文件不能超过 %(mb)s MB") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}, fields={field: [_("文件过大")]}
        )
    try:
        with Image.open(BytesIO(data)) as image:
            fmt = image.format or ""
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise ValidationFailed(
            _("上传的文件不是有效的图片（支持 JPEG、PNG、WebP）"), fields={field: [_("不是有效的图片")]}
        ) from None
    if fmt not in IMAGE_TYPES:
        raise ValidationFailed(_("只支持 JPEG、PNG、WebP 图片"), fields={field: [_("不支持的图片格式")]})
    return IMAGE_TYPES[fmt], fmt.lower().replace("jpeg", "jpg")


def _attach(order: WorkOrder, *, user: Any, kind: str, data: bytes, field: str) -> OrderAttachment:
    content_type, ext = _decode_image(data, field=field)
    digest = hashlib.sha256(data).hexdigest()
    attachment = OrderAttachment(
        order=order, kind=kind, content_type=content_type, size=len(data), sha256=digest, uploaded_by=user
    )
    attachment.file.save(f"{digest[:16]}.{ext}", ContentFile(data), save=False)
    attachment.save()
    return attachment


@transaction.atomic
def order_add_photo(*, actor: Any, order_id: Any, data: bytes, now: datetime | None = None) -> OrderAttachment:
    """A photo of the site (type and size checked by decoding)."""
    now = now or timezone.now()
    user = _user(actor)
    order = _locked(order_id)
    _require_worker_or_dispatcher(order, user, _("只有服务人员或派单员可以上传照片"))
    _not_archived(order)
    attachment = _attach(order, user=user, kind=AttachmentKind.PHOTO, data=data, field="photo")
    _event(
        order,
        actor=user,
        verb=EventVerb.ATTACHMENT,
        at=now,
        note=str(AttachmentKind.PHOTO.label),
        data={"id": attachment.pk},
    )
    return attachment


@dataclass(frozen=True)
class MaterialInput:
    name: str
    quantity: Decimal
    unit: str = ""
    unit_price: Decimal = Decimal("0")
    spec: str = ""


def _materials(rows: Iterable[Mapping[str, Any]]) -> list[MaterialInput]:
    result: list[MaterialInput] = []
    for i, row in enumerate(rows):
        name = str(row.get("name") or "").strip()
        if not name:
            continue
        if len(name) > 100:
            raise ValidationFailed(_("材料名称不能超过 100 个字"), fields={f"materials-{i}-name": [_("过长")]})
        try:
            quantity = Decimal(str(row.get("quantity") or "1"))
        except InvalidOperation:
            raise ValidationFailed(_("材料数量应为数字"), fields={f"materials-{i}-quantity": [_("应为数字")]}) from None
        if not quantity.is_finite() or quantity <= 0 or quantity > 100000:
            raise ValidationFailed(_("材料数量应大于 0"), fields={f"materials-{i}-quantity": [_("应大于 0")]})
        result.append(
            MaterialInput(
                name=name,
                quantity=quantity.quantize(Decimal("0.01")),
                unit=str(row.get("unit") or "")[:10],
                unit_price=_money(row.get("unit_price"), f"materials-{i}-unit_price"),
                spec=str(row.get("spec") or "")[:100],
            )
        )
    return result


@transaction.atomic
def order_complete(
    *,
    actor: Any,
    order_id: Any,
    work_content: Any,
    service_started_at: datetime | None,
    service_ended_at: datetime | None,
    materials: Iterable[Mapping[str, Any]] = (),
    labour_fee: Any = "0",
    signature_png: bytes | None = None,
    signer_name: Any = "",
    voucher_photo: bytes | None = None,
    collected: bool = False,
    now: datetime | None = None,
) -> WorkOrder:
    """完工回单: the serviceman records the work and the customer's signature; the order is returned (WO-02).

    Requires the work content and the actual start/end times (SVC-09) and the customer's on-screen signature or a
    photo of the signed paper voucher (SVC-05). The fee decides the payment path (SVC-07/08, G-13): on site — the
    serviceman marks it collected — or invoiced by finance, who get a collection task. Later apps' hooks run here
    (ON_RETURNED: the callback task of WO-10)."""
    now = now or timezone.now()
    user = _user(actor)
    order = _locked(order_id)
    _own(order, user)
    _expect(order, [OrderStatus.ACCEPTED, OrderStatus.IN_PROGRESS], _("完工回单"))
    content = _clean_text({"work_content": work_content}, "work_content", required=False, label=_("服务内容"))
    started = service_started_at or order.service_started_at
    policies.check_service_record(work_content=content, started_at=started, ended_at=service_ended_at)
    assert started is not None and service_ended_at is not None
    if service_ended_at > now + timedelta(minutes=1):
        raise ValidationFailed(_("实际结束时间不能晚于现在"), fields={"service_ended_at": [_("不能晚于现在")]})
    decision = policies.may_complete_without_signature(
        has_signature=bool(signature_png), has_voucher_photo=bool(voucher_photo)
    )
    if not decision:
        raise ValidationFailed(decision.reason, fields={"signature": [decision.reason]}, clause=decision.clause)
    signer = _clean_text({"signer_name": signer_name}, "signer_name", required=bool(signature_png), label=_("签字人"))
    lines = _materials(materials)
    labour = _money(labour_fee, "labour_fee")
    total = labour + sum((line.quantity * line.unit_price for line in lines), Decimal("0"))
    total = total.quantize(Decimal("0.01"))
    path = policies.payment_path(
        organization=order.organization, service_type=order.service_type, fee_total=total, at=now
    )
    if collected and path.path != PaymentPath.ON_SITE:
        raise ValidationFailed(path.citation, fields={"collected": [_("此费用不能现场收取")]}, clause="SVC-08")
    MaterialLine.objects.bulk_create(
        MaterialLine(
            order=order,
            name=line.name,
            spec=line.spec,
            quantity=line.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            amount=(line.quantity * line.unit_price).quantize(Decimal("0.01")),
        )
        for line in lines
    )
    if signature_png:
        _attach(order, user=user, kind=AttachmentKind.SIGNATURE, data=signature_png, field="signature")
    if voucher_photo:
        _attach(order, user=user, kind=AttachmentKind.VOUCHER_PHOTO, data=voucher_photo, field="voucher_photo")
    before = order.status
    order.status = OrderStatus.RETURNED
    order.work_content = content
    order.service_started_at = started
    order.service_ended_at = service_ended_at
    order.returned_at = now
    order.labour_fee = labour
    order.fee_total = total
    order.payment_path = path.path
    order.payment_citation = path.citation
    order.signer_name = signer or order.customer_name
    order.signed_at = now
    fields = [
        "status",
        "work_content",
        "service_started_at",
        "service_ended_at",
        "returned_at",
        "labour_fee",
        "fee_total",
        "payment_path",
        "payment_citation",
        "signer_name",
        "signed_at",
    ]
    if collected:
        order.collected_amount = total
        order.collected_at = now
        fields += ["collected_amount", "collected_at"]
    fields += _respond(order, now)
    _bump(order, fields)
    _event(
        order,
        actor=user,
        verb=EventVerb.COMPLETED,
        at=now,
        from_status=before,
        note=content,
        data={"fee_total": total, "payment_path": path.path, "materials": len(lines)},
        clause="SVC-05、SVC-09",
    )
    _event(
        order,
        actor=user,
        verb=EventVerb.PAYMENT,
        at=now,
        note=path.citation,
        data={"collected": collected},
        clause="SVC-07",
    )
    audit.record(actor=user, verb="workorder.returned", target=order, clause="WO-02")
    if path.path == PaymentPath.INVOICE:
        _notify_finance(order)
    for hook in ON_RETURNED:
        hook(order)
    return order


def _notify_finance(order: WorkOrder) -> None:
    holders = role_holders_up_tree(organization=order.organization, role_codes=["finance_clerk"])
    users = holders.get("finance_clerk", [[]])[0] if holders.get("finance_clerk") else []
    _notify_on_commit(
        order,
        verb="workorders.order.invoice",
        title=_("待开票收费：工单 %(no)s，%(fee)s 元") % {"no": order.number, "fee": order.fee_total},
        body=order.payment_citation,
        recipients=users,
        key=f"wo-invoice-{order.pk}",
    )


# --- manager sign-off (SVC-10, SVC-06), close, cancel -------------------------------------------------------------


@transaction.atomic
def order_countersign(*, actor: Any, order_id: Any, now: datetime | None = None) -> WorkOrder:
    """SVC-10: the department manager countersigns the voucher of a returned order."""
    now = now or timezone.now()
    user = _user(actor)
    order = _locked(order_id)
    _require(user, COUNTERSIGN, order.organization, _("只有部门经理可以核签服务凭证"))
    _expect(order, [OrderStatus.RETURNED, OrderStatus.CLOSED], _("核签"))
    if order.countersigned_at is not None:
        raise Conflict(_("该凭证已由 %(who)s 核签") % {"who": _name(order.countersigned_by)})
    if order.signed_at is None:
        raise Conflict(_("凭证尚无客户签字，不能核签（SVC-05）"), clause="SVC-05")
    order.countersigned_by = user
    order.countersigned_at = now
    _bump(order, ["countersigned_by", "countersigned_at"])
    _event(
        order,
        actor=user,
        verb=EventVerb.COUNTERSIGNED,
        at=now,
        from_status=order.status,
        clause="SVC-10",
        audit_verb="workorder.countersigned",
    )
    return order


@transaction.atomic
@implements("SVC-06", "SVC-10")
def order_archive(*, actor: Any, order_id: Any, now: datetime | None = None) -> WorkOrder:
    """SVC-06: after countersigning the voucher is archived and becomes read-only; SVC-10: only after the
    department manager's countersign."""
    now = now or timezone.now()
    user = _user(actor)
    order = _locked(order_id)
    _require(user, COUNTERSIGN, order.organization, _("只有部门经理可以归档服务凭证"))
    _not_archived(order)
    if order.countersigned_at is None:
        raise Conflict(_("凭证须先经部门经理核签后才能归档（SVC-10）"), clause="SVC-10")
    order.archived_at = now
    _bump(order, ["archived_at"])
    _event(
        order,
        actor=user,
        verb=EventVerb.ARCHIVED,
        at=now,
        from_status=order.status,
        clause="SVC-06",
        audit_verb="workorder.archived",
    )
    return order


@transaction.atomic
def order_close(*, actor: Any, order_id: Any, note: Any = "", now: datetime | None = None) -> WorkOrder:
    """Close a returned order (the dispatcher or the manager)."""
    now = now or timezone.now()
    user = _user(actor)
    order = _locked(order_id)
    _require(user, DISPATCH, order.organization, _("您没有关闭工单的权限"))
    _expect(order, [OrderStatus.RETURNED], _("关闭"))
    text = _clean_text({"note": note}, "note", required=False, label=_("说明"))
    order.status = OrderStatus.CLOSED
    order.closed_at = now
    _bump(order, ["status", "closed_at"])
    _event(
        order,
        actor=user,
        verb=EventVerb.CLOSED,
        at=now,
        from_status=OrderStatus.RETURNED,
        note=text,
        audit_verb="workorder.closed",
    )
    return order


@transaction.atomic
def order_cancel(*, actor: Any, order_id: Any, reason: Any, now: datetime | None = None) -> WorkOrder:
    """Cancel an open order, with a reason (kept; the order stays in the register as cancelled)."""
    now = now or timezone.now()
    user = _user(actor)
    order = _locked(order_id)
    _require(user, DISPATCH, order.organization, _("您没有取消工单的权限"))
    _expect(order, list(OPEN_STATUSES), _("取消"))
    text = _clean_text({"reason": reason}, "reason", required=True, label=_("取消原因"))
    before = order.status
    order.status = OrderStatus.CANCELLED
    order.cancelled_at = now
    order.cancel_reason = text
    _bump(order, ["status", "cancelled_at", "cancel_reason"])
    _event(
        order,
        actor=user,
        verb=EventVerb.CANCELLED,
        at=now,
        from_status=before,
        note=text,
        audit_verb="workorder.cancelled",
    )
    return order


@transaction.atomic
def order_add_note(*, actor: Any, order_id: Any, note: Any, now: datetime | None = None) -> WorkOrderEvent:
    """A note on the timeline (WO-06) by anyone who works on the order: its serviceman or a dispatcher."""
    now = now or timezone.now()
    user = _user(actor)
    order = _locked(order_id)
    _require_worker_or_dispatcher(order, user, _("只有服务人员或派单员可以添加备注"))
    text = _clean_text({"note": note}, "note", required=True, label=_("备注"))
    return _event(order, actor=user, verb=EventVerb.NOTE, at=now, from_status=order.status, note=text)


@transaction.atomic
@implements("SVC-14")
def order_add_expense(
    *, actor: Any, order_id: Any, kind: Any, amount: Any, incurred_on: Any, note: Any = "", now: datetime | None = None
) -> ExpenseLine:
    """SVC-14: travel and allowance expenses are attached to the order and reported as its service cost."""
    now = now or timezone.now()
    user = _user(actor)
    order = _locked(order_id)
    _require_worker_or_dispatcher(order, user, _("只有服务人员或派单员可以登记费用"))
    _not_archived(order)
    kind = _choice(kind, ExpenseKind, "kind", _("费用类别"))
    money = _money(amount, "amount")
    if money <= 0:
        raise ValidationFailed(_("金额应大于 0"), fields={"amount": [_("金额应大于 0")]})
    if incurred_on in (None, ""):
        raise ValidationFailed(_("请填写发生日期"), fields={"incurred_on": [_("此项必填")]})
    line = ExpenseLine(
        order=order,
        kind=kind,
        amount=money,
        incurred_on=incurred_on,
        note=_clean_text({"note": note}, "note", required=False, label=_("说明")),
        recorded_by=user,
    )
    full_clean_or_raise(line, exclude=["order", "recorded_by"])
    line.save()
    _event(
        order,
        actor=user,
        verb=EventVerb.EXPENSE,
        at=now,
        from_status=order.status,
        note=f"{ExpenseKind(kind).label} {money} 元",
        data={"expense": line.pk},
        clause="SVC-14",
    )
    return line


# --- off-site service (SVC-13) -------------------------------------------------------------------------------------

OFFSITE_KIND = "offsite_service"


@transaction.atomic
def order_request_offsite(*, actor: Any, order_id: Any, reason: Any, now: datetime | None = None) -> WorkOrder:
    """SVC-13: the 异地服务申请单 goes through the approvals engine to the department manager; the order cannot be
    dispatched until it is approved."""
    from servicecenter.approvals.services import request_submit

    now = now or timezone.now()
    user = _user(actor)
    order = _locked(order_id)
    _require_worker_or_dispatcher(order, user, _("只有服务人员或派单员可以申请异地服务"))
    if not order.is_offsite:
        raise ValidationFailed(_("此工单不是异地服务"))
    if order.offsite_status in (OffsiteStatus.PENDING, OffsiteStatus.APPROVED):
        raise Conflict(_("异地服务申请已提交（%(s)s）") % {"s": order.get_offsite_status_display()})
    text = _clean_text({"reason": reason}, "reason", required=True, label=_("申请理由"))
    request = request_submit(
        actor=user,
        kind=OFFSITE_KIND,
        organization=order.organization,
        title=_("异地服务申请：工单 %(no)s，%(dest)s") % {"no": order.number, "dest": order.offsite_destination},
        description=text,
        payload={"order": order.pk, "destination": order.offsite_destination},
        subject=order,
        now=now,
    )
    order.offsite_status = OffsiteStatus.PENDING
    order.offsite_request = request
    _bump(order, ["offsite_status", "offsite_request"])
    _event(
        order,
        actor=user,
        verb=EventVerb.OFFSITE_REQUESTED,
        at=now,
        from_status=order.status,
        note=text,
        clause="SVC-13",
    )
    return order


def offsite_decided(request: Any) -> None:
    """Approvals hook: the decision of an off-site request lands on its order (inside the deciding transaction)."""
    order = WorkOrder.objects.select_for_update().filter(offsite_request_id=request.pk).first()
    if order is None:
        return
    status = {"approved": OffsiteStatus.APPROVED, "rejected": OffsiteStatus.REJECTED}.get(request.status)
    if status is None:  # withdrawn: back to "not requested yet"
        order.offsite_status = OffsiteStatus.NOT_NEEDED
        order.offsite_request = None
        order.save(update_fields=["offsite_status", "offsite_request", "updated_at"])
        return
    order.offsite_status = status
    order.save(update_fields=["offsite_status", "updated_at"])
    _event(
        order,
        actor=None,
        verb=EventVerb.OFFSITE_DECIDED,
        at=request.decided_at or timezone.now(),
        from_status=order.status,
        note=order.get_offsite_status_display(),
        clause="SVC-13",
    )


# --- periodic jobs: SLA sweep (WO-03), next-day priority (SVC-12), re-escalation (WO-15) -------------------------


@dataclass
class SweepResult:
    response_warnings: int = 0
    response_breaches: int = 0
    resolve_warnings: int = 0
    resolve_breaches: int = 0


def _sla_notice(order: WorkOrder, *, kind: str, breach: bool, now: datetime) -> tuple[str, str]:
    due = order.response_due_at if kind == "response" else order.resolve_due_at
    what = _("响应") if kind == "response" else _("处理")
    local = timezone.localtime(due).strftime("%m-%d %H:%M")
    if breach:
        title = _("工单 %(no)s %(what)s超时") % {"no": order.number, "what": what}
    else:
        title = _("工单 %(no)s 即将%(what)s超时（%(due)s）") % {"no": order.number, "what": what, "due": local}
    return title, order.sla_citation


class _SweepRecipients:
    """Who hears of an SLA flag, looked up once per sweep run: each center's supervisors (one query per center)
    and the users (one query per batch of new ids), instead of two queries per flagged order."""

    def __init__(self) -> None:
        self.supervisors: dict[int, list[int]] = {}
        self.users: dict[int, Any] = {}

    def load(self, orders: Sequence[WorkOrder]) -> None:
        for order in orders:
            if order.organization_id not in self.supervisors:
                self.supervisors[order.organization_id] = order_supervisor_ids(order.organization)
        wanted = {uid for ids in self.supervisors.values() for uid in ids}
        wanted |= {o.assignee.user_id for o in orders if o.assignee is not None and o.assignee.user_id}
        missing = wanted - self.users.keys()
        if missing:
            found = {u.pk: u for u in get_user_model().objects.filter(pk__in=missing, is_active=True)}
            self.users.update({uid: found.get(uid) for uid in missing})

    def of(self, order: WorkOrder) -> list[Any]:
        ids = list(self.supervisors[order.organization_id])
        if order.assignee is not None and order.assignee.user_id:
            ids.append(order.assignee.user_id)
        return [self.users[uid] for uid in dict.fromkeys(ids) if self.users.get(uid) is not None]


def _sweep_batch(
    orders: Sequence[WorkOrder], *, kind: str, breach: bool, now: datetime, recipients: _SweepRecipients
) -> None:
    """Flag a batch of locked orders (one UPDATE), append their timeline events (one INSERT, WO-06) and notify the
    supervisors and the serviceman of each order after the commit (one notification per order and recipient,
    dedupe key `wo-sla-<id>-<kind>-<warning|breach>`)."""
    from servicecenter.notifications.services import Notice, notify_many

    if not orders:
        return
    field = f"{kind}_{'breached' if breach else 'warned'}_at"
    updated = timezone.now()  # what save() set as updated_at (auto_now) for one order at a time
    WorkOrder.objects.filter(pk__in=[o.pk for o in orders]).update(**{field: now, "updated_at": updated})
    verb = EventVerb.SLA_BREACH if breach else EventVerb.SLA_WARNING
    events = []
    for order in orders:
        setattr(order, field, now)
        order.updated_at = updated
        due = order.response_due_at if kind == "response" else order.resolve_due_at
        events.append(
            WorkOrderEvent(
                order=order,
                at=now,
                actor=None,
                actor_name=_name(None),
                verb=verb,
                from_status=order.status,
                to_status=order.status,
                note=order.sla_citation,
                data=audit._jsonable({"sla": kind, "due": due}),
                clause="WO-03",
            )
        )
    WorkOrderEvent.objects.bulk_create(events)
    recipients.load(orders)
    label = "breach" if breach else "warning"
    notices = []
    for order in orders:
        title, body = _sla_notice(order, kind=kind, breach=breach, now=now)
        notices.append(
            Notice(
                recipients=recipients.of(order),
                title=title,
                verb=f"workorders.sla.{kind}.{label}",
                body=body,
                link=f"/workorders/{order.pk}/",
                target=order,
                organization=order.organization,
                dedupe_key=f"wo-sla-{order.pk}-{kind}-{label}",
            )
        )
    transaction.on_commit(lambda: notify_many(notices))


@implements("WO-03")
def sla_sweep(*, now: datetime | None = None, limit: int = 500) -> SweepResult:
    """WO-03: warn at the warning instant and flag the breach at the deadline, once each, notifying the dispatchers,
    the manager and the serviceman. Idempotent (each flag is set once; concurrent runs skip locked rows); takes
    `now` so tests travel in time. A paused order whose clock is stopped (C-19) is skipped until it resumes.

    Cost per run: per plan one locking SELECT, one UPDATE, one INSERT of the events; per center one supervisor
    look-up; the users once; the notifications in bulk after each commit (a fixed number of queries whatever the
    number of flagged orders)."""
    now = now or timezone.now()
    result = SweepResult()
    recipients = _SweepRecipients()
    stopped = {"status": OrderStatus.PAUSED, "on_missing_info__in": ["pause", "restart"]}
    plans = (
        ("response", False, {"response_warn_at__lte": now, "response_warned_at__isnull": True}),
        ("response", True, {"response_due_at__lte": now}),
        ("resolution", False, {"resolve_warn_at__lte": now, "resolve_warned_at__isnull": True}),
        ("resolution", True, {"resolve_due_at__lte": now}),
    )
    for kind, breach, when in plans:
        field = "response" if kind == "response" else "resolve"
        base = WorkOrder.objects.filter(**when)
        if field == "response":
            base = base.filter(
                status__in=[OrderStatus.NEW, OrderStatus.DISPATCHED],
                responded_at__isnull=True,
                response_breached_at__isnull=True,
            )
        else:
            base = base.filter(status__in=OPEN_STATUSES, resolve_breached_at__isnull=True).exclude(**stopped)
        with transaction.atomic():
            orders = list(
                base.select_for_update(skip_locked=True, of=("self",))
                .select_related("organization", "assignee")
                .order_by(f"{field}_{'due' if breach else 'warn'}_at")[:limit]
            )
            _sweep_batch(orders, kind=field, breach=breach, now=now, recipients=recipients)
        count = len(orders)
        if field == "response":
            if breach:
                result.response_breaches += count
            else:
                result.response_warnings += count
        elif breach:
            result.resolve_breaches += count
        else:
            result.resolve_warnings += count
    return result


def rollover_undispatched(*, now: datetime | None = None) -> int:
    """SVC-12: requests of an earlier day still undispatched go to the top of the queue (priority), once each."""
    now = now or timezone.now()
    count = 0
    centers = Organization.objects.filter(
        pk__in=WorkOrder.objects.filter(status=OrderStatus.NEW, rolled_over_at__isnull=True).values("organization")
    )
    for center in centers:
        tz = zone_of(center)
        local_midnight = timezone.localtime(now, tz).replace(hour=0, minute=0, second=0, microsecond=0)
        with transaction.atomic():
            orders = list(
                WorkOrder.objects.select_for_update(skip_locked=True)
                .filter(
                    organization=center,
                    status=OrderStatus.NEW,
                    rolled_over_at__isnull=True,
                    created_at__lt=local_midnight,
                )
                .order_by("created_at")
            )
            for order in orders:
                decision = policies.rollover_priority(current=order.priority)
                order.priority = decision.priority
                order.priority_reason = decision.reason
                order.rolled_over_at = now
                order.save(update_fields=["priority", "priority_reason", "rolled_over_at", "updated_at"])
                _event(
                    order,
                    actor=None,
                    verb=EventVerb.ROLLED_OVER,
                    at=now,
                    from_status=order.status,
                    note=decision.reason,
                    clause="SVC-12",
                )
            count += len(orders)
    return count


@implements("WO-15")
def reescalate_facility_issues(*, now: datetime | None = None) -> int:
    """WO-15: an open facility issue is reported again every `workorders.issue_reescalation_interval_minutes` until it
    is closed; the number of re-reports is kept. Centers without the interval set are skipped (no seed value)."""
    now = now or timezone.now()
    count = 0
    open_issues = WorkOrder.objects.filter(is_facility_issue=True, status__in=OPEN_STATUSES)
    for center in Organization.objects.filter(pk__in=open_issues.values("organization")):
        pv = value("workorders.issue_reescalation_interval_minutes", org=center, at=now)
        if not pv.value:
            continue
        cutoff = now - timedelta(minutes=int(pv.value))
        with transaction.atomic():
            orders = list(
                open_issues.select_for_update(skip_locked=True, of=("self",))
                .select_related("organization", "assignee")
                .filter(organization=center)
                .filter(Q(last_escalated_at__lte=cutoff) | Q(last_escalated_at__isnull=True, created_at__lte=cutoff))
            )
            for order in orders:
                order.reescalation_count += 1
                order.last_escalated_at = now
                order.save(update_fields=["reescalation_count", "last_escalated_at", "updated_at"])
                note = _("第 %(n)s 次再次上报：%(c)s") % {"n": order.reescalation_count, "c": pv.citation}
                _event(
                    order,
                    actor=None,
                    verb=EventVerb.REESCALATED,
                    at=now,
                    from_status=order.status,
                    note=note,
                    clause="WO-15",
                )
                holders = role_holders_up_tree(organization=center, role_codes=["center_manager", "ops_center_gm"])
                users = [uid for levels in holders.values() for uid in (levels[0] if levels else [])]
                _notify_on_commit(
                    order,
                    verb="workorders.issue.reescalated",
                    title=_("设施问题未解决，再次上报：工单 %(no)s（第 %(n)s 次）")
                    % {"no": order.number, "n": order.reescalation_count},
                    body=order.problem[:200],
                    recipients=users,
                    key=f"wo-reesc-{order.pk}-{order.reescalation_count}",
                )
            count += len(orders)
    return count
