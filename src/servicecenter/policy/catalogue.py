"""Every policy parameter the system reads, declared once with its seed default (REQUIREMENTS.md §6).

Grouped by the app that reads it. "—" in §6 (no seed value) is declared with default None: the rule that
needs it warns or refuses until a center sets it (e.g. G-04). Values not in the seed are marked so.
"""

from .registry import declare

# --- attendance / business calendar (§3.2 ATT, C-01, C-02, C-17) -----------------------------------------
declare(
    "attendance.business_hours",
    type="time_ranges",
    default=[["08:30", "20:00"]],
    label="营业时间",
    requirements=("ATT-01", "ATT-21", "C-01"),
    source="D01",
    description="每天的营业时段，可设多个时段（如政务大厅 08:30–11:30、14:30–17:30）。SLA 与考勤按此计算。",
)
declare(
    "attendance.open_days",
    type="text",
    default="all_days",
    label="营业日",
    requirements=("ATT-01", "C-01"),
    source="D01",
    choices=(("all_days", "每天营业（含周末节假日）"), ("workdays", "仅法定工作日（含调休上班日）")),
    description="服务站每天营业；政务大厅仅在法定工作日办公。",
)
declare(
    "attendance.min_staff_on_duty",
    type="int",
    default=1,
    label="营业时间最少在岗人数",
    unit="人",
    requirements=("ATT-02",),
    source="D01",
)
declare(
    "attendance.workday_hours",
    type="int",
    default=8,
    label="每日工作时长",
    unit="小时",
    requirements=("ATT-07", "C-17"),
    source="D01",
)
declare(
    "attendance.monthly_rest_days",
    type="int",
    default=6,
    label="每月公休天数",
    unit="天",
    requirements=("ATT-08", "LEV-04"),
    source="D01",
)
declare(
    "attendance.late_grace_minutes",
    type="int",
    default=0,
    label="迟到宽限",
    unit="分钟",
    requirements=("ATT-04",),
    source="D01",
)
declare(
    "attendance.early_arrival_minutes",
    type="int",
    default=10,
    label="提前到岗",
    unit="分钟",
    requirements=("ATT-18",),
    source="D02",
)
declare(
    "attendance.heating_season",
    type="date_range",
    default=None,
    label="供暖期",
    requirements=("ATT-17", "C-02"),
    source="D02",
    description="每年由管理员录入起止日期。",
)
declare(
    "attendance.round_the_clock",
    type="bool",
    default=False,
    label="全天候（7×24）营业",
    requirements=("ATT-34",),
    source="D17",
)
declare(
    "attendance.round_the_clock_in_season",
    type="bool",
    default=False,
    label="供暖期 24 小时值班",
    requirements=("ATT-17",),
    source="D02",
)
declare(
    "attendance.sign_in_window",
    type="time_ranges",
    default=[["08:00", "08:30"]],
    label="签到时段",
    requirements=("ATT-22",),
    source="D19",
)
declare(
    "attendance.fine.missed_sign_in_cny",
    type="decimal",
    default="5",
    label="缺签罚款",
    unit="元/次",
    requirements=("ATT-23",),
    source="D19",
)
declare(
    "attendance.fine.absenteeism_cny_per_day",
    type="decimal",
    default="20",
    label="旷工罚款",
    unit="元/天",
    requirements=("ATT-24",),
    source="D19",
)
declare(
    "attendance.nonwork_violation_ladder",
    type="json",
    default={"counting": "ordinal_multiplier", "steps": [1, 2], "escalate_at": 3, "demotion_request": True},
    label="工作时间从事与工作无关活动的处罚阶梯",
    requirements=("ATT-11", "ATT-12", "ATT-13", "C-06"),
    source="D01",
    description="第1次计1次旷工，第2次计2次旷工，第3次上报营维中心并申请降职（C-06 默认按次数倍数计）。",
)
declare(
    "attendance.punch_corrections_per_month",
    type="int",
    default=3,
    label="每月补卡次数上限",
    unit="次",
    requirements=("ATT-03",),
    source="不在原文",
)
declare(
    "attendance.punch_ip_ranges",
    type="json",
    default=[],
    label="打卡 IP 范围",
    requirements=("ATT-03",),
    source="不在原文",
    description='允许网页/手机打卡的 IP 网段列表，如 ["10.1.2.0/24"]；为空表示不限制。'
    "与定位范围同时设置时满足其一即可。",
)
declare(
    "attendance.punch_geofence",
    type="json",
    default=None,
    label="打卡定位范围",
    requirements=("ATT-03",),
    source="不在原文",
    description='以中心为圆心的打卡范围，如 {"lat": 30.58, "lng": 114.27, "radius_m": 300}；为空表示不限制。',
)
declare(
    "attendance.punch_dedupe_seconds",
    type="int",
    default=60,
    label="重复打卡合并时间",
    unit="秒",
    requirements=("ATT-03",),
    source="不在原文",
    description="同一类型的打卡在此时间内再次提交（如连点两下），视为同一次打卡。",
)

