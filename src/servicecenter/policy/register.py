"""The requirement IDs (REQUIREMENTS.md) this codebase implements: ID → (title, kind).

Kind is the catalogue's: a = enforced automatically, b = workflow/form, c = report/board. A test
(tests/policy/test_register.py) fails when an ID here has no `@implements` function or no test marked
`@pytest.mark.clause(ID)`, or when code claims an ID that is not listed here. Add a line when you implement one.
"""

from __future__ import annotations

from typing import NamedTuple


class Requirement(NamedTuple):
    title: str
    kind: str


IMPLEMENTED: dict[str, Requirement] = {
    "ORG-04": Requirement("中心经理只管理本中心：数据范围 = 本中心子树", "a"),
    "ORG-13": Requirement("限时委托：主任外出时事项转交受托副职，并在每个决定上显示", "a"),
    "ORG-21": Requirement("分中心继承上级制度与参数，除非明确覆盖", "a"),
    "C-01": Requirement("营业时间按中心：每天一个或多个时段、季节、节假日", "a"),
    "ORG-05": Requirement("组织树 公司→营维中心→服务中心；超出权限与自身事项上报上级营维中心", "b"),
    "ORG-06": Requirement("流程可有仅知会（报备）的相关方，只接收备案不审批", "b"),
    "C-03": Requirement("审批路由 = 按数量分档的有序列表；无匹配档送最高一档审批人并标注“无规则，请配置”", "a"),
    "C-11": Requirement("审批路由按通用角色（而非职务名称）确定审批人", "a"),
    "ORG-18": Requirement("制度库：有版本、按条编号的管理制度；每个决定引用其依据的条款", "b"),
    "C-14": Requirement("条文使用更正后的文字，原文保留以便追溯", "a"),
    "ORG-08": Requirement("每名一线员工有全系统唯一的工号（字母、数字、连字符）", "a"),
    # workcalendar: business calendar (DESIGN.md §3)
    "C-02": Requirement("季节 = 按中心按年度录入的命名日期范围；无季节时按常规营业时间", "a"),
    "ATT-01": Requirement("营业时间按中心设定；服务站默认每天 08:30–20:00", "a"),
    "ATT-17": Requirement("供暖期内呼叫中心 24 小时倒班值守", "a"),
    "ATT-21": Requirement("政务大厅办公时间 08:30–11:30、14:30–17:30，仅法定工作日", "a"),
    "ATT-34": Requirement("在线客服热线 7×24 小时畅通", "a"),
    "G-12": Requirement("节日问候默认时段 = 营业日历中的法定节假日期间", "a"),
    "C-22": Requirement("中心类型决定可用的模块与角色：为某类中心设置的角色不在其他类中心授予", "a"),
    # customers (issue 3)
    "SVC-18": Requirement("客户档案资料（合同、图纸、凭证）：图片或 PDF，按内容校验，限定大小", "b"),
    "SVC-19": Requirement("客户状态：现有、转化中、潜在；变更须写明原因，有工单的客户不能改为潜在客户", "a"),
    "CON-07": Requirement("受理开头语模板按中心，含 {brand}、{staff_no}，显示在受理页面", "b"),
    "CON-08": Requirement("节日期间使用统一的节日开头用语", "b"),
    "CON-09": Requirement("按节日通知录入节日开头语时段，时段内自动切换开头语", "a"),
    "CON-10": Requirement("受理结束语模板，含服务热线号码", "b"),
    # workorders (issue 3)
    "WO-01": Requirement("每个来电登记并分类（咨询、投诉、报修、安装、其他）；重复来电识别后记在原工单", "b"),
    "WO-03": Requirement("工单半小时响应、4 小时处理：按营业日历计时，预警、超时标记并通知经理", "a"),
    "C-09": Requirement("SLA 按中心 × 工单类别 × 优先级设定（响应、处理、计时方式）", "a"),
    "C-19": Requirement("暂停时计时方式按政策：不停表 / 暂停 / 重新计时", "a"),
    "WO-06": Requirement("工单的每个动作（受理、派单、通话、状态变化、备注）连同操作人和时间记入只增不改的记录", "a"),
    "WO-08": Requirement("受理须跟读确认问题、地址、姓名、电话，全部勾选后才能保存", "a"),
    "WO-11": Requirement("登记在册的特殊群体来电自动最高优先级", "a"),
    "WO-15": Requirement("未解决的设施问题按间隔自动再次上报直至关闭，记录上报次数", "a"),
    "SVC-02": Requirement("服务登记簿必填项：姓名、地址、电话及中心要求的型号、规格、购买日期与地点", "a"),
    "SVC-05": Requirement("当场完工须客户在服务凭证上签字（电子签名或纸质凭证照片）", "a"),
    "SVC-06": Requirement("完工后凭证归档，归档后只读", "a"),
    "SVC-07": Requirement("低于现场收费上限的有偿服务由服务人员当场收费", "a"),
    "SVC-08": Requirement("超过上限的由财务部开具发票另行收费", "a"),
    "G-13": Requirement("未设置现场收费上限时，有偿服务一律走开票流程", "a"),
    "SVC-09": Requirement("凭证与登记簿须记录实际服务起止时间与服务内容", "a"),
    "SVC-10": Requirement("服务凭证须经部门经理核签后方可归档", "a"),
    "SVC-11": Requirement("每日根据服务登记簿核对服务凭证：登记无凭证、凭证无登记逐条列出原因", "a"),
    "SVC-12": Requirement("当天未派工作次日优先派工", "a"),
    "SVC-13": Requirement("异地服务须经部门经理核准后方能派工", "a"),
    "SVC-14": Requirement("差旅费、补贴费列入该服务的服务成本", "a"),
    # leave (issue 5)
    "LEV-01": Requirement("请假1天之内（含1天）由服务中心经理批准", "a"),
    "LEV-02": Requirement("请假3天之内由营维中心总经理批准，并报备渠道部", "a"),
    "LEV-03": Requirement("事假不得超过6天（范围按 C-04 参数），超出在提交时拒绝", "a"),
    "LEV-04": Requirement("事假按公休时间销假：当月剩余公休 = 公休天数 − 事假天数", "a"),
    "LEV-05": Requirement("病假不超过3天；超出须按特殊情况写明原因并送上一级审批", "a"),
    "LEV-06": Requirement("病假须附医生开具的病历证明方可批准", "a"),
    "LEV-07": Requirement("年休假：工龄满1年，提前1个月申请；天数按中心录入的标准", "a"),
    "LEV-10": Requirement("政务大厅：因公外出或请假1天以内报分管领导审批", "a"),
    "LEV-11": Requirement("政务大厅：请假2天以上须书面申请（事由、交接）报党政主要领导审批", "a"),
    "LEV-12": Requirement("请假、销假手续均登记备案：请假登记簿", "c"),
    "LEV-14": Requirement("因公外出：登记地点、事由、预计返回；免于考勤但不扣假", "b"),
    "ATT-06": Requirement("临时离岗须在离岗前经服务中心经理批准", "b"),
    "ATT-14": Requirement("活动（培训、拓展、会议）缺席须在活动开始前请假", "a"),
    "C-04": Requirement("事假上限参数 leave.personal_max_days，范围 每次/每月/每年，默认每月", "a"),
    "C-23": Requirement("活动缺席与因公外出是有各自审批路线的请假类型", "a"),
    "G-14": Requirement("年休假天数按中心录入的工龄标准表；1年/1个月规则始终执行", "a"),
    # rosters (issue 5)
    "ATT-02": Requirement("营业时间内不得无人值守：排班校验 + 最少在岗人数参数", "a"),
    "ATT-07": Requirement("每日按 8 小时工作：班次时长不等于标准工时时提示（按中心配置）", "a"),
    "ATT-08": Requirement("每月公休 6 天：排班多于或少于额度时提示", "a"),
    "ATT-09": Requirement("服务中心经理制定并发布排休表，张贴并可打印", "b"),
    "ATT-19": Requirement("交接班记录由接班人确认", "b"),
    "ATT-20": Requirement("不得自行换班：调班须双方申请、主管审批后才改排班", "a"),
    "ATT-35": Requirement("下班时间值班表，登记值班手机", "b"),
    "C-17": Requirement("班次模板按中心；8 小时检查仅在配置处适用", "a"),
    "C-24": Requirement("值班是独立的排班，不产生考勤违规", "a"),
    # attendance (issue 5) — also implements ATT-02 (live alert), ATT-14, C-23, C-24 listed above
    "ATT-03": Requirement("上下班打卡；缺卡标记，须经审批补卡（每月次数上限）", "a"),
    "ATT-04": Requirement("迟到（晚于上班时间+宽限）与早退（早于下班时间）", "a"),
    "ATT-05": Requirement("工作时间擅自离岗（无已批准请假）按旷工处理", "a"),
    "LEV-08": Requirement("未经批准的缺勤（无已批准请假或离岗）计为旷工", "a"),
    "ATT-10": Requirement("工作时间从事与工作无关活动的违纪登记（日期、登记人、证据）", "b"),
    "ATT-11": Requirement("当月第1次与工作无关活动：按旷工一次计", "a"),
    "ATT-12": Requirement("当月第2次：按旷工二次计（计数口径见 C-06）", "a"),
    "ATT-13": Requirement("当月第3次：上报营维中心处罚并申请降职", "a"),
    "C-06": Requirement("重复违纪计数：默认按次数倍数（1×、2×），可选累计口径", "a"),
    "CON-14": Requirement("违纪类型：上班期间上网、玩游戏、参与赌博", "b"),
    "ATT-15": Requirement("活动规定时间内未到或早退按迟到处理", "a"),
    "ATT-16": Requirement("未经批准擅自不参加活动按旷工处理", "a"),
    "ATT-18": Requirement("提前10分钟到岗：最后10分钟内打卡标记“未提前到岗”，晚于上班时间为迟到", "a"),
    "ATT-22": Requirement("签到时段 08:00–08:30，时段内未签到为缺签", "a"),
    "ATT-23": Requirement("缺签一次扣5元", "a"),
    "ATT-24": Requirement("旷工一天扣20元", "a"),
    "ATT-28": Requirement("违纪类型：串岗、脱岗、离岗（无已批准请假时）", "b"),
}
