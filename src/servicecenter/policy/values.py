"""Reading policy parameters: `value(key, org=…, at=…)` returns the value in force and why (DESIGN.md §2.2).

Resolution order for an organization O on date D (ORG-21: sub-units inherit unless they override):
1. the newest value row effective on D for O, else for O's parent, … up to the installation-wide row;
   an `inherit` row on a level skips that level;
2. the preset of O's center type (§4 C-01 …);
3. the seed default declared in code (§6).

D is a calendar day in the organization's own time zone (`Organization.timezone`, default Asia/Shanghai): an
instant `at` is converted there first, so 2026-01-01 00:30 in Shanghai (2025-12-31 16:30 UTC) is 2026-01-01.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Q
from django.utils import timezone

from servicecenter.core.policy import implements

from .presets import preset_for
from .registry import ParameterSpec, get_spec


@dataclass(frozen=True)
class PolicyValue:
    """A parameter's value in force, with its provenance: enough to answer a manager's "why?"."""

    key: str
    value: Any
    spec: ParameterSpec
    source: str  # "override" | "preset" | "default"
    organization_id: int | None = None  # whose override applies (None: installation-wide or not an override)
    organization_name: str = ""
    effective_from: date | None = None
    preset_source: str = ""
    row_id: int | None = None
    set_by_name: str = ""  # who set the override (display name), "" for presets and defaults
    reason: str = ""  # the reason given with the override

    @property
    def requirement(self) -> str:
        return self.spec.requirements[0] if self.spec.requirements else ""

    @property
    def is_set(self) -> bool:
        return self.value is not None

    @property
    def display(self) -> str:
        return self.spec.display(self.value)

    @property
    def origin(self) -> str:
        """Where the value comes from, in words (Chinese)."""
        if self.source == "override":
            where = self.organization_name or "全系统"
            by = f"（{self.set_by_name}）" if self.set_by_name else ""
            return f"{where}自 {self.effective_from:%Y-%m-%d} 起设定{by}"
        if self.source == "preset":
            return f"中心类型预设（{self.preset_source}）"
        return f"制度默认值（{self.spec.source or '—'}）" if self.value is not None else "未设置（制度未规定）"

    @property
    def citation(self) -> str:
        """E.g. «依据 WO-03：工单响应时限 = 30 分钟（制度默认值（D01））»; stored with every automatic decision."""
        reqs = "、".join(self.spec.requirements)
        return f"依据 {reqs}：{self.spec.label} = {self.display}（{self.origin}）"


def zone_of(org: Any) -> tzinfo:
    """The time zone an organization reasons in (its `timezone` field), else the installation's."""
    name = getattr(org, "timezone", "") if org is not None else ""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return timezone.get_default_timezone()


def local_today(org: Any = None) -> date:
    """Today's date in the organization's time zone (C-01: every center reasons in its own local time)."""
    return timezone.localdate(timezone=zone_of(org))


def _as_date(at: date | datetime | None, org: Any = None) -> date:
    if at is None:
        return local_today(org)
    if isinstance(at, datetime):
        return timezone.localdate(at, timezone=zone_of(org)) if timezone.is_aware(at) else at.date()
    return at


def _user_name(user: Any) -> str:
    if user is None:
        return ""
    return user.first_name or user.get_username()


def resolve_many(keys: list[str], *, org: Any = None, at: date | datetime | None = None) -> dict[str, PolicyValue]:
    """Values of several parameters for one organization (for pages listing parameters).

    Two queries whatever the number of keys and overrides: the organization's ancestors, and the value rows of
    the whole chain plus the installation-wide rows.
    """
    from .models import ParameterValue

    day = _as_date(at, org)
    specs = {key: get_spec(key) for key in keys}
    chain: list[Any] = org.ancestors() if org is not None else []
    chain_ids = [o.pk for o in chain]
    level_filter = Q(organization__isnull=True)
    if chain_ids:
        level_filter |= Q(organization_id__in=chain_ids)
    rows = (
        ParameterValue.objects.filter(level_filter, key__in=keys, effective_from__lte=day)
        .select_related("set_by")
        .order_by("key", "organization_id", "-effective_from", "-id")
    )
    newest: dict[tuple[str, int | None], Any] = {}
    for row in rows:
        newest.setdefault((row.key, row.organization_id), row)

    center_type = next((o.center_type for o in chain if getattr(o, "center_type", "")), "")
    preset = preset_for(center_type)
    result: dict[str, PolicyValue] = {}
    for key, spec in specs.items():
        found = None
        for level in [*chain, None]:
            hit = newest.get((key, level.pk if level is not None else None))
            if hit is not None and not hit.inherit:
                found = PolicyValue(
                    key=key,
                    value=hit.value,
                    spec=spec,
                    source="override",
                    organization_id=hit.organization_id,
                    organization_name=level.name if level is not None else "",
                    effective_from=hit.effective_from,
                    row_id=hit.pk,
                    set_by_name=_user_name(hit.set_by),
                    reason=hit.reason,
                )
                break
        if found is None and preset is not None and key in preset.values:
            found = PolicyValue(
                key=key, value=spec.clean(preset.values[key]), spec=spec, source="preset", preset_source=preset.source
            )
        if found is None:
            found = PolicyValue(key=key, value=spec.default, spec=spec, source="default")
        result[key] = found
    return result


@implements("ORG-21")
def value(key: str, *, org: Any = None, at: date | datetime | None = None) -> PolicyValue:
    """The value of parameter `key` in force for `org` on the date of `at` (default: today), with its citation."""
    return resolve_many([key], org=org, at=at)[key]
