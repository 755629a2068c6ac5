"""Permission-matrix cases of the survey page, ratings, rectifications, campaigns and the courtesy summary.

Center A's orders are returned through the services (each with its survey link, CB-14), rated and surveyed; center
B's people must not see them in their lists (marker) and get 404 on every object page and action. The survey page
is public (the signed link is the key)."""

from __future__ import annotations

from servicecenter.callbacks import campaigns, surveys
from servicecenter.callbacks.models import Rating, Rectification, SurveyCampaign, SurveyInvitation
from servicecenter.core.testing import Case

from .matrix_queue import returned_task

RATED = "好差评矩阵客户甲"
CAMPAIGN = "矩阵意见调查甲"


def _order(world, name: str):
    return returned_task(world, name).order


def _campaign(world, name: str, *, launch: bool = False, channel: str = "link") -> SurveyCampaign:
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    campaign = campaigns.campaign_create(
        actor=world.manager_a.user,
        organization=world.tree["a"],
        name=name,
        kind="ad_hoc",
        period_start=today,
        period_end=today,
        sample_rate=100,
        channel=channel,
    )
    if launch:
        campaigns.campaign_launch(actor=world.manager_a.user, campaign_id=campaign.pk)
    return campaign


def _rated(order_pk: int, level: int):
    def check(world, response) -> None:
        assert Rating.objects.get(order_id=order_pk).level == level

    return check


def _rectified(pk: int):
    def check(world, response) -> None:
        assert Rectification.objects.get(pk=pk).status == "done"

    return check


def _campaign_status(pk: int, status: str):
    def check(world, response) -> None:
        assert SurveyCampaign.objects.get(pk=pk).status == status

    return check


def build(world) -> list[Case]:
    a = world.tree["a"]
    surveyed = _order(world, "调查链接矩阵客户")
    invitation = SurveyInvitation.objects.get(order=surveyed, campaign__isnull=True)
    listed = _order(world, RATED)
    surveys.rating_submit(order=listed, level=5, tags=[], comment="", channel="on_site", actor=world.clerk_a.user)
    bad = _order(world, "差评矩阵客户")
    rating = surveys.rating_submit(
        order=bad, level=1, tags=["slow"], comment="太慢", channel="phone", actor=world.clerk_a.user
    )
    rectification = Rectification.objects.get(rating=rating)
    to_rate = _order(world, "待登记评价矩阵客户")
    _campaign(world, CAMPAIGN)
    draft = _campaign(world, "待发出矩阵调查")
    running = _campaign(world, "待结束矩阵调查", launch=True)
    printable = _campaign(world, "可打印矩阵调查", launch=True)
    return [
        # the customer's page: public, the signed link is the key
        Case("callbacks:survey_public", kwargs={"token": surveys.make_token(invitation)}, public=True),
        # ratings (好差评)
        Case("callbacks:ratings", actor="manager_a", marker=RATED),
        Case("callbacks:ratings", actor="clerk_a", marker=RATED, query="?level=5"),
        Case("callbacks:ratings", actor="clerk_a", marker="差评矩阵客户", query="?bad=on"),
        Case("callbacks:rating_create", actor="clerk_a", marker=a.name),
        Case(
            "callbacks:rating_create",
            actor="clerk_a",
            method="post",
            data={"center": a.pk, "order": to_rate.number, "channel": "phone", "level": "4", "tags": ["efficient"]},
            ok=(302,),
            check=_rated(to_rate.pk, 4),
        ),
        # rectifications
        Case("callbacks:rectifications", actor="manager_a", marker="差评矩阵客户"),
        Case("callbacks:rectification_detail", kwargs={"pk": rectification.pk}, actor="manager_a"),
        Case("callbacks:rectification_detail", kwargs={"pk": rectification.pk}, actor="clerk_a"),
        Case(
            "callbacks:rectification_complete",
            kwargs={"pk": rectification.pk},
            actor="manager_a",
            method="post",
            data={"measures": "约谈服务人员并培训"},
            ok=(302,),
            check=_rectified(rectification.pk),
        ),
        # campaigns (CB-12)
        Case("callbacks:campaigns", actor="manager_a", marker=CAMPAIGN),
        Case("callbacks:campaign_create", actor="manager_a", marker=a.name),
        Case(
            "callbacks:campaign_create",
            actor="manager_a",
            method="post",
            data={
                "center": a.pk,
                "name": "矩阵新建调查",
                "kind": "scheduled",
                "period_start": "2026-11-01",
                "period_end": "2026-11-30",
                "sample_rate": "50",
                "channel": "sms",
            },
            ok=(302,),
        ),
        Case("callbacks:campaign_detail", kwargs={"pk": draft.pk}, actor="manager_a"),
        Case(
            "callbacks:campaign_launch",
            kwargs={"pk": draft.pk},
            actor="manager_a",
            method="post",
            ok=(302,),
            check=_campaign_status(draft.pk, "running"),
        ),
        Case(
            "callbacks:campaign_close",
            kwargs={"pk": running.pk},
            actor="manager_a",
            method="post",
            ok=(302,),
            check=_campaign_status(running.pk, "closed"),
        ),
        Case("callbacks:campaign_print", kwargs={"pk": printable.pk}, actor="manager_a"),
        Case("callbacks:campaign_print", kwargs={"pk": printable.pk}, actor="manager_a", query="?kind=post"),
        # the courtesy summary (CB-10): the center's name heads it
        Case("callbacks:courtesy", actor="manager_a", marker=a.name),
        Case("callbacks:courtesy", actor="clerk_a", marker=a.name, query="?month=2026-12"),
    ]