# --- leave (§3.3 LEV, C-03, C-04) -------------------------------------------------------------------------
declare(
    "leave.approval_bands",
    type="approval_bands",
    default=[
        {"max_days": "1", "approvers": ["center_manager"], "notify": [], "form": ""},
        {"max_days": "3", "approvers": ["ops_center_gm"], "notify": ["channel_department"], "form": ""},
    ],
    label="请假审批权限",
    requirements=("LEV-01", "LEV-02", "C-03"),
    source="D01",
    description="按请假天数（半天为单位）分档：≤1天中心经理批准；≤3天营维中心总经理批准并报备渠道部。"
    "没有匹配档位的申请送最高一档审批人并标注“无规则，请配置”。",
)
declare(
    "leave.personal_max_days",
    type="json",
    default={"days": 6, "scope": "month"},
    label="事假上限",
    requirements=("LEV-03", "C-04"),
    source="D01",
    description="scope 取 request / month / year。",
)
declare(
    "leave.personal_offsets_rest_days",
    type="bool",
    default=True,
    label="事假按公休时间销假",
    requirements=("LEV-04",),
    source="D01",
)
declare(
    "leave.sick_max_days",
    type="int",
    default=3,
    label="病假天数上限（超出须特批）",
    unit="天",
    requirements=("LEV-05",),
    source="D01",
)
declare(
    "leave.sick_requires_certificate",
    type="bool",
    default=True,
    label="病假须附病历证明",
    requirements=("LEV-06",),
    source="D01",
)
declare(
    "leave.annual_min_service_years",
    type="int",
    default=1,
    label="年休假所需工龄",
    unit="年",
    requirements=("LEV-07",),
    source="D01",
)
declare(
    "leave.annual_notice_days",
    type="int",
    default=30,
    label="年休假提前申请",
    unit="天",
    requirements=("LEV-07",),
    source="D01",
    description="原文“提前1个月”，按 30 天计。",
)

