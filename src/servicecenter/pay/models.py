"""Pay (PTS-01…PTS-03, PTS-07, PTS-11, C-05, C-18, FIN-19): pay formulas per role, the month's inputs, the yuan
deductions, the company's coefficient table and the payroll sheet of each center and month.

Nothing here is overwritten: a changed formula is a new PayComponent version, a new upload of the coefficient
table is a new version, a recomputation with changed inputs is a new sheet version (the old ones stay).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PayComponent(models.Model):
    """One component of a role's pay as a formula (C-18), set on a level of the tree (company, ops center or
    center) and inherited nearest-first like the policy parameters. A change is a new row with a later
    `valid_from` (or the same month, later id); `is_active = False` switches the component off from then on."""

    organization = models.ForeignKey("org.Organization", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("角色编码"), max_length=40)
    name = models.CharField(_("工资项目"), max_length=60)
    formula = models.CharField(_("公式"), max_length=500)
    clause = models.CharField(_("依据条款"), max_length=100)
    order = models.PositiveSmallIntegerField(_("排序"), default=10)
    valid_from = models.DateField(_("起用月份"))
    is_active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("修改说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("设定时间"))

    class Meta:
        ordering = ("organization__path", "role", "order", "name", "-valid_from", "-id")
        verbose_name = _("工资项目公式")
        verbose_name_plural = _("工资项目公式")
        permissions = [("manage_formulas", "可设定工资项目公式")]
        indexes = [models.Index(fields=["organization", "role", "valid_from"], name="paycomp_org_role_idx")]
        constraints = [models.CheckConstraint(name="paycomp_first_day", condition=Q(valid_from__day=1))]

    def __str__(self) -> str:
        return f"{self.role} {self.name} {self.valid_from:%Y-%m}"


class PayInput(models.Model):
    """The month's inputs the finance clerk enters per staff member: base salary (carried forward from the last
    month entered when missing), invoices issued and the finance-liaison amount (PTS-07, PTS-11)."""

    staff = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="pay_inputs")
    month = models.DateField(_("月份"))
    base_salary = models.DecimalField(_("基本工资（元）"), null=True, blank=True, max_digits=12, decimal_places=2)
    invoices = models.DecimalField(_("开票数"), max_digits=8, decimal_places=0, null=True, blank=True)
    finance_liaison = models.DecimalField(_("财务对接（元）"), null=True, blank=True, max_digits=12, decimal_places=2)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("录入时间"))

    class Meta:
        ordering = ("-month", "staff_id")
        verbose_name = _("工资月度录入")
        verbose_name_plural = _("工资月度录入")
        constraints = [
            models.UniqueConstraint(fields=["staff", "month"], name="payinput_staff_month_uniq"),
            models.CheckConstraint(name="payinput_first_day", condition=Q(month__day=1)),
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.month:%Y-%m}"


class PayrollDeduction(models.Model):
    """A yuan deduction from pay (C-05: sanctions in yuan never become points): attendance fines (ATT-23/24, one
    per attendance result, key `att-fine:<pk>`) collected when a sheet is computed, or a manual deduction."""

    organization = models.ForeignKey("org.Organization", on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="pay_deductions")
    month = models.DateField(_("月份"))
    amount_cny = models.DecimalField(_("扣款（元）"), max_digits=12, decimal_places=2)
    reason = models.CharField(_("扣款事由"), max_length=300)
    clause = models.CharField(_("依据条款"), max_length=100)
    source = models.CharField(_("来源"), max_length=20)  # "attendance" | "manual"
    source_id = models.BigIntegerField(_("来源记录"), null=True, blank=True)
    key = models.CharField(_("幂等键"), max_length=160, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        ordering = ("-month", "staff_id", "id")
        verbose_name = _("工资扣款")
        verbose_name_plural = _("工资扣款")
        indexes = [models.Index(fields=["organization", "month"], name="paydeduction_org_month_idx")]
        constraints = [models.CheckConstraint(name="paydeduction_first_day", condition=Q(month__day=1))]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.month:%Y-%m} ¥{self.amount_cny}"


class CoefficientTable(models.Model):
    """One upload of the company's monthly performance standard (PTS-02, PTS-03): the coefficient of each center.
    A new upload for the same organization and month is the next `version`; sheets cite the version they used."""

    organization = models.ForeignKey("org.Organization", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("月份"))
    version = models.PositiveIntegerField(_("版本"))
    file_name = models.CharField(_("文件名"), max_length=200)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        ordering = ("-month", "-version")
        verbose_name = _("综合业绩考评系数表")
        verbose_name_plural = _("综合业绩考评系数表")
        permissions = [("upload_coefficients", "可上传综合业绩考评系数表")]
        constraints = [
            models.UniqueConstraint(fields=["organization", "month", "version"], name="coefftable_version_uniq"),
            models.CheckConstraint(name="coefftable_first_day", condition=Q(month__day=1)),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} v{self.version}"


class CoefficientRow(models.Model):
    table = models.ForeignKey(CoefficientTable, on_delete=models.PROTECT, related_name="rows")
    center = models.ForeignKey("org.Organization", on_delete=models.PROTECT, related_name="+")
    net_growth = models.DecimalField(_("净增长"), max_digits=14, decimal_places=2)
    new_additions = models.DecimalField(_("新增"), max_digits=14, decimal_places=2)
    accrual_revenue = models.DecimalField(_("权责收入"), max_digits=14, decimal_places=2)
    coefficient = models.DecimalField(_("考核系数"), max_digits=6, decimal_places=4)

    class Meta:
        ordering = ("table_id", "center__code")
        verbose_name = _("考评系数")
        verbose_name_plural = _("考评系数")
        constraints = [models.UniqueConstraint(fields=["table", "center"], name="coeffrow_table_center_uniq")]
        indexes = [models.Index(fields=["center", "table"], name="coeffrow_center_idx")]

    def __str__(self) -> str:
        return f"{self.center_id} {self.coefficient}"


class PayrollSheet(models.Model):
    """The payroll sheet of a center and month (FIN-19), one row per computation that changed something: the
    inputs fingerprint `inputs_hash` decides; `changes` says what changed against the previous version."""

    organization = models.ForeignKey("org.Organization", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("月份"))
    version = models.PositiveIntegerField(_("版本"))
    inputs_hash = models.CharField(_("输入指纹"), max_length=64)
    coefficient_table = models.ForeignKey(
        CoefficientTable, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    points_locked = models.BooleanField(_("积分已锁定"), default=False)
    total_net = models.DecimalField(_("实发合计"), max_digits=12, decimal_places=2)
    line_count = models.PositiveIntegerField(_("人数"), default=0)
    error_count = models.PositiveIntegerField(_("有误行数"), default=0)
    parameters = models.JSONField(_("参数"), default=dict)
    changes = models.JSONField(_("与上一版的变化"), default=dict, blank=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        ordering = ("-month", "-version")
        verbose_name = _("工资表")
        verbose_name_plural = _("工资表")
        permissions = [("view_payroll", "可查看工资表"), ("manage_payroll", "可录入工资数据、计算工资表")]
        constraints = [
            models.UniqueConstraint(fields=["organization", "month", "version"], name="payrollsheet_version_uniq"),
            models.CheckConstraint(name="payrollsheet_first_day", condition=Q(month__day=1)),
        ]
        indexes = [models.Index(fields=["organization", "-month", "-version"], name="payrollsheet_org_month_idx")]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.month:%Y-%m} v{self.version}"


class PayrollLine(models.Model):
    """One staff member's line: the inputs, every component (formula, value, clause, error), rewards,
    deductions and net. `error` non-empty = excluded from the sheet's total."""

    sheet = models.ForeignKey(PayrollSheet, on_delete=models.CASCADE, related_name="lines")
    staff = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="+")
    staff_no = models.CharField(_("工号"), max_length=20)
    name = models.CharField(_("姓名"), max_length=50)
    role = models.CharField(_("角色"), max_length=40)
    role_label = models.CharField(_("岗位"), max_length=50)
    inputs = models.JSONField(_("输入"), default=dict)
    components = models.JSONField(_("工资项目"), default=list)
    gross = models.DecimalField(_("应发"), null=True, blank=True, max_digits=12, decimal_places=2)
    rewards = models.DecimalField(_("及时奖励"), max_digits=12, decimal_places=2)
    deductions = models.DecimalField(_("扣款"), max_digits=12, decimal_places=2)
    net = models.DecimalField(_("实发"), null=True, blank=True, max_digits=12, decimal_places=2)
    details = models.JSONField(_("奖励与扣款明细"), default=dict)
    error = models.CharField(_("错误"), max_length=300, blank=True)

    class Meta:
        ordering = ("sheet_id", "staff_no")
        verbose_name = _("工资表行")
        verbose_name_plural = _("工资表行")

    def __str__(self) -> str:
        return f"{self.staff_no} {self.net}"
