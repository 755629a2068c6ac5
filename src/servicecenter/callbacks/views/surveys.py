"""意见调查 (CB-12 campaigns) and the courtesy-callback summary (CB-10).

- `/callbacks/campaigns/` (callbacks.manage_callbacks): the centers' campaigns with their response counts; create a
  draft (campaigns.campaign_create), launch it (one invitation per sampled order of the period; texts for the sms
  channel), close it (unanswered links stop). A campaign's page shows the response rate, the rating distribution
  and the answers (aggregated queries, paged); the link and post channels print a list of links or a mailing list.
- `/callbacks/courtesy/` (callbacks.view_satisfaction): the courtesy callbacks (CB-09) of a month per technician for
  the manager (CB-10), each count linking to the callback history filtered to it.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from servicecenter.core.errors import Conflict, DomainError, NotAllowed
from servicecenter.org.selectors import mask_phone
from servicecenter.policy.values import zone_of

from .. import campaigns, selectors, surveys
from ..choices import CampaignStatus, InvitationChannel, RatingLevel
from ..forms_surveys import CampaignForm, CourtesyFilterForm, parse_month
from .queue import pick_centers, url_pattern, user_name
from .ratings import _posted_center, place_errors

HISTORY_PATH = "/callbacks/queue/history/"
STATUS_CSS = {"draft": "text-bg-secondary", "running": "text-bg-success", "closed": "text-bg-light border"}


def _centers(request: HttpRequest, permission: str) -> list[Any]:
    centers = selectors.callback_centers(user=request.user, permission=permission)
    if not centers:
        raise PermissionDenied
    return centers


@login_required
@require_GET
def campaign_list_view(request: HttpRequest) -> HttpResponse:
    """意见调查: the campaigns of the user's centers, the newest first, with invited / answered counts."""
    centers = _centers(request, selectors.MANAGE)
    chosen, shown = pick_centers(centers, request.GET.get("center"))
    page = Paginator(selectors.campaign_list(centers=shown), selectors.CAMPAIGN_PAGE).get_page(request.GET.get("page"))
    detail = url_pattern("callbacks:campaign_detail")
    statuses = {k: str(v) for k, v in CampaignStatus.choices}
    for campaign in page.object_list:
        row: Any = campaign
        row.url = detail.format(pk=campaign.pk)
        row.status_label = statuses.get(campaign.status, campaign.status)
        row.status_css = STATUS_CSS.get(campaign.status, "")
        row.response_rate = round(100.0 * campaign.answered / campaign.invited, 1) if campaign.invited else None
    query = request.GET.copy()
    query.pop("page", None)
    context = {"page": page, "page_query": query.urlencode(), "centers": centers, "center": chosen}
    return render(request, "callbacks/survey_campaign_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create_view(request: HttpRequest) -> HttpResponse:
    """A new draft campaign (CB-12); launched from its page once checked."""
    centers = _centers(request, selectors.MANAGE)
    form = CampaignForm(request.POST or None, centers=centers, initial={"center": centers[0].pk})
    if request.method == "GET":
        return render(request, "callbacks/survey_campaign_form.html", {"form": form})
    _posted_center(request, centers)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        center = next(c for c in centers if str(c.pk) == str(data["center"]))
        try:
            campaign = campaigns.campaign_create(
                actor=request.user,
                organization=center,
                name=data["name"],
                kind=data["kind"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                sample_rate=data["sample_rate"],
                channel=data["channel"],
                repeat_monthly=data["repeat_monthly"],
                note=data["note"],
            )
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from None
        except DomainError as exc:
            place_errors(form, exc)
            status = exc.status_code
        else:
            messages.success(request, _("已创建调查草稿，请核对后发出"))
            return redirect("callbacks:campaign_detail", pk=campaign.pk)
    return render(request, "callbacks/survey_campaign_form.html", {"form": form}, status=status)


def _answer_rows(page: Any) -> None:
    order_url = url_pattern("workorders:order_detail")
    levels: dict[Any, str] = {k: str(v) for k, v in RatingLevel.choices}
    for invitation in page.object_list:
        row: Any = invitation
        answers = invitation.answers or {}
        level = answers.get("level")
        row.level = level
        row.level_label = levels.get(level, "—")
        row.tag_labels = surveys.tag_labels(answers.get("tags") or [])
        row.solved = answers.get("solved")
        row.comment = answers.get("comment") or ""
        row.order_url = order_url.format(pk=invitation.order_id) if invitation.order_id else ""


@login_required
@require_GET
def campaign_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A campaign: its settings, the response rate and rating distribution (one aggregate query), the answers (paged);
    a draft shows how many services its period holds; launch / close / print buttons by state and channel."""
    campaign = selectors.access_campaign(user=request.user, pk=pk)
    stats = selectors.campaign_stats(campaign=campaign)
    page = Paginator(selectors.campaign_answers(campaign=campaign), selectors.ANSWER_PAGE).get_page(
        request.GET.get("page")
    )
    _answer_rows(page)
    candidates = None
    if campaign.status == CampaignStatus.DRAFT:
        in_period = campaigns.campaign_candidates(campaign).count()
        candidates = {"count": in_period, "expected": round(in_period * float(campaign.sample_rate) / 100)}
    context = {
        "c": campaign,
        "stats": stats,
        "page": page,
        "page_query": "",
        "candidates": candidates,
        "status_css": STATUS_CSS.get(campaign.status, ""),
        "created_by_name": user_name(campaign.created_by),
        "printable": campaign.channel in (InvitationChannel.LINK, InvitationChannel.POST)
        and campaign.status != CampaignStatus.DRAFT,
        "max_level_count": max([lv["count"] for lv in stats["levels"]] + [1]),
    }
    return render(request, "callbacks/survey_campaign_detail.html", context)


def _campaign_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    campaign = selectors.access_campaign(user=request.user, pk=pk)
    try:
        if action == "launch":
            launch = campaigns.campaign_launch(actor=request.user, campaign_id=campaign.pk)
            messages.success(
                request,
                _("调查已发出：可调查的服务 %(n)s 单，发出 %(k)s 份（已答过调查或已评价的不再邀请）")
                % {"n": launch.in_period, "k": launch.invited},
            )
        else:
            campaigns.campaign_close(actor=request.user, campaign_id=campaign.pk)
            messages.success(request, _("调查已结束，未填写的链接已失效"))
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except Conflict as exc:
        messages.info(request, exc.message)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("callbacks:campaign_detail", pk=campaign.pk)


@login_required
@require_POST
def campaign_launch_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _campaign_action(request, pk, "launch")


@login_required
@require_POST
def campaign_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _campaign_action(request, pk, "close")


@login_required
@require_GET
def campaign_print_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable list of a launched campaign: the survey links (channel link: to hand out or read out) or the
    mailing list (channel post: name, address, order and the link to print on the form), 500 per page. Links are the
    short form (surveys.short_path), short enough to type from paper."""
    campaign = selectors.access_campaign(user=request.user, pk=pk)
    if campaign.status == CampaignStatus.DRAFT:
        messages.info(request, _("调查发出后才能打印"))
        return redirect("callbacks:campaign_detail", pk=campaign.pk)
    kind = request.GET.get("kind") or ("post" if campaign.channel == InvitationChannel.POST else "links")
    if kind not in ("links", "post"):
        kind = "links"
    page = Paginator(selectors.campaign_invitations(campaign=campaign), selectors.PRINT_PAGE).get_page(
        request.GET.get("page")
    )
    site = request.build_absolute_uri("/").rstrip("/")
    now = timezone.now()
    for invitation in page.object_list:
        row: Any = invitation
        row.link = site + surveys.short_path(invitation)  # typed in from paper: the short code
        row.state = (
            _("已填写") if invitation.answered_at else (_("已过期") if invitation.expires_at <= now else _("未填写"))
        )
        row.phone_masked = mask_phone(invitation.phone)
    context = {"c": campaign, "page": page, "page_query": f"kind={kind}", "kind": kind}
    return render(request, "callbacks/survey_campaign_print.html", context)


# --- courtesy callbacks per technician (CB-10) -----------------------------------------------------------------------


@login_required
@require_GET
def courtesy_view(request: HttpRequest) -> HttpResponse:
    """温馨回访汇总 (CB-10): per technician, the month's courtesy callbacks — done, unreachable, solved rate, attitude
    distribution, mean score (and 0–100, C-10) — with the center's line; counts link to the callback history."""
    centers = _centers(request, selectors.VIEW_SATISFACTION)
    chosen, shown = pick_centers(centers, request.GET.get("center"))
    form = CourtesyFilterForm(request.GET, centers=centers)
    context: dict[str, Any] = {"form": form, "centers": centers, "center": chosen, "rows": [], "total": None}
    if not form.is_valid():
        return render(request, "callbacks/survey_courtesy.html", context, status=400)
    month_text = form.cleaned_data.get("month") or timezone.localdate().strftime("%Y-%m")
    first, after = parse_month(month_text) or parse_month(timezone.localdate().strftime("%Y-%m"))  # type: ignore[misc]
    zone = zone_of(chosen or centers[0])
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine(after, time.min, tzinfo=zone)
    rows = selectors.courtesy_summary(centers=shown, start=start, end=end)
    history = _history_url()
    base = {"month": month_text, "kind": "courtesy"}
    if chosen is not None:
        base["center"] = str(chosen.pk)

    def link(**params: Any) -> str:
        return f"{history}?{urlencode({**base, **params})}"

    for row in rows:
        tech = {"technician": row["technician_id"]} if row["technician_id"] else {}
        row["links"] = {
            "done": link(**tech, status="done"),
            "unreachable": link(**tech, status="unreachable"),
            "solved_no": link(**tech, status="done", solved="no"),
            "satisfied": link(**tech, attitude="satisfied"),
            "average": link(**tech, attitude="average"),
            "dissatisfied": link(**tech, attitude="dissatisfied"),
        }
        row["solved_no"] = row["solved_answered"] - row["solved_yes"]
    total = selectors.courtesy_totals(rows) if rows else None
    if total is not None:
        total["solved_no"] = total["solved_answered"] - total["solved_yes"]
        total["links"] = {
            "done": link(status="done"),
            "unreachable": link(status="unreachable"),
            "solved_no": link(status="done", solved="no"),
            "satisfied": link(attitude="satisfied"),
            "average": link(attitude="average"),
            "dissatisfied": link(attitude="dissatisfied"),
        }
    context.update(rows=rows, total=total, month=month_text)
    return render(request, "callbacks/survey_courtesy.html", context)


def _history_url() -> str:
    """The callback history list (the queue's «回访记录»), whose GET filters are the agreed drill-down interface:
    technician, month=YYYY-MM, kind, status, attitude, solved=yes|no, center (docs/callbacks.md)."""
    try:
        return reverse("callbacks:queue_history")
    except NoReverseMatch:
        return HISTORY_PATH