# --- points and pay (§3.4 PTS, C-05, C-07, C-08, G-04) ----------------------------------------------------
declare(
    "points.deduction.late",
    type="decimal",
    default=None,
    label="迟到扣分",
    unit="分/次",
    requirements=("PTS-19", "G-04"),
    source="D01（未给数值）",
)
declare(
    "points.deduction.early_leave",
    type="decimal",
    default=None,
    label="早退扣分",
    unit="分/次",
    requirements=("PTS-19", "G-04"),
    source="D01（未给数值）",
)
declare(
    "points.deduction.absenteeism",
    type="decimal",
    default=None,
    label="旷工扣分",
    unit="分/次",
    requirements=("PTS-19", "G-04"),
    source="D01（未给数值）",
)
declare(
    "points.daily_verify_before_shift_end",
    type="bool",
    default=True,
    label="下班前核对当日积分",
    requirements=("PTS-04",),
    source="D01",
)
declare(
    "points.daily_report_recipients",
    type="json",
    default={"to": [], "cc": []},
    label="每日积分汇报对象",
    requirements=("PTS-06",),
    source="D01",
    description="收件人与抄送人（人员编号），作为数据维护，不写入代码（C-15）。",
)
declare(
    "points.month_recheck_deadline_day",
    type="int",
    default=5,
    label="月度积分复核截止日",
    unit="日",
    requirements=("PTS-09", "C-08"),
    source="D01",
)
declare(
    "points.asset_management_points",
    type="decimal",
    default="50",
    label="资产管理固定积分",
    unit="分",
    requirements=("PTS-10",),
    source="D01",
)
declare(
    "points.renewal_baseline_pct",
    type="decimal",
    default="58",
    label="续费率计分基线",
    unit="%",
    requirements=("PTS-12", "PTS-13", "C-07"),
    source="D01",
)
declare(
    "points.renewal_points_per_pct",
    type="decimal",
    default="8",
    label="续费率每超基线 1% 积分",
    unit="分",
    requirements=("PTS-13",),
    source="D01",
)
declare(
    "points.renewal_target_pct",
    type="decimal",
    default="70",
    label="续费率考核要求",
    unit="%",
    requirements=("PTS-14", "C-07"),
    source="D01",
)
declare(
    "points.plan_change",
    type="json",
    default={"6.0->3.0": -1, "3.0->6.0": 1, "->8.2+": 2},
    label="产品升降档积分（每户）",
    requirements=("PTS-15", "PTS-16", "PTS-17"),
    source="D01",
)
declare(
    "points.work_order",
    type="json",
    default={"repair": 1, "installation": 1, "other": 1, "inquiry": 0, "complaint": 0},
    label="工单积分（按类别）",
    unit="分/单",
    requirements=("PTS-04",),
    source="原文未给数值（默认每张维修、安装、其他工单 1 分）",
    description="完工回单后计入服务人员当日工作积分（待核对）。键为工单类别：repair 报修、installation 安装、"
    "other 其他、inquiry 咨询、complaint 投诉；0 或不填表示不计分。",
)
declare(
    "points.callback",
    type="json",
    default={"satisfied": 0, "average": 0, "dissatisfied": 0},
    label="回访评价积分（按服务态度）",
    unit="分/次",
    requirements=("PTS-22",),
    source="D10（未给数值）",
    description="回访完成后按客户对服务态度的评价给维修工计辅助奖惩分：satisfied 满意、average 一般、"
    "dissatisfied 不满意；0 表示不计分（评价仍计入月度考评）。",
)
declare(
    "points.daily_report_time",
    type="text",
    default="08:30",
    label="每日积分汇报发送时间",
    requirements=("PTS-06", "C-08"),
    source="D01（“次日发送”，时刻未规定）",
    description="次日几点把前一天的积分汇总发给汇报对象（HH:MM）。",
)
declare(
    "points.renewal_below_baseline_per_pct",
    type="decimal",
    default="0",
    label="续费率低于基线每 1% 积分",
    unit="分",
    requirements=("C-07",),
    source="原文未规定（默认 0：低于基线不计分）",
    description="可设为负数，表示低于基线每差一个百分点扣分。",
)
declare(
    "renewals.product_tiers",
    type="json",
    default=["3.0", "6.0", "8.2"],
    label="产品档次（由低到高）",
    requirements=("PTS-17", "CB-11"),
    source="D01（闪影 3.0、6.0、8.2）",
    description="续费产品的档次，由低到高排列；“8.2 及以上”按此顺序判断。",
)
declare(
    "points.manager_pay_formula",
    type="text",
    default="base_salary + avg_points * assessment_coefficient * amount_per_avg_point",
    label="服务中心经理工资公式",
    requirements=("PTS-01",),
    source="D01",
)

# --- appraisal (§3.4 PTS-22, PTS-14; issue 6 item 7): the monthly appraisal's composite score -------------------
declare(
    "appraisal.weights",
    type="json",
    default={"points": 40, "sla": 20, "satisfaction": 20, "attendance": 20},
    label="月度考评综合得分权重",
    unit="权重",
    requirements=("PTS-22",),
    source="原文未规定权重（默认值）",
    description="综合得分 = 各分项（0–100）按权重加权平均：points 积分、sla 工单时效、satisfaction 客户满意度、"
    "attendance 考勤。某分项当月没有数据时不参与，其余权重按比例重新分配。",
)
declare(
    "appraisal.attendance_scale",
    type="json",
    default={"per_late_or_early": 10, "per_absent_day": 20},
    label="考评考勤分项扣分",
    unit="分",
    requirements=("PTS-22",),
    source="原文未规定（默认值）",
    description="考勤分项 = 100 − per_late_or_early × (迟到 + 早退次数) − per_absent_day × 旷工天数，最低 0 分。",
)

