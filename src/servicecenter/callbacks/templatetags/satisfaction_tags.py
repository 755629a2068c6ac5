"""Tags of the satisfaction report (CB-18): a count that links to the list it counts."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def count_link(n: Any, url: Any = "", title: Any = "") -> str:
    """`n` as a link to `url` (the drill-down list); 0 or no list: the plain number, 0 greyed."""
    if not n:
        return format_html('<span class="text-body-secondary">{}</span>', n or 0)
    if not url:
        return format_html("{}", n)
    return format_html('<a class="drill" href="{}" title="{}">{}</a>', url, title, n)
