"""及时奖励 (PTS-28): the list of a center's instant rewards with their status and approval (points.view_ledger),
and the form that records one and sends it to the center manager (points.verify_points,
services.instant_reward_request)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from servicecenter.core.access import has_permission_in
from servicecenter.core.errors import DomainError, NotAllowed
from servicecenter.core.forms import show_domain_error
from servicecenter.org.models import Organization, Staff
from servicecenter.policy.values import local_today

from .. import selectors, services
from ..choices import RequestStatus
from ..forms import RewardForm
from ..models import InstantReward
from .common import name_of, pick_center, url_pattern

PAGE_SIZE = 50


@login_required
@require_GET
def reward_list_view(request: HttpRequest) -> HttpResponse:
    center, centers = pick_center(request.user, _center_param(request), selectors.VIEW_LEDGER)
    qs = (
        InstantReward.objects.filter(organization=center)
        .select_related("staff", "requested_by__staff", "entry")
        .order_by("-day", "-id")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    approval_url = url_pattern("approvals:request_detail")
    entry_url = url_pattern("points:entry")
    statuses = dict(RequestStatus.choices)
    for reward in page.object_list:
        row: Any = reward
        row.requested_name = name_of(reward.requested_by)
        row.status_label = statuses.get(reward.status, reward.status)
        row.approval_url = approval_url.format(pk=reward.approval_id) if reward.approval_id else ""
        row.entry_url = entry_url.format(pk=reward.entry_id) if reward.entry_id else ""
    context = {
        "center": center,
        "centers": centers,
        "page": page,
        "page_query": f"center={center.pk}",
        "can_request": has_permission_in(user=request.user, permission=selectors.VERIFY, organization=center),
    }
    return render(request, "points/rewards.html", context)


def _center_param(request: HttpRequest) -> str | None:
    raw = request.POST.get("center") if request.method == "POST" else request.GET.get("center")
    if raw and not str(raw).isdigit():
        raise Http404("bad center")
    return raw


def _staff_choices(center: Organization) -> list[tuple[int, str]]:
    staff = Staff.objects.filter(organization__path__startswith=center.path, status__in=["active", "on_leave"])
    return [(s.pk, f"{s.name}（{s.staff_no}）") for s in staff.only("pk", "name", "staff_no").order_by("staff_no")]


@login_required
@require_http_methods(["GET", "POST"])
def reward_create_view(request: HttpRequest) -> HttpResponse:
    center, centers = pick_center(request.user, _center_param(request), selectors.VERIFY)
    choices = _staff_choices(center)
    if request.method == "GET":
        form = RewardForm(staff_choices=choices, initial={"day": local_today(center)})
        return render(request, "points/reward_form.html", {"form": form, "center": center, "centers": centers})
    form = RewardForm(request.POST, staff_choices=choices)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.instant_reward_request(
                actor=request.user,
                organization=center,
                staff_id=data["staff"],
                day=data["day"],
                reason=data["reason"],
                points=data.get("points"),
                amount_cny=data.get("amount_cny"),
            )
        except NotAllowed:
            raise PermissionDenied from None
        except DomainError as exc:
            show_domain_error(form, exc)
            status = exc.status_code
        else:
            messages.success(request, _("及时奖励已登记，待服务中心经理审批"))
            return redirect(f"{reverse('points:rewards')}?center={center.pk}")
    return render(
        request, "points/reward_form.html", {"form": form, "center": center, "centers": centers}, status=status
    )