# --- pay (§3.4 PTS-01, PTS-07, PTS-11, C-18): the seed gives no numbers; a formula needing an unset one shows
# «缺少输入：…（参数未设定）» on the payroll line instead of a number.
declare(
    "pay.amount_per_avg_point",
    type="decimal",
    default=None,
    label="每平均积分金额",
    unit="元/分",
    requirements=("PTS-01", "C-18"),
    source="D01（未给数值）",
    description="服务中心经理工资：平均积分 × 考核系数 × 每平均积分金额（PTS-01）。",
)
declare(
    "pay.amount_per_point",
    type="decimal",
    default=None,
    label="每积分金额",
    unit="元/分",
    requirements=("PTS-11", "C-18"),
    source="D01（未给数值）",
    description="员工积分工资与税控内勤资产管理积分的折算金额。",
)
declare(
    "pay.rate_per_order",
    type="decimal",
    default=None,
    label="每接一单金额",
    unit="元/单",
    requirements=("PTS-07", "PTS-11", "C-18"),
    source="D01（未给数值）",
    description="接单内勤、税控内勤按本月接单量计酬。",
)
declare(
    "pay.rate_per_invoice",
    type="decimal",
    default=None,
    label="每开一张发票金额",
    unit="元/张",
    requirements=("PTS-07", "PTS-11", "C-18"),
    source="D01（未给数值）",
    description="接单内勤、税控内勤按本月开票数计酬。",
)

# --- work orders and service register (§3.5 WO, §3.8 SVC, C-09, C-19, G-10, G-13) -------------------------
declare(
    "workorders.response_minutes",
    type="int",
    default=30,
    label="工单响应时限",
    unit="分钟",
    requirements=("WO-03", "C-09"),
    source="D01",
)
declare(
    "workorders.resolve_minutes",
    type="int",
    default=240,
    label="工单处理时限",
    unit="分钟",
    requirements=("WO-03", "C-09"),
    source="D01",
)
declare(
    "workorders.sla_clock",
    type="text",
    default="business",
    label="SLA 计时方式",
    requirements=("C-09",),
    source="不在原文（C-09）",
    choices=(("business", "按营业时间计"), ("calendar", "按自然时间计")),
)
declare(
    "workorders.sla_is_assumption",
    type="bool",
    default=False,
    label="SLA 取值为假设（待确认）",
    requirements=("G-10",),
    source="G-10",
)
declare(
    "workorders.sla_warning_fraction",
    type="decimal",
    default="0.8",
    label="SLA 预警比例",
    requirements=("WO-03",),
    source="不在原文",
)
declare(
    "workorders.on_missing_info",
    type="text",
    default="none",
    label="缺资料时的计时方式",
    requirements=("C-19",),
    source="C-19",
    choices=(("none", "不停表"), ("pause", "暂停"), ("restart", "重新计时")),
)
declare(
    "workorders.read_back_fields",
    type="json",
    default=["problem", "address", "name", "phone"],
    label="受理跟读确认项",
    requirements=("WO-08",),
    source="D02",
)
declare(
    "workorders.special_group_priority",
    type="text",
    default="urgent",
    label="特殊群体工单优先级",
    requirements=("WO-11", "CNV-31"),
    source="D03, D18",
)
declare(
    "workorders.issue_reescalation_interval_minutes",
    type="int",
    default=None,
    label="设施问题重复上报间隔",
    unit="分钟",
    requirements=("WO-15",),
    source="D08（未给数值）",
)
declare(
    "workorders.duplicate_window_hours",
    type="int",
    default=72,
    label="重复报修识别窗口",
    unit="小时",
    requirements=("WO-01",),
    source="不在原文",
)
declare(
    "workorders.sla_matrix",
    type="json",
    default=[],
    label="按类别与优先级的工单时限",
    requirements=("C-09",),
    source="不在原文（C-09）",
    description=(
        "可选：按工单类别（kind：inquiry/complaint/repair/installation/other）与优先级（priority：normal/high/urgent）"
        '设置不同时限，如 [{"kind": "repair", "priority": "urgent", "response_minutes": 15, '
        '"resolve_minutes": 120}]；未列出的按通用时限。'
    ),
)
declare(
    "service.register_fields",
    type="json",
    default=[],
    label="服务登记簿必填项",
    requirements=("SVC-02",),
    source="D10",
    description=(
        "除姓名、地址、电话外，本中心登记簿要求填写的项目："
        "product_model 商品型号、product_spec 规格、purchase_date 购买日期、purchase_place 购买地点。"
    ),
)
declare(
    "service.types",
    type="json",
    default=[["A", "有偿服务"], ["B", "合同服务"], ["C", "免费服务"], ["D", "内务服务"]],
    label="服务类型",
    requirements=("SVC-01",),
    source="D10",
)
declare(
    "service.low_fee_threshold",
    type="decimal",
    default=None,
    label="现场收费上限（低收费）",
    unit="元",
    requirements=("SVC-07", "G-13"),
    source="D10（未给数值）",
    description="未设置时所有有偿服务走开票流程（SVC-08）。",
)

