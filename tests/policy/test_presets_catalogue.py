"""Presets per center type (§4) and the parameter catalogue (§6)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from servicecenter.policy.presets import PRESETS
from servicecenter.policy.registry import PARAMETERS, declare, get_spec
from servicecenter.policy.values import value


def test_every_preset_value_is_a_declared_parameter_of_the_right_type():
    for preset in PRESETS.values():
        for key, raw in preset.values.items():
            spec = get_spec(key)  # KeyError when undeclared
            assert spec.clean(raw) is not None, (preset.center_type, key)


@pytest.mark.clause("C-01")
def test_gov_hall_hours_differ_from_the_service_station(tree):
    # given center A (service station, D01) and center B (government hall, D19)
    station, hall = value("attendance.business_hours", org=tree["a"]), value("attendance.business_hours", org=tree["b"])
    # then
    assert station.value == [["08:30", "20:00"]] and station.origin == "制度默认值（D01）"
    assert hall.value == [["08:30", "11:30"], ["14:30", "17:30"]] and hall.origin == "中心类型预设（D19）"
    assert value("attendance.open_days", org=tree["b"]).value == "workdays"
    assert value("attendance.workday_hours", org=tree["b"]).value == 6
    assert value("attendance.workday_hours", org=tree["a"]).value == 8


def test_gov_hall_leave_bands_differ_from_the_service_station(tree):
    station = value("leave.approval_bands", org=tree["a"]).value
    hall = value("leave.approval_bands", org=tree["b"]).value
    assert [b["approvers"] for b in station] == [["center_manager"], ["ops_center_gm"]]
    assert station[1]["notify"] == ["channel_department"]
    assert [b["approvers"] for b in hall] == [["leader_in_charge"], ["principal_leader"]]
    assert hall[1]["form"] == "written" and hall[0]["notify"] == ["party_gov_office"]


def test_sanctions_follow_each_regulations_currency(tree):
    # C-05: D01 deducts points (values to be configured, G-04) and has no cash fines; D19 fines in yuan.
    assert value("attendance.fine.missed_sign_in_cny", org=tree["a"]).value == "0"
    assert value("attendance.fine.missed_sign_in_cny", org=tree["b"]).value == "5"
    assert value("attendance.fine.absenteeism_cny_per_day", org=tree["b"]).value == "20"
    assert value("points.deduction.late", org=tree["a"]).value is None
    assert value("points.deduction.late", org=tree["b"]).value == "0"
    assert value("attendance.sign_in_required", org=tree["b"]).value is True
    assert value("attendance.sign_in_required", org=tree["a"]).value is False


def test_call_center_preset(db):
    from servicecenter.org import services as org_services
    from tests.factories import org_tree

    tree = org_tree("cc")
    center = org_services.organization_create(
        actor=None,
        name="丙呼叫中心",
        code="cc-call",
        kind="service_center",
        parent=tree["ops"],
        center_type="call_center",
    )
    assert value("attendance.round_the_clock_in_season", org=center).value is True
    assert value("attendance.early_arrival_minutes", org=center).origin == "中心类型预设（D02）"
    assert value("workorders.sla_is_assumption", org=center).value is True
    # D02 gives no daytime hours: the seed default applies and says where it comes from
    assert value("attendance.business_hours", org=center).source == "default"


# The §6 parameters of the three seeded regulations (D01, D19, D02), under the keys the catalogue uses.
SECTION_6_KEYS = {
    "attendance.business_hours",
    "attendance.min_staff_on_duty",
    "attendance.workday_hours",
    "attendance.monthly_rest_days",
    "attendance.late_grace_minutes",
    "attendance.early_arrival_minutes",
    "attendance.heating_season",
    "attendance.round_the_clock",
    "attendance.round_the_clock_in_season",
    "attendance.sign_in_window",
    "attendance.fine.missed_sign_in_cny",
    "attendance.fine.absenteeism_cny_per_day",
    "attendance.nonwork_violation_ladder",
    "leave.approval_bands",
    "leave.personal_max_days",
    "leave.personal_offsets_rest_days",
    "leave.sick_max_days",
    "leave.sick_requires_certificate",
    "leave.annual_min_service_years",
    "leave.annual_notice_days",
    "points.deduction.late",
    "points.deduction.early_leave",
    "points.deduction.absenteeism",
    "points.daily_verify_before_shift_end",
    "points.daily_report_recipients",
    "points.month_recheck_deadline_day",
    "points.asset_management_points",
    "points.renewal_baseline_pct",
    "points.renewal_points_per_pct",
    "points.renewal_target_pct",
    "points.plan_change",
    "points.manager_pay_formula",
    "workorders.response_minutes",
    "workorders.resolve_minutes",
    "workorders.read_back_fields",
    "callbacks.score_range",
    "callbacks.attitude_scale",
    "callbacks.courtesy_sample_rate",
    "callbacks.hotline_number",
    "finance.expense_categories",
    "finance.required_signatures",
    "finance.monthly_posting_deadline_day",
    "finance.invoice_reconcile_days",
    "inspections.window_cleaning",
    "govservice.restart_clock_on_supplement",
    "govservice.single_notice_for_missing_materials",
    "govservice.idle_flag_days",
    "scripts.holiday_greetings",
}


def test_catalogue_declares_the_section_6_parameters_of_the_seeded_regulations():
    missing = sorted(SECTION_6_KEYS - set(PARAMETERS))
    assert not missing


@pytest.mark.parametrize(
    ("key", "default"),
    [
        ("attendance.monthly_rest_days", 6),
        ("leave.sick_max_days", 3),
        ("points.month_recheck_deadline_day", 5),
        ("points.renewal_baseline_pct", "58"),
        ("points.renewal_points_per_pct", "8"),
        ("points.renewal_target_pct", "70"),
        ("points.asset_management_points", "50"),
        ("workorders.response_minutes", 30),
        ("workorders.resolve_minutes", 240),
        ("attendance.fine.missed_sign_in_cny", "5"),
        ("attendance.fine.absenteeism_cny_per_day", "20"),
        ("finance.monthly_posting_deadline_day", 7),
        ("points.deduction.late", None),
    ],
)
def test_seed_defaults_match_section_6(key, default):
    assert get_spec(key).default == default


def test_a_parameter_cannot_be_declared_twice():
    with pytest.raises(ValueError, match="declared twice"):
        declare("workorders.response_minutes", type="int", default=1, label="x", requirements="WO-03")


def test_every_parameter_has_a_requirement_id_and_a_label():
    for spec in PARAMETERS.values():
        assert spec.requirements and spec.label, spec.key


def test_catalogue_command_prints_a_markdown_table():
    out = io.StringIO()
    call_command("policy_catalogue", "--markdown", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("| 参数 key |") and len(lines) == len(PARAMETERS) + 2
    row = next(line for line in lines if "`attendance.business_hours`" in line)
    assert "08:30–20:00" in row and "D19: 08:30–11:30，14:30–17:30" in row
