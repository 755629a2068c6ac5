"""Sample pay data for `servicecenter demo`: the demo station's pay parameters (¥10 per point and per average
point, ¥5 per order, ¥2 per invoice), base salaries, last month's coefficient table and a computed payroll sheet.
Idempotent: parameters and inputs already set are kept; an unchanged sheet is not recomputed (fingerprint)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.utils import timezone

from servicecenter.core.demo_data import as_list
from servicecenter.points import policies as points_policies
from servicecenter.policy.models import ParameterValue
from servicecenter.policy.values import local_today
from servicecenter.workorders.demo import station_people

from . import services
from .models import CoefficientRow, CoefficientTable, PayInput

PARAMETERS = {
    "pay.amount_per_avg_point": "10",
    "pay.amount_per_point": "10",
    "pay.rate_per_order": "5",
    "pay.rate_per_invoice": "2",
}
BASE = {"center_manager": "3000", "order_clerk": "1800", "finance_clerk": "2000", "other": "1600"}


def load_demo(*, centers: Mapping[str, Any] | Iterable[Any], people: Mapping[str, Any] | Iterable[Any]) -> int:
    station = next((c for c in as_list(centers) if c.center_type == "service_station"), None)
    if station is None:
        return 0
    found = station_people(station, as_list(people))
    if found is None:
        return 0
    clerk, manager, workers = found
    month = points_policies.previous_month(local_today(station))
    now = timezone.now()
    for key, value in PARAMETERS.items():
        if not ParameterValue.objects.filter(key=key, organization=station).exists():
            ParameterValue.objects.create(
                key=key, organization=station, value=value, effective_from=month, reason="演示数据：工资参数"
            )
    staff = list(services.selectors.center_staff(organization=station))
    roles = services.selectors.roles_by_user(organization=station, user_ids=[s.user_id for s in staff if s.user_id])
    for s in staff:
        role = services.policies.role_of(roles.get(s.user_id or 0, []))
        PayInput.objects.get_or_create(
            staff=s,
            month=month,
            defaults={
                "base_salary": Decimal(BASE.get(role, BASE["other"])),
                "invoices": Decimal("12") if role in ("order_clerk", "finance_clerk") else None,
                "finance_liaison": Decimal("300") if role == "finance_clerk" else None,
                "updated_at": now,
            },
        )
    if not CoefficientTable.objects.filter(organization=station, month=month).exists():
        table = CoefficientTable.objects.create(
            organization=station, month=month, version=1, file_name="演示考评系数表.xlsx", uploaded_at=now
        )
        CoefficientRow.objects.create(
            table=table,
            center=station,
            net_growth=Decimal("120"),
            new_additions=Decimal("300"),
            accrual_revenue=Decimal("56000"),
            coefficient=Decimal("1.1"),
        )
    result = services.payroll_compute(actor=None, organization=station, month=month)
    return 1 if result.created else 0
