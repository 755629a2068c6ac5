"""Sample work orders for `servicecenter demo` (called by servicecenter.demo.loader inside a transaction).

About forty orders of the D01-style service station spread over the last ten days, every one taken and moved through
the real services with explicit `now` values: orders in every state (new, dispatched, accepted, in progress, paused,
returned with the customer's signature, closed, cancelled, archived), breaches flagged by the SLA sweep, a request
rolled over to the next day (SVC-12), a special-group customer's urgent request (WO-11), an off-site service waiting
for the manager's approval (SVC-13), an inquiry answered on the spot, a facility issue re-escalated (WO-15), and
customers who called more than once. Idempotent: a sample whose problem text exists at the station is skipped.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from servicecenter.core.access import has_permission_in
from servicecenter.core.demo_data import as_list
from servicecenter.customers.models import Customer, SpecialGroup
from servicecenter.org.models import RoleAssignment

from . import services
from .models import WorkOrder

# (problem, customer, phone, address, kind, service type, hours ago, target state, extras)
_ADDR = "古城路 %s 号"
SAMPLES: tuple[tuple[str, str, str, str, str, str, float, str, dict[str, Any]], ...] = (
    ("宽带无法上网，光猫红灯闪烁", "王建国", "13800138001", _ADDR % 12, "repair", "C", 0.3, "new", {}),
    ("电视机顶盒无信号", "李秀英", "13800138002", _ADDR % 18, "repair", "C", 0.6, "new", {}),
    ("申请新装宽带一条", "赵志明", "13800138003", _ADDR % 25, "installation", "A", 1.2, "new", {}),
    ("路由器需重新设置无线密码", "钱玉兰", "13800138004", _ADDR % 31, "repair", "A", 52, "new", {}),
    ("固定电话有杂音", "孙德胜", "13800138005", _ADDR % 40, "repair", "C", 2.5, "dispatched", {}),
    ("宽带频繁掉线", "王建国", "13800138001", _ADDR % 12, "repair", "C", 3.0, "dispatched", {}),
    ("机顶盒遥控器失灵", "周桂芳", "13800138006", _ADDR % 44, "repair", "A", 1.5, "accepted", {}),
    ("光纤入户线被剪断", "吴国强", "13800138007", _ADDR % 52, "repair", "C", 2.0, "in_progress", {}),
    ("新装电视需上门调试", "郑丽华", "13800138008", _ADDR % 57, "installation", "B", 4.0, "in_progress", {}),
    ("光猫损坏，等待更换配件", "冯建华", "13800138009", _ADDR % 63, "repair", "C", 6.0, "paused", {}),
    ("楼道分线箱进水", "陈淑珍", "13800138010", _ADDR % 70, "repair", "B", 30, "paused", {}),
    ("宽带测速只有 10M", "褚卫东", "13800138011", _ADDR % 77, "complaint", "C", 8.0, "returned", {}),
    ("电视画面卡顿", "卫秀兰", "13800138012", _ADDR % 81, "repair", "A", 26, "returned", {"fee": "30"}),
    ("智能网关更换", "蒋志刚", "13800138013", _ADDR % 88, "repair", "A", 50, "returned", {"fee": "260"}),
    ("无线信号覆盖不到卧室", "沈玉梅", "13800138014", _ADDR % 90, "repair", "A", 75, "closed", {"fee": "45"}),
    ("新装宽带", "韩国庆", "13800138015", _ADDR % 95, "installation", "B", 98, "closed", {}),
    ("电话无拨号音", "杨桂英", "13800138016", _ADDR % 101, "repair", "C", 120, "closed", {}),
    ("电视无法回看", "王建国", "13800138001", _ADDR % 12, "repair", "C", 140, "closed", {}),
    ("移机：宽带随户迁移", "朱建军", "13800138017", _ADDR % 110, "installation", "A", 150, "archived", {"fee": "80"}),
    ("网线水晶头松动", "秦秀珍", "13800138018", _ADDR % 115, "repair", "C", 170, "archived", {}),
    ("光猫指示灯异常", "尤德明", "13800138019", _ADDR % 120, "repair", "C", 190, "archived", {}),
    ("宽带账号密码遗忘", "许丽君", "13800138020", _ADDR % 126, "repair", "C", 200, "archived", {}),
    ("客户要求暂缓上门", "何振华", "13800138021", _ADDR % 130, "repair", "C", 5.0, "cancelled", {}),
    ("重复报修，已由他单处理", "吕秀云", "13800138022", _ADDR % 135, "repair", "C", 60, "cancelled", {}),
    ("投诉装机人员迟到", "施建平", "13800138023", _ADDR % 140, "complaint", "D", 22, "returned", {}),
    ("机顶盒升级后无法开机", "张凤英", "13800138024", _ADDR % 145, "repair", "C", 7.0, "dispatched", {}),
    (
        "宽带费用咨询",
        "孔德华",
        "13800138025",
        _ADDR % 150,
        "inquiry",
        "C",
        1.0,
        "answered",
        {"answer": "已告知当前资费套餐与续费方式，客户满意。"},
    ),
    (
        "营业时间咨询",
        "曹丽娟",
        "13800138026",
        _ADDR % 152,
        "inquiry",
        "C",
        28,
        "answered",
        {"answer": "已告知营业时间 08:30–20:00。"},
    ),
    ("独居老人家中电话不通", "严桂兰", "13800138027", _ADDR % 160, "repair", "C", 0.8, "new", {"special": True}),
    (
        "邻县客户宽带故障，需异地上门",
        "华建新",
        "13800138028",
        "邻县城关镇 8 号",
        "repair",
        "A",
        3.5,
        "new",
        {"offsite": "邻县城关镇"},
    ),
    (
        "小区机房空调故障，设备高温",
        "物业 金经理",
        "13800138029",
        "古城小区机房",
        "repair",
        "D",
        6.5,
        "dispatched",
        {"facility": True},
    ),
    ("宽带装机预约", "魏秀梅", "13800138030", _ADDR % 170, "installation", "B", 9.0, "accepted", {}),
    ("电视信号时有时无", "陶国华", "13800138031", _ADDR % 175, "repair", "C", 27, "in_progress", {}),
    ("网速慢投诉", "姜丽萍", "13800138032", _ADDR % 180, "complaint", "C", 48, "closed", {}),
    ("光猫更换", "戚德胜", "13800138033", _ADDR % 185, "repair", "A", 72, "returned", {"fee": "120"}),
    ("宽带续约上门签字", "谢秀珍", "13800138034", _ADDR % 190, "other", "B", 96, "closed", {}),
    ("路由器重启后无法上网", "邹建国", "13800138035", _ADDR % 195, "repair", "C", 216, "closed", {}),
    ("电话线路改造", "喻丽华", "13800138036", _ADDR % 200, "installation", "B", 230, "archived", {}),
    ("机顶盒无法识别智能卡", "柏志强", "13800138037", _ADDR % 205, "repair", "C", 4.5, "paused", {}),
    ("光纤弯折导致信号弱", "水桂英", "13800138038", _ADDR % 210, "repair", "C", 11, "dispatched", {}),
)


def signature_png() -> bytes:
    """A tiny generated "signature": a few strokes on white, as the field page's canvas would export it."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (160, 60), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.line([(10, 40), (30, 15), (45, 45), (65, 20), (85, 42), (110, 18), (150, 35)], fill=(20, 20, 90), width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def station_people(station: Any, people: list[Any]) -> tuple[Any, Any, list[Any]] | None:
    """The station's clerk (takes and dispatches), manager (countersigns) and servicemen."""
    managers = set(
        RoleAssignment.objects.filter(role__code="center_manager", is_active=True).values_list("user_id", flat=True)
    )
    local = sorted(
        (s for s in people if s.user_id and s.organization.path.startswith(station.path)), key=lambda s: s.staff_no
    )

    def may(staff: Any, permission: str) -> bool:
        return has_permission_in(user=staff.user, permission=permission, organization=station)

    manager = next((s for s in local if s.user_id in managers), None)
    clerk = next((s for s in local if s.user_id not in managers and may(s, services.DISPATCH)), manager)
    workers = [s for s in local if may(s, services.WORK) and not may(s, services.DISPATCH)]
    if clerk is None or manager is None or not workers:
        return None
    return clerk, manager, workers


