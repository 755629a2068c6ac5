"""Surveys (CB-12, CB-14) and the public rating (好差评): invitations with signed, single-use, expiring links, the
customer's answer on a mobile page without login, ratings with reason tags, and a bad rating's rectification.

A link carries a signed token over the invitation's random nonce (django.core.signing, salted): a tampered token
fails the signature, an expired one is refused by `expires_at`, an answered one by `answered_at` (checked under a
row lock, so a double submit records one answer). The page that opens a link never shows staff personal data.

Which requirement IDs (docs/callbacks/surveys.md): the survey link is CB-14, campaigns are CB-12, the typed opinion a
survey comment becomes is CB-13, and a rating is CB-13's "rating of a staff member" (品评). The rule "a bad rating
opens a rectification and a mandatory callback" comes from the national 好差评 practice, which the catalogue has no
ID for: it cites that practice and the parameters `callbacks.bad_rating_max_level` and
`callbacks.rectification_working_days`. Closing a rectification needs the measures and the person (CMP-06).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicecenter.core import audit
from servicecenter.core.actors import require as _require
from servicecenter.core.actors import user_of as _user
from servicecenter.core.errors import Conflict, DomainError, ValidationFailed
from servicecenter.core.policy import implements
from servicecenter.org.models import Organization
from servicecenter.policy.values import resolve_many, value, zone_of
from servicecenter.workcalendar.selectors import end_of_working_days
from servicecenter.workorders.choices import OrderKind, OrderStatus
from servicecenter.workorders.models import WorkOrder

from . import policies
from .choices import (
    BAD_TAGS,
    GOOD_TAGS,
    InvitationChannel,
    OpinionKind,
    OpinionSource,
    RatingChannel,
    RatingLevel,
    RectificationStatus,
    TaskKind,
)
from .models import CallbackTask, Opinion, Rating, Rectification, SurveyCampaign, SurveyInvitation

TOKEN_SALT = "servicecenter.callbacks.survey"
MAKE = "callbacks.make_callback"
MANAGE = "callbacks.manage_callbacks"
RATED_STATUSES = (OrderStatus.RETURNED, OrderStatus.CLOSED)  # a service can be rated once it is done
COMMENT_MAX = 1000


def make_token(invitation: SurveyInvitation) -> str:
    return signing.dumps({"n": invitation.nonce}, salt=TOKEN_SALT, compress=False)


def survey_path(invitation: SurveyInvitation) -> str:
    return f"/callbacks/s/{make_token(invitation)}/"


# A short link for print (channels link and post: typed in by hand from paper): the first SHORT_LEN hex digits of the
# random nonce — 64 bits, unguessable, found through the nonce's varchar_pattern_ops index. It carries no signature;
# the public page limits failed look-ups per address (views.public). Two invitations sharing a prefix (about 3 in
# 100 million at a million invitations) make it ambiguous: it then opens nothing, and the signed link still works.
SHORT_LEN = 16
_SHORT_RE = re.compile(rf"[0-9a-f]{{{SHORT_LEN}}}")


def short_path(invitation: SurveyInvitation) -> str:
    return f"/callbacks/s/{invitation.nonce[:SHORT_LEN]}/"


@dataclass(frozen=True)
class Opened:
    """What a survey link leads to: the invitation, or why not ("tampered", "expired", "used", "missing")."""

    invitation: SurveyInvitation | None
    problem: str = ""


def open_link(token: str, *, now: datetime | None = None) -> Opened:
    """Check a link without changing anything: signature (or the short code), existence, expiry, single use."""
    now = now or timezone.now()
    if _SHORT_RE.fullmatch(token or ""):
        matches = SurveyInvitation.objects.select_related("organization", "order").filter(nonce__startswith=token)
        found = list(matches[:2])
        invitation = found[0] if len(found) == 1 else None
    else:
        try:
            data = signing.loads(token, salt=TOKEN_SALT)
        except signing.BadSignature:
            return Opened(None, "tampered")
        nonce = data.get("n") if isinstance(data, dict) else None
        invitation = (
            SurveyInvitation.objects.select_related("organization", "order").filter(nonce=str(nonce or "")).first()
        )
    if invitation is None:
        return Opened(None, "missing")
    if invitation.answered_at is not None:
        return Opened(invitation, "used")
    if invitation.expires_at <= now:
        return Opened(invitation, "expired")
    return Opened(invitation)


def _valid_days(organization: Organization, now: datetime) -> int:
    days = value("callbacks.survey_link_valid_days", org=organization, at=now).value or 7
    return max(int(days), 1)


def _send_link(invitation: SurveyInvitation, *, organization: Organization, number: str) -> None:
    """CB-14: the text with the survey link (sent after commit; a repeated call sends nothing)."""
    from servicecenter.notifications.services import message_customer

    message_customer(
        organization=organization,
        phone=invitation.phone,
        text=_("【%(center)s】您好，您的服务（单号 %(no)s）已完成，请花一分钟为我们评价：")
        % {"center": organization.name, "no": number},
        purpose="survey",
        link=survey_path(invitation),
        target=invitation,
        dedupe_key=f"survey-{invitation.pk}",
    )


@implements("CB-14")
def invite(
    *,
    order: WorkOrder,
    campaign: SurveyCampaign | None = None,
    channel: str = InvitationChannel.SMS,
    now: datetime | None = None,
) -> SurveyInvitation | None:
    """CB-14: a survey for the customer of one service-register entry, valid `callbacks.survey_link_valid_days`,
    sent by text with its link. One per order and campaign (a second call returns None)."""
    now = now or timezone.now()
    # The unique constraint (order, campaign) treats NULL campaigns as equal on PostgreSQL (NULLS NOT DISTINCT) and
    # catches a concurrent second call; SQLite cannot, so the check comes first.
    if SurveyInvitation.objects.filter(order=order, campaign=campaign).exists():
        return None
    days = _valid_days(order.organization, now)
    try:
        with transaction.atomic():
            invitation = SurveyInvitation.objects.create(
                organization=order.organization,
                campaign=campaign,
                order=order,
                customer_id=order.customer_id,
                phone=order.phone,
                channel=channel,
                nonce=secrets.token_hex(16),
                expires_at=now + timedelta(days=days),
                sent_at=now if channel == InvitationChannel.SMS else None,
            )
    except IntegrityError:
        return None
    if channel == InvitationChannel.SMS:
        _send_link(invitation, organization=order.organization, number=order.number)
    audit.record(actor=None, verb="callbacks.survey.invited", target=invitation, clause="CB-14")
    return invitation


def invite_for_returned_order(order: WorkOrder) -> SurveyInvitation | None:
    """workorders.services.ON_RETURNED hook: CB-14 when `callbacks.survey_on_return` is on for the center."""
    if order.kind == OrderKind.INQUIRY:
        return None
    now = order.returned_at or timezone.now()
    enabled = resolve_many(["callbacks.survey_on_return"], org=order.organization, at=now)["callbacks.survey_on_return"]
    if not enabled.value:
        return None
    return invite(order=order, now=now)


# --- errors of the public page ------------------------------------------------------------------------------


class SurveyLinkInvalid(DomainError):
    """A tampered or unknown link: it does not exist for the person holding it."""

    code = "survey_link_invalid"
    status_code = 404


class SurveyLinkExpired(DomainError):
    code = "survey_link_expired"
    status_code = 410


class SurveyAlreadyAnswered(Conflict):
    code = "survey_answered"


# --- small helpers ------------------------------------------------------------------------------------------


def _int(raw: Any, default: int) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return default


def _yes_no(raw: Any) -> bool | None:
    """ "yes"/"no" of a form (or a bool); "" and None are no answer. Anything else is an error."""
    if raw is None or isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text == "":
        return None
    if text in ("yes", "true", "1", "是"):
        return True
    if text in ("no", "false", "0", "否"):
        return False
    raise ValidationFailed(_("请选择“是”或“否”"), fields={"solved": [_("请选择“是”或“否”")]})


# --- the rating (好差评) ---------------------------------------------------------------------------------------


def tags_for_level(level: int) -> dict[str, str]:
    """The reason tags a level may carry: the positive tags for 满意 and 非常满意 (4, 5), the problem tags for the
    others (基本满意 and below ask what went wrong)."""
    return GOOD_TAGS if level >= RatingLevel.SATISFIED else BAD_TAGS


def tag_labels(codes: Iterable[str]) -> list[str]:
    """The labels of stored tag codes, in the reader's language (an unknown code is shown as stored)."""
    return [_(GOOD_TAGS.get(code) or BAD_TAGS.get(code) or code) for code in codes]


