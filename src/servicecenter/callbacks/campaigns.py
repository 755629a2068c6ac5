"""Survey campaigns (CB-12): scheduled or ad-hoc customer-opinion surveys over the services returned in a period.

A campaign is created as a draft, launched (one invitation per sampled order of the period, CB-14 links sent by
text, or printed for the "link" and "post" channels), and closed (its unanswered links stop working). A scheduled
campaign over a whole month may repeat monthly: the periodic job `campaign_monthly_runs` creates and launches the
next month's run once that month has ended.
"""

from __future__ import annotations

import calendar
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicecenter.core import audit
from servicecenter.core.errors import Conflict, ValidationFailed
from servicecenter.core.policy import implements
from servicecenter.org.models import Organization
from servicecenter.policy.values import zone_of
from servicecenter.workorders.choices import OrderKind
from servicecenter.workorders.models import WorkOrder

from .choices import CampaignKind, CampaignStatus, InvitationChannel
from .models import SurveyCampaign, SurveyInvitation
from .surveys import MANAGE, RATED_STATUSES, _require, _send_link, _user, _valid_days

# One launch creates at most this many invitations (and texts) inside one request; a larger campaign is refused
# with a clear message (shorten the period or lower the sample rate).
LAUNCH_CAP = 5000


def _month_bounds(day: date) -> tuple[date, date]:
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _parse_date(raw: Any) -> date | None:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw or "").strip())
    except ValueError:
        return None


