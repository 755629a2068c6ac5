"""Sample customers and a holiday greeting window for `servicecenter demo` (called by servicecenter.demo.loader).

For the first service station: customers in each status (SVC-19) with contacts and addresses (SVC-17), a special-
group member (WO-11), and the National Day greeting window of the coming notice (CON-09). Everything goes through
the services; idempotent (a customer whose phone exists at the station, or an existing window, is skipped).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from servicecenter.core.demo_data import as_list
from servicecenter.org.models import RoleAssignment
from servicecenter.policy.values import local_today

from . import services
from .models import Customer, GreetingWindow, SpecialGroup

# (name, phone, address, status, contact (name, phone, relation) or None, special group code or "")
SAMPLES: tuple[tuple[str, str, str, str, tuple[str, str, str] | None, str], ...] = (
    ("陈建国", "13900139001", "古城路 18 号 1 单元 202", "existing", ("陈晓", "13900139101", "女儿"), ""),
    (
        "刘淑芬",
        "13900139002",
        "古城路 22 号 4 单元 601",
        "existing",
        ("王社工", "13900139102", "社区网格员"),
        "elderly",
    ),
    ("城南小区物业", "13900139003", "城南小区物业办公室", "converting", ("赵经理", "13900139103", "物业经理"), ""),
    ("新华商贸", "13900139004", "新华街 66 号", "potential", None, ""),
)


def _holder(station: Any, people: list[Any], role: str) -> Any:
    users = set(
        RoleAssignment.objects.filter(role__code=role, organization=station, is_active=True).values_list(
            "user_id", flat=True
        )
    )
    return next((p for p in people if p.user_id in users), None)


def load_demo(*, centers: Mapping[str, Any] | Iterable[Any], people: Mapping[str, Any] | Iterable[Any]) -> int:
    """Create the samples at the first service station; returns how many customers were created."""
    station = next((c for c in as_list(centers) if c.center_type == "service_station"), None)
    if station is None:
        return 0
    staff = as_list(people)
    clerk = _holder(station, staff, "order_clerk")
    manager = _holder(station, staff, "center_manager")
    if clerk is None:
        return 0
    created = 0
    for name, phone, address, status, contact, group in SAMPLES:
        if Customer.objects.filter(organization=station, phone_digits=phone).exists():
            continue
        customer = services.customer_create(
            actor=clerk.user, organization=station, name=name, phone=phone, address=address, status=status
        )
        services.address_add(actor=clerk.user, customer_id=customer.pk, address=address, label="服务地址")
        if contact is not None:
            services.contact_add(
                actor=clerk.user, customer_id=customer.pk, name=contact[0], phone=contact[1], relation=contact[2]
            )
        if group:
            special = SpecialGroup.objects.filter(code=group, is_active=True).first()
            if special is not None:
                services.customer_set_special_group(
                    actor=clerk.user, customer_id=customer.pk, group_id=special.pk, note="社区登记在册（示例）"
                )
        created += 1
    if manager is not None:
        year = local_today(station).year
        start, end = date(year, 9, 30), date(year, 10, 8)
        if local_today(station) > end:
            start, end = date(year + 1, 9, 30), date(year + 1, 10, 8)
        if not GreetingWindow.objects.filter(organization=station, holiday="national_day", starts_on=start).exists():
            services.greeting_window_create(
                actor=manager.user,
                organization=station,
                holiday="national_day",
                starts_on=start,
                ends_on=end,
                note=f"{start.year} 年国庆节放假通知（示例）",
            )
    return created
