"""The menu: one list of entries; each app adds its own by appending to NAV_ITEMS in its AppConfig.ready()."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise

from .access import has_permission_anywhere


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    permission: str | None = None  # shown when the user holds it somewhere; None = every signed-in user
    icon: str = ""
    order: int = 100
    prefix: str = ""  # URL prefix that marks the entry active (default: the entry's own URL)


NAV_ITEMS: list[NavItem] = []


def register(item: NavItem) -> None:
    if all(i.url_name != item.url_name for i in NAV_ITEMS):
        NAV_ITEMS.append(item)
        NAV_ITEMS.sort(key=lambda i: i.order)


def nav_for(request: HttpRequest) -> dict:
    cache = getattr(request, "_sc_nav", None)
    if cache is not None:
        return cache
    user = request.user
    items = [
        {
            "label": i.label,
            "url": reverse(i.url_name),
            "active": request.path.startswith(i.prefix or reverse(i.url_name)),
        }
        for i in NAV_ITEMS
        if i.permission is None or has_permission_anywhere(user=user, permission=i.permission)
    ]
    staff = getattr(user, "staff", None) if hasattr(user, "staff") else None
    result = {"nav_items": items, "nav_staff": staff}
    request._sc_nav = result  # type: ignore[attr-defined]
    return result
