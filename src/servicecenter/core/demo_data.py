"""Helpers shared by the apps' demo loaders (`<app>/demo.py`, called by servicecenter.demo.loader)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def as_list(items: Mapping[str, Any] | Iterable[Any]) -> list[Any]:
    """The loader passes centers as a list and people as {staff number: Staff}; accept either shape."""
    return list(items.values()) if isinstance(items, Mapping) else list(items)