def _special_customer(*, station: Any, clerk: Any, name: str, phone: str, address: str) -> None:
    from servicecenter.customers import services as customer_services

    group = SpecialGroup.objects.filter(is_active=True).order_by("id").first()
    if group is None:
        return
    customer = Customer.objects.filter(organization=station, phone_digits=phone).first()
    if customer is None:
        customer = customer_services.customer_create(
            actor=clerk.user, organization=station, name=name, phone=phone, address=address
        )
    customer_services.customer_set_special_group(
        actor=clerk.user, customer_id=customer.pk, group_id=group.pk, note="社区登记在册（示例）"
    )


def _advance(
    order: WorkOrder, *, state: str, t0: datetime, clerk: Any, manager: Any, worker: Any, extras: dict
) -> None:
    """Take one order from `new` to `state` through the services, each step a few minutes after the last."""
    c, w, m = clerk.user, worker.user, manager.user

    def at(minutes: float) -> datetime:
        return t0 + timedelta(minutes=minutes)

    if state == "cancelled":
        services.order_cancel(actor=c, order_id=order.pk, reason="客户来电撤销报修", now=at(15))
        return
    if state in ("new", "answered"):
        return
    services.order_dispatch(actor=c, order_id=order.pk, assignee_id=worker.pk, now=at(8))
    if state == "dispatched":
        return
    services.order_accept(actor=w, order_id=order.pk, now=at(15))
    services.order_contact(actor=w, order_id=order.pk, note="已电话联系客户，约定上门时间", at=at(18), now=at(18))
    if state == "accepted":
        return
    services.order_arrive(actor=w, order_id=order.pk, now=at(50))
    if state == "in_progress":
        return
    services.order_pause(actor=w, order_id=order.pk, reason="waiting_parts", note="等待配件到货", now=at(70))
    if state == "paused":
        return
    services.order_resume(actor=w, order_id=order.pk, now=at(100))
    fee = extras.get("fee", "0")
    services.order_complete(
        actor=w,
        order_id=order.pk,
        work_content="排查线路并更换故障部件，测试恢复正常，客户确认。",
        service_started_at=at(50),
        service_ended_at=at(130),
        materials=[{"name": "尾纤", "quantity": "1", "unit": "根", "unit_price": "0"}],
        labour_fee=fee,
        signature_png=signature_png(),
        signer_name=order.customer_name,
        now=at(135),
    )
    if state == "returned":
        return
    if state == "archived":
        services.order_countersign(actor=m, order_id=order.pk, now=at(60 * 20))
        services.order_archive(actor=m, order_id=order.pk, now=at(60 * 20 + 5))
    services.order_close(actor=c, order_id=order.pk, note="回访客户，对服务满意", now=at(60 * 22))