def _period_bounds(campaign: SurveyCampaign) -> tuple[datetime, datetime]:
    zone = zone_of(campaign.organization)
    start = datetime.combine(campaign.period_start, time.min, tzinfo=zone)
    end = datetime.combine(campaign.period_end + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


@implements("CB-12")
def campaign_sampled(*, campaign_id: int, order_number: str, rate: Decimal) -> bool:
    """CB-12: whether an order of the period is drawn for a campaign at `rate` % — a hash of the campaign and the
    order number: random across orders, reproducible (the same campaign draws the same orders), and different
    campaigns draw different samples."""
    if rate >= 100:
        return True
    if rate <= 0:
        return False
    draw = int(hashlib.sha256(f"{campaign_id}:{order_number}".encode()).hexdigest()[:8], 16) % 10000
    return Decimal(draw) < rate * 100


def _clean_campaign(
    *,
    name: Any,
    kind: Any,
    period_start: Any,
    period_end: Any,
    sample_rate: Any,
    channel: Any,
    repeat_monthly: bool,
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    name_text = str(name or "").strip()
    if not name_text:
        errors["name"] = [_("此项必填")]
    elif len(name_text) > 100:
        errors["name"] = [_("不能超过 100 个字")]
    if kind not in CampaignKind.values:
        errors["kind"] = [_("请选择有效的选项")]
    if channel not in InvitationChannel.values:
        errors["channel"] = [_("请选择有效的选项")]
    start, end = _parse_date(period_start), _parse_date(period_end)
    if start is None:
        errors["period_start"] = [_("请填写有效的日期")]
    if end is None:
        errors["period_end"] = [_("请填写有效的日期")]
    if start and end:
        if end < start:
            errors["period_end"] = [_("截止日期不能早于起始日期")]
        elif (end - start).days > 366:
            errors["period_end"] = [_("服务日期范围最长一年")]
        elif repeat_monthly and (start, end) != _month_bounds(start):
            errors["period_start"] = [_("每月重复的调查须覆盖一个完整的自然月（1 日至月末）")]
    if repeat_monthly and kind != CampaignKind.SCHEDULED:
        errors["repeat_monthly"] = [_("只有定期调查可以每月重复")]
    try:
        rate = Decimal(str(sample_rate).strip())
        if not rate.is_finite() or rate <= 0 or rate > 100 or rate != rate.quantize(Decimal("0.01")):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["sample_rate"] = [_("抽样比例须为 0.01–100 之间的数（最多两位小数）")]
        rate = Decimal(0)
    if errors:
        raise ValidationFailed(_("调查设置有误，请检查标出的项目"), fields=errors, clause="CB-12")
    return {
        "name": name_text,
        "kind": kind,
        "period_start": start,
        "period_end": end,
        "sample_rate": rate,
        "channel": channel,
        "repeat_monthly": repeat_monthly,
    }


@transaction.atomic
def campaign_create(
    *,
    actor: Any,
    organization: Organization,
    name: Any,
    kind: Any,
    period_start: Any,
    period_end: Any,
    sample_rate: Any = 100,
    channel: Any = InvitationChannel.SMS,
    repeat_monthly: Any = False,
    note: Any = "",
) -> SurveyCampaign:
    """CB-12: a draft survey campaign over the services returned in a period (scheduled or ad hoc; a scheduled one
    over a whole month may repeat monthly). callbacks.manage_callbacks in the center."""
    user = _user(actor)
    _require(user, MANAGE, organization, _("您没有管理意见调查的权限"))
    data = _clean_campaign(
        name=name,
        kind=kind,
        period_start=period_start,
        period_end=period_end,
        sample_rate=sample_rate,
        channel=channel,
        repeat_monthly=bool(repeat_monthly),
    )
    campaign = SurveyCampaign.objects.create(
        organization=organization, created_by=user, note=str(note or "").strip()[:2000], **data
    )
    audit.record(actor=user, verb="callbacks.campaign.created", target=campaign, clause="CB-12")
    return campaign


def _locked_campaign(campaign_id: Any) -> SurveyCampaign:
    try:
        return SurveyCampaign.objects.select_for_update(of=("self",)).select_related("organization").get(pk=campaign_id)
    except (SurveyCampaign.DoesNotExist, ValueError, TypeError):
        raise ValidationFailed(_("调查不存在")) from None


@dataclass(frozen=True)
class Launch:
    campaign: SurveyCampaign
    in_period: int  # returned orders of the period not yet surveyed
    invited: int
    already_answered: int


def campaign_candidates(campaign: SurveyCampaign) -> Any:
    """The orders a campaign may survey: returned (or closed after return) in its period, not inquiries, and whose
    customer has not answered a survey or rated the service already."""
    start, end = _period_bounds(campaign)
    return (
        WorkOrder.objects.filter(
            organization_id=campaign.organization_id,
            returned_at__gte=start,
            returned_at__lt=end,
            status__in=RATED_STATUSES,
        )
        .exclude(kind=OrderKind.INQUIRY)
        .exclude(survey_invitations__answered_at__isnull=False)
        .exclude(rating__isnull=False)
    )


@transaction.atomic
@implements("CB-12", "CB-14")
def campaign_launch(*, actor: Any, campaign_id: Any, now: datetime | None = None) -> Launch:
    """CB-12: send a draft campaign — one invitation per sampled order of the period (campaign_sampled), each
    valid `callbacks.survey_link_valid_days`; channel sms texts the link (CB-14), link and post are printed from the
    campaign page. `actor` None is the monthly job. More than LAUNCH_CAP invitations are refused."""
    now = now or timezone.now()
    user = _user(actor)
    campaign = _locked_campaign(campaign_id)
    if user is not None:
        _require(user, MANAGE, campaign.organization, _("您没有管理意见调查的权限"))
    if campaign.status != CampaignStatus.DRAFT:
        raise Conflict(_("该调查已发出或已结束（%(s)s）") % {"s": campaign.get_status_display()})
    start, end = _period_bounds(campaign)
    answered = (
        WorkOrder.objects.filter(organization_id=campaign.organization_id, returned_at__gte=start, returned_at__lt=end)
        .filter(survey_invitations__answered_at__isnull=False)
        .values("pk")
        .distinct()
        .count()
    )
    rows = list(
        campaign_candidates(campaign).order_by("returned_at", "pk").values_list("pk", "number", "customer_id", "phone")
    )
    chosen = [
        row for row in rows if campaign_sampled(campaign_id=campaign.pk, order_number=row[1], rate=campaign.sample_rate)
    ]
    if len(chosen) > LAUNCH_CAP:
        raise ValidationFailed(
            _("本次将发出 %(n)s 份调查，超过单次上限 %(cap)s 份：请缩小服务日期范围或降低抽样比例")
            % {"n": len(chosen), "cap": LAUNCH_CAP},
            fields={"sample_rate": [_("请降低抽样比例")]},
            clause="CB-12",
        )
    expires = now + timedelta(days=_valid_days(campaign.organization, now))
    sms = campaign.channel == InvitationChannel.SMS
    invitations = SurveyInvitation.objects.bulk_create(
        [
            SurveyInvitation(
                organization_id=campaign.organization_id,
                campaign=campaign,
                order_id=pk,
                customer_id=customer_id,
                phone=phone,
                channel=campaign.channel,
                nonce=secrets.token_hex(16),
                expires_at=expires,
                sent_at=now if sms and phone else None,  # no number, no text: the list shows it unsent
            )
            for pk, _number, customer_id, phone in chosen
        ],
        batch_size=500,
    )
    if invitations and invitations[0].pk is None:  # a database that returns no ids from a bulk insert
        invitations = list(SurveyInvitation.objects.filter(campaign=campaign))
    if sms:
        numbers = {pk: number for pk, number, _c, _p in chosen}
        for invitation in invitations:
            _send_link(invitation, organization=campaign.organization, number=numbers[invitation.order_id])
    campaign.status = CampaignStatus.RUNNING
    campaign.launched_at = now
    campaign.save(update_fields=["status", "launched_at", "updated_at"])
    audit.record(
        actor=user,
        verb="callbacks.campaign.launched",
        target=campaign,
        changes={"status": [CampaignStatus.DRAFT, CampaignStatus.RUNNING]},
        clause="CB-12",
        note=_("可调查的服务 %(n)s 单（另有 %(a)s 单已答过调查，不再邀请），抽样 %(rate)s%%，发出 %(k)s 份")
        % {"n": len(rows), "a": answered, "rate": campaign.sample_rate, "k": len(invitations)}
        + ("" if user is not None else _("（每月定时任务）")),
    )
    return Launch(campaign, len(rows), len(invitations), answered)


@transaction.atomic
def campaign_close(*, actor: Any, campaign_id: Any, now: datetime | None = None) -> SurveyCampaign:
    """End a campaign (draft or running): its unanswered links stop working at once (they show «链接已过期»)."""
    now = now or timezone.now()
    user = _user(actor)
    campaign = _locked_campaign(campaign_id)
    _require(user, MANAGE, campaign.organization, _("您没有管理意见调查的权限"))
    if campaign.status == CampaignStatus.CLOSED:
        raise Conflict(_("该调查已结束"))
    previous = campaign.status
    expired = SurveyInvitation.objects.filter(campaign=campaign, answered_at__isnull=True, expires_at__gt=now).update(
        expires_at=now
    )
    campaign.status = CampaignStatus.CLOSED
    campaign.closed_at = now
    campaign.repeat_monthly = False  # a closed series stops repeating
    campaign.save(update_fields=["status", "closed_at", "repeat_monthly", "updated_at"])
    audit.record(
        actor=user,
        verb="callbacks.campaign.closed",
        target=campaign,
        changes={"status": [previous, CampaignStatus.CLOSED]},
        clause="CB-12",
        note=_("未填写的 %(n)s 份链接已失效") % {"n": expired},
    )
    return campaign


_MONTH_SUFFIX = re.compile(r"\s*\d{4}-\d{2}$")


def campaign_monthly_runs(*, now: datetime) -> list[SurveyCampaign]:
    """CB-12 scheduled campaigns: once a month has ended, a campaign that repeats monthly gets its next run over
    that month — created with the same settings, launched at once (the monthly job, actor None), and the repeat
    passes to the new run (so the series continues from its newest run). Idempotent; catches up missed months."""
    created: list[SurveyCampaign] = []
    ids = list(
        SurveyCampaign.objects.filter(
            repeat_monthly=True, kind=CampaignKind.SCHEDULED, status=CampaignStatus.RUNNING
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        for _step in range(24):  # at most two years of missed months in one run
            made = _next_monthly_run(pk, now)
            if made is None:
                break
            created.append(made)
            pk = made.pk
    return created


def _next_monthly_run(campaign_id: int, now: datetime) -> SurveyCampaign | None:
    with transaction.atomic():
        campaign = (
            SurveyCampaign.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("organization", "created_by")
            .filter(pk=campaign_id, repeat_monthly=True, status=CampaignStatus.RUNNING)
            .first()
        )
        if campaign is None:
            return None
        start, end = _month_bounds(campaign.period_end + timedelta(days=1))
        today = timezone.localdate(now, timezone=zone_of(campaign.organization))
        if today <= end:  # the next month has not ended yet
            return None
        stem = _MONTH_SUFFIX.sub("", campaign.name)
        run = SurveyCampaign.objects.create(
            organization=campaign.organization,
            name=f"{stem} {start:%Y-%m}"[:100],
            kind=campaign.kind,
            period_start=start,
            period_end=end,
            repeat_monthly=True,
            sample_rate=campaign.sample_rate,
            channel=campaign.channel,
            note=campaign.note,
            created_by=campaign.created_by,
        )
        campaign.repeat_monthly = False
        campaign.save(update_fields=["repeat_monthly", "updated_at"])
        audit.record(
            actor=None,
            verb="callbacks.campaign.created",
            target=run,
            clause="CB-12",
            note=_("每月定时任务：接续“%(name)s”") % {"name": campaign.name},
        )
        try:
            with transaction.atomic():
                campaign_launch(actor=None, campaign_id=run.pk, now=now)
        except ValidationFailed as exc:  # over the cap: the run stays a draft for the manager to adjust
            audit.record(
                actor=None, verb="callbacks.campaign.launch_failed", target=run, clause="CB-12", note=exc.message
            )
        return run
