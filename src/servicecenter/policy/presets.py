"""Presets per center type (REQUIREMENTS.md §4): the values that differ from the declared seed default.

A preset is not copied into the database: resolution (`policy.values.value`) consults it after the
organization's own and inherited values and before the seed default, so improving a preset reaches every
center of that type that has not overridden the parameter.

The declared defaults mostly come from D01 (the service station), but some come from the document that
states the figure (D02's 10 minutes early arrival, D19's sign-in window and cash fines). Each preset therefore
also switches off what its own regulation does not contain: a service station has no cash fines (its
sanctions are points, C-05), a government hall has no points deductions (its sanctions are in yuan). A preset
never invents a figure that its source document does not give: where the document is silent, the seed default
applies and the page says so (its origin reads «制度默认值（D01）»).
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
        Preset(
            "service_station",
            "D01",
            "服务站（服务中心管理制度）",
            {
                # D01 states no early-arrival rule (ATT-18 is D02's) and no cash fines (C-05: D01 deducts points).
                "attendance.early_arrival_minutes": 0,
                "attendance.fine.missed_sign_in_cny": "0",
                "attendance.fine.absenteeism_cny_per_day": "0",
            },
        ),
        Preset(
            "gov_hall",
            "D19",
            "政务服务中心（政务服务中心管理制度）",
            {
                # C-01 / ATT-21: two periods with a lunch break, on statutory working days only.
                "attendance.business_hours": [["08:30", "11:30"], ["14:30", "17:30"]],
                "attendance.open_days": "workdays",
                "attendance.workday_hours": 6,  # C-17: D19 6 h/day
                # ATT-22: sign-in 08:00–08:30 replaces the early-arrival rule; ATT-23/24 fines are the defaults.
                "attendance.sign_in_required": True,
                "attendance.early_arrival_minutes": 0,
                # C-05: D19 sanctions in yuan, not points (so G-04 does not block a hall from going live).
                "points.deduction.late": "0",
                "points.deduction.early_leave": "0",
                "points.deduction.absenteeism": "0",
                # LEV-10 / LEV-11: ≤1 day leader in charge; ≥2 days written to the principal leader (C-03).
                # D19 says nothing for >1 and <2 days: the last band takes them (C-03 "highest band's approver").
                "leave.approval_bands": [
                    {"max_days": "1", "approvers": ["leader_in_charge"], "notify": ["party_gov_office"], "form": ""},
                    {
                        "max_days": None,
                        "approvers": ["principal_leader"],
                        "notify": ["party_gov_office"],
                        "form": "written",
                    },
                ],
                # LEV-04 (offset personal leave against rest days) is D01's rule only (C-04).
                "leave.personal_offsets_rest_days": False,
                # ORG-05 / C-11 in a hall: requests go to the hall's leaders, not to a center manager it has none of.
                "approvals.general_route_roles": {
                    "within_limit": ["leader_in_charge"],
                    "above_limit": ["leader_in_charge", "principal_leader"],
                },
            },
        ),
        Preset(
            "call_center",
            "D02",
            "呼叫中心（客服呼叫中心管理办法）",
            {
                # ATT-17: 24-hour rotation in the heating season (season dates are entered per year, C-02).
                # D02 gives no daytime hours outside the season: the seed default applies until a center sets them.
                "attendance.round_the_clock_in_season": True,
                "attendance.early_arrival_minutes": 10,  # ATT-18
                # D02 sanctions are neither points nor cash fines.
                "attendance.fine.missed_sign_in_cny": "0",
                "attendance.fine.absenteeism_cny_per_day": "0",
                # G-10: D02 says 「尽快」; D01's 30 min / 4 h copied as an assumption, flagged.
                "workorders.sla_is_assumption": True,
            },
        ),
    )
}


def preset_for(center_type: str | None) -> Preset | None:
    return PRESETS.get(center_type or "")