# --- callbacks (§3.6 CB, C-10, G-03) ----------------------------------------------------------------------
declare(
    "callbacks.score_range",
    type="json",
    default={"min": 1, "max": 10},
    label="回访评分范围",
    requirements=("CB-05",),
    source="D02",
)
declare(
    "callbacks.attitude_scale",
    type="json",
    default=["满意", "一般", "不满意"],
    label="服务态度评价",
    requirements=("CB-03",),
    source="D02",
)
declare(
    "callbacks.courtesy_sample_rate",
    type="decimal",
    default=None,
    label="温馨回访抽样比例",
    unit="%",
    requirements=("CB-09",),
    source="D01（未给数值）",
)
declare(
    "callbacks.hotline_number",
    type="text",
    default=None,
    label="服务热线号码",
    requirements=("CB-08",),
    source="D02（原文为 XXXXXXX）",
)
declare(
    "callbacks.followup_score_max",
    type="int",
    default=5,
    label="触发跟进的评分上限",
    requirements=("G-03",),
    source="G-03",
)

declare(
    "callbacks.due_working_days",
    type="int",
    default=1,
    label="回单后回访期限",
    unit="个工作日",
    requirements=("WO-10",),
    source="D02（只规定回单后回访，期限不在原文）",
    description="回单后第几个工作日结束前完成回访；1 = 下一个工作日。",
)
declare(
    "callbacks.max_attempts",
    type="int",
    default=3,
    label="无法联系时最多拨打次数",
    unit="次",
    requirements=("WO-10",),
    source="不在原文",
    description="达到次数仍无人接听，回访以“无法联系”结束。",
)
declare(
    "callbacks.retry_interval_minutes",
    type="int",
    default=120,
    label="再次拨打间隔",
    unit="分钟",
    requirements=("WO-10",),
    source="不在原文",
    description="无人接听后，间隔多久再次进入回访队列（按营业时间计）。",
)
declare(
    "callbacks.claim_minutes",
    type="int",
    default=15,
    label="回访占用时长",
    unit="分钟",
    requirements=("WO-10",),
    source="不在原文",
    description="内勤打开回访后占用该任务的时长，期间其他人不能同时回访。",
)
declare(
    "callbacks.survey_on_return",
    type="bool",
    default=True,
    label="回单后发送意见调查",
    requirements=("CB-14",),
    source="D10",
    description="每条服务登记（回单）向客户发送一份意见调查（短信链接）。",
)
declare(
    "callbacks.survey_link_valid_days",
    type="int",
    default=7,
    label="调查链接有效期",
    unit="天",
    requirements=("CB-14",),
    source="不在原文",
)
declare(
    "callbacks.bad_rating_max_level",
    type="int",
    default=2,
    label="差评界限",
    requirements=("CB-18",),
    source="好差评制度（不满意、非常不满意为差评）",
    description="评价等级不高于此值（1 非常不满意 … 5 非常满意）为差评：开整改任务并必须回访。",
)
declare(
    "callbacks.rectification_working_days",
    type="int",
    default=15,
    label="差评整改期限",
    unit="个工作日",
    requirements=("CB-18",),
    source="好差评制度（差评 15 个工作日内整改反馈）",
)

