"""The regulations of the seed documents as Regulation + Clause rows (REQUIREMENTS.md §1: D01, D19, D02).

The clause texts are the regulation: they are transcribed from the seed, numbered as there, with
- the typos of C-14 corrected in `text` (the source as written kept in `original_text`; each correction is
  listed next to its clause below, so the transcription can be checked);
- ASCII punctuation normalised to full-width Chinese punctuation (not counted as a correction);
- names of real people and places replaced with «××» in both texts (C-15: people are configuration data,
  never product data); the document titles are kept without the place names.
Nothing is added: where the source is truncated or empty the clause says so, and D19's missing 第七条 is not
invented. Each clause carries the requirement IDs of REQUIREMENTS.md §3 that it gives rise to.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from servicecenter.core.policy import implements

from .models import Regulation
from .services import regulation_create
from .values import local_today


@dataclass(frozen=True)
class ClauseSeed:
    number: str
    title: str
    source: str  # the seed text as written (names masked, C-15)
    requirement_ids: tuple[str, ...]
    corrections: tuple[tuple[str, str], ...] = ()  # (as written, corrected), C-14
    lines: bool = False  # the source separates lines (scripts, ①② items) with spaces: show them as lines


@dataclass(frozen=True)
class RegulationSeed:
    source: str
    code: str
    title: str
    clauses: tuple[ClauseSeed, ...] = field(default=())


_PUNCT = {",": "，", "(": "（", ")": "）", "?": "？", "!": "！", ";": "；", "*": "×"}
_COLON = re.compile(r"(?<!\d):|:(?!\d)")  # a colon that is not inside a time like 8:30


@implements("C-14")
def corrected_text(seed: ClauseSeed) -> tuple[str, str]:
    """(text, original_text) of a clause: the corrected wording, and the source as written when a word changed.

    C-14: UI and clause texts use the corrected wording; the original is kept for traceability.
    """
    text = seed.source
    for wrong, right in seed.corrections:
        if wrong not in text:
            raise ValueError(f"correction {wrong!r} not found in clause {seed.number}")
        text = text.replace(wrong, right)
    text = _COLON.sub("：", text)
    for ascii_mark, full_width in _PUNCT.items():
        text = text.replace(ascii_mark, full_width)
    if seed.lines:
        text = re.sub(r"(?<=\S)\s*(?=[①-⑳])", "\n", text)  # each ①② item on its own line
        text = re.sub(r"\s+", "\n", text.strip())  # the source's spaces separate the lines of a script
    return text.strip(), (seed.source if seed.corrections else "")


D01 = RegulationSeed(
    source="D01",
    code="service-station",
    title="服务中心管理制度（服务站）",
    clauses=(
        ClauseSeed(
            "前言",
            "制定目的",
            "为加强服务中心规范化统一管理,完善各项工作制度及相关流程,进一步有效提升服务中心业绩水平。"
            "以公司相关文件为导向,结合本站实际情况,特此制定服务中心管理制度。",
            ("ORG-01",),
        ),
        ClauseSeed(
            "1",
            "营业时间与值守",
            "服务中心营业时间规定为8:30-20:00,在营业时间内不得出现无人值守的情况。",
            ("ATT-01", "ATT-02"),
        ),
        ClauseSeed(
            "2",
            "考勤纪律",
            "服务中心员工必须遵守上下班打卡考勤制度,按照上下班,不迟到,不早退,工作时间严禁擅自离开工作岗位,"
            "如有特殊情况,需提前上报服务中心经理批准方可。",
            ("ATT-03", "ATT-04", "ATT-05", "ATT-06"),
            corrections=(("按照上下班", "按时上下班"),),
        ),
        ClauseSeed(
            "3",
            "工作时间纪律",
            "工作时间禁止网络游戏,下棋等与工作无关的事情。如有违反者,按照当天旷工一次扣除积分,每月内累计2次者,"
            "按照旷工二次扣除积分,每月内累计3次者,上报××营维中心给予处罚并申请降职处分。",
            ("ATT-10", "ATT-11", "ATT-12", "ATT-13", "ORG-05"),
        ),
        ClauseSeed(
            "4",
            "公休、年休与工作时间",
            "服务中心员工每月内可享受6天公休,满一年以上员工须提前一个月申请年休(具体情况以公司文件为准),"
            "每日按照8个小时的工作时间来工作,具体事宜以服务中心经理制定排休,并张贴在服务中心内。",
            ("ATT-07", "ATT-08", "ATT-09", "LEV-07", "PUB-03"),
        ),
        ClauseSeed(
            "5",
            "请假与病假",
            "严禁请,病假制度。员工因私事请假1天之内(含1天)由服务中心经理批准同意。3天之内由营维中心总经理批准同意,"
            "并报备渠道部。事假不得超过6天以上,按照公休时间进行销假。员工请病假不得超过3天(特殊情况除外),"
            "必须由医生开具病例证明,并上交给服务中心经理。未经批准而擅自离开工作岗位,按照旷工处理。",
            ("LEV-09", "LEV-01", "LEV-02", "ORG-06", "LEV-03", "LEV-04", "LEV-05", "LEV-06", "LEV-08"),
            corrections=(("严禁请,病假制度", "严格请、病假制度"), ("病例证明", "病历证明")),
        ),
        ClauseSeed(
            "6",
            "公司活动",
            "参加公司组织的培训,户外拓展,会议或者其他活动,如有事临时不能参加,须提前通知并请假。"
            "在规定时间内未到或者早退,按照迟到做扣分处理。未经批准而擅自不参加,做旷工扣分处理。",
            ("INS-26", "ATT-14", "ATT-15", "ATT-16", "PTS-19"),
        ),
        ClauseSeed(
            "二",
            "服务中心人员岗位职责及绩效考核",
            "服务中心人员组织结构包括服务中心经理,接单内勤,税控专员内勤,续费专员,服务销售主管,市场销售主管,"
            "销售专员,服务人员,基础宣传员。",
            ("ORG-02", "ORG-03"),
        ),
        ClauseSeed(
            "二、1",
            "服务中心经理",
            "服务中心经理根据公司下达的业务指标分阶段性的超额完成,根据公司相关政策在经营管理活动中对本服务中心范围内的"
            "人,财,物享有调配管理权。工资按照净增长,新增,权责收入计算的系数来核算(系数参见每月公司下发的服务中心综合"
            "业绩考评标准):基本工资+服务中心内人员平均积分*考核结果系数*每平均积分金额",
            ("PTS-29", "ORG-04", "PTS-02", "PTS-03", "PTS-01", "FIN-19"),
        ),
        ClauseSeed(
            "二、2",
            "接单内勤",
            "接单内勤在服务中心经理的领导下开展工作,按照服务中心经理的指令调度站内员工对用户服务。承担接听客户的咨询,"
            "投诉电话,运维工单的派发,跟单,回单的工作,做好工作记录,下班前续核对服务中心人员的工作积分,"
            "每日汇总到积分公示表上,并于次日发送××,抄送至××营维,××。要求工单半小时响应,4个小时内处理,"
            "严格蹲守公司客服调度关于内勤考核的相关规定,根据站内实际情况,合理安排工单,并要做到及时有序。"
            "采取不定期对新装用户的温馨回访,反馈服务中心人员上门的服务质量给服务中心经理。工资以每月接单量及打发票来计算。",
            (
                "WO-04",
                "WO-01",
                "WO-02",
                "WO-06",
                "PTS-04",
                "PTS-05",
                "PTS-06",
                "WO-03",
                "WO-07",
                "WO-05",
                "CB-09",
                "CB-10",
                "PTS-07",
            ),
            corrections=(("续核对", "需核对"), ("蹲守", "遵守")),
        ),
        ClauseSeed(
            "二、3",
            "税控专员内勤",
            "税控专员内勤负责服务中心收入与支出的各项手续的办理。保证站内各项(包括:临时促销人员费用,小额办公费,"
            "水电费支出,物业沟通费,站内电话费,电脑补贴,电动车补助,及时奖励及其他营业支出等)支出有经手人,收款人,"
            "核准人签字确认,并妥善保管原始有效凭证和记账凭证。对服务中心收入与支出建立账册,做好现金流水账的记录,"
            "保证收入,支出透明,公开。负责服务中心员工每日积分和及时奖励的统计,规定为在次月第一周内将上个月账务明细和"
            "及时奖励明细打印并悬挂于服务中心墙上,做到公开透明。每月5号之前须对上月服务中心人员积分表重新核查一次,"
            "核查无误后,打印并交由服务中心经理。税控专员内勤负责服务中心内所有物质的管理,资产的核对和单据的录入。"
            "资产管理积分定为50分。根据公司财务部相关规定,在服务中心内监督员工登记发票凭证,以每周进行一次核对工作。"
            "工资以每月接单量,财务对接工作,资产管理,打票等来核算工资。",
            (
                "FIN-01",
                "FIN-02",
                "FIN-03",
                "FIN-04",
                "FIN-05",
                "FIN-06",
                "FIN-07",
                "FIN-08",
                "PTS-08",
                "FIN-09",
                "PTS-28",
                "PUB-02",
                "PUB-14",
                "PTS-09",
                "AST-01",
                "PTS-10",
                "FIN-10",
                "PTS-11",
            ),
            corrections=(("所有物质的管理", "所有物资的管理"),),
        ),
        ClauseSeed(
            "二、4",
            "续费专员",
            "续费专员负责续费用户和历史停机用户电话的回访工作。当月续费率为58%标准进行考核,在此基础上,每上升一个百分点,"
            "积分相应的加8分(例如:当月续费率是68%,核算积分为80分)。按照当月续费率达到70%为考核要求,"
            "闪影6.0的续费用户转为闪影3.0,按照每户扣减1分,闪影3.0的续费用户转为闪影6.0,每户奖励1分。"
            "转为闪影8.2及以上,每户奖励2分。奖励和处罚积分每月月底进行一次统计,添加到积分公示表辅助积分项上。",
            ("CB-11", "PTS-12", "PTS-13", "PTS-14", "PTS-15", "PTS-16", "PTS-17", "PTS-18", "PUB-01"),
        ),
    ),
)

D19 = RegulationSeed(
    source="D19",
    code="gov-hall",
    title="政务服务中心管理制度",
    clauses=(
        ClauseSeed(
            "前言",
            "制定目的",
            "为加强对政务服务中心工作人员的管理,建立公正、透明、廉洁、高效的服务机构,更好的为广大群众提供服务,"
            "特制定本管理制度。",
            (),
        ),
        ClauseSeed(
            "一",
            "履行岗位职责",
            "政务服务中心的工作人员必须认真履行岗位职责,执行服务中心制定的规章制度。",
            ("GOV-01",),
        ),
        ClauseSeed(
            "二",
            "不得拖而不办",
            "政务服务中心的工作人员必须按照工作程序,尽职尽责,努力完成任务,不能以任何籍口拖而不办。",
            ("GOV-02",),
            corrections=(("籍口", "借口"),),
        ),
        ClauseSeed(
            "三",
            "考勤制度",
            "政务服务中心的工作人员必须认真加强组织纪律,遵守上班作息时间,上午为8:30—11:30,下午为2:30—5:30;"
            "8:00—8:30为签到时间,缺签一次扣5元,矿工一天扣20元。",
            ("ATT-21", "ATT-22", "ATT-23", "ATT-24"),
            corrections=(("矿工", "旷工"),),
        ),
        ClauseSeed(
            "四",
            "请销假制度",
            "工作人员不得擅离职守,确需请假的按下列规定执行: ①因公外出办事或请假一天以内的,报分管领导审批同意;"
            "②请假二天以上的,需书面申请,报党政主要领导审批;③请、销假手续均由党政办登记备案。",
            ("LEV-10", "LEV-14", "LEV-11", "LEV-12", "ORG-25"),
            lines=True,
        ),
        ClauseSeed(
            "五",
            "卫生保洁制度",
            "①全体工作人员养成良好的卫生习惯,做到不随地吐痰,不乱丢垃圾,工作资料、用品要摆放整齐,保持“中心”室内外卫生;"
            "②各窗口要做到每日一小扫,每周一大扫;每天窗口工作人员必须在上班前对本窗口的桌、椅、柜、地面等进行一次清扫。",
            ("INS-22", "INS-21"),
            lines=True,
        ),
        ClauseSeed(
            "六",
            "办公设施管理制度",
            "①艰苦奋斗,勤俭节约;②严禁向服务对象索取钱物或报销应由个人支付的各种费用③严禁违反规定从事有偿中介活动,"
            "以及为亲友违规办理审批手续;④严禁在公务活动中接受礼品、礼金及吃请;⑤严禁上班期间上网、玩游戏以及参与赌博。",
            ("AST-14", "SEC-04", "SEC-05", "SEC-06", "SEC-07", "CON-14"),
            corrections=(("各种费用③", "各种费用;③"),),
            lines=True,
        ),
        # 第七条 is missing from the seed (C-25); it is not invented here.
        ClauseSeed(
            "八",
            "首问责任制",
            "(原文此条只有标题,没有条文。)",
            ("GOV-03",),
        ),
        ClauseSeed(
            "九",
            "限时办结制",
            "限时办结制是指群众到中心办理属于中心职责范围内的事宜,要按照相关事项的工作标准,在规定或承诺的时间内办理完结"
            "或予以答复;资料不齐全或不符合规定的,窗口工作人员应当按规定一次性告知群众补正所需资料,其办理时限从收到补正"
            "资料时计算;因特殊原因不能按时限办结或予以答复,需要延期的,窗口工作人员应当告知群众原因和理由。",
            ("GOV-04", "GOV-05", "GOV-06", "GOV-07"),
        ),
        ClauseSeed(
            "十",
            "政务公开制度",
            "①公开机构设置、职责、领导及工作人员情况;②公开运行机制和管理制度;③公开各窗口部门及其工作人员情况;"
            "④公开服务项目内容、申报材料、办理程序;⑤公开办理时限;⑥公开投诉举报电话。",
            ("PUB-05", "GOV-08", "GOV-09", "GOV-10", "GOV-11", "GOV-12", "GOV-13"),
            lines=True,
        ),
    ),
)

D02 = RegulationSeed(
    source="D02",
    code="call-center",
    title="客服呼叫中心管理办法",
    clauses=(
        ClauseSeed("一、1", "总则", "员工应自觉遵守公司内的相关规定。", ()),
        ClauseSeed("一、2", "总则", "员工有义务维护公司利益和公司形象。", ("CON-11",)),
        ClauseSeed("二、1", "仪容仪表", "员工上班期间统一穿工作服。", ("CON-01",)),
        ClauseSeed("二、2", "仪容仪表", "要保持工作服干净、整洁。", ("CON-02",)),
        ClauseSeed("二、3", "仪容仪表", "上班期间不能化浓妆。", ("CON-03",)),
        ClauseSeed("二、4", "仪容仪表", "指甲要常修剪,不能染指甲。", ("CON-04",)),
        ClauseSeed("二、5", "仪容仪表", "头发要梳理整齐,发式要得体,颜色要得当。", ("CON-05",)),
        ClauseSeed("二、6", "仪容仪表", "在岗期间,不准佩带悬挂式大耳环等夸张的饰物。", ("CON-06",)),
        ClauseSeed("三、1", "考勤制度", "供暖期间呼叫中心实行24小时倒班制度。", ("ATT-17",)),
        ClauseSeed(
            "三、2",
            "考勤制度",
            "员工必须严格执行班次安排,提前10分钟到岗,做好交接班工作。",
            ("ATT-18", "ATT-19"),
        ),
        ClauseSeed(
            "三、3",
            "考勤制度",
            "任何员工不得自行换班,如遇确实需要换班的情况,必须经主管批准、给予调整。",
            ("ATT-20", "ORG-07"),
        ),
        ClauseSeed(
            "四、1",
            "报修服务用语及相关规范：接报修电话",
            "接报修电话: “您好,××供暖报修(XXX报工号)为您服务,请问您有什么问题”(跟读确认问题) "
            "请问您的具体地址?(跟读确认地址) 请问您的姓名?(跟读确认姓名) 请留一下联系电话?(跟读确认电话) "
            "好!维修人员会尽快跟您联系。感谢您的来电。再见! 节日期间使用统一的开头用语: "
            "元旦、春节:统一使用开头用语:“新年好!××报修xxx(工号)为您服务,请问您有什么问题!”(跟读确认问题) "
            "五一劳动节:统一使用开头用语:“劳动节快乐!××报修xxx(工号)为您服务,请问您有什么问题!”(跟读确认问题) "
            "中秋节:统一使用开头用语:“中秋节快乐!××报修xxx(工号)为您服务,请问您有什么问题!”(跟读确认问题) "
            "国庆节:统一使用开头用语:“国庆节快乐!××报修xxx(工号)为您服务,请问您有什么问题!”(跟读确认问题) "
            "节日开头语具体使用时间,统一以每次节日通知为准。",
            ("CON-07", "ORG-08", "WO-08", "WO-09", "CON-08", "CON-09"),
            lines=True,
        ),
        ClauseSeed(
            "四、2",
            "报修服务用语及相关规范：回访",
            "维修完成对已返单用户进行回访,回访过程及内容如下: "
            "开头语:您好,我们是供暖报修平台,对您家报修的处理情况进行回访。您现在方便吗?(如方便继续回访内容,"
            "如不方便预约回访时间) a.问题解决了吗?(是、否) b.维修工态度如何?(满意、一般、不满意) "
            "c.跟您收费了吗?(是、否) "
            "d.请您为我们的服务打分(1--10分) e.您对我们的服务还有什么建议或意见吗? "
            "f.(若满意且未交费)我们的收费工作已经开始,请您方便的时候交纳供暖费。 "
            "结束语:感谢您的合作,以后有什么问题,请您随时拔打XXXXXXX,我们将及时为您服务。",
            ("WO-10", "CB-01", "CB-02", "CB-03", "CB-04", "CB-05", "CB-06", "CB-07", "CB-08", "CB-18", "CON-10"),
            corrections=(("拔打", "拨打"),),
            lines=True,
        ),
        ClauseSeed(
            "五、1",
            "保密",
            "所有关于中心经营的财务状况、销售策略、技术资料、业绩、业……(原文至此中断)",
            ("SEC-01",),
        ),
    ),
)

SEEDS: dict[str, RegulationSeed] = {seed.source: seed for seed in (D01, D19, D02)}
# Which seed regulation a center of each type follows (§4 C-22); other types get none unless asked for.
SOURCES_BY_CENTER_TYPE = {"service_station": "D01", "gov_hall": "D19", "call_center": "D02"}


def clause_rows(seed: RegulationSeed) -> list[dict[str, Any]]:
    """The clause mappings `regulation_create` takes, with corrected texts."""
    rows = []
    for clause in seed.clauses:
        text, original = corrected_text(clause)
        rows.append(
            {
                "number": clause.number,
                "title": clause.title,
                "text": text,
                "original_text": original,
                "requirement_ids": list(clause.requirement_ids),
            }
        )
    return rows


def _default_sources(organization: Any) -> list[str]:
    if organization is None:
        return list(SEEDS)
    source = SOURCES_BY_CENTER_TYPE.get(getattr(organization, "center_type", "") or "")
    return [source] if source else list(SEEDS)


def load_seed_regulations(
    *,
    organization: Any = None,
    sources: Iterable[str] | None = None,
    effective_date: date | None = None,
    actor: Any = None,
) -> int:
    """Create the seed regulations (D01, D19, D02) for `organization` (None: installation-wide). Idempotent.

    `sources` picks the documents (e.g. ["D19"]); by default a center gets the one of its center type, an
    installation (or a unit of another type) all three. A regulation that already exists for that organization
    (same code, version 1) is left as it is. `effective_date` defaults to today in the organization's time zone.
    Returns the number of regulations created (0 on a second run).
    """
    chosen = list(sources) if sources is not None else _default_sources(organization)
    unknown = [s for s in chosen if s not in SEEDS]
    if unknown:
        raise ValueError(f"unknown seed regulation source(s): {', '.join(unknown)}; known: {', '.join(SEEDS)}")
    created = 0
    for source in chosen:
        seed = SEEDS[source]
        existing = Regulation.objects.filter(code=seed.code, version="1")
        existing = (
            existing.filter(organization=organization)
            if organization is not None
            else existing.filter(organization__isnull=True)
        )
        if existing.exists():
            continue
        regulation_create(
            actor=actor,
            organization=organization,
            code=seed.code,
            title=seed.title,
            effective_date=effective_date or local_today(organization),
            clauses=clause_rows(seed),
            source=seed.source,
        )
        created += 1
    return created