def load_demo(*, centers: Mapping[str, Any] | Iterable[Any], people: Mapping[str, Any] | Iterable[Any]) -> int:
    """Create the sample orders at the first service station among `centers` with its people among `people`
    (Staff rows); returns how many orders were created (0 when they exist already or nobody can take them)."""
    station = next((c for c in as_list(centers) if c.center_type == "service_station"), None)
    if station is None:
        return 0
    found = station_people(station, as_list(people))
    if found is None:
        return 0
    clerk, manager, workers = found
    now = timezone.now().replace(second=0, microsecond=0)
    existing = set(
        WorkOrder.objects.filter(organization=station, problem__in=[s[0] for s in SAMPLES]).values_list(
            "problem", flat=True
        )
    )
    created = 0
    for index, (problem, name, phone, address, kind, service_type, hours, state, extras) in enumerate(SAMPLES):
        if problem in existing:
            continue
        t0 = now - timedelta(hours=hours)
        if extras.get("special"):
            _special_customer(station=station, clerk=clerk, name=name, phone=phone, address=address)
        order = services.order_create(
            actor=clerk.user,
            organization=station,
            kind=kind,
            service_type=service_type,
            customer_name=name,
            phone=phone,
            address=address,
            problem=problem,
            read_back=["problem", "address", "name", "phone"],
            is_facility_issue=bool(extras.get("facility")),
            is_offsite=bool(extras.get("offsite")),
            offsite_destination=extras.get("offsite", ""),
            answer=extras.get("answer", ""),
            now=t0,
        )
        # The demo replays the past: the row's creation time is the call's time (every other instant is `now=`).
        WorkOrder.objects.filter(pk=order.pk).update(created_at=t0)
        order.created_at = t0
        if extras.get("offsite"):
            services.order_request_offsite(
                actor=clerk.user,
                order_id=order.pk,
                reason="客户位于邻县，需派员异地上门",
                now=t0 + timedelta(minutes=5),
            )
        _advance(
            order,
            state=state,
            t0=t0,
            clerk=clerk,
            manager=manager,
            worker=workers[index % len(workers)],
            extras=extras,
        )
        created += 1
    if created:
        _periodic_jobs(station=station, manager=manager, now=now)
    return created


def _periodic_jobs(*, station: Any, manager: Any, now: datetime) -> None:
    """What the beat jobs would have done by now: next-day priority (SVC-12), re-escalation (WO-15), SLA sweep."""
    from servicecenter.policy.services import parameter_set
    from servicecenter.policy.values import local_today, value, zone_of

    midnight = timezone.localtime(now, zone_of(station)).replace(hour=0, minute=5, second=0, microsecond=0)
    services.rollover_undispatched(now=midnight)
    key = "workorders.issue_reescalation_interval_minutes"
    if not value(key, org=station, at=now).value:
        parameter_set(
            actor=manager.user,
            organization=station,
            key=key,
            value=120,
            effective_from=local_today(station),
            reason="示例：未解决的设施问题每 2 小时再次上报（WO-15）",
        )
    services.reescalate_facility_issues(now=now)
    services.sla_sweep(now=now)
