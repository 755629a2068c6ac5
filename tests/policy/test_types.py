"""Typed parameter values: every type accepts good input and refuses bad input with a Chinese message."""

from __future__ import annotations

import re

import pytest

from servicecenter.policy.registry import get_spec
from servicecenter.policy.types import TYPES


@pytest.mark.parametrize(
    ("type_code", "good", "expected"),
    [
        ("int", 5, 5),
        ("decimal", 5.5, "5.5"),
        ("decimal", "20", "20"),
        ("bool", True, True),
        ("text", "workdays", "workdays"),
        ("time_ranges", [["8:30", "11:30"], ["14:30", "17:30"]], [["08:30", "11:30"], ["14:30", "17:30"]]),
        ("date_range", {"start": "2026-11-15", "end": "2027-03-15"}, {"start": "2026-11-15", "end": "2027-03-15"}),
        ("date_range", None, None),
        ("json", {"days": 6, "scope": "month"}, {"days": 6, "scope": "month"}),
        (
            "approval_bands",
            [{"max_days": 1, "approvers": ["center_manager"]}, {"max_days": None, "approvers": ["ops_center_gm"]}],
            [
                {"max_days": "1", "approvers": ["center_manager"], "notify": [], "form": ""},
                {"max_days": None, "approvers": ["ops_center_gm"], "notify": [], "form": ""},
            ],
        ),
    ],
)
def test_valid_values_are_normalised(type_code, good, expected):
    assert TYPES[type_code].validate(good) == expected


@pytest.mark.parametrize(
    ("type_code", "bad", "message"),
    [
        ("int", "5", "应为整数"),
        ("int", True, "应为整数"),
        ("int", 2.5, "应为整数"),
        ("decimal", "abc", "应为数字"),
        ("decimal", "NaN", "应为数字"),
        ("decimal", True, "应为数字"),
        ("bool", "true", "应为是/否"),
        ("bool", 1, "应为是/否"),
        ("text", 5, "应为文本"),
        ("time_ranges", [], "至少需要一个时段"),
        ("time_ranges", [["11:30", "08:30"]], "结束时间应晚于开始时间"),
        ("time_ranges", [["08:00", "12:00"], ["11:00", "13:00"]], "时段不能重叠"),
        ("time_ranges", [["8点", "9点"]], "时间格式应为 HH:MM"),
        ("time_ranges", [["08:00"]], "时段应为 [开始, 结束]"),
        ("time_ranges", [["23:00", "24:30"]], "时间超出范围"),
        ("date_range", {"start": "2027-03-15", "end": "2026-11-15"}, "结束日期不能早于开始日期"),
        ("date_range", {"start": "2026-13-01", "end": "2027-01-01"}, "日期格式应为 YYYY-MM-DD"),
        ("date_range", {"start": "2026-11-15"}, "日期范围应包含开始和结束"),
        ("json", {1, 2}, "无法保存为 JSON"),
        ("approval_bands", [], "至少需要一个审批档"),
        ("approval_bands", [{"max_days": 3, "approvers": ["a"]}, {"max_days": 1, "approvers": ["b"]}], "从小到大"),
        ("approval_bands", [{"max_days": "1.3", "approvers": ["a"]}], "天数以半天为单位"),
        ("approval_bands", [{"max_days": 1}], "每个审批档需要 max_days 和 approvers"),
        ("approval_bands", [{"max_days": 1, "approvers": []}], "approvers 应为角色编码列表"),
        ("approval_bands", [{"max_days": "x", "approvers": ["a"]}], "max_days 应为数字"),
        (
            "approval_bands",
            [{"max_days": None, "approvers": ["a"]}, {"max_days": 3, "approvers": ["b"]}],
            "必须放在最后",
        ),
    ],
)
def test_invalid_values_are_refused_in_chinese(type_code, bad, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        TYPES[type_code].validate(bad)


@pytest.mark.parametrize(
    ("type_code", "text", "expected"),
    [
        ("int", " 30 ", 30),
        ("decimal", "0.8", "0.8"),
        ("bool", "是", True),
        ("bool", "false", False),
        ("text", " workdays ", "workdays"),
        ("time_ranges", "08:30-11:30, 14:30-17:30", [["08:30", "11:30"], ["14:30", "17:30"]]),
        ("time_ranges", "08:30–11:30，14:30至17:30", [["08:30", "11:30"], ["14:30", "17:30"]]),
        ("date_range", "2026-11-15 至 2027-03-15", {"start": "2026-11-15", "end": "2027-03-15"}),
        ("json", '{"days": 6}', {"days": 6}),
    ],
)
def test_text_typed_by_a_manager_is_parsed(type_code, text, expected):
    assert TYPES[type_code].parse(text) == expected


@pytest.mark.parametrize(
    ("type_code", "text", "message"),
    [
        ("int", "三十", "请输入整数"),
        ("bool", "也许", "请输入 是 或 否"),
        ("time_ranges", "08:30", "时段格式应为 08:30-20:00"),
        ("date_range", "2026-11-15", "日期范围格式应为 2026-11-15 至 2027-03-15"),
        ("json", "{bad", "JSON 格式错误"),
        ("approval_bands", "[", "JSON 格式错误"),
    ],
)
def test_bad_text_is_refused_in_chinese(type_code, text, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        TYPES[type_code].parse(text)


def test_spec_checks_declared_choices_and_empty_input():
    spec = get_spec("attendance.open_days")
    assert spec.clean("workdays") == "workdays"
    with pytest.raises(ValueError, match="不在可选范围内"):
        spec.clean("weekly")
    with pytest.raises(ValueError, match="请填写参数值"):
        spec.parse("  ")


def test_display_uses_units_and_choice_labels():
    assert get_spec("workorders.response_minutes").display(30) == "30 分钟"
    assert get_spec("points.renewal_baseline_pct").display("58") == "58%"
    assert get_spec("attendance.open_days").display("workdays") == "仅法定工作日（含调休上班日）"
    assert get_spec("attendance.business_hours").display([["08:30", "11:30"], ["14:30", "17:30"]]) == (
        "08:30–11:30，14:30–17:30"
    )
    assert get_spec("points.deduction.late").display(None) == "—（未设置）"
