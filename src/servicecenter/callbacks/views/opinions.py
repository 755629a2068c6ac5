"""客户意见 (CB-13): suggestions, grievances and ratings of staff — from callbacks (CB-06), surveys, ratings, or
recorded by hand (letter, counter) — listed for the manager, who replies and closes each one; no opinion closes
without a response and its handler (CMP-06: the refusal is shown beside the reply box).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from servicecenter.core.access import has_permission_anywhere
from servicecenter.core.errors import Conflict, DomainError, NotAllowed
from servicecenter.customers import selectors as customer_selectors
from servicecenter.org.selectors import mask_phone

from .. import selectors, services
from ..choices import OpinionKind, OpinionSource, OpinionStatus
from ..forms import OpinionCloseForm, OpinionFilterForm, OpinionRecordForm
from ..models import Opinion
from .queue import form_errors, pick_centers, url_pattern, user_name

PAGE_SIZE = 20


def _list(
    request: HttpRequest, *, failed: Opinion | None = None, close_form: Any = None, status: int = 200
) -> HttpResponse:
    centers = selectors.callback_centers(user=request.user, permission=selectors.MANAGE)
    if not centers:
        raise PermissionDenied
    params = request.GET.copy()
    if "status" not in params:
        params["status"] = OpinionStatus.OPEN  # the default tab: what still needs a reply
    chosen, shown = pick_centers(centers, params.get("center"))
    form = OpinionFilterForm(params, centers=centers)
    valid = form.is_valid()
    data = form.cleaned_data if valid else {}
    qs = selectors.opinion_list(
        centers=shown, kind=data.get("kind") or "", status=data.get("status") or "", source=data.get("source") or ""
    )
    page = Paginator(qs if valid else qs.none(), PAGE_SIZE).get_page(request.GET.get("page"))
    kinds = {k: str(v) for k, v in OpinionKind.choices}
    sources = {k: str(v) for k, v in OpinionSource.choices}
    call_url = url_pattern("callbacks:call")
    for opinion in page.object_list:
        row: Any = opinion
        row.kind_label = kinds.get(opinion.kind, opinion.kind)
        row.source_label = sources.get(opinion.source, opinion.source)
        row.task_url = call_url.format(pk=opinion.task_id) if opinion.task_id else ""
        row.handler_name = user_name(opinion.handled_by)
        row.customer_phone = ""
        if opinion.customer_id:
            visible = selectors.can_see_phone(user=request.user, organization=opinion.organization)
            row.customer_phone = opinion.customer.phone if visible else mask_phone(opinion.customer.phone)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "center": chosen,
        "several_centers": len(centers) > 1,
        "page_query": query.urlencode(),
        "here": request.get_full_path() if request.method == "GET" else request.POST.get("next", ""),
        "failed": failed,
        "failed_form": close_form,
        "close_url": url_pattern("callbacks:opinion_close"),
    }
    return render(request, "callbacks/opinion_list.html", context, status=status if valid else 400)


@login_required
@require_GET
def opinion_list_view(request: HttpRequest) -> HttpResponse:
    """客户意见: filter by status (default 待答复), kind and source; reply and close in place."""
    return _list(request)


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("callbacks:opinions")


@login_required
@require_POST
def opinion_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    """答复并关闭 (CMP-06): the response is required; the handler is the user."""
    opinion = selectors.access_opinion(user=request.user, pk=pk)
    form = OpinionCloseForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.opinion_close(actor=request.user, opinion_id=opinion.pk, response=form.cleaned_data["response"])
        except NotAllowed:
            raise PermissionDenied from None
        except Conflict as exc:
            messages.warning(request, exc.message)
            return redirect(_back(request))
        except DomainError as exc:
            form_errors(form, exc)
            status = exc.status_code
        else:
            messages.success(request, _("已答复并关闭"))
            return redirect(_back(request))
    return _list(request, failed=opinion, close_form=form, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def opinion_record_view(request: HttpRequest) -> HttpResponse:
    """登记客户意见 (CB-13): typed suggestion / grievance / rating of a staff member (who must then be named)."""
    centers = selectors.callback_centers(user=request.user, permission=selectors.MAKE)
    if not centers:
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    center_raw = (data or request.GET).get("center") or str(centers[0].pk)
    center, _shown = pick_centers(centers, center_raw)
    staff = selectors.center_staff_choices(center=center)
    form = OpinionRecordForm(data, centers=centers, staff=staff, initial={"center": str(center.pk)})
    status = 200
    if data is not None:
        status = 400
        if form.is_valid():
            customer = None
            phone = form.cleaned_data["phone"].strip()
            if phone:
                customer = customer_selectors.match_by_phone(organization=center, phone=phone)
                if customer is None:
                    form.add_error("phone", _("本中心没有该电话的客户（可不填）"))
            if not form.errors:
                try:
                    services.opinion_record(
                        actor=request.user,
                        organization=center,
                        kind=form.cleaned_data["kind"],
                        text=form.cleaned_data["text"],
                        customer_id=customer.pk if customer else None,
                        staff_id=form.cleaned_data["staff"],
                    )
                except NotAllowed:
                    raise PermissionDenied from None
                except DomainError as exc:
                    form_errors(form, exc)
                    status = exc.status_code
                else:
                    messages.success(request, _("已登记客户意见"))
                    if has_permission_anywhere(user=request.user, permission=selectors.MANAGE):
                        return redirect(reverse("callbacks:opinions") + f"?center={center.pk}")
                    return redirect("callbacks:queue")
    return render(request, "callbacks/opinion_form.html", {"form": form, "center": center}, status=status)
