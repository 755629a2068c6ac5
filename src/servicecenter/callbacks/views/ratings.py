"""好差评 (ratings) and their rectification (差评整改).

- 好差评 `/callbacks/ratings/` (callbacks.view_satisfaction): every rating of the user's centers, the latest first,
  filtered by level, serviceman, month and «bad only», with the count per level; phones masked unless the user makes
  callbacks there. `/callbacks/ratings/new/` (callbacks.make_callback): staff record a rating given on site, by
  phone or on paper for a done order (surveys.rating_submit; one per order).
- 差评整改 `/callbacks/rectifications/` (view_satisfaction): open ones by deadline (the overdue lead), overdue, done,
  all; the page of one shows the rating, the order, the mandatory callback and the deadline's citation, and the
  manager (callbacks.manage_callbacks) records the measures to close it (surveys.rectification_complete, CMP-06).
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from servicecenter.core.access import has_permission_in
from servicecenter.core.errors import DomainError, NotAllowed
from servicecenter.org.selectors import mask_phone
from servicecenter.policy.values import zone_of

from .. import selectors, surveys
from ..choices import BAD_TAGS, GOOD_TAGS, RatingChannel, RatingLevel, RectificationStatus
from ..forms_surveys import MeasuresForm, RatingFilterForm, RatingRecordForm, parse_month
from .queue import pick_centers, url_pattern, user_name

LEVEL_CSS = {
    5: "text-bg-success",
    4: "text-bg-primary",
    3: "text-bg-secondary",
    2: "text-bg-warning",
    1: "text-bg-danger",
}


def place_errors(form: Any, exc: DomainError) -> None:
    """A service's refusal beside the fields it names (the form's own fields), else above the form."""
    placed = False
    for field, msgs in exc.fields.items():
        for msg in msgs:
            if field in form.fields:
                form.add_error(field, msg)
                placed = True
    if not placed:
        form.add_error(None, exc.message)


def _centers(request: HttpRequest, permission: str) -> list[Any]:
    centers = selectors.callback_centers(user=request.user, permission=permission)
    if not centers:
        raise PermissionDenied
    return centers


def _posted_center(request: HttpRequest, centers: list[Any]) -> None:
    """A posted center outside the user's centers does not exist for them (404, like the center pickers)."""
    raw = request.POST.get("center")
    if raw and raw not in {str(c.pk) for c in centers}:
        raise Http404("no such center")


def tag_label_map() -> dict[str, str]:
    """Every reason tag's label in the reader's language, by code (translated once per request)."""
    return {code: _(label) for code, label in (*GOOD_TAGS.items(), *BAD_TAGS.items())}


def present_ratings(ratings: list[Any], *, user: Any) -> None:
    """What each rating row prints: labels from dicts, URLs from one reversed pattern, the phone as the user may
    see it (the full number for those who make callbacks in that center: they call the customer back)."""
    order_url = url_pattern("workorders:order_detail")
    rectification_url = url_pattern("callbacks:rectification_detail")
    levels = {k: str(v) for k, v in RatingLevel.choices}
    channels = {k: str(v) for k, v in RatingChannel.choices}
    labels = tag_label_map()
    for rating in ratings:
        row: Any = rating
        row.order_url = order_url.format(pk=rating.order_id)
        row.level_label = levels.get(rating.level, rating.level)
        row.level_css = LEVEL_CSS.get(rating.level, "text-bg-light")
        row.channel_label = channels.get(rating.channel, rating.channel)
        row.tag_labels = [labels.get(code, code) for code in rating.tags or []]
        phone = rating.order.phone
        row.phone_shown = (
            phone if selectors.can_see_phone(user=user, organization=rating.organization) else mask_phone(phone)
        )
        row.staff_name = rating.staff.name if rating.staff_id else ""
        try:
            rectification = rating.rectification
        except ObjectDoesNotExist:  # a good rating has none
            rectification = None
        row.rectification_url = rectification_url.format(pk=rectification.pk) if rectification else ""
        row.rectification_done = bool(rectification and rectification.status == RectificationStatus.DONE)


