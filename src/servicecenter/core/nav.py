"""The menu: one list of entries; each app adds its own by appending to NAV_ITEMS in its AppConfig.ready()."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from .access import has_permission_anywhere


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    permission: str | None = None  # shown when the user holds it somewhere; None = every signed-in user
    icon: str = ""
    order: int = 100
    prefix: str = ""  # URL prefix that marks the entry active (default: the entry's own URL)
    group: str = ""  # key of a NAV_GROUPS menu the entry belongs to ("" = a top-level entry)


# Menus that gather the entries of one domain, so the bar stays one line with a dozen apps: key → (label, order).
NAV_GROUPS: dict[str, tuple[str | Promise, int]] = {
    "workorders": (gettext_lazy("工单"), 11),
    "care": (gettext_lazy("回访投诉"), 12),
    "people": (gettext_lazy("人员"), 25),
    "points": (gettext_lazy("积分绩效"), 26),
    "rules": (gettext_lazy("制度"), 40),
}


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
    entries = [
        {
            "label": i.label,
            "url": reverse(i.url_name),
            "active": request.path.startswith(i.prefix or reverse(i.url_name)),
            "group": i.group,
            "order": i.order,
        }
        for i in NAV_ITEMS
        if i.permission is None or has_permission_anywhere(user=user, permission=i.permission)
    ]
    items = _grouped(entries)
    staff = getattr(user, "staff", None) if hasattr(user, "staff") else None
    result = {"nav_items": items, "nav_staff": staff}
    request._sc_nav = result  # type: ignore[attr-defined]
    return result


def _grouped(entries: list[dict]) -> list[dict]:
    """Top-level entries and one dropdown per group (at the group's order); a group with a single visible entry
    is shown as that entry."""
    top: list[dict] = []
    groups: dict[str, list[dict]] = {}
    for entry in entries:
        if entry["group"] and entry["group"] in NAV_GROUPS:
            groups.setdefault(entry["group"], []).append(entry)
        else:
            top.append(entry)
    for key, children in groups.items():
        if len(children) == 1:
            top.append(children[0])
            continue
        label, order = NAV_GROUPS[key]
        top.append(
            {
                "label": label,
                "children": children,
                "active": any(c["active"] for c in children),
                "order": order,
                "key": key,
            }
        )
    return sorted(top, key=lambda e: e["order"])
