"""Every write of the notifications app: send (notify), read, and the delivery attempts of the channel tasks.

`notify()` is called by other apps' services inside their transactions. It writes the in-app notifications and
one `Delivery` per external channel, and hands each delivery to a Celery task only after the outer transaction
commits: a rolled-back business change sends nothing. A channel that is down never makes `notify()` raise.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from .channels import ChannelError, ChannelUnavailable, absolute_link, get_channel, send_customer_text
from .choices import ChannelCode, DeliveryStatus
from .models import CustomerMessage, Delivery, Notification

logger = logging.getLogger(__name__)

# One first attempt plus the five retries of `deliver_task` (tasks.py: max_retries = MAX_ATTEMPTS - 1).
MAX_ATTEMPTS = 6
# Backoff after the n-th failed attempt: 60 s · 2^(n-1), at most 10 minutes (1, 2, 4, 8, 10 min). The task's
# Celery retry countdown uses the same figures, so a Celery retry and the sweep agree on when a retry is due.
RETRY_BACKOFF_SECONDS = 60
RETRY_BACKOFF_MAX_SECONDS = 600
# A new delivery whose task has not run within this time is picked up by the retry sweep (lost task, broker down).
SWEEP_GRACE = timedelta(minutes=2)
# Clock skew between the machine that scheduled a retry and the worker that runs it.
DUE_TOLERANCE = timedelta(seconds=5)
# Rows re-enqueued per sweep (every 5 minutes): bounds one sweep's work after a long outage; a larger backlog drains
# over the following sweeps.
RETRY_SWEEP_BATCH = 1000


def external_channels(channels: Sequence[str] | None = None) -> list[str]:
    """The enabled external channel codes (settings.NOTIFICATION_CHANNELS without "inapp"), narrowed to `channels`."""
    enabled = [code for code in dict.fromkeys(settings.NOTIFICATION_CHANNELS) if code != ChannelCode.INAPP]
    if channels is not None:
        wanted = set(channels)
        enabled = [code for code in enabled if code in wanted]
    return enabled


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt before the next one."""
    seconds = RETRY_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, RETRY_BACKOFF_MAX_SECONDS))


def _as_user(recipient: Any) -> Any:
    # Callers may pass a Staff row by mistake; its login account is the recipient.
    return getattr(recipient, "user", recipient)


def _recipient_users(recipients: Iterable[Any]) -> dict[int, Any]:
    """The distinct active users among `recipients`: users, Staff rows (their login) or user ids — the ids in one
    query (role look-ups such as role_holders_up_tree answer with ids)."""
    users: dict[int, Any] = {}
    ids: list[int] = []
    for recipient in recipients:
        if isinstance(recipient, int):
            ids.append(recipient)
            continue
        user = _as_user(recipient)
        if user is not None and user.pk is not None and user.is_active:
            users.setdefault(user.pk, user)
    missing = [user_id for user_id in ids if user_id not in users]
    if missing:
        for user in get_user_model().objects.filter(pk__in=missing, is_active=True):
            users.setdefault(user.pk, user)
    return users


def _schedule_delivery(delivery_id: int) -> None:
    """After commit: hand the delivery to a worker. A broker that is down is logged; the retry sweep catches up."""
    from .tasks import deliver_task

    try:
        deliver_task.delay(delivery_id)
    except Exception:  # noqa: BLE001 - the delivery row is committed and pending; the sweep re-enqueues it
        logger.exception("notifications: could not enqueue delivery %s; the retry sweep will pick it up", delivery_id)