@login_required
@require_GET
def rating_list_view(request: HttpRequest) -> HttpResponse:
    """好差评: the ratings of the user's centers with filters, the counts per level and paging."""
    centers = _centers(request, selectors.VIEW_SATISFACTION)
    chosen, shown = pick_centers(centers, request.GET.get("center"))
    staff = selectors.center_staff_choices(center=chosen or (centers[0] if len(centers) == 1 else None))
    form = RatingFilterForm(request.GET, centers=centers, staff=staff)
    context: dict[str, Any] = {
        "form": form,
        "centers": centers,
        "center": chosen,
        "can_record": bool(selectors.callback_centers(user=request.user, permission=selectors.MAKE)),
        "levels": [],
        "page": None,
    }
    if not form.is_valid():
        return render(request, "callbacks/rating_list.html", context, status=400)
    data = form.cleaned_data
    zone = zone_of(chosen or centers[0])
    start = end = None
    month = parse_month(data.get("month"))
    if month is not None:
        start = datetime.combine(month[0], time.min, tzinfo=zone)
        end = datetime.combine(month[1], time.min, tzinfo=zone)
    filters = selectors.RatingFilters(
        centers=shown,
        level=data.get("level"),
        staff=data.get("staff"),
        start=start,
        end=end,
        bad_only=bool(data.get("bad")),
    )
    page = Paginator(selectors.rating_list(filters=filters), selectors.RATING_PAGE).get_page(request.GET.get("page"))
    present_ratings(list(page.object_list), user=request.user)
    counts = selectors.rating_level_counts(filters=filters)
    query = request.GET.copy()
    query.pop("page", None)
    context.update(
        page=page,
        page_query=query.urlencode(),
        levels=[(level, label, counts.get(level, 0), LEVEL_CSS[level]) for level, label in RatingLevel.choices],
        total=sum(counts.values()),
    )
    return render(request, "callbacks/rating_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def rating_create_view(request: HttpRequest) -> HttpResponse:
    """Record a rating given on site, by phone or on paper (surveys.rating_submit): the order by its number in the
    center, the level, the reason tags of the level's group and the comment. One rating per service."""
    centers = _centers(request, selectors.MAKE)
    initial = {"center": centers[0].pk, "order": request.GET.get("order", "")[:20]}
    form = RatingRecordForm(request.POST or None, centers=centers, initial=initial)
    context: dict[str, Any] = {
        "form": form,
        "good_tags": {code: _(label) for code, label in GOOD_TAGS.items()},
        "bad_tags": {code: _(label) for code, label in BAD_TAGS.items()},
    }
    if request.method == "GET":
        return render(request, "callbacks/rating_form.html", context)
    _posted_center(request, centers)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        center = next(c for c in centers if str(c.pk) == str(data["center"]))
        order = selectors.rating_order(center=center, number=data["order"])
        if order is None:
            form.add_error("order", _("本中心没有该工单号的已完工工单"))
        else:
            try:
                rating = surveys.rating_submit(
                    order=order,
                    level=data.get("level"),
                    tags=data.get("tags") or [],
                    comment=data.get("comment") or "",
                    channel=data["channel"],
                    actor=request.user,
                )
            except NotAllowed as exc:
                raise PermissionDenied(exc.message) from None
            except DomainError as exc:
                place_errors(form, exc)
                status = exc.status_code
            else:
                text = _("已登记工单 %(no)s 的评价：%(level)s") % {
                    "no": order.number,
                    "level": rating.get_level_display(),
                }
                if hasattr(rating, "rectification"):
                    text += _("。差评已生成整改任务和差评回访，并通知中心经理。")
                    messages.warning(request, text)
                else:
                    messages.success(request, text)
                return redirect(reverse("callbacks:ratings") + f"?center={center.pk}")
    return render(request, "callbacks/rating_form.html", context, status=status)


# --- rectification ---------------------------------------------------------------------------------------------------

STATE_TABS = (
    ("open", gettext_lazy("整改中")),
    ("overdue", gettext_lazy("已逾期")),
    ("done", gettext_lazy("已整改")),
    ("all", gettext_lazy("全部")),
)


@login_required
@require_GET
def rectification_list_view(request: HttpRequest) -> HttpResponse:
    """差评整改: tabs 整改中 (nearest deadline first: the overdue lead), 已逾期, 已整改, 全部 (open first)."""
    centers = _centers(request, selectors.VIEW_SATISFACTION)
    chosen, shown = pick_centers(centers, request.GET.get("center"))
    state = request.GET.get("state", "open")
    if state not in selectors.RECTIFICATION_STATES:
        state = "open"
    now = timezone.now()
    qs = selectors.rectification_list(centers=shown, state=state, now=now)
    page = Paginator(qs, selectors.RECTIFICATION_PAGE).get_page(request.GET.get("page"))
    detail = url_pattern("callbacks:rectification_detail")
    order_url = url_pattern("workorders:order_detail")
    levels = {k: str(v) for k, v in RatingLevel.choices}
    labels = tag_label_map()
    for rectification in page.object_list:
        row: Any = rectification
        rating = rectification.rating
        row.url = detail.format(pk=rectification.pk)
        row.order_url = order_url.format(pk=rating.order_id)
        row.level_label = levels.get(rating.level, rating.level)
        row.level_css = LEVEL_CSS.get(rating.level, "text-bg-light")
        row.why = "、".join(labels.get(code, code) for code in rating.tags or [])
        row.owner_name = user_name(rectification.owner)
        row.staff_name = rating.staff.name if rating.staff_id else ""
        row.overdue = rectification.status == RectificationStatus.OPEN and rectification.due_at < now
    counts = selectors.rectification_counts(centers=shown, now=now)
    center_query = f"center={chosen.pk}&" if chosen and len(centers) > 1 else ""
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "page_query": query.urlencode(),
        "state": state,
        "tabs": [(key, label, counts.get(key, 0)) for key, label in STATE_TABS],
        "centers": centers,
        "center": chosen,
        "center_query": center_query,
    }
    return render(request, "callbacks/rectification_list.html", context)


