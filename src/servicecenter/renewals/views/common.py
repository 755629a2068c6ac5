"""Helpers the renewal pages share: the user's center and month from the query string."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.http import url_has_allowed_host_and_scheme

from servicecenter.core.errors import ValidationFailed
from servicecenter.org.models import Organization
from servicecenter.policy.values import local_today

from .. import selectors
from ..forms import parse_month


def centers_or_403(user: Any, permission: str) -> list[Organization]:
    centers = selectors.renewal_centers(user=user, permission=permission)
    if not centers:
        raise PermissionDenied
    return centers


def month_or_400(raw: Any, center: Organization) -> date:
    month = parse_month(raw, local_today(center))
    if month is None:
        raise ValidationFailed("月份格式应为 2026-12")
    return month


def safe_next(request: Any, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return str(target)
    return fallback