@dataclass(frozen=True)
class CleanRating:
    level: int
    tags: list[str]
    comment: str


def clean_rating(*, level: Any, tags: Any, comment: Any) -> CleanRating:
    """Validate a rating's input: a level of RatingLevel (1–5), tags that belong to the level's group (no
    duplicates, order kept), a comment of at most COMMENT_MAX characters. Raises ValidationFailed naming each field."""
    errors: dict[str, list[str]] = {}
    parsed = _int(level, 0) if str(level or "").strip().isdigit() else 0
    if parsed not in RatingLevel.values:
        errors["level"] = [_("请选择评价等级")]
    raw_tags = [tags] if isinstance(tags, str) else list(tags or [])
    codes: list[str] = []
    for raw in raw_tags:
        code = str(raw).strip()
        if code and code not in codes:
            codes.append(code)
    if parsed in RatingLevel.values:
        allowed = tags_for_level(parsed)
        wrong = [code for code in codes if code not in allowed]
        if wrong:
            errors["tags"] = [
                _("所选原因与评价不符：满意时请选满意的原因，不满意时请选存在的问题")
                if all(code in GOOD_TAGS or code in BAD_TAGS for code in wrong)
                else _("请选择有效的评价原因")
            ]
    text = str(comment or "").strip()
    if len(text) > COMMENT_MAX:
        errors["comment"] = [_("评价内容不能超过 %(n)s 个字") % {"n": COMMENT_MAX}]
    if errors:
        raise ValidationFailed(_("评价内容有误，请检查标出的项目"), fields=errors)
    return CleanRating(parsed, codes, text)