def _detail_context(request: HttpRequest, rectification: Any, form: MeasuresForm) -> dict[str, Any]:
    rating = rectification.rating
    present_ratings([rating], user=request.user)
    now = timezone.now()
    callback = rectification.callback
    return {
        "r": rectification,
        "rating": rating,
        "order": rating.order,
        "form": form,
        "overdue": rectification.status == RectificationStatus.OPEN and rectification.due_at < now,
        "owner_name": user_name(rectification.owner),
        "done_by_name": user_name(rectification.done_by),
        "recorded_by_name": user_name(rating.recorded_by),
        "callback": callback,
        "callback_url": url_pattern("callbacks:call").format(pk=callback.pk) if callback else "",
        "can_complete": rectification.status == RectificationStatus.OPEN
        and has_permission_in(user=request.user, permission=selectors.MANAGE, organization=rectification.organization),
    }


@login_required
@require_GET
def rectification_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    rectification = selectors.access_rectification(user=request.user, pk=pk)
    context = _detail_context(request, rectification, MeasuresForm())
    return render(request, "callbacks/rectification_detail.html", context)


@login_required
@require_POST
def rectification_complete_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The manager records the measures taken: the rectification is done (CMP-06: measures and handler required)."""
    rectification = selectors.access_rectification(user=request.user, pk=pk)
    form = MeasuresForm(request.POST)
    form.is_valid()
    try:
        surveys.rectification_complete(
            actor=request.user, rectification_id=rectification.pk, measures=form.cleaned_data.get("measures", "")
        )
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        place_errors(form, exc)
        rectification.refresh_from_db()
        context = _detail_context(request, rectification, form)
        return render(request, "callbacks/rectification_detail.html", context, status=exc.status_code)
    messages.success(request, _("已记录整改措施，整改完成"))
    return redirect("callbacks:rectification_detail", pk=rectification.pk)