# --- complaints (§3.7 CMP, G-01) --------------------------------------------------------------------------------
declare(
    "complaints.acknowledge_working_days",
    type="json",
    default={"normal": 1, "serious": 1, "critical": 1},
    label="投诉确认受理期限（按严重程度）",
    unit="个工作日",
    requirements=("G-01",),
    source="G-01",
    description="受理后多少个工作日内确认并指定处理人；超时升级给中心经理。",
)
declare(
    "complaints.resolve_working_days",
    type="json",
    default={"normal": 3, "serious": 2, "critical": 1},
    label="投诉处理期限（按严重程度）",
    unit="个工作日",
    requirements=("G-01",),
    source="G-01（3 个工作日；较重、严重的缩短不在原文）",
)
declare(
    "complaints.reopen_limit",
    type="int",
    default=1,
    label="投诉人不满意可重新打开次数",
    unit="次",
    requirements=("G-01",),
    source="G-01",
    description="超过次数后再次不满意即升级给上级营维中心。",
)
declare(
    "complaints.confirm_wait_working_days",
    type="int",
    default=3,
    label="等待投诉人确认",
    unit="个工作日",
    requirements=("G-01",),
    source="不在原文",
    description="答复后投诉人在此期限内未反馈，视为确认（记为“未回复”）。",
)

# --- approvals engine (DESIGN.md §2.5; not in seed) --------------------------------------------------------
declare(
    "approvals.reminder_hours",
    type="int",
    default=24,
    label="审批催办间隔",
    unit="小时",
    requirements=("ORG-13",),
    source="不在原文",
    description="待办审批超过该时长未处理时提醒审批人，此后每隔该时长再提醒。",
)
declare(
    "approvals.general_manager_limit_cny",
    type="decimal",
    default="2000",
    label="事项请示：中心经理审批金额上限",
    unit="元",
    requirements=("ORG-05",),
    source="不在原文",
    description="事项请示金额不超过该值由服务中心经理审批；超过时经理审批后报营维中心总经理审批。",
)
declare(
    "approvals.general_route_roles",
    type="json",
    default={"within_limit": ["center_manager"], "above_limit": ["center_manager", "ops_center_gm"]},
    label="事项请示：审批角色",
    requirements=("ORG-05", "C-11"),
    source="不在原文（ORG-05）",
    description="金额不超过上限（within_limit）与超过上限（above_limit）时依次审批的角色编码。"
    "服务站为中心经理、营维中心总经理；政务大厅预设为分管领导、党政主要领导。",
)
declare(
    "approvals.escalation_roles",
    type="json",
    default={"center_manager": "ops_center_gm", "leader_in_charge": "principal_leader", "supervisor": "center_manager"},
    label="审批上报角色",
    requirements=("ORG-05",),
    source="不在原文（ORG-05：上报营维中心）",
    description="申请人本人即为某审批角色时（不能自己审批自己），该步改由此表中的上级角色审批，"
    '如中心经理的申请上报营维中心总经理。格式：{"审批角色编码": "上级角色编码"}。',
)

