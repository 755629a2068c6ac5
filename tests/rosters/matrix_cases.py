"""Permission-matrix cases of the rosters pages and API: center A's roster, swaps, handovers and on-call duties
must stay invisible (404 / absent from lists) to center B's people."""

from __future__ import annotations

from datetime import timedelta

from servicecenter.core.testing import Case
from servicecenter.policy.values import local_today
from servicecenter.rosters import services
from servicecenter.rosters.models import RosterEntry, SwapRequest
from tests import factories

SWAP_REASON = "甲中心调班原因"
HANDOVER_TEXT = "甲中心交接：工单待上门"


def _different_day(roster, a, b, start):
    cells = {(e.staff_id, e.day): e.shift_id for e in RosterEntry.objects.filter(roster=roster)}
    day = start
    while day.month == start.month:
        if cells.get((a.pk, day), "x") != cells.get((b.pk, day), "x"):
            return day
        day += timedelta(days=1)
    return start


def build(world) -> list[Case]:
    center = world.tree["a"]
    manager = world.manager_a.user
    mate = factories.make_staff(world.tree["team_a"], "service_staff", name="甲同事", role_org=center)
    factories.make_staff(world.tree["team_a"], "service_staff", name="甲同事二", role_org=center)
    services.templates_install_presets(actor=manager, organization=center)
    today = local_today(center)
    month = today.replace(day=1)
    draft = services.roster_open_draft(actor=manager, organization=center, month=month)
    services.roster_propose(actor=manager, roster_id=draft.pk)
    roster = services.roster_publish(actor=manager, roster_id=draft.pk, confirm_warnings=True)
    next_month = (month + timedelta(days=32)).replace(day=1)
    nxt = services.roster_open_draft(actor=manager, organization=center, month=next_month)
    services.roster_propose(actor=manager, roster_id=nxt.pk)
    services.roster_publish(actor=manager, roster_id=nxt.pk, confirm_warnings=True)
    to_edit = services.roster_open_draft(actor=manager, organization=center, month=next_month)
    later = next_month + timedelta(days=3)

    def swap(reason: str) -> SwapRequest:
        day = _different_day(
            roster.__class__.objects.get(organization=center, month=next_month, status="published"),
            mate,
            world.staff_a,
            next_month,
        )
        return services.swap_request(actor=mate.user, counterpart_id=world.staff_a.pk, requester_day=day, reason=reason)

    listed = swap(SWAP_REASON)
    to_decline = swap("待拒绝")
    to_consent_api = swap("接口同意")
    note = services.handover_create(actor=mate.user, to_staff_id=world.staff_a.pk, day=today, open_orders=HANDOVER_TEXT)
    duty = services.on_call_add(actor=manager, organization=center, staff_id=mate.pk, day=later, mobile="13900000000")
    swap_day = _different_day(roster, world.staff_a, mate, today)
    c = {"center_id": center.pk}
    ym = {"center_id": center.pk, "year": month.year, "month": month.month}
    return [
        Case("rosters:home", marker=center.name),
        Case("rosters:mine", actor="staff_a", marker=world.staff_a.name),
        Case("rosters:templates", kwargs=c),
        Case("rosters:templates_presets", kwargs=c, method="post", ok=(302,)),
        Case("rosters:editor", kwargs=ym),
        Case("rosters:draft_open", kwargs=ym, method="post", ok=(302,)),
        Case("rosters:published", kwargs=ym, actor="staff_a"),
        Case("rosters:on_call", kwargs=c, actor="staff_a"),
        Case("rosters:on_call_withdraw", kwargs={"pk": duty.pk}, method="post", ok=(302,)),
        Case("rosters:propose", kwargs={"roster_id": to_edit.pk}, method="post", ok=(302,)),
        Case(
            "rosters:cell",
            kwargs={"roster_id": to_edit.pk},
            method="post",
            data={"staff": world.staff_a.pk, "day": later.isoformat(), "value": "REST"},
        ),
        Case("rosters:publish", kwargs={"roster_id": to_edit.pk}, method="post", data={"confirm": "1"}, ok=(302,)),
        Case("rosters:swaps", actor="staff_a", marker=SWAP_REASON),
        Case("rosters:swap_detail", kwargs={"pk": listed.pk}, actor="staff_a"),
        Case(
            "rosters:swap_action",
            kwargs={"pk": to_decline.pk, "action": "decline"},
            actor="staff_a",
            method="post",
            ok=(302,),
        ),
        Case("rosters:handovers", actor="staff_a", marker=HANDOVER_TEXT),
        Case("rosters:handover_ack", kwargs={"pk": note.pk}, actor="staff_a", method="post", ok=(302,)),
        # --- API ---
        Case("api-rosters-templates", kwargs=c, api=True, actor="staff_a"),
        Case("api-rosters-published", kwargs=ym, api=True, actor="staff_a"),
        Case("api-rosters-my-shifts", api=True, actor="staff_a", marker='"code"'),
        Case(
            "api-rosters-swap-create",
            api=True,
            actor="staff_a",
            method="post",
            data={"counterpart": mate.pk, "requester_day": swap_day.isoformat(), "reason": "接口申请"},
            ok=(201,),
        ),
        Case(
            "api-rosters-swap-consent",
            kwargs={"pk": to_consent_api.pk},
            api=True,
            actor="staff_a",
            method="post",
            data={"accept": True},
        ),
    ]
