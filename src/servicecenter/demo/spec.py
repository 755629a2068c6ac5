"""The demo data set as data: one company, one ops center, a service station and a government service hall.

Every name is invented (C-15: no real people, no names from the source regulations). Codes and staff numbers
are the natural keys the loader uses to stay idempotent: a unit or a person that already exists is reused.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

DEMO_PASSWORD = "demo-2026"


def hire_date_for(index: int) -> date:
    """A fixed, varied hire date per person (2012–2026), so service years and annual-leave rules have data."""
    return date(2012 + (index * 5) % 15, 1 + (index * 7) % 12, 1 + (index * 11) % 28)


class OrgRow(NamedTuple):
    code: str
    name: str
    kind: str
    center_type: str
    parent: str | None  # code of the parent unit


class PersonRow(NamedTuple):
    staff_no: str  # also the login name (ORG-08: usernames are staff numbers)
    name: str
    organization: str  # code of the unit the person belongs to (a team or window for front-line staff)
    roles: tuple[str, ...]
    role_org: str | None = None  # code of the unit the roles are held over; None = `organization`


COMPANY = "demo-company"
OPS_CENTER = "demo-chengxi-ops"
STATION = "demo-gucheng"  # D01-style service station
HALL = "demo-chengxi-gov"  # D19-style government service hall

ORGANIZATIONS: tuple[OrgRow, ...] = (
    OrgRow(COMPANY, "示例通信服务有限公司", "company", "", None),
    OrgRow(OPS_CENTER, "城西营维中心", "ops_center", "", COMPANY),
    OrgRow(STATION, "古城服务站", "service_center", "service_station", OPS_CENTER),
    OrgRow("demo-gucheng-repair1", "维修一班", "team", "", STATION),
    OrgRow("demo-gucheng-install", "装机班", "team", "", STATION),
    OrgRow(HALL, "城西政务服务中心", "service_center", "gov_hall", OPS_CENTER),
    OrgRow("demo-chengxi-gov-general", "综合受理窗口", "window", "", HALL),
    OrgRow("demo-chengxi-gov-social", "社保窗口", "window", "", HALL),
    OrgRow("demo-chengxi-gov-estate", "不动产窗口", "window", "", HALL),
)

PEOPLE: tuple[PersonRow, ...] = (
    # company level: the system administrator (also a Django superuser) and the channel department (ORG-06)
    PersonRow("admin", "程思远", COMPANY, ("system_admin",)),
    PersonRow("QD001", "苏雨桐", COMPANY, ("channel_department",)),
    # ops center: the general manager (ORG-05)
    PersonRow("YW001", "韩铭远", OPS_CENTER, ("ops_center_gm",)),
    # service station (ORG-02, ORG-03)
    PersonRow("GC001", "林晓岚", STATION, ("center_manager",)),
    PersonRow("GC002", "周佳怡", STATION, ("order_clerk",)),
    PersonRow("GC003", "吴思琪", STATION, ("order_clerk",)),
    PersonRow("GC004", "郑雅婷", STATION, ("finance_clerk",)),
    PersonRow("GC005", "冯子涵", STATION, ("renewal_specialist",)),
    PersonRow("GC006", "陈浩然", STATION, ("service_sales_supervisor",)),
    PersonRow("GC007", "何俊杰", STATION, ("marketing_sales_supervisor",)),
    PersonRow("GC008", "许嘉欣", STATION, ("sales_specialist",)),
    PersonRow("GC009", "宋一鸣", STATION, ("sales_specialist",)),
    PersonRow("GC010", "罗志强", "demo-gucheng-repair1", ("service_staff",), STATION),
    PersonRow("GC011", "邓文博", "demo-gucheng-repair1", ("service_staff",), STATION),
    PersonRow("GC012", "唐明轩", "demo-gucheng-repair1", ("service_staff",), STATION),
    PersonRow("GC013", "曹宇航", "demo-gucheng-install", ("service_staff",), STATION),
    PersonRow("GC014", "彭立新", "demo-gucheng-install", ("service_staff",), STATION),
    PersonRow("GC015", "蒋小川", STATION, ("promoter",)),
    # government service hall (ORG-25, ORG-26)
    PersonRow("ZW001", "沈清和", HALL, ("principal_leader",)),
    PersonRow("ZW002", "叶景行", HALL, ("leader_in_charge",)),
    PersonRow("ZW003", "谢婉清", HALL, ("party_gov_office",)),
    PersonRow("ZW004", "袁诗雨", "demo-chengxi-gov-general", ("window_staff",), HALL),
    PersonRow("ZW005", "范可欣", "demo-chengxi-gov-general", ("window_staff",), HALL),
    PersonRow("ZW006", "石晨曦", "demo-chengxi-gov-social", ("window_staff",), HALL),
    PersonRow("ZW007", "钟若楠", "demo-chengxi-gov-estate", ("window_staff",), HALL),
)

SUPERUSER = "admin"

# Seed regulations loaded per unit (REQUIREMENTS.md §1 document codes): the station's own regulation (D01) and
# the hall's (D19); sub-units inherit them (ORG-21). The call-center rules (D02) belong to a call center, which the
# demo does not have: loaded company-wide they would put heating-repair scripts on the hall's pages.
REGULATION_SOURCES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (STATION, ("D01",)),
    (HALL, ("D19",)),
)

# One example of a center-level policy override, set through the real service (ORG-21).
PARAMETER_OVERRIDES: tuple[tuple[str, str, object, str], ...] = (
    (STATION, "attendance.late_grace_minutes", 5, "示例：本站宽限5分钟"),
)