@transaction.atomic
def notify(
    *,
    recipients: Iterable[Any],
    title: str,
    verb: str,
    body: str = "",
    link: str = "",
    target: models.Model | None = None,
    organization: Any = None,
    actor: Any = None,
    channels: Sequence[str] | None = None,
    dedupe_key: str = "",
) -> list[Notification]:
    """Put a notification in the inbox of every distinct active recipient and queue its external deliveries.

    Args:
        recipients: users, Staff rows (their login) or user ids; inactive users and duplicates are skipped.
        title, body, link: what the person reads; `link` is a site-relative URL of the record to open.
        verb: a stable code of the kind of notification (`approvals.step.assigned`), for filtering and tests.
        target: the record the notification is about (generic relation), optional.
        organization: the organization the notification belongs to (scopes the 投递失败 list for administrators);
            defaults to each recipient's own organization.
        actor: the user who caused it (None for system jobs).
        channels: narrows the enabled external channels (settings.NOTIFICATION_CHANNELS); "inapp" is always on.
        dedupe_key: when given, a recipient who already has a notification with this key gets no second one
            (idempotent reminders and task retries).

    Returns:
        The notifications created by this call (those skipped by `dedupe_key` are not included).

    Side effects: one `Delivery` per external channel and notification, each handed to `deliver_task` after the
    outer transaction commits. Nothing is sent when it rolls back. No audit event: the notification is the record.
    """
    now = timezone.now()
    users = _recipient_users(recipients)
    if not users:
        return []

    if dedupe_key:
        already = set(
            Notification.objects.filter(recipient_id__in=users, dedupe_key=dedupe_key).values_list(
                "recipient_id", flat=True
            )
        )
        for user_id in already:
            users.pop(user_id)
        if not users:
            return []

    own_org: dict[int, int] = {}
    if organization is None:
        from servicecenter.org.models import Staff

        own_org = dict(Staff.objects.filter(user_id__in=users).values_list("user_id", "organization_id"))

    target_type = ContentType.objects.get_for_model(target) if target is not None else None
    actor_user = _as_user(actor) if actor is not None else None
    if actor_user is not None and (actor_user.pk is None or not getattr(actor_user, "is_authenticated", False)):
        actor_user = None  # AnonymousUser (a public form) is no actor
    codes = external_channels(channels)
    created: list[Notification] = []
    for user_id, user in users.items():
        notification = Notification(
            recipient=user,
            verb=verb[:100],
            title=title[:200],
            body=body,
            link=link[:500],
            target_type=target_type,
            target_id=str(target.pk) if target is not None else "",
            organization_id=organization.pk if organization is not None else own_org.get(user_id),
            actor=actor_user,
            dedupe_key=dedupe_key[:200],
        )
        if dedupe_key:
            # A concurrent reminder may have inserted the same key since the check above: the savepoint keeps
            # the caller's transaction usable and the unique constraint decides.
            try:
                with transaction.atomic():
                    notification.save()
            except IntegrityError:
                continue
        else:
            notification.save()
        created.append(notification)

    deliveries = Delivery.objects.bulk_create(
        [
            Delivery(notification=n, channel=code, status=DeliveryStatus.PENDING, next_attempt_at=now + SWEEP_GRACE)
            for n in created
            for code in codes
        ]
    )
    for delivery in deliveries:
        transaction.on_commit(functools.partial(_schedule_delivery, delivery.pk))
    return created


@dataclass(frozen=True)
class Notice:
    """One `notify` call's arguments, for `notify_many`."""

    recipients: Sequence[Any]
    title: str
    verb: str
    body: str = ""
    link: str = ""
    target: models.Model | None = None
    organization: Any = None
    actor: Any = None
    dedupe_key: str = ""


