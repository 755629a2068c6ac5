"""Permission-matrix cases of the renewal pages and API (core.testing.Case). Center B is a gov hall without
renewal specialists: the cross-center user is manager_b."""

from __future__ import annotations

from servicecenter.core.testing import Case
from servicecenter.policy.values import local_today
from servicecenter.renewals import services
from servicecenter.renewals.models import RenewalImport, RenewalRow

MARKER = "续费矩阵用户甲"


def _row(world, number: str, *, assignee=None, name: str = "续费户") -> RenewalRow:
    center = world.tree["a"]
    return RenewalRow.objects.create(
        organization=center,
        month=local_today(center).replace(day=1),
        kind="due",
        subscriber_no=number,
        name=name,
        phone="13900001111",
        tier="6.0",
        assignee=assignee,
    )


def _import(world) -> RenewalImport:
    from tests.renewals.conftest import xlsx

    center = world.tree["a"]
    return services.import_upload(
        actor=world.manager_a.user,
        organization=center,
        month=local_today(center),
        kind="due",
        file=xlsx([["M1", "矩阵导入户", "", "6.0", "2026-12-20", ""]]),
    )


def build(world) -> list[Case]:
    listed = _row(world, "MX1", assignee=world.renewal_a, name=MARKER)
    to_record = _row(world, "MX2", assignee=world.renewal_a)
    to_claim = _row(world, "MX3")
    shown = _import(world)
    to_confirm = _import(world)
    to_cancel = _import(world)
    specialist = {"actor": "renewal_a", "cross": "manager_b"}
    return [
        Case("renewals:rows", marker=MARKER, **specialist),
        Case("renewals:row", kwargs={"pk": listed.pk}, **specialist),
        Case(
            "renewals:row",
            kwargs={"pk": to_record.pk},
            method="post",
            data={"outcome": "renewed"},
            ok=(302,),
            **specialist,
        ),
        Case("renewals:row_claim", kwargs={"pk": to_claim.pk}, method="post", ok=(302,), **specialist),
        Case("renewals:result", marker="甲续费", **specialist),
        Case("renewals:import", marker=world.tree["a"].name),
        Case("renewals:import_template", query=f"?center={world.tree['a'].pk}"),
        Case("renewals:import_detail", kwargs={"pk": shown.pk}),
        Case("renewals:import_confirm", kwargs={"pk": to_confirm.pk}, method="post", ok=(302,)),
        Case("renewals:import_cancel", kwargs={"pk": to_cancel.pk}, method="post", ok=(302,)),
        Case("api-renewals-rows", api=True, marker=MARKER, **specialist),
        Case(
            "api-renewals-row-outcome",
            kwargs={"pk": listed.pk},
            method="post",
            api=True,
            data={"outcome": "refused"},
            **specialist,
        ),
        Case("api-renewals-result", api=True, marker="甲续费", **specialist),
    ]