# --- added with the regulations pages (issue item 5): parameters of the D01 / D19 / D02 clauses -------------
declare(
    "attendance.sign_in_required",
    type="bool",
    default=False,
    label="实行签到制度",
    requirements=("ATT-22", "C-01"),
    source="D19",
    description="开启后按“签到时段”检查签到，缺签按“缺签罚款”处理（政务大厅预设为开启；服务站、呼叫中心的制度无签到规定）。",
)
declare(
    "finance.expense_categories",
    type="json",
    default=[
        ["temp_promoters", "临时促销人员费用"],
        ["office_petty", "小额办公费"],
        ["utilities", "水电费"],
        ["property_liaison", "物业沟通费"],
        ["station_phone", "站内电话费"],
        ["computer_allowance", "电脑补贴"],
        ["ebike_allowance", "电动车补助"],
        ["instant_rewards", "及时奖励"],
        ["other_operating", "其他营业支出"],
    ],
    label="支出类别",
    requirements=("FIN-02", "FIN-03", "FIN-04"),
    source="D01",
    description="[编码, 名称] 列表，可增加类别；已用过的编码不要删除。",
)
declare(
    "finance.required_signatures",
    type="json",
    default=["handler", "payee", "approver"],
    label="支出签字确认人",
    requirements=("FIN-05",),
    source="D01",
    description="经手人、收款人、核准人；核准人不得与经手人为同一人。",
)
declare(
    "finance.monthly_posting_deadline_day",
    type="int",
    default=7,
    label="上月账务公示截止日",
    unit="日",
    requirements=("FIN-09", "C-08"),
    source="D01",
    description="原文“次月第一周内”，按每月 1–7 日计（C-08）。",
)
declare(
    "finance.invoice_reconcile_days",
    type="int",
    default=7,
    label="发票凭证核对周期",
    unit="天",
    requirements=("FIN-10",),
    source="D01",
    description="原文“每周进行一次核对”。",
)
declare(
    "inspections.window_cleaning",
    type="json",
    default={"daily_before_opening": True, "deep_clean_every_days": 7},
    label="窗口卫生保洁",
    requirements=("INS-21",),
    source="D19",
    description="每日上班前小扫（桌、椅、柜、地面），每周一大扫。",
)
declare(
    "govservice.single_notice_for_missing_materials",
    type="bool",
    default=True,
    label="补正材料一次性告知",
    requirements=("GOV-05",),
    source="D19",
)
declare(
    "govservice.restart_clock_on_supplement",
    type="bool",
    default=True,
    label="补正后重新计算办理时限",
    requirements=("GOV-06", "C-19"),
    source="D19",
)
declare(
    "govservice.idle_flag_days",
    type="int",
    default=None,
    label="受理后无进展提醒",
    unit="个工作日",
    requirements=("GOV-02",),
    source="D19（未给数值）",
)
declare(
    "scripts.holiday_greetings",
    type="json",
    default={
        "new_years_day": "新年好！",
        "spring_festival": "新年好！",
        "labour_day": "劳动节快乐！",
        "mid_autumn_festival": "中秋节快乐！",
        "national_day": "国庆节快乐！",
    },
    label="节日开头用语",
    requirements=("CON-08", "CON-09"),
    source="D02",
    description="节日期间受理电话的开头用语；具体使用日期以每次节日通知为准（CON-09）。",
)

# --- call scripts, intake, customers and the public report form (issue 3: CON-07, CON-10, WO-01, SVC-18) -----
declare(
    "scripts.brand",
    type="text",
    default=None,
    label="话术中的品牌名称",
    requirements=("CON-07",),
    source="D02（原文为具体品牌，此处不预设）",
    description="开头语中的 {brand}；未设置时使用服务中心名称。",
)
declare(
    "scripts.opening",
    type="text",
    default="您好，{brand}报修（{staff_no}号）为您服务",
    label="受理开头语",
    requirements=("CON-07",),
    source="D02",
    description="受理电话的开头用语模板：{brand} 品牌名称，{staff_no} 接听人工号。",
)
declare(
    "scripts.closing",
    type="text",
    default="感谢您的合作！如有需要请拨打服务热线 {hotline}，再见。",
    label="受理结束语",
    requirements=("CON-10",),
    source="D02",
    description="受理电话的结束用语模板：{hotline} 服务热线号码（callbacks.hotline_number）。",
)
declare(
    "workorders.public_intake_enabled",
    type="bool",
    default=True,
    label="接受网上报修",
    requirements=("WO-01",),
    source="不在原文",
    description="开启后，该服务中心出现在公众网上报修表单的中心列表中。",
)
declare(
    "customers.document_max_mb",
    type="int",
    default=10,
    label="客户档案文件大小上限",
    unit="MB",
    requirements=("SVC-18",),
    source="不在原文",
)