def notify_many(notices: Iterable[Notice], *, channels: Sequence[str] | None = None) -> list[Notification]:
    """`notify` for many notices at once (an SLA sweep flagging hundreds of orders), with the same rules — distinct
    active recipients per notice, no second notification for a (recipient, dedupe_key) — in a fixed number of
    queries: one de-duplication look-up, one INSERT of the notifications, one of the deliveries (plus one for the
    recipients' own organizations when a notice has none). Should a concurrent writer insert one of the keys in
    between (the unique constraint fires), nothing of the bulk insert stays and each notice goes through `notify`.
    """
    notices = list(notices)
    now = timezone.now()
    planned: list[tuple[Notice, Any]] = []
    for notice in notices:
        planned += [(notice, user) for user in _recipient_users(notice.recipients).values()]
    keys = {notice.dedupe_key for notice, _user in planned if notice.dedupe_key}
    if keys:
        already = set(
            Notification.objects.filter(
                dedupe_key__in=keys, recipient_id__in={user.pk for _n, user in planned}
            ).values_list("recipient_id", "dedupe_key")
        )
        planned = [(n, u) for n, u in planned if not n.dedupe_key or (u.pk, n.dedupe_key) not in already]
    if not planned:
        return []
    own_org: dict[int, int] = {}
    if any(notice.organization is None for notice, _user in planned):
        from servicecenter.org.models import Staff

        own_org = dict(
            Staff.objects.filter(user_id__in={u.pk for _n, u in planned}).values_list("user_id", "organization_id")
        )
    rows = []
    for notice, user in planned:
        actor_user = _as_user(notice.actor) if notice.actor is not None else None
        if actor_user is not None and (actor_user.pk is None or not getattr(actor_user, "is_authenticated", False)):
            actor_user = None
        target = notice.target
        rows.append(
            Notification(
                recipient=user,
                verb=notice.verb[:100],
                title=notice.title[:200],
                body=notice.body,
                link=notice.link[:500],
                target_type=ContentType.objects.get_for_model(target) if target is not None else None,
                target_id=str(target.pk) if target is not None else "",
                organization_id=notice.organization.pk if notice.organization is not None else own_org.get(user.pk),
                actor=actor_user,
                dedupe_key=notice.dedupe_key[:200],
            )
        )
    codes = external_channels(channels)
    try:
        with transaction.atomic():
            created = Notification.objects.bulk_create(rows)
            deliveries = Delivery.objects.bulk_create(
                [
                    Delivery(
                        notification=n, channel=code, status=DeliveryStatus.PENDING, next_attempt_at=now + SWEEP_GRACE
                    )
                    for n in created
                    for code in codes
                ]
            )
    except IntegrityError:  # a concurrent writer took one of the keys: one notice at a time, as notify() decides
        out: list[Notification] = []
        for notice in notices:
            out += notify(
                recipients=notice.recipients,
                title=notice.title,
                verb=notice.verb,
                body=notice.body,
                link=notice.link,
                target=notice.target,
                organization=notice.organization,
                actor=notice.actor,
                channels=channels,
                dedupe_key=notice.dedupe_key,
            )
        return out
    for delivery in deliveries:
        transaction.on_commit(functools.partial(_schedule_delivery, delivery.pk))
    return created


