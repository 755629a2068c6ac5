"""Rules of the attendance app that are not day computations (those are in engine.py): where a punch may come
from, how many corrections a month, who may punch. Pure functions returning a Decision with its clause."""

from __future__ import annotations

import ipaddress
import math
from decimal import Decimal
from typing import Any

from servicecenter.core.policy import Decision, implements

EARTH_RADIUS_M = 6_371_000


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def _in_ranges(ip: str | None, ranges: list[str]) -> bool:
    if not ip:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    for text in ranges:
        try:
            if address in ipaddress.ip_network(str(text), strict=False):
                return True
        except ValueError:
            continue
    return False


def _in_fence(lat: Decimal | float | None, lng: Decimal | float | None, fence: dict[str, Any]) -> bool:
    if lat is None or lng is None:
        return False
    try:
        centre_lat, centre_lng = float(fence["lat"]), float(fence["lng"])
        radius = float(fence.get("radius_m") or 0)
    except (KeyError, TypeError, ValueError):
        return True  # a malformed fence restricts nothing (the parameter form validates JSON only)
    return distance_m(float(lat), float(lng), centre_lat, centre_lng) <= radius


@implements("ATT-03")
def punch_place_allowed(
    *,
    source: str,
    ip: str | None,
    lat: Decimal | float | None,
    lng: Decimal | float | None,
    ip_ranges: list[str] | None,
    geofence: dict[str, Any] | None,
    citation: str = "",
) -> Decision:
    """A web/phone punch must come from the center's IP ranges or inside its geofence when the center set one
    (`attendance.punch_ip_ranges`, `attendance.punch_geofence`; either suffices when both are set). Terminals
    stand in the center and are not checked."""
    if source == "terminal":
        return Decision(True, "ATT-03")
    ranges = [str(r) for r in ip_ranges or []]
    fence = geofence if isinstance(geofence, dict) and geofence else None
    if not ranges and fence is None:
        return Decision(True, "ATT-03")
    if ranges and _in_ranges(ip, ranges):
        return Decision(True, "ATT-03")
    if fence is not None and _in_fence(lat, lng, fence):
        return Decision(True, "ATT-03")
    if fence is not None and (lat is None or lng is None):
        reason = "未获取到定位，不能打卡：请允许浏览器获取位置后重试"
    elif fence is not None:
        reason = "不在中心打卡范围内，不能打卡"
    else:
        reason = "不在中心网络范围内，不能打卡"
    return Decision(False, "ATT-03", f"{reason}（{citation}）" if citation else reason)


@implements("ATT-03")
def correction_allowed(*, used_this_month: int, limit: int | None, citation: str = "") -> Decision:
    """Missed punches are corrected only through a request, at most `attendance.punch_corrections_per_month`
    a month (requests pending or approved count; rejected and withdrawn ones do not)."""
    if limit is None or used_this_month < int(limit):
        return Decision(True, "ATT-03")
    return Decision(False, "ATT-03", f"本月补卡申请已达上限 {limit} 次（{citation}）")