@dataclass(frozen=True)
class BadRating:
    bad: bool
    limit: int
    reason: str


def bad_rating(*, level: int, organization: Organization, at: datetime) -> BadRating:
    """好差评: a level at or below `callbacks.bad_rating_max_level` (default 2: 不满意, 非常不满意) is a bad rating."""
    limit_value = value("callbacks.bad_rating_max_level", org=organization, at=at)
    limit = _int(limit_value.value, 2)
    bad = level <= limit
    label = str(RatingLevel(level).label) if level in RatingLevel.values else str(level)
    reason = (
        _("差评：%(label)s（%(level)s 级，不高于差评界限 %(limit)s 级，%(origin)s）")
        if bad
        else _("%(label)s（%(level)s 级，高于差评界限 %(limit)s 级，%(origin)s）")
    ) % {"label": label, "level": level, "limit": limit, "origin": limit_value.origin}
    return BadRating(bad, limit, reason)


@dataclass(frozen=True)
class Due:
    at: datetime
    citation: str


def rectification_due(*, organization: Organization, rated_at: datetime) -> Due:
    """好差评: a bad rating is rectified by the close of the `callbacks.rectification_working_days`-th working day."""
    days = value("callbacks.rectification_working_days", org=organization, at=rated_at)
    n = max(_int(days.value, 15), 1)
    answer = end_of_working_days(organization=organization, start=rated_at, days=n)
    citation = _("差评整改：%(n)s 个工作日内（%(origin)s）；%(calendar)s") % {
        "n": n,
        "origin": days.origin,
        "calendar": answer.citation,
    }
    return Due(answer.value, citation)


