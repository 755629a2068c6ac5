from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    """Levels of the organization tree (ORG-05, ORG-21, ORG-24, ORG-26)."""

    COMPANY = "company", _("公司")
    OPS_CENTER = "ops_center", _("营维中心")
    SERVICE_CENTER = "service_center", _("服务中心")
    SUB_CENTER = "sub_center", _("分中心")
    DEPARTMENT = "department", _("部门")
    TEAM = "team", _("班组")
    WINDOW = "window", _("窗口")


CENTER_KINDS = (OrganizationKind.SERVICE_CENTER, OrganizationKind.SUB_CENTER)


class CenterType(models.TextChoices):
    """What kind of service center a unit is (ORG-01, C-22); selects the policy preset (§4)."""

    SERVICE_STATION = "service_station", _("服务站（维修/营维）")
    CALL_CENTER = "call_center", _("呼叫中心")
    CONVENIENCE_CENTER = "convenience_center", _("便民服务中心")
    FLEET = "fleet", _("车队")
    MEETING_SERVICE = "meeting_service", _("会务服务")
    APARTMENT = "apartment", _("职工公寓")
    CS_DEPT = "cs_dept", _("客户服务部")
    GOV_HALL = "gov_hall", _("政务服务中心")
    CANTEEN = "canteen", _("食堂")
    MERCHANT_MALL = "merchant_mall", _("商户服务")
    STAFF_SERVICE_CENTER = "staff_service_center", _("职工服务中心")


class StaffStatus(models.TextChoices):
    ACTIVE = "active", _("在岗")
    ON_LEAVE = "on_leave", _("休假中")
    LEFT = "left", _("已离职")


class StaffImportStatus(models.TextChoices):
    """Where a staff import stands: checked and waiting for the importer's decision, imported, or cancelled."""

    VALIDATED = "validated", _("已校验，待确认")
    COMMITTED = "committed", _("已导入")
    CANCELLED = "cancelled", _("已取消")
