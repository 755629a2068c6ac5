"""What the points pages share: the center a request is about (scope 404, no permission anywhere 403), the links
from an entry to its source record, people's names, and rendering a domain refusal on the page."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.urls import NoReverseMatch, reverse

from servicecenter.core.actors import display_name
from servicecenter.org.models import Organization

from .. import selectors
from ..choices import Source

_PATTERN_PK = 987654321


def url_pattern(name: str, *, with_pk: bool = True) -> str:
    """The URL of `name` as a format string with `{pk}` (reversed once per request, filled per row); "" when the
    route is not installed."""
    try:
        if not with_pk:
            return reverse(name)
        return reverse(name, args=[_PATTERN_PK]).replace(str(_PATTERN_PK), "{pk}")
    except NoReverseMatch:
        return ""


class SourceLinks:
    """An entry's link to the record that produced it: the order, the callback, the violations list."""

    def __init__(self) -> None:
        self.patterns = {
            Source.WORK_ORDER: url_pattern("workorders:order_detail"),
            Source.CALLBACK: url_pattern("callbacks:call"),
            Source.VIOLATION: url_pattern("attendance:violation_list", with_pk=False),
            Source.INSTANT_REWARD: url_pattern("points:rewards", with_pk=False),
        }

    def __call__(self, entry: Any) -> str:
        pattern = self.patterns.get(entry.source, "")
        if not pattern:
            return ""
        if "{pk}" in pattern:
            return pattern.format(pk=entry.source_id) if entry.source_id else ""
        return pattern


def name_of(user: Any) -> str:
    return display_name(user) if user is not None else ""


def centers_or_403(user: Any, permission: str) -> list[Organization]:
    centers = list(selectors.points_centers_for(user=user, permission=permission))
    if not centers:
        raise PermissionDenied
    return centers


def pick_center(user: Any, raw: Any, permission: str) -> tuple[Organization, list[Organization]]:
    """The center asked for (404 when outside the user's reach), else the user's own, else the first one."""
    centers = centers_or_403(user, permission)
    if raw not in (None, ""):
        return selectors.access_center(user=user, pk=raw, permission=permission), centers
    center = selectors.default_center(user=user, permission=permission)
    return center or centers[0], centers
