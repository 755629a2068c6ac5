"""The seed regulations D01 / D19 / D02 as Regulation + Clause rows (policy/seed.py)."""

from __future__ import annotations

import re

import pytest

from servicecenter.core.models import AuditEvent
from servicecenter.policy.models import Clause, Regulation
from servicecenter.policy.seed import SEEDS, corrected_text, load_seed_regulations

REQ_ID = re.compile(r"^[A-Z]{2,3}-\d{2}$")


@pytest.mark.smoke
def test_loading_is_idempotent(db):
    assert load_seed_regulations() == 3
    assert load_seed_regulations() == 0
    assert Regulation.objects.filter(organization__isnull=True).count() == 3
    assert AuditEvent.objects.filter(verb="policy.regulation.created").count() == 3


def test_a_center_gets_the_regulation_of_its_type_by_default(tree):
    assert load_seed_regulations(organization=tree["b"]) == 1
    assert list(Regulation.objects.filter(organization=tree["b"]).values_list("source", flat=True)) == ["D19"]
    assert load_seed_regulations(organization=tree["a"], sources=["D01", "D02"]) == 2
    assert load_seed_regulations(organization=tree["a"], sources=["D01"]) == 0
    with pytest.raises(ValueError, match="D99"):
        load_seed_regulations(organization=tree["a"], sources=["D99"])


def test_titles_and_numbering_follow_the_sources(db):
    load_seed_regulations()
    titles = dict(Regulation.objects.values_list("source", "title"))
    assert titles == {"D01": "服务中心管理制度（服务站）", "D19": "政务服务中心管理制度", "D02": "客服呼叫中心管理办法"}
    d19 = Regulation.objects.get(source="D19")
    # D19 has no 第七条 in the source (C-25): it is not invented
    assert list(d19.clauses.values_list("number", flat=True)) == [
        "前言",
        "一",
        "二",
        "三",
        "四",
        "五",
        "六",
        "八",
        "九",
        "十",
    ]
    d01 = Regulation.objects.get(source="D01")
    assert list(d01.clauses.values_list("number", flat=True))[:3] == ["前言", "1", "2"]
    wo = d01.clauses.get(number="二、2")
    assert "要求工单半小时响应，4个小时内处理" in wo.text and "WO-03" in wo.requirement_ids


def test_clause_texts_carry_the_requirement_ids_they_give_rise_to(db):
    load_seed_regulations()
    hall = Clause.objects.get(regulation__source="D19", number="三")
    assert hall.requirement_ids == ["ATT-21", "ATT-22", "ATT-23", "ATT-24"]
    assert "上午为8:30—11:30，下午为2:30—5:30" in hall.text
    leave = Clause.objects.get(regulation__source="D01", number="5")
    assert {"LEV-01", "LEV-02", "LEV-03", "LEV-05", "LEV-06"} <= set(leave.requirement_ids)
    for clause in Clause.objects.all():
        assert all(REQ_ID.match(rid) for rid in clause.requirement_ids), clause


@pytest.mark.clause("C-14")
@pytest.mark.parametrize(
    ("source", "number", "corrected", "as_written"),
    [
        ("D01", "5", "严格请、病假制度", "严禁请,病假制度"),
        ("D01", "5", "病历证明", "病例证明"),
        ("D01", "二、2", "严格遵守公司客服调度", "严格蹲守公司客服调度"),
        ("D01", "二、2", "下班前需核对", "下班前续核对"),
        ("D19", "二", "不能以任何借口拖而不办", "籍口"),
        ("D19", "三", "旷工一天扣20元", "矿工一天扣20元"),
        ("D02", "四、2", "请您随时拨打", "请您随时拔打"),
    ],
)
def test_typos_are_corrected_and_the_original_kept(db, source, number, corrected, as_written):
    load_seed_regulations(sources=[source])
    clause = Clause.objects.get(regulation__source=source, number=number)
    assert corrected in clause.text and as_written not in clause.text
    assert as_written in clause.original_text


def test_clauses_without_corrections_keep_no_original(db):
    load_seed_regulations(sources=["D19"])
    assert Clause.objects.get(regulation__source="D19", number="九").original_text == ""


def test_punctuation_is_full_width_except_in_times():
    seed = next(c for c in SEEDS["D01"].clauses if c.number == "1")
    text, original = corrected_text(seed)
    assert text == "服务中心营业时间规定为8:30-20:00，在营业时间内不得出现无人值守的情况。" and original == ""


def test_no_real_names_of_people_or_places(db):
    # C-15: the names in D01/D02 are data, never product text (written escaped here so they stay out of the code)
    names = ["\u5f20\u5efa", "\u674e\u78ca", "\u7861\u53e3", "\u5927\u9f99", "\u53e4\u4e94"]
    load_seed_regulations()
    for clause in Clause.objects.all():
        for name in names:
            assert name not in clause.text and name not in clause.original_text
    for regulation in Regulation.objects.all():
        assert not any(name in regulation.title for name in names)
    report = Clause.objects.get(regulation__source="D01", number="二、2")
    assert "并于次日发送××，抄送至××营维，××" in report.text
