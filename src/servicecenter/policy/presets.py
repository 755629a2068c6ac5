"""Presets per center type (REQUIREMENTS.md §4): the values that differ from the seed default (D01).

A preset is not copied into the database: resolution (`policy.values.value`) consults it after the
organization's own and inherited values and before the seed default, so improving a preset reaches every
center of that type that has not overridden the parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Preset:
    center_type: str
    source: str
    label: str
    values: dict[str, Any]


PRESETS: dict[str, Preset] = {
    p.center_type: p
    for p in (
        Preset("service_station", "D01", "服务站（古五服务中心制度）", {}),
        Preset(
            "gov_hall",
            "D19",
            "政务服务中心（政务服务中心管理制度）",
            {
                # C-01 / ATT-21: two periods with a lunch break; ATT-22 sign-in window.
                "attendance.business_hours": [["08:30", "11:30"], ["14:30", "17:30"]],
                "attendance.open_days": "workdays",
                "attendance.workday_hours": 6,  # C-17: D19 6 h/day
                # LEV-10 / LEV-11: ≤1 day leader in charge; ≥2 days written to the principal leader (C-03).
                "leave.approval_bands": [
                    {"max_days": "1", "approvers": ["leader_in_charge"], "notify": ["party_gov_office"], "form": ""},
                    {
                        "max_days": None,
                        "approvers": ["principal_leader"],
                        "notify": ["party_gov_office"],
                        "form": "written",
                    },
                ],
                "leave.personal_offsets_rest_days": False,
            },
        ),
        Preset(
            "call_center",
            "D02",
            "呼叫中心（客服呼叫中心管理办法）",
            {
                # ATT-17: 24-hour rotation in the heating season (season dates are entered per year, C-02).
                "attendance.business_hours": [["08:00", "17:00"]],
                "attendance.round_the_clock_in_season": True,
                "attendance.early_arrival_minutes": 10,
                # G-10: D02 says 「尽快」; D01's 30 min / 4 h copied as an assumption, flagged.
                "workorders.sla_is_assumption": True,
            },
        ),
    )
}


def preset_for(center_type: str | None) -> Preset | None:
    return PRESETS.get(center_type or "")
