"""The month result (PTS-12…PTS-17): per specialist due, renewed, rate, points, target, conversions; the center's
totals; the suspended list apart. The manager sees every specialist, a specialist only their own line."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render

from servicecenter.core.errors import DomainError
from servicecenter.org.models import Staff

from .. import selectors
from .common import centers_or_403, month_or_400


@login_required
def result_view(request: HttpRequest) -> HttpResponse:
    """`?center=&month=YYYY-MM`."""
    user = request.user
    centers = centers_or_403(user, selectors.MAKE)
    center = selectors.pick_center(centers, request.GET.get("center"))
    try:
        month = month_or_400(request.GET.get("month"), center)
    except DomainError as exc:
        return HttpResponseBadRequest(exc.message)
    manager = selectors.is_manager(user=user, organization=center)
    staff = None
    if not manager:
        staff = Staff.objects.filter(user_id=user.pk or 0).first()
        if staff is None:
            raise PermissionDenied
    result = selectors.center_month(organization=center, month=month, staff=staff)
    context = {"centers": centers, "center": center, "month": month, "result": result, "manager": manager}
    return render(request, "renewals/result.html", context)