@transaction.atomic
@implements("CB-13")
def rating_submit(
    *,
    order: WorkOrder,
    level: Any,
    tags: Any,
    comment: Any,
    channel: Any,
    invitation: SurveyInvitation | None = None,
    actor: Any = None,
    now: datetime | None = None,
) -> Rating:
    """好差评: the customer's rating of one service — one per order (a second → Conflict «该服务已评价»), five levels
    with the reason tags of the level's group, the serviceman it concerns (CB-13: a rating of a staff member).

    `channel` survey_link comes with the customer's `invitation` (no actor); on_site / phone / staff_entry are
    recorded by staff holding callbacks.make_callback in the order's center. A bad rating
    (`callbacks.bad_rating_max_level`) opens a Rectification owned by the center manager, due in
    `callbacks.rectification_working_days` working days, and a mandatory callback of kind "rating" (due like
    every callback, WO-10's `callbacks.due_working_days`); the manager is notified after commit."""
    now = now or timezone.now()
    user = _user(actor)
    if channel not in RatingChannel.values:
        raise ValidationFailed(_("请选择评价渠道"), fields={"channel": [_("请选择有效的选项")]})
    if channel == RatingChannel.SURVEY_LINK:
        if invitation is None or invitation.order_id != order.pk:
            raise ValidationFailed(_("链接评价须来自该服务的调查链接"), fields={"channel": [_("请选择其他渠道")]})
    else:
        _require(user, MAKE, order.organization, _("您没有登记评价的权限"))
    if order.status not in RATED_STATUSES:
        raise ValidationFailed(
            _("工单 %(no)s 尚未完工回单，不能评价") % {"no": order.number}, fields={"order": [_("服务完成后才能评价")]}
        )
    cleaned = clean_rating(level=level, tags=tags, comment=comment)
    if Rating.objects.filter(order_id=order.pk).exists():
        raise Conflict(_("该服务已评价"), fields={"order": [_("该服务已评价")]})
    rating = Rating(
        organization=order.organization,
        order=order,
        customer_id=order.customer_id,
        staff_id=order.assignee_id,
        level=cleaned.level,
        tags=cleaned.tags,
        comment=cleaned.comment,
        channel=channel,
        invitation=invitation,
        rated_at=now,
        recorded_by=user,
    )
    try:
        with transaction.atomic():
            rating.save()
    except IntegrityError:  # a concurrent rating of the same order won
        raise Conflict(_("该服务已评价"), fields={"order": [_("该服务已评价")]}) from None
    verdict = bad_rating(level=cleaned.level, organization=order.organization, at=now)
    audit.record(
        actor=user,
        verb="callbacks.rating.submitted",
        target=rating,
        changes={"level": [None, cleaned.level], "tags": [None, cleaned.tags]},
        clause="CB-13",
        note=verdict.reason,
    )
    if verdict.bad:
        _open_rectification(rating, order=order, verdict=verdict, now=now)
    return rating


def _open_rectification(rating: Rating, *, order: WorkOrder, verdict: BadRating, now: datetime) -> Rectification:
    """A bad rating: the mandatory callback (kind "rating") and the rectification, the manager told after commit."""
    from .services import _managers, _notify

    organization = order.organization
    callback_due = policies.callback_due(organization=organization, returned_at=now)
    why = "、".join(tag_labels(rating.tags)) or str(RatingLevel(rating.level).label)
    task = CallbackTask.objects.create(
        organization=organization,
        kind=TaskKind.RATING,
        order=order,
        customer_id=order.customer_id,
        customer_name=order.customer_name,
        phone=order.phone,
        technician_id=order.assignee_id,
        due_at=callback_due.at,
        due_citation=callback_due.citation,
        next_attempt_at=now,
        reason=(_("差评回访：%(level)s（%(why)s）") % {"level": RatingLevel(rating.level).label, "why": why})[:300],
        clause="CB-13",
    )
    audit.record(actor=None, verb="callbacks.task.created", target=task, clause="CB-13", note=verdict.reason)
    managers = _managers(organization)
    due = rectification_due(organization=organization, rated_at=now)
    rectification = Rectification.objects.create(
        organization=organization,
        rating=rating,
        owner_id=managers[0] if managers else None,
        due_at=due.at,
        due_citation=due.citation,
        callback=task,
    )
    audit.record(actor=None, verb="callbacks.rectification.opened", target=rectification, note=verdict.reason)
    _notify(
        organization=organization,
        user_ids=managers,
        verb="callbacks.rectification",
        title=_("差评待整改：工单 %(no)s（%(level)s）")
        % {"no": order.number, "level": RatingLevel(rating.level).label},
        body=_("原因：%(why)s。整改期限 %(due)s；已生成差评回访。")
        % {"why": why, "due": timezone.localtime(due.at, zone_of(organization)).strftime("%Y-%m-%d %H:%M")},
        link=f"/callbacks/rectifications/{rectification.pk}/",
        target=rectification,
        key=f"cb-rectification-{rectification.pk}",
    )
    return rectification