@transaction.atomic
def notification_mark_read(*, actor: Any, notification_id: int, now: datetime | None = None) -> Notification:
    """Mark one of `actor`'s notifications read (no-op when already read). Another user's → DoesNotExist.

    Reading one's own inbox is not a business event: no audit record (the notification keeps `read_at`).
    """
    now = now or timezone.now()
    notification = Notification.objects.select_for_update().get(pk=notification_id, recipient=actor)
    if notification.read_at is None:
        notification.read_at = now
        notification.save(update_fields=["read_at", "updated_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, actor: Any, now: datetime | None = None) -> int:
    """Mark every unread notification of `actor` read; returns how many changed."""
    now = now or timezone.now()
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=now, updated_at=now)


@transaction.atomic
def notifications_settle(*, target: Any, verbs: Sequence[str], now: datetime | None = None) -> int:
    """Mark read the unread notifications about `target` with one of `verbs`: the thing they asked for is done
    (e.g. «待您审批» once the step is decided or the request withdrawn), so unread counts mean "still to do".
    Returns how many changed. Not a business event of its own: the caller's audit event covers it."""
    from django.contrib.contenttypes.models import ContentType

    now = now or timezone.now()
    return Notification.objects.filter(
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        verb__in=list(verbs),
        read_at__isnull=True,
    ).update(read_at=now, updated_at=now)


@dataclass(frozen=True)
class Attempt:
    """What `delivery_attempt` did: `outcome` is "sent", "retry" (failed, will be retried), "dead" or "skipped"
    (already sent/dead, or a retry that is not due yet)."""

    delivery: Delivery
    outcome: str


@transaction.atomic
def delivery_attempt(*, delivery_id: int, now: datetime) -> Attempt:
    """Send one delivery over its channel once and record the outcome; safe to call any number of times.

    The row is locked for the whole attempt, so two workers never send the same delivery; a `sent` or `dead`
    delivery is never sent again, and a failed one only once its `next_attempt_at` is due. A transient
    `ChannelError` counts an attempt and schedules the next after `retry_delay()`; after MAX_ATTEMPTS, or at once
    for a permanent `ChannelUnavailable` (channel not configured, recipient without address), the delivery is
    `dead`: logged as an error and listed on the inbox page's 投递失败 section for administrators.
    """
    delivery = (
        Delivery.objects.select_for_update(of=("self",))
        .select_related("notification", "notification__recipient")
        .get(pk=delivery_id)
    )
    if delivery.status in (DeliveryStatus.SENT, DeliveryStatus.DEAD):
        return Attempt(delivery, "skipped")
    if (
        delivery.status == DeliveryStatus.FAILED
        and delivery.next_attempt_at is not None
        and delivery.next_attempt_at > now + DUE_TOLERANCE
    ):
        return Attempt(delivery, "skipped")

    delivery.attempts += 1
    try:
        get_channel(delivery.channel).send(delivery.notification)
    except ChannelUnavailable as exc:
        return _record_dead(delivery, reason=str(exc))
    except ChannelError as exc:
        return _record_failure(delivery, reason=str(exc), now=now)
    except Exception as exc:  # noqa: BLE001 - a bug in an adapter must not lose the message either
        logger.exception("notifications: channel %s crashed on delivery %s", delivery.channel, delivery.pk)
        return _record_failure(delivery, reason=f"{exc.__class__.__name__}: {exc}", now=now)

    delivery.status = DeliveryStatus.SENT
    delivery.sent_at = now
    delivery.next_attempt_at = None
    delivery.last_error = ""
    delivery.save(update_fields=["status", "attempts", "sent_at", "next_attempt_at", "last_error", "updated_at"])
    return Attempt(delivery, "sent")


def _record_failure(delivery: Delivery, *, reason: str, now: datetime) -> Attempt:
    if delivery.attempts >= MAX_ATTEMPTS:
        return _record_dead(delivery, reason=reason)
    delivery.status = DeliveryStatus.FAILED
    delivery.last_error = reason[:2000]
    delivery.next_attempt_at = now + retry_delay(delivery.attempts)
    delivery.save(update_fields=["status", "attempts", "last_error", "next_attempt_at", "updated_at"])
    logger.warning(
        "notifications: delivery %s over %s failed (attempt %s/%s): %s",
        delivery.pk,
        delivery.channel,
        delivery.attempts,
        MAX_ATTEMPTS,
        reason,
    )
    return Attempt(delivery, "retry")


def _record_dead(delivery: Delivery, *, reason: str) -> Attempt:
    delivery.status = DeliveryStatus.DEAD
    delivery.last_error = reason[:2000]
    delivery.next_attempt_at = None
    delivery.save(update_fields=["status", "attempts", "last_error", "next_attempt_at", "updated_at"])
    logger.error(
        "notifications: delivery %s over %s is dead after %s attempt(s): %s",
        delivery.pk,
        delivery.channel,
        delivery.attempts,
        reason,
    )
    return Attempt(delivery, "dead")


def deliveries_retry_due(*, now: datetime) -> int:
    """Re-enqueue every pending or failed delivery whose `next_attempt_at` is due; returns how many.

    Covers a task lost before a worker ran it (broker restart, worker killed) and failures whose Celery retries
    ran out. Enqueueing a delivery twice is harmless: `delivery_attempt` locks the row and skips what is done.
    """
    due = list(
        Delivery.objects.filter(
            status__in=(DeliveryStatus.PENDING, DeliveryStatus.FAILED), next_attempt_at__lte=now
        ).values_list("pk", flat=True)[:RETRY_SWEEP_BATCH]
    )
    for delivery_id in due:
        _schedule_delivery(delivery_id)
    return len(due)


# --- messages to customers (CMP-11 complaint status, CB-14 survey links) -------------------------------------------


def _schedule_customer_message(message_id: int) -> None:
    from .tasks import customer_message_task

    try:
        customer_message_task.delay(message_id)
    except Exception:  # noqa: BLE001 - committed and pending; the retry sweep re-enqueues it
        logger.exception("notifications: could not enqueue customer message %s", message_id)


def message_customer(
    *,
    organization: Any,
    phone: str,
    text: str,
    purpose: str,
    link: str = "",
    target: models.Model | None = None,
    dedupe_key: str = "",
) -> CustomerMessage | None:
    """Queue a text to a customer's phone; it is sent after the caller's transaction commits.

    `link` (site-relative) is appended as an absolute URL (settings.SITE_URL). The same `dedupe_key` twice sends
    once (returns None the second time). No phone → None (nothing to send; the caller shows why)."""
    phone = (phone or "").strip()
    if not phone:
        return None
    body = text.strip()
    if link:
        body = f"{body} {absolute_link(link)}"
    if dedupe_key and CustomerMessage.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    try:
        with transaction.atomic():
            message = CustomerMessage.objects.create(
                organization=organization,
                phone=phone,
                text=body[:500],
                purpose=purpose[:60],
                target_type=ContentType.objects.get_for_model(target) if target is not None else None,
                target_id=str(target.pk) if target is not None else "",
                dedupe_key=dedupe_key or None,
                next_attempt_at=timezone.now() + SWEEP_GRACE,
            )
    except IntegrityError:  # a concurrent send of the same dedupe_key won
        return None
    transaction.on_commit(functools.partial(_schedule_customer_message, message.pk))
    return message


@transaction.atomic
def customer_message_attempt(*, message_id: int, now: datetime) -> str:
    """Send one customer message once ("sent", "retry", "dead" or "skipped"); the same retry rules as deliveries."""
    message = CustomerMessage.objects.select_for_update().get(pk=message_id)
    if message.status in (DeliveryStatus.SENT, DeliveryStatus.DEAD):
        return "skipped"
    if (
        message.status == DeliveryStatus.FAILED
        and message.next_attempt_at is not None
        and message.next_attempt_at > now + DUE_TOLERANCE
    ):
        return "skipped"
    message.attempts += 1
    fields = ["status", "attempts", "last_error", "next_attempt_at", "sent_at", "updated_at"]
    try:
        send_customer_text(phone=message.phone, text=message.text)
    except ChannelUnavailable as exc:
        message.status, message.last_error, message.next_attempt_at = DeliveryStatus.DEAD, str(exc)[:2000], None
        message.save(update_fields=fields)
        logger.error("notifications: customer message %s is dead: %s", message.pk, exc)
        return "dead"
    except Exception as exc:  # noqa: BLE001 - a transient failure or an adapter bug: retry, never lose it
        dead = message.attempts >= MAX_ATTEMPTS
        message.status = DeliveryStatus.DEAD if dead else DeliveryStatus.FAILED
        message.last_error = f"{exc.__class__.__name__}: {exc}"[:2000]
        message.next_attempt_at = None if dead else now + retry_delay(message.attempts)
        message.save(update_fields=fields)
        logger.warning("notifications: customer message %s failed (attempt %s): %s", message.pk, message.attempts, exc)
        return "dead" if dead else "retry"
    message.status, message.sent_at, message.last_error, message.next_attempt_at = DeliveryStatus.SENT, now, "", None
    message.save(update_fields=fields)
    return "sent"


def customer_messages_retry_due(*, now: datetime) -> int:
    """Re-enqueue pending or failed customer messages that are due (lost task, broker down, failed attempt)."""
    due = list(
        CustomerMessage.objects.filter(
            status__in=(DeliveryStatus.PENDING, DeliveryStatus.FAILED), next_attempt_at__lte=now
        ).values_list("pk", flat=True)[:RETRY_SWEEP_BATCH]
    )
    for message_id in due:
        _schedule_customer_message(message_id)
    return len(due)
