"""Importing a call list (CB-11): upload → the checked report (preview) → confirm or cancel; the template."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from servicecenter.core.errors import DomainError
from servicecenter.core.forms import show_domain_error
from servicecenter.policy.values import local_today

from .. import selectors, services
from ..choices import ImportStatus
from ..forms import ImportUploadForm
from ..imports import COLUMNS, MAX_ROWS, template_workbook
from .common import centers_or_403

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_http_methods(["GET", "POST"])
def import_view(request: HttpRequest) -> HttpResponse:
    """Upload a call list for a center, month and kind; every row is checked and the report shows what would be
    added. Nothing is saved to the list until the manager confirms there."""
    user = request.user
    centers = centers_or_403(user, selectors.MANAGE)
    center = selectors.pick_center(centers, request.POST.get("center") or request.GET.get("center"))
    initial = {"month": f"{local_today(center):%Y-%m}", "kind": "due"}
    form = ImportUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial=initial,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                imp = services.import_upload(
                    actor=user,
                    organization=center,
                    month=form.cleaned_data["month"],
                    kind=form.cleaned_data["kind"],
                    file=form.cleaned_data["file"],
                )
            except DomainError as exc:
                show_domain_error(form, exc)
                status = exc.status_code
            else:
                return redirect("renewals:import_detail", pk=imp.pk)
        else:
            status = 400
    context = {
        "form": form,
        "centers": centers,
        "center": center,
        "columns": COLUMNS,
        "max_rows": MAX_ROWS,
        "imports": selectors.import_list(organization=center),
    }
    return render(request, "renewals/import.html", context, status=status)


@login_required
def import_template_view(request: HttpRequest) -> HttpResponse:
    """The .xlsx template with the center's product tiers."""
    centers = centers_or_403(request.user, selectors.MANAGE)
    center = selectors.pick_center(centers, request.GET.get("center"))
    tiers = selectors.month_params(organization=center, month=local_today(center)).tiers
    response = HttpResponse(template_workbook(tiers=tiers), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, "续费名单导入模板.xlsx")
    return response


@login_required
def import_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The report of one upload: bad rows with their reasons, good rows, and the decision buttons."""
    imp = selectors.access_import(user=request.user, pk=pk)
    context = {
        "imp": imp,
        "bad": [r for r in imp.rows if r["errors"]],
        "good": [r for r in imp.rows if not r["errors"]],
        "columns": COLUMNS,
        "pending": imp.status == ImportStatus.VALIDATED,
    }
    return render(request, "renewals/import_detail.html", context)


@login_required
@require_POST
def import_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    imp = selectors.access_import(user=request.user, pk=pk)
    try:
        imp = services.import_commit(actor=request.user, imp=imp)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已导入 %(n)d 户") % {"n": imp.created_count})
    return redirect("renewals:import_detail", pk=pk)


@login_required
@require_POST
def import_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    imp = selectors.access_import(user=request.user, pk=pk)
    try:
        services.import_cancel(actor=request.user, imp=imp)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.info(request, _("已取消本次导入，未导入任何数据"))
    return redirect(reverse("renewals:import") + f"?center={imp.organization_id}")
