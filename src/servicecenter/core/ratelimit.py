"""A fixed-window rate limit per client address for the public pages (no login), counted in the Django cache
(Redis in production, shared by every worker). Used by the work-order and complaint public pages."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client address as the server sees it (behind a proxy, see docs/operations.md)."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def over_limit(request: HttpRequest, key: str, limit: tuple[int, int]) -> bool:
    """Count one attempt of this client under `key`; True once more than `limit[0]` fall in the `limit[1]`-second
    window (a fixed window starting at the first attempt)."""
    count, seconds = limit
    cache_key = f"{key}:{client_ip(request)}"
    if cache.add(cache_key, 1, timeout=seconds):
        return False
    try:
        used = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=seconds)
        used = 1
    return used > count