# --- the customer's answer through the link (CB-14) ---------------------------------------------------------


def survey_mark_opened(invitation: SurveyInvitation, *, now: datetime | None = None) -> bool:
    """The first time the customer opens the link (a conditional update: opening twice, or twice at once, marks it
    once). Returns whether this call marked it."""
    now = now or timezone.now()
    marked = SurveyInvitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(opened_at=now)
    if marked:
        invitation.opened_at = now
    return bool(marked)


@dataclass(frozen=True)
class SurveyResult:
    invitation: SurveyInvitation
    rating: Rating | None
    opinion: Opinion | None
    bad: bool


def _locked_invitation(token: str, now: datetime) -> SurveyInvitation:
    opened = open_link(token, now=now)
    if opened.invitation is None:
        raise SurveyLinkInvalid(_("链接无效"))
    # transaction.atomic (the caller) is required: FOR UPDATE holds the row until the answer is saved, so a second
    # submit of the same link waits here and then sees `answered_at`.
    return (
        SurveyInvitation.objects.select_for_update(of=("self",))
        .select_related("organization", "order", "order__organization")
        .get(pk=opened.invitation.pk)
    )


@transaction.atomic
@implements("CB-13", "CB-14")
def survey_answer(
    token: str,
    *,
    level: Any,
    tags: Any = (),
    solved: Any = None,
    comment: Any = "",
    now: datetime | None = None,
) -> SurveyResult:
    """CB-14: the customer answers the survey of a link — once. The invitation is locked; a used link raises
    SurveyAlreadyAnswered, an expired one SurveyLinkExpired, a tampered or unknown one SurveyLinkInvalid.

    The answers are kept on the invitation; the rating (channel survey_link) is recorded for the order unless the
    order was rated already (on site, by phone); a comment becomes a CB-13 opinion — a grievance when the rating is
    bad, else a suggestion."""
    now = now or timezone.now()
    invitation = _locked_invitation(token, now)
    if invitation.answered_at is not None:
        raise SurveyAlreadyAnswered(_("您已提交过评价，感谢您的参与"))
    if invitation.expires_at <= now:
        raise SurveyLinkExpired(_("链接已过期"))
    cleaned = clean_rating(level=level, tags=tags, comment=comment)
    solved_value = _yes_no(solved)
    invitation.answers = {
        "level": cleaned.level,
        "tags": cleaned.tags,
        "solved": solved_value,
        "comment": cleaned.comment,
    }
    invitation.answered_at = now
    invitation.opened_at = invitation.opened_at or now
    invitation.save(update_fields=["answers", "answered_at", "opened_at", "updated_at"])
    order = invitation.order
    verdict = bad_rating(level=cleaned.level, organization=invitation.organization, at=now)
    rating = None
    if order is not None and order.status in RATED_STATUSES:
        try:
            rating = rating_submit(
                order=order,
                level=cleaned.level,
                tags=cleaned.tags,
                comment=cleaned.comment,
                channel=RatingChannel.SURVEY_LINK,
                invitation=invitation,
                now=now,
            )
        except Conflict:  # rated on site or by phone already: the survey's answers still count for the survey
            rating = None
    opinion = None
    if cleaned.comment:
        opinion = Opinion.objects.create(
            organization=invitation.organization,
            kind=OpinionKind.GRIEVANCE if verdict.bad else OpinionKind.SUGGESTION,
            source=OpinionSource.SURVEY,
            text=cleaned.comment,
            customer_id=invitation.customer_id,
            staff_id=order.assignee_id if order is not None else None,
            invitation=invitation,
        )
    audit.record(
        actor=None,
        verb="callbacks.survey.answered",
        target=invitation,
        clause="CB-14",
        note=verdict.reason,
        organization=invitation.organization,
    )
    return SurveyResult(invitation, rating, opinion, verdict.bad)


