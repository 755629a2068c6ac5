"""The organization tree, staff and roles (REQUIREMENTS.md §3.1 ORG)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from servicecenter.core.models import TimeStampedModel

from .choices import CENTER_KINDS, CenterType, OrganizationKind, StaffImportStatus, StaffStatus

phone_validator = RegexValidator(r"^[0-9+\-() ]{5,20}$", _("请输入有效的电话号码"))


class OrganizationQuerySet(models.QuerySet):
    def active(self) -> OrganizationQuerySet:
        return self.filter(is_active=True)

    def centers(self) -> OrganizationQuerySet:
        return self.filter(kind__in=CENTER_KINDS)

    def subtree_of(self, org: Organization) -> OrganizationQuerySet:
        return self.filter(path__startswith=org.path)


class Organization(TimeStampedModel):
    """One unit of the tree company → ops center (营维中心) → service center → team/window (ORG-05).

    `path` is a materialized path ("000001/000004/") so a whole subtree is one indexed prefix query.
    Units are never deleted: they are deactivated (`is_active`).
    """

    PATH_STEP = 6

    name = models.CharField(_("名称"), max_length=100)
    code = models.SlugField(_("编码"), max_length=40, unique=True)
    kind = models.CharField(_("层级"), max_length=20, choices=OrganizationKind.choices)
    center_type = models.CharField(_("中心类型"), max_length=30, choices=CenterType.choices, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("上级")
    )
    path = models.CharField(max_length=255, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True, validators=[phone_validator])
    timezone = models.CharField(_("时区"), max_length=40, default="Asia/Shanghai")
    is_active = models.BooleanField(_("启用"), default=True)

    history = HistoricalRecords()
    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ("path",)
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        constraints = [
            models.CheckConstraint(
                name="org_center_type_only_on_centers",
                condition=Q(center_type="") | Q(kind__in=[k.value for k in CENTER_KINDS]),
            ),
        ]
        indexes = [models.Index(fields=["kind", "is_active"], name="org_kind_active_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_center(self) -> bool:
        return self.kind in CENTER_KINDS

    def ancestor_paths(self) -> list[str]:
        """Paths of self and every ancestor, nearest first."""
        step = self.PATH_STEP + 1
        return [self.path[: i * step] for i in range(self.depth + 1, 0, -1)]

    def ancestors(self, include_self: bool = True) -> list[Organization]:
        """Self (optionally) and ancestors, nearest first, in one query."""
        paths = self.ancestor_paths()
        if not include_self:
            paths = paths[1:]
        by_path = {o.path: o for o in Organization.objects.filter(path__in=paths)}
        return [by_path[p] for p in paths if p in by_path]

    def service_center(self) -> Organization | None:
        """The service center this unit belongs to (itself for a center), or None above center level."""
        for org in self.ancestors():
            if org.is_center:
                return org
        return None


class Staff(TimeStampedModel):
    """A person who works for the company: master data (ORG-16) and login account.

    Never deleted: leaving sets `status = left` and deactivates the login.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="staff", verbose_name=_("所属组织")
    )
    staff_no = models.CharField(
        _("工号"),
        max_length=20,
        unique=True,
        validators=[RegexValidator(r"^[A-Za-z0-9-]{2,20}$", _("工号只能包含字母、数字和连字符"))],
    )
    name = models.CharField(_("姓名"), max_length=50)
    position = models.CharField(_("岗位"), max_length=50, blank=True)
    phone = models.CharField(_("手机"), max_length=20, blank=True, validators=[phone_validator])
    hire_date = models.DateField(_("入职日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=StaffStatus.choices, default=StaffStatus.ACTIVE)
    left_date = models.DateField(_("离职日期"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ("organization__path", "staff_no")
        permissions = [("import_staff", "Can import staff from xlsx"), ("export_staff", "Can export staff to xlsx")]
        verbose_name = _("员工")
        verbose_name_plural = _("员工")
        indexes = [models.Index(fields=["organization", "status"], name="staff_org_status_idx")]
        constraints = [
            models.CheckConstraint(
                name="staff_left_has_date", condition=~Q(status=StaffStatus.LEFT) | Q(left_date__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.staff_no}）"


class Role(TimeStampedModel):
    """A role such as 服务中心经理 or 接单内勤: a permission set (a Django group) with a stable code (ORG-02/03).

    Built-in roles are declared in `org/roles.py`; centers may add their own (C-11: display labels per center).
    """

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    description = models.TextField(_("说明"), blank=True)
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="role")
    is_builtin = models.BooleanField(_("内置"), default=False)
    center_types = models.JSONField(
        _("适用中心类型"),
        default=list,
        blank=True,
        help_text=_("为空表示适用于所有中心；否则只能在这些类型的中心授予（C-22）"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    rank = models.PositiveSmallIntegerField(_("排序"), default=100)

    history = HistoricalRecords()

    class Meta:
        ordering = ("rank", "code")
        verbose_name = _("角色")
        verbose_name_plural = _("角色")

    def __str__(self) -> str:
        return self.name


class RoleAssignment(TimeStampedModel):
    """User U holds role R over the subtree of organization O (ORG-03, ORG-04).

    Scoping reads only these rows: a user sees records of the organizations below the ones they hold a role in.
    Ended assignments stay (is_active = False) for history.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="role_assignments")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="assignments")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="role_assignments")
    is_active = models.BooleanField(_("有效"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ("organization__path", "role__rank")
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "organization"],
                condition=Q(is_active=True),
                name="roleassignment_unique_active",
            )
        ]
        indexes = [models.Index(fields=["user", "is_active"], name="roleassign_user_idx")]

    def __str__(self) -> str:
        return f"{self.user} · {self.role} @ {self.organization}"


class Delegation(TimeStampedModel):
    """While `principal` is away (travel, leave) between `starts_at` and `ends_at`, items routed to them go to
    `delegate` (ORG-13). Shown on every decision taken under it."""

    principal = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations_given")
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations_received"
    )
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        ordering = ("-starts_at",)
        verbose_name = _("委托代理")
        verbose_name_plural = _("委托代理")
        constraints = [
            models.CheckConstraint(name="delegation_ends_after_start", condition=Q(ends_at__gt=models.F("starts_at"))),
            models.CheckConstraint(name="delegation_not_self", condition=~Q(principal=models.F("delegate"))),
        ]
        indexes = [models.Index(fields=["principal", "starts_at", "ends_at"], name="delegation_lookup_idx")]

    def __str__(self) -> str:
        return f"{self.principal} → {self.delegate}"


class StaffImport(TimeStampedModel):
    """One upload of a staff spreadsheet (.xlsx): every row as read and checked, kept between the check and the
    importer's decision, and afterwards as the record of what was imported (docs/org.md «批量导入»).

    `rows` is a list of `{"row": <sheet row number>, "values": {column key: text}, "errors": [[column, message]],
    "staff_id": <id once imported>}`; values are stored as normalised text so the rows can be checked again at
    commit time. Never deleted: a finished import stays as `committed` or `cancelled`.
    """

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff_imports", verbose_name=_("导入人")
    )
    file_name = models.CharField(_("文件名"), max_length=255)
    status = models.CharField(
        _("状态"), max_length=20, choices=StaffImportStatus.choices, default=StaffImportStatus.VALIDATED
    )
    rows = models.JSONField(_("数据行"), default=list, blank=True)
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    valid_rows = models.PositiveIntegerField(_("有效行数"), default=0)
    created_count = models.PositiveIntegerField(_("已导入人数"), default=0)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("员工导入")
        verbose_name_plural = _("员工导入")
        indexes = [models.Index(fields=["uploaded_by", "-created_at"], name="staffimport_user_idx")]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.created_at:%Y-%m-%d %H:%M}）" if self.created_at else self.file_name

    @property
    def invalid_rows(self) -> int:
        return self.total_rows - self.valid_rows