# --- rectification ------------------------------------------------------------------------------------------


@transaction.atomic
@implements("CMP-06")
def rectification_complete(
    *, actor: Any, rectification_id: Any, measures: Any, now: datetime | None = None
) -> Rectification:
    """CMP-06 for a bad rating (a grievance): the rectification is done only with the measures taken and the person
    who records them (also a database check constraint). Callbacks.manage_callbacks in its center."""
    now = now or timezone.now()
    user = _user(actor)
    try:
        rectification = (
            Rectification.objects.select_for_update(of=("self",))
            .select_related("organization")
            .get(pk=rectification_id)
        )
    except (Rectification.DoesNotExist, ValueError, TypeError):
        raise ValidationFailed(_("整改记录不存在")) from None
    _require(user, MANAGE, rectification.organization, _("您没有处理差评整改的权限"))
    if rectification.status == RectificationStatus.DONE:
        raise Conflict(_("该整改已完成"))
    text = str(measures or "").strip()
    if not text:
        raise ValidationFailed(
            _("请填写整改措施（CMP-06：须有答复内容和处理人）"), fields={"measures": [_("此项必填")]}, clause="CMP-06"
        )
    if len(text) > 4000:
        raise ValidationFailed(_("整改措施不能超过 4000 字"), fields={"measures": [_("不能超过 4000 字")]})
    late = now > rectification.due_at
    rectification.measures = text
    rectification.status = RectificationStatus.DONE
    rectification.done_at = now
    rectification.done_by = user
    rectification.save(update_fields=["measures", "status", "done_at", "done_by", "updated_at"])
    audit.record(
        actor=user,
        verb="callbacks.rectification.completed",
        target=rectification,
        changes={"status": [RectificationStatus.OPEN, RectificationStatus.DONE]},
        clause="CMP-06",
        note=(_("逾期完成；") if late else "") + text[:200],
    )
    return rectification


def rectification_sweep(*, now: datetime) -> int:
    """Periodic (every 15 minutes): open rectifications past their deadline are flagged overdue — once each — and
    the owner (else the center manager) is notified. Returns how many were flagged."""
    from .services import _managers, _notify

    flagged = 0
    due = Rectification.objects.filter(
        status=RectificationStatus.OPEN, overdue_flagged_at__isnull=True, due_at__lte=now
    ).values_list("pk", flat=True)
    for pk in list(due[:500]):  # a handful a day; the next run takes any remainder
        with transaction.atomic():
            rectification = (
                Rectification.objects.select_for_update(of=("self",), skip_locked=True)
                .select_related("organization", "rating__order")
                .filter(pk=pk, status=RectificationStatus.OPEN, overdue_flagged_at__isnull=True)
                .first()
            )
            if rectification is None:
                continue
            rectification.overdue_flagged_at = now
            rectification.save(update_fields=["overdue_flagged_at", "updated_at"])
            audit.record(
                actor=None,
                verb="callbacks.rectification.overdue",
                target=rectification,
                note=_("差评整改逾期（定时检查）"),
            )
            recipients = [rectification.owner_id] if rectification.owner_id else _managers(rectification.organization)
            order = rectification.rating.order
            _notify(
                organization=rectification.organization,
                user_ids=recipients,
                verb="callbacks.rectification_overdue",
                title=_("差评整改已逾期：工单 %(no)s") % {"no": order.number},
                body=_("整改期限 %(due)s，尚未填写整改措施。")
                % {
                    "due": timezone.localtime(rectification.due_at, zone_of(rectification.organization)).strftime(
                        "%Y-%m-%d %H:%M"
                    )
                },
                link=f"/callbacks/rectifications/{rectification.pk}/",
                target=rectification,
                key=f"cb-rectification-overdue-{rectification.pk}",
            )
            flagged += 1
    return flagged
